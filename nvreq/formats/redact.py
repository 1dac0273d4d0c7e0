"""The one rule for secrets in an image's environment: which values nvreq never prints.

Every output that shows image env (``nvreq check`` text and ``--json``, ``nvreq env``) passes the
entries through :func:`redact_env`, which replaces a secret's value with ``<redacted>`` and names
the variables it hid. A variable is secret by its name (``*_TOKEN``, ``*SECRET*``,
``*PASSWORD*``, ``*_KEY``, AWS credentials, …) or by its value (a URL with a password, a private
key, a JWT, the token formats of GitHub, GitLab, Slack, OpenAI, Hugging Face and AWS). The
variables nvreq evaluates (``NVIDIA_*``, ``CUDA_VERSION``) are never hidden.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

__all__ = ["REDACTED", "is_secret", "redact_env"]

REDACTED = "<redacted>"

_NAME = (
    r"(?:^|_)(?:TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIALS?|APIKEY|API_KEY|"
    r"ACCESS_KEY|PRIVATE_KEY|AUTH|COOKIE)(?:_|$)"
    r"|SECRET|PASSWORD|PASSWD|TOKEN$|_KEY$|^KEY$"
    r"|^AWS_(?:ACCESS_KEY_ID|SECRET_ACCESS_KEY|SESSION_TOKEN|SECURITY_TOKEN)$")
_VALUE = (
    r"[A-Za-z][A-Za-z0-9+.-]*://[^/@\s:]*:[^/@\s]+@"     # a URL with user:password
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----"
    r"|\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\."  # a JWT
    r"|\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{30,}"
    r"|\bglpat-[A-Za-z0-9_-]{20,}|\bxox[abposr]-[A-Za-z0-9-]{10,}"
    r"|\bsk-[A-Za-z0-9_-]{20,}|\bhf_[A-Za-z0-9]{30,}|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")
#: text every match of ``_NAME`` (an ASCII name, upper-cased) or of ``_VALUE`` holds: a name or
#: value with none of them is not secret, and nvreq need not compile the patterns to know it
_NAME_WORDS = ("TOKEN", "SECRET", "PASS", "CREDENTIAL", "KEY", "AUTH", "COOKIE")
_VALUE_WORDS = ("://", "-----BEGIN ", "eyJ", "gh", "github_pat_", "glpat-", "xox", "sk-", "hf_",
               "AKIA", "ASIA")
_NEVER = ("NVIDIA_",)
_EVALUATED = frozenset({"CUDA_VERSION"})


def is_secret(name: str, value: str) -> bool:
    """True when ``name=value`` must not be printed.

    >>> is_secret("HF_TOKEN", "x"), is_secret("PIP_INDEX_URL", "https://u:p@pypi.example/simple")
    (True, True)
    >>> is_secret("NVIDIA_DRIVER_CAPABILITIES", "compute"), is_secret("PATH", "/usr/bin")
    (False, False)
    """
    if name.startswith(_NEVER) or name in _EVALUATED:
        return False
    return _secret_name(name) or _secret_value(value)


def _secret_name(name: str) -> bool:
    if name.isascii():
        upper = name.upper()
        if not any(word in upper for word in _NAME_WORDS):
            return False
    return _patterns()[0].search(name) is not None


def _secret_value(value: str) -> bool:
    if not any(word in value for word in _VALUE_WORDS):
        return False
    return _patterns()[1].search(value) is not None


@functools.cache
def _patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The name and value patterns, compiled when a name or value first needs them."""
    return re.compile(_NAME, re.IGNORECASE), re.compile(_VALUE)


def redact_env(entries: Iterable[str]) -> tuple[list[str], list[str]]:
    """The entries with each secret value replaced by ``<redacted>``, and the names hidden.

    >>> redact_env(["A=1", "DB_PASSWORD=hunter2", "NVIDIA_VISIBLE_DEVICES=all"])
    (['A=1', 'DB_PASSWORD=<redacted>', 'NVIDIA_VISIBLE_DEVICES=all'], ['DB_PASSWORD'])
    """
    shown: list[str] = []
    hidden: list[str] = []
    for entry in entries:
        name, sep, value = entry.partition("=")
        if is_secret(name, value if sep else ""):
            shown.append(f"{name}={REDACTED}" if sep else name)
            if name not in hidden:
                hidden.append(name)
        else:
            shown.append(entry)
    return shown, hidden
