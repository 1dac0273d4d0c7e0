"""Read members of a tar archive by name, without extracting and without ``tarfile``.

Uncompressed archives get one pass over the headers (member data is seeked over) and random
access afterwards; gzip, bzip2 and xz input gets one streaming pass that keeps only the small
members an image reader needs. Links resolve one hop, inside the archive only.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable

from nvreq.formats.digits import uint
from nvreq.images.errors import ArchiveError, ContentTooLarge, UnsupportedImage
from nvreq.images.tarheader import checksum_ok, cstr, header_name, normalize, number, pax

TYPE_CHECKING = False
if TYPE_CHECKING:
    from os import PathLike
    from typing import IO

__all__ = [
    "MAX_KEPT_MEMBER",
    "MAX_KEPT_TOTAL",
    "Member",
    "TarIndex",
    "compression",
    "open_tar",
    "wanted_member",
]

MAX_KEPT_MEMBER = 4 << 20
MAX_KEPT_TOTAL = 64 << 20
_BLOCK = 512
_BLOB = re.compile(r"blobs/[a-z0-9]+/[0-9a-f]+")
_TOP_LEVEL = frozenset({"manifest.json", "index.json", "oci-layout", "repositories"})


class Member:
    """One archive entry: ``kind`` is ``file``, ``symlink``, ``hardlink`` or ``other``.

    Mutable (``data`` is filled in while scanning), equal by its fields, unhashable.
    """

    __slots__ = _fields = ("name", "kind", "size", "offset", "link", "data")
    __hash__ = None  # type: ignore[assignment]  # as an eq=True, non-frozen dataclass

    def __init__(self, name: str, kind: str, size: int, offset: int, link: str = "",
                 data: bytes | None = None) -> None:
        self.name, self.kind, self.size, self.offset = name, kind, size, offset
        self.link, self.data = link, data

    def _values(self) -> tuple[object, ...]:
        return tuple(getattr(self, n) for n in self._fields)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Member)
        return self._values() == other._values()

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields)
        return f"Member({fields})"


def compression(head: bytes) -> str | None:
    """``gzip``, ``bzip2``, ``xz`` or ``zstd`` from the first bytes; None when uncompressed."""
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh"):
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    return None


def wanted_member(name: str, size: int) -> bool:
    """The members kept from a compressed archive: metadata, top-level JSON, small blobs."""
    if size > MAX_KEPT_MEMBER:
        return False
    return name in _TOP_LEVEL or ("/" not in name and name.endswith(".json")) or bool(
        _BLOB.fullmatch(name))


class TarIndex:
    """The members of one archive, by normalised name; every entry is kept to detect duplicates."""

    def __init__(self, path: str | PathLike[str], fileobj: IO[bytes] | None, label: str) -> None:
        self.path = path
        self.label = label
        self.members: dict[str, list[Member]] = {}
        self._file = fileobj

    def close(self) -> None:
        """Release the open file of an uncompressed archive."""
        if self._file is not None:
            self._file.close()
            self._file = None

    def names(self) -> list[str]:
        """Every matchable member name, in archive order."""
        return list(self.members)

    def has(self, name: str) -> bool:
        """Whether a member of that (normalised) name exists."""
        return normalize(name) in self.members

    def read(self, name: str, cap: int) -> bytes:
        """The content of regular member ``name`` (one link hop allowed), at most ``cap`` bytes."""
        member = self._resolve(self._one(normalize(name) or name, name))
        if member.size > cap:
            raise ContentTooLarge(f"member {name} is larger than {_mib(cap)} "
                                  f"({member.size} bytes)")
        if member.data is not None:
            return member.data
        if self._file is None:
            raise ArchiveError(f"member {name} was not kept from the compressed "
                               "archive; decompress it first")
        self._file.seek(member.offset)
        data = self._file.read(member.size)
        if len(data) != member.size:
            raise ArchiveError(f"archive is truncated inside member {name}")
        return data

    def _one(self, key: str, shown: str) -> Member:
        found = self.members.get(key)
        if not found:
            raise ArchiveError(f"archive has no member {shown}")
        if len(found) > 1:
            raise ArchiveError(f"ambiguous archive: member {shown} appears "
                               f"{len(found)} times")
        return found[0]

    def _resolve(self, member: Member) -> Member:
        if member.kind == "file":
            return member
        if member.kind not in ("symlink", "hardlink"):
            raise ArchiveError(f"member {member.name} is not a regular file")
        link = member.link
        if member.kind == "symlink":
            if link.startswith("/"):
                raise ArchiveError(f"member {member.name} links outside the archive")
            link = posixpath.join(posixpath.dirname(member.name), link)
        target = normalize(link)
        if not target:
            raise ArchiveError(f"member {member.name} links outside the archive")
        resolved = self._one(target, target)
        if resolved.kind != "file":
            raise ArchiveError(f"member {member.name} is a link to a link; "
                               "only one hop is followed")
        return resolved


def open_tar(path: str | PathLike[str], label: str,
             keep: Callable[[str, int], bool] = wanted_member) -> TarIndex:
    """Index the archive at ``path`` (compressed or not) in one pass."""
    try:
        raw = open(path, "rb")  # noqa: SIM115  (closed by the index, or below)
    except OSError as exc:
        raise ArchiveError(f"cannot open: {exc.strerror}") from None
    head = raw.read(6)
    raw.seek(0)
    kind = compression(head)
    if kind == "zstd":
        raw.close()
        raise UnsupportedImage("zstd-compressed archives are not supported; "
                               "decompress it first")
    if kind is None:
        index = TarIndex(path, raw, label)
        _scan(raw, index, seekable=True, keep=keep)
        return index
    stream = _decompressor(kind, raw)
    index = TarIndex(path, None, label)
    try:
        _scan(stream, index, seekable=False, keep=keep)
    except (OSError, EOFError) as exc:
        raise ArchiveError(f"corrupt {kind} stream ({exc})") from None
    finally:
        stream.close()
        raw.close()
    return index


def _decompressor(kind: str, raw: IO[bytes]) -> IO[bytes]:
    from typing import IO, cast  # here: compressed input only, typing costs start-up

    if kind == "gzip":
        import gzip

        return cast(IO[bytes], gzip.GzipFile(fileobj=raw))
    if kind == "bzip2":
        import bz2

        return cast(IO[bytes], bz2.BZ2File(raw))
    import lzma

    return cast(IO[bytes], lzma.LZMAFile(raw))


def _scan(f: IO[bytes], index: TarIndex, *, seekable: bool, keep: Callable[[str, int], bool]
          ) -> None:
    pos, kept, long_name, long_link = 0, 0, None, None
    extended: dict[str, str] = {}
    label = index.label
    while True:
        block = f.read(_BLOCK)
        if not block or block == b"\0" * _BLOCK:
            if not index.members:
                raise ArchiveError("not a tar archive (no members)")
            return
        if len(block) < _BLOCK:
            raise ArchiveError(f"archive is truncated (header at offset {pos})")
        if not checksum_ok(block):
            raise ArchiveError(f"bad tar header at offset {pos}")
        size = number(block[124:136], label, pos)
        flag = chr(block[156]) if block[156] else "0"
        pos += _BLOCK
        padded = (size + _BLOCK - 1) // _BLOCK * _BLOCK
        if flag in "LKxg":
            if size > 1 << 20:
                raise ArchiveError(f"oversized extended header at offset {pos}")
            data = _exact(f, padded, label)[:size]
            pos += padded
            if flag == "L":
                long_name = cstr(data)
            elif flag == "K":
                long_link = cstr(data)
            elif flag == "x":
                extended = pax(data)
            continue
        name = long_name or extended.get("path") or header_name(block)
        link = long_link or extended.get("linkpath") or cstr(block[157:257])
        if "size" in extended:
            pax_size = uint(extended["size"], 2**63 - 1)
            if pax_size is None:
                raise ArchiveError(f"bad pax size {extended['size'][:40]!r} at offset {pos}")
            size = pax_size
            padded = (size + _BLOCK - 1) // _BLOCK * _BLOCK
        long_name = long_link = None
        extended = {}
        kind = {"0": "file", "7": "file", "1": "hardlink", "2": "symlink"}.get(flag, "other")
        if kind != "file":
            size_data = size if flag not in "125" else 0
            padded = (size_data + _BLOCK - 1) // _BLOCK * _BLOCK
        key = normalize(name)
        member = Member(key or name, kind, size, pos, link)
        if kind == "file" and not seekable and key and keep(key, size):
            kept += size
            if kept > MAX_KEPT_TOTAL:
                raise ArchiveError("archive has too many small members to read in one "
                                   "pass; decompress it first")
            member.data = _exact(f, padded, label)[:size]
        elif seekable:
            f.seek(padded, 1)
        else:
            _skip(f, padded, label)
        pos += padded
        if key:
            index.members.setdefault(key, []).append(member)


def _exact(f: IO[bytes], n: int, label: str) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise ArchiveError("archive is truncated")
    return data


def _skip(f: IO[bytes], n: int, label: str) -> None:
    while n > 0:
        chunk = f.read(min(n, 1 << 20))
        if not chunk:
            raise ArchiveError("archive is truncated")
        n -= len(chunk)


def _mib(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n} bytes"
