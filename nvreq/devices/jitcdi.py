"""The ``jit-cdi`` resolver: a CDI spec generated in memory through NVML.

Sources: NVIDIA/nvidia-container-toolkit pkg/nvcdi/lib-nvml.go @ d34b304 and go-nvlib v0.12.0
pkg/nvlib/device/identifier.go. Ids are exact: a decimal index, ``<gpu>:<mig>`` (the NVML MIG
index), or a UUID with the literal prefix ``GPU-``/``MIG-``. The NVML error strings after the
toolkit's text (``Invalid Argument``, ``Not Found``) are nvreq's reconstruction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nvreq.devices.legacy import assume_mig_disabled, match_legacy_id
from nvreq.devices.resolution import (
    Resolution,
    Selector,
    describe_host,
    mig_enabled,
    mig_label,
    nvml_mig_list,
)
from nvreq.formats.digits import uint
from nvreq.formats.go_text import go_quote
from nvreq.host.profile import Gpu, HostProfile

__all__ = ["JIT_CDI_ERROR_PREFIX", "resolve_jitcdi", "select_cdi_all"]

#: how the nvidia runtime wraps every spec-generation error (innermost last).
JIT_CDI_ERROR_PREFIX = (
    'failed to create the automatic CDI modifier: failed to generate CDI spec for mode "auto": '
    "failed to construct device spec generators: ")
_HEX = "[0-9a-fA-F]"
#: compiled on first use (re caches it), not at import
_UUID = (
    rf"{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}"
    rf"|\{{{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}\}}"
    rf"|urn:uuid:{_HEX}{{8}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{4}}-{_HEX}{{12}}|{_HEX}{{32}}")
_UINT64 = 2**64


def _uint(text: str) -> int | None:
    """Go ``strconv.ParseUint(text, 10, 64)``: digits only, no sign, no blanks."""
    return uint(text, _UINT64 - 1)


def _is_uuid(text: str) -> bool:
    """go-nvlib's ``IsUUID``: ``GPU-``/``MIG-`` + google/uuid text, or ``MIG-GPU-<uuid>/n/n``."""
    if text.startswith("GPU-"):
        return re.fullmatch(_UUID, text[4:]) is not None
    if not text.startswith("MIG-"):
        return False
    if re.fullmatch(_UUID, text[4:]):
        return True
    parts = text[4:].split("/")
    return (len(parts) == 3 and _is_uuid(parts[0]) and parts[0].startswith("GPU-")
            and all(_uint(p) is not None for p in parts[1:]))


def select_cdi_all(sel: Selector, host: HostProfile) -> None:
    """``all`` as jit-cdi and generated specs define it: GPUs without MIG, then every MIG device."""
    gpus = sorted(host.gpus, key=lambda g: g.index)
    for gpu in gpus:
        if not mig_enabled(gpu):
            sel.add_gpu(gpu)
    for gpu in gpus:
        for mig in nvml_mig_list(gpu):
            sel.add_mig(gpu, mig)
    sel.via_all = True


def _fail(sel: Selector, host: HostProfile, device_id: str, inner: str) -> Resolution:
    why = []
    legacy = match_legacy_id(device_id, host) if device_id else None
    if legacy is not None and legacy.kind == "gpu" and legacy.gpu is not None:
        why.append(f"{device_id!r} would be GPU {legacy.gpu.index} for the legacy resolver; "
                   f"jit-cdi needs its index '{legacy.gpu.index}' or its exact UUID")
    elif legacy is not None and legacy.gpu is not None and legacy.mig is not None:
        why.append(f"{device_id!r} would be MIG device {mig_label(legacy.gpu, legacy.mig)} for the "
                   "legacy resolver; jit-cdi needs '<gpu>:<mig>' or the exact MIG UUID")
    elif device_id.lower() == "all":
        why.append("jit-cdi knows only the lowercase keyword 'all'")
    why.append(describe_host(host))
    return sel.fail(JIT_CDI_ERROR_PREFIX + inner, *why)


def _by_uuid(sel: Selector, host: HostProfile, device_id: str) -> Resolution | None:
    gpus = sorted(host.gpus, key=lambda g: g.index)
    old = re.fullmatch(r"MIG-(GPU-[^/]+)/([0-9]+)/([0-9]+)", device_id)
    for gpu in gpus:
        candidates = [(gpu, None)] + [(gpu, m) for m in nvml_mig_list(gpu)]
        for owner, mig in candidates:
            uuid = mig.uuid if mig is not None else owner.uuid
            if uuid is not None and uuid.lower() == device_id.lower():
                if uuid != device_id:
                    sel.warn("uuid-case", f"{device_id!r} differs from the driver's {uuid!r} in "
                             "case; whether NVML accepts that is not verified")
                if mig is None:
                    sel.add_gpu(owner)
                else:
                    sel.add_mig(owner, mig)
                return None
            if (old and mig is not None and (owner.uuid or "").lower() == old.group(1).lower()
                    and (mig.gi, mig.ci) == (_uint(old.group(2)), _uint(old.group(3)))):
                sel.warn("mig-uuid-old-form", f"{device_id!r} is the R450/R460 MIG UUID form; "
                         "NVML on R470+ is expected to accept it (derived)")
                sel.add_mig(owner, mig)
                return None
    unknown = any(g.uuid is None for g in gpus) or any(
        m.uuid is None or m.gi is None or m.ci is None for g in gpus for m in nvml_mig_list(g))
    if unknown:
        sel.unresolve(device_id, f"{device_id!r}: the profile lacks some UUIDs (or MIG facts), "
                      "so nvreq cannot tell which device it names")
        return None
    return _fail(sel, host, device_id, "failed to get device handle from UUID: Not Found")


def resolve_jitcdi(device_ids: Sequence[str], host: HostProfile) -> Resolution:
    """Resolve the ids of ``runtime.nvidia.com/gpu=<id>`` names (de-duplicated) as jit-cdi does.

    >>> from nvreq.host.profile import Gpu
    >>> resolve_jitcdi(["+1"], HostProfile(gpus=(Gpu(0), Gpu(1)))).error.endswith(
    ...     'identifier is not a valid UUID or index: "+1"')
    True
    """
    sel = Selector(parents_are_gpus=False)
    gpus: list[Gpu] = sorted(host.gpus, key=lambda g: g.index)
    if "none" in device_ids:
        others = [d for d in device_ids if d != "none"]
        if others:
            sel.warn("none-short-circuit", "'none' makes jit-cdi inject only an empty device and "
                     "the driver files: no GPU, and these ids are ignored: " + ", ".join(others))
        return sel.done()
    if "all" in device_ids:
        select_cdi_all(sel, host)
        others = [d for d in device_ids if d != "all"]
        if others:
            sel.warn("ignored-after-all", "with 'all' in the list jit-cdi ignores the other ids: "
                     + ", ".join(others))
        return sel.done()
    for device_id in device_ids:
        index = _uint(device_id)
        parts = device_id.split(":")
        if index is not None:
            if index >= len(gpus):
                return _fail(sel, host, device_id,
                             "failed to get device handle from index: Invalid Argument")
            sel.add_gpu(gpus[index])
        elif len(parts) == 2 and _uint(parts[0]) is not None and _uint(parts[1]) is not None:
            g, m = _uint(parts[0]) or 0, _uint(parts[1]) or 0
            if g >= len(gpus):
                return _fail(sel, host, device_id,
                             "failed to get parent device handle: Invalid Argument")
            assume_mig_disabled(sel, device_id, host)
            migs = [mig for mig in nvml_mig_list(gpus[g]) if mig.index == m]
            if not migs:
                return _fail(sel, host, device_id, "failed to get MIG handle by index: Not Found")
            sel.add_mig(gpus[g], migs[0])
        elif _is_uuid(device_id):
            failed = _by_uuid(sel, host, device_id)
            if failed is not None:
                return failed
        else:
            return _fail(sel, host, device_id,
                         f"identifier is not a valid UUID or index: {go_quote(device_id)}")
    return sel.done()
