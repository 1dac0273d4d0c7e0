"""``docker-daemon:``: image inspect through the Docker Engine API on a unix socket.

The daemon returns no config bytes, so nothing is verified against a digest; the result says so.
"""

from __future__ import annotations

import errno
import hashlib
import http.client
import json
import os
import socket
from pathlib import Path
from urllib.parse import quote

from nvreq.formats import jsontext
from nvreq.formats.digits import is_digits, saturating_uint, uint
from nvreq.images.documents import MAX_DOCUMENT, Config, check_platform
from nvreq.images.errors import DaemonError, ImageNotFound, InvalidImageConfig, PlatformMismatch
from nvreq.images.info import ImageInfo
from nvreq.images.jsondecode import check_fields, decode_json
from nvreq.images.platforms import Platform
from nvreq.images.resolve import env_warnings

__all__ = ["daemon_endpoint", "read_daemon"]

DEFAULT_SOCKET = "unix:///var/run/docker.sock"
_FALLBACK_API = "1.40"
_TIMEOUT = 30.0


class _UnixConnection(http.client.HTTPConnection):
    def __init__(self, path: str) -> None:
        super().__init__("localhost", timeout=_TIMEOUT)
        self.socket_path = path

    def connect(self) -> None:
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(_TIMEOUT)
        try:
            sock.connect(self.socket_path)
        except OSError:
            sock.close()
            raise
        self.sock = sock


def daemon_endpoint() -> str:
    """``DOCKER_HOST``, else the current docker context's endpoint, else the default socket."""
    host = os.environ.get("DOCKER_HOST")
    if host:
        return host
    config_dir = Path(os.environ.get("DOCKER_CONFIG") or Path.home() / ".docker")
    name = os.environ.get("DOCKER_CONTEXT")
    if not name:
        try:
            name = jsontext.loads((config_dir / "config.json").read_text()).get("currentContext")
        except (OSError, ValueError, AttributeError):
            name = None
    if not name or name == "default":
        return DEFAULT_SOCKET
    meta = config_dir / "contexts" / "meta" / hashlib.sha256(name.encode()).hexdigest()
    try:
        endpoint = jsontext.loads((meta / "meta.json").read_text())["Endpoints"]["docker"]["Host"]
    except (OSError, ValueError, KeyError, TypeError):
        raise DaemonError(f"docker context {name!r} has no readable endpoint in {meta}") from None
    return str(endpoint)


def read_daemon(name: str, given: str, target: Platform, source: str) -> ImageInfo:
    """Inspect ``name`` (a reference or an image id) in the local daemon."""
    endpoint = daemon_endpoint()
    if not endpoint.startswith("unix://"):
        scheme = endpoint.split("://", 1)[0]
        raise DaemonError(f"unsupported DOCKER_HOST scheme {scheme}://; only unix:// is supported")
    conn = _UnixConnection(endpoint[len("unix://"):])
    try:
        status, headers, _ = _get(conn, "/_ping", endpoint)
        version = headers.get("api-version") or _FALLBACK_API
        path = f"/v{version}/images/{quote(name, safe='')}/json"
        status, _, body = _get(conn, path, endpoint)
        doc = _inspect(status, body, name)
        config = _config(doc)
        try:
            check_platform(config, target, source)
        except PlatformMismatch as exc:
            if _at_least(version, "1.49"):
                wanted = {"os": target.os, "architecture": target.architecture}
                if target.variant:
                    wanted["variant"] = target.variant
                query = quote(json.dumps(wanted, separators=(",", ":")), safe="")
                status, _, body = _get(conn, f"{path}?platform={query}", endpoint)
                doc = _inspect(status, body, name)
                config = _config(doc)
                check_platform(config, target, source)
            else:
                exc.message += ("; note that `docker pull --platform` re-points the local tag")
                raise
    finally:
        conn.close()
    raw_id, raw_digests = doc.get("Id"), doc.get("RepoDigests")
    image_id = raw_id if isinstance(raw_id, str) else None
    repo_digests = [d for d in raw_digests if isinstance(d, str)] if isinstance(
        raw_digests, list) else []
    warnings = ["docker-daemon: the daemon returns no config bytes; nothing verified against a "
                "digest"]
    if repo_digests:
        warnings.append("repo digests: " + ", ".join(repo_digests[:4]))
    return ImageInfo(
        reference=given, resolved=f"docker-daemon:{name}", digest=image_id,
        platform=str(config.platform), env=config.env, transport="docker-daemon",
        config_digest=image_id, platform_source=source, verified=False,
        warnings=tuple(warnings + env_warnings(config.env)),
    )


def _get(conn: _UnixConnection, path: str, endpoint: str) -> tuple[int, dict[str, str], bytes]:
    try:
        conn.request("GET", path, headers={"User-Agent": "nvreq/0.1.0"})
        resp = conn.getresponse()
        length = resp.getheader("content-length")
        if length and is_digits(length) and uint(length, MAX_DOCUMENT) is None:
            raise DaemonError("image inspect response larger than 4 MiB")
        body = resp.read(MAX_DOCUMENT + 1)
    except OSError as exc:
        reason = exc.strerror or str(exc) or type(exc).__name__
        if exc.errno in (errno.EACCES, errno.EPERM):
            reason += " (permission denied: is this user in the docker group?)"
        raise DaemonError(f"cannot connect to the Docker daemon at {endpoint}: {reason}") from None
    except http.client.HTTPException as exc:
        raise DaemonError(f"the Docker daemon at {endpoint} answered badly: {exc}") from None
    if len(body) > MAX_DOCUMENT:
        raise DaemonError("image inspect response larger than 4 MiB")
    return resp.status, {k.lower(): v for k, v in resp.getheaders()}, body


def _inspect(status: int, body: bytes, name: str) -> dict[str, object]:
    if status == 404:
        try:
            message = str(jsontext.loads(body).get("message") or "")[:200]
        except (ValueError, AttributeError):
            message = ""
        raise ImageNotFound(message or f"No such image: {name}")
    if status != 200:
        raise DaemonError(f"the Docker daemon answered {status} to image inspect")
    doc = check_fields(decode_json(body, "image inspect"), ("Id", "RepoDigests", "Config", "Os",
                       "Architecture", "Variant"), "(top level)", "image inspect")
    return doc


def _config(doc: dict[str, object]) -> Config:
    inner = doc.get("Config")
    env = check_fields(inner, ("Env",), "Config", "image inspect").get("Env") if inner else None
    env = env or []
    values = [doc.get(k) or "" for k in ("Os", "Architecture", "Variant")]
    if not all(isinstance(v, str) for v in values) or not values[0] or not values[1]:
        raise InvalidImageConfig("invalid image inspect: missing Os or Architecture")
    if not isinstance(env, list) or not all(isinstance(e, str) for e in env):
        raise InvalidImageConfig("invalid image inspect: expected a list of KEY=VALUE strings",
                                 context="Config.Env")
    for i, entry in enumerate(env):
        if "=" not in entry:
            raise InvalidImageConfig(f"invalid environment variable: {entry[:80]}",
                                     context=f"Config.Env[{i}]")
    return Config(str(values[0]), str(values[1]), str(values[2]), tuple(env))


def _at_least(version: str, minimum: str) -> bool:
    def key(v: str) -> tuple[int, ...]:
        return tuple(saturating_uint(p, 2**64 - 1) for p in v.split(".") if is_digits(p))
    return key(version) >= key(minimum)
