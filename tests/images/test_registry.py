"""Reading images from real loopback registries (images.md §7.3–§7.10, matrix §7.12).

One module-scoped world: a layout built with umoci, five `docker-registry` processes (plain,
htpasswd, token, redirect, TLS), a token server and a blob store, all on loopback, pushed once.
skopeo is the reference reader: nvreq's Env must equal `skopeo inspect --config`'s.
"""

from __future__ import annotations

import base64
import json
import os
import socket
import stat
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from nvreq.cli import main as cli_main
from nvreq.errors import NvreqError
from nvreq.images import ImageInfo, read_image, read_images
from nvreq.images.errors import (
    AccessDenied,
    AuthenticationRequired,
    ContentTooLarge,
    DigestMismatch,
    ImageNotFound,
    InvalidImageConfig,
    PlatformMismatch,
    PlatformNotFound,
    TransportError,
    UnsupportedImage,
)
from tests.images import world as w

pytestmark = pytest.mark.registry

AMD, ARM = "linux/amd64", "linux/arm64"
ENV_AMD = ["NVIDIA_REQUIRE_CUDA=cuda>=12.0", "NVIDIA_VISIBLE_DEVICES=all",
           "NVIDIA_DRIVER_CAPABILITIES=compute,utility", "CUDA_VERSION=12.0.1",
           "FIXTURE_ARCH=amd64"]


@dataclass
class Setup:
    work: Path
    layout: Path
    plain: str
    basic: str
    token: str
    redirect: str
    tls: str
    tls_cert: Path
    forge: str
    swap: str
    token_dir: Path
    blob_log: Path
    tls_blob_log: Path
    forge_root: Path
    swap_root: Path
    digests: dict[str, str] = field(default_factory=dict)


@pytest.fixture(scope="module")
def reg(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    with w.running(tmp_path_factory, "registries") as (world, work):
        yield _build(world, work)


def _build(world: w.World, work: Path) -> Setup:
    layout = w.build_layout(work)
    creds = f"--dest-creds={w.USER}:{w.PASSWORD}"
    port, plain_root = world.registry("plain")
    plain = f"127.0.0.1:{port}"
    w.skopeo_copy(f"oci:{layout}:multi", f"docker://{plain}/test/cuda:multi", "--all")
    w.skopeo_copy(f"oci:{layout}:amd64", f"docker://{plain}/test/cuda:single")
    w.skopeo_copy(f"oci:{layout}:multi", f"docker://{plain}/test/cuda:multi-v2s2", "--all",
                  "--format", "v2s2")
    _push_hostile(port, plain_root)

    basic_root = work / "basic"
    basic_root.mkdir()
    (basic_root / "htpasswd").write_text(w.HTPASSWD)
    port, _ = world.registry("basic", f"auth:\n  htpasswd:\n    realm: test-realm\n"
                                      f"    path: {basic_root}/htpasswd\n")
    basic = f"127.0.0.1:{port}"
    w.skopeo_copy(f"oci:{layout}:multi", f"docker://{basic}/test/cuda:multi", "--all", creds)

    token_port, token_dir = world.token_server()
    auth = w.token_config(token_port, token_dir / "cert.pem")
    port, _ = world.registry("token", auth)
    token = f"127.0.0.1:{port}"
    for repo in ("test/cuda", "test/ident", "test/helper", "test/scoped", "test/other"):
        w.skopeo_copy(f"oci:{layout}:multi", f"docker://{token}/{repo}:multi", "--all", creds)

    redirect_root = work / "redirect"
    (redirect_root / "data").mkdir(parents=True)
    blob_port, blob_log = world.blob_store(redirect_root / "data")
    port, _ = world.registry("redirect", auth + w.redirect_config(blob_port))
    redirect = f"127.0.0.1:{port}"
    w.skopeo_copy(f"oci:{layout}:multi", f"docker://{redirect}/test/cuda:multi", "--all", creds)

    tls_root = work / "tls"
    (tls_root / "data").mkdir(parents=True)
    tls_blob_port, tls_blob_log = world.blob_store(tls_root / "data", "tls-blob")
    port, _ = world.registry("tls", w.redirect_config(tls_blob_port), tls=True)
    tls = f"127.0.0.1:{port}"
    w.skopeo_copy(f"oci:{layout}:amd64", f"docker://{tls}/test/cuda:single")

    forge_port, forge_root = world.registry("forge")
    forge = f"127.0.0.1:{forge_port}"
    w.skopeo_copy(f"oci:{layout}:multi", f"docker://{forge}/test/cuda:multi", "--all")
    swap_port, swap_root = world.registry("swap")
    swap = f"127.0.0.1:{swap_port}"
    w.skopeo_copy(f"oci:{layout}:multi", f"docker://{swap}/test/cuda:multi", "--all")
    setup = Setup(work, layout, plain, basic, token, redirect, tls, tls_root / "cert.pem", forge,
                  swap, token_dir, blob_log, tls_blob_log, forge_root, swap_root)
    _tamper(setup)
    return setup


def _push_hostile(port: int, root: Path) -> None:
    """Hostile and unusual documents, pushed byte for byte through the registry API."""
    def image(tag: str, config: bytes, **kw: object) -> bytes:
        manifest = w.manifest_json(config, **kw)  # type: ignore[arg-type]
        w.push_raw(port, "test/hostile", tag, manifest, w.OCI_MANIFEST, [config])
        return manifest

    good = w.config_json(ENV_AMD)
    amd = image("plain-amd64", good)
    arm = image("plain-arm64", w.config_json([*ENV_AMD[:-1], "FIXTURE_ARCH=arm64"], "arm64"))
    image("dupkey", b'{"architecture":"amd64","os":"linux","config":{"Env":["NVIDIA_VISIBLE_'
                    b'DEVICES=all"],"env":["NVIDIA_VISIBLE_DEVICES=none"]}}')
    image("lowerkey", b'{"architecture":"amd64","os":"linux","config":{"env":["A=1"]}}')
    image("bom", b"\xef\xbb\xbf" + good)
    image("badutf8", good.replace(b"all", b"\xff\xfe"))
    image("nan", good.replace(b'"rootfs"', b'"x":NaN,"rootfs"'))
    image("noeq", w.config_json(["NVIDIA_VISIBLE_DEVICES=all", "FOO"]))
    image("noos", b'{"architecture":"amd64","config":{"Env":["A=1"]}}')
    image("helm", good, config_type="application/vnd.cncf.helm.config.v1+json")
    image("nomediatype", good, media_type=None)
    attest = w.manifest_json(w.config_json([], "unknown"))
    w.push_raw(port, "test/hostile", "attest-body", attest, w.OCI_MANIFEST,
               [w.config_json([], "unknown")])
    index = w.index_json([
        (attest, {"architecture": "unknown", "os": "unknown"},
         {"vnd.docker.reference.type": "attestation-manifest"}, w.OCI_MANIFEST),
        (arm, {"architecture": "arm64", "os": "linux"}, None, w.OCI_MANIFEST),
        (amd, {"architecture": "amd64", "os": "linux"}, None, w.OCI_MANIFEST)])
    w.push_raw(port, "test/hostile", "attest", index, w.OCI_INDEX, [])
    nested = w.index_json([(index, None, None, w.OCI_INDEX)])
    w.push_raw(port, "test/hostile", "nested", nested, w.OCI_INDEX, [])
    wide = w.index_json([(amd, {"architecture": "amd64", "os": "linux"}, None, w.OCI_MANIFEST)]
                        * 1001)
    w.push_raw(port, "test/hostile", "wide", wide, w.OCI_INDEX, [])
    # distribution itself refuses to store or serve manifests over 4 MiB ("storage: read exceeds
    # limit"); oversized manifests are served by the malicious registry below instead.
    image("bigconfig", w.config_json(ENV_AMD, pad="x" * (5 << 20)))


def _tamper(s: Setup) -> None:
    """§7.10: a forged config (same length) and an index whose amd64 entry points at arm64."""
    index_digest = _index_digest(s.forge)
    index = json.loads(w.blob_path(s.forge_root, index_digest).read_bytes())
    amd = next(m["digest"] for m in index["manifests"] if m["platform"]["architecture"] == "amd64")
    config = json.loads(w.blob_path(s.forge_root, amd).read_bytes())["config"]["digest"]
    path = w.blob_path(s.forge_root, config)
    path.write_bytes(path.read_bytes().replace(b"CUDA_VERSION=12.0.1", b"CUDA_VERSION=11.8.0"))
    s.digests["forged_config"] = config
    index_digest = _index_digest(s.swap)
    path = w.blob_path(s.swap_root, index_digest)
    index = json.loads(path.read_bytes())
    digests = {m["platform"]["architecture"]: m["digest"] for m in index["manifests"]}
    path.write_bytes(path.read_bytes().replace(digests["amd64"].encode(),
                                               digests["arm64"].encode()))
    s.digests["swap_index"] = index_digest


def _index_digest(registry: str) -> str:
    import http.client

    host, port = registry.split(":")
    conn = http.client.HTTPConnection(host, int(port))
    conn.request("HEAD", "/v2/test/cuda/manifests/multi", headers={"Accept": w.OCI_INDEX})
    resp = conn.getresponse()
    resp.read()
    conn.close()
    return str(resp.getheader("Docker-Content-Digest"))


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A scratch HOME with no credentials anywhere; helpers found in ``home/bin``."""
    for name in ("DOCKER_CONFIG", "REGISTRY_AUTH_FILE", "DOCKER_AUTH_CONFIG", "XDG_CONFIG_HOME"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "bin").mkdir()
    monkeypatch.setenv("PATH", f"{tmp_path / 'bin'}:{os.environ['PATH']}")
    return tmp_path


def docker_config(home: Path, doc: dict[str, object]) -> None:
    (home / ".docker").mkdir(exist_ok=True)
    (home / ".docker" / "config.json").write_text(json.dumps(doc))


def helper(home: Path, name: str, server: str, answer: dict[str, str] | None,
           exit_code: int = 0) -> None:
    """A credential helper answering ``answer`` for ``server`` only (§7.7)."""
    script = home / "bin" / f"docker-credential-{name}"
    reply = json.dumps(answer) if answer else ""
    script.write_text(
        "#!/bin/sh\nread -r url || true\n"
        f'if [ "$1" = get ] && [ "$url" = "{server}" ] && [ {exit_code} = 0 ]; then\n'
        f"  echo '{reply}'; exit 0\nfi\n"
        f'if [ {exit_code} != 0 ]; then echo boom; exit {exit_code}; fi\n'
        "echo 'credentials not found in native keychain'; exit 1\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)


def auth_entry(user: str = w.USER, password: str = w.PASSWORD) -> dict[str, str]:
    return {"auth": base64.b64encode(f"{user}:{password}".encode()).decode()}


def env_of(info: ImageInfo) -> list[str]:
    return list(info.env)


def run_cli(argv: list[str], monkeypatch: pytest.MonkeyPatch,
            capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    monkeypatch.setattr(cli_main, "COMMANDS", {"env": "nvreq.cli.env"})
    code = cli_main.main(argv)
    out, err = capsys.readouterr()
    return code, out, err


# --- §7.12 rows 1-5: the three manifest kinds, digests, platforms --------------------------------

@pytest.mark.parametrize("tag", ["multi", "multi-v2s2"])
@pytest.mark.parametrize("platform", [AMD, ARM])
def test_multi_platform_env_equals_skopeo(reg: Setup, tag: str, platform: str) -> None:
    ref = f"{reg.plain}/test/cuda:{tag}"
    info = read_image(ref, platform=platform)
    arch = platform.split("/")[1]
    assert env_of(info) == w.skopeo_env(f"docker://{ref}", "--override-arch", arch)
    assert info.env[-1] == f"FIXTURE_ARCH={arch}"
    assert info.platform == platform
    inspect = json.loads(w.run(["skopeo", "inspect", "--tls-verify=false", f"docker://{ref}"]))
    assert info.index_digest == inspect["Digest"]


def test_single_manifest_without_media_type(reg: Setup) -> None:
    info = read_image(f"{reg.plain}/test/cuda:single", platform=AMD)
    assert env_of(info) == w.skopeo_env(f"docker://{reg.plain}/test/cuda:single")
    assert info.index_digest is None and info.digest == info.manifest_digest


def test_single_manifest_for_another_platform_is_a_mismatch(reg: Setup) -> None:
    with pytest.raises(PlatformMismatch, match="image is linux/amd64, target is linux/arm64"):
        read_image(f"{reg.plain}/test/cuda:single", platform=ARM)


@pytest.mark.parametrize("tag", ["multi", "multi-v2s2", "single"])
def test_by_digest_and_with_ignored_tag(reg: Setup, tag: str) -> None:
    by_tag = read_image(f"{reg.plain}/test/cuda:{tag}", platform=AMD)
    top = by_tag.index_digest or by_tag.manifest_digest
    by_digest = read_image(f"{reg.plain}/test/cuda@{top}", platform=AMD)
    both = read_image(f"{reg.plain}/test/cuda:whatever@{top}", platform=AMD)
    assert by_digest.env == both.env == by_tag.env
    assert by_digest.config_digest == by_tag.config_digest
    assert any("tag 'whatever' ignored" in x for x in both.warnings)
    assert both.resolved == f"{reg.plain}/test/cuda@{top}"


def test_platform_not_in_index_lists_what_is_there(reg: Setup) -> None:
    with pytest.raises(PlatformNotFound) as ctx:
        read_image(f"{reg.plain}/test/cuda:multi", platform="linux/s390x")
    assert "no image for linux/s390x in index sha256:" in str(ctx.value)
    assert str(ctx.value).endswith("available: linux/amd64, linux/arm64/v8")
    assert str(ctx.value).startswith(f"{reg.plain}/test/cuda:multi: ")


def test_missing_tag_is_image_not_found(reg: Setup) -> None:
    with pytest.raises(ImageNotFound, match=r"manifest unknown \(404 from 127\.0\.0\.1:\d+\)"):
        read_image(f"{reg.plain}/test/cuda:nope", platform=AMD)


def test_missing_repository_is_image_not_found(reg: Setup) -> None:
    with pytest.raises(ImageNotFound):
        read_image(f"{reg.plain}/test/absent:1", platform=AMD)


# --- hostile documents (§1.3, §3.5, §3.6, §5.1) --------------------------------------------------

@pytest.mark.parametrize(("tag", "error", "text"), [
    ("dupkey", InvalidImageConfig, 'keys "Env" and "env" both present in \'config\'; a Go runtime '
                                   'reads the last one ("env")'),
    ("lowerkey", InvalidImageConfig, 'key "env" in \'config\' is read as "Env"'),
    ("bom", InvalidImageConfig, "malformed JSON"),
    ("badutf8", InvalidImageConfig, "not UTF-8"),
    ("nan", InvalidImageConfig, "NaN is not valid JSON"),
    ("noeq", InvalidImageConfig, "invalid environment variable: FOO in 'config.Env[1]'"),
    ("noos", InvalidImageConfig, "missing 'os'"),
    ("helm", UnsupportedImage,
     "not a container image (config media type application/vnd.cncf.helm.config.v1+json)"),
    ("wide", ContentTooLarge, "index has 1001 entries"),
    ("bigconfig", ContentTooLarge, "config larger than 4 MiB (size 52"),
])
def test_hostile_documents_are_refused(reg: Setup, tag: str, error: type[Exception],
                                       text: str) -> None:
    with pytest.raises(error) as ctx:
        read_image(f"{reg.plain}/test/hostile:{tag}", platform=AMD)
    assert text in str(ctx.value)
    assert "\n" not in str(ctx.value)


def test_skopeo_reads_the_last_duplicate_key(reg: Setup) -> None:
    """Why nvreq refuses: the Go reader sees another Env than Python's json would."""
    assert w.skopeo_env(f"docker://{reg.plain}/test/hostile:dupkey") == [
        "NVIDIA_VISIBLE_DEVICES=none"]


def test_attestation_entries_are_skipped(reg: Setup) -> None:
    info = read_image(f"{reg.plain}/test/hostile:attest", platform=AMD)
    assert info.env[-1] == "FIXTURE_ARCH=amd64"
    with pytest.raises(PlatformNotFound, match=r"available: linux/arm64, linux/amd64$"):
        read_image(f"{reg.plain}/test/hostile:attest", platform="linux/ppc64le")


def test_nested_index_is_followed(reg: Setup) -> None:
    info = read_image(f"{reg.plain}/test/hostile:nested", platform=ARM)
    assert info.env[-1] == "FIXTURE_ARCH=arm64"


def test_oci_manifest_without_media_type_pushed_raw(reg: Setup) -> None:
    assert read_image(f"{reg.plain}/test/hostile:nomediatype", platform=AMD).env[0] == ENV_AMD[0]


# --- tampered content (§7.10, §5.2) --------------------------------------------------------------

def test_forged_config_is_a_digest_mismatch(reg: Setup) -> None:
    config = reg.digests["forged_config"]
    with pytest.raises(DigestMismatch, match=f"config {config}: received content has digest"):
        read_image(f"{reg.forge}/test/cuda:multi", platform=AMD)
    assert read_image(f"{reg.forge}/test/cuda:multi", platform=ARM).env[-1] == "FIXTURE_ARCH=arm64"


def test_skopeo_also_refuses_the_forged_config(reg: Setup) -> None:
    with pytest.raises(RuntimeError, match="does not match"):
        w.skopeo_env(f"docker://{reg.forge}/test/cuda:multi", "--override-arch", "amd64")


def test_swapped_index_entry_by_tag_fails_on_docker_content_digest(reg: Setup) -> None:
    with pytest.raises(DigestMismatch, match=r"Docker-Content-Digest sha256:[0-9a-f]{64} does not "
                                             "match the manifest received"):
        read_image(f"{reg.swap}/test/cuda:multi", platform=AMD)


def test_swapped_index_entry_by_digest_fails(reg: Setup) -> None:
    digest = reg.digests["swap_index"]
    with pytest.raises(DigestMismatch, match=f"manifest {digest}: received content"):
        read_image(f"{reg.swap}/test/cuda@{digest}", platform=AMD)


def test_skopeo_by_tag_accepts_the_swapped_index(reg: Setup) -> None:
    """The case nvreq catches and skopeo does not (§5.2)."""
    env = w.skopeo_env(f"docker://{reg.swap}/test/cuda:multi", "--override-arch", "amd64")
    assert env[-1] == "FIXTURE_ARCH=arm64"


class _NoDigestHeader(BaseHTTPRequestHandler):
    """Replays the swapped registry without Docker-Content-Digest (the §3.6.4 check alone)."""

    upstream = ""

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        import http.client

        host, port = self.upstream.split(":")
        conn = http.client.HTTPConnection(host, int(port))
        conn.request("GET", self.path, headers={"Accept": self.headers.get("Accept", "*/*")})
        resp = conn.getresponse()
        body = resp.read()
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.getheader("Content-Type") or "")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        conn.close()


def test_swapped_entry_without_digest_header_is_a_platform_mismatch(reg: Setup) -> None:
    _NoDigestHeader.upstream = reg.swap
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NoDigestHeader)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with pytest.raises(PlatformMismatch, match="image is linux/arm64, target is linux/amd64"):
            read_image(f"127.0.0.1:{server.server_address[1]}/test/cuda:multi", platform=AMD)
    finally:
        server.shutdown()
        server.server_close()


# --- Basic auth (§7.7, row 6) --------------------------------------------------------------------

def test_basic_without_credentials(reg: Setup, home: Path) -> None:
    with pytest.raises(AuthenticationRequired, match=r"authentication required \(401 from "
                                                     r"127\.0\.0\.1:\d+\); no credentials for"):
        read_image(f"{reg.basic}/test/cuda:multi", platform=AMD)


@pytest.mark.parametrize("key", ["{r}", "https://{r}", "http://{r}/v1/", "{r}/test/cuda",
                                 "{r}/test"])
def test_basic_from_docker_config(reg: Setup, home: Path, key: str) -> None:
    docker_config(home, {"auths": {key.format(r=reg.basic): auth_entry()}})
    assert read_image(f"{reg.basic}/test/cuda:multi", platform=AMD).env[0] == ENV_AMD[0]


def test_basic_from_docker_config_env_and_username_fields(reg: Setup, home: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    folder = home / "elsewhere"
    folder.mkdir()
    (folder / "config.json").write_text(json.dumps(
        {"auths": {reg.basic: {"username": w.USER, "password": w.PASSWORD}}}))
    monkeypatch.setenv("DOCKER_CONFIG", str(folder))
    assert read_image(f"{reg.basic}/test/cuda:multi", platform=AMD).env


@pytest.mark.parametrize("how", ["REGISTRY_AUTH_FILE", "authfile", "containers", "runtime",
                                 "DOCKER_AUTH_CONFIG"])
def test_basic_from_other_sources(reg: Setup, home: Path, monkeypatch: pytest.MonkeyPatch,
                                  how: str) -> None:
    doc = json.dumps({"auths": {reg.basic: auth_entry()}})
    kwargs: dict[str, Any] = {}
    if how in ("REGISTRY_AUTH_FILE", "authfile"):
        (home / "auth.json").write_text(doc)
        if how == "authfile":
            kwargs["authfile"] = str(home / "auth.json")
        else:
            monkeypatch.setenv("REGISTRY_AUTH_FILE", str(home / "auth.json"))
    elif how == "containers":
        (home / ".config" / "containers").mkdir(parents=True)
        (home / ".config" / "containers" / "auth.json").write_text(doc)
    elif how == "runtime":
        (home / "run" / "containers").mkdir(parents=True)
        (home / "run" / "containers" / "auth.json").write_text(doc)
    else:
        monkeypatch.setenv("DOCKER_AUTH_CONFIG", doc)
    assert read_image(f"{reg.basic}/test/cuda:multi", platform=AMD, **kwargs).env


def test_authfile_is_the_only_source(reg: Setup, home: Path) -> None:
    docker_config(home, {"auths": {reg.basic: auth_entry()}})
    (home / "empty.json").write_text("{}")
    with pytest.raises(AuthenticationRequired):
        read_image(f"{reg.basic}/test/cuda:multi", platform=AMD, authfile=str(home / "empty.json"))


def test_basic_wrong_password(reg: Setup, home: Path) -> None:
    docker_config(home, {"auths": {reg.basic: auth_entry(password="wrong")}})
    with pytest.raises(AuthenticationRequired, match=r"credentials from .* were rejected"):
        read_image(f"{reg.basic}/test/cuda:multi", platform=AMD)


def test_basic_cred_helper_and_creds_store(reg: Setup, home: Path) -> None:
    helper(home, "basic1", reg.basic, {"ServerURL": reg.basic, "Username": w.USER,
                                       "Secret": w.PASSWORD})
    docker_config(home, {"credHelpers": {reg.basic: "basic1"}})
    assert read_image(f"{reg.basic}/test/cuda:multi", platform=AMD).env
    helper(home, "basic2", reg.basic, {"ServerURL": reg.basic, "Username": w.USER,
                                       "Secret": w.PASSWORD})
    docker_config(home, {"credsStore": "basic2"})
    assert read_image(f"{reg.basic}/test/cuda:multi", platform=AMD).env


def test_helper_not_found_falls_through_to_auths(reg: Setup, home: Path) -> None:
    helper(home, "basic3", "elsewhere", None)
    docker_config(home, {"credsStore": "basic3", "auths": {reg.basic: auth_entry()}})
    assert read_image(f"{reg.basic}/test/cuda:multi", platform=AMD).env


def test_failing_helper_warns_then_authentication_required(reg: Setup, home: Path) -> None:
    helper(home, "broken", reg.basic, None, exit_code=3)
    docker_config(home, {"credHelpers": {reg.basic: "broken"}})
    with pytest.raises(AuthenticationRequired,
                       match=r"docker-credential-broken failed \(exit status 3\)"):
        read_image(f"{reg.basic}/test/cuda:multi", platform=AMD)


# --- Bearer tokens (§7.8, rows 7-8) --------------------------------------------------------------

def token_log(reg: Setup) -> list[str]:
    return (reg.token_dir / "token.log").read_text().splitlines()


def test_token_anonymous_pull(reg: Setup, home: Path) -> None:
    before = len(token_log(reg))
    info = read_image(f"{reg.token}/test/cuda:multi", platform=ARM)
    new = token_log(reg)[before:]
    assert env_of(info) == w.skopeo_env(f"docker://{reg.token}/test/cuda:multi",
                                        "--override-arch", "arm64")
    assert new == ["token GET authorization=absent grant=none account= "
                   "scopes=repository:test/cuda:pull"]


def test_tokens_are_cached_in_memory(reg: Setup, home: Path) -> None:
    read_image(f"{reg.token}/test/cuda:multi", platform=AMD)
    before = len(token_log(reg))
    assert read_image(f"{reg.token}/test/cuda:multi", platform=ARM).env[-1] == "FIXTURE_ARCH=arm64"
    assert len(token_log(reg)) == before


def test_token_with_identity_token(reg: Setup, home: Path) -> None:
    docker_config(home, {"auths": {reg.token: {"identitytoken": w.IDENTITY}}})
    before = len(token_log(reg))
    assert read_image(f"{reg.token}/test/ident:multi", platform=AMD).env
    assert token_log(reg)[before:] == ["token POST authorization=absent grant=refresh_token "
                                       "account= scopes=repository:test/ident:pull"]


def test_token_helper_with_identity_token(reg: Setup, home: Path) -> None:
    helper(home, "tok", reg.token, {"ServerURL": reg.token, "Username": "<token>",
                                    "Secret": w.IDENTITY})
    docker_config(home, {"credHelpers": {reg.token: "tok"}})
    before = len(token_log(reg))
    assert read_image(f"{reg.token}/test/helper:multi", platform=AMD).env
    assert "grant=refresh_token" in token_log(reg)[before]


def test_token_with_password_sends_account(reg: Setup, home: Path) -> None:
    docker_config(home, {"auths": {reg.token: auth_entry()}})
    before = len(token_log(reg))
    assert read_image(f"{reg.token}/test/other:multi", platform=AMD).env
    assert token_log(reg)[before:] == ["token GET authorization=present grant=basic "
                                       "account=testuser scopes=repository:test/other:pull"]


def test_token_wrong_password(reg: Setup, home: Path) -> None:
    docker_config(home, {"auths": {reg.token: auth_entry(password="nope")}})
    with pytest.raises(AuthenticationRequired, match="rejected the credentials"):
        read_image(f"{reg.token}/test/other:multi", platform=AMD)


def test_token_for_another_repository_is_access_denied(reg: Setup, home: Path) -> None:
    import http.client
    import urllib.parse

    realm = urllib.parse.urlsplit(next(line for line in (reg.work / "token" / "config.yml",)
                                       if True).as_posix())
    del realm
    port = int((reg.work / "token" / "config.yml").read_text().split("127.0.0.1:")[2]
               .split("/")[0])
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/token?service=test-registry&scope=repository:test/other:pull")
    token = json.loads(conn.getresponse().read())["token"]
    conn.close()
    docker_config(home, {"auths": {reg.token: {"registrytoken": token}}})
    with pytest.raises(AccessDenied, match="repository does not exist or may require auth"):
        read_image(f"{reg.token}/test/scoped:multi", platform=AMD)


# --- Redirects, TLS, timeouts (§3.1, §3.8, §7.9) -------------------------------------------------

def test_redirect_to_blob_store_sends_no_authorization(reg: Setup, home: Path) -> None:
    docker_config(home, {"auths": {reg.redirect: auth_entry()}})
    before = len(reg.blob_log.read_text().splitlines())
    info = read_image(f"{reg.redirect}/test/cuda:multi", platform=AMD)
    assert info.env[-1] == "FIXTURE_ARCH=amd64"
    lines = reg.blob_log.read_text().splitlines()[before:]
    assert lines and all(line.endswith("authorization=absent") for line in lines)
    assert any("/blobs/sha256/" in line for line in lines)


def test_tls_registry_is_verified(reg: Setup, home: Path) -> None:
    with pytest.raises(TransportError, match="TLS certificate verification failed for "
                                             r"127\.0\.0\.1:\d+: .*--insecure-registry"):
        read_image(f"{reg.tls}/test/cuda:single", platform=AMD)


def test_insecure_registry_skips_verification_but_never_downgrades_a_redirect(reg: Setup) -> None:
    before = reg.tls_blob_log.read_text()
    with pytest.raises(TransportError, match="refused redirect from https to http"):
        read_image(f"{reg.tls}/test/cuda:single", platform=AMD, insecure_registries=[reg.tls])
    assert reg.tls_blob_log.read_text() == before


def test_tls_registry_with_trusted_ca(reg: Setup, monkeypatch: pytest.MonkeyPatch) -> None:
    """SSL_CERT_FILE trusts the registry's certificate: the manifest is read over verified TLS."""
    import subprocess
    import sys

    code = ("from nvreq.images import read_image\n"
            f"try:\n    read_image('{reg.tls}/test/cuda:single', platform='linux/amd64')\n"
            "except Exception as e:\n    print(type(e).__name__, e)\n")
    env = {**os.environ, "SSL_CERT_FILE": str(reg.tls_cert), "PYTHONPATH": str(Path.cwd())}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60).stdout
    assert "refused redirect from https to http" in out


def test_registry_read_imports_no_http_client_or_email(reg: Setup) -> None:
    """§6.3: the registry path uses nvreq's own HTTP/1.1 code, never urllib.request."""
    import subprocess
    import sys

    code = ("import sys\nfrom nvreq.images import read_image\n"
            f"read_image('{reg.token}/test/cuda:multi', platform='linux/amd64')\n"
            "print(sorted({'http.client', 'email', 'urllib.request', 'tarfile', 'ssl'} & "
            "set(sys.modules)))\n")
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=60)
    assert out.stdout.strip() == "[]", out.stderr


def test_hanging_peer_times_out(monkeypatch: pytest.MonkeyPatch) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(5)
    port = listener.getsockname()[1]
    try:
        with pytest.raises(TransportError, match="timed out"):
            read_image(f"127.0.0.1:{port}/x/y:1", platform=AMD, timeout=1.0)
    finally:
        listener.close()


# --- Many images, CLI output, secrets (rows 15) --------------------------------------------------

def test_read_images_keeps_order_and_errors(reg: Setup) -> None:
    refs = [f"{reg.plain}/test/cuda:multi", f"{reg.plain}/test/cuda:nope",
            f"{reg.plain}/test/cuda:single", "Bad/Ref"]
    results = read_images(refs, platform=AMD, max_workers=4)
    assert [r.reference for r in results] == refs
    assert [bool(r) for r in results] == [True, False, True, False]
    assert isinstance(results[1].error, ImageNotFound)
    assert isinstance(results[3].error, NvreqError)


def test_cli_env_prints_identity_and_nvidia_variables(reg: Setup, monkeypatch: pytest.MonkeyPatch,
                                                      capsys: pytest.CaptureFixture[str]) -> None:
    ref = f"{reg.plain}/test/cuda:multi"
    code, out, _ = run_cli(["env", ref, "--platform", ARM], monkeypatch, capsys)
    assert code == 0
    assert f"image:     {ref}" in out and "platform:  linux/arm64 (target from --platform)" in out
    assert "  NVIDIA_REQUIRE_CUDA=cuda>=12.0" in out and "FIXTURE_ARCH" not in out
    assert "(1 other variable; --all shows them)" in out
    code, out, _ = run_cli(["env", ref, "--platform", ARM, "--json", "--all"], monkeypatch, capsys)
    doc = json.loads(out)
    assert doc["env"][-1] == "FIXTURE_ARCH=arm64" and doc["digest"].startswith("sha256:")
    assert {"reference", "digest", "platform", "env"} <= set(doc)


def test_cli_env_error_is_one_line_exit_2(reg: Setup, monkeypatch: pytest.MonkeyPatch,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_cli(["env", f"{reg.plain}/test/cuda:multi", "--platform", "linux/s390x"],
                             monkeypatch, capsys)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("nvreq: error: ")


def test_no_secret_appears_anywhere(reg: Setup, home: Path, monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """§4.5 item 4: search stdout, stderr, the debug log and exception texts for every secret."""
    texts: list[str] = []
    docker_config(home, {"auths": {reg.basic: auth_entry(), reg.redirect: auth_entry(),
                                   reg.token: {"identitytoken": w.IDENTITY}}})
    for ref in (f"{reg.basic}/test/cuda:multi", f"{reg.redirect}/test/cuda:multi",
                f"{reg.token}/test/cuda:multi"):
        texts.extend(run_cli(["env", ref, "--debug", "--all", "--platform", AMD], monkeypatch,
                             capsys)[1:])
        texts.append(repr(read_image(ref, platform=AMD)))
    docker_config(home, {"auths": {reg.basic: auth_entry(password="wrong-" + w.PASSWORD)}})
    for argv in (["env", f"{reg.basic}/test/cuda:multi", "--debug"],):
        texts.extend(run_cli(argv, monkeypatch, capsys)[1:])
    try:
        read_image(f"{reg.basic}/test/cuda:multi")
    except NvreqError as exc:
        texts.append(str(exc))
        texts.append(repr(exc))
    from nvreq.images.credentials import find_credentials

    texts.append(repr(find_credentials(reg.basic, "test/cuda")))
    blob = "\n".join(texts)
    assert "debug: GET" in blob and "authorization: basic" in blob
    tokens = (reg.token_dir / "tokens.txt").read_text().split()
    secrets = [w.PASSWORD, w.IDENTITY, base64.b64encode(f"{w.USER}:{w.PASSWORD}".encode()).decode(),
               *tokens]
    for secret in secrets:
        assert secret not in blob
