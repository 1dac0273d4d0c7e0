"""Host profiles: the facts an image is compared against (``host.md``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Gpu", "HostProfile", "Mig", "MigDevice", "RuntimeSettings"]


@dataclass(frozen=True, slots=True)
class MigDevice:
    """One MIG device of a GPU; ``index`` is NVML's MIG handle index."""

    index: int
    uuid: str | None = None
    gi: int | None = None
    ci: int | None = None
    profile: str | None = None
    memory_mib: int | None = None


@dataclass(frozen=True, slots=True)
class Mig:
    """A GPU's MIG state: ``mode`` is ``enabled``, ``disabled``, ``unsupported`` or None (unknown)."""

    mode: str | None = None
    devices: tuple[MigDevice, ...] = ()


@dataclass(frozen=True, slots=True)
class Gpu:
    """One GPU; every fact but ``index`` may be unknown (None)."""

    index: int
    uuid: str | None = None
    pci_bus_id: str | None = None
    name: str | None = None
    brand: str | None = None
    arch: str | None = None
    memory_mib: int | None = None
    minor_number: int | None = None
    mig: Mig = Mig()
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)


@dataclass(frozen=True, slots=True)
class RuntimeSettings:
    """How the container runtime is set up on the host (``runtime`` section of a profile)."""

    mode: str | None = None
    platform: str | None = None
    toolkit_version: str | None = None
    privileged: bool | None = None
    config: Mapping[str, Any] = field(default_factory=dict, hash=False)
    cdi_devices: tuple[str, ...] | None = None
    docker: Mapping[str, Any] | None = field(default=None, hash=False)


@dataclass(frozen=True, slots=True)
class HostProfile:
    """A host: driver, CUDA version, GPUs and runtime settings. Unknown facts are None."""

    gpus: tuple[Gpu, ...] = ()
    driver: str | None = None
    cuda: str | None = None
    name: str | None = None
    platform: str | None = None
    runtime: RuntimeSettings = RuntimeSettings()
    source: Mapping[str, Any] | None = field(default=None, hash=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)
