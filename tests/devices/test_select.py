"""devices.md §17: every worked example, in legacy and jit-cdi mode, plus the report shape."""

from __future__ import annotations

import json
from typing import Any

import pytest

from nvreq.devices.jitcdi import JIT_CDI_ERROR_PREFIX
from nvreq.devices.select import DeviceSelection, render_device_table, resolve_devices
from nvreq.host.profile import Gpu, HostProfile, Mig, MigDevice, RuntimeSettings
from tests.hosts import U0, U1, P

G0 = "GPU-33333333-3333-3333-3333-333333333333"
G1 = "GPU-44444444-4444-4444-4444-444444444444"
V0 = "MIG-aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
V1 = "MIG-bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
M = HostProfile(gpus=(
    Gpu(0, uuid=G0, mig=Mig("enabled", (MigDevice(0, V0, gi=1, ci=0),
                                        MigDevice(1, V1, gi=2, ci=0)))),
    Gpu(1, uuid=G1, mig=Mig("disabled"))))
EMPTY = HostProfile()
NO_ENV_UNPRIV = {"accept-nvidia-visible-devices-envvar-when-unprivileged": False}
MOUNT_1 = [{"source": "/dev/null", "destination": "/var/run/nvidia-container-devices/1"}]
NOT_GPU = "not a GPU container"


def summary(sel: DeviceSelection) -> str:
    """A compact, mode-independent rendering of a selection for the tables below."""
    if not sel.gpu_container:
        return NOT_GPU
    if sel.error:
        return "error: " + sel.error.removeprefix(JIT_CDI_ERROR_PREFIX)
    parts = [f"gpus {','.join(str(g.index) for g in sel.gpus)}"]
    if sel.mig_devices:
        parts.append(f"migs {','.join(f'{g.index}:{m.index}' for g, m in sel.mig_devices)}")
    if sel.parents:
        parts.append(f"parents {','.join(map(str, sel.parents))}")
    return " | ".join(parts)


def visible(value: str | None) -> dict[str, str]:
    return {} if value is None else {"NVIDIA_VISIBLE_DEVICES": value}


def check(expected: str, sel: DeviceSelection) -> None:
    got = summary(sel)
    if expected.endswith("…"):
        assert got.startswith(expected[:-1]), got
    else:
        assert got == expected


# (example, env, host, options, legacy, jit-cdi); None: not applicable in that mode.
ROWS: list[tuple[str, dict[str, str], HostProfile, dict[str, Any], str | None, str | None]] = [
    ("1 unset", {}, P, {}, NOT_GPU, NOT_GPU),
    ("2 unset legacy image", {"CUDA_VERSION": "12.4.1"}, P, {"legacy_image": True},
     "gpus 0,1", "gpus 0,1"),
    ("3 empty", visible(""), P, {}, NOT_GPU, NOT_GPU),
    ("3 blank", visible(" "), P, {}, NOT_GPU, NOT_GPU),
    ("3 comma", visible(","), P, {}, NOT_GPU, NOT_GPU),
    ("3 void", visible("void"), P, {}, NOT_GPU, NOT_GPU),
    ("3 0,void", visible("0,void"), P, {}, NOT_GPU, NOT_GPU),
    ("4 none", visible("none"), P, {}, "gpus ", "gpus "),
    ("5 all", visible("all"), P, {}, "gpus 0,1", "gpus 0,1"),
    ("6 1", visible("1"), P, {}, "gpus 1", "gpus 1"),
    ("7 1,0", visible("1,0"), P, {}, "gpus 1,0", "gpus 1,0"),
    ("8 0,0", visible("0,0"), P, {}, "gpus 0", "gpus "),
    ("9 blanks", visible(" 0 , 1 "), P, {}, "gpus 0,1", "gpus 0,1"),
    ("11 none,all", visible("none,all"), P, {}, "gpus ", "gpus "),
    ("11 all,none", visible("all,none"), P, {}, "gpus 0,1", "gpus 0,1"),
    ("11 bogus,all", visible("bogus,all"), P, {}, "gpus 0,1", "gpus 0,1"),
    ("12 ALL", visible("ALL"), P, {}, "gpus 0,1",
     'error: identifier is not a valid UUID or index: "ALL"'),
    ("13 U1", visible(U1), P, {}, "gpus 1", "gpus 1"),
    ("13 u1", visible(U1.lower()), P, {}, "gpus 1",
     "error: identifier is not a valid UUID or index…"),
    ("14 prefix", visible("GPU-22222222"), P, {},
     "error: device error: GPU-22222222: unknown device",
     'error: identifier is not a valid UUID or index: "GPU-22222222"'),
    ("15 short bus id", visible("0:86:0.0"), P, {}, "gpus 1",
     "error: identifier is not a valid UUID or index…"),
    ("15 bus id", visible("00000000:86:00.0"), P, {}, "gpus 1",
     "error: identifier is not a valid UUID or index…"),
    ("16 2", visible("2"), P, {}, "error: device error: 2: unknown device",
     "error: failed to get device handle from index: …"),
    ("17 +1", visible("+1"), P, {}, "gpus 1",
     'error: identifier is not a valid UUID or index: "+1"'),
    ("18 0:1", visible("0:1"), M, {}, "gpus 0 | migs 0:1 | parents 0",
     "gpus  | migs 0:1 | parents 0"),
    ("19 V1", visible(V1), M, {}, "gpus 0 | migs 0:1 | parents 0", "gpus  | migs 0:1 | parents 0"),
    ("20 old MIG form", visible(f"MIG-{G0}/2/0"), M, {},
     f"error: device error: MIG-{G0}/2/0: unknown device", "gpus  | migs 0:1 | parents 0"),
    ("21 all MIG", visible("all"), M, {}, "gpus 0,1 | migs 0:0,0:1",
     "gpus 1 | migs 0:0,0:1 | parents 0"),
    ("25 unprivileged", visible("all"), P, {"privileged": False, "config": NO_ENV_UNPRIV},
     NOT_GPU, NOT_GPU),
    ("26 mounts", visible("all"), P, {"privileged": False, "mounts": MOUNT_1, "config": {
        **NO_ENV_UNPRIV, "accept-nvidia-visible-devices-as-volume-mounts": True}},
     "gpus 1", "gpus 1"),
    ("27 mount root", visible("/var/run/nvidia-container-devices"), P, {},
     "error: device error: /var/run/nvidia-container-devices: unknown device",
     "error: identifier is not a valid UUID or index…"),
    ("28 empty swarm", {"DOCKER_RESOURCE_GPU": "", "NVIDIA_VISIBLE_DEVICES": "all"}, P,
     {"config": {"swarm-resource": "DOCKER_RESOURCE_GPU"}}, NOT_GPU, NOT_GPU),
    ("29 MIG config unprivileged", {**visible("all"), "NVIDIA_MIG_CONFIG_DEVICES": "all"}, M,
     {"privileged": False},
     "error: cannot set MIG_CONFIG_DEVICES in non privileged container",
     "gpus 1 | migs 0:0,0:1 | parents 0"),
    ("30 MIG monitor", {**visible("0:1"), "NVIDIA_MIG_MONITOR_DEVICES": "all"}, M, {},
     "error: mig-monitor error: all: cannot enable mig-monitor with specific MIG devices selected",
     "gpus  | migs 0:1 | parents 0"),
    ("31 zero GPUs", visible("0"), EMPTY, {}, "gpus ",
     "error: failed to get device handle from index: …"),
]


@pytest.mark.parametrize(("example", "env", "host", "options", "legacy", "jit"), ROWS,
                         ids=[r[0] for r in ROWS])
@pytest.mark.parametrize("mode", ["legacy", "jit-cdi"])
def test_worked_example(example: str, env: dict[str, str], host: HostProfile,
                        options: dict[str, Any], legacy: str, jit: str, mode: str) -> None:
    options = {"legacy_image": False, "privileged": True, **options}
    sel = resolve_devices(env, host, mode=mode, **options)
    check(legacy if mode == "legacy" else jit, sel)
    assert sel.mode == mode


def test_example_10_toolkit_1_11_passes_blanks_through() -> None:
    old = HostProfile(gpus=P.gpus, runtime=RuntimeSettings(toolkit_version="1.11.0"))
    sel = resolve_devices(visible("0 ,1"), old, mode="legacy", legacy_image=False)
    assert sel.error == "device error: 0 : unknown device"


@pytest.mark.parametrize(("value", "mode", "expected"), [
    ("nvidia.com/gpu=all", "cdi", "gpus 0,1"),
    ("nvidia.com/gpu=0,0", "jit-cdi", "error: requesting a CDI device with vendor "
     "'runtime.nvidia.com' is not supported when requesting other CDI devices"),
])
def test_examples_22_23_auto_mode(value: str, mode: str, expected: str) -> None:
    sel = resolve_devices(visible(value), P, mode="auto", legacy_image=False)
    assert (sel.mode, summary(sel)) == (mode, expected)
    assert sel.mode_reason.startswith("auto: ")
    assert not sel.enforces_requirements


def test_example_24_cdi_name_in_legacy_mode() -> None:
    sel = resolve_devices(visible("nvidia.com/gpu=0"), P, mode="legacy", legacy_image=False)
    assert sel.error == "device error: nvidia.com/gpu=0: unknown device"
    assert any("CDI device name" in line for line in sel.explanation)


def test_example_4_none_is_a_gpu_container_with_nothing_requested() -> None:
    sel = resolve_devices(visible("none"), P, mode="legacy", legacy_image=False)
    assert (sel.gpu_container, sel.requested, sel.devices) == (True, (), ())


def test_example_6_container_index_renumbers_from_zero() -> None:
    sel = resolve_devices(visible("1"), P, legacy_image=False)
    assert dict(sel.container_index) == {"1": 0}


def test_example_7_devices_in_host_order_selection_in_request_order() -> None:
    sel = resolve_devices(visible("1,0"), P, legacy_image=False)
    assert sel.devices == (U0, U1)
    assert sel.selection_order == ("1", "0")


def test_example_8_duplicates_warn_and_jit_cdi_pitfall() -> None:
    legacy = resolve_devices(visible("0,0"), P, mode="legacy", legacy_image=False)
    jit = resolve_devices(visible("0,0"), P, mode="jit-cdi", legacy_image=False)
    assert legacy.requested == jit.requested == ("0",)
    assert [w.code for w in legacy.warnings] == ["duplicate-device"]
    assert {"duplicate-device", "jit-cdi-duplicate"} <= {w.code for w in jit.warnings}
    assert jit.gpu_container and jit.devices == ()


def test_example_12_jit_cdi_error_is_the_full_wrapped_text() -> None:
    sel = resolve_devices(visible("ALL"), P, mode="jit-cdi", legacy_image=False)
    assert sel.error == (
        'failed to create the automatic CDI modifier: failed to generate CDI spec for mode "auto": '
        "failed to construct device spec generators: "
        'identifier is not a valid UUID or index: "ALL"')


def test_example_14_explains_the_uuid_prefix() -> None:
    sel = resolve_devices(visible("GPU-22222222"), P, legacy_image=False)
    assert any("prefix of GPU 1's UUID" in line for line in sel.explanation)


def test_example_25_warning_text() -> None:
    sel = resolve_devices(visible("all"), P, privileged=False, config=NO_ENV_UNPRIV,
                          legacy_image=False)
    assert any(w.message == "Ignoring devices requested by environment variable(s) in unprivileged"
               " container: [NVIDIA_VISIBLE_DEVICES]" for w in sel.warnings)
    assert sel.source.kind == "env" and sel.requested == ()


def test_example_26_source_is_mounts() -> None:
    config = {**NO_ENV_UNPRIV, "accept-nvidia-visible-devices-as-volume-mounts": True}
    sel = resolve_devices(visible("all"), P, privileged=False, mounts=MOUNT_1, config=config,
                          legacy_image=False)
    assert sel.source.kind == "mounts" and sel.requested == ("1",)
    assert any(w.code == "env-request-ignored" and w.message.startswith("NVIDIA_VISIBLE_DEVICES")
               for w in sel.warnings)


def test_example_29_mig_config_is_ignored_outside_legacy() -> None:
    env = {**visible("all"), "NVIDIA_MIG_CONFIG_DEVICES": "all"}
    sel = resolve_devices(env, M, mode="jit-cdi", privileged=False, legacy_image=False)
    assert sel.error is None
    assert "mig-vars-ignored" in {w.code for w in sel.warnings}


def test_mode_is_stated_and_non_enforcing_modes_say_so() -> None:
    sel = resolve_devices(visible("0"), P, mode="jit-cdi", legacy_image=False)
    assert not sel.enforces_requirements
    assert any("nobody checks NVIDIA_REQUIRE_*" in line for line in sel.explanation)
    default = resolve_devices(visible("0"), P, legacy_image=False)
    assert (default.mode, default.enforces_requirements) == ("legacy", True)
    assert default.mode_reason.startswith("default")


def test_evaluation_order_is_gpus_then_mig_parents() -> None:
    sel = resolve_devices(visible("0:1,1"), M, legacy_image=False)
    assert [(label, g.index) for label, g in sel.evaluation_order()] == [
        ("0", 0), ("1", 1), ("0:1", 0)]


def test_to_dict_is_json_ready_and_complete() -> None:
    sel = resolve_devices(visible("0:1"), M, legacy_image=False)
    data = json.loads(json.dumps(sel.to_dict()))
    assert data["devices"] == [G0, V1]
    assert data["mig_devices"] == [{"gpu": 0, "index": 1, "uuid": V1, "gi": 2, "ci": 0,
                                    "profile": None}]
    assert data["requested"] == ["0:1"] and data["parents"] == [0]
    assert data["source"] == {"kind": "env", "names": ["NVIDIA_VISIBLE_DEVICES"],
                              "text": "NVIDIA_VISIBLE_DEVICES"}


def test_device_table_marks_selected_and_parents() -> None:
    sel = resolve_devices(visible("0:1"), M, mode="jit-cdi", legacy_image=False)
    rows = render_device_table(M, sel)
    assert rows[0][1] == "device"
    assert [(r[0], r[1]) for r in rows[1:]] == [("+", "0"), ("", "0:0"), ("*", "0:1"), ("", "1")]
    assert rows[3][3] == "GI 2 CI 0"
