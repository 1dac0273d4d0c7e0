"""Reading a file a user names, with a size cap: a clear error, never a silent truncation."""

from __future__ import annotations

import sys

from nvreq.errors import InputError

__all__ = ["read_capped"]


def _size(limit: int) -> str:
    return f"{limit >> 20} MiB" if limit >= 1 << 20 and not limit % (1 << 20) else f"{limit} bytes"


def read_capped(path: str, limit: int, *, what: str = "file") -> bytes:
    """The bytes of ``path`` (``-`` is standard input); ``InputError`` naming ``what`` and the
    path if it cannot be read or holds more than ``limit`` bytes.

    >>> read_capped("/nonexistent", 10, what="env file")
    Traceback (most recent call last):
    ...
    nvreq.errors.InputError: cannot read env file /nonexistent: No such file or directory
    """
    try:
        if path == "-":
            data = sys.stdin.buffer.read(limit + 1)
        else:
            with open(path, "rb") as handle:
                data = handle.read(limit + 1)
    except OSError as exc:
        raise InputError(f"cannot read {what} {path}: {exc.strerror or exc}") from None
    if len(data) > limit:
        raise InputError(f"{what} {path} is larger than {_size(limit)}")
    return data
