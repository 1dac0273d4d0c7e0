"""The jit-cdi and cdi resolvers (devices.md §7, §8) and CDI names (container-device-interface)."""

from __future__ import annotations

import pytest

from nvreq.devices.cdi_mode import generated_spec_names, resolve_cdi
from nvreq.devices.cdi_names import is_qualified_name, parse_qualified_name, qualify
from nvreq.devices.jitcdi import JIT_CDI_ERROR_PREFIX, resolve_jitcdi
from nvreq.devices.select import resolve_devices
from nvreq.host.profile import Gpu, HostProfile, Mig, MigDevice, RuntimeSettings
from tests.hosts import U0, U1, P

G0 = "GPU-33333333-3333-3333-3333-333333333333"
V0 = "MIG-aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
V2 = "MIG-cccccccc-cccc-cccc-cccc-cccccccccccc"
# NVML MIG indexes 0 and 2 (a gap at 1): jit-cdi uses NVML indexes, not list positions.
GAP = HostProfile(gpus=(Gpu(0, uuid=G0, mig=Mig("enabled", (MigDevice(0, V0, 1, 0),
                                                           MigDevice(2, V2, 3, 0)))),))
K8S = HostProfile(gpus=(Gpu(0), Gpu(1)))


@pytest.mark.parametrize(("name", "valid"), [
    ("nvidia.com/gpu=0", True), ("nvidia.com/gpu=0:1", True), ("nvidia.com/gpu=all", True),
    ("vendor.example/class_x=dev-1.a", True), ("a/b=c", True),
    ("nvidia.com/gpu=", False), ("nvidia.com/gpu", False), ("0", False),
    ("nvidia.com/gpu=MIG-GPU-x/1/0", False), ("1nvidia.com/gpu=0", False),
    ("nvidia.com-/gpu=0", False), ("nvidia.com/gpu=0:", False), ("nvidia.com/gpu=a b", False),
])
def test_qualified_names(name: str, valid: bool) -> None:
    assert is_qualified_name(name) is valid
    parsed = parse_qualified_name(name)
    assert (parsed is not None) is valid
    if parsed is not None:
        assert str(parsed) == name


def test_qualify_uses_the_default_kind() -> None:
    assert qualify("0", "nvidia.com/gpu") == "nvidia.com/gpu=0"
    assert qualify("other.com/x=1", "nvidia.com/gpu") == "other.com/x=1"


def jit(ids: list[str], host: HostProfile = P) -> str:
    res = resolve_jitcdi(ids, host)
    if res.error:
        return res.error.removeprefix(JIT_CDI_ERROR_PREFIX)
    return ",".join([str(g.index) for g in res.gpus]
                    + [f"{g.index}:{m.index}" for g, m in res.mig_devices])


@pytest.mark.parametrize(("ids", "expected"), [
    (["1"], "1"),
    (["01"], "1"),                      # ParseUint accepts leading zeros
    (["1", "0"], "1,0"),
    ([U1], "1"),
    (["GPU-{" + U1[4:] + "}"], "failed to get device handle from UUID: Not Found"),
    (["+1"], 'identifier is not a valid UUID or index: "+1"'),
    ([" 1"], 'identifier is not a valid UUID or index: " 1"'),
    (["-0"], 'identifier is not a valid UUID or index: "-0"'),
    (["18446744073709551616"], 'identifier is not a valid UUID or index: "18446744073709551616"'),
    (["GPU-3a23c669"], 'identifier is not a valid UUID or index: "GPU-3a23c669"'),
    (["GPU-33333333-3333-3333-3333-333333333333"],
     "failed to get device handle from UUID: Not Found"),
    (["2"], "failed to get device handle from index: Invalid Argument"),
    (["0:0"], "failed to get MIG handle by index: Not Found"),
    (["2:0"], "failed to get parent device handle: Invalid Argument"),
    (["0", "nope"], 'identifier is not a valid UUID or index: "nope"'),
    (["none", "1"], ""),
    (["1", "all"], "0,1"),
])
def test_jit_cdi_ids(ids: list[str], expected: str) -> None:
    assert jit(ids) == expected


@pytest.mark.parametrize(("ids", "expected"), [
    (["0:2"], "0:2"),                  # the NVML index, not the list position
    (["0:1"], "failed to get MIG handle by index: Not Found"),
    (["0:1x"], 'identifier is not a valid UUID or index: "0:1x"'),
    ([V2], "0:2"),
    ([f"MIG-{G0}/3/0"], "0:2"),
    (["all"], "0:0,0:2"),
    (["0"], "0"),                      # a MIG-enabled GPU by index is the whole GPU
])
def test_jit_cdi_mig(ids: list[str], expected: str) -> None:
    assert jit(ids, GAP) == expected


def test_jit_cdi_explains_what_the_legacy_resolver_would_have_read() -> None:
    res = resolve_jitcdi(["0:86:0.0"], P)
    assert any("would be GPU 1 for the legacy resolver" in line for line in res.explanation)


def test_jit_cdi_unknown_uuids_are_unresolved() -> None:
    res = resolve_jitcdi([U1, "1"], K8S)
    assert (res.error, res.unresolved, [g.index for g in res.gpus]) == (None, (U1,), [1])


def test_jit_cdi_mig_parent_is_a_node_not_a_gpu() -> None:
    res = resolve_jitcdi(["0:2"], GAP)
    assert res.gpus == () and res.parents == (0,)


def test_generated_spec_names() -> None:
    assert generated_spec_names(GAP) == (
        "nvidia.com/gpu=all", "nvidia.com/gpu=0:0", f"nvidia.com/gpu={V0}",
        "nvidia.com/gpu=0:2", f"nvidia.com/gpu={V2}")


def cdi(names: list[str], host: HostProfile = P) -> str:
    res = resolve_cdi(names, host)
    if res.error:
        return res.error
    return ",".join([str(g.index) for g in res.gpus]
                    + [f"{g.index}:{m.index}" for g, m in res.mig_devices])


@pytest.mark.parametrize(("names", "expected"), [
    (["nvidia.com/gpu=all"], "0,1"),
    (["nvidia.com/gpu=1", f"nvidia.com/gpu={U0}"], "1,0"),
    (["nvidia.com/gpu=5"], "unresolvable CDI devices nvidia.com/gpu=5"),
    (["nvidia.com/gpu=5", "nvidia.com/gpu=ALL"],
     "unresolvable CDI devices nvidia.com/gpu=5, nvidia.com/gpu=ALL"),
    ([f"nvidia.com/gpu={U1.lower()}"], f"unresolvable CDI devices nvidia.com/gpu={U1.lower()}"),
    (["nvidia.com/gpu=00000000:86:00.0"],
     "unresolvable CDI devices nvidia.com/gpu=00000000:86:00.0"),
    (["nvidia.com/gpu="], "unresolvable CDI devices nvidia.com/gpu="),
])
def test_cdi_names_against_a_generated_spec(names: list[str], expected: str) -> None:
    assert cdi(names) == expected


def test_cdi_explains_near_misses() -> None:
    res = resolve_cdi(["nvidia.com/gpu=ALL"], P)
    assert any("did you mean 'nvidia.com/gpu=all'" in line for line in res.explanation)
    assert "cdi-spec-assumed" in {w.code for w in res.warnings}


def test_cdi_with_listed_devices() -> None:
    host = HostProfile(gpus=P.gpus, runtime=RuntimeSettings(
        cdi_devices=("nvidia.com/gpu=0", "vendor.com/fpga=x")))
    assert cdi(["nvidia.com/gpu=0"], host) == "0"
    assert cdi(["nvidia.com/gpu=1"], host) == "unresolvable CDI devices nvidia.com/gpu=1"
    res = resolve_cdi(["vendor.com/fpga=x"], host)
    assert (res.error, res.unresolved) == (None, ("vendor.com/fpga=x",))
    assert "cdi-spec-assumed" not in {w.code for w in res.warnings}


def test_cdi_uuid_names_on_a_profile_without_uuids_are_unresolved() -> None:
    res = resolve_cdi([f"nvidia.com/gpu={U1}"], K8S)
    assert (res.error, res.unresolved) == (None, (f"nvidia.com/gpu={U1}",))


@pytest.mark.parametrize(("value", "mode", "names", "expected"), [
    ("0,1", "cdi", ("nvidia.com/gpu=0", "nvidia.com/gpu=1"), None),
    ("runtime.nvidia.com/gpu=all", "cdi", ("runtime.nvidia.com/gpu=all",), None),
    ("runtime.nvidia.com/gpu=0,1", "cdi", ("runtime.nvidia.com/gpu=0", "nvidia.com/gpu=1"),
     "requesting a CDI device with vendor 'runtime.nvidia.com' is not supported when requesting "
     "other CDI devices"),
    ("nvidia.com/gpu=1", "jit-cdi", ("nvidia.com/gpu=1",), None),
    ("0,1", "jit-cdi", ("runtime.nvidia.com/gpu=0", "runtime.nvidia.com/gpu=1"), None),
])
def test_cdi_names_by_mode(value: str, mode: str, names: tuple[str, ...],
                           expected: str | None) -> None:
    sel = resolve_devices({"NVIDIA_VISIBLE_DEVICES": value}, P, mode=mode, legacy_image=False)
    assert (sel.cdi_names, sel.error) == (names, expected)


def test_cdi_default_kind_comes_from_config() -> None:
    config = {"nvidia-container-runtime": {"modes": {"cdi": {"default-kind": "example.com/gpu"}}}}
    sel = resolve_devices({"NVIDIA_VISIBLE_DEVICES": "0"}, P, mode="cdi", config=config,
                          legacy_image=False)
    assert sel.error == "unresolvable CDI devices example.com/gpu=0"


def test_cdi_none_becomes_an_invalid_name() -> None:
    sel = resolve_devices({"NVIDIA_VISIBLE_DEVICES": "none"}, P, mode="cdi", legacy_image=False)
    assert sel.error == "unresolvable CDI devices nvidia.com/gpu="


def test_old_toolkits_warn_that_the_mode_does_not_exist() -> None:
    old = HostProfile(gpus=P.gpus, runtime=RuntimeSettings(toolkit_version="1.10.0"))
    sel = resolve_devices({"NVIDIA_VISIBLE_DEVICES": "0"}, old, mode="cdi", legacy_image=False)
    assert "mode-unavailable" in {w.code for w in sel.warnings}
    sel = resolve_devices({"NVIDIA_VISIBLE_DEVICES": "0"}, old, mode="jit-cdi", legacy_image=False)
    assert "mode-unavailable" in {w.code for w in sel.warnings}
