"""A fake ``pynvml`` module: a scripted NVML for tests, shaped after the real H200 dump.

Source of the default values: the NVML dump of a real H200 host (driver 580.159.04), vendored as
``tests/data/h200-nvml-dump.json`` from the project's shared data (``data/hosts``).
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from typing import Any, ClassVar

__all__ = ["FakeGpu", "FakeMig", "FakeNvml", "NVMLError", "install"]


class NVMLError(Exception):
    """Like pynvml's: ``.value`` holds the code, ``str()`` NVML's text."""

    _TEXT: ClassVar[dict[int, str]] = {
        1: "Uninitialized", 2: "Invalid Argument", 3: "Not Supported",
        4: "Insufficient Permissions", 6: "Not Found", 9: "Driver Not Loaded",
        12: "NVML Shared Library Not Found", 13: "Function Not Found", 15: "GPU is lost",
        18: "RM has detected an NVML/RM version mismatch.", 999: "Unknown Error"}

    def __init__(self, value: int) -> None:
        super().__init__(value)
        self.value = value

    def __str__(self) -> str:
        return self._TEXT.get(self.value, f"NVML Error with code {self.value}")


@dataclass
class FakeMig:
    uuid: str = "MIG-11111111-2222-4333-8444-555555555555"
    gi: int = 7
    ci: int = 0
    name: str = "NVIDIA A100-SXM4-40GB MIG 1g.5gb"
    memory: int = 4864 << 20


@dataclass
class FakeGpu:
    uuid: Any = "GPU-5f2d9c1e-7a43-4b8e-9c0d-1e2f3a4b5c6d"
    bus_id: Any = "00000000:00:06.0"
    name: Any = "NVIDIA H200"
    brand: Any = 14
    capability: Any = (9, 0)
    memory: int = 150754820096
    minor: int = 0
    mig_mode: tuple[int, int] = (0, 0)
    mig_slots: list[FakeMig | None] = field(default_factory=list)
    #: what nvmlDeviceGetMaxMigDeviceCount says, when not len(mig_slots)
    mig_count: Any = None


@dataclass
class FakeNvml:
    """State of the fake: facts, and errors to raise as ``{(function, gpu or None): code}``."""

    driver: Any = "580.159.04"
    cuda: Any = 13000
    gpus: list[FakeGpu] = field(default_factory=lambda: [FakeGpu()])
    errors: dict[tuple[str, int | None], int] = field(default_factory=dict)
    missing: tuple[str, ...] = ()
    calls: list[str] = field(default_factory=list)
    #: exceptions other than NVMLError to raise, as ``{(function, gpu or None): exception}``
    raises: dict[tuple[str, int | None], Exception] = field(default_factory=dict)
    #: nvmlInit waits for this event (a hung driver) when set
    hang: Any = None
    count: Any = None

    def module(self) -> types.ModuleType:
        """The module to put in ``sys.modules['pynvml']``."""
        mod = types.ModuleType("pynvml")
        mod.NVMLError = NVMLError  # type: ignore[attr-defined]
        for name in dir(self):
            if name.startswith("nvml") and name not in self.missing:
                setattr(mod, name, getattr(self, name))
        return mod

    def _check(self, name: str, gpu: int | None = None) -> None:
        self.calls.append(name)
        for key in ((name, gpu), (name, None)):
            if key in self.errors:
                raise NVMLError(self.errors[key])
            if key in self.raises:
                raise self.raises[key]

    def _gpu(self, handle: tuple[str, int]) -> FakeGpu:
        return self.gpus[handle[1]]

    def nvmlInit(self) -> None:
        self._check("nvmlInit")
        if self.hang is not None:
            self.hang.wait()

    def nvmlShutdown(self) -> None:
        self._check("nvmlShutdown")

    def nvmlSystemGetDriverVersion(self) -> Any:
        self._check("nvmlSystemGetDriverVersion")
        return self.driver

    def nvmlSystemGetCudaDriverVersion(self) -> Any:
        self._check("nvmlSystemGetCudaDriverVersion")
        return self.cuda

    def nvmlDeviceGetCount(self) -> int:
        self._check("nvmlDeviceGetCount")
        return len(self.gpus) if self.count is None else self.count

    def nvmlDeviceGetHandleByIndex(self, i: int) -> tuple[str, int]:
        self._check("nvmlDeviceGetHandleByIndex", i)
        return ("gpu", i)

    def _device(self, name: str, handle: Any) -> Any:
        if handle[0] == "mig":
            self._check(name, handle[1])
            return self.gpus[handle[1]].mig_slots[handle[2]]
        self._check(name, handle[1])
        return self._gpu(handle)

    def nvmlDeviceGetUUID(self, handle: Any) -> Any:
        return self._device("nvmlDeviceGetUUID", handle).uuid

    def nvmlDeviceGetPciInfo(self, handle: Any) -> Any:
        return types.SimpleNamespace(busId=self._device("nvmlDeviceGetPciInfo", handle).bus_id)

    def nvmlDeviceGetName(self, handle: Any) -> Any:
        return self._device("nvmlDeviceGetName", handle).name

    def nvmlDeviceGetBrand(self, handle: Any) -> int:
        return self._device("nvmlDeviceGetBrand", handle).brand  # type: ignore[no-any-return]

    def nvmlDeviceGetCudaComputeCapability(self, handle: Any) -> tuple[int, int]:
        return self._device("nvmlDeviceGetCudaComputeCapability", handle).capability  # type: ignore[no-any-return]

    def nvmlDeviceGetMemoryInfo(self, handle: Any) -> Any:
        return types.SimpleNamespace(total=self._device("nvmlDeviceGetMemoryInfo", handle).memory)

    def nvmlDeviceGetMinorNumber(self, handle: Any) -> int:
        return self._device("nvmlDeviceGetMinorNumber", handle).minor  # type: ignore[no-any-return]

    def nvmlDeviceGetMigMode(self, handle: Any) -> list[int]:
        return list(self._device("nvmlDeviceGetMigMode", handle).mig_mode)

    def nvmlDeviceGetMaxMigDeviceCount(self, handle: Any) -> int:
        gpu = self._device("nvmlDeviceGetMaxMigDeviceCount", handle)
        return len(gpu.mig_slots) if gpu.mig_count is None else gpu.mig_count

    def nvmlDeviceGetMigDeviceHandleByIndex(self, handle: Any, j: int) -> tuple[str, int, int]:
        gpu = self._device("nvmlDeviceGetMigDeviceHandleByIndex", handle)
        if gpu.mig_slots[j] is None:
            raise NVMLError(6)
        return ("mig", handle[1], j)

    def nvmlDeviceGetGpuInstanceId(self, handle: Any) -> int:
        return self._device("nvmlDeviceGetGpuInstanceId", handle).gi  # type: ignore[no-any-return]

    def nvmlDeviceGetComputeInstanceId(self, handle: Any) -> int:
        return self._device("nvmlDeviceGetComputeInstanceId", handle).ci  # type: ignore[no-any-return]


class _Lazy:
    """Stands in ``sys.modules``: builds the module per access, so tests may change the fake."""

    def __init__(self, state: FakeNvml) -> None:
        self._state = state

    def __getattr__(self, name: str) -> object:
        return getattr(self._state.module(), name)


def install(monkeypatch: Any, state: FakeNvml | None = None) -> FakeNvml:
    """Put a fake ``pynvml`` in ``sys.modules`` (undone by ``monkeypatch``); returns its state."""
    import sys

    state = state or FakeNvml()
    monkeypatch.setitem(sys.modules, "pynvml", _Lazy(state))
    return state
