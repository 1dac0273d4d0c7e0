"""``-o text|json|yaml``: one document shape whatever the number of inputs, YAML equal to JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from nvreq.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = f"oci:{ROOT / 'examples' / 'cuda-12.4.1-layout'}"
ENV = ["-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.0", "-e", "NVIDIA_VISIBLE_DEVICES=all"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_one_image_and_two_images_give_the_same_envelope(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, one, _ = run(capsys, "check", LAYOUT, "--host", "preset:h100-r550", "-o", "json")
    _, two, _ = run(capsys, "check", LAYOUT, LAYOUT, "--host", "preset:h100-r550", "-o", "json")
    first, second = json.loads(one), json.loads(two)
    assert first["format"] == second["format"] == "nvreq-check/1"
    assert [r["image"] for r in first["results"]] == [LAYOUT]
    assert second["results"] == first["results"] * 2


def test_a_read_error_with_one_image_is_an_entry_on_stdout(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    missing = f"oci:{tmp_path / 'missing'}"
    code, out, err = run(capsys, "check", missing, "--host", "preset:h100-r550", "--json")
    assert code == 2
    (entry,) = json.loads(out)["results"]
    assert entry["image"] == missing and set(entry) == {"image", "error"}
    assert entry["error"]["message"] and entry["error"]["kind"]
    assert err.startswith(f"nvreq: error: {missing}: ")


def test_a_read_error_in_text_stays_one_line_on_stderr(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, out, err = run(capsys, "check", f"oci:{tmp_path / 'missing'}", "--host",
                         "preset:h100-r550")
    assert (code, out) == (2, "") and err.count("\n") == 1


def test_json_is_an_alias_of_dash_o_json(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "check", *ENV, "--host", "preset:t4-r470", "--json") == \
        run(capsys, "check", *ENV, "--host", "preset:t4-r470", "-o", "json")


@pytest.mark.parametrize("argv", [
    ["check", *ENV, "--host", "preset:t4-r470"],
    ["check", LAYOUT, LAYOUT, "--host", "preset:h100-r550"],
    ["explain", "cuda>=12.4 brand=tesla,driver>=535", "--host", "preset:a100-r535"],
    ["lint", "cuda>=12.4 foo=1", "brand=Yes"],
    ["env", LAYOUT, "--platform", "linux/amd64"],
    ["presets"],
    ["presets", "--show", "a100-mig-r535"],
    ["host", "--from", str(ROOT / "tests" / "data" / "h200-nvidia-smi-q.xml")],
    ["fleet", LAYOUT, "--hosts", "preset:h100-r550", "--hosts", "preset:t4-r470"],
    ["affinity", LAYOUT],
    ["doctor", "--root", str(ROOT / "tests" / "data")],
])
def test_yaml_output_reads_back_equal_to_json_output(capsys: pytest.CaptureFixture[str],
                                                     argv: list[str]) -> None:
    code_json, as_json, _ = run(capsys, *argv, "-o", "json")
    code_yaml, as_yaml, _ = run(capsys, *argv, "-o", "yaml")
    assert code_json == code_yaml
    assert yaml.safe_load(as_yaml) == json.loads(as_json)


@pytest.mark.parametrize(("argv", "kind"), [
    (["check", *ENV, "--host", "preset:t4-r470"], "nvreq-check/1"),
    (["explain", "cuda>=12.4", "--host", "preset:a100-r535"], "nvreq-check/1"),
    (["lint", "cuda>=12.4"], "nvreq-lint/1"),
    (["env", LAYOUT, "--platform", "linux/amd64"], "nvreq-image/1"),
    (["presets"], "nvreq-presets/1"),
    (["presets", "--show", "t4-r470"], "nvreq-host/1"),
    (["fleet", LAYOUT, "--hosts", "preset:h100-r550"], "nvreq-fleet/1"),
    (["doctor", "--root", str(ROOT / "tests" / "data")], "nvreq-doctor/1"),
])
def test_every_document_names_its_format(capsys: pytest.CaptureFixture[str], argv: list[str],
                                         kind: str) -> None:
    _, out, _ = run(capsys, *argv, "-o", "json")
    assert next(iter(json.loads(out))) == "format" and json.loads(out)["format"] == kind


def test_affinity_existing_values_that_look_like_booleans_stay_strings(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    existing = tmp_path / "existing.json"
    values = ["Yes", "On", "No", "Null", "~", "0x1F", "1e3", "-", ": ", " x", "é"]
    existing.write_text(json.dumps({"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "On", "operator": "In", "values": values}]}]}}}))
    code, out, _ = run(capsys, "affinity", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.0", "-e",
                       "NVIDIA_VISIBLE_DEVICES=all", "--existing", str(existing))
    terms = yaml.safe_load(out)["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"]
    assert code == 0 and terms[0]["matchExpressions"][0] == {
        "key": "On", "operator": "In", "values": values}


def test_fleet_csv_flag_and_dash_o_csv_agree(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["fleet", LAYOUT, "--hosts", "preset:h100-r550"]
    assert run(capsys, *argv, "--csv") == run(capsys, *argv, "-o", "csv")


def test_quiet_keeps_errors_and_drops_warnings(capsys: pytest.CaptureFixture[str],
                                               tmp_path: Path) -> None:
    profile = tmp_path / "host.json"
    profile.write_text('{"gpus": [{"index": 0, "brand": "NoSuchBrand"}]}')
    assert main(["host", "--from", str(profile)]) == 0
    assert "nvreq: warning:" in capsys.readouterr().err
    assert main(["host", "--from", str(profile), "-q"]) == 0
    assert capsys.readouterr().err == ""
    missing = f"oci:{tmp_path / 'missing'}"
    assert main(["check", missing, LAYOUT, "--host", "preset:h100-r550", "-o", "json", "-q"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"nvreq: error: {missing}: ") and err.count("\n") == 1


@pytest.mark.parametrize("command", ["check", "env", "explain", "lint", "presets", "host",
                                     "doctor", "fleet", "affinity", "completion", "bundle"])
def test_every_command_takes_quiet_and_verbose(capsys: pytest.CaptureFixture[str],
                                               command: str) -> None:
    with pytest.raises(SystemExit):
        main([command, "--help"])
    usage = capsys.readouterr().out
    assert "-q, --quiet" in usage and "-v, --verbose" in usage


def test_verbose_turns_on_the_request_log_of_image_commands() -> None:
    import argparse

    from nvreq.cli.output import Verbosity

    args = argparse.Namespace(debug=False, verbose=True, quiet=False)
    with Verbosity(args):
        assert args.debug is True
