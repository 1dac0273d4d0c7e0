"""Registry credentials, found as skopeo and podman (containers/image) find them. Never written.

Sources, first hit wins: ``--authfile``/``REGISTRY_AUTH_FILE`` (alone), ``DOCKER_AUTH_CONFIG``,
``$XDG_RUNTIME_DIR/containers/auth.json``, ``$XDG_CONFIG_HOME/containers/auth.json``,
``$DOCKER_CONFIG/config.json`` or ``~/.docker/config.json`` (``credHelpers`` → ``credsStore`` →
``auths``), ``~/.dockercfg``. Helpers run only ``get``, once per (helper, server). A file that is
not valid JSON is an error naming the file and line, as in containers/image.
"""

from __future__ import annotations

import _thread
import os
import re
from collections.abc import Iterator
from pathlib import Path

from nvreq.formats import jsontext
from nvreq.images.errors import ConfigFileError
from nvreq.images.value import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["HUB_KEY", "Lookup", "Secret", "auth_files", "auth_key", "find_credentials"]

HUB_KEY = "https://index.docker.io/v1/"
_HUB_ALIASES = {"docker.io", "index.docker.io", "registry-1.docker.io"}
_HELPER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_NOT_FOUND = "credentials not found in native keychain"
_HELPER_TIMEOUT = 30.0
_MAX_HELPER_OUTPUT = 1 << 20
_MAX_FILE = 4 << 20
_helper_cache: dict[tuple[str, str], tuple[dict[str, Any] | None, str | None]] = {}
_helper_lock = _thread.allocate_lock()  # threading.Lock itself, without importing threading


class Secret(Value):
    """Credentials for one registry; ``repr()`` never shows a secret."""

    __slots__ = _fields = ("username", "password", "identity_token", "registry_token", "source")
    username: str
    password: str
    identity_token: str
    registry_token: str
    source: str

    def __init__(self, username: str = "", password: str = "", identity_token: str = "",
                 registry_token: str = "", source: str = "") -> None:
        self._init(username, password, identity_token, registry_token, source)

    def __repr__(self) -> str:
        kinds = [k for k in ("password", "identity_token", "registry_token") if getattr(self, k)]
        return f"<Secret user={self.username!r} {'+'.join(kinds) or 'empty'} from {self.source}>"


class Lookup:
    """The outcome of a lookup: the secret if found, where nvreq looked, and warnings."""

    __slots__ = ("looked", "secret", "warnings")

    def __init__(self) -> None:
        self.secret: Secret | None = None
        self.looked: list[str] = []
        self.warnings: list[str] = []

    def __repr__(self) -> str:
        return f"<Lookup {self.secret!r} looked={self.looked}>"


def auth_key(domain: str) -> str:
    """The credentials KEY of a registry domain: Docker Hub's is ``https://index.docker.io/v1/``."""
    return HUB_KEY if domain in _HUB_ALIASES else domain


def find_credentials(domain: str, path: str, *, authfile: str | None = None) -> Lookup:
    """Look up credentials for ``domain/path``, in the order of the module's docstring."""
    out = Lookup()
    authfile = authfile or os.environ.get("REGISTRY_AUTH_FILE")
    if authfile:
        _from_file(Path(authfile), domain, path, out, helpers=True, creds_store=True)
        return out
    inline = os.environ.get("DOCKER_AUTH_CONFIG")
    if inline:
        out.looked.append("DOCKER_AUTH_CONFIG")
        try:
            doc = jsontext.loads(inline)
        except ValueError:
            out.warnings.append("DOCKER_AUTH_CONFIG is not valid JSON; ignored")
        else:
            _from_doc(doc, "DOCKER_AUTH_CONFIG", domain, path, out, helpers=False,
                      creds_store=False)
            if out.secret:
                return out
    for candidate, store in auth_files():
        _from_file(candidate, domain, path, out, helpers=True, creds_store=store)
        if out.secret:
            return out
    legacy = Path.home() / ".dockercfg"
    if legacy.is_file():
        doc = _read(legacy, out)
        if isinstance(doc, dict):
            _from_doc({"auths": doc}, str(legacy), domain, path, out, helpers=False,
                      creds_store=False)
    return out


def auth_files() -> Iterator[tuple[Path, bool]]:
    """The credentials files after ``--authfile`` and ``DOCKER_AUTH_CONFIG``, in lookup order,
    each with whether its ``credsStore`` is used (docker's file only); ``~/.dockercfg`` last."""
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    yield (Path(runtime) / "containers" / "auth.json" if runtime
           else Path(f"/run/containers/{os.getuid()}/auth.json")), False
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    yield Path(config) / "containers" / "auth.json", False
    docker = os.environ.get("DOCKER_CONFIG")
    yield (Path(docker) if docker else Path.home() / ".docker") / "config.json", True


def _read(file: Path, out: Lookup) -> Any:
    out.looked.append(str(file))
    try:
        if file.stat().st_size > _MAX_FILE:
            raise ConfigFileError(f"credentials file {file} is larger than {_MAX_FILE >> 20} MiB")
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigFileError(f"cannot read credentials file {file}: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise ConfigFileError(f"credentials file {file} is not UTF-8 text (byte {exc.start})"
                              ) from None
    try:
        doc = jsontext.loads(text, what=f"credentials file {file}")
    except jsontext.JsonTooDeep as exc:
        raise ConfigFileError(str(exc)) from None
    except ValueError as exc:  # json.JSONDecodeError, without importing json here
        where = f", line {getattr(exc, 'lineno', '?')}, column {getattr(exc, 'colno', '?')}"
        raise ConfigFileError(f"credentials file {file}{where}: invalid JSON: "
                              f"{getattr(exc, 'msg', exc)}") from None
    if not isinstance(doc, dict):
        raise ConfigFileError(f"credentials file {file}: expected a JSON object")
    return doc


def _from_file(file: Path, domain: str, path: str, out: Lookup, *, helpers: bool,
               creds_store: bool) -> None:
    if not file.is_file():
        return
    doc = _read(file, out)
    if doc is not None:
        _from_doc(doc, str(file), domain, path, out, helpers=helpers, creds_store=creds_store)


def _from_doc(doc: Any, source: str, domain: str, path: str, out: Lookup, *, helpers: bool,
              creds_store: bool) -> None:
    if not isinstance(doc, dict):
        out.warnings.append(f"credentials file {source} is not a JSON object; skipped")
        return
    key = auth_key(domain)
    if helpers:
        table = doc.get("credHelpers")
        matched = _match(table, domain, path) if isinstance(table, dict) else None
        if matched is not None and isinstance(table, dict):
            out.secret = _helper(str(table[matched]), matched, out)
            if out.secret:
                return
        store = doc.get("credsStore")
        if creds_store and isinstance(store, str) and store:
            out.secret = _helper(store, key, out)
            if out.secret:
                return
    auths = doc.get("auths")
    matched = _match(auths, domain, path) if isinstance(auths, dict) else None
    if matched is not None and isinstance(auths, dict):
        out.secret = _entry(auths[matched], f"{source} ({matched})", out)


def _host_part(key: str) -> str:
    host = key.removeprefix("https://").removeprefix("http://").split("/", 1)[0]
    return "docker.io" if host in _HUB_ALIASES else host


def _match(table: dict[str, Any], domain: str, path: str) -> str | None:
    key = auth_key(domain)
    host = _host_part(key)
    parts = path.split("/")
    for n in range(len(parts), 0, -1):
        for prefix in {domain, host}:
            candidate = f"{prefix}/{'/'.join(parts[:n])}"
            if candidate in table:
                return candidate
    if key in table:
        return key
    return next((k for k in table if _host_part(k) == host), None)


def _entry(entry: Any, source: str, out: Lookup) -> Secret | None:
    if not isinstance(entry, dict):
        out.warnings.append(f"credentials entry in {source} is not an object; skipped")
        return None
    user, password = "", ""
    auth = entry.get("auth")
    if isinstance(auth, str) and auth:
        import base64
        import binascii

        try:
            decoded = base64.b64decode(auth, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            out.warnings.append(f"credentials entry in {source} has an invalid 'auth'; skipped")
            return None
        user, _, password = decoded.partition(":")
        password = password.rstrip("\x00")
        if not user:
            out.warnings.append(f"credentials entry in {source} has an empty user; skipped")
            return None
    else:
        user, password = str(entry.get("username") or ""), str(entry.get("password") or "")
    identity = str(entry.get("identitytoken") or "")
    registry = str(entry.get("registrytoken") or "")
    if not (user and password) and not identity and not registry:
        return None
    return Secret(user, password, identity, registry, source)


def _helper(name: str, server: str, out: Lookup) -> Secret | None:
    if not _HELPER_NAME.fullmatch(name):
        out.warnings.append(f"invalid credential helper name {name[:40]!r}; skipped")
        return None
    program = f"docker-credential-{name}"
    with _helper_lock:
        if (name, server) not in _helper_cache:
            _helper_cache[(name, server)] = _run_helper(program, server)
        answer, problem = _helper_cache[(name, server)]
    if problem:
        out.warnings.append(problem)
    if not answer:
        return None
    user, secret = str(answer.get("Username") or ""), str(answer.get("Secret") or "")
    if user == "<token>":
        return Secret(identity_token=secret, source=program)
    return Secret(user, secret, source=program) if user and secret else None


def _run_helper(program: str, server: str) -> tuple[dict[str, Any] | None, str | None]:
    import shutil
    import subprocess

    found = shutil.which(program)
    if not found:
        return None, f"credential helper {program} not found on PATH"
    try:
        done = subprocess.run([found, "get"], input=server.encode(), capture_output=True,
                              timeout=_HELPER_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return None, f"credential helper {program} timed out after {_HELPER_TIMEOUT:g} s"
    except OSError as exc:
        return None, f"credential helper {program} could not run: {exc.strerror}"
    stdout = done.stdout[: _MAX_HELPER_OUTPUT + 1]
    if done.returncode != 0:
        if stdout.strip().decode("utf-8", "replace") == _NOT_FOUND:
            return None, None
        return None, f"credential helper {program} failed (exit status {done.returncode})"
    if len(stdout) > _MAX_HELPER_OUTPUT:
        return None, f"credential helper {program} printed more than 1 MiB"
    try:
        answer = jsontext.loads(stdout.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return None, f"credential helper {program} printed something that is not JSON"
    if not isinstance(answer, dict):
        return None, f"credential helper {program} printed something that is not an object"
    return answer, None
