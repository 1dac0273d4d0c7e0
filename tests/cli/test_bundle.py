"""``nvreq bundle``: exit codes 0 ready / 1 problems / 2 unreadable file, the JSON fields, and the
``dpkg -i`` commands in order."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nvreq.cli.main import main
from tests.bundle.debs import STACK, build, make_root, needs_dpkg
from tests.test_schemas import validate

pytestmark = needs_dpkg


@pytest.fixture
def bundle(tmp_path: Path) -> tuple[Path, Path]:
    build(STACK, tmp_path / "bundle")
    return tmp_path / "bundle", make_root(tmp_path / "root")


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_ready_prints_the_dpkg_commands_in_order(capsys: pytest.CaptureFixture[str],
                                                 bundle: tuple[Path, Path]) -> None:
    directory, root = bundle
    code, out, _ = run(capsys, "bundle", directory, "--root", root)
    assert code == 0
    assert out.startswith("bundle: 9 packages for amd64 (ubuntu 22.04 (jammy)): ready, "
                          "0 problems, 0 warnings\n")
    commands = [line.strip() for line in out.splitlines() if "dpkg -i" in line]
    assert commands[0] == f"sudo dpkg -i {directory}/containerd.io_1.7.27-1_amd64.deb"
    assert commands[-1] == f"sudo dpkg -i {directory}/nvidia-docker2_2.14.0-1_all.deb"
    assert "nvreq doctor" in out


def test_json_fields(capsys: pytest.CaptureFixture[str], bundle: tuple[Path, Path]) -> None:
    directory, root = bundle
    (directory / "nvidia-container-toolkit-base_1.17.8-1_amd64.deb").unlink()
    code, out, _ = run(capsys, "bundle", directory, "--root", root, "--json")
    assert code == 1
    data = json.loads(out)
    assert data["format"] == "nvreq-bundle/1"
    validate(data)
    assert {"ready", "install_order", "packages", "problems", "steps", "notes",
            "target"} <= data.keys()
    assert data["ready"] is False
    assert [p["name"] for p in data["packages"]][:2] == ["containerd.io", "docker-ce-cli"]
    assert data["problems"] == [{
        "package": "nvidia-container-toolkit", "kind": "missing", "severity": "error",
        "message": "Depends: nvidia-container-toolkit-base (= 1.17.8-1); neither in the bundle "
                   "nor installed on the target",
        "fix": "download nvidia-container-toolkit-base (= 1.17.8-1) for amd64 on a connected "
               "machine of the same release (`apt-get download nvidia-container-toolkit-base`) "
               "and add it to the bundle",
        "file": str(directory / "nvidia-container-toolkit_1.17.8-1_amd64.deb")}]
    assert len(data["install_order"]) == 8


def test_an_unreadable_file_exits_2_and_the_rest_is_reported(
        capsys: pytest.CaptureFixture[str], bundle: tuple[Path, Path]) -> None:
    directory, root = bundle
    (directory / "broken.deb").write_bytes(b"!<arch>\ngarbage")
    code, out, err = run(capsys, "bundle", directory, directory / "missing.deb", "--root", root)
    assert code == 2
    assert "[FAIL] unreadable: broken.deb: truncated or corrupt ar archive" in out
    assert "[FAIL] unreadable: missing.deb: no such file or directory" in out
    assert "9 packages" in out
    assert "Traceback" not in out + err


def test_arch_option_overrides_the_target(capsys: pytest.CaptureFixture[str],
                                          bundle: tuple[Path, Path]) -> None:
    directory, root = bundle
    code, out, _ = run(capsys, "bundle", directory, "--root", root, "--arch", "arm64")
    assert code == 1
    assert "[FAIL] architecture: containerd.io: built for amd64; the target installs arm64" in out


def test_one_package_is_counted_in_the_singular(capsys: pytest.CaptureFixture[str],
                                                tmp_path: Path) -> None:
    build(STACK[:1], tmp_path / "bundle")
    _, out, _ = run(capsys, "bundle", tmp_path / "bundle", "--root", make_root(tmp_path / "r"))
    assert out.startswith("bundle: 1 package for amd64 "), out
