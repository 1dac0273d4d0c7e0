"""Host profiles: the facts an image is compared against (``host.md``)."""

from __future__ import annotations

from collections.abc import Mapping

from nvreq._frozen import field, frozen
from nvreq.host.config import CONFIG_DEFAULTS as CONFIG_DEFAULTS
from nvreq.host.config import FULL_DRIVER_CAPABILITIES as FULL_DRIVER_CAPABILITIES
from nvreq.host.config import MODE_KEY
from nvreq.host.config import lookup_config as lookup_config

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = [
    "PROFILE_FORMAT",
    "Gpu",
    "HostProfile",
    "Mig",
    "MigDevice",
    "RuntimeSettings",
]

#: The ``format`` value nvreq writes.
PROFILE_FORMAT = "nvreq-host/1"


@frozen
class MigDevice:
    """One MIG device of a GPU; ``index`` is NVML's MIG handle index."""

    index: int
    uuid: str | None = None
    gi: int | None = None
    ci: int | None = None
    profile: str | None = None
    memory_mib: int | None = None
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)


@frozen
class Mig:
    """A GPU's MIG state: ``mode`` is ``enabled``, ``disabled``, ``unsupported`` or None."""

    mode: str | None = None
    devices: tuple[MigDevice, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)


@frozen
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


@frozen
class RuntimeSettings:
    """How the container runtime is set up on the host (``runtime`` section of a profile)."""

    mode: str | None = None
    platform: str | None = None
    toolkit_version: str | None = None
    privileged: bool | None = None
    config: Mapping[str, Any] = field(default_factory=dict, hash=False)
    cdi_devices: tuple[str, ...] | None = None
    docker: Mapping[str, Any] | None = field(default=None, hash=False)
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)


@frozen
class HostProfile:
    """A host: driver, CUDA version, GPUs and runtime settings. Unknown facts are None.

    ``warnings`` holds what nvreq noticed while reading the profile (an unrecognised brand, a
    driver that is not digits and dots); it never counts toward equality.
    """

    gpus: tuple[Gpu, ...] = ()
    driver: str | None = None
    cuda: str | None = None
    name: str | None = None
    platform: str | None = None
    runtime: RuntimeSettings = RuntimeSettings()
    source: Mapping[str, Any] | None = field(default=None, hash=False, compare=False)
    extra: Mapping[str, Any] = field(default_factory=dict, hash=False, repr=False)
    warnings: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> HostProfile:
        """Validate a profile object; raises ``ProfileError`` naming the path.

        >>> HostProfile.from_dict({"cuda": 12040, "gpus": [{"index": 0, "brand": 14}]}).cuda
        '12.4'
        """
        from nvreq.host.schema import profile_from_dict

        return profile_from_dict(data)

    def to_dict(self) -> dict[str, Any]:
        """The profile as a JSON-ready object: only known facts, ``format`` first."""
        from nvreq.host.schema import profile_to_dict

        return profile_to_dict(self)

    @classmethod
    def load(cls, path: str | Path) -> HostProfile:
        """Read a profile file: JSON, TOML, or an importer input (``nvidia-smi -q -x``, …)."""
        from nvreq.host.sources import load_profile

        return load_profile(path)

    @classmethod
    def preset(cls, name: str) -> HostProfile:
        """A built-in preset, e.g. ``h100-r550``."""
        from nvreq.host.sources import load_preset

        return load_preset(name)

    def gpu(self, index: int) -> Gpu:
        """The GPU with this NVML index; ``IndexError`` if the host has none."""
        for gpu in self.gpus:
            if gpu.index == index:
                return gpu
        raise IndexError(f"host has no GPU {index}")

    @property
    def runtime_mode(self) -> str:
        """The runtime mode in effect: ``runtime.mode``, else the config's mode key if stated, else
        ``legacy`` (no runtime named: docker ``--gpus`` calls the hook directly)."""
        if self.runtime.mode is not None:
            return self.runtime.mode
        stated = lookup_config(self.runtime.config, MODE_KEY)
        return stated if isinstance(stated, str) else "legacy"

    @property
    def toolkit_version(self) -> str | None:
        """``runtime.toolkit_version``; None means the newest behaviour."""
        return self.runtime.toolkit_version

    @property
    def privileged(self) -> bool:
        """Whether the container is taken as privileged (default False)."""
        return bool(self.runtime.privileged)

    def config_value(self, key: str) -> Any:
        """A ``runtime.config`` value by dotted key, or the toolkit default for keys nvreq reads.

        The mode key answers the mode in effect, as ``runtime_mode`` does.

        >>> HostProfile().config_value("disable-require"), HostProfile().config_value(MODE_KEY)
        (False, 'legacy')
        """
        if key == MODE_KEY:
            return self.runtime_mode
        found = lookup_config(self.runtime.config, key)
        return CONFIG_DEFAULTS.get(key) if found is None else found
