"""Real components for image tests: layouts, loopback registries, pushes (images.md §7).

Every server binds 127.0.0.1 (the blob store 127.0.0.2) and is stopped by its PID in
:meth:`World.stop`. Nothing here runs on import.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator
from pathlib import Path

TYPE_CHECKING = False
if TYPE_CHECKING:
    import pytest

HERE = Path(__file__).resolve().parent
TOOLS = ("docker-registry", "skopeo", "umoci", "openssl")
USER, PASSWORD, IDENTITY = "testuser", "testpass", "test-identity-token-5d1c"
#: bcrypt of PASSWORD, cost 5 (distribution accepts only bcrypt in htpasswd files).
HTPASSWD = f"{USER}:$2b$05$WNtOdw0PrCgaA64f1yHVZOIbCLjvXLguBoR1ZjzWeNJAob83FH1XK\n"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
LOOPBACK_ENV = {"NO_PROXY": "127.0.0.1,127.0.0.2,localhost",
                "no_proxy": "127.0.0.1,127.0.0.2,localhost"}


def missing_tools(tools: tuple[str, ...] = TOOLS) -> list[str]:
    """The tools of ``tools`` that are not on PATH."""
    return [t for t in tools if shutil.which(t) is None]


def free_port(address: str = "127.0.0.1") -> int:
    """A TCP port free on ``address`` now."""
    with socket.socket() as s:
        s.bind((address, 0))
        return int(s.getsockname()[1])


def wait_http(host: str, port: int, timeout: float = 15.0) -> None:
    """Wait until ``host:port`` answers HTTP."""
    end = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=1)
            conn.request("GET", "/v2/" if host == "127.0.0.1" else "/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            if time.monotonic() > end:
                raise RuntimeError(f"{host}:{port} did not come up") from None
            time.sleep(0.05)


def wait_port(host: str, port: int, timeout: float = 15.0) -> None:
    """Wait until ``host:port`` accepts TCP connections."""
    end = time.monotonic() + timeout
    while True:
        try:
            socket.create_connection((host, port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > end:
                raise RuntimeError(f"{host}:{port} did not come up") from None
            time.sleep(0.05)


def registry_config(root: Path, port: int, extra: str = "", http_extra: str = "") -> str:
    """The base configuration of §7.3 (real paths: the registry does not expand variables)."""
    return (f"version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n"
            f"    rootdirectory: {root}/data\n  delete:\n    enabled: true\n"
            f"http:\n  addr: 127.0.0.1:{port}\n  secret: not-a-secret-test-only\n{http_extra}"
            f"{extra}")


class World:
    """A scratch directory and the processes started in it."""

    def __init__(self, work: Path) -> None:
        self.work = work
        self.procs: list[subprocess.Popen[bytes]] = []

    def spawn(self, argv: list[str], log: Path) -> None:
        """Start a server process, logging to ``log``."""
        with log.open("wb") as out:
            self.procs.append(subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                                               stdin=subprocess.DEVNULL,
                                               env={**os.environ, **LOOPBACK_ENV}))

    def stop(self) -> None:
        """Stop every process this world started, one PID at a time."""
        for proc in self.procs:
            proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                proc.kill()
        self.procs.clear()

    def registry(self, name: str, extra: str = "", *, tls: bool = False) -> tuple[int, Path]:
        """Start a ``docker-registry`` on 127.0.0.1 with its own config; return (port, root).

        With ``tls`` it serves https with a self-signed certificate for 127.0.0.1 written to
        ``root/cert.pem``.
        """
        root = self.work / name
        (root / "data").mkdir(parents=True, exist_ok=True)
        port = free_port()
        http_extra = ""
        if tls:
            run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                 str(root / "key.pem"), "-out", str(root / "cert.pem"), "-days", "30", "-subj",
                 "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
            http_extra = (f"  tls:\n    certificate: {root}/cert.pem\n"
                          f"    key: {root}/key.pem\n")
        (root / "config.yml").write_text(registry_config(root, port, extra, http_extra))
        self.spawn(["docker-registry", "serve", str(root / "config.yml")], root / "registry.log")
        wait_port("127.0.0.1", port) if tls else wait_http("127.0.0.1", port)
        return port, root

    def token_server(self, users: str = f"{USER}:{PASSWORD}") -> tuple[int, Path]:
        """Key, certificate and the token server of §7.8; return (port, its directory)."""
        root = self.work / "token"
        root.mkdir(exist_ok=True)
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                        str(root / "key.pem"), "-out", str(root / "cert.pem"), "-days", "30",
                        "-subj", "/CN=test-issuer"], check=True, capture_output=True)
        port = free_port()
        self.spawn([sys.executable, str(HERE / "tokenserver.py"), str(port),
                    str(root / "key.pem"), str(root / "cert.pem"), "test-issuer", users,
                    IDENTITY, str(root / "tokens.txt")], root / "token.log")
        wait_http("127.0.0.1", port)
        return port, root

    def blob_store(self, data: Path, name: str = "blob") -> tuple[int, Path]:
        """The blob store of §7.9 on 127.0.0.2; return (port, log path)."""
        port = free_port("127.0.0.2")
        log = self.work / f"{name}.log"
        self.spawn([sys.executable, str(HERE / "blobstore.py"), "127.0.0.2", str(port),
                    str(data)], log)
        wait_http("127.0.0.2", port)
        return port, log


@contextlib.contextmanager
def running(factory: pytest.TempPathFactory, name: str) -> Iterator[tuple[World, Path]]:
    """A world in a fresh directory, stopped afterwards; the test is skipped without the tools."""
    import pytest  # the benchmarks use this module too, without pytest

    missing = missing_tools()
    if missing:
        pytest.skip(f"needs {', '.join(missing)} on PATH (apt-get install docker-registry "
                    "skopeo umoci openssl)")
    work = factory.mktemp(name)
    os.environ.update(LOOPBACK_ENV)
    world = World(work)
    try:
        yield world, work
    finally:
        world.stop()


def redirect_config(blob_port: int) -> str:
    """The redirect middleware of §7.9, pointing at the blob store."""
    return (f"middleware:\n  storage:\n    - name: redirect\n      options:\n"
            f"        baseurl: http://127.0.0.2:{blob_port}/\n")


def token_config(token_port: int, cert: Path) -> str:
    """The ``auth: token`` section of §7.8."""
    return (f"auth:\n  token:\n    realm: http://127.0.0.1:{token_port}/token\n"
            f"    service: test-registry\n    issuer: test-issuer\n"
            f"    rootcertbundle: {cert}\n")


def build_layout(work: Path) -> Path:
    """The two-platform layout of §7.4 (tags amd64, arm64 and the index ``multi``)."""
    layout = work / "layout"
    rootfs = work / "rootfs" / "etc"
    rootfs.mkdir(parents=True, exist_ok=True)
    (rootfs / "fixture.txt").write_text("fixture\n")
    layer = work / "layer.tar"
    with tarfile.open(layer, "w", format=tarfile.GNU_FORMAT) as tar:
        for path in (rootfs, rootfs / "fixture.txt"):
            info = tar.gettarinfo(str(path), arcname=str(path.relative_to(work / "rootfs")))
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            info.mtime = 1704067200
            if info.isreg():
                with path.open("rb") as f:
                    tar.addfile(info, f)
            else:
                tar.addfile(info)
    run(["umoci", "init", "--layout", str(layout)])
    for arch in ("amd64", "arm64"):
        image = f"{layout}:{arch}"
        run(["umoci", "new", "--image", image])
        run(["umoci", "config", "--image", image, "--os", "linux", "--architecture", arch,
             "--config.env", "NVIDIA_REQUIRE_CUDA=cuda>=12.0",
             "--config.env", "NVIDIA_VISIBLE_DEVICES=all",
             "--config.env", "NVIDIA_DRIVER_CAPABILITIES=compute,utility",
             "--config.env", "CUDA_VERSION=12.0.1", "--config.env", f"FIXTURE_ARCH={arch}"])
        run(["umoci", "raw", "add-layer", "--image", image, str(layer)])
    run([sys.executable, str(HERE / "mkindex.py"), str(layout), "multi", "amd64", "arm64/v8"])
    run(["umoci", "gc", "--layout", str(layout)])
    return layout


def run(argv: list[str]) -> str:
    """Run a tool, failing loudly with its stderr."""
    done = subprocess.run(argv, capture_output=True, text=True,
                          env={**os.environ, **LOOPBACK_ENV})
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {done.stderr.strip()}")
    return done.stdout


def skopeo_copy(src: str, dst: str, *extra: str) -> None:
    """``skopeo copy -q`` with TLS verification off for the loopback destination."""
    run(["skopeo", "copy", "-q", "--dest-tls-verify=false", *extra, src, dst])


def skopeo_env(ref: str, *extra: str) -> list[str]:
    """``.config.Env`` as ``skopeo inspect --config`` reads it: the reference implementation."""
    out = run(["skopeo", "inspect", "--tls-verify=false", *extra, "--config", ref])
    return list(json.loads(out)["config"].get("Env") or [])


def sha(data: bytes) -> str:
    """``sha256:<hex>``."""
    return "sha256:" + hashlib.sha256(data).hexdigest()


def config_json(env: list[str], arch: str = "amd64", **top: object) -> bytes:
    """A minimal image config."""
    doc = {"architecture": arch, "os": "linux", **top, "config": {"Env": env},
           "rootfs": {"type": "layers", "diff_ids": []}}
    return json.dumps(doc, separators=(",", ":")).encode()


def manifest_json(config: bytes, *, media_type: str | None = OCI_MANIFEST,
                  config_type: str = OCI_CONFIG, pad: int = 0) -> bytes:
    """An image manifest with no layers pointing at ``config``."""
    doc: dict[str, object] = {"schemaVersion": 2}
    if media_type:
        doc["mediaType"] = media_type
    doc["config"] = {"mediaType": config_type, "digest": sha(config), "size": len(config)}
    doc["layers"] = []
    if pad:
        doc["annotations"] = {"pad": "x" * pad}
    return json.dumps(doc, separators=(",", ":")).encode()


def index_json(entries: list[tuple[bytes, dict[str, str] | None, dict[str, str] | None, str]]
               ) -> bytes:
    """An OCI index of ``(manifest, platform, annotations, media type)`` entries."""
    manifests = []
    for body, plat, notes, media_type in entries:
        desc: dict[str, object] = {"mediaType": media_type, "digest": sha(body),
                                   "size": len(body)}
        if plat:
            desc["platform"] = plat
        if notes:
            desc["annotations"] = notes
        manifests.append(desc)
    return json.dumps({"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": manifests},
                      separators=(",", ":")).encode()


def push_raw(port: int, repo: str, ref: str, manifest: bytes, media_type: str,
             blobs: list[bytes]) -> None:
    """Push blobs and a manifest, bytes as given, through the registry API (no auth)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        for blob in blobs:
            conn.request("POST", f"/v2/{repo}/blobs/uploads/")
            resp = conn.getresponse()
            resp.read()
            location = resp.getheader("Location") or ""
            path = location.split(f"127.0.0.1:{port}", 1)[-1]
            sep = "&" if "?" in path else "?"
            conn.request("PUT", f"{path}{sep}digest={sha(blob)}", body=blob,
                         headers={"Content-Type": "application/octet-stream"})
            resp = conn.getresponse()
            resp.read()
            if resp.status != 201:
                raise RuntimeError(f"blob push failed: {resp.status}")
        conn.request("PUT", f"/v2/{repo}/manifests/{ref}", body=manifest,
                     headers={"Content-Type": media_type})
        resp = conn.getresponse()
        body = resp.read()
        if resp.status != 201:
            raise RuntimeError(f"manifest push failed: {resp.status} {body[:300]!r}")
    finally:
        conn.close()


def blob_path(root: Path, digest: str) -> Path:
    """Where distribution stores a blob on disk (§7.10)."""
    hexpart = digest.split(":", 1)[1]
    return root / "data/docker/registry/v2/blobs/sha256" / hexpart[:2] / hexpart / "data"
