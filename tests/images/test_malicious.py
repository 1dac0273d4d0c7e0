"""A malicious registry on loopback: answers a real registry never gives (§3.3–§3.9, §5).

distribution refuses to store or serve oversized manifests and never sends 429, gzip or
contradictory types, so a small stdlib server plays the hostile registry here.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

import pytest

from nvreq.images import read_image
from nvreq.images.errors import (
    AccessDenied,
    AuthenticationRequired,
    ContentTooLarge,
    DigestMismatch,
    InvalidImageConfig,
    RateLimited,
    RegistryError,
    TransportError,
    UnsupportedImage,
)

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
CONFIG = b'{"architecture":"amd64","os":"linux","config":{"Env":["A=1"]}}'
CONFIG_DIGEST = "sha256:" + hashlib.sha256(CONFIG).hexdigest()
MANIFEST = json.dumps({"schemaVersion": 2, "config": {
    "mediaType": "application/vnd.oci.image.config.v1+json", "digest": CONFIG_DIGEST,
    "size": len(CONFIG)}, "layers": []}).encode()
Route = tuple[int, dict[str, str], bytes]


def _routes(port: int) -> dict[str, Route]:
    big = b'{"schemaVersion":2,"x":"' + b"x" * (5 << 20) + b'"}'
    return {
        "/v2/m/big/manifests/1": (200, {"Content-Type": OCI_MANIFEST}, big),
        "/v2/m/chunked/manifests/1": (200, {"Content-Type": OCI_MANIFEST, "chunked": "1"}, big),
        "/v2/m/gzip/manifests/1": (200, {"Content-Type": OCI_MANIFEST,
                                         "Content-Encoding": "gzip"}, MANIFEST),
        "/v2/m/limited/manifests/1": (429, {"Retry-After": "60",
                                            "ratelimit-remaining": "0;w=21600"}, b"too many"),
        "/v2/m/broken/manifests/1": (500, {}, b'{"errors":[{"code":"UNKNOWN","message":"boom"}]}'),
        "/v2/m/forbidden/manifests/1": (403, {}, b"<html>nginx</html>"),
        "/v2/m/ssrf/manifests/1": (401, {"WWW-Authenticate":
                                         'Bearer realm="http://10.1.2.3/token",service="x"'}, b""),
        "/v2/m/nochallenge/manifests/1": (401, {}, b""),
        "/v2/m/contradict/manifests/1": (200, {"Content-Type": OCI_INDEX}, MANIFEST),
        "/v2/m/mislabel/manifests/1": (200, {"Content-Type": OCI_INDEX}, MANIFEST.replace(
            b"{", b'{"mediaType": "' + OCI_MANIFEST.encode() + b'", ', 1)),
        "/v2/m/schema1/manifests/1": (200, {"Content-Type":
                                            "application/vnd.docker.distribution.manifest.v1+json"},
                                      b'{"schemaVersion":1}'),
        "/v2/m/blake/manifests/1": (200, {"Content-Type": OCI_MANIFEST,
                                          "Docker-Content-Digest": "blake3:" + "a" * 64}, MANIFEST),
        "/v2/m/truncated/manifests/1": (200, {"Content-Type": OCI_MANIFEST}, MANIFEST[:-5]),
        "/v2/m/version/manifests/1": (200, {"Content-Type": OCI_MANIFEST}, MANIFEST.replace(
            b'"schemaVersion": 2', b'"schemaVersion": 2.0')),
        "/v2/m/loop/manifests/1": (307, {"Location": f"http://127.0.0.1:{port}/v2/m/loop/"
                                                     "manifests/1"}, b""),
        "/v2/m/headers/manifests/1": (200, {f"X-Pad-{i}": "y" * 4000 for i in range(20)}, MANIFEST),
        "/v2/m/wrongblob/manifests/1": (200, {"Content-Type": OCI_MANIFEST}, MANIFEST),
        f"/v2/m/wrongblob/blobs/{CONFIG_DIGEST}": (200, {}, CONFIG.replace(b"A=1", b"A=2")),
        "/v2/m/shortblob/manifests/1": (200, {"Content-Type": OCI_MANIFEST}, MANIFEST),
        f"/v2/m/shortblob/blobs/{CONFIG_DIGEST}": (200, {}, CONFIG[:-1]),
        "/v2/m/good/manifests/1": (200, {"Content-Type": OCI_MANIFEST}, MANIFEST),
        f"/v2/m/good/blobs/{CONFIG_DIGEST}": (200, {}, CONFIG),
    }


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, Route]] = {}
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        status, headers, body = self.routes.get(self.path, (404, {}, b'{"errors":[]}'))
        self.send_response(status)
        chunked = headers.pop("chunked", None) if "chunked" in headers else None
        for name, value in headers.items():
            self.send_header(name, value)
        if chunked:
            headers["chunked"] = chunked
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for i in range(0, len(body), 1 << 16):
                piece = body[i:i + (1 << 16)]
                self.wfile.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
            self.wfile.write(b"0\r\n\r\n")
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """nvreq hangs up mid-body on oversized answers: that is the point, not an error."""


@pytest.fixture(scope="module")
def evil() -> Iterator[str]:
    server = _QuietServer(("127.0.0.1", 0), _Handler)
    port = server.server_address[1]
    _Handler.routes = _routes(port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"127.0.0.1:{port}"
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize(("repo", "error", "text"), [
    ("big", ContentTooLarge, "manifest larger than 4 MiB from 127.0.0.1:"),
    ("chunked", ContentTooLarge, "manifest larger than 4 MiB from 127.0.0.1:"),
    ("gzip", TransportError, "sent Content-Encoding 'gzip' (asked for identity)"),
    ("limited", RateLimited, "rate limited by 127.0.0.1:{port} (429); retry-after 60; "
                             "ratelimit-remaining 0;w=21600"),
    ("broken", RegistryError, "registry error boom (500 from 127.0.0.1:{port})"),
    ("forbidden", AccessDenied, "repository does not exist or may require authentication"),
    ("ssrf", AuthenticationRequired, "refusing token realm http://10.1.2.3/token: private address"),
    ("nochallenge", AuthenticationRequired, "authentication required (401 from"),
    ("contradict", InvalidImageConfig, "keys contradict its type " + OCI_INDEX),
    ("mislabel", InvalidImageConfig, f"Content-Type {OCI_INDEX} contradicts mediaType"),
    ("schema1", UnsupportedImage, "Docker schema1 manifests are not supported"),
    ("blake", UnsupportedImage, 'unsupported digest algorithm "blake3"'),
    ("truncated", InvalidImageConfig, "malformed JSON"),
    ("version", InvalidImageConfig, "schemaVersion must be the integer 2"),
    ("loop", TransportError, "more than 10 redirects"),
    ("headers", TransportError, "bad response from 127.0.0.1:{port}: response headers larger "
                                "than 64 KiB"),
    ("wrongblob", DigestMismatch, f"config {CONFIG_DIGEST}: received content has digest sha256:"),
    ("shortblob", DigestMismatch, f"config {CONFIG_DIGEST}: received content has digest"),
])
def test_malicious_answers_are_refused(evil: str, repo: str, error: type[Exception],
                                       text: str) -> None:
    with pytest.raises(error) as ctx:
        read_image(f"{evil}/m/{repo}:1", platform="linux/amd64")
    message = str(ctx.value)
    assert text.format(port=evil.split(":")[1]) in message
    assert message.startswith(f"{evil}/m/{repo}:1: ") and "\n" not in message


def test_the_same_server_serves_a_good_image(evil: str) -> None:
    info = read_image(f"{evil}/m/good:1", platform="linux/amd64")
    assert info.env == ("A=1",) and info.config_digest == CONFIG_DIGEST
    assert "the registry sent no Docker-Content-Digest; digest computed" in info.warnings
