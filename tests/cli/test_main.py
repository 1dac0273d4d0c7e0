"""The command line: exit codes, JSON fields, errors without tracebacks."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from nvreq.cli.main import COMMANDS, build_parser, main

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "cuda-12.4.1-base-ubuntu22.04.env"


def only_report(out: str) -> dict[str, Any]:
    """The one report of an ``nvreq-check/1`` document."""
    doc = json.loads(out)
    assert doc["format"] == "nvreq-check/1" and len(doc["results"]) == 1
    report: dict[str, Any] = doc["results"][0]["report"]
    return report


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(("host", "code"), [("preset:h100-r550", 0), ("a100-r535", 0),
                                             ("t4-r470", 0), ("h200-r580", 0)])
def test_example_env_file_on_presets(capsys: pytest.CaptureFixture[str], host: str,
                                     code: int) -> None:
    assert run(capsys, "check", "--env-file", str(EXAMPLE), "--host", host)[0] == code


def test_unsatisfied_exits_1_and_json_has_the_fields(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.8", "-e",
                       "NVIDIA_VISIBLE_DEVICES=all", "--host", "h100-r550", "--json")
    assert code == 1
    data = only_report(out)
    assert data["verdict"] == "unsatisfied"
    assert data["runtime_message"].startswith(
        "requirement error: unsatisfied condition: cuda>=12.8")
    assert data["host"]["driver"] == "550.54.15"
    (req,) = data["requirements"]
    clause = req["evaluations"][0]["alternatives"][0]["clauses"][0]
    assert clause == {"clause": "cuda>=12.8", "key": "cuda", "span": [0, 10],
                      "outcome": "false", "actual": "12.4", "assumed": False, "reason": None}
    assert {a["code"] for a in data["advice"]} >= {"min-driver", "oldest-branch"}


def test_error_verdict_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "-e", "NVIDIA_REQUIRE_CUDA=foo=1", "-e",
                       "NVIDIA_VISIBLE_DEVICES=all", "--host", "h100-r550")
    assert code == 2
    assert "invalid expression" in out


def test_not_checked_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=99", "--host",
                       "h100-r550", "--json")
    assert code == 0
    assert only_report(out)["reason"] == "no-devices"


@pytest.mark.parametrize("argv", [
    ["check", "--host", "no-such-preset", "-e", "A=1"],
    ["check", "--host", "h100-r550"],
    ["check", "--env-file", "/nonexistent/file", "--host", "h100-r550"],
    ["check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=1\0", "--host", "h100-r550"],
])
def test_bad_input_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                          argv: list[str]) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2
    assert err.startswith("nvreq: error: ")
    assert "Traceback" not in err


def test_no_host_and_no_nvml_says_so(capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import nvreq.host.local
    from nvreq.host.nvml import NvmlError

    def fail(*_: object, **__: object) -> None:
        raise NvmlError("no NVIDIA driver found here (NVML library not found)")

    monkeypatch.setattr(nvreq.host.local, "local_host", fail)
    monkeypatch.delenv("NVREQ_HOST", raising=False)
    code, _, err = run(capsys, "check", "-e", "A=1")
    assert code == 2
    assert "no --host given" in err and "NVML" in err and "set NVREQ_HOST" in err


def test_nvreq_host_is_the_default_host_and_host_beats_it(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NVREQ_HOST", "preset:t4-r470")
    code, out, _ = run(capsys, "check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.0", "-e",
                       "NVIDIA_VISIBLE_DEVICES=all")
    assert code == 1 and "host: t4-r470" in out
    code, out, _ = run(capsys, "check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.0", "-e",
                       "NVIDIA_VISIBLE_DEVICES=all", "--host", "preset:h100-r550")
    assert code == 0 and "host: h100-r550" in out


def test_host_without_nvml_points_to_from(capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    import nvreq.host.local
    from nvreq.host.nvml import NvmlError

    def fail(*_: object, **__: object) -> None:
        raise NvmlError("nvidia-ml-py is not installed: pip install 'nvreq[nvml]'",
                        bindings_missing=True)

    monkeypatch.setattr(nvreq.host.local, "local_host", fail)
    code, _, err = run(capsys, "host")
    assert code == 2 and "nvreq[nvml]" in err and "--from FILE" in err
    assert "--host" not in err


def test_env_file_json_forms(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    listing = tmp_path / "env.json"
    listing.write_text(json.dumps(["NVIDIA_REQUIRE_CUDA=cuda>=99", "NVIDIA_VISIBLE_DEVICES=all"]))
    assert run(capsys, "check", "--env-file", str(listing), "--host", "h100-r550")[0] == 1
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2")
    code, _, err = run(capsys, "check", "--env-file", str(bad), "--host", "h100-r550")
    assert code == 2 and "invalid JSON at line 1" in err


def test_explain_and_lint(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "cuda>=12.4 brand=tesla,driver>=535,driver<536",
                       "--host", "a100-r535")
    assert code == 1
    assert "host cuda=12.2" in out
    code, out, _ = run(capsys, "lint", "cuda>=12.4 foo=1")
    assert code == 2
    assert "unknown-key" in out and "^^^" in out
    assert run(capsys, "lint", "cuda>=12.4")[0] == 0


def test_presets_calls_no_preset_the_default(capsys: pytest.CaptureFixture[str],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NVREQ_HOST", raising=False)
    code, out, _ = run(capsys, "presets")
    assert code == 0 and "h100-r550  " in out and "default" not in out


def test_presets_marks_the_one_nvreq_host_names(capsys: pytest.CaptureFixture[str],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NVREQ_HOST", "preset:t4-r470")
    _, out, _ = run(capsys, "presets")
    assert "t4-r470 (NVREQ_HOST)" in out


def test_explain_does_not_warn_about_the_visible_devices_it_assumed(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(capsys, "explain", "cuda>=12.0", "--host", "preset:h100-r550")
    assert "visible-devices-all" not in out
    _, out, _ = run(capsys, "explain", "cuda>=12.0", "--host", "preset:h100-r550",
                    "--visible-devices", "all")
    assert "visible-devices-all" in out


def test_python_dash_m_entry_point() -> None:
    proc = subprocess.run([sys.executable, "-m", "nvreq", "check", "--env-file", str(EXAMPLE),
                           "--host", "preset:h100-r550", "--json"],
                          capture_output=True, text=True, cwd=ROOT, check=False)
    assert proc.returncode == 0, proc.stderr
    assert only_report(proc.stdout)["verdict"] == "satisfied"


def test_gpus_flag_selects_as_docker_would(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--env-file", str(EXAMPLE), "--host", "h100-r550",
                       "--gpus", '"device=1,3"', "--json")
    assert code == 0
    data = only_report(out)
    assert data["requested"] == ["1", "3"]
    assert data["devices"] == ["GPU-00000000-0000-4000-8000-000000000001",
                               "GPU-00000000-0000-4000-8000-000000000003"]
    assert data["capabilities"] == ["compute", "utility"]
    assert data["gpu_container"] is True and data["mode"] == "legacy"


def test_unknown_device_is_the_runtimes_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--env-file", str(EXAMPLE), "--host", "h100-r550",
                       "-e", "NVIDIA_VISIBLE_DEVICES=9", "--json")
    assert code == 2
    data = only_report(out)
    assert data["verdict"] == "error"
    assert data["runtime_message"] == "device error: 9: unknown device"


def test_human_report_marks_the_selected_devices(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "--env-file", str(EXAMPLE), "--host", "a100-mig-r535",
                       "-e", "NVIDIA_VISIBLE_DEVICES=0:1")
    assert code == 0
    marked = [line.split()[1] for line in out.splitlines() if line.startswith("  *")]
    assert marked == ["0", "0:1"]


def test_not_a_gpu_container_has_null_capabilities(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", "-e", "NVIDIA_VISIBLE_DEVICES=void", "--host",
                       "h100-r550", "--json")
    data = only_report(out)
    assert (code, data["gpu_container"], data["capabilities"]) == (0, False, None)


LAYOUT = f"oci:{ROOT / 'examples' / 'cuda-12.4.1-layout'}"


def test_check_an_image_reports_it_in_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", LAYOUT, "--host", "preset:h100-r550", "--json")
    assert code == 0
    data = only_report(out)
    image = data["image"]
    assert set(image) == {"reference", "digest", "platform", "env"}
    assert image["reference"] == LAYOUT and image["platform"] == "linux/amd64"
    assert image["digest"].startswith("sha256:")
    assert "CUDA_VERSION=12.4.1" in image["env"]
    assert data["verdict"] == "satisfied"


def test_the_image_platform_follows_the_host(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "check", LAYOUT, "--host", "preset:h100-r550", "--platform",
                       "linux/arm64", "--json")
    assert code == 0
    data = only_report(out)
    assert data["image"]["platform"] == "linux/arm64"
    assert [r["value"] for r in data["requirements"]] == ["cuda>=12.4"]


def test_many_images_give_a_table_and_the_worst_exit_code(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    listing = tmp_path / "images.txt"
    listing.write_text(f"# fleet images\n{LAYOUT}\n\noci:{tmp_path / 'missing'}\n")
    code, out, _ = run(capsys, "check", LAYOUT, "--images-from", str(listing), "--host",
                       "t4-r470", "-e", "NVIDIA_REQUIRE_X=arch>=8.0")
    assert code == 2
    lines = out.splitlines()
    assert lines[0].split() == ["IMAGE", "VERDICT", "DIGEST", "WHY"]
    assert [line.split()[1] for line in lines[1:]] == ["unsatisfied", "unsatisfied", "error"]


def test_an_unreadable_image_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str],
                                                    tmp_path: Path) -> None:
    code, out, err = run(capsys, "check", f"oci:{tmp_path}", "--host", "t4-r470")
    assert (code, out) == (2, "")
    assert err.startswith(f"nvreq: error: oci:{tmp_path}") and err.count("\n") == 1


def test_oversized_env_file_is_refused_not_truncated(tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    big = tmp_path / "big.env"
    big.write_text("A=" + "x" * (1 << 20) + "\n")
    code, _, err = run(capsys, "check", "--env-file", str(big), "--host", "h100-r550")
    assert code == 2
    assert f"env file {big} is larger than 1 MiB" in err


@pytest.mark.parametrize("argv", [["--help"], ["-h", "check"], ["--help", "env"]])
def test_top_level_help_lists_every_command_wherever_the_command_name_is(
        capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    with pytest.raises(SystemExit) as ctx:
        main(argv)
    assert ctx.value.code == 0
    out = capsys.readouterr().out
    assert all(name in out for name in COMMANDS)


def test_a_command_builds_only_its_own_sub_parser() -> None:
    sub = next(a for a in build_parser("env")._actions if a.dest == "command")
    assert list(sub.choices or ()) == ["env"]
    full = next(a for a in build_parser()._actions if a.dest == "command")
    assert list(full.choices or ()) == list(COMMANDS)
