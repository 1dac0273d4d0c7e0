"""A small HTTP/1.1 client connection on a socket: requests, capped headers and bodies.

nvreq's registry client needs only GET/POST, Content-Length and chunked bodies, keep-alive and
CONNECT tunnels; ``http.client`` would also import the ``email`` package (about 15 ms), which
``nvreq env`` cannot afford at start-up (images.md §6.3).
"""

from __future__ import annotations

import socket

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from typing import Any, BinaryIO

__all__ = ["MAX_HEADERS", "BodyTooLarge", "Connection", "PeerClosed", "ProtocolError", "connect",
           "open_socket"]

MAX_HEADERS = 64 << 10
_NO_BODY = frozenset({204, 304})


class ProtocolError(OSError):
    """The peer did not speak HTTP/1.x as expected."""


class PeerClosed(ConnectionResetError):
    """The peer closed the connection before sending any response byte (retryable once)."""


class BodyTooLarge(Exception):
    """The body is larger than the caller's limit; ``length`` is the announced size if known."""

    def __init__(self, length: int | None) -> None:
        super().__init__(length)
        self.length = length


def open_socket(host: str, port: int, timeout: float) -> socket.socket:
    """``socket.create_connection((host, port), timeout)``, without the ``idna`` codec if it can.

    ``getaddrinfo`` encodes a text host with the ``idna`` codec, and importing that codec (with
    ``unicodedata`` and ``stringprep``) costs start-up. For an ASCII name whose labels are 1 to
    63 characters (the last may be empty) the codec returns exactly the ASCII bytes, so those are
    passed as bytes; anything else still goes through the codec, errors included.
    """
    return socket.create_connection((_resolvable(host), port), timeout=timeout)


def _resolvable(host: str) -> Any:
    """The host argument for ``getaddrinfo`` (bytes are accepted, though typeshed says str).

    >>> _resolvable("127.0.0.1"), _resolvable("registry.example."), _resolvable("bücher.example")
    (b'127.0.0.1', b'registry.example.', 'bücher.example')
    """
    labels = host.split(".")
    if host.isascii() and all(0 < len(x) < 64 for x in labels[:-1]) and len(labels[-1]) < 64:
        return host.encode("ascii")
    return host


def connect(host: str, port: int, timeout: float, *, tls: ssl.SSLContext | None = None,
            proxy: tuple[str, int, dict[str, str]] | None = None) -> Connection:
    """Open a connection (through a CONNECT tunnel when ``proxy`` is given with ``tls``)."""
    peer_host, peer_port = (proxy[0], proxy[1]) if proxy else (host, port)
    sock = open_socket(peer_host, peer_port, timeout)
    try:
        if proxy and tls is not None:
            _tunnel(sock, host, port, proxy[2])
        if tls is not None:
            sock = tls.wrap_socket(sock, server_hostname=host)
    except BaseException:
        sock.close()
        raise
    authority = f"[{host}]" if ":" in host else host
    default = 443 if tls is not None else 80
    return Connection(sock, authority if port == default else f"{authority}:{port}",
                      absolute=bool(proxy and tls is None),
                      extra=proxy[2] if proxy and tls is None else {})


def _tunnel(sock: socket.socket, host: str, port: int, headers: dict[str, str]) -> None:
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    reader = sock.makefile("rb")
    status, _ = _read_head(reader)
    if status != 200:
        raise ProtocolError(f"proxy refused the tunnel ({status})")


class Connection:
    """One keep-alive connection; ``closed`` once the peer or a protocol rule ends it."""

    def __init__(self, sock: socket.socket, authority: str, *, absolute: bool = False,
                 extra: dict[str, str] | None = None) -> None:
        self.sock = sock
        self.authority = authority
        self.absolute = absolute
        self.extra = extra or {}
        self.reader = sock.makefile("rb")
        self.closed = False
        self.used = False
        self._method, self._status = "GET", 0
        self._pairs: list[tuple[str, str]] = []

    def close(self) -> None:
        """Close the socket."""
        self.closed = True
        self.reader.close()
        self.sock.close()

    def send(self, method: str, target: str, headers: dict[str, str], body: bytes | None
             ) -> tuple[int, list[tuple[str, str]]]:
        """Write a request and read the status and headers of its response."""
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.authority}"]
        lines += [f"{k}: {v}" for k, v in {**self.extra, **headers}.items()]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}")
        data = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (body or b"")
        reused, self.used = self.used, True
        try:
            self.sock.sendall(data)
            status, pairs = _read_head(self.reader)
        except PeerClosed:
            self.close()
            raise PeerClosed("closed before responding" + (" (reused)" if reused else "")) from None
        self._method = method
        self._status = status
        self._pairs = pairs
        return status, pairs

    def body(self, limit: int) -> bytes:
        """The body of the response just read, refusing more than ``limit`` bytes."""
        headers = {k.lower(): v for k, v in self._pairs}
        if "close" in headers.get("connection", "").lower():
            self.closed = True
        if self._method == "HEAD" or self._status in _NO_BODY or 100 <= self._status < 200:
            return b""
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return self._chunked(limit)
        length = headers.get("content-length")
        if length is not None:
            if not length.strip().isdigit():
                raise ProtocolError(f"bad Content-Length {length[:20]!r}")
            size = int(length)
            if size > limit:
                raise BodyTooLarge(size)
            data = self.reader.read(size)
            if len(data) != size:
                raise ProtocolError("connection closed inside the body")
            return data
        self.closed = True
        data = self.reader.read(limit + 1)
        if len(data) > limit:
            raise BodyTooLarge(None)
        return data

    def _chunked(self, limit: int) -> bytes:
        parts: list[bytes] = []
        total = 0
        while True:
            line = self.reader.readline(1026)
            try:
                size = int(line.split(b";", 1)[0].strip(), 16)
            except ValueError:
                raise ProtocolError("bad chunk size") from None
            if size == 0:
                while self.reader.readline(8194) not in (b"\r\n", b"\n", b""):
                    pass
                return b"".join(parts)
            total += size
            if total > limit:
                raise BodyTooLarge(None)
            chunk = self.reader.read(size)
            if len(chunk) != size or self.reader.read(2) not in (b"\r\n",):
                raise ProtocolError("connection closed inside a chunk")
            parts.append(chunk)


def _read_head(reader: BinaryIO) -> tuple[int, list[tuple[str, str]]]:
    readline = reader.readline
    line = readline(8194)
    if not line:
        raise PeerClosed("closed before responding")
    parts = line.decode("latin-1").split(None, 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not parts[1].isdigit():
        raise ProtocolError(f"not an HTTP/1.x response: {line[:40]!r}")
    status, pairs, total = int(parts[1]), [], 0
    while True:
        line = readline(8194)
        total += len(line)
        if total > MAX_HEADERS:
            raise ProtocolError("response headers larger than 64 KiB")
        if line in (b"\r\n", b"\n"):
            break
        if not line:
            raise ProtocolError("connection closed inside the headers")
        name, sep, value = line.decode("latin-1").partition(":")
        if sep:
            pairs.append((name.strip(), value.strip()))
    if 100 <= status < 200:
        return _read_head(reader)
    return status, pairs
