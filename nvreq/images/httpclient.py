"""Registry HTTP: schemes, TLS, proxies, caps, timeouts and redirects.

Redirects are followed here, never by a library, so that ``Authorization`` only ever goes to the
origin that issued it; ``urllib.request`` and ``http.client`` are never imported (the wire
protocol is in :mod:`nvreq.images.wire`).
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Collection

from nvreq.images.errors import ContentTooLarge, TransportError
from nvreq.images.netpolicy import is_loopback, no_proxy_matches, tls_context
from nvreq.images.probe import speaks_tls
from nvreq.images.urls import split_url
from nvreq.images.wire import BodyTooLarge, Connection, Deadline, PeerClosed, connect

__all__ = ["CONNECT_TIMEOUT", "READ_TIMEOUT", "Credential", "Http", "Origin", "Response",
           "origin_of"]

CONNECT_TIMEOUT = 10.0
READ_TIMEOUT = 30.0
MAX_REDIRECTS = 10
MAX_ERROR_BODY = 1 << 20
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_USER_AGENT = "nvreq/0.1.0"

Origin = tuple[str, str, int]


def origin_of(url: str) -> Origin:
    """``(scheme, host, port)`` of ``url``, with the default port filled in."""
    parts = split_url(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme, parts.hostname or "", port


class Credential:
    """An ``Authorization`` header value bound to the one origin it may be sent to."""

    __slots__ = ("kind", "origin", "value")

    def __init__(self, origin: Origin, kind: str, value: str) -> None:
        self.origin, self.kind, self.value = origin, kind, value

    def __repr__(self) -> str:
        return f"<Credential {self.kind} for {self.origin[0]}://{self.origin[1]}:{self.origin[2]}>"


class Response:
    """A complete, capped response; ``url`` is the final URL after redirects."""

    __slots__ = ("body", "headers", "status", "url")

    def __init__(self, status: int, headers: tuple[tuple[str, str], ...], body: bytes,
                 url: str) -> None:
        self.status, self.headers, self.body, self.url = status, headers, body, url

    def __repr__(self) -> str:
        return f"<Response {self.status} {_strip(self.url)}>"

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive)."""
        return next((v for k, v in self.headers if k.lower() == name.lower()), None)

    def header_all(self, name: str) -> list[str]:
        """Every value of header ``name``."""
        return [v for k, v in self.headers if k.lower() == name.lower()]


class Http:
    """One keep-alive connection per origin, a whole-operation deadline, and a debug log."""

    def __init__(self, *, timeout: float = 120.0, insecure: Collection[str] = (),
                 log: Callable[[str], None] | None = None) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + timeout
        self.timeout = timeout
        self._every_op = Deadline(self.deadline, READ_TIMEOUT)
        self.insecure = frozenset(insecure)
        self.log = log
        self.warnings: list[str] = []
        self._conns: dict[tuple[str, str, int, bool], Connection] = {}
        self._schemes: dict[str, tuple[str, bool]] = {}

    def close(self) -> None:
        """Close every pooled connection."""
        for conn in self._conns.values():
            conn.close()
        self._conns.clear()

    def base_url(self, hostport: str) -> tuple[str, bool]:
        """``scheme://hostport`` for a registry, and whether TLS is verified."""
        if hostport not in self._schemes:
            self._schemes[hostport] = self._choose_scheme(hostport)
        scheme, verify = self._schemes[hostport]
        return f"{scheme}://{hostport}", verify

    def _choose_scheme(self, hostport: str) -> tuple[str, bool]:
        host = split_url(f"http://{hostport}").hostname or hostport
        insecure = hostport in self.insecure or host in self.insecure
        if not insecure and not is_loopback(host):
            return "https", True
        if insecure:
            self.warnings.append(f"{hostport} is an insecure registry: TLS is not verified")
        _, h, port = origin_of(f"https://{hostport}")
        try:
            tls = speaks_tls(h, port, self._remaining(CONNECT_TIMEOUT))
        except TimeoutError:
            raise TransportError(f"timed out probing {hostport} for TLS") from None
        except OSError as exc:
            raise TransportError(f"cannot connect to {hostport}: {_reason(exc)}") from None
        return ("https", not insecure) if tls else ("http", False)

    def request(self, method: str, url: str, *, cap: int, auth: Credential | None = None,
                headers: dict[str, str] | None = None, body: bytes | None = None,
                check: Callable[[str], None] | None = None) -> Response:
        """Send, following redirects by hand; bodies over ``cap`` are refused before buffering."""
        for _ in range(MAX_REDIRECTS + 1):
            origin = origin_of(url)
            sent = dict(headers or {})
            if auth is not None and auth.origin == origin:
                sent["Authorization"] = auth.value
            kind = auth.kind if "Authorization" in sent and auth is not None else "none"
            verify = not self._insecure(origin)
            resp = self._send(method, url, sent, body, cap, verify, kind)
            if resp.status not in _REDIRECTS:
                return resp
            location = resp.header("location")
            if not location:
                return resp
            from urllib.parse import urljoin, urlsplit  # redirects only

            target = urljoin(url, location)
            if origin[0] == "https" and urlsplit(target).scheme != "https":
                raise TransportError(f"refused redirect from https to {urlsplit(target).scheme} "
                                     f"({_show(target)})")
            if urlsplit(target).scheme not in ("http", "https"):
                raise TransportError(f"refused redirect to {_show(target)}")
            if check is not None:
                check(target)
            if resp.status == 303:
                method, body = "GET", None
            url = target
        raise TransportError(f"more than {MAX_REDIRECTS} redirects from {_show(url)}")

    def _insecure(self, origin: Origin) -> bool:
        return origin[1] in self.insecure or f"{origin[1]}:{origin[2]}" in self.insecure

    def _send(self, method: str, url: str, headers: dict[str, str], body: bytes | None,
              cap: int, verify: bool, kind: str) -> Response:
        scheme, host, port = origin_of(url)
        parts = split_url(url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = {"User-Agent": _USER_AGENT, "Accept-Encoding": "identity", **headers}
        key = (scheme, host, port, verify)
        where = f"{host}:{port}"
        for attempt in (0, 1):
            conn = self._conns.get(key)
            reused = conn is not None and conn.used
            if conn is None:
                conn = self._connect(scheme, host, port, verify)
                self._conns[key] = conn
            target = url.split("#", 1)[0] if conn.absolute else path
            try:
                self._remaining(READ_TIMEOUT)
                status, pairs = conn.send(method, target, headers, body)
            except (PeerClosed, BrokenPipeError, ConnectionResetError) as exc:
                self._drop(key)
                if reused and attempt == 0:
                    continue
                raise TransportError(f"connection to {where} lost: {_reason(exc)}") from None
            except TimeoutError:
                self._drop(key)
                raise self._late(f"waiting for {where} ({method} {_strip(url)})") from None
            except OSError as exc:
                self._drop(key)
                raise TransportError(f"bad response from {where}: {_reason(exc)}") from None
            return self._finish(conn, status, pairs, key, url, method, cap, kind)
        raise AssertionError("unreachable")  # pragma: no cover

    def _finish(self, conn: Connection, status: int, pairs: list[tuple[str, str]],
                key: tuple[str, str, int, bool], url: str, method: str, cap: int,
                kind: str) -> Response:
        where = f"{key[1]}:{key[2]}"
        if self.log:
            self.log(f"{method} {_strip(url)} -> {status} (authorization: {kind})")
        encoding = next((v for k, v in pairs if k.lower() == "content-encoding"), "identity")
        if encoding.strip().lower() not in ("identity", ""):
            self._drop(key)
            raise TransportError(f"{where} sent Content-Encoding {encoding.strip().lower()!r} "
                                 "(asked for identity)")
        limit = cap if 200 <= status < 300 else MAX_ERROR_BODY
        try:
            data = conn.body(limit)
        except BodyTooLarge as exc:
            self._drop(key)
            announced = f" (Content-Length {exc.length})" if exc.length is not None else ""
            raise ContentTooLarge(f"{_what(url)} larger than {_size(limit)} from {where}"
                                  f"{announced}") from None
        except TimeoutError:
            self._drop(key)
            raise self._late(f"reading from {where} ({_strip(url)})") from None
        except OSError as exc:
            self._drop(key)
            raise TransportError(f"reading from {where} failed: {_reason(exc)}") from None
        if conn.closed:
            self._drop(key)
        return Response(status, tuple(pairs), data, url)

    def _connect(self, scheme: str, host: str, port: int, verify: bool) -> Connection:
        timeout = self._remaining(CONNECT_TIMEOUT)
        proxy = None if is_loopback(host) or no_proxy_matches(host, port) else _proxy(scheme)
        ctx = None
        if scheme == "https":
            ctx = tls_context(f"{host}:{port}" if port != 443 else host, verify=verify)
        try:
            return connect(host, port, timeout, tls=ctx, proxy=proxy, deadline=self._every_op)
        except TimeoutError:
            raise self._late(f"connecting to {host}:{port}") from None
        except OSError as exc:
            verify_message = getattr(exc, "verify_message", None)
            if verify_message is not None:
                raise TransportError(f"TLS certificate verification failed for {host}:{port}: "
                                     f"{verify_message}; for a registry you trust without a "
                                     f"valid certificate use --insecure-registry {host}:{port}"
                                     ) from None
            raise TransportError(f"cannot connect to {host}:{port}: {_reason(exc)}") from None

    def _remaining(self, cap: float) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise TransportError(f"timed out: the image read took longer than {self.timeout:g} s "
                                 "(--timeout)")
        return min(cap, left)

    def _late(self, doing: str) -> TransportError:
        """The error for a socket operation that ran out of time: elapsed time and endpoint."""
        elapsed = time.monotonic() - self.started
        limit = (f"the whole read is limited to {self.timeout:g} s (--timeout)"
                 if elapsed >= self.timeout - 0.05 else
                 f"no byte came for {READ_TIMEOUT:g} s")
        return TransportError(f"timed out after {elapsed:.1f} s {doing}: {limit}")

    def _drop(self, key: tuple[str, str, int, bool]) -> None:
        conn = self._conns.pop(key, None)
        if conn is not None:
            conn.close()


def _proxy(scheme: str) -> tuple[str, int, dict[str, str]] | None:
    names = ("HTTPS_PROXY", "https_proxy") if scheme == "https" else ("HTTP_PROXY", "http_proxy")
    value = next((os.environ[n] for n in names if os.environ.get(n)), None)
    if not value:
        return None
    from urllib.parse import unquote, urlsplit

    parts = urlsplit(value if "://" in value else f"http://{value}")
    headers = {}
    if parts.username is not None:
        import base64

        pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}".encode()
        headers["Proxy-Authorization"] = "Basic " + base64.b64encode(pair).decode()
    return parts.hostname or "", parts.port or 80, headers


def _strip(url: str) -> str:
    """A URL without its query string or user info: pre-signed URLs carry credentials."""
    parts = split_url(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return f"{parts.scheme}://{netloc}{parts.path}"


def _show(url: str) -> str:
    return _strip(url)


def _what(url: str) -> str:
    path = split_url(url).path
    return "manifest" if "/manifests/" in path else "blob" if "/blobs/" in path else "response"


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n >= 1 << 20 else f"{n} bytes"


def _reason(exc: BaseException) -> str:
    text = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return str(text)
