"""A stand-in Docker Engine API on a unix socket (images.md §7.11).

``fakedockerd.py SOCKET IMAGES_JSON [API_VERSION]`` answers ``GET /_ping``, ``GET /version`` and
``GET /v1.NN/images/{name}/json`` from a JSON file mapping ``name:tag`` (or an id) to inspect
output; unknown images get the daemon's 404 body. With API >= 1.49 a ``platform`` query picks
``name:tag@os/arch`` entries, as a containerd-store daemon does.
"""

from __future__ import annotations

import json
import re
import socketserver
import sys
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, unquote, urlsplit


class Handler(BaseHTTPRequestHandler):
    """The three endpoints."""

    images: ClassVar[dict[str, object]] = {}
    api = "1.41"

    def log_message(self, format: str, *args: object) -> None:
        """Quiet."""

    def address_string(self) -> str:
        """Unix sockets have no client address."""
        return "unix"

    def reply(self, status: int, body: object, *, raw: bytes | None = None) -> None:
        """JSON answer with the Api-Version header."""
        data = raw if raw is not None else json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Api-Version", self.api)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        """Route."""
        parts = urlsplit(self.path)
        if parts.path == "/_ping":
            self.reply(200, None, raw=b"OK")
            return
        if parts.path.endswith("/version"):
            self.reply(200, {"ApiVersion": self.api, "Version": "fake"})
            return
        m = re.fullmatch(r"(?:/v[0-9.]+)?/images/(.+)/json", parts.path)
        if not m:
            self.reply(404, {"message": "page not found"})
            return
        name = unquote(m.group(1))
        platform = parse_qs(parts.query).get("platform", [""])[0]
        keys = [name, f"{name}:latest"]
        if platform:
            p = json.loads(platform)
            keys = [f"{k}@{p['os']}/{p['architecture']}" for k in keys]
        for key in keys:
            if key in self.images:
                self.reply(200, self.images[key])
                return
        for value in self.images.values():
            image_id = str(value.get("Id", "")) if isinstance(value, dict) else ""
            if name in (image_id, image_id.removeprefix("sha256:")) or (
                    len(name) >= 12 and image_id.removeprefix("sha256:").startswith(name)):
                self.reply(200, value)
                return
        self.reply(404, {"message": f"No such image: {name}"})


class Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """A threading HTTP server on a unix socket."""

    daemon_threads = True


if __name__ == "__main__":
    Handler.images = json.loads(Path(sys.argv[2]).read_text())
    if len(sys.argv) > 3:
        Handler.api = sys.argv[3]
    Server(sys.argv[1], Handler).serve_forever()
