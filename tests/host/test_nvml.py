"""Live NVML: calls and error handling of host.md §3, against a fake ``pynvml`` module."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from nvreq.host.nvml import NvmlError, live_profile
from nvreq.host.profile import HostProfile
from tests.fake_nvml import FakeGpu, FakeMig, FakeNvml, install

DATA = Path(__file__).parents[1] / "data"


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeNvml:
    return install(monkeypatch)


def _read(tmp_path: Path) -> HostProfile:
    return live_profile(root=tmp_path)


def test_h200_as_observed(fake: FakeNvml, tmp_path: Path) -> None:
    dump = json.loads((DATA / "h200-nvml-dump.json").read_text())
    gpu = dump["gpus"][0]
    fake.driver, fake.cuda = dump["driver_version"], dump["cuda_driver_version"]
    fake.gpus = [FakeGpu(uuid=gpu["uuid"], bus_id=gpu["pci_bus_id"], name=gpu["name"],
                         brand=gpu["brand"], capability=tuple(gpu["cuda_compute_capability"]),
                         memory=gpu["memory_total"], minor=gpu["minor_number"],
                         mig_mode=tuple(gpu["mig_mode"]))]
    profile = _read(tmp_path)
    assert (profile.driver, profile.cuda) == ("580.159.04", "13.0")
    g = profile.gpus[0]
    assert (g.index, g.uuid, g.pci_bus_id, g.name, g.brand, g.arch, g.memory_mib, g.minor_number,
            g.mig.mode) == (0, gpu["uuid"], "00000000:00:06.0", "NVIDIA H200", "Nvidia", "9.0",
                            143771, 0, "disabled")
    assert profile.runtime.platform == "nvml"
    assert profile.source is not None and profile.source["kind"] == "nvml"
    assert profile.warnings == ()
    assert fake.calls[0] == "nvmlInit" and fake.calls[-1] == "nvmlShutdown"
    assert HostProfile.from_dict(json.loads(json.dumps(profile.to_dict()))) == profile


def test_cuda_uses_the_legacy_call_and_formula(fake: FakeNvml, tmp_path: Path) -> None:
    fake.cuda = 12040
    assert _read(tmp_path).cuda == "12.4"
    assert "nvmlSystemGetCudaDriverVersion" in fake.calls


def test_bytes_are_decoded(fake: FakeNvml, tmp_path: Path) -> None:
    fake.driver = b"550.54.15\0\0"
    fake.gpus = [FakeGpu(uuid=b"GPU-abc", bus_id=b"0000:3b:00.0", name=b"NVIDIA H100\0junk")]
    profile = _read(tmp_path)
    assert profile.driver == "550.54.15"
    assert (profile.gpus[0].uuid, profile.gpus[0].pci_bus_id, profile.gpus[0].name) == (
        "GPU-abc", "00000000:3B:00.0", "NVIDIA H100")


def test_mig_devices_with_profiles(fake: FakeNvml, tmp_path: Path) -> None:
    fake.gpus = [FakeGpu(mig_mode=(1, 1), mig_slots=[FakeMig(), FakeMig(
        uuid="MIG-22222222-2222-4333-8444-555555555555", gi=8, ci=0)])]
    mig = _read(tmp_path).gpus[0].mig
    assert mig.mode == "enabled"
    assert [(d.index, d.gi, d.ci, d.profile, d.memory_mib) for d in mig.devices] == [
        (0, 7, 0, "1g.5gb", 4864), (1, 8, 0, "1g.5gb", 4864)]


def test_mig_gap_keeps_index_and_warns(fake: FakeNvml, tmp_path: Path) -> None:
    fake.gpus = [FakeGpu(mig_mode=(1, 1), mig_slots=[FakeMig(), None, FakeMig(gi=9)])]
    profile = _read(tmp_path)
    assert [d.index for d in profile.gpus[0].mig.devices] == [0, 2]
    assert "MIG slot 1 is empty" in profile.warnings[0]
    assert "cannot see MIG devices 2" in profile.warnings[0]


def test_trailing_empty_mig_slots_are_silent(fake: FakeNvml, tmp_path: Path) -> None:
    fake.gpus = [FakeGpu(mig_mode=(1, 0), mig_slots=[FakeMig(), None, None])]
    profile = _read(tmp_path)
    assert len(profile.gpus[0].mig.devices) == 1
    assert profile.warnings == ()


@pytest.mark.parametrize("code", [3, 13])
def test_mig_not_supported_means_unsupported(fake: FakeNvml, tmp_path: Path, code: int) -> None:
    fake.errors[("nvmlDeviceGetMigMode", 0)] = code
    profile = _read(tmp_path)
    assert profile.gpus[0].mig.mode == "unsupported"
    assert profile.warnings == ()


@pytest.mark.parametrize(("function", "attr"), [
    ("nvmlDeviceGetUUID", "uuid"),
    ("nvmlDeviceGetPciInfo", "pci_bus_id"),
    ("nvmlDeviceGetName", "name"),
    ("nvmlDeviceGetBrand", "brand"),
    ("nvmlDeviceGetCudaComputeCapability", "arch"),
    ("nvmlDeviceGetMemoryInfo", "memory_mib"),
    ("nvmlDeviceGetMinorNumber", "minor_number"),
])
@pytest.mark.parametrize("code", [3, 13])
def test_unsupported_field_is_unknown(fake: FakeNvml, tmp_path: Path, function: str, attr: str,
                                      code: int) -> None:
    fake.errors[(function, 0)] = code
    profile = _read(tmp_path)
    assert getattr(profile.gpus[0], attr) is None
    assert profile.gpus[0].arch is not None or attr == "arch"
    assert profile.warnings == (f"gpus[0].{attr}: {function} is not supported here; left unknown",)


def test_missing_wrapper_is_unknown(fake: FakeNvml, tmp_path: Path) -> None:
    fake.missing = ("nvmlDeviceGetMemoryInfo",)
    assert _read(tmp_path).gpus[0].memory_mib is None


@pytest.mark.parametrize(("function", "attr"), [("nvmlSystemGetDriverVersion", "driver"),
                                                ("nvmlSystemGetCudaDriverVersion", "cuda")])
def test_unsupported_system_fact_is_unknown(fake: FakeNvml, tmp_path: Path, function: str,
                                            attr: str) -> None:
    fake.errors[(function, None)] = 3
    assert getattr(_read(tmp_path), attr) is None


@pytest.mark.parametrize("function", ["nvmlDeviceGetHandleByIndex", "nvmlDeviceGetBrand",
                                      "nvmlDeviceGetMigMode"])
def test_lost_gpu_is_marked_and_others_kept(fake: FakeNvml, tmp_path: Path, function: str) -> None:
    fake.gpus = [FakeGpu(), FakeGpu(uuid="GPU-other", minor=1), FakeGpu(minor=2)]
    fake.errors[(function, 1)] = 15
    profile = _read(tmp_path)
    assert len(profile.gpus) == 3
    assert profile.gpus[1].uuid is None and profile.gpus[1].brand is None
    assert profile.gpus[1].extra == {"x-gpu-lost": True}
    assert profile.gpus[2].minor_number == 2
    assert profile.warnings[0].startswith("GPU 1 IS LOST")
    assert fake.calls[-1] == "nvmlShutdown"


def test_lost_gpu_during_mig_listing(fake: FakeNvml, tmp_path: Path) -> None:
    fake.gpus = [FakeGpu(mig_mode=(1, 1), mig_slots=[FakeMig()])]
    fake.errors[("nvmlDeviceGetGpuInstanceId", 0)] = 15
    assert _read(tmp_path).gpus[0].extra == {"x-gpu-lost": True}


def _error(fake: FakeNvml, tmp_path: Path) -> NvmlError:
    with pytest.raises(NvmlError) as ctx:
        _read(tmp_path)
    return ctx.value


@pytest.mark.parametrize(("code", "text"), [
    (12, "no NVIDIA driver found here (NVML library not found)"),
    (9, "the NVIDIA kernel module is not loaded (NVML: Driver Not Loaded): this host is not "
        "ready for GPU containers; load the driver (modprobe nvidia)"),
    (4, "no permission to open the GPU device files /dev/nvidia* (NVML: Insufficient "
        "Permissions); run as root or as a user with access to them (often the video group)"),
    (1, "internal error: nvmlInit failed (NVML: Uninitialized); please report this nvreq bug"),
    (2, "internal error: nvmlInit failed (NVML: Invalid Argument); please report this nvreq bug"),
    (999, "nvmlInit failed (NVML: Unknown Error, code 999)"),
    (10, "nvmlInit failed (NVML: NVML Error with code 10, code 10)"),
])
def test_init_errors(fake: FakeNvml, tmp_path: Path, code: int, text: str) -> None:
    fake.errors[("nvmlInit", None)] = code
    error = _error(fake, tmp_path)
    assert str(error) == text
    assert error.code == code
    assert "nvmlShutdown" not in fake.calls


def test_rm_version_mismatch_names_both_versions(fake: FakeNvml, tmp_path: Path) -> None:
    (tmp_path / "proc/self").mkdir(parents=True)
    (tmp_path / "proc/driver/nvidia").mkdir(parents=True)
    (tmp_path / "proc/self/maps").write_text(
        "7f00-7f01 r-xp 00000000 08:01 42 /usr/lib/x86_64-linux-gnu/libnvidia-ml.so.570.86.15\n")
    (tmp_path / "proc/driver/nvidia/version").write_text(
        "NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  550.54.15  Release Build\n")
    fake.errors[("nvmlInit", None)] = 18
    assert str(_error(fake, tmp_path)) == (
        "the NVIDIA driver's user-space library (version 570.86.15) and kernel module (version "
        "550.54.15) differ (NVML: RM has detected an NVML/RM version mismatch.); reboot or reload "
        "the kernel module after a driver upgrade. The runtime would fail too (detection error)")


def test_rm_version_mismatch_without_version_files(fake: FakeNvml, tmp_path: Path) -> None:
    fake.errors[("nvmlInit", None)] = 18
    assert "library (version unknown) and kernel module (version unknown)" in str(
        _error(fake, tmp_path))


@pytest.mark.parametrize("code", [4, 999])
def test_errors_after_init_still_shut_down(fake: FakeNvml, tmp_path: Path, code: int) -> None:
    fake.errors[("nvmlDeviceGetName", 0)] = code
    _error(fake, tmp_path)
    assert fake.calls[-1] == "nvmlShutdown"


def test_not_found_outside_mig_is_an_error(fake: FakeNvml, tmp_path: Path) -> None:
    fake.errors[("nvmlDeviceGetUUID", 0)] = 6
    assert str(_error(fake, tmp_path)) == "nvmlDeviceGetUUID failed (NVML: Not Found, code 6)"


def test_lost_gpu_on_a_system_call_is_an_error(fake: FakeNvml, tmp_path: Path) -> None:
    fake.errors[("nvmlSystemGetDriverVersion", None)] = 15
    assert "a GPU is lost" in str(_error(fake, tmp_path))


def test_shutdown_failure_is_ignored(fake: FakeNvml, tmp_path: Path) -> None:
    fake.errors[("nvmlShutdown", None)] = 1
    assert _read(tmp_path).driver == "580.159.04"


def test_wsl_is_recorded_with_a_warning(fake: FakeNvml, tmp_path: Path) -> None:
    (tmp_path / "proc").mkdir()
    (tmp_path / "proc/version").write_text("Linux version 5.15.167.4-microsoft-standard-WSL2\n")
    profile = _read(tmp_path)
    assert profile.runtime.platform == "wsl"
    assert any("nvidia-docker#1409" in w for w in profile.warnings)


def test_no_gpus(fake: FakeNvml, tmp_path: Path) -> None:
    fake.gpus = []
    assert _read(tmp_path).gpus == ()


def test_missing_bindings_name_the_extra(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setitem(sys.modules, "pynvml", None)
    with pytest.raises(NvmlError, match=r"pip install 'nvreq\[nvml\]'"):
        _read(tmp_path)


@pytest.mark.nvml
@pytest.mark.skipif(os.environ.get("NVREQ_LIVE_NVML") != "1",
                    reason="needs a live NVIDIA driver; set NVREQ_LIVE_NVML=1 on a GPU host")
def test_live_host_reads_consistently() -> None:
    import pynvml  # the real bindings

    profile = live_profile()
    pynvml.nvmlInit()
    try:
        count = pynvml.nvmlDeviceGetCount()
        cuda = pynvml.nvmlSystemGetCudaDriverVersion()
    finally:
        pynvml.nvmlShutdown()
    assert len(profile.gpus) == count >= 1
    assert profile.cuda == f"{cuda // 1000}.{(cuda % 100) // 10}"
    assert profile.driver and profile.driver[0].isdigit()
    for gpu in profile.gpus:
        assert gpu.uuid and gpu.uuid.startswith("GPU-")
        assert gpu.brand is not None and gpu.arch is not None
        assert gpu.mig.mode in ("enabled", "disabled", "unsupported")
    assert HostProfile.from_dict(json.loads(json.dumps(profile.to_dict()))) == profile


def test_bus_id_from_numeric_fields_when_the_text_is_unusable(
        fake: FakeNvml, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import types

    def pci(handle: object) -> object:
        return types.SimpleNamespace(busId=b"", domain=0, bus=0x3B, device=0)

    monkeypatch.setattr(fake, "nvmlDeviceGetPciInfo", pci)
    assert _read(tmp_path).gpus[0].pci_bus_id == "00000000:3B:00.0"


# --- NVML as it really fails (bad bindings, wrong types, hangs) ----------------------------------

class _BrokenModule:
    def __getattr__(self, name: str) -> object:
        raise OSError("libnvidia-ml.so.1: cannot open shared object file: No such file or "
                      "directory")


def test_bindings_that_cannot_load_the_library(monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    import builtins

    real_import = builtins.__import__

    def failing(name: str, *args: object, **kwargs: object) -> object:
        if name == "pynvml":
            raise OSError("libnvidia-ml.so.1: cannot open shared object file")
        return real_import(name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(builtins, "__import__", failing)
    with pytest.raises(NvmlError, match=r"NVML bindings cannot be loaded .OSError: libnvidia-ml"):
        _read(tmp_path)


@pytest.mark.parametrize("function", ["nvmlDeviceGetBrand", "nvmlDeviceGetUUID",
                                      "nvmlDeviceGetCudaComputeCapability",
                                      "nvmlDeviceGetMemoryInfo"])
def test_a_field_failing_outside_nvml_is_unknown_with_a_warning(
        fake: FakeNvml, tmp_path: Path, function: str) -> None:
    fake.raises[(function, 0)] = TypeError("bad argument")
    profile = _read(tmp_path)
    assert any(f"{function} failed outside NVML (TypeError: bad argument)" in w
               for w in profile.warnings)


def test_init_failing_outside_nvml_is_a_clear_error(fake: FakeNvml, tmp_path: Path) -> None:
    fake.raises[("nvmlInit", None)] = RuntimeError("ctypes says no")
    assert "nvmlInit failed outside NVML (RuntimeError: ctypes says no)" in str(
        _error(fake, tmp_path))


@pytest.mark.parametrize(("field", "value", "fact"), [
    ("brand", "Tesla", "brand"), ("capability", (None, None), "arch"),
    ("capability", "9.0", "arch"), ("brand", True, "brand")])
def test_values_of_the_wrong_type_are_unknown(fake: FakeNvml, tmp_path: Path, field: str,
                                              value: object, fact: str) -> None:
    setattr(fake.gpus[0], field, value)
    profile = _read(tmp_path)
    assert getattr(profile.gpus[0], fact) is None
    assert any(f"gpus[0].{fact}: NVML returned" in w for w in profile.warnings)


def test_cuda_of_the_wrong_type_is_unknown(fake: FakeNvml, tmp_path: Path) -> None:
    fake.cuda = "12.4"
    assert _read(tmp_path).cuda is None


@pytest.mark.parametrize("count", ["8", 10**6, -1])
def test_a_gpu_count_that_is_not_a_count_is_refused(fake: FakeNvml, tmp_path: Path,
                                                     count: object) -> None:
    fake.count = count
    assert "GPUs, not a count from 0 to 256" in str(_error(fake, tmp_path))


def test_many_mig_slots_are_refused_before_any_is_read(fake: FakeNvml, tmp_path: Path) -> None:
    fake.gpus = [FakeGpu(mig_mode=(1, 1), mig_count=100_000)]
    assert "100000 MIG slots" in str(_error(fake, tmp_path))
    assert "nvmlDeviceGetMigDeviceHandleByIndex" not in fake.calls


def test_a_hung_nvml_init_is_a_clear_error_after_the_wait(fake: FakeNvml,
                                                          tmp_path: Path) -> None:
    import threading

    fake.hang = threading.Event()
    try:
        with pytest.raises(NvmlError, match=r"did not answer within 0.2 s \(nvmlInit is still"):
            live_profile(root=tmp_path, timeout=0.2)
    finally:
        fake.hang.set()
