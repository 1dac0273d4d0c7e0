"""A small HTTP/1.1 client connection on a socket: requests, capped headers and bodies.

nvreq's registry client needs only GET/POST, Content-Length and chunked bodies, keep-alive and
CONNECT tunnels; ``http.client`` would also import the ``email`` package (about 15 ms), which
``nvreq env`` cannot afford at start-up.
"""

from __future__ import annotations

import io
import socket
import time

from nvreq.formats.digits import is_digits, uint

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl
    from typing import Any, BinaryIO

__all__ = ["MAX_HEADERS", "BodyTooLarge", "Connection", "Deadline", "PeerClosed", "ProtocolError",
           "connect", "open_socket"]

MAX_HEADERS = 64 << 10
_NO_BODY = frozenset({204, 304})


class ProtocolError(OSError):
    """The peer did not speak HTTP/1.x as expected."""


class PeerClosed(ConnectionResetError):
    """The peer closed the connection before sending any response byte (retryable once)."""


class Deadline:
    """A point in time every socket operation of a read must finish by, and the longest a single
    operation may wait: a peer that drips one byte a second cannot stretch the read past it."""

    __slots__ = ("at", "idle")

    def __init__(self, at: float = float("inf"), idle: float | None = None) -> None:
        self.at, self.idle = at, idle

    def arm(self, sock: socket.socket) -> None:
        """Set ``sock``'s timeout to what is left; ``TimeoutError`` when nothing is."""
        left = self.at - time.monotonic()
        if left <= 0:
            raise TimeoutError("deadline passed")
        if self.idle is not None or left != float("inf"):
            sock.settimeout(min(left, self.idle) if self.idle is not None else left)


class _TimedIO(io.RawIOBase):
    """The socket's reads, each armed with the connection's deadline first."""

    def __init__(self, sock: socket.socket, deadline: Deadline) -> None:
        super().__init__()
        self.sock, self.deadline = sock, deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        self.deadline.arm(self.sock)
        return self.sock.recv_into(buffer)


def _reader(sock: socket.socket, deadline: Deadline) -> io.BufferedReader:
    return io.BufferedReader(_TimedIO(sock, deadline))


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
            proxy: tuple[str, int, dict[str, str]] | None = None,
            deadline: Deadline | None = None) -> Connection:
    """Open a connection (through a CONNECT tunnel when ``proxy`` is given with ``tls``); the
    tunnel and the TLS handshake finish within ``timeout`` seconds in all."""
    peer_host, peer_port = (proxy[0], proxy[1]) if proxy else (host, port)
    sock = open_socket(peer_host, peer_port, timeout)
    setup = Deadline(time.monotonic() + timeout)
    try:
        if proxy and tls is not None:
            _tunnel(sock, host, port, proxy[2], setup)
        if tls is not None:
            sock = _handshake(tls.wrap_socket(sock, server_hostname=host,
                                              do_handshake_on_connect=False), setup)
    except BaseException:
        sock.close()
        raise
    authority = f"[{host}]" if ":" in host else host
    default = 443 if tls is not None else 80
    return Connection(sock, authority if port == default else f"{authority}:{port}",
                      absolute=bool(proxy and tls is None),
                      extra=proxy[2] if proxy and tls is None else {}, deadline=deadline)


def _handshake(sock: ssl.SSLSocket, deadline: Deadline) -> ssl.SSLSocket:
    """The TLS handshake, non-blocking, so that a dripping peer cannot stretch it."""
    import select
    import ssl

    timeout = sock.gettimeout()
    sock.setblocking(False)
    while True:
        try:
            sock.do_handshake()
            sock.settimeout(timeout)
            return sock
        except ssl.SSLWantReadError:
            wanted: tuple[list[ssl.SSLSocket], list[ssl.SSLSocket]] = ([sock], [])
        except ssl.SSLWantWriteError:
            wanted = ([], [sock])
        left = deadline.at - time.monotonic()
        if left <= 0 or not any(select.select(*wanted, [], left)):
            raise TimeoutError("TLS handshake timed out")


def _tunnel(sock: socket.socket, host: str, port: int, headers: dict[str, str],
            deadline: Deadline) -> None:
    authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    lines = [f"CONNECT {authority} HTTP/1.1", f"Host: {authority}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    deadline.arm(sock)
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
    reader = _reader(sock, deadline)
    status, _ = _read_head(reader)
    if status != 200:
        raise ProtocolError(f"proxy refused the tunnel ({status})")


class Connection:
    """One keep-alive connection; ``closed`` once the peer or a protocol rule ends it."""

    def __init__(self, sock: socket.socket, authority: str, *, absolute: bool = False,
                 extra: dict[str, str] | None = None, deadline: Deadline | None = None) -> None:
        self.sock = sock
        self.authority = authority
        self.absolute = absolute
        self.extra = extra or {}
        self.deadline = deadline or Deadline()
        self.reader = _reader(sock, self.deadline)
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
            self.deadline.arm(self.sock)
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
            if not is_digits(length.strip()):
                raise ProtocolError(f"bad Content-Length {length[:20]!r}")
            size = uint(length.strip(), limit)
            if size is None:
                raise BodyTooLarge(uint(length.strip(), 2**63 - 1))
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
            digits = line.split(b";", 1)[0].strip().decode("latin-1")
            if not is_digits(digits, 16):
                raise ProtocolError("bad chunk size")
            size = uint(digits, limit - total, 16)
            if size is None:
                raise BodyTooLarge(None)
            if size == 0:
                trailers = 0
                while (line := self.reader.readline(8194)) not in (b"\r\n", b"\n", b""):
                    trailers += len(line)
                    if trailers > MAX_HEADERS:
                        raise ProtocolError("chunked trailers larger than 64 KiB")
                return b"".join(parts)
            total += size
            if total > limit:
                raise BodyTooLarge(None)
            chunk = self.reader.read(size)
            if len(chunk) != size or self.reader.read(2) not in (b"\r\n",):
                raise ProtocolError("connection closed inside a chunk")
            parts.append(chunk)


def _read_head(reader: BinaryIO) -> tuple[int, list[tuple[str, str]]]:
    """The status and headers of the final response (1xx interim responses skipped); all the
    heads together are capped at ``MAX_HEADERS`` bytes."""
    readline = reader.readline
    total = 0
    while True:
        line = readline(8194)
        if not line:
            raise PeerClosed("closed before responding")
        parts = line.decode("latin-1").split(None, 2)
        if (len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not is_digits(parts[1])
                or len(parts[1]) != 3):
            raise ProtocolError(f"not an HTTP/1.x response: {line[:40]!r}")
        status, pairs = int(parts[1]), []
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
        if not 100 <= status < 200:
            return status, pairs
