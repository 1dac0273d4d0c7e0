"""Tar header fields: names (ustar prefix, GNU long names, pax), sizes, checksums.

Written for nvreq from the POSIX ustar/pax and GNU tar formats; no ``tarfile`` import.
"""

from __future__ import annotations

from nvreq.formats.digits import uint
from nvreq.images.errors import ArchiveError

__all__ = ["checksum_ok", "cstr", "header_name", "normalize", "number", "pax"]


def normalize(name: str) -> str:
    """Strip ``./`` and collapse ``//``; absolute names or ``..`` give ``""`` (never matched)."""
    if name.startswith("/"):
        return ""
    parts = [p for p in name.split("/") if p not in ("", ".")]
    if ".." in parts:
        return ""
    return "/".join(parts)


def checksum_ok(block: bytes) -> bool:
    """Whether a header's stored checksum matches (unsigned or historic signed sum)."""
    try:
        stored = int(block[148:156].replace(b"\0", b" ").strip() or b"-1", 8)
    except ValueError:
        return False
    unsigned = sum(block[:148]) + 8 * 32 + sum(block[156:])
    signed = unsigned - 256 * sum(1 for b in block[:148] + block[156:] if b > 127)
    return stored in (unsigned, signed)


def number(field: bytes, label: str, pos: int) -> int:
    """An octal or base-256 numeric field."""
    if field[0] & 0x80:
        return int.from_bytes(field[1:], "big")
    text = field.replace(b"\0", b" ").strip()
    try:
        return int(text or b"0", 8)
    except ValueError:
        raise ArchiveError(f"bad tar header at offset {pos}") from None


def cstr(data: bytes) -> str:
    """A NUL-terminated field as text."""
    return data.split(b"\0", 1)[0].decode("utf-8", "surrogateescape")


def header_name(block: bytes) -> str:
    """The member name of a header, with the ustar prefix."""
    name = cstr(block[0:100])
    if block[257:262] == b"ustar":
        prefix = cstr(block[345:500])
        if prefix:
            return f"{prefix}/{name}"
    return name


def pax(data: bytes) -> dict[str, str]:
    """The records of a pax extended header (``path``, ``linkpath``, ``size`` matter here)."""
    out, pos = {}, 0
    while pos < len(data):
        space = data.find(b" ", pos)
        if space < 0:
            break
        length = uint(data[pos:space].decode("ascii", "replace"), len(data))
        if length is None:
            break
        record = data[space + 1 : pos + length - 1]
        key, _, value = record.partition(b"=")
        out[key.decode("utf-8", "replace")] = value.decode("utf-8", "surrogateescape")
        pos += max(length, 1)
    return out
