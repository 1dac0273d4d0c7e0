"""``nvreq host`` and ``nvreq doctor`` on the command line, with a fake NVML and a temp root."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from types import ModuleType

import pytest

from nvreq.cli import doctor as doctor_cli
from nvreq.cli import host as host_cli
from nvreq.errors import InputError, ProfileError
from nvreq.host.profile import HostProfile
from nvreq.host.sources import load_preset
from tests.fake_nvml import FakeGpu, FakeMig, FakeNvml, install

DATA = Path(__file__).parents[1] / "data"


def _run(module: ModuleType, argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    module.add_arguments(parser)
    code: int = module.run(parser.parse_args(argv))
    return code


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeNvml:
    return install(monkeypatch)


def _root(tmp_path: Path) -> Path:
    (tmp_path / "etc/nvidia-container-runtime").mkdir(parents=True)
    (tmp_path / "etc/nvidia-container-runtime/config.toml").write_text("disable-require = true\n")
    (tmp_path / "var/lib/dpkg").mkdir(parents=True)
    (tmp_path / "var/lib/dpkg/status").write_text(
        "Package: nvidia-container-toolkit\nStatus: install ok installed\nVersion: 1.17.4-1\n")
    return tmp_path


def test_live_json_is_loadable_with_host_file(fake: FakeNvml, tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(host_cli, ["--json", "--root", str(_root(tmp_path))]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["driver"] == "580.159.04" and data["cuda"] == "13.0"
    assert data["runtime"]["toolkit_version"] == "1.17.4"
    assert data["runtime"]["config"] == {"disable-require": True}
    saved = tmp_path / "me.json"
    saved.write_text(json.dumps(data))
    profile = HostProfile.load(saved)
    assert profile.gpus[0].uuid == "GPU-5f2d9c1e-7a43-4b8e-9c0d-1e2f3a4b5c6d"
    assert profile.config_value("disable-require") is True


def test_live_table(fake: FakeNvml, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fake.gpus = [FakeGpu(mig_mode=(1, 1), mig_slots=[FakeMig()])]
    assert _run(host_cli, ["--root", str(_root(tmp_path))]) == 0
    out = capsys.readouterr().out
    assert "driver 580.159.04   cuda 13.0" in out
    assert "toolkit 1.17.4" in out
    assert "config disable-require = true" in out
    assert "NVIDIA H200  Nvidia  9.0   143771 MiB  enabled" in out
    assert "MIG 0: MIG-11111111-2222-4333-8444-555555555555  gi 7 ci 0" in out


def test_live_without_a_driver(fake: FakeNvml, tmp_path: Path) -> None:
    fake.errors[("nvmlInit", None)] = 12
    with pytest.raises(InputError, match=r"no NVIDIA driver found here.*--from FILE"):
        _run(host_cli, ["--root", str(tmp_path)])


def test_from_xml_with_compute_caps_and_gpu_list(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    caps = tmp_path / "caps.csv"
    caps.write_text("0, 9.0\n")
    listing = tmp_path / "L.txt"
    listing.write_text("GPU 0: NVIDIA H200 (UUID: GPU-5f2d9c1e-7a43-4b8e-9c0d-1e2f3a4b5c6d)\n")
    argv = ["--from", str(DATA / "h200-nvidia-smi-q.xml"), "--compute-cap", str(caps),
            "--gpu-list", str(listing), "--json"]
    assert _run(host_cli, argv) == 0
    captured = capsys.readouterr()
    data = json.loads(captured.out)
    assert data["gpus"][0]["arch"] == "9.0"
    assert captured.err == ""


def test_from_xml_warns_about_arch(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(host_cli, ["--from", str(DATA / "h200-nvidia-smi-q.xml")]) == 0
    captured = capsys.readouterr()
    assert "NVIDIA H200  Nvidia  unknown  143771 MiB  disabled" in captured.out
    assert captured.err.startswith("nvreq: warning: arch is unknown")


def test_from_profile_with_root_merges_runtime(tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(load_preset("t4-r470").to_dict()))
    assert _run(host_cli, ["--from", str(path), "--root", str(_root(tmp_path)), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["runtime"]["config"] == {"disable-require": True}


def test_bad_inputs(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="need --from"):
        _run(host_cli, ["--compute-cap", "x.csv"])
    with pytest.raises(InputError, match="cannot read"):
        _run(host_cli, ["--from", str(DATA / "h200-nvidia-smi-q.xml"), "--compute-cap",
                        str(tmp_path / "missing.csv")])
    bad = tmp_path / "bad.json"
    bad.write_text('{"gpus": [}')
    with pytest.raises(ProfileError, match=r"Invalid JSON.*line 1, column 11"):
        _run(host_cli, ["--from", str(bad)])


def test_registered_commands() -> None:
    from nvreq.cli.main import COMMANDS

    assert (COMMANDS["host"], COMMANDS["doctor"]) == ("nvreq.cli.host", "nvreq.cli.doctor")


def test_doctor_cli(fake: FakeNvml, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = _root(tmp_path)
    (root / "proc/sys/kernel").mkdir(parents=True)
    (root / "proc/sys/kernel/osrelease").write_text("6.8.0\n")
    assert _run(doctor_cli, ["--root", str(root)]) == 1
    out = capsys.readouterr().out
    assert "[ok  ] kernel: Linux kernel 6.8.0 (> 3.10)" in out
    assert "[ok  ] driver: NVIDIA driver 580.159.04 (>= 418.81.07)" in out
    assert "[FAIL] nvidia-container-cli: nvidia-container-cli not found" in out
    assert "       fix: install the libnvidia-container-tools package" in out
    assert out.rstrip().splitlines()[-1].startswith("not ready: ")
    assert _run(doctor_cli, ["--root", str(root), "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["ok"] is False
    assert {c["status"] for c in data["checks"]} == {"pass", "warn", "fail"}


def test_host_nfd_prints_the_feature_file(capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    from nvreq.cli.main import main

    profile = Path(__file__).parents[1] / "data" / "h200-live-profile.json"
    assert main(["host", "--from", str(profile), "--nfd"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1:] == ["gpu-brand=nvidia", "gpu-archs=9.0", "gpu-arch-uniform=true"]
