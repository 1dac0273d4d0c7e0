"""The HTTPS server: ``/mutate``, ``/validate``, ``/healthz``, ``/readyz`` and ``/metrics``.

A ``ThreadingHTTPServer`` whose accepted sockets are wrapped with the current TLS context (TLS
1.2 or later); the certificate and key are loaded again when their files change, so a rotated
certificate is served without a restart. Every admission answer is a well-formed AdmissionReview:
an unexpected error becomes the failure policy's answer, never a 500 with a traceback.
"""

from __future__ import annotations

import json
import os
import socket
import ssl
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from nvreq.errors import InputError
from nvreq.formats.digits import is_digits, uint
from nvreq.webhook.admission import Admission, Decision, Endpoint
from nvreq.webhook.metrics import Metrics
from nvreq.webhook.review import sniff_uid

__all__ = ["DEFAULT_MAX_BODY", "TlsFiles", "WebhookServer"]

#: the largest AdmissionReview read (the API server's own object limit is about 3 MiB)
DEFAULT_MAX_BODY = 8 << 20
_IO_TIMEOUT = 15.0
_RECHECK = 1.0
_PATHS = frozenset({"/mutate", "/validate", "/healthz", "/readyz", "/metrics"})


def _quiet(_message: str) -> None:
    """Drop a message (the command line passes a function that prints)."""


class TlsFiles:
    """A server TLS context from certificate and key files, rebuilt when either file changes."""

    def __init__(self, cert: str, key: str, *, log: Callable[[str], None] = _quiet) -> None:
        self.cert, self.key = cert, key
        self.log = log
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._context = self._load()

    def _load(self) -> ssl.SSLContext:
        try:
            stamp = (os.stat(self.cert).st_mtime_ns, os.stat(self.key).st_mtime_ns)
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.minimum_version = ssl.TLSVersion.TLSv1_2
            context.load_cert_chain(self.cert, self.key)
        except (OSError, ssl.SSLError) as exc:
            raise InputError(f"cannot load the TLS certificate {self.cert} and key {self.key}: "
                             f"{exc}") from None
        self._stamp = stamp
        return context

    def context(self) -> ssl.SSLContext:
        """The current context; a change that does not load keeps the previous one."""
        now = time.monotonic()
        if now - self._checked < _RECHECK:
            return self._context
        with self._lock:
            self._checked = now
            try:
                stamp = (os.stat(self.cert).st_mtime_ns, os.stat(self.key).st_mtime_ns)
            except OSError:
                return self._context
            if stamp != self._stamp:
                try:
                    self._context = self._load()
                except InputError as exc:  # half-written files: try again on a later check
                    self.log(f"{exc}; serving the previous certificate")
        return self._context


class WebhookServer(ThreadingHTTPServer):
    """HTTPS on ``address`` answering admission reviews with ``admission``."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], admission: Admission, tls: TlsFiles, *,
                 ready: Callable[[], bool] = lambda: True, metrics: Metrics | None = None,
                 max_body: int = DEFAULT_MAX_BODY, log: Callable[[str], None] = _quiet) -> None:
        self.admission = admission
        self.log = log
        self.tls = tls
        self.ready = ready
        self.metrics = metrics or Metrics(lambda: (admission.images.hits,
                                                   admission.images.misses))
        self.max_body = max_body
        super().__init__(address, _Handler)

    def get_request(self) -> tuple[Any, Any]:
        sock, addr = self.socket.accept()
        sock.settimeout(_IO_TIMEOUT)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        # the handshake runs in the request's thread (setup), so a slow client blocks no one
        return self.tls.context().wrap_socket(sock, server_side=True,
                                              do_handshake_on_connect=False), addr

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, (OSError, ssl.SSLError)):
            self.log(f"{client_address[0]}: {type(exc).__name__}: {exc}")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: WebhookServer

    def setup(self) -> None:
        self.request.do_handshake()
        super().setup()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the metrics count requests."""

    def _send(self, code: int, body: bytes, content_type: str) -> None:
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)
        path = self.path.split("?", 1)[0]
        self.server.metrics.request(path if path in _PATHS else "other", code)

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            self._send(200, b"ok\n", "text/plain")
        elif path == "/readyz":
            ok = self.server.ready()
            self._send(200 if ok else 503, b"ok\n" if ok else b"nodes not loaded\n", "text/plain")
        elif path == "/metrics":
            self._send(200, self.server.metrics.text().encode(),
                       "text/plain; version=0.0.4; charset=utf-8")
        else:
            self._send(404, b"not found\n", "text/plain")

    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        if path not in ("/mutate", "/validate"):
            self.close_connection = True
            self._send(404, b"not found\n", "text/plain")
            return
        endpoint: Endpoint = "mutate" if path == "/mutate" else "validate"
        start = time.perf_counter()
        announced = (self.headers.get("Content-Length") or "").strip()
        length = uint(announced, 2**63 - 1) if is_digits(announced) else -1
        if length is None:  # more digits than any int64: far over the limit
            length = 2**63
        if length < 0 or length > self.server.max_body:
            head = self.rfile.read(min(length, 1 << 16)) if length > 0 else b""
            self._drain(length - len(head))
            why = ("the request has no Content-Length" if length < 0 else
                   f"the request body is {length} bytes, over the limit of "
                   f"{self.server.max_body}")
            decision = self.server.admission.failure(why)
            answer = self.server.admission.answer(sniff_uid(head), decision)
        else:
            body = self.rfile.read(length)
            try:
                answer, decision = self.server.admission.review(body, endpoint)
            except Exception as exc:  # a bug must not become a 500: answer by policy
                self.server.log(f"{endpoint}: {type(exc).__name__}: {exc}")
                decision = self.server.admission.failure("internal error while reviewing")
                answer = self.server.admission.answer(sniff_uid(body), decision)
        self._reply(endpoint, answer, decision, start)

    def _drain(self, left: int) -> None:
        """Read and drop the rest of an oversized body, so the client reads the answer; past
        a bound, close the connection instead."""
        if left < 0 or left > 8 * self.server.max_body:
            self.close_connection = True
            return
        while left > 0:
            chunk = self.rfile.read(min(left, 1 << 16))
            if not chunk:
                break
            left -= len(chunk)

    def _reply(self, endpoint: str, answer: dict[str, Any], decision: Decision,
               start: float) -> None:
        self._send(200, json.dumps(answer, separators=(",", ":")).encode(), "application/json")
        self.server.metrics.observe(endpoint, decision.outcome, time.perf_counter() - start)
