"""The control file of a ``.deb``, read as dpkg reads it: the ``ar`` archive, then ``control.tar``
(uncompressed, gzip, xz or zstd), then its ``control`` member; nothing is extracted or run.

Sizes are capped so that a hostile archive cannot exhaust memory: the compressed member, the
uncompressed ``control.tar``, its member count and the ``control`` file itself.
"""

from __future__ import annotations

import io
import os
from typing import IO, Any, BinaryIO, Protocol

from nvreq.errors import DebError
from nvreq.formats.digits import uint

__all__ = ["MAX_CONTROL_BYTES", "MAX_CONTROL_TAR_BYTES", "read_control"]

MAX_CONTROL_TAR_BYTES = 64 << 20
MAX_CONTROL_BYTES = 1 << 20
_MAX_MEMBERS = 10_000
_MAX_AR_MEMBERS = 16
_AR_MAGIC = b"!<arch>\n"
_HEADER = 60


def read_control(path: str) -> str:
    """The text of the ``control`` file inside the ``.deb`` at ``path``; ``DebError`` naming the
    file when it is not a readable Debian binary package.

    >>> read_control("/nonexistent.deb")
    Traceback (most recent call last):
    ...
    nvreq.errors.DebError: /nonexistent.deb: cannot read: No such file or directory
    """
    try:
        with open(path, "rb") as handle:
            name, member = _control_member(handle, path)
            data = _control_from_tar(_decompressed(name, member, path), path)
    except DebError:
        raise
    except OSError as exc:
        raise DebError(f"cannot read: {exc.strerror or exc}", file=path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DebError(f"the control file is not UTF-8 (byte {exc.start})", file=path) from None


def _ar_members(handle: BinaryIO, path: str) -> list[tuple[str, int, int]]:
    """``(name, offset, size)`` of each member of the ``ar`` archive, without reading data."""
    if handle.read(len(_AR_MAGIC)) != _AR_MAGIC:
        raise DebError("not a Debian package (no ar archive header)", file=path)
    end = os.fstat(handle.fileno()).st_size
    members: list[tuple[str, int, int]] = []
    while len(members) < _MAX_AR_MEMBERS:
        header = handle.read(_HEADER)
        if not header:
            return members
        if len(header) < _HEADER or header[58:60] != b"`\n":
            raise DebError("truncated or corrupt ar archive (bad member header)", file=path)
        name = header[:16].decode("ascii", "replace").rstrip().rstrip("/")
        size = uint(header[48:58].decode("ascii", "replace").strip(), 10**10)
        if size is None:
            raise DebError(f"corrupt ar member size for {name!r}", file=path)
        offset = handle.tell()
        if offset + size > end:
            raise DebError(f"truncated archive: {name} is cut short ({end - offset} of {size} "
                           "bytes)", file=path)
        members.append((name, offset, size))
        handle.seek(offset + size + (size & 1))
    raise DebError(f"more than {_MAX_AR_MEMBERS} members in the ar archive", file=path)


def _control_member(handle: BinaryIO, path: str) -> tuple[str, bytes]:
    members = _ar_members(handle, path)
    if not members or members[0][0] != "debian-binary":
        raise DebError("not a Debian binary package (first member is not debian-binary)",
                       file=path)
    handle.seek(members[0][1])
    if not handle.read(min(members[0][2], 16)).startswith(b"2."):
        raise DebError("unsupported package format (debian-binary is not 2.x)", file=path)
    if not any(name.startswith("data.tar") for name, _, _ in members):
        raise DebError("no data.tar member: not a complete Debian binary package", file=path)
    for name, offset, size in members[1:]:
        if name.startswith("_"):
            continue
        if not name.startswith("control.tar"):
            break
        if size > MAX_CONTROL_TAR_BYTES:
            raise DebError(f"{name} is {size} bytes, more than the "
                           f"{MAX_CONTROL_TAR_BYTES >> 20} MiB a control archive may hold",
                           file=path)
        handle.seek(offset)
        data = handle.read(size)
        if len(data) < size:
            raise DebError(f"truncated archive: {name} is cut short", file=path)
        return name, data
    raise DebError("no control.tar member: not a Debian binary package", file=path)


class _Reader(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


def _decompressor(name: str, raw: IO[bytes], path: str) -> _Reader:
    if name == "control.tar":
        return raw
    if name == "control.tar.gz":
        import gzip

        return gzip.GzipFile(fileobj=raw)
    if name == "control.tar.xz":
        import lzma

        return lzma.LZMAFile(raw)
    if name == "control.tar.zst":
        zstd: Any = _zstd()
        return zstd.ZstdFile(raw)  # type: ignore[no-any-return]
    raise DebError(f"unsupported control member {name!r}", file=path)


def _zstd() -> object:
    try:
        from compression import zstd  # type: ignore[import-not-found]  # Python 3.14+
    except ImportError:
        try:
            from backports import zstd  # type: ignore[import-not-found,import-untyped,no-redef,unused-ignore]
        except ImportError:
            raise DebError("control.tar.zst needs zstd support: pip install 'nvreq[bundle]' "
                           "(the backports.zstd package)", file="") from None
    return zstd


class _Capped(io.RawIOBase):
    """A reader that fails past ``limit`` bytes instead of returning them."""

    def __init__(self, inner: _Reader, limit: int, path: str) -> None:
        self._inner, self._left, self._path = inner, limit, path

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        data = self._inner.read(min(len(buffer), self._left + 1))
        if len(data) > self._left:
            raise DebError(f"control.tar is larger than {MAX_CONTROL_TAR_BYTES >> 20} MiB "
                           "uncompressed", file=self._path)
        self._left -= len(data)
        buffer[:len(data)] = data
        return len(data)


def _decompressed(name: str, data: bytes, path: str) -> IO[bytes]:
    try:
        stream = _decompressor(name, io.BytesIO(data), path)
    except DebError as exc:
        raise DebError(exc.message, file=path) from None
    return io.BufferedReader(_Capped(stream, MAX_CONTROL_TAR_BYTES, path))


def _decoder_errors() -> tuple[type[Exception], ...]:
    """What the gzip, xz and zstd decoders raise on corrupt data (zstd only where loaded)."""
    import lzma
    import sys
    import zlib

    errors: list[type[Exception]] = [zlib.error, lzma.LZMAError]
    for module in ("compression.zstd", "backports.zstd"):
        if module in sys.modules:
            errors.append(sys.modules[module].ZstdError)
    return tuple(errors)


def _control_from_tar(stream: IO[bytes], path: str) -> bytes:
    import tarfile

    try:
        with tarfile.open(fileobj=stream, mode="r|") as tar:
            for count, member in enumerate(tar):
                if count >= _MAX_MEMBERS:
                    raise DebError(f"control.tar holds more than {_MAX_MEMBERS} members",
                                   file=path)
                name = member.name
                parts = name.split("/")
                if name.startswith("/") or ".." in parts:
                    raise DebError(f"control.tar member {name!r} points outside the package",
                                   file=path)
                if name.removeprefix("./") != "control":
                    continue
                if not member.isfile():
                    raise DebError("the control member is not a regular file", file=path)
                if member.size > MAX_CONTROL_BYTES:
                    raise DebError(f"the control file is larger than "
                                   f"{MAX_CONTROL_BYTES >> 20} MiB", file=path)
                extracted = tar.extractfile(member)
                return extracted.read() if extracted is not None else b""
    except DebError:
        raise
    except (tarfile.TarError, EOFError, OSError, ValueError, *_decoder_errors()) as exc:  # type: ignore[misc]
        raise DebError(f"corrupt control archive: {exc}", file=path) from None
    raise DebError("control.tar has no control file", file=path)
