"""Reading a file a user names, with a size cap: a clear error, never a silent truncation."""

from __future__ import annotations

import sys

from nvreq.errors import InputError

__all__ = ["read_capped", "read_head", "text_lines"]


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 and not limit % (1 << 20) else f"{limit} bytes"


def read_head(path: str, limit: int) -> bytes:
    """At most ``limit + 1`` bytes of the file ``path``, so that a caller can tell a file over
    ``limit`` without reading it whole; ``OSError`` passes through for callers that word their
    own errors."""
    with open(path, "rb") as handle:
        return handle.read(limit + 1)


def read_capped(path: str, limit: int, *, what: str = "file") -> bytes:
    """The bytes of ``path`` (``-`` is standard input); ``InputError`` naming ``what`` and the
    path if it cannot be read or holds more than ``limit`` bytes.

    >>> read_capped("/nonexistent", 10, what="env file")
    Traceback (most recent call last):
    ...
    nvreq.errors.InputError: cannot read env file /nonexistent: No such file or directory
    """
    try:
        data = sys.stdin.buffer.read(limit + 1) if path == "-" else read_head(path, limit)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(f"{what} {path} is larger than {_size(limit)}")
    return data


def text_lines(text: str) -> list[str]:
    """``text`` cut into lines as Go's ``bufio.ScanLines`` cuts them (docker's ``--env-file``, the
    toolkit's files): at ``\\n`` only, one ``\\r`` before it dropped, a leading UTF-8 BOM removed.
    ``str.splitlines`` also cuts at ``\\v``, ``\\f``, ``\\x85``, ``\\u2028``: they stay.

    >>> text_lines("\\ufeffA=1\\r\\nB=2\\x85C=3\\n")
    ['A=1', 'B=2\\x85C=3']
    """
    lines = text.removeprefix("\ufeff").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line[:-1] if line.endswith("\r") else line for line in lines]
