"""What a device resolver yields, and the host facts every resolver reads.

Each runtime mode has its own resolver module; they all fill a :class:`Selector` and return its
frozen :class:`Resolution`.
"""

from __future__ import annotations

from nvreq._frozen import frozen
from nvreq.host.profile import Gpu, HostProfile, MigDevice

__all__ = [
    "DeviceWarning",
    "Resolution",
    "Selector",
    "describe_host",
    "gpu_label",
    "legacy_mig_list",
    "mig_enabled",
    "mig_label",
    "nvml_mig_list",
    "short",
]


@frozen
class DeviceWarning:
    """Something the runtime accepts, ignores or mishandles that the user should know about."""

    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


MigPair = tuple[Gpu, MigDevice]


@frozen
class Resolution:
    """One resolver's result: selection order, parents pulled in, unresolved ids and the error."""

    gpus: tuple[Gpu, ...] = ()
    mig_devices: tuple[MigPair, ...] = ()
    parents: tuple[int, ...] = ()
    unresolved: tuple[str, ...] = ()
    warnings: tuple[DeviceWarning, ...] = ()
    error: str | None = None
    explanation: tuple[str, ...] = ()
    via_all: bool = False
    cdi_names: tuple[str, ...] = ()


class Selector:
    """A mutable builder for a :class:`Resolution`; never selects a device twice."""

    def __init__(self, *, parents_are_gpus: bool) -> None:
        self.parents_are_gpus = parents_are_gpus
        self.gpus: list[Gpu] = []
        self._chosen: set[int] = set()  # the indexes in ``gpus``
        self.migs: list[MigPair] = []
        self.parents: list[int] = []
        self.unresolved: list[str] = []
        self.warnings: list[DeviceWarning] = []
        self.explanation: list[str] = []
        self.error: str | None = None
        self.via_all = False
        self.cdi_names: tuple[str, ...] = ()

    def add_gpu(self, gpu: Gpu) -> None:
        """Select a whole GPU (once); a GPU asked for by itself is no longer just a parent."""
        if gpu.index in self.parents:
            self.parents.remove(gpu.index)
        self._append(gpu)

    def _append(self, gpu: Gpu) -> None:
        if gpu.index not in self._chosen:
            self._chosen.add(gpu.index)
            self.gpus.append(gpu)

    def add_mig(self, gpu: Gpu, mig: MigDevice) -> None:
        """Select a MIG device (once) and pull in its parent GPU."""
        if any(g.index == gpu.index and m.index == mig.index for g, m in self.migs):
            return
        self.migs.append((gpu, mig))
        if gpu.index not in self._chosen and gpu.index not in self.parents:
            self.parents.append(gpu.index)
        if self.parents_are_gpus:
            self._append(gpu)

    def warn(self, code: str, message: str) -> None:
        """Add a warning unless the same one is already there."""
        warning = DeviceWarning(code, message)
        if warning not in self.warnings:
            self.warnings.append(warning)

    def unresolve(self, token: str, why: str) -> None:
        """Record an id the profile cannot decide."""
        self.unresolved.append(token)
        self.explanation.append(why)

    def fail(self, error: str, *why: str) -> Resolution:
        """Stop with the runtime's ``error`` and nvreq's words for it."""
        self.error = error
        self.explanation.extend(why)
        return self.done()

    def done(self) -> Resolution:
        """Freeze."""
        return Resolution(tuple(self.gpus), tuple(self.migs), tuple(self.parents),
                          tuple(self.unresolved), tuple(self.warnings), self.error,
                          tuple(self.explanation), self.via_all, self.cdi_names)


def mig_enabled(gpu: Gpu) -> bool:
    """True when the profile says MIG is enabled (unknown counts as disabled)."""
    return gpu.mig.mode == "enabled"


def nvml_mig_list(gpu: Gpu) -> tuple[MigDevice, ...]:
    """The GPU's MIG devices in NVML index order (empty unless MIG is enabled)."""
    return tuple(sorted(gpu.mig.devices, key=lambda m: m.index)) if mig_enabled(gpu) else ()


def legacy_mig_list(gpu: Gpu) -> tuple[MigDevice, ...]:
    """libnvidia-container's list: NVML indexes 0, 1, … up to the first gap."""
    if not mig_enabled(gpu):
        return ()
    out = []
    for position, mig in enumerate(nvml_mig_list(gpu)):
        if mig.index != position:
            break
        out.append(mig)
    return tuple(out)


def gpu_label(gpu: Gpu) -> str:
    """``"0"``: the GPU's host index as an id."""
    return str(gpu.index)


def mig_label(gpu: Gpu, mig: MigDevice) -> str:
    """``"0:1"``: GPU index and NVML MIG index."""
    return f"{gpu.index}:{mig.index}"


def short(uuid: str | None) -> str:
    """A UUID shortened for prose (``GPU-11111111…``)."""
    if uuid is None:
        return "UUID unknown"
    return uuid if len(uuid) <= 16 else uuid[:12] + "…"


def describe_host(host: HostProfile) -> str:
    """One sentence listing the host's GPUs and MIG devices with their identifiers."""
    if not host.gpus:
        return "The host has no GPU."
    parts = []
    for gpu in sorted(host.gpus, key=lambda g: g.index):
        facts = [short(gpu.uuid)] + ([gpu.pci_bus_id] if gpu.pci_bus_id else [])
        parts.append(f"GPU {gpu.index} ({', '.join(facts)})")
        for mig in nvml_mig_list(gpu):
            parts.append(f"MIG {mig_label(gpu, mig)} ({short(mig.uuid)})")
    count = len(host.gpus)
    return f"The host has {count} GPU{'s' if count != 1 else ''}: {'; '.join(parts)}."
