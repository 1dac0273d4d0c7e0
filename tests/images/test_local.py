"""Local inputs: OCI layouts, oci-archive and docker-archive tars, sniffing, the Engine API socket
(images.md §2.2, §2.4–§2.8, §7.6, §7.11; matrix rows 11–13 and 16).

Layouts are built with umoci and archives with skopeo, as in §7.4 and §7.6.
"""

from __future__ import annotations

import bz2
import gzip
import json
import lzma
import os
import shutil
import subprocess
import sys
import tarfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from nvreq.errors import ImageError
from nvreq.images import read_image
from nvreq.images.errors import (
    ArchiveError,
    DaemonError,
    DigestMismatch,
    ImageNotFound,
    InvalidImageConfig,
    InvalidReference,
    PlatformMismatch,
    UnsupportedImage,
)
from nvreq.images.transports import classify
from tests.images import world as w
from tests.images.mkdocker25 import make as make_docker25

AMD, ARM = "linux/amd64", "linux/arm64"
HERE = Path(__file__).resolve().parent


@dataclass
class Local:
    work: Path
    layout: Path
    skopeo_tar: Path
    multi_oci: Path
    host_only: Path
    docker25: Path
    docker25_gz: Path


@pytest.fixture(scope="module")
def local(tmp_path_factory: pytest.TempPathFactory) -> Local:
    missing = w.missing_tools(("skopeo", "umoci"))
    if missing:
        pytest.skip(f"needs {', '.join(missing)} on PATH (images.md §7.1: apt-get install "
                    "skopeo umoci)")
    work = tmp_path_factory.mktemp("local")
    layout = w.build_layout(work)
    skopeo_tar = work / "skopeo.tar"
    w.run(["skopeo", "copy", "-q", f"oci:{layout}:amd64",
           f"docker-archive:{skopeo_tar}:test/cuda:single"])
    multi_oci = work / "multi-oci.tar"
    w.run(["skopeo", "copy", "-q", "--all", f"oci:{layout}:multi",
           f"oci-archive:{multi_oci}:multi"])
    host_only = work / "host-only.tar"
    w.run(["skopeo", "copy", "-q", "--override-arch", "amd64", f"oci:{layout}:multi",
           f"oci-archive:{host_only}:multi"])
    d25 = work / "d25"
    make_docker25(layout, "amd64", d25, "docker.io/test/cuda:single")
    docker25 = work / "docker25.tar"
    _tar_dir(d25, docker25, ["oci-layout", "index.json", "manifest.json", "repositories", "blobs"])
    docker25_gz = work / "docker25.tar.gz"
    docker25_gz.write_bytes(gzip.compress(docker25.read_bytes(), mtime=0))
    return Local(work, layout, skopeo_tar, multi_oci, host_only, docker25, docker25_gz)


def _tar_dir(folder: Path, out: Path, names: list[str]) -> None:
    with tarfile.open(out, "w") as tar:
        for name in names:
            tar.add(folder / name, arcname=name)


def _tar(out: Path, members: Sequence[tuple[str, bytes | tuple[str, str]]]) -> Path:
    """A hand-made tar: ``(name, bytes)`` files, ``(name, ("symlink"|"hardlink", target))``."""
    with tarfile.open(out, "w") as tar:
        for name, content in members:
            info = tarfile.TarInfo(name)
            if isinstance(content, tuple):
                info.type = tarfile.SYMTYPE if content[0] == "symlink" else tarfile.LNKTYPE
                info.linkname = content[1]
                tar.addfile(info)
            else:
                info.size = len(content)
                import io

                tar.addfile(info, io.BytesIO(content))
    return out


# --- OCI layouts (row 11) -----------------------------------------------------------------------

def test_layout_without_ref_lists_the_choices(local: Local) -> None:
    with pytest.raises(ImageError) as ctx:
        read_image(f"oci:{local.layout}", platform=AMD)
    text = str(ctx.value)
    assert "more than one image in" in text
    for tag in ("multi", "amd64", "arm64"):
        assert f"oci:{local.layout}:{tag}" in text


@pytest.mark.parametrize("platform", [AMD, ARM])
def test_layout_index_per_target_equals_skopeo(local: Local, platform: str) -> None:
    info = read_image(f"oci:{local.layout}:multi", platform=platform)
    arch = platform.split("/")[1]
    assert list(info.env) == w.skopeo_env(f"oci:{local.layout}:multi", "--override-arch", arch)
    assert info.env[-1] == f"FIXTURE_ARCH={arch}" and info.index_digest and info.verified


def test_layout_single_tag(local: Local) -> None:
    info = read_image(f"oci:{local.layout}:amd64", platform=AMD)
    assert info.index_digest is None and info.env[-1] == "FIXTURE_ARCH=amd64"
    with pytest.raises(ImageNotFound, match="no image named 'nope'"):
        read_image(f"oci:{local.layout}:nope", platform=AMD)


def test_layout_bad_version_and_escaping_blob(local: Local, tmp_path: Path) -> None:
    copy = tmp_path / "layout"
    shutil.copytree(local.layout, copy)
    top = json.loads((copy / "index.json").read_text())
    digest = next(d["digest"] for d in top["manifests"]
                  if d["annotations"]["org.opencontainers.image.ref.name"] == "amd64")
    blob = copy / "blobs" / "sha256" / digest.split(":")[1]
    body = blob.read_bytes()
    outside = tmp_path / "outside"
    outside.write_bytes(body)
    blob.unlink()
    blob.symlink_to(outside)
    with pytest.raises(ArchiveError, match="points outside the layout"):
        read_image(f"oci:{copy}:amd64", platform=AMD)
    blob.unlink()
    blob.write_bytes(body[:-1] + (b" " if body[-1:] != b" " else b"\n"))
    with pytest.raises(DigestMismatch):
        read_image(f"oci:{copy}:amd64", platform=AMD)
    (copy / "oci-layout").write_text('{"imageLayoutVersion":"2.0.0"}')
    with pytest.raises(ArchiveError, match="unsupported OCI layout version"):
        read_image(f"oci:{copy}:amd64", platform=AMD)


# --- archives, bare and prefixed (row 12) --------------------------------------------------------

@pytest.mark.parametrize(("name", "prefix", "sniffed"), [
    ("skopeo_tar", "docker-archive", "docker-archive"),
    ("docker25", "docker-archive", "oci-archive"),
    ("docker25_gz", "docker-archive", "oci-archive"),
    ("multi_oci", "oci-archive", None),
    ("docker25", "oci-archive", "oci-archive"),
])
def test_archives_bare_and_prefixed(local: Local, name: str, prefix: str,
                                    sniffed: str | None) -> None:
    """A docker >= 25 tar is sniffed as oci-archive (it has oci-layout and index.json)."""
    path: Path = getattr(local, name)
    expected = w.skopeo_env(f"oci:{local.layout}:amd64")
    explicit = read_image(f"{prefix}:{path}", platform=AMD)
    assert list(explicit.env) == expected
    assert explicit.transport == prefix
    if sniffed:
        bare = read_image(str(path), platform=AMD)
        assert bare.env == explicit.env
        assert bare.transport == sniffed
    if prefix == "docker-archive":
        assert explicit.verified and explicit.config_digest == explicit.digest


def test_docker25_archive_by_ref_both_ways(local: Local) -> None:
    by_tag = read_image(f"docker-archive:{local.docker25}:test/cuda:single", platform=AMD)
    by_index = read_image(f"oci-archive:{local.docker25}:single", platform=AMD)
    by_name = read_image(f"oci-archive:{local.docker25}:docker.io/test/cuda:single", platform=AMD)
    assert by_tag.env == by_index.env == by_name.env
    assert by_index.manifest_digest and by_tag.config_digest == by_index.config_digest


def test_skopeo_archive_matches_fully_qualified_tags(local: Local) -> None:
    info = read_image(f"docker-archive:{local.skopeo_tar}:test/cuda:single", platform=AMD)
    assert info.env[-1] == "FIXTURE_ARCH=amd64"
    with pytest.raises(ImageNotFound, match="no image tagged 'test/cuda:other'"):
        read_image(f"docker-archive:{local.skopeo_tar}:test/cuda:other", platform=AMD)


def test_host_only_archive_for_another_platform(local: Local) -> None:
    with pytest.raises(PlatformMismatch, match="image is linux/amd64, target is linux/arm64"):
        read_image(str(local.host_only), platform=ARM)
    assert read_image(str(local.host_only), platform=AMD).env[-1] == "FIXTURE_ARCH=amd64"


def test_multi_oci_archive_per_platform(local: Local) -> None:
    arm = read_image(f"oci-archive:{local.multi_oci}:multi", platform=ARM)
    assert arm.env[-1] == "FIXTURE_ARCH=arm64"


@pytest.mark.parametrize("compress", [bz2.compress, lzma.compress])
def test_bzip2_and_xz_archives(local: Local, tmp_path: Path, compress: object) -> None:
    out = tmp_path / "img.tar.x"
    out.write_bytes(compress(local.skopeo_tar.read_bytes()))  # type: ignore[operator]
    assert read_image(f"docker-archive:{out}", platform=AMD).env[-1] == "FIXTURE_ARCH=amd64"


def test_zstd_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "img.tar.zst"
    path.write_bytes(b"\x28\xb5\x2f\xfd" + b"\0" * 600)
    with pytest.raises(UnsupportedImage, match="zstd-compressed archives are not supported"):
        read_image(str(path), platform=AMD)


def _two_image_archive(local: Local, tmp_path: Path) -> Path:
    d25 = local.work / "d25"
    entry = json.loads((d25 / "manifest.json").read_text())[0]
    second = dict(entry, RepoTags=None)
    folder = tmp_path / "two"
    shutil.copytree(d25, folder)
    (folder / "manifest.json").write_text(json.dumps([entry, second]))
    out = tmp_path / "images.tar"
    _tar_dir(folder, out, ["manifest.json", "repositories", "blobs"])
    return out


def test_archive_with_two_images(local: Local, tmp_path: Path) -> None:
    archive = _two_image_archive(local, tmp_path)
    shown = str(archive)
    with pytest.raises(ArchiveError) as ctx:
        read_image(shown, platform=AMD)
    assert str(ctx.value) == (f"{shown}: archive holds 2 images; choose one: "
                              f"docker-archive:{shown}:test/cuda:single, docker-archive:{shown}:@1")
    assert read_image(f"docker-archive:{shown}:@1", platform=AMD).env[-1] == "FIXTURE_ARCH=amd64"
    with pytest.raises(InvalidReference, match="expected @N"):
        read_image(f"docker-archive:{shown}:@-1", platform=AMD)
    with pytest.raises(ImageNotFound, match="no image @2"):
        read_image(f"docker-archive:{shown}:@2", platform=AMD)


# --- hostile archives (§2.7, §7.10) --------------------------------------------------------------

CONFIG = b'{"architecture":"amd64","os":"linux","config":{"Env":["A=1"]}}'
MANIFEST = json.dumps([{"Config": "config.json", "RepoTags": ["x:1"], "Layers": []}]).encode()


@pytest.mark.parametrize(("members", "text"), [
    ([("manifest.json", MANIFEST), ("manifest.json", MANIFEST), ("config.json", CONFIG)],
     "ambiguous archive: member manifest.json appears 2 times"),
    ([("manifest.json", ("symlink", "/etc/passwd"))], "member manifest.json links outside"),
    ([("manifest.json", ("symlink", "../../etc/passwd"))], "member manifest.json links outside"),
    ([("manifest.json", ("symlink", "a")), ("a", ("symlink", "manifest.json"))],
     "is a link to a link"),
    ([("../manifest.json", MANIFEST), ("config.json", CONFIG), ("x", b"")],
     "is a tar archive but not an image archive"),
    ([("manifest.json", json.dumps([{"Config": "../../etc/passwd"}]).encode())],
     "archive has no member ../../etc/passwd"),
    ([("manifest.json", json.dumps([{"Config": "/etc/passwd"}]).encode())],
     "archive has no member /etc/passwd"),
    ([("manifest.json", b'{"not": "a list"}')], "manifest.json is not a list"),
    ([("manifest.json", b"[{")], "malformed JSON"),
])
def test_hostile_archives(tmp_path: Path, members: list[tuple[str, bytes | tuple[str, str]]],
                          text: str) -> None:
    path = _tar(tmp_path / "evil.tar", members)
    with pytest.raises(ImageError) as ctx:
        read_image(f"./{path.relative_to(Path.cwd())}" if path.is_relative_to(Path.cwd())
                   else str(path), platform=AMD)
    assert text in str(ctx.value)


def test_symlinked_member_is_followed_one_hop(tmp_path: Path) -> None:
    path = _tar(tmp_path / "ok.tar", [("real.json", MANIFEST), ("manifest.json",
                                                                 ("symlink", "./real.json")),
                                      ("config.json", CONFIG)])
    info = read_image(str(path), platform=AMD)
    assert info.env == ("A=1",) and not info.verified
    assert "config not digest-addressed; not verified" in info.warnings


def test_truncated_and_garbage_tar(tmp_path: Path, local: Local) -> None:
    data = local.skopeo_tar.read_bytes()
    cut = tmp_path / "cut.tar"
    cut.write_bytes(data[:700])
    with pytest.raises(ArchiveError):
        read_image(f"docker-archive:{cut}", platform=AMD)
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"\x01" * 2048)
    with pytest.raises(ArchiveError, match="bad tar header at offset 0"):
        read_image(f"docker-archive:{junk}", platform=AMD)


def test_compressed_archive_with_too_many_small_members(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from nvreq.images import tar

    monkeypatch.setattr(tar, "MAX_KEPT_TOTAL", 1000)
    plain = _tar(tmp_path / "many.tar", [(f"blobs/sha256/{i:064x}", b"x" * 300) for i in range(5)]
                 + [("manifest.json", MANIFEST)])
    packed = tmp_path / "many.tar.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    with pytest.raises(ArchiveError, match="too many small members to read in one pass"):
        read_image(str(packed), platform=AMD)


# --- classifying arguments (§2.1, §2.2) ----------------------------------------------------------

def test_classify_table(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "foo.tar").write_bytes(b"")
    (tmp_path / "ubuntu").mkdir()
    (tmp_path / "Dockerfile.gpu").write_text("FROM x\n")
    (tmp_path / "UPPER").write_text("x")
    assert classify("foo.tar") == ("local", "foo.tar")
    assert classify("bar.tar") == ("docker", "bar.tar")
    assert classify("ubuntu") == ("docker", "ubuntu")
    assert classify("./ubuntu") == ("local", "./ubuntu")
    assert classify("Dockerfile.gpu") == ("local", "Dockerfile.gpu")
    assert classify("UPPER") == ("local", "UPPER")
    assert classify("oci-archive:x.tar:v1") == ("oci-archive", "x.tar:v1")
    assert classify("docker://oci:5000/x") == ("docker", "oci:5000/x")


@pytest.mark.parametrize(("arg", "error", "text"), [
    ("ftp://x/y", InvalidReference, 'unknown transport "ftp"'),
    ("dir:/tmp/image", InvalidReference, 'unknown transport "dir"'),
    ("sif:x.sif", InvalidReference, 'unknown transport "sif"'),
    ("mystore:/images/x", InvalidReference, 'unknown transport "mystore"'),
    ("containers-storage:x", UnsupportedImage, "docker-daemon:"),
    ("./does-not-exist", ImageError, "./does-not-exist: no such file or directory"),
    ("Ubuntu", InvalidReference, 'invalid image reference "Ubuntu": repository name must be '
                                 "lowercase"),
])
def test_bad_arguments(arg: str, error: type[Exception], text: str) -> None:
    with pytest.raises(error) as ctx:
        read_image(arg, platform=AMD)
    assert text in str(ctx.value)


def test_unknown_file_and_plain_tar(tmp_path: Path) -> None:
    odd = tmp_path / "odd.bin"
    odd.write_bytes(b"\x00\x01binary")
    with pytest.raises(ImageError, match=r"cannot tell what .* is; use oci:"):
        read_image(str(odd), platform=AMD)
    plain = _tar(tmp_path / "plain.tar", [("hello.txt", b"hi")])
    with pytest.raises(ImageError, match="is a tar archive but not an image archive"):
        read_image(str(plain), platform=AMD)


def test_sniffed_directory_layout(local: Local) -> None:
    with pytest.raises(ImageError, match="more than one image"):
        read_image(str(local.layout), platform=AMD)


# --- the Engine API (row 13) ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def dockerd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    work = tmp_path_factory.mktemp("dockerd")
    procs, sockets = [], {}
    for api in ("1.41", "1.49"):
        sock = work / f"d{api}.sock"
        procs.append(subprocess.Popen([sys.executable, str(HERE / "fakedockerd.py"),
                                       str(sock), str(HERE / "daemon-images.json"),
                                       api]))
        sockets[api] = f"unix://{sock}"
    end = time.monotonic() + 10
    while not all(Path(s[7:]).exists() for s in sockets.values()):
        if time.monotonic() > end:
            raise RuntimeError("fakedockerd did not start")
        time.sleep(0.05)
    yield sockets
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=5)


def test_daemon_present(dockerd: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", dockerd["1.41"])
    info = read_image("docker-daemon:test/cuda:single", platform=AMD)
    assert info.env[-1] == "FIXTURE_ARCH=amd64" and not info.verified
    assert info.digest == info.config_digest and str(info.digest).startswith("sha256:6c8c")
    by_id = read_image("docker-daemon:6c8c6f1b1f3c", platform=AMD)
    assert by_id.env == info.env


def test_daemon_absent_image(dockerd: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", dockerd["1.41"])
    with pytest.raises(ImageNotFound, match="No such image: test/cuda:nope"):
        read_image("docker-daemon:test/cuda:nope", platform=AMD)


def test_daemon_other_platform(dockerd: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", dockerd["1.41"])
    with pytest.raises(PlatformMismatch, match="re-points the local tag"):
        read_image("docker-daemon:test/cuda:arm", platform=AMD)
    assert read_image("docker-daemon:test/cuda:arm", platform=ARM).platform == "linux/arm64/v8"
    monkeypatch.setenv("DOCKER_HOST", dockerd["1.49"])
    assert read_image("docker-daemon:test/cuda:arm", platform=AMD).env[-1] == "FIXTURE_ARCH=amd64"


def test_daemon_duplicate_keys(dockerd: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", dockerd["1.41"])
    with pytest.raises(InvalidImageConfig, match='keys "Env" and "env" both present'):
        read_image("docker-daemon:test/dupkey:1", platform=AMD)


def test_daemon_unreachable_and_unsupported(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/none.sock")
    with pytest.raises(DaemonError, match=f"cannot connect to the Docker daemon at "
                                          f"unix://{tmp_path}/none.sock: No such file"):
        read_image("docker-daemon:x", platform=AMD)
    monkeypatch.setenv("DOCKER_HOST", "tcp://127.0.0.1:2375")
    with pytest.raises(DaemonError, match="unsupported DOCKER_HOST scheme tcp://"):
        read_image("docker-daemon:x", platform=AMD)


def test_daemon_context_endpoint(dockerd: dict[str, str], tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    monkeypatch.delenv("DOCKER_HOST", raising=False)
    monkeypatch.setenv("DOCKER_CONFIG", str(tmp_path))
    (tmp_path / "config.json").write_text('{"currentContext": "rootless"}')
    meta = tmp_path / "contexts" / "meta" / hashlib.sha256(b"rootless").hexdigest()
    meta.mkdir(parents=True)
    (meta / "meta.json").write_text(json.dumps(
        {"Name": "rootless", "Endpoints": {"docker": {"Host": dockerd["1.41"]}}}))
    assert read_image("docker-daemon:test/cuda:single", platform=AMD).env


# --- import hygiene and offline reading (row 16, §6.3) -------------------------------------------

def test_local_reads_import_no_network_modules(local: Local) -> None:
    code = f"""
import sys
import nvreq, nvreq.cli.main, nvreq.images
heavy = {{"http.client", "ssl", "email", "urllib.request", "tarfile"}}
assert not heavy & set(sys.modules), heavy & set(sys.modules)
from nvreq.images import read_image
for ref in ("oci:{local.layout}:multi", "{local.docker25_gz}", "{local.skopeo_tar}",
            "oci-archive:{local.multi_oci}:multi"):
    read_image(ref, platform="linux/amd64")
bad = {{"http.client", "ssl", "urllib.request", "tarfile"}} & set(sys.modules)
assert not bad, bad
print("clean")
"""
    env = {**os.environ, "PYTHONPATH": str(Path.cwd())}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          timeout=60)
    assert done.stdout.strip() == "clean", done.stderr
