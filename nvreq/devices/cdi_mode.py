"""The ``cdi`` resolver: qualified CDI names against the host's spec files.

nvreq's profile has no spec files. ``runtime.cdi_devices`` lists the names that exist; without it
nvreq assumes a spec as ``nvidia-ctk cdi generate`` writes it (names by index, by UUID, and
``all``) and says so. Names are matched exactly: no case folding, no PCI ids, no prefixes.
"""

from __future__ import annotations

from collections.abc import Sequence

from nvreq.devices.cdi_names import parse_qualified_name
from nvreq.devices.jitcdi import select_cdi_all
from nvreq.devices.resolution import Resolution, Selector, mig_enabled, nvml_mig_list
from nvreq.host.profile import Gpu, HostProfile, MigDevice

__all__ = ["GENERATED_KIND", "generated_spec_names", "resolve_cdi"]

#: the kind ``nvidia-ctk cdi generate`` uses.
GENERATED_KIND = "nvidia.com/gpu"
_Target = tuple[Gpu, MigDevice | None] | None  # None stands for ``all``


def _spec(host: HostProfile) -> dict[str, _Target]:
    names: dict[str, _Target] = {f"{GENERATED_KIND}=all": None}
    for gpu in sorted(host.gpus, key=lambda g: g.index):
        if not mig_enabled(gpu):
            names[f"{GENERATED_KIND}={gpu.index}"] = (gpu, None)
            if gpu.uuid:
                names[f"{GENERATED_KIND}={gpu.uuid}"] = (gpu, None)
        for mig in nvml_mig_list(gpu):
            names[f"{GENERATED_KIND}={gpu.index}:{mig.index}"] = (gpu, mig)
            if mig.uuid:
                names[f"{GENERATED_KIND}={mig.uuid}"] = (gpu, mig)
    return names


def generated_spec_names(host: HostProfile) -> tuple[str, ...]:
    """The device names a generated spec would hold for this host.

    >>> generated_spec_names(HostProfile(gpus=(Gpu(0, uuid="GPU-1"),)))
    ('nvidia.com/gpu=all', 'nvidia.com/gpu=0', 'nvidia.com/gpu=GPU-1')
    """
    return tuple(_spec(host))


def _undecidable(name: str, host: HostProfile) -> bool:
    device = name.partition("=")[2]
    if not name.startswith(f"{GENERATED_KIND}=") or device[:4] not in ("GPU-", "MIG-"):
        return False
    return any(g.uuid is None for g in host.gpus) or any(
        m.uuid is None for g in host.gpus for m in nvml_mig_list(g))


def resolve_cdi(names: Sequence[str], host: HostProfile) -> Resolution:
    """Resolve qualified CDI names (de-duplicated, none of the automatic kind) as the runtime would.

    >>> resolve_cdi(["nvidia.com/gpu=5"], HostProfile(gpus=(Gpu(0),))).error
    'unresolvable CDI devices nvidia.com/gpu=5'
    """
    sel = Selector(parents_are_gpus=False)
    spec = _spec(host)
    listed = host.runtime.cdi_devices
    if listed is None:
        sel.warn("cdi-spec-assumed", "the profile lists no CDI devices (runtime.cdi_devices): "
                 "assuming a spec as 'nvidia-ctk cdi generate' writes it, naming devices by index, "
                 "by UUID and 'all'")
    bad = []
    for name in names:
        known = name in spec if listed is None else name in listed
        if not known:
            if listed is None and _undecidable(name, host):
                sel.unresolve(name, f"{name!r}: the profile lacks some UUIDs, so nvreq cannot "
                              "tell whether the spec holds this name")
            else:
                bad.append(name)
            continue
        if name not in spec:
            sel.unresolve(name, f"{name!r} is in the host's CDI specs, but nvreq cannot tell "
                          "which GPU it injects")
            continue
        target = spec[name]
        if target is None:
            select_cdi_all(sel, host)
        elif target[1] is None:
            sel.add_gpu(target[0])
        else:
            sel.add_mig(target[0], target[1])
    if bad:
        why = []
        available = sorted(spec if listed is None else listed)
        for name in bad:
            near = [n for n in available if n.lower() == name.lower()]
            if near:
                why.append(f"CDI names are matched exactly: did you mean {near[0]!r}?")
            elif parse_qualified_name(name) is None:
                why.append(f"{name!r} is not a valid CDI name (vendor/class=name)")
        why.append("The host's CDI devices: " + ", ".join(available) + ".")
        return sel.fail("unresolvable CDI devices " + ", ".join(bad), *why)
    return sel.done()
