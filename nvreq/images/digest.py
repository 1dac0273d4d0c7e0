"""Content digests: ``sha256:`` and ``sha512:`` only, validated before use."""

from __future__ import annotations

import functools
import re

from nvreq._lazy import load

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

__all__ = ["DigestError", "compute", "matches", "parse_digest"]

_LENGTHS = {"sha256": 64, "sha512": 128}
_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Za-z=_-]+")


class DigestError(ValueError):
    """A malformed digest (``unsupported`` is True for a well-formed unknown algorithm)."""

    def __init__(self, message: str, *, unsupported: bool = False) -> None:
        super().__init__(message)
        self.unsupported = unsupported


def parse_digest(text: str) -> str:
    """Validate ``algorithm:hex`` and return it unchanged.

    >>> parse_digest("sha256:" + "a" * 64)[:12]
    'sha256:aaaaa'
    >>> parse_digest("blake3:abc")
    Traceback (most recent call last):
    ...
    nvreq.images.digest.DigestError: unsupported digest algorithm "blake3"
    """
    if not isinstance(text, str) or not _SHAPE.fullmatch(text):
        raise DigestError(f"invalid digest {_show(text)}")
    algorithm, _, hexpart = text.partition(":")
    want = _LENGTHS.get(algorithm)
    if want is None:
        raise DigestError(f"unsupported digest algorithm {_show(algorithm)}", unsupported=True)
    if len(hexpart) != want or not re.fullmatch(r"[0-9a-f]+", hexpart):
        raise DigestError(f"invalid digest {_show(text)}: expected {want} lower-case hex digits")
    return text


def compute(data: bytes, algorithm: str = "sha256") -> str:
    """The digest of ``data`` with ``algorithm`` (``sha256`` or ``sha512``)."""
    return f"{algorithm}:{_hasher(algorithm)(data).hexdigest()}"


def matches(data: bytes, digest: str) -> bool:
    """Whether ``data`` hashes to the validated ``digest``."""
    algorithm = digest.partition(":")[0]
    return compute(data, algorithm) == digest


@functools.cache
def _hasher(algorithm: str) -> Callable[[bytes], Any]:
    """CPython's own SHA-2 (``_sha2``, or ``_sha256``/``_sha512`` before 3.12), else hashlib's.

    Same digests either way; importing ``hashlib`` first loads OpenSSL's libcrypto (about 3 ms
    of start-up), which nvreq's one or three small hashes per image do not need.
    """
    for name in ("_sha2", f"_{algorithm}") if algorithm in _LENGTHS else ():
        try:
            return getattr(load(name), algorithm)  # type: ignore[no-any-return]
        except (ImportError, AttributeError):
            continue
    import hashlib

    return functools.partial(hashlib.new, algorithm)


def _show(text: object) -> str:
    shown = str(text)
    return '"' + (shown if len(shown) <= 80 else shown[:77] + "...") + '"'
