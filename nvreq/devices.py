"""Which GPUs a container gets (minimal resolver; replaced by the full one of the devices issue)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nvreq.host import Gpu, HostProfile, MigDevice

__all__ = ["DeviceSelection", "resolve_devices"]


@dataclass(frozen=True, slots=True)
class DeviceSelection:
    """The devices a container receives, in selection order, and how they were chosen."""

    gpu_container: bool
    requested: tuple[str, ...] = ()
    gpus: tuple[Gpu, ...] = ()
    mig_devices: tuple[tuple[Gpu, MigDevice], ...] = ()
    mode: str = "legacy"
    warnings: tuple[str, ...] = ()
    error: str | None = None
    enforces_requirements: bool = True

    @property
    def devices(self) -> tuple[str, ...]:
        """Selected GPU and MIG UUIDs (or indexes where unknown), in host order."""
        gpus = sorted(self.gpus, key=lambda g: g.index)
        return tuple(g.uuid or str(g.index) for g in gpus) + tuple(
            m.uuid or f"{p.index}:{m.index}" for p, m in self.mig_devices)

    def to_dict(self) -> dict[str, Any]:
        """JSON form."""
        return {"gpu_container": self.gpu_container, "requested": list(self.requested),
                "devices": list(self.devices), "mode": self.mode,
                "warnings": list(self.warnings), "error": self.error}


def resolve_devices(env: Mapping[str, str], host: HostProfile, *, mode: str = "legacy",
                    privileged: bool = False, mounts: Sequence[Mapping[str, str]] = (),
                    annotations: Mapping[str, str] | None = None,
                    config: Mapping[str, Any] | None = None,
                    legacy_image: bool = False) -> DeviceSelection:
    """Resolve ``NVIDIA_VISIBLE_DEVICES`` for ``all``, ``none``, ``void`` and id lists."""
    value = env.get("NVIDIA_VISIBLE_DEVICES")
    if value is None:
        if not legacy_image:
            return DeviceSelection(False, mode=mode)
        value = "all"
    tokens = [t.strip() for t in value.split(",") if t.strip()]
    if not tokens or "void" in tokens:
        return DeviceSelection(False, mode=mode)
    for t in tokens:
        if t in ("all", "none"):
            if t == "none":
                return DeviceSelection(True, (), mode=mode)
            return DeviceSelection(True, tuple(tokens), host.gpus, mode=mode)
    chosen: list[Gpu] = []
    for t in tokens:
        gpu = next((g for g in host.gpus if t == str(g.index) or
                    (g.uuid and t.lower() == g.uuid.lower())), None)
        if gpu is None and host.gpus:
            return DeviceSelection(True, tuple(tokens), mode=mode,
                                   error=f"device error: {t}: unknown device")
        if gpu is not None and gpu not in chosen:
            chosen.append(gpu)
    return DeviceSelection(True, tuple(tokens), tuple(chosen), mode=mode)
