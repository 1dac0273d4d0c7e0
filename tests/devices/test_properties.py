"""Properties of device resolution: no unexpected exception on arbitrary input; the result does
not depend on id order or repetition (beyond the duplicate warning); canonical ids agree across
modes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.devices.resolution import legacy_mig_list, nvml_mig_list
from nvreq.devices.select import DeviceSelection, render_device_table, resolve_devices
from nvreq.host.profile import Gpu, HostProfile, Mig, MigDevice, RuntimeSettings


def _uuid(prefix: str, n: int) -> str:
    h = f"{n:08x}"
    return f"{prefix}-{h}-{h[:4]}-{h[4:]}-{h[:4]}-{h}{h[:4]}"


@st.composite
def hosts(draw: st.DrawFn, *, gaps: bool = True) -> HostProfile:
    gpus = []
    for i in range(draw(st.integers(0, 3))):
        mode = draw(st.sampled_from([None, "enabled", "disabled", "unsupported"]))
        migs: tuple[MigDevice, ...] = ()
        if mode == "enabled":
            count = draw(st.integers(0, 3))
            indexes = (sorted(draw(st.sets(st.integers(0, 3), max_size=3))) if gaps
                       else list(range(count)))
            migs = tuple(MigDevice(j, draw(st.sampled_from([_uuid("MIG", 16 * i + j), None])),
                                   gi=j + 1, ci=0) for j in indexes)
        gpus.append(Gpu(i, uuid=draw(st.sampled_from([_uuid("GPU", i), None])),
                        pci_bus_id=draw(st.sampled_from([f"00000000:{16 * i + 3:02X}:00.0", None])),
                        mig=Mig(mode, migs)))
    version = draw(st.sampled_from([None, "1.11.0", "1.14.0", "1.17.4", "1.18.0"]))
    return HostProfile(gpus=tuple(gpus), runtime=RuntimeSettings(toolkit_version=version))


TOKENS = st.sampled_from([
    "0", "1", "2", "+1", "01", "-0", "all", "ALL", "none", "void", "None", "0:0", "0:1", "1:0",
    "0:1x", _uuid("GPU", 0), _uuid("GPU", 1).lower(), _uuid("MIG", 1), "GPU-0000",
    "00000000:03:00.0", "0:13:0.0", "nvidia.com/gpu=0", "nvidia.com/gpu=all",
    "runtime.nvidia.com/gpu=1", "/var/run/nvidia-container-devices", " ", "", "MIG-GPU-x/1/0"])
VALUES = st.one_of(st.text(max_size=30), st.lists(TOKENS, max_size=5).map(",".join))
MOUNTS = st.lists(st.fixed_dictionaries({
    "source": st.sampled_from(["/dev/null", "//dev/null/", "/dev/zero", ""]),
    "destination": st.one_of(st.text(max_size=20), TOKENS.map(
        lambda t: f"/var/run/nvidia-container-devices/{t}"))}), max_size=3)


@settings(max_examples=300, deadline=None)
@given(host=hosts(), value=st.one_of(st.none(), VALUES), swarm=st.one_of(st.none(), VALUES),
       mig_config=st.one_of(st.none(), VALUES), mig_monitor=st.one_of(st.none(), VALUES),
       mode=st.sampled_from(["legacy", "jit-cdi", "cdi", "csv", "auto"]),
       privileged=st.booleans(), legacy_image=st.booleans(), accept_env=st.booleans(),
       accept_mounts=st.booleans(), mounts=MOUNTS, via_hook=st.booleans(),
       annotations=st.dictionaries(st.sampled_from(["cdi.k8s.io/a", "cdi.k8s.io/b", "x"]),
                                   VALUES, max_size=2))
def test_arbitrary_input_never_raises(host: HostProfile, value: str | None, swarm: str | None,
                                      mig_config: str | None, mig_monitor: str | None, mode: str,
                                      privileged: bool, legacy_image: bool, accept_env: bool,
                                      accept_mounts: bool, mounts: list[dict[str, str]],
                                      via_hook: bool, annotations: dict[str, str]) -> None:
    env = {name: v for name, v in [("NVIDIA_VISIBLE_DEVICES", value), ("SWARM", swarm),
                                   ("NVIDIA_MIG_CONFIG_DEVICES", mig_config),
                                   ("NVIDIA_MIG_MONITOR_DEVICES", mig_monitor)] if v is not None}
    config: dict[str, Any] = {
        "accept-nvidia-visible-devices-envvar-when-unprivileged": accept_env,
        "accept-nvidia-visible-devices-as-volume-mounts": accept_mounts,
        "swarm-resource": "SWARM" if swarm is not None else ""}
    sel = resolve_devices(env, host, mode=mode, privileged=privileged, mounts=mounts,
                          annotations=annotations, config=config, legacy_image=legacy_image,
                          via_hook=via_hook)
    assert sel.mode in ("legacy", "jit-cdi", "cdi", "csv")
    if not sel.gpu_container:
        assert (sel.requested, sel.devices, sel.error) == ((), (), None)
    known = {g.uuid or str(g.index) for g in host.gpus} | {
        m.uuid or f"{g.index}:{m.index}" for g in host.gpus for m in nvml_mig_list(g)}
    assert set(sel.devices) <= known
    assert len(set(sel.selection_order)) == len(sel.selection_order)
    json.dumps(sel.to_dict())
    assert len(render_device_table(host, sel)) == 1 + sum(1 + len(nvml_mig_list(g))
                                                          for g in host.gpus)


def _legacy_ids(host: HostProfile) -> list[str]:
    ids = []
    for gpu in host.gpus:
        ids += [str(gpu.index)] + [x for x in (gpu.uuid, gpu.pci_bus_id) if x]
        for pos, mig in enumerate(legacy_mig_list(gpu)):
            ids += [f"{gpu.index}:{pos}"] + ([mig.uuid] if mig.uuid else [])
    return ids


def _outcome(sel: DeviceSelection) -> tuple[Any, ...]:
    if sel.error is not None:  # the CLI stops at the first bad token: only the failure is stable
        return (sel.error.endswith(": unknown device"),)
    warnings = {w for w in sel.warnings if w.code != "duplicate-device"}
    return (set(sel.devices), set(sel.unresolved), warnings)


@st.composite
def legacy_requests(draw: st.DrawFn) -> tuple[HostProfile, list[str], list[str]]:
    host = draw(hosts())
    pool = [*_legacy_ids(host), "9", "GPU-0000"]
    ids = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=5, unique=True))
    shuffled = draw(st.permutations(ids))
    repeated = shuffled + draw(st.lists(st.sampled_from(ids), max_size=4))
    return host, ids, draw(st.permutations(repeated))


@settings(max_examples=300, deadline=None)
@given(legacy_requests())
def test_legacy_result_does_not_depend_on_order_or_repetition(
        case: tuple[HostProfile, list[str], list[str]]) -> None:
    host, ids, other = case

    def run(seq: list[str]) -> DeviceSelection:
        return resolve_devices({"NVIDIA_VISIBLE_DEVICES": ",".join(seq)}, host, mode="legacy",
                               legacy_image=False)

    first, second = run(ids), run(other)
    assert _outcome(first) == _outcome(second)
    assert first.requested == tuple(ids) and set(second.requested) == set(ids)
    dups = {w.code for w in second.warnings} & {"duplicate-device"}
    assert bool(dups) == (len(other) > len(ids))


@st.composite
def canonical_requests(draw: st.DrawFn) -> tuple[HostProfile, list[str], list[str]]:
    host = draw(hosts(gaps=False).filter(lambda h: bool(h.gpus)))
    pool = [str(g.index) for g in host.gpus] + [g.uuid for g in host.gpus if g.uuid]
    for gpu in host.gpus:
        for mig in nvml_mig_list(gpu):
            pool += [f"{gpu.index}:{mig.index}"] + ([mig.uuid] if mig.uuid else [])
    ids = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=4, unique=True))
    return host, ids, draw(st.permutations(ids))


@settings(max_examples=200, deadline=None)
@given(canonical_requests())
def test_canonical_ids_agree_across_modes_and_orders(
        case: tuple[HostProfile, list[str], list[str]]) -> None:
    host, ids, shuffled = case
    env = {"NVIDIA_VISIBLE_DEVICES": ",".join(ids)}
    legacy = resolve_devices(env, host, mode="legacy", legacy_image=False)
    jit = resolve_devices(env, host, mode="jit-cdi", legacy_image=False)
    jit_shuffled = resolve_devices({"NVIDIA_VISIBLE_DEVICES": ",".join(shuffled)}, host,
                                   mode="jit-cdi", legacy_image=False)
    assert (legacy.error is None) == (jit.error is None) == (jit_shuffled.error is None)
    if legacy.error is None:
        # legacy appends a MIG device's parent to its GPUs; jit-cdi injects only its device node
        parents = {g.uuid or str(g.index) for g in host.gpus if g.index in jit.parents}
        assert [d for d in legacy.devices if d not in parents] == list(jit.devices)
        assert jit.devices == jit_shuffled.devices
