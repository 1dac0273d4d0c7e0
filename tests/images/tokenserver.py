"""A bearer-token server for distribution's ``auth: token`` (images.md §7.8), stdlib only.

``tokenserver.py PORT KEY CERT ISSUER USER:PASS IDENTITY_TOKEN TOKEN_FILE``. Pulls are granted to
anyone, pushes only to the valid password or identity token; wrong credentials get 401. Each
request is logged on stderr (method, whether Authorization came, grant type, scopes), and each
issued token is appended to TOKEN_FILE so tests can search output for it.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


def b64(data: bytes) -> str:
    """base64url without padding."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class Handler(BaseHTTPRequestHandler):
    """GET and POST on any path: the realm."""

    server: TokenServer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the token log is written explicitly."""

    def do_GET(self) -> None:
        """Anonymous or Basic token request."""
        query = parse_qs(urlsplit(self.path).query)
        valid = None
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            valid = base64.b64decode(header[6:]).decode() == self.server.userpass
        self.answer("GET", query, valid, "none" if valid is None else "basic")

    def do_POST(self) -> None:
        """OAuth2 refresh-token or password grant."""
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        grant = form.get("grant_type", [""])[0]
        if grant == "refresh_token":
            valid = form.get("refresh_token", [""])[0] == self.server.identity
        elif grant == "password":
            pair = f"{form.get('username', [''])[0]}:{form.get('password', [''])[0]}"
            valid = pair == self.server.userpass
        else:
            valid = False
        self.answer("POST", form, valid, grant)

    def answer(self, method: str, query: dict[str, list[str]], valid: bool | None,
               grant: str) -> None:
        """Log, then issue a token or refuse."""
        scopes = [s for value in query.get("scope", []) for s in value.split(" ") if s]
        has_auth = "present" if self.headers.get("Authorization") else "absent"
        print(f"token {method} authorization={has_auth} grant={grant} "
              f"account={query.get('account', [''])[0]} scopes={','.join(scopes)}",
              file=sys.stderr, flush=True)
        if self.path.split("?", 1)[0] == "/" :
            self.send_response(200)
            self.end_headers()
            return
        if valid is False:
            self.send_response(401)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}')
            return
        access: list[dict[str, object]] = []
        for scope in scopes:
            kind, _, rest = scope.partition(":")
            name, _, actions = rest.rpartition(":")
            granted = [a for a in actions.split(",") if a == "pull" or (a == "push" and valid)]
            access.append({"type": kind, "name": name, "actions": granted})
        token = self.server.sign(query.get("service", [""])[0], query.get("account", [""])[0],
                                  access)
        with open(self.server.token_file, "a") as f:
            f.write(token + "\n")
        body = {"token": token, "access_token": token, "expires_in": 300,
                "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        if query.get("access_type", [""])[0] == "offline" and valid:
            body["refresh_token"] = self.server.identity
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class TokenServer(ThreadingHTTPServer):
    """Holds the signing material."""

    def __init__(self, port: int, key: str, cert: str, issuer: str, userpass: str,
                 identity: str, token_file: str) -> None:
        super().__init__(("127.0.0.1", port), Handler)
        self.key, self.issuer, self.userpass = key, issuer, userpass
        self.identity, self.token_file = identity, token_file
        der = subprocess.run(["openssl", "x509", "-in", cert, "-outform", "DER"],
                             capture_output=True, check=True).stdout
        self.x5c = base64.b64encode(der).decode()

    def sign(self, service: str, subject: str, access: list[dict[str, object]]) -> str:
        """An RS256 JWT whose header carries the certificate chain."""
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.x5c]}
        claims = {"iss": self.issuer, "sub": subject, "aud": service, "exp": now + 300,
                  "nbf": now - 10, "iat": now, "jti": uuid.uuid4().hex, "access": access}
        signing = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
        signature = subprocess.run(["openssl", "dgst", "-sha256", "-sign", self.key],
                                   input=signing.encode(), capture_output=True,
                                   check=True).stdout
        return f"{signing}.{b64(signature)}"


if __name__ == "__main__":
    port, key, cert, issuer, userpass, identity, token_file = sys.argv[1:8]
    TokenServer(int(port), key, cert, issuer, userpass, identity, token_file).serve_forever()
