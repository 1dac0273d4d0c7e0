"""The bundled example layout (examples/): reproducible, readable, and the real 12.4.1 Env."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from nvreq.images import read_image

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = ROOT / "examples" / "cuda-12.4.1-layout"
sys.path.insert(0, str(ROOT / "examples"))

from build_example_image import REQUIRE_AMD64, build  # type: ignore[import-not-found]  # noqa: E402


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_checked_in_layout_is_what_the_script_builds(tmp_path: Path) -> None:
    build(tmp_path / "fresh")
    assert _files(tmp_path / "fresh") == _files(LAYOUT)


@pytest.mark.parametrize(("platform", "require"), [
    ("linux/amd64", REQUIRE_AMD64), ("linux/arm64", "cuda>=12.4")])
def test_example_env(platform: str, require: str) -> None:
    info = read_image(f"oci:{LAYOUT}", platform=platform)
    env = info.env_map
    assert env["NVIDIA_REQUIRE_CUDA"] == require
    assert (env["CUDA_VERSION"], env["NVIDIA_VISIBLE_DEVICES"],
            env["NVIDIA_DRIVER_CAPABILITIES"]) == ("12.4.1", "all", "compute,utility")
    assert info.verified and info.index_digest


def test_amd64_requirement_shape() -> None:
    terms = REQUIRE_AMD64.split(" ")
    assert len(terms) == 31 and len(REQUIRE_AMD64) == 1126
    assert terms[1] == "brand=tesla,driver>=470,driver<471"
    assert terms[-1] == "brand=titanrtx,driver>=535,driver<536"


@pytest.mark.skipif(shutil.which("skopeo") is None, reason="skopeo not installed")
def test_skopeo_reads_the_same_env() -> None:
    import json
    import subprocess

    out = subprocess.run(["skopeo", "inspect", "--override-arch", "amd64", "--config",
                          f"oci:{LAYOUT}:12.4.1-base-ubuntu22.04"], capture_output=True,
                         text=True, check=True).stdout
    assert tuple(json.loads(out)["config"]["Env"]) == read_image(
        f"oci:{LAYOUT}", platform="linux/amd64").env
