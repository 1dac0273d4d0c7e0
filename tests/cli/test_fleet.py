"""``nvreq fleet`` and ``nvreq affinity`` on the command line: outputs, exit codes, errors."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

from nvreq.cli.main import COMMANDS, main
from tests import k8s_matcher

ROOT = Path(__file__).resolve().parents[2]
NODELIST = str(ROOT / "tests" / "data" / "nodelist-gfd.json")
EXAMPLE = str(ROOT / "examples" / "cuda-12.4.1-base-ubuntu22.04.env")


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_commands_are_registered() -> None:
    assert COMMANDS["fleet"] == "nvreq.cli.fleet" and COMMANDS["affinity"] == "nvreq.cli.affinity"


def test_fleet_table_summarises_who_runs_what(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "fleet", "--hosts", NODELIST, "--env-file", EXAMPLE,
                         "-e", "NVIDIA_REQUIRE_ARCH=arch>=8.0")
    assert code == 1
    assert "8 hosts in 7 groups of identical profiles" in out
    assert "not evaluated, no GPU: cpu-1" in out
    summary = out[out.index(f"{EXAMPLE}: runs on"):]
    assert summary.startswith(f"{EXAMPLE}: runs on 4 of 8 hosts")
    # GFD publishes no brand: the A100s (CUDA 12.2) need the R535 brand term, which fails
    assert "(a100-r535): requirement error: unsatisfied condition: cuda>=12.4" in summary
    assert "(t4-old): requirement error: unsatisfied condition: arch>=8.0\n" in summary
    assert "(plugin-only): requirement error: unsatisfied condition: arch>=8.0 (decided by " \
        "unknown facts)" in summary
    assert "approximate (every group):" in out
    assert not err


def test_fleet_json_and_csv(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "fleet", "--hosts", NODELIST, "--env-file", EXAMPLE, "--json",
                       "--require", "any")
    assert code == 0
    data = json.loads(out)
    assert data["summary"][EXAMPLE] == {"satisfied": 4, "unsatisfied": 4}
    by_host = {h["host"]: h for h in data["hosts"]}
    assert by_host["plugin-only"]["images"][EXAMPLE]["verdict"] == "unsatisfied"
    assert data["non_gpu"] == [{"node": "cpu-1", "why": "no GPU Feature Discovery labels and no "
                                "nvidia.com/gpu capacity"}]
    assert by_host["h100-a"]["group"] == by_host["h100-b"]["group"]
    code, out, _ = run(capsys, "fleet", "--hosts", NODELIST, "--env-file", EXAMPLE, "--csv")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert len(rows) == 8 and rows[0].keys() == {"host", "image", "verdict", "would_be",
                                                 "message", "notes"}


def test_fleet_on_profiles_with_env_entries_only(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "fleet", "--hosts", "preset:h100-r550", "--hosts",
                       "preset:t4-r470", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.0",
                       "-e", "NVIDIA_VISIBLE_DEVICES=all")
    assert code == 1 and "env: runs on 1 of 2 hosts" in out
    code, _, _ = run(capsys, "fleet", "--hosts", "preset:h100-r550", "--hosts",
                     "preset:t4-r470", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.0", "-e",
                     "NVIDIA_VISIBLE_DEVICES=all", "--require", "any")
    assert code == 0


@pytest.mark.parametrize(("argv", "message"), [
    (["--hosts", "preset:h100-r550"], "nothing to evaluate"),
    (["--hosts", "/nonexistent.json", "-e", "A=1"], "cannot read hosts file /nonexistent.json"),
    (["--hosts", "preset:nope", "-e", "A=1"], "No preset named 'nope'"),
])
def test_fleet_bad_input_exits_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                                 message: str) -> None:
    code, _, err = run(capsys, "fleet", *argv)
    assert code == 2 and message in err and "Traceback" not in err


def test_fleet_image_arguments_need_the_image_reader(capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "nvreq.images", None)
    code, _, err = run(capsys, "fleet", "nvidia/cuda:12.4.1-base", "--hosts", "preset:t4-r470")
    assert code == 2 and "give its environment with --env-file" in err


def test_affinity_yaml_by_default(capsys: pytest.CaptureFixture[str]) -> None:
    yaml = pytest.importorskip("yaml")
    code, out, err = run(capsys, "affinity", "--env-file", EXAMPLE)
    assert code == 0
    data = yaml.safe_load(out)
    assert k8s_matcher.matches(data, {"nvidia.com/cuda.runtime-version.major": "12",
                                      "nvidia.com/cuda.runtime-version.minor": "4"})
    assert "terms with a brand clause were dropped" in err


def test_affinity_with_nfd_labels_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "affinity", "--env-file", EXAMPLE, "--nfd", "--json")
    data = json.loads(out)
    labels = {"nvidia.com/cuda.driver-version.major": "535", "nvidia.com/cuda.runtime-version."
              "major": "12", "nvidia.com/cuda.runtime-version.minor": "2",
              "feature.node.kubernetes.io/gpu-brand": "nvidia"}
    assert code == 0 and k8s_matcher.matches(data, labels)
    assert not k8s_matcher.matches(data, {**labels, "feature.node.kubernetes.io/gpu-brand": "x"})


def test_affinity_with_brand_map_and_existing(capsys: pytest.CaptureFixture[str],
                                              tmp_path: Path) -> None:
    brand_map = tmp_path / "map.json"
    brand_map.write_text('{"Tesla-T4": "tesla"}')
    existing = tmp_path / "existing.json"
    existing.write_text(json.dumps({"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "pool", "operator": "In", "values": ["gpu"]}]}]}}}))
    code, out, _ = run(capsys, "affinity", "-e", "NVIDIA_VISIBLE_DEVICES=all", "-e",
                       "NVIDIA_REQUIRE_CUDA=brand=tesla,driver>=470", "--brand-map",
                       str(brand_map), "--existing", str(existing), "--json")
    (term,) = json.loads(out)["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"]
    assert code == 0 and [e["key"] for e in term["matchExpressions"]] == [
        "pool", "nvidia.com/gpu.product", "nvidia.com/cuda.driver-version.major"]


@pytest.mark.parametrize(("argv", "message"), [
    (["-e", "NVIDIA_VISIBLE_DEVICES=all", "-e", "NVIDIA_REQUIRE_CUDA=brand=tesla"],
     "no node can satisfy these requirements under brand policy drop"),
    (["-e", "CUDA_VERSION=foo"], "invalid CUDA version foo"),
    (["-e", "A=1", "--brand-policy", "label"], "needs --brand-label"),
    (["-e", "A=1", "--brand-policy", "product-map"], "needs --brand-map"),
])
def test_affinity_errors_exit_2(capsys: pytest.CaptureFixture[str], argv: list[str],
                                message: str) -> None:
    code, out, err = run(capsys, "affinity", *argv)
    assert code == 2 and message in err and not out


def test_affinity_takes_one_environment(capsys: pytest.CaptureFixture[str],
                                        tmp_path: Path) -> None:
    other = tmp_path / "other.env"
    other.write_text("A=1\n")
    code, _, err = run(capsys, "affinity", "--env-file", EXAMPLE, "--env-file", str(other))
    assert code == 2 and "one image or one environment" in err


def test_affinity_not_a_gpu_container_prints_empty(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "affinity", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12", "--json")
    assert code == 0 and json.loads(out) == {} and "not a GPU container" in err


def test_one_host_is_counted_in_the_singular_and_an_unused_legend_is_not_shown(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "fleet", "--hosts", "preset:h100-r550", "-e",
                    "NVIDIA_REQUIRE_CUDA=cuda>=12.0", "-e", "NVIDIA_VISIBLE_DEVICES=all")
    assert out.startswith("1 host in 1 group of identical profiles")
    assert "yes*" not in out


def test_the_not_checked_legend_shows_with_a_not_checked_cell(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "fleet", "--hosts", "preset:h100-r550", "-e",
                    "NVIDIA_REQUIRE_CUDA=cuda>=12.0")
    assert "(yes* = not checked by the runtime" in out
