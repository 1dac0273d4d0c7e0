"""Serve a registry's storage read-only on a second loopback address (images.md §7.9).

``blobstore.py ADDRESS PORT ROOT``. Logs ``blob PATH authorization=present|absent`` on stderr for
every request: the leak test asserts on that log.
"""

from __future__ import annotations

import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD of files under the root."""

    root: Path

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the blob log is written explicitly."""

    def serve(self, body: bool) -> None:
        """Answer with the file's bytes, or 404."""
        path = self.path.split("?", 1)[0]
        has_auth = "present" if self.headers.get("Authorization") else "absent"
        print(f"blob {path} authorization={has_auth}", file=sys.stderr, flush=True)
        target = (self.root / path.lstrip("/")).resolve()
        if path == "/":
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if self.root not in target.parents or not target.is_file():
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        data = target.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def do_GET(self) -> None:
        """GET a blob."""
        self.serve(True)

    def do_HEAD(self) -> None:
        """HEAD a blob (skopeo's push checks blobs this way)."""
        self.serve(False)


if __name__ == "__main__":
    Handler.root = Path(sys.argv[3]).resolve()
    ThreadingHTTPServer((sys.argv[1], int(sys.argv[2])), Handler).serve_forever()
