"""The live host through NVML (``nvidia-ml-py``, imported as ``pynvml``).

This is the only module that touches the driver, and it imports ``pynvml`` inside ``live_profile``
so that nvreq loads anywhere.
"""

from __future__ import annotations

import contextlib
import platform as _platform
import re
import socket
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

from nvreq._frozen import replace
from nvreq.errors import NvreqError
from nvreq.host.profile import HostProfile
from nvreq.host.schema import MAX_GPUS, MAX_MIG_DEVICES, MAX_STRING, cuda_from_int, normalize_bus_id

__all__ = ["NVML_TIMEOUT", "NvmlError", "live_profile"]

#: seconds a live read may take before nvreq gives up on a hung driver
NVML_TIMEOUT = 60.0

# NVML return codes (nvidia-ml-py 13.615.71); the fake modules in tests carry only these values.
UNINITIALIZED, INVALID_ARGUMENT, NOT_SUPPORTED, NO_PERMISSION = 1, 2, 3, 4
NOT_FOUND, DRIVER_NOT_LOADED, LIBRARY_NOT_FOUND, FUNCTION_NOT_FOUND = 6, 9, 12, 13
GPU_IS_LOST, LIB_RM_VERSION_MISMATCH = 15, 18

_ARCHES = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64",
           "ppc64le": "ppc64le", "s390x": "s390x"}
_LIB_VERSION = re.compile(r"libnvidia-ml\.so\.([0-9]+\.[0-9]+(?:\.[0-9]+)?)")
_KMOD_VERSION = re.compile(r"Kernel Module(?:\s+for\s+\S+)?\s+([0-9]+\.[0-9]+(?:\.[0-9]+)?)")


class NvmlError(NvreqError):
    """The live host could not be read through NVML; ``code`` is NVML's return code, if any."""

    def __init__(self, message: str, *, code: int | None = None,
                 bindings_missing: bool = False) -> None:
        self.code = code
        #: the Python bindings (nvidia-ml-py) are not installed: the fix is ``nvreq[nvml]``
        self.bindings_missing = bindings_missing
        super().__init__(message)


class _Unknown(Exception):
    """A field NVML cannot give here (NOT_SUPPORTED, FUNCTION_NOT_FOUND, a missing wrapper, or
    a binding that failed in a way NVML does not)."""

    def __init__(self, name: str, why: str = "is not supported here") -> None:
        super().__init__(name)
        self.why = f"{name} {why}"


class _NoError(Exception):
    """Stands for ``pynvml.NVMLError`` in bindings that lack it."""


class _Lost(Exception):
    """The GPU fell off the bus."""


class _Empty(Exception):
    """An empty MIG slot (NOT_FOUND)."""


def live_profile(*, root: str | Path = "/", timeout: float = NVML_TIMEOUT) -> HostProfile:
    """Read the live host through NVML. ``root`` stands for ``/`` (WSL detection, versions).

    Raises ``NvmlError`` with the fix in its text when NVML is missing, refuses, or does not
    answer within ``timeout`` seconds (a hung driver blocks ``nvmlInit`` forever).
    """
    try:
        import pynvml
    except ImportError:
        raise NvmlError("nvidia-ml-py is not installed: pip install 'nvreq[nvml]'",
                        bindings_missing=True) from None
    except Exception as exc:  # the bindings load libnvidia-ml.so.1 (OSError) or fail otherwise
        raise NvmlError(f"the NVML bindings cannot be loaded ({type(exc).__name__}: "
                        f"{_text(exc)})") from None
    return _bounded(_Reader(pynvml, Path(root)), timeout)


def _bounded(reader: _Reader, timeout: float) -> HostProfile:
    import threading

    result: list[HostProfile | BaseException] = []

    def work() -> None:
        try:
            result.append(reader.read())
        except BaseException as exc:  # handed to the caller's thread below
            result.append(exc)

    worker = threading.Thread(target=work, name="nvreq-nvml", daemon=True)
    worker.start()
    worker.join(timeout)
    if not result:
        raise NvmlError(f"NVML did not answer within {timeout:g} s ({reader.current} is still "
                        "running): the driver may be hung; check `nvidia-smi` and the kernel log")
    if isinstance(result[0], BaseException):
        raise result[0]
    return result[0]


def _text(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        value = bytes(value).split(b"\0", 1)[0].decode("utf-8", "replace")
    return str(value).strip()[:MAX_STRING]


class _Reader:
    def __init__(self, nv: ModuleType, root: Path) -> None:
        self.nv = nv
        self.root = root
        self.warnings: list[str] = []
        self.current = "nothing"
        found = getattr(nv, "NVMLError", None)
        self.nvml_error = found if isinstance(found, type) and issubclass(found, Exception) \
            else _NoError

    def call(self, name: str, *args: Any) -> Any:
        """Call ``pynvml.<name>``; map NVML's codes to nvreq's handling."""
        function = getattr(self.nv, name, None)
        if not callable(function):
            raise _Unknown(name)
        self.current = name
        try:
            return function(*args)
        except self.nvml_error as exc:
            code = getattr(exc, "value", None)
            if code in (NOT_SUPPORTED, FUNCTION_NOT_FOUND):
                raise _Unknown(name) from None
            if code == GPU_IS_LOST:
                raise _Lost(name) from None
            if code == NOT_FOUND and name == "nvmlDeviceGetMigDeviceHandleByIndex":
                raise _Empty(name) from None
            raise self.error(name, exc, code) from None
        except Exception as exc:
            raise _Unknown(name, f"failed outside NVML ({type(exc).__name__}: "
                                 f"{_text(exc)[:80]})") from None

    def number(self, where: str, value: Any) -> int | None:
        """``value`` when NVML gave an integer; otherwise unknown, with a warning."""
        if value is None or (isinstance(value, int) and not isinstance(value, bool)):
            return value
        self.warnings.append(f"{where}: NVML returned {type(value).__name__} "
                             f"{_text(value)[:40]!r}, not an integer; left unknown")
        return None

    def mib(self, where: str, memory: Any) -> int | None:
        """MiB of NVML's memory struct (``total`` in bytes)."""
        total = self.number(where, getattr(memory, "total", None))
        return None if total is None else total // (1 << 20)

    def field(self, where: str, name: str, *args: Any, quiet: bool = False) -> Any:
        """A call whose failure leaves one field unknown (with a warning unless ``quiet``)."""
        try:
            return self.call(name, *args)
        except _Unknown as exc:
            if not quiet:
                self.warnings.append(f"{where}: {exc.why}; left unknown")
            return None

    def error(self, name: str, exc: BaseException, code: int | None) -> NvmlError:
        said = f"NVML: {_text(exc)}"
        if code == LIBRARY_NOT_FOUND:
            text = "no NVIDIA driver found here (NVML library not found)"
        elif code == DRIVER_NOT_LOADED:
            text = (f"the NVIDIA kernel module is not loaded ({said}): this host is not ready for "
                    "GPU containers; load the driver (modprobe nvidia)")
        elif code == NO_PERMISSION:
            text = (f"no permission to open the GPU device files /dev/nvidia* ({said}); run as "
                    "root or as a user with access to them (often the video group)")
        elif code == LIB_RM_VERSION_MISMATCH:
            lib, kmod = self._versions()
            text = (f"the NVIDIA driver's user-space library ({lib}) and kernel module ({kmod}) "
                    f"differ ({said}); reboot or reload the kernel module after a driver "
                    "upgrade. The runtime would fail too (detection error)")
        elif code in (UNINITIALIZED, INVALID_ARGUMENT):
            text = f"internal error: {name} failed ({said}); please report this nvreq bug"
        else:
            text = f"{name} failed ({said}, code {code})"
        return NvmlError(text, code=code)

    def _versions(self) -> tuple[str, str]:
        return (self._version("proc/self/maps", _LIB_VERSION),
                self._version("proc/driver/nvidia/version", _KMOD_VERSION))

    def _version(self, path: str, pattern: re.Pattern[str]) -> str:
        try:
            found = pattern.search((self.root / path).read_text("utf-8", "replace"))
        except OSError:
            found = None
        return f"version {found.group(1)}" if found else "version unknown"

    def read(self) -> HostProfile:
        try:
            self.call("nvmlInit")
        except _Unknown as exc:
            raise NvmlError(f"NVML could not be initialised ({exc.why})") from None
        except (_Lost, _Empty):
            raise NvmlError("NVML could not be initialised") from None
        try:
            data = self._host()
        except _Lost as exc:
            raise NvmlError(f"{exc} failed: a GPU is lost (fell off the bus); check the kernel "
                            "log (Xid 79), then reset the GPU or reboot",
                            code=GPU_IS_LOST) from None
        finally:
            with contextlib.suppress(Exception):
                self.nv.nvmlShutdown()
        profile = HostProfile.from_dict(data)
        return replace(profile, warnings=(*self.warnings, *profile.warnings))

    def _host(self) -> dict[str, Any]:
        driver = self.field("driver", "nvmlSystemGetDriverVersion")
        cuda = self.field("cuda", "nvmlSystemGetCudaDriverVersion")
        try:
            count = self.call("nvmlDeviceGetCount")
        except _Unknown as exc:
            raise NvmlError(f"NVML could not count the GPUs ({exc.why})") from None
        if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_GPUS:
            raise NvmlError(f"NVML reported {_text(count)[:40]!r} GPUs, not a count from 0 to "
                            f"{MAX_GPUS}")
        cuda = self.number("cuda", cuda)
        data: dict[str, Any] = {
            "name": _text(socket.gethostname()) or None,
            "platform": self._platform(),
            "driver": None if driver is None else _text(driver),
            "cuda": None if cuda is None else cuda_from_int(cuda),
            "gpus": [self._gpu(i) for i in range(count)],
            "runtime": {"platform": "wsl" if self._is_wsl() else "nvml"},
            "source": {"kind": "nvml", "approximate": False,
                       "taken_at": datetime.now(timezone.utc).isoformat(timespec="seconds")},
        }
        return {k: v for k, v in data.items() if v is not None}

    def _platform(self) -> str | None:
        arch = _ARCHES.get(_platform.machine().lower())
        system = _platform.system().lower()
        return f"{system}/{arch}" if arch and system.isalnum() else None

    def _is_wsl(self) -> bool:
        try:
            version = (self.root / "proc/version").read_text("utf-8", "replace")
        except OSError:
            version = ""
        return "microsoft" in version.lower() or (self.root / "dev/dxg").exists()

    def _gpu(self, index: int) -> dict[str, Any]:
        try:
            handle = self.call("nvmlDeviceGetHandleByIndex", index)
            return {"index": index, **self._facts(f"gpus[{index}]", handle)}
        except _Unknown:
            self.warnings.append(f"GPU {index}: NVML gives no handle for it; its facts are unknown")
            return {"index": index}
        except _Lost:
            self.warnings.append(
                f"GPU {index} IS LOST (fell off the bus): its facts are unknown and the runtime "
                "cannot use it; check the kernel log (Xid 79), then reset the GPU or reboot")
            return {"index": index, "x-gpu-lost": True}

    def _facts(self, where: str, handle: Any) -> dict[str, Any]:
        uuid = self.field(f"{where}.uuid", "nvmlDeviceGetUUID", handle)
        pci = self.field(f"{where}.pci_bus_id", "nvmlDeviceGetPciInfo", handle)
        bus = None if pci is None else _bus_id(pci)
        brand = self.field(f"{where}.brand", "nvmlDeviceGetBrand", handle)
        capability = self.field(f"{where}.arch", "nvmlDeviceGetCudaComputeCapability", handle)
        memory = self.field(f"{where}.memory_mib", "nvmlDeviceGetMemoryInfo", handle)
        arch = None
        if capability is not None:
            pair = tuple(capability) if isinstance(capability, (tuple, list)) else ()
            if len(pair) == 2 and all(type(p) is int for p in pair):
                arch = f"{pair[0]}.{pair[1]}"
            else:
                self.warnings.append(f"{where}.arch: NVML returned {type(capability).__name__} "
                                     f"{_text(capability)[:40]!r}, not a (major, minor) pair; "
                                     "left unknown")
        return _known(
            uuid=_prefixed(uuid, "GPU-"),
            pci_bus_id=bus,
            name=self.field(f"{where}.name", "nvmlDeviceGetName", handle),
            brand=self.number(f"{where}.brand", brand),
            arch=arch,
            memory_mib=self.mib(f"{where}.memory_mib", memory),
            minor_number=self.number(f"{where}.minor_number", self.field(
                f"{where}.minor_number", "nvmlDeviceGetMinorNumber", handle)),
            mig=self._mig(where, handle),
        )

    def _mig(self, where: str, handle: Any) -> dict[str, Any]:
        try:
            mode = self.call("nvmlDeviceGetMigMode", handle)
        except _Unknown:
            return {"mode": "unsupported"}
        current = mode[0] if isinstance(mode, (tuple, list)) and mode else mode
        if current != 1:
            if current != 0:
                self.warnings.append(f"{where}.mig.mode: NVML reported mode {current}; unknown")
                return {}
            return {"mode": "disabled"}
        slots = self.number(f"{where}.mig", self.field(
            f"{where}.mig", "nvmlDeviceGetMaxMigDeviceCount", handle)) or 0
        if not 0 <= slots <= MAX_MIG_DEVICES:
            raise NvmlError(f"NVML reported {slots} MIG slots on {where}, not 0 to "
                            f"{MAX_MIG_DEVICES}")
        devices: list[dict[str, Any]] = []
        gap: int | None = None
        for j in range(slots):
            try:
                device = self.call("nvmlDeviceGetMigDeviceHandleByIndex", handle, j)
            except _Empty:
                gap = j if gap is None else gap
                continue
            devices.append(self._mig_device(f"{where}.mig.devices[{j}]", j, device))
        hidden = [d["index"] for d in devices if gap is not None and d["index"] > gap]
        if hidden:
            self.warnings.append(
                f"{where}: MIG slot {gap} is empty but later slots are used; the legacy resolver "
                "(libnvidia-container) stops its list at the first empty slot, so it cannot see "
                f"MIG devices {', '.join(map(str, hidden))}")
        return {"mode": "enabled", "devices": devices}

    def _mig_device(self, where: str, j: int, device: Any) -> dict[str, Any]:
        name = self.field(f"{where}.profile", "nvmlDeviceGetName", device, quiet=True)
        memory = self.field(f"{where}.memory_mib", "nvmlDeviceGetMemoryInfo", device, quiet=True)
        words = _text(name).split("MIG ", 1)[1].split() if name and "MIG " in _text(name) else []
        profile = words[0] if words else None
        return {"index": j, **_known(
            uuid=_prefixed(self.field(f"{where}.uuid", "nvmlDeviceGetUUID", device), "MIG-"),
            gi=self.number(f"{where}.gi", self.field(f"{where}.gi", "nvmlDeviceGetGpuInstanceId",
                                                     device)),
            ci=self.number(f"{where}.ci", self.field(f"{where}.ci",
                                                     "nvmlDeviceGetComputeInstanceId", device)),
            profile=profile,
            memory_mib=self.mib(f"{where}.memory_mib", memory),
        )}


def _bus_id(pci: Any) -> str | None:
    """``busId`` (bytes in nvidia-ml-py's struct), else the numeric domain, bus and device."""
    found = normalize_bus_id(_text(getattr(pci, "busId", "")))
    parts: list[Any] = [getattr(pci, name, None) for name in ("domain", "bus", "device")]
    if found is None and all(isinstance(p, int) for p in parts):
        found = normalize_bus_id(f"{parts[0]:x}:{parts[1]:x}:{parts[2]:x}.0")
    return found


def _prefixed(value: Any, prefix: str) -> str | None:
    text = None if value is None else _text(value)
    return text if text and text.startswith(prefix) and len(text) > len(prefix) else None


def _known(**values: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, (bytes, bytearray, str)):
            value = _text(value) or None
        if value is not None and value != {}:
            out[key] = value
    return out
