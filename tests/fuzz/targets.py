"""Every parser and entry point the campaign drives, each with its seeds and what it may raise.

A target takes one mutated text and calls nvreq the way a user's input reaches it. Anything
other than a result or an allowed error (``NvreqError``; ``OSError`` where the caller maps it) is
a crash.
"""

from __future__ import annotations

import json
import os
import random
import socket
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from nvreq.errors import NvreqError

__all__ = ["TARGETS", "Target"]

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
LAYOUT = ROOT / "examples" / "cuda-12.4.1-layout"
PRESETS = ("h100-r550", "a100-mig-r535", "t4-r470", "jetson-csv", "h200-r580", "rtx4090-r550")


@dataclass(frozen=True)
class Target:
    """One entry point: ``run(text, rng)`` calls it; ``allowed`` are the clear refusals."""

    name: str
    seeds: Callable[[], list[str]]
    run: Callable[[str, random.Random], object]
    allowed: tuple[type[BaseException], ...] = (NvreqError,)


@cache
def _scratch() -> Path:
    return Path(tempfile.mkdtemp(prefix="nvreq-fuzz-"))


def _file(name: str, text: str) -> str:
    path = _scratch() / f"{os.getpid()}-{name}"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    return str(path)


@cache
def _env_values() -> list[str]:
    rows = [json.loads(line) for line in (DATA / "real-env-sample.jsonl").read_text().splitlines()]
    return [f"{r['var']}={r['value']}" for r in rows]


@cache
def _requirements() -> list[str]:
    return [e.split("=", 1)[1] for e in _env_values() if e.startswith("NVIDIA_REQUIRE")] + [
        "cuda>=12.4 brand=tesla,driver>=470,driver<471", "arch>=8.0 cuda>=11.8",
        "driver>=535.104.05",
        "cuda>=12.0,cuda<13 brand=nvidiartx,driver>=525", ", cuda>=99", "cuda>=1.2.3.4.5"]


# -- requirement text: both front ends, lint, the compiled form and the Go evaluator ------------

def _requirement(text: str, rng: random.Random) -> object:
    from nvreq.host.profile import HostProfile
    from nvreq.require.lint import lint_requirement
    from nvreq.require.syntax import parse_requirement
    from nvreq.require.toolkit import facts_for_csv_host, parse_clause

    text = text.replace("\0", "")
    fast = parse_requirement(text)
    lark = parse_requirement(text, parser="lark")
    assert str(fast) == str(lark), (fast, lark)
    lint_requirement(fast, "NVIDIA_REQUIRE_CUDA")
    for alternative in fast.alternatives:
        for clause in alternative.clauses:
            _ = clause.overflows, clause.problem, clause.is_long
    fast.compile()
    facts_for_csv_host(HostProfile.preset(rng.choice(PRESETS)))
    for piece in text.split(",")[:8]:
        parse_clause(piece, rng.choice(("newest", "1.20")))
    return fast


# -- check_env: random env, host and keyword arguments -------------------------------------------

def _check_env(text: str, rng: random.Random) -> object:
    from nvreq.check.checker import check_env
    from nvreq.host.profile import HostProfile

    env = [line for line in text.split("\n") if line]
    kwargs: dict[str, object] = {}
    if rng.random() < 0.3:
        kwargs["semantics"] = rng.choice(("cli", "toolkit"))
    if rng.random() < 0.3:
        kwargs["mode"] = rng.choice(("legacy", "jit-cdi", "cdi", "csv", "auto"))
    if rng.random() < 0.3:
        kwargs["unknown"] = rng.choice(("assume", "fail"))
    if rng.random() < 0.2:
        kwargs["privileged"] = rng.random() < 0.5
    if rng.random() < 0.2:
        kwargs["gpus"] = rng.choice(("all", "2", "device=0,1", "count=999999999999999", "0"))
    report = check_env(env, HostProfile.preset(rng.choice(PRESETS)), **kwargs)  # type: ignore[arg-type]
    report.to_dict()
    report.explain()
    return report


def _env_seeds() -> list[str]:
    values = _env_values()
    rng = random.Random(7)
    return ["\n".join([*rng.sample(values, rng.randint(1, 6)), "NVIDIA_VISIBLE_DEVICES=all"])
            for _ in range(40)]


def _gpus(text: str, rng: random.Random) -> object:
    from nvreq.devices.gpus_flag import plan_gpus_flags

    return plan_gpus_flags(["NVIDIA_REQUIRE_CUDA=cuda>=12"], text.split("\n")[:3],
                           docker=rng.choice((None, "27.0", "28.1", "29.2.0")))


# -- host files -----------------------------------------------------------------------------------

def _profile(text: str, rng: random.Random) -> object:
    from nvreq.host.sources import parse_profile_text

    return parse_profile_text(text, rng.choice(("json", "toml")), source="fuzz")


def _profile_seeds() -> list[str]:
    presets = ROOT / "nvreq" / "host" / "presets"
    seeds = [p.read_text() for p in sorted(presets.glob("*.json"))]
    return [*seeds, (DATA / "h200-live-profile.json").read_text(),
            'driver = "550.54.15"\ncuda = "12.4"\n[[gpus]]\nindex = 0\nbrand = "tesla"\n']


def _xml(text: str, rng: random.Random) -> object:
    from nvreq.host.importers.nvidia_smi import parse_nvidia_smi_xml

    return parse_nvidia_smi_xml(text if rng.random() < 0.5 else text.encode(
        "utf-8", "surrogateescape"), source="fuzz")


_CLI_INFO = ("NVRM version:   550.54.15\nCUDA version:   12.4\n\nDevice Index:   0\n"
             "Device Minor:   0\nModel:          NVIDIA H100 80GB HBM3\nBrand:          Nvidia\n"
             "GPU UUID:       GPU-8f3e0c4a-1b2d-4c5e-9f60-718293a4b5c6\n"
             "Bus Location:   00000000:3b:00.0\nArchitecture:   9.0\n")
_CLI_CSV = ("NVRM version,CUDA version\n550.54.15,12.4\n\nDevice Index,Device Minor,Model,Brand,"
            "GPU UUID,Bus Location,Architecture\n0,0,NVIDIA H100,Nvidia,GPU-8f3e,"
            "00000000:3b:00.0,9.0\n")


def _container_cli(text: str, rng: random.Random) -> object:
    from nvreq.host.importers.container_cli import parse_container_cli_info

    return parse_container_cli_info(text, source="fuzz")


def _smi_text(text: str, rng: random.Random) -> object:
    from nvreq.host.importers.nvidia_smi import parse_compute_caps, parse_gpu_list

    return parse_compute_caps(text) if rng.random() < 0.5 else parse_gpu_list(text)


# -- files a user names ---------------------------------------------------------------------------

def _env_file(text: str, rng: random.Random) -> object:
    from nvreq.cli._common import read_env_file

    return read_env_file(_file("env", text))


def _dockerfile(text: str, rng: random.Random) -> object:
    from nvreq.images import read_image

    return read_image(f"dockerfile:{_file('Dockerfile', text)}", no_base=True,
                      platform="linux/amd64")


_DOCKERFILES = [
    "FROM scratch\nENV NVIDIA_VISIBLE_DEVICES=all NVIDIA_REQUIRE_CUDA=\"cuda>=12.4\"\n",
    "# escape=`\nARG V=12.4\nFROM scratch AS base\nENV CUDA_VERSION=${V} \\\n    A=1\n"
    "FROM base\nENV NVIDIA_REQUIRE_CUDA=cuda>=${CUDA_VERSION%.*}\n",
    "\ufeffFROM scratch\r\nENV A 1\r\nLABEL x=y\r\n",
]


def _reference(text: str, rng: random.Random) -> object:
    from nvreq.images.reference import is_reference, parse_reference
    from nvreq.images.transports import classify

    is_reference(text)
    classify(text)
    return parse_reference(text)


_REFERENCES = ["nvidia/cuda:12.4.1-base-ubuntu22.04", "localhost:5000/a/b@sha256:" + "a" * 64,
               "docker-archive:/tmp/x.tar:@0", "oci:/tmp/layout:tag", "docker-daemon:img:1",
               "registry.example.com:443/ns/img:tag@sha256:" + "0" * 64, "dockerfile:./Dockerfile"]


# -- image documents, layouts and archives --------------------------------------------------------

def _document(text: str, rng: random.Random) -> object:
    from nvreq.images.documents import parse_config, parse_document

    data = text.encode("utf-8", "surrogateescape")
    return parse_config(data) if rng.random() < 0.5 else parse_document(data)


def _documents() -> list[str]:
    blobs = [p.read_bytes() for p in sorted((LAYOUT / "blobs" / "sha256").iterdir())]
    return [b.decode() for b in blobs if b.startswith(b"{")]


def _layout(text: str, rng: random.Random) -> object:
    import shutil

    from nvreq.images import read_image

    folder = _scratch() / f"{os.getpid()}-layout"
    if not folder.exists():
        shutil.copytree(LAYOUT, folder)
    (folder / "index.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    return read_image(f"oci:{folder}", platform=rng.choice(("linux/amd64", "linux/arm64")))


def _archive(text: str, rng: random.Random) -> object:
    from nvreq.images import read_image

    data = text.encode("latin-1", "replace")
    path = _scratch() / f"{os.getpid()}-image.tar"
    path.write_bytes(data)
    return read_image(f"docker-archive:{path}", platform="linux/amd64")


@cache
def _tar_seed() -> str:
    import io
    import tarfile

    blobs = {p.name: p.read_bytes() for p in (LAYOUT / "blobs" / "sha256").iterdir()}
    conf_name = next(n for n, b in blobs.items() if b"NVARCH=x86_64" in b)
    manifest = json.dumps([{"Config": f"{conf_name}.json", "RepoTags": ["a:1"],
                            "Layers": []}]).encode()
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in (("manifest.json", manifest), (f"{conf_name}.json", blobs[conf_name])):
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue().decode("latin-1")


# -- Kubernetes NodeLists -------------------------------------------------------------------------

def _nodelist(text: str, rng: random.Random) -> object:
    from nvreq.fleet.inputs import hosts_from_data
    from nvreq.formats import jsontext

    try:
        data = jsontext.loads(text)
    except ValueError:
        return None
    return hosts_from_data(data, source="fuzz")


# -- the registry wire: a peer's bytes through the HTTP client ------------------------------------

def _http(text: str, rng: random.Random) -> object:
    from nvreq.images.wire import BodyTooLarge, Connection

    ours, theirs = socket.socketpair()
    with ours, theirs:
        theirs.sendall(text.encode("latin-1", "replace")[:200_000])
        theirs.shutdown(socket.SHUT_WR)
        ours.settimeout(5)
        conn = Connection(ours, "fuzz")
        try:
            conn.send("GET", "/v2/", {}, None)
            return conn.body(1 << 20)
        except BodyTooLarge:
            return None
        finally:
            conn.close()


_RESPONSES = [
    "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}",
    "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX: y\r\n\r\n",
    "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer "
    "realm=\"https://auth\",service=\"r\"\r\nContent-Length: 0\r\n\r\n",
    "HTTP/1.0 200 OK\r\nConnection: close\r\n\r\n[1,2,3]",
]


# -- what the webhook and the bundle checker read -------------------------------------------------

def _review(text: str, rng: random.Random) -> object:
    from nvreq.webhook.review import parse_review

    return parse_review(text.encode("utf-8", "surrogateescape"))


def _review_seeds() -> list[str]:
    from tests.webhook.kit import body, pod

    return [body(pod()).decode()]


def _control(text: str, rng: random.Random) -> object:
    from nvreq.bundle.control import parse_paragraphs, valid_version

    for word in text.split()[:20]:
        valid_version(word)
    return parse_paragraphs(text, source="fuzz")


_CONTROL = ["Package: nvidia-container-toolkit\nVersion: 1.17.8-1\nArchitecture: amd64\n"
            "Depends: nvidia-container-toolkit-base (= 1.17.8-1), libnvidia-container-tools "
            "(>= 1.17.8-1), libnvidia-container-tools (<< 2.0.0)\nDescription: x\n more\n\n"
            "Package: docker-ce\nVersion: 5:27.3.1-1~ubuntu.22.04~jammy\n"]


TARGETS: dict[str, Target] = {t.name: t for t in (
    Target("requirement", _requirements, _requirement),
    Target("check_env", _env_seeds, _check_env),
    Target("gpus", lambda: ["all", "2", "device=0,2", '"device=0,1",capabilities=compute',
                            "count=all,driver=nvidia", "options=a=b"], _gpus),
    Target("host-profile", _profile_seeds, _profile),
    Target("nvidia-smi-xml", lambda: [(DATA / "h200-nvidia-smi-q.xml").read_text()], _xml),
    Target("container-cli-info", lambda: [_CLI_INFO, _CLI_CSV], _container_cli),
    Target("nvidia-smi-text", lambda: ["0, 9.0\n1, 8.6\n", "GPU 0: NVIDIA A100 (UUID: GPU-1)\n"
                                       "  MIG 1g.5gb Device 0: (UUID: MIG-2)\n"], _smi_text),
    Target("env-file", lambda: ["A=1\n# c\nNVIDIA_REQUIRE_CUDA=cuda>=12\n",
                                '["A=1", "B=2"]', '{"A": "1"}'], _env_file),
    Target("dockerfile", lambda: _DOCKERFILES, _dockerfile),
    Target("image-reference", lambda: _REFERENCES, _reference),
    Target("image-document", _documents, _document),
    Target("oci-layout", lambda: [(LAYOUT / "index.json").read_text()], _layout),
    Target("docker-archive", lambda: [_tar_seed()], _archive),
    Target("nodelist", lambda: [(DATA / "nodelist-gfd.json").read_text()], _nodelist),
    Target("http-response", lambda: _RESPONSES, _http, (NvreqError, OSError)),
    Target("admission-review", _review_seeds, _review),
    Target("debian-control", lambda: _CONTROL, _control),
)}
