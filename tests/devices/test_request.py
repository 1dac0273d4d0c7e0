"""Where the request comes from: precedence, privilege, mounts, swarm, tokenising, MIG variables,
modes (devices.md §2-§5, §9-§12)."""

from __future__ import annotations

from typing import Any

import pytest

from nvreq.devices.request import gather_request
from nvreq.devices.select import resolve_devices
from nvreq.errors import InputError
from nvreq.host.config import ToolkitConfig
from nvreq.host.profile import Gpu, HostProfile, Mig, MigDevice, RuntimeSettings

P = HostProfile(gpus=(Gpu(0, uuid="GPU-11111111-1111-1111-1111-111111111111"),
                      Gpu(1, uuid="GPU-22222222-2222-2222-2222-222222222222")))
M = HostProfile(gpus=(
    Gpu(0, mig=Mig("enabled", (MigDevice(0, "MIG-aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"),))),
    Gpu(1, mig=Mig("disabled")), Gpu(2, mig=Mig("unsupported"))))
ROOT = "/var/run/nvidia-container-devices"
MOUNTS_ON = {"accept-nvidia-visible-devices-as-volume-mounts": True}


def gather(env: dict[str, str], *, config: dict[str, Any] | None = None, privileged: bool = False,
           legacy_image: bool = False, cdi_mode: bool = False, version: str | None = None,
           **kw: Any) -> Any:
    return gather_request(env, config=ToolkitConfig.from_host(None, config), privileged=privileged,
                          legacy_image=legacy_image, cdi_mode=cdi_mode, toolkit_version=version,
                          **kw)


@pytest.mark.parametrize(("value", "kind", "ids", "runtime"), [
    ("0,1,0", "ids", ("0", "1"), ("", "1", "0")),
    ("0,0", "ids", ("0",), ("", "0")),
    ("\t0\u3000, 1\n", "ids", ("0", "1"), ("0", "1")),   # Go TrimSpace, Unicode spaces included
    ("\x1c0", "ids", ("\x1c0",), ("\x1c0",)),            # ... but not Python's extra \x1c-\x1f
    ("None,VOID", "ids", ("None", "VOID"), ("None", "VOID")),
    ("bogus,none,all", "none", (), ("",)),
    (" , ,", "void", (), ()),
])
def test_tokenising(value: str, kind: str, ids: tuple[str, ...], runtime: tuple[str, ...]) -> None:
    req = gather({"NVIDIA_VISIBLE_DEVICES": value})
    assert (req.kind, req.ids, req.runtime_list) == (kind, ids, runtime)


@pytest.mark.parametrize(("value", "kind", "runtime"), [
    ("0 ,1", "ids", ("0 ", "1")), ("0,none", "ids", ("0", "none")), ("none", "none", ("",)),
    ("void", "void", ()), (" ", "ids", (" ",)),
])
def test_tokenising_before_1_12_compares_the_whole_string(value: str, kind: str,
                                                          runtime: tuple[str, ...]) -> None:
    req = gather({"NVIDIA_VISIBLE_DEVICES": value}, version="1.11.0")
    assert (req.kind, req.runtime_list) == (kind, runtime)


def test_legacy_image_defaults_to_all_only_when_unset() -> None:
    assert gather({}, legacy_image=True).kind == "all"
    assert gather({}, legacy_image=True).source.kind == "legacy-image"
    assert gather({"NVIDIA_VISIBLE_DEVICES": ""}, legacy_image=True).kind == "void"
    assert gather({}, legacy_image=False).kind == "void"


def test_swarm_variables_are_concatenated_in_configured_order() -> None:
    env = {"B": "1", "A": "0", "NVIDIA_VISIBLE_DEVICES": "all"}
    req = gather(env, config={"swarm-resource": " A , B "})
    assert (req.source.kind, req.source.names, req.ids) == ("swarm", ("A", "B"), ("0", "1"))
    assert "swarm-wins" in {w.code for w in req.warnings}


@pytest.mark.parametrize(("version", "ids"), [("1.5.0", ("all",)), ("1.11.0", ("0",))])
def test_swarm_history(version: str, ids: tuple[str, ...]) -> None:
    env = {"A": "0", "B": "1", "NVIDIA_VISIBLE_DEVICES": "all"}
    req = gather(env, config={"swarm-resource": "A,B"}, version=version)
    assert req.ids == ids


def test_unprivileged_swarm_drop_names_the_variables() -> None:
    env = {"A": "0", "B": "1"}
    req = gather(env, config={"swarm-resource": "A,B", **{
        "accept-nvidia-visible-devices-envvar-when-unprivileged": False}})
    assert req.kind == "dropped" and not req.gpu_container
    assert req.warnings[-1].message.endswith("unprivileged container: [A B]")


@pytest.mark.parametrize(("privileged", "accept", "kind"), [
    (False, True, "ids"), (True, False, "ids"), (False, False, "dropped")])
def test_privilege_gates_env_requests(privileged: bool, accept: bool, kind: str) -> None:
    config = {"accept-nvidia-visible-devices-envvar-when-unprivileged": accept}
    req = gather({"NVIDIA_VISIBLE_DEVICES": "0"}, config=config, privileged=privileged)
    assert req.kind == kind


def test_legacy_image_default_is_gated_too() -> None:
    config = {"accept-nvidia-visible-devices-envvar-when-unprivileged": False}
    assert gather({}, config=config, legacy_image=True).kind == "dropped"


def test_void_is_never_dropped_with_a_warning() -> None:
    config = {"accept-nvidia-visible-devices-envvar-when-unprivileged": False}
    req = gather({"NVIDIA_VISIBLE_DEVICES": "void"}, config=config)
    assert req.kind == "void" and req.warnings == ()


@pytest.mark.parametrize(("mounts", "ids"), [
    ([{"source": "/dev/null", "destination": f"{ROOT}/1"}], ("1",)),
    ([{"source": "//dev/./null", "destination": f"{ROOT}//1/"}], ("1",)),
    ([{"source": "/dev/null", "destination": f"{ROOT}-extra/7"}], ("-extra/7",)),
    ([{"source": "/dev/null", "destination": f"{ROOT}/a/b"}], ("a/b",)),
    ([{"source": "/dev/null", "destination": f"{ROOT}/1"},
      {"source": "/dev/null", "destination": f"{ROOT}/1/"},
      {"source": "/dev/null", "destination": f"{ROOT}/0"}], ("1", "0")),
    ([{"source": "/dev/null", "destination": ROOT}], ()),
    ([{"source": "/dev/zero", "destination": f"{ROOT}/1"}], ()),
    ([{"source": "/dev/null", "destination": "/var/run/x/../nvidia-container-devices/all"}],
     ("all",)),
])
def test_mount_requests(mounts: list[dict[str, str]], ids: tuple[str, ...]) -> None:
    req = gather({}, config=MOUNTS_ON, mounts=mounts)
    assert req.ids == ids
    assert req.source.kind == ("mounts" if ids else "none")


def test_mount_cdi_and_imex_requests() -> None:
    mounts = [{"source": "/dev/null", "destination": f"{ROOT}/cdi/nvidia.com/gpu/0"},
              {"source": "/dev/null", "destination": f"{ROOT}/cdi/nvidia.com/gpu=1"},
              {"source": "/dev/null", "destination": f"{ROOT}/cdi/bad"},
              {"source": "/dev/null", "destination": f"{ROOT}/imex/0"}]
    req = gather({}, config=MOUNTS_ON, mounts=mounts, cdi_mode=True)
    assert req.ids == ("nvidia.com/gpu=0", "nvidia.com/gpu=1")
    assert {w.code for w in req.warnings} == {"invalid-cdi-mount", "imex-mount"}
    legacy = gather({"NVIDIA_VISIBLE_DEVICES": "0"}, config=MOUNTS_ON, mounts=mounts)
    assert legacy.source.kind == "env"
    assert "cdi-mounts-ignored" in {w.code for w in legacy.warnings}


def test_mounts_are_ignored_with_a_warning_unless_accepted() -> None:
    mounts = [{"source": "/dev/null", "destination": f"{ROOT}/1"}]
    req = gather({"NVIDIA_VISIBLE_DEVICES": "0"}, mounts=mounts)
    assert req.ids == ("0",) and "mounts-ignored" in {w.code for w in req.warnings}


def test_mount_none_is_a_literal_id() -> None:
    mounts = [{"source": "/dev/null", "destination": f"{ROOT}/none"}]
    legacy = resolve_devices({}, P, mounts=mounts, config=MOUNTS_ON, legacy_image=False)
    assert legacy.error == "device error: none: unknown device"
    jit = resolve_devices({}, P, mode="jit-cdi", mounts=mounts, config=MOUNTS_ON,
                          legacy_image=False)
    assert (jit.error, jit.gpu_container, jit.devices) == (None, True, ())


def test_annotations_win_in_cdi_mode_only() -> None:
    annotations = {"cdi.k8s.io/z": "nvidia.com/gpu=1", "cdi.k8s.io/a": "0", "other/x": "x=y"}
    req = gather({"NVIDIA_VISIBLE_DEVICES": "0"}, annotations=annotations, cdi_mode=True)
    assert req.source.names == ("cdi.k8s.io/a", "cdi.k8s.io/z")
    assert req.ids == ("0", "nvidia.com/gpu=1")
    sel = resolve_devices({"NVIDIA_VISIBLE_DEVICES": "0"}, P, mode="cdi", annotations=annotations,
                          legacy_image=False)
    assert sel.cdi_names == ("nvidia.com/gpu=0", "nvidia.com/gpu=1")
    other = resolve_devices({"NVIDIA_VISIBLE_DEVICES": "0"}, P, mode="jit-cdi",
                            annotations=annotations, legacy_image=False)
    assert other.source.kind == "env"
    assert "annotations-ignored" in {w.code for w in other.warnings}


def test_custom_annotation_prefixes() -> None:
    config = {"nvidia-container-runtime.modes.cdi.annotation-prefixes": ["x.io/"]}
    req = gather({}, config=config, annotations={"x.io/k": "nvidia.com/gpu=0"}, cdi_mode=True)
    assert req.source.kind == "annotations"


@pytest.mark.parametrize(("value", "config_value", "error", "config", "monitor"), [
    ("all", "all", None, (0, 1), ()),
    ("all", "ALL,,", None, (0, 1), ()),
    ("all", "", None, (), ()),
    ("all", "0", "mig-config error: 0: only 'all' devices are currently supported", (), ()),
    ("0:0", "all", "mig-config error: all: cannot enable mig-config with specific MIG devices "
     "selected", (), ()),
    ("2", "all", None, (), ()),             # GPU 2 is not MIG-capable
    ("0:0,1", "all", "mig-config error: all: cannot enable mig-config with specific MIG devices "
     "selected", (), ()),
])
def test_mig_config(value: str, config_value: str, error: str | None,
                    config: tuple[int, ...], monitor: tuple[int, ...]) -> None:
    env = {"NVIDIA_VISIBLE_DEVICES": value, "NVIDIA_MIG_CONFIG_DEVICES": config_value}
    sel = resolve_devices(env, M, privileged=True, legacy_image=False)
    assert (sel.error, sel.mig_config, sel.mig_monitor) == (error, config, monitor)


def test_mig_monitor_privilege_and_empty_values() -> None:
    env = {"NVIDIA_VISIBLE_DEVICES": "0", "NVIDIA_MIG_MONITOR_DEVICES": "all",
           "NVIDIA_MIG_CONFIG_DEVICES": ""}
    sel = resolve_devices(env, M, privileged=False, legacy_image=False)
    assert sel.error == "cannot set MIG_MONITOR_DEVICES in non privileged container"
    quiet = resolve_devices({**env, "NVIDIA_MIG_MONITOR_DEVICES": ""}, M, privileged=False,
                            legacy_image=False)
    assert quiet.error is None


def test_mig_privilege_error_comes_before_device_errors() -> None:
    env = {"NVIDIA_VISIBLE_DEVICES": "9", "NVIDIA_MIG_CONFIG_DEVICES": "all"}
    sel = resolve_devices(env, M, privileged=False, legacy_image=False)
    assert sel.error == "cannot set MIG_CONFIG_DEVICES in non privileged container"
    privileged = resolve_devices({**env, "NVIDIA_MIG_CONFIG_DEVICES": "x"}, M, privileged=True,
                                 legacy_image=False)
    assert privileged.error == "device error: 9: unknown device"


def test_mig_variables_are_ignored_without_a_gpu_container() -> None:
    sel = resolve_devices({"NVIDIA_MIG_CONFIG_DEVICES": "all"}, M, privileged=False,
                          legacy_image=False)
    assert sel.error is None and "mig-vars-ignored" in {w.code for w in sel.warnings}


def test_mig_variables_on_a_host_without_mig_capable_gpus() -> None:
    host = HostProfile(gpus=(Gpu(0, mig=Mig("unsupported")),))
    env = {"NVIDIA_VISIBLE_DEVICES": "0", "NVIDIA_MIG_CONFIG_DEVICES": "all"}
    sel = resolve_devices(env, host, privileged=True, legacy_image=False)
    assert (sel.error, sel.mig_config) == (None, ())
    assert "mig-vars-no-effect" in {w.code for w in sel.warnings}


def host_with(**runtime: Any) -> HostProfile:
    return HostProfile(gpus=P.gpus, runtime=RuntimeSettings(**runtime))


@pytest.mark.parametrize(("host", "kw", "mode", "reason"), [
    (host_with(), {}, "legacy", "default"),
    (host_with(mode="jit-cdi"), {}, "jit-cdi", "profile runtime.mode"),
    (host_with(mode="jit-cdi"), {"mode": "legacy"}, "legacy", "given"),
    (host_with(config={"nvidia-container-runtime": {"mode": "cdi"}}), {}, "cdi",
     "config nvidia-container-runtime.mode"),
    (host_with(mode="auto"), {}, "jit-cdi", "auto: jit-cdi"),
    (host_with(mode="auto", toolkit_version="1.17.4"), {}, "legacy", "auto: legacy"),
    (host_with(mode="auto", toolkit_version="v1.18.0-rc.1"), {}, "jit-cdi", "auto: jit-cdi"),
    (host_with(mode="auto", platform="tegra"), {}, "csv", "auto: Tegra"),
    (host_with(mode="auto", platform="wsl"), {}, "jit-cdi", "auto: jit-cdi"),
])
def test_mode_resolution(host: HostProfile, kw: dict[str, Any], mode: str, reason: str) -> None:
    sel = resolve_devices({"NVIDIA_VISIBLE_DEVICES": "0"}, host, legacy_image=False, **kw)
    assert sel.mode == mode and sel.mode_reason.startswith(reason)


def test_auto_needs_1_14_for_cdi_detection() -> None:
    host = host_with(mode="auto", toolkit_version="1.13.5")
    sel = resolve_devices({"NVIDIA_VISIBLE_DEVICES": "nvidia.com/gpu=0"}, host, legacy_image=False)
    assert (sel.mode, sel.error) == ("legacy", "device error: nvidia.com/gpu=0: unknown device")


def test_auto_with_cdi_annotations_uses_them() -> None:
    sel = resolve_devices({}, host_with(mode="auto"), legacy_image=False,
                          annotations={"cdi.k8s.io/a": "nvidia.com/gpu=1"})
    assert (sel.mode, sel.source.kind, [g.index for g in sel.gpus]) == ("cdi", "annotations", [1])


def test_csv_mode_takes_every_gpu_and_enforces() -> None:
    sel = resolve_devices({"NVIDIA_VISIBLE_DEVICES": "0"}, host_with(mode="csv"),
                          legacy_image=False)
    assert [g.index for g in sel.gpus] == [0, 1] and sel.enforces_requirements
    none = resolve_devices({"NVIDIA_VISIBLE_DEVICES": "none"}, host_with(mode="csv"),
                           legacy_image=False)
    assert none.gpus == ()


def test_unknown_mode_is_an_input_error() -> None:
    with pytest.raises(InputError, match=r"^unknown runtime mode 'fast'; expected one of legacy, "):
        resolve_devices({}, P, mode="fast", legacy_image=False)


def test_hook_called_directly_refuses_cdi_names() -> None:
    sel = resolve_devices({"NVIDIA_VISIBLE_DEVICES": "nvidia.com/gpu=0"}, P, via_hook=True,
                          legacy_image=False)
    assert sel.error is not None and sel.error.startswith("invoking the NVIDIA Container Runtime "
                                                          "Hook directly")


def test_privileged_defaults_to_the_profile() -> None:
    config = {"accept-nvidia-visible-devices-envvar-when-unprivileged": False}
    host = host_with(privileged=True, config=config)
    assert resolve_devices({"NVIDIA_VISIBLE_DEVICES": "0"}, host, legacy_image=False).gpu_container
    assert not resolve_devices({"NVIDIA_VISIBLE_DEVICES": "0"}, host, privileged=False,
                               legacy_image=False).gpu_container
