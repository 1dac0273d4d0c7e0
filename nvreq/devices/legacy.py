"""The ``legacy`` resolver: nvidia-container-cli's device selection.

Source: NVIDIA/libnvidia-container src/cli/common.c (``select_devices``, ``select_gpu_device``,
``select_mig_device``) @ 2e347c1. Each token is tried as: empty, ``all`` (any case), GPU UUID,
PCI bus id, index, MIG UUID, ``<gpu>:<mig>``; anything else is
``device error: <token>: unknown device``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from nvreq._frozen import frozen
from nvreq.devices.cdi_names import is_qualified_name
from nvreq.devices.request import MOUNT_ROOT
from nvreq.devices.resolution import (
    Resolution,
    Selector,
    describe_host,
    legacy_mig_list,
    mig_enabled,
    mig_label,
    nvml_mig_list,
    short,
)
from nvreq.formats.digits import saturating_uint, uint
from nvreq.host.profile import Gpu, HostProfile, MigDevice

__all__ = ["LegacyMatch", "assume_mig_disabled", "match_legacy_id", "resolve_legacy", "why_unknown"]

_C_SPACE = " \t\n\v\f\r"
_ULONG_MAX = 2**64 - 1
_UUID_LENGTH = 40  # "GPU-" / "MIG-" + 36: what NVML reports on R470+ drivers


def _scan(text: str, pos: int, base: int, width: int | None = None) -> tuple[int, int] | None:
    """One scanf ``%x``/``%lu`` conversion at ``pos``: (value as unsigned long, end) or None."""
    while pos < len(text) and text[pos] in _C_SPACE:
        pos += 1
    limit = len(text) if width is None else min(len(text), pos + width)
    sign = 1
    if pos < limit and text[pos] in "+-":
        sign, pos = (-1 if text[pos] == "-" else 1), pos + 1
    digits = "0123456789abcdefABCDEF" if base == 16 else "0123456789"
    zero_x = base == 16 and text[pos:pos + 2] in ("0x", "0X") and pos + 2 <= limit
    if zero_x:
        pos += 2
    start = pos
    while pos < limit and text[pos] in digits:
        pos += 1
    if pos == start and not zero_x:
        return None
    value = saturating_uint(text[start:pos] or "0", _ULONG_MAX, base)
    return (value if sign > 0 or value == _ULONG_MAX else -value % 2**64), pos


def _strtoumax(token: str) -> int | None:
    """``strtoumax(token, &end, 10)`` when it consumes the whole token, else None."""
    scanned = _scan(token, 0, 10)
    return scanned[0] if scanned and scanned[1] == len(token) else None


def _scan_pci(token: str) -> str | None:
    """``sscanf(token, "%x:%02x:%02x.0")`` == 3, normalised to ``%08x:%02x:%02x.0``."""
    values, pos = [], 0
    for i, width in enumerate((None, 2, 2)):
        if i:
            if token[pos:pos + 1] != ":":
                return None
            pos += 1
        scanned = _scan(token, pos, 16, width)
        if scanned is None:
            return None
        values.append(scanned[0] & 0xFFFFFFFF)
        pos = scanned[1]
    return f"{values[0]:08x}:{values[1]:02x}:{values[2]:02x}.0"


def _scan_mig(token: str) -> tuple[int, int] | None:
    """``sscanf(token, "%lu:%lu")`` with two conversions; trailing text is ignored."""
    first = _scan(token, 0, 10)
    if first is None or token[first[1]:first[1] + 1] != ":":
        return None
    second = _scan(token, first[1] + 1, 10)
    return (first[0], second[0]) if second else None


def _bus(gpu: Gpu) -> str | None:
    match = re.fullmatch(r"([0-9a-fA-F]+):([0-9a-fA-F]+):([0-9a-fA-F]+)\.([0-9a-fA-F])",
                         gpu.pci_bus_id or "")
    if not match:
        return None
    d, b, v, f = (saturating_uint(x, 2**64 - 1, 16) for x in match.groups())
    return f"{d:08x}:{b:02x}:{v:02x}.{f:x}"


@frozen
class LegacyMatch:
    """How nvidia-container-cli reads one token: ``kind`` is ``gpu``, ``mig`` or ``unresolved``."""

    kind: str
    gpu: Gpu | None = None
    mig: MigDevice | None = None
    note: tuple[str, str] | None = None


def match_legacy_id(token: str, host: HostProfile) -> LegacyMatch | None:
    """What nvidia-container-cli selects for one non-empty, non-``all`` token; None: unknown."""
    gpus = sorted(host.gpus, key=lambda g: g.index)
    low = token.lower()
    if low.startswith("gpu-") and len(token) > 4:
        for gpu in gpus:
            if gpu.uuid and len(gpu.uuid) == len(token) and gpu.uuid.lower() == low:
                note = None if gpu.uuid == token else ("uuid-case", (
                    f"{token!r} matches GPU {gpu.index}'s UUID only ignoring case; jit-cdi "
                    f"would reject it: write {gpu.uuid!r}"))
                return LegacyMatch("gpu", gpu, note=note)
        if len(token) == _UUID_LENGTH and any(g.uuid is None for g in gpus):
            return LegacyMatch("unresolved", note=("unresolved", (
                f"{token!r}: the profile lacks some GPU UUIDs, so nvreq cannot tell which GPU "
                "it names, or whether it exists")))
    pci = _scan_pci(token)
    if pci is not None:
        for gpu in gpus:
            if _bus(gpu) == pci:
                return LegacyMatch("gpu", gpu, note=("pci-bus-id", (
                    f"{token!r} is GPU {gpu.index}'s PCI bus id: only the legacy resolver "
                    f"accepts bus ids; jit-cdi and cdi need '{gpu.index}' or the UUID")))
        if any(_bus(g) is None for g in gpus):
            return LegacyMatch("unresolved", note=("unresolved", (
                f"{token!r} reads as PCI bus id {pci}, but the profile lacks some bus ids")))
    index = _strtoumax(token)
    if index is not None and index < len(gpus):
        note = None if token == str(index) else ("non-canonical-index", (
            f"{token!r} is read as index {index} by nvidia-container-cli; jit-cdi needs "
            f"'{index}'"))
        return LegacyMatch("gpu", gpus[index], note=note)
    if low.startswith("mig-") and len(token) > 4:
        pairs = [(g, m) for g in gpus for m in legacy_mig_list(g)]
        for gpu, mig in pairs:
            if mig.uuid and len(mig.uuid) == len(token) and mig.uuid.lower() == low:
                note = None if mig.uuid == token else ("uuid-case", (
                    f"{token!r} matches MIG device {mig_label(gpu, mig)}'s UUID only ignoring "
                    f"case; jit-cdi would reject it: write {mig.uuid!r}"))
                return LegacyMatch("mig", gpu, mig, note=note)
        if len(token) == _UUID_LENGTH and any(m.uuid is None for _, m in pairs):
            return LegacyMatch("unresolved", note=("unresolved", (
                f"{token!r}: the profile lacks some MIG UUIDs, so nvreq cannot tell which MIG "
                "device it names")))
    pair = _scan_mig(token)
    if pair is not None and pair[0] < len(gpus):
        gpu = gpus[pair[0]]
        migs = legacy_mig_list(gpu)
        if pair[1] < len(migs):
            mig = migs[pair[1]]
            note = None if token == f"{pair[0]}:{pair[1]}" else ("non-canonical-mig-index", (
                f"{token!r} is read as MIG device {pair[0]}:{pair[1]} by nvidia-container-cli; "
                f"jit-cdi needs '{pair[0]}:{pair[1]}'"))
            return LegacyMatch("mig", gpu, mig, note=note)
    return None


def resolve_legacy(tokens: Sequence[str], host: HostProfile) -> Resolution:
    """Select devices for the ``--device`` tokens (split on ``,``) as nvidia-container-cli does.

    >>> from nvreq.host.profile import Gpu
    >>> host = HostProfile(gpus=(Gpu(0), Gpu(1)))
    >>> [g.index for g in resolve_legacy(["1", "0"], host).gpus]
    [1, 0]
    >>> resolve_legacy(["2"], host).error
    'device error: 2: unknown device'
    """
    sel = Selector(parents_are_gpus=True)
    gpus = sorted(host.gpus, key=lambda g: g.index)
    if not gpus:
        if any(tokens):
            sel.warn("no-gpus", "the host has no GPU: nvidia-container-cli skips selection, so "
                     "no id is checked and requirements are evaluated without a GPU")
        return sel.done()
    for pos, token in enumerate(tokens):
        if not token:
            continue
        if token.lower() == "all":
            if token != "all":
                sel.warn("all-case", f"{token!r} is read as 'all' by nvidia-container-cli only; "
                         "the toolkit's keywords and jit-cdi need lowercase 'all'")
            for gpu in gpus:
                sel.add_gpu(gpu)
            for gpu in gpus:
                for mig in legacy_mig_list(gpu):
                    sel.add_mig(gpu, mig)
            sel.via_all = True
            rest = [t for t in tokens[pos + 1:] if t]
            if rest:
                sel.warn("ignored-after-all", "nvidia-container-cli ignores every id after 'all': "
                         + ", ".join(rest))
            break
        match = match_legacy_id(token, host)
        assume_mig_disabled(sel, token, host)
        if match is None:
            return sel.fail(f"device error: {token}: unknown device", *why_unknown(token, host))
        if match.kind == "unresolved":
            sel.unresolve(token, match.note[1] if match.note else token)
            continue
        if match.note:
            sel.warn(*match.note)
        if match.kind == "gpu" and match.gpu is not None:
            sel.add_gpu(match.gpu)
        elif match.gpu is not None and match.mig is not None:
            sel.add_mig(match.gpu, match.mig)
    for gpu in gpus:
        if mig_enabled(gpu) and len(legacy_mig_list(gpu)) < len(nvml_mig_list(gpu)):
            sel.warn("mig-gap", f"GPU {gpu.index}'s MIG devices have a gap in their NVML indexes: "
                     "nvidia-container-cli stops its list at the gap, so the devices after it "
                     "cannot be selected in legacy mode")
    return sel.done()


def assume_mig_disabled(sel: Selector, token: str, host: HostProfile) -> None:
    """Warn when a ``<gpu>:<mig>`` token names a GPU whose MIG mode the profile does not state."""
    pair = _scan_mig(token)
    gpus = sorted(host.gpus, key=lambda g: g.index)
    if pair is not None and pair[0] < len(gpus) and gpus[pair[0]].mig.mode is None:
        sel.warn("mig-mode-assumed", f"the profile does not say whether GPU {pair[0]} has MIG "
                 "enabled; nvreq assumes disabled")


def why_unknown(token: str, host: HostProfile) -> list[str]:
    """nvreq's guesses at what an unknown device token was meant to be."""
    gpus = sorted(host.gpus, key=lambda g: g.index)
    low, why = token.lower(), []
    for gpu in gpus:
        if gpu.uuid and gpu.uuid.lower().startswith(low) and low.startswith("gpu-"):
            why.append(f"{token!r} is a prefix of GPU {gpu.index}'s UUID {gpu.uuid}: only "
                       "libnvidia-container < 1.1 matched prefixes; give the whole UUID")
    old = re.fullmatch(r"mig-(gpu-[0-9a-f-]+)/([0-9]+)/([0-9]+)", low)
    if old:
        for gpu in gpus:
            for mig in nvml_mig_list(gpu):
                if (gpu.uuid or "").lower() == old.group(1) and (mig.gi, mig.ci) == (
                        uint(old.group(2), 2**64 - 1), uint(old.group(3), 2**64 - 1)):
                    why.append(f"{token!r} is the R450/R460 form of MIG device "
                               f"{mig_label(gpu, mig)}; R470+ drivers report {short(mig.uuid)}, "
                               "and the legacy resolver compares with what the driver reports")
    if is_qualified_name(token):
        why.append(f"{token!r} is a CDI device name: the legacy resolver knows only indexes, "
                   "UUIDs and PCI bus ids (use the nvidia runtime in cdi mode, or a bare id)")
    if token.rstrip("/") == MOUNT_ROOT:
        why.append("this is the device plugin's volume-mounts value: the toolkit reads ids from "
                   "mounts only with accept-nvidia-visible-devices-as-volume-mounts = true")
    if token != token.strip(_C_SPACE):
        why.append(f"{token!r} has surrounding blanks: toolkit < 1.12 passes ids untrimmed")
    if token == "none":
        why.append("'none' is special only in NVIDIA_VISIBLE_DEVICES, not in a volume mount")
    index = _strtoumax(token)
    if index is not None:
        why.append(f"index {index} is out of range: GPU indexes are 0 to {len(gpus) - 1}")
    pair = _scan_mig(token)
    if pair is not None and index is None and _scan_pci(token) is None and pair[0] < len(gpus):
        gpu = gpus[pair[0]]
        count = len(legacy_mig_list(gpu))
        why.append(f"GPU {gpu.index} has MIG {gpu.mig.mode or 'disabled (assumed)'} and "
                   f"{count} MIG device{'s' if count != 1 else ''} the legacy resolver can see")
    why.append(describe_host(host))
    return why
