"""``fleet`` and ``affinity`` read images as ``check`` does: each host with its own platform's
config, the image options of ``check``, per-architecture affinity terms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nvreq.cli.main import main
from nvreq.host.profile import HostProfile
from tests import k8s_matcher
from tests.images.layouts import write_layout

VISIBLE = "NVIDIA_VISIBLE_DEVICES=all"
AMD_ENV = [VISIBLE, "NVIDIA_REQUIRE_CUDA=cuda>=12.0"]
ARM_ENV = [VISIBLE, "NVIDIA_REQUIRE_CUDA=cuda>=12.8"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def image(tmp_path: Path) -> str:
    return write_layout(tmp_path / "layout", {"linux/amd64": AMD_ENV, "linux/arm64": ARM_ENV})


@pytest.fixture
def hosts(tmp_path: Path) -> str:
    amd = HostProfile.preset("h100-r550").to_dict()
    arm = {**amd, "name": "gh200", "platform": "linux/arm64"}
    path = tmp_path / "hosts.json"
    path.write_text(json.dumps([{**amd, "name": "x86"}, arm]))
    return str(path)


def test_check_on_an_arm64_host_reads_the_arm64_config(capsys: pytest.CaptureFixture[str],
                                                       image: str, hosts: str) -> None:
    arm = json.loads(Path(hosts).read_text())[1]
    host = Path(hosts).with_name("arm.json")
    host.write_text(json.dumps(arm))
    assert run(capsys, "check", image, "--host", str(host))[0] == 1
    assert run(capsys, "check", image, "--host", "preset:h100-r550")[0] == 0


def test_fleet_evaluates_each_host_with_its_platform_config(
        capsys: pytest.CaptureFixture[str], image: str, hosts: str) -> None:
    code, out, _ = run(capsys, "fleet", image, "--hosts", hosts, "--json")
    verdicts = {h["host"]: h["images"][image]["verdict"] for h in json.loads(out)["hosts"]}
    assert code == 1 and verdicts == {"x86": "satisfied", "gh200": "unsatisfied"}


def test_fleet_platform_option_reads_one_config_for_every_host(
        capsys: pytest.CaptureFixture[str], image: str, hosts: str) -> None:
    code, out, _ = run(capsys, "fleet", image, "--hosts", hosts, "--json",
                       "--platform", "linux/amd64")
    verdicts = {h["host"]: h["images"][image]["verdict"] for h in json.loads(out)["hosts"]}
    assert code == 0 and set(verdicts.values()) == {"satisfied"}


def test_fleet_host_of_a_platform_the_image_lacks_is_an_error(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, hosts: str) -> None:
    only_amd = write_layout(tmp_path / "amd", {"linux/amd64": AMD_ENV})
    _, out, _ = run(capsys, "fleet", only_amd, "--hosts", hosts, "--json")
    rows = {h["host"]: h["images"][only_amd] for h in json.loads(out)["hosts"]}
    assert rows["x86"]["verdict"] == "satisfied" and rows["gh200"]["verdict"] == "error"
    assert "linux/arm64" in rows["gh200"]["message"]


def test_fleet_and_affinity_take_the_image_options(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("fleet", "affinity"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        out = capsys.readouterr().out
        for option in ("--platform", "--authfile", "--insecure-registry", "--timeout"):
            assert option in out, (command, option)


def test_affinity_of_a_two_platform_image_has_terms_per_architecture(
        capsys: pytest.CaptureFixture[str], image: str) -> None:
    code, out, _ = run(capsys, "affinity", image, "--json")
    affinity = json.loads(out)
    cuda = {"nvidia.com/cuda.runtime-version.major": "12",
            "nvidia.com/cuda.runtime-version.minor": "4"}
    assert code == 0
    assert k8s_matcher.matches(affinity, {**cuda, "kubernetes.io/arch": "amd64"})
    assert not k8s_matcher.matches(affinity, {**cuda, "kubernetes.io/arch": "arm64"})
    assert k8s_matcher.matches(affinity, {**cuda, "nvidia.com/cuda.runtime-version.minor": "8",
                                          "kubernetes.io/arch": "arm64"})


def test_affinity_with_platform_admits_that_architecture_only(
        capsys: pytest.CaptureFixture[str], image: str) -> None:
    code, out, _ = run(capsys, "affinity", image, "--json", "--platform", "linux/arm64")
    affinity = json.loads(out)
    labels = {"nvidia.com/cuda.runtime-version.major": "12",
              "nvidia.com/cuda.runtime-version.minor": "8"}
    assert code == 0
    assert k8s_matcher.matches(affinity, {**labels, "kubernetes.io/arch": "arm64"})
    assert not k8s_matcher.matches(affinity, {**labels, "kubernetes.io/arch": "amd64"})


def test_affinity_of_an_image_alike_on_every_platform_has_no_arch_term(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    same = write_layout(tmp_path / "same", {"linux/amd64": AMD_ENV, "linux/arm64": AMD_ENV})
    code, out, _ = run(capsys, "affinity", same, "--json")
    assert code == 0 and "kubernetes.io/arch" not in out
