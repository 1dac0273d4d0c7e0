"""nvreq doctor: every check against a temporary root, a fake NVML and a fake command runner."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from nvreq.doctor.checks import Check, DoctorReport, run_doctor
from nvreq.host.nvml import NvmlError
from nvreq.host.packages import Runner
from nvreq.host.profile import Gpu, HostProfile

H200 = HostProfile(gpus=(Gpu(0, name="NVIDIA H200", arch="9.0"),), driver="580.159.04")

DPKG_OK = """\
Package: containerd.io
Status: install ok installed
Version: 1.7.25-1

Package: docker-ce-cli
Status: install ok installed
Version: 5:28.0.1-1~ubuntu.22.04~jammy

Package: docker-ce
Status: install ok installed
Version: 5:28.0.1-1~ubuntu.22.04~jammy
Depends: containerd.io (>= 1.6.24), docker-ce-cli, iptables
Provides: docker-engine

Package: iptables
Status: install ok installed
Version: 1.8.7-1ubuntu5

Package: libnvidia-container1
Status: install ok installed
Version: 1.17.4-1

Package: libnvidia-container-tools
Status: install ok installed
Version: 1.17.4-1
Depends: libnvidia-container1 (>= 1.17.4-1), libc6 (>= 2.7) | libc6-compat

Package: libc6
Status: install ok installed
Version: 2.35-0ubuntu3

Package: nvidia-container-toolkit-base
Status: install ok installed
Version: 1.17.4-1

Package: nvidia-container-toolkit
Status: install ok installed
Version: 1.17.4-1
Depends: libnvidia-container-tools (>= 1.17.4-1), libnvidia-container-tools (<< 2.0.0), \
nvidia-container-toolkit-base (= 1.17.4-1)
"""

VERSIONS = {
    "docker": "28.0.1\n",
    "nvidia-container-cli": "cli-version: 1.17.4\nlib-version: 1.17.4\n",
    "nvidia-container-runtime-hook": "NVIDIA Container Runtime Hook version 1.17.4\n",
    "nvidia-container-runtime": "NVIDIA Container Runtime version 1.17.4\n",
    "nvidia-ctk": "NVIDIA Container Toolkit CLI version 1.17.4\ncommit: abc\n",
}


def _runner(answers: dict[str, str]) -> Runner:
    def run(argv: Sequence[str]) -> str | None:
        return answers.get(Path(argv[0]).name)
    return run


def _write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text)


def _ready(root: Path) -> Path:
    _write(root, "proc/sys/kernel/osrelease", "5.15.0-91-generic\n")
    for name in VERSIONS:
        if name != "docker":
            _write(root, f"usr/bin/{name}", "")
    _write(root, "etc/docker/daemon.json", json.dumps({
        "runtimes": {"nvidia": {"path": "nvidia-container-runtime", "runtimeArgs": []}},
        "default-runtime": "nvidia"}))
    _write(root, "etc/nvidia-container-runtime/config.toml", "[nvidia-container-cli]\n")
    _write(root, "var/lib/dpkg/status", DPKG_OK)
    return root


def _doctor(root: Path, profile: HostProfile = H200,
            answers: dict[str, str] | None = None) -> DoctorReport:
    return run_doctor(root, nvml=lambda: profile,
                      runner=_runner(VERSIONS if answers is None else answers))


def _by_name(report: DoctorReport) -> dict[str, Check]:
    return {c.name: c for c in report.checks}


def test_a_ready_host_passes_every_check(tmp_path: Path) -> None:
    report = _doctor(_ready(tmp_path))
    assert [c for c in report.checks if c.status != "pass"] == []
    assert bool(report)
    checks = _by_name(report)
    assert checks["kernel"].summary == "Linux kernel 5.15.0-91-generic (> 3.10)"
    assert checks["docker"].summary == "Docker 28.0.1 (docker version) supports --gpus (>= 19.03)"
    assert checks["driver"].summary == "NVIDIA driver 580.159.04 (>= 418.81.07)"
    assert checks["gpu0"].summary == "GPU 0 (NVIDIA H200): compute capability 9.0 (>= 3.0, Kepler)"
    assert checks["nvidia-ctk"].summary == "/usr/bin/nvidia-ctk version 1.17.4"
    assert checks["nvidia-runtime"].status == "pass"
    assert checks["default-runtime"].summary == "nvidia is Docker's default runtime"
    assert checks["packages"].summary == "dpkg: the GPU container stack is complete"
    assert checks["package:docker-ce"].summary == "docker-ce 5:28.0.1-1~ubuntu.22.04~jammy"


@pytest.mark.parametrize(("release", "status"), [("6.8.0", "pass"), ("3.10.0-1160.el7", "warn"),
                                                 ("3.2.0", "fail"), ("2.6.32", "fail")])
def test_kernel(tmp_path: Path, release: str, status: str) -> None:
    _write(_ready(tmp_path), "proc/sys/kernel/osrelease", release)
    assert _by_name(_doctor(tmp_path))["kernel"].status == status


@pytest.mark.parametrize(("version", "status"), [("19.03.15", "pass"), ("24.0.7", "pass"),
                                                 ("18.09.1", "warn"), ("1.12.6", "warn"),
                                                 ("1.11.2", "fail")])
def test_docker_version(tmp_path: Path, version: str, status: str) -> None:
    check = _by_name(_doctor(_ready(tmp_path), answers={**VERSIONS, "docker": version}))["docker"]
    assert check.status == status
    assert (check.fix is None) == (status == "pass")


def test_docker_version_from_the_package_when_the_daemon_is_silent(tmp_path: Path) -> None:
    check = _by_name(_doctor(_ready(tmp_path), answers={}))["docker"]
    assert check.summary == ("Docker 28.0.1-1~ubuntu.22.04~jammy (package docker-ce) supports "
                             "--gpus (>= 19.03)")


def test_no_docker(tmp_path: Path) -> None:
    _write(tmp_path, "var/lib/dpkg/status", "")
    assert _by_name(_doctor(tmp_path, answers={}))["docker"].status == "warn"


@pytest.mark.parametrize(("driver", "status"), [("418.81.07", "pass"), ("418.81", "fail"),
                                                ("390.157", "fail"), ("550.54.15", "pass")])
def test_driver_minimum(tmp_path: Path, driver: str, status: str) -> None:
    profile = HostProfile(gpus=H200.gpus, driver=driver)
    assert _by_name(_doctor(_ready(tmp_path), profile))["driver"].status == status


@pytest.mark.parametrize(("arch", "status"), [("3.0", "pass"), ("2.1", "fail"), (None, "warn")])
def test_gpu_architecture(tmp_path: Path, arch: str | None, status: str) -> None:
    profile = HostProfile(gpus=(Gpu(0, arch=arch),), driver="550.54.15")
    assert _by_name(_doctor(_ready(tmp_path), profile))["gpu0"].status == status


def test_lost_gpu_and_no_gpu(tmp_path: Path) -> None:
    lost = HostProfile(gpus=(Gpu(0, extra={"x-gpu-lost": True}),), driver="550.54.15")
    assert _by_name(_doctor(_ready(tmp_path), lost))["gpu0"].status == "fail"
    assert _by_name(_doctor(tmp_path, HostProfile(driver="550.54.15")))["gpu"].status == "fail"


def test_nvml_failure_is_a_failed_check(tmp_path: Path) -> None:
    def broken() -> HostProfile:
        raise NvmlError("no NVIDIA driver found here (NVML library not found)")

    report = run_doctor(_ready(tmp_path), nvml=broken, runner=_runner(VERSIONS))
    check = _by_name(report)["driver"]
    assert (check.status, check.summary) == (
        "fail", "NVML: no NVIDIA driver found here (NVML library not found)")
    assert not report


def test_missing_binaries(tmp_path: Path) -> None:
    _ready(tmp_path)
    (tmp_path / "usr/bin/nvidia-container-cli").unlink()
    (tmp_path / "usr/bin/nvidia-ctk").unlink()
    checks = _by_name(_doctor(tmp_path))
    assert (checks["nvidia-container-cli"].status, checks["nvidia-container-cli"].fix) == (
        "fail", "install the libnvidia-container-tools package")
    assert checks["nvidia-ctk"].status == "warn"


def test_binary_version_falls_back_to_the_package(tmp_path: Path) -> None:
    checks = _by_name(_doctor(_ready(tmp_path), answers={}))
    assert checks["nvidia-container-cli"].summary == (
        "/usr/bin/nvidia-container-cli (package libnvidia-container-tools 1.17.4-1)")


@pytest.mark.parametrize(("daemon", "runtime", "default"), [
    (None, "warn", None),
    ({}, "warn", "warn"),
    ({"runtimes": {"nvidia": {"path": "/opt/missing/nvidia-container-runtime"}}}, "fail", "warn"),
    ({"runtimes": {"nvidia": {"path": "/usr/bin/nvidia-container-runtime"}}}, "pass", "warn"),
])
def test_docker_runtime_registration(tmp_path: Path, daemon: dict[str, object] | None,
                                     runtime: str, default: str | None) -> None:
    _ready(tmp_path)
    if daemon is None:
        (tmp_path / "etc/docker/daemon.json").unlink()
    else:
        _write(tmp_path, "etc/docker/daemon.json", json.dumps(daemon))
    checks = _by_name(_doctor(tmp_path))
    assert checks["nvidia-runtime"].status == runtime
    assert (checks["default-runtime"].status if "default-runtime" in checks else None) == default
    if default == "warn":
        assert "--set-as-default" in (checks["default-runtime"].fix or "")


def test_config_settings_that_change_behaviour(tmp_path: Path) -> None:
    _write(_ready(tmp_path), "etc/nvidia-container-runtime/config.toml",
           'disable-require = true\nsupported-driver-capabilities = "compute,utility"\n'
           "accept-nvidia-visible-devices-envvar-when-unprivileged = true\n"
           '[nvidia-container-runtime]\nmode = "cdi"\n')
    changed = {c.name: c for c in _doctor(tmp_path).checks if c.name.startswith("config:")}
    assert set(changed) == {"config:disable-require", "config:supported-driver-capabilities",
                            "config:nvidia-container-runtime.mode"}
    assert changed["config:disable-require"].summary == (
        "disable-require = True: NVIDIA_REQUIRE_* is not checked on the hook path")
    assert all(c.status == "warn" for c in changed.values())


def test_malformed_config_is_a_failed_check(tmp_path: Path) -> None:
    _write(_ready(tmp_path), "etc/docker/daemon.json", '{"runtimes": ')
    check = _by_name(_doctor(tmp_path))["runtime-files"]
    assert check.status == "fail"
    assert "daemon.json, line 1, column 14" in check.summary


BROKEN_OFFLINE = """\
Package: libnvidia-container1
Status: install ok installed
Version: 1.12.0-1

Package: nvidia-container-toolkit
Status: install ok unpacked
Version: 1.17.4-1
Depends: libnvidia-container-tools (>= 1.17.4-1), nvidia-container-toolkit-base (= 1.17.4-1)
"""


def test_offline_install_names_the_missing_link_and_the_order(tmp_path: Path) -> None:
    _write(_ready(tmp_path), "var/lib/dpkg/status", BROKEN_OFFLINE)
    checks = _by_name(_doctor(tmp_path))
    assert checks["package:nvidia-container-toolkit"].summary == (
        "nvidia-container-toolkit 1.17.4-1 is unpacked, not configured; nvidia-container-toolkit "
        "needs libnvidia-container-tools (>= 1.17.4-1): not installed; nvidia-container-toolkit "
        "needs nvidia-container-toolkit-base (= 1.17.4-1): not installed")
    assert checks["packages"].summary == (
        "dpkg: the GPU container stack is incomplete (missing: libnvidia-container-tools, "
        "nvidia-container-toolkit-base)")
    assert checks["packages"].fix == (
        "install in this order: libnvidia-container-tools, nvidia-container-toolkit-base "
        "(sudo dpkg -i NAME_*.deb); then sudo dpkg --configure -a")


def test_old_dependency_version_is_a_missing_link(tmp_path: Path) -> None:
    status = BROKEN_OFFLINE.replace("unpacked", "installed") + (
        "\nPackage: libnvidia-container-tools\nStatus: install ok installed\nVersion: 1.12.0-1\n"
        "Depends: libnvidia-container1 (>= 1.12.0-1)\n")
    _write(_ready(tmp_path), "var/lib/dpkg/status", status)
    summary = _by_name(_doctor(tmp_path))["package:nvidia-container-toolkit"].summary
    assert "needs libnvidia-container-tools (>= 1.17.4-1): 1.12.0-1 is installed" in summary


def test_toolkit_not_installed(tmp_path: Path) -> None:
    _write(_ready(tmp_path), "var/lib/dpkg/status", "")
    check = _by_name(_doctor(tmp_path))["packages"]
    assert check.fix == ("install in this order: libnvidia-container1, libnvidia-container-tools, "
                         "nvidia-container-toolkit-base, nvidia-container-toolkit "
                         "(sudo dpkg -i NAME_*.deb)")


def test_json_shape(tmp_path: Path) -> None:
    data = _doctor(_ready(tmp_path)).to_dict()
    assert data["ok"] is True
    assert data["checks"][0] == {"name": "kernel", "status": "pass",
                                 "summary": "Linux kernel 5.15.0-91-generic (> 3.10)"}


def test_missing_nvml_bindings_say_to_install_the_extra_not_the_driver(tmp_path: Path) -> None:
    def no_bindings() -> HostProfile:
        raise NvmlError("nvidia-ml-py is not installed: pip install 'nvreq[nvml]'",
                        bindings_missing=True)

    check = _by_name(run_doctor(_ready(tmp_path), nvml=no_bindings,
                                runner=_runner(VERSIONS)))["driver"]
    assert check.fix is not None and "nvreq[nvml]" in check.fix
    assert "install the NVIDIA driver" not in check.fix
