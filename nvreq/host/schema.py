"""Reading and writing the profile object: validation with exact paths."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from nvreq.brands import brand_name
from nvreq.errors import ProfileError, unknown_choice
from nvreq.host.config import RUNTIME_MODES as RUNTIME_MODES
from nvreq.host.config import kind_of as _kind
from nvreq.host.config import read_bool as _bool
from nvreq.host.config import read_string as _string
from nvreq.host.config import validate_config
from nvreq.host.profile import PROFILE_FORMAT, Gpu, HostProfile, Mig, MigDevice, RuntimeSettings

__all__ = [
    "MAX_DEPTH",
    "MAX_GPUS",
    "MAX_MIG_DEVICES",
    "MAX_STRING",
    "RUNTIME_PLATFORMS",
    "cuda_from_int",
    "normalize_bus_id",
    "profile_from_dict",
    "profile_to_dict",
]

MAX_GPUS = 256
MAX_MIG_DEVICES = 64
MAX_STRING = 256
MAX_DEPTH = 8
RUNTIME_PLATFORMS = ("nvml", "tegra", "wsl")
MIG_MODES = ("enabled", "disabled", "unsupported")

_FORMAT = re.compile(r"nvreq-host/([0-9]+)(?:\.[0-9]+)?")
_PLATFORM = re.compile(r"[a-z0-9_]+/[a-z0-9_]+(?:/[a-z0-9_]+)?")
_DRIVER = re.compile(r"[0-9]+(?:\.[0-9]+)*")
_MAJOR_MINOR = re.compile(r"[0-9]{1,9}\.[0-9]{1,9}")
_BUS_ID = re.compile(r"(?:([0-9a-f]{1,8}):)?([0-9a-f]{1,2}):([0-9a-f]{1,2})\.([0-7])", re.I)
#: compiled on first use (re caches them), not at import: few profiles carry these fields
_VERSION = r"v?[0-9]+(?:\.[0-9]+)*(?:[-+~][0-9A-Za-z.+~-]*)?"
_CDI_NAME = r"(?a)[A-Za-z0-9][\w.-]*/[A-Za-z0-9][\w.-]*=[\w.:-]+"

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from typing import Any, TypeVar

    _T = TypeVar("_T")
    _Obj = Mapping[str, Any]


def cuda_from_int(value: int) -> str:
    """NVML's CUDA integer as libnvidia-container formats it.

    >>> cuda_from_int(12040), cuda_from_int(11080), cuda_from_int(13000)
    ('12.4', '11.8', '13.0')
    """
    return f"{value // 1000}.{(value % 100) // 10}"


def normalize_bus_id(text: str) -> str | None:
    """A PCI bus id in NVML's ``%08X:%02X:%02X.F`` form, or None if it is not one.

    >>> normalize_bus_id("0000:3b:00.0")
    '00000000:3B:00.0'
    """
    match = _BUS_ID.fullmatch(text.strip())
    if not match:
        return None
    domain, bus, dev, fn = match.groups()
    return f"{int(domain or '0', 16):08X}:{int(bus, 16):02X}:{int(dev, 16):02X}.{fn}"


def profile_from_dict(data: Mapping[str, Any]) -> HostProfile:
    """Validate a profile object and build the profile; raises ``ProfileError`` naming the path."""
    _check_limits(data, "", 1)
    obj = _object(data, "")
    warnings: list[str] = []
    _keys(obj, "", ("format", "name", "platform", "driver", "cuda", "gpus", "runtime", "source"))
    fmt = _opt(obj, "format", "", _string)
    if fmt is not None:
        match = _FORMAT.fullmatch(fmt)
        if not match or match.group(1) != "1":
            raise ProfileError(f"Unsupported profile format {fmt!r}; expected {PROFILE_FORMAT!r}",
                               "format")
    platform = _opt(obj, "platform", "", _string)
    if platform is not None and not _PLATFORM.fullmatch(platform):
        raise ProfileError("Expected a platform os/arch[/variant], e.g. 'linux/amd64'", "platform")
    driver = _opt(obj, "driver", "", _string)
    if driver is not None and not _DRIVER.fullmatch(driver):
        warnings.append(f"driver {driver!r} is not digits and dots: the runtime would fail every "
                        "driver clause as an invalid expression")
    if obj.get("gpus") is None:
        raise ProfileError("Missing required key 'gpus' (a list; empty for a host with no GPU)",
                           "gpus")
    runtime = _opt(obj, "runtime", "", _runtime) or RuntimeSettings()
    if runtime.platform == "wsl":
        warnings.append("runtime.platform is wsl: the CUDA version the container stack sees may "
                        "differ from the driver's (NVIDIA/nvidia-docker#1409)")
    return HostProfile(
        gpus=_gpus(obj["gpus"], warnings),
        driver=driver,
        cuda=_opt(obj, "cuda", "", _cuda),
        name=_opt(obj, "name", "", _string),
        platform=platform,
        runtime=runtime,
        source=_opt(obj, "source", "", _source),
        extra=_extras(obj),
        warnings=tuple(warnings),
    )


def profile_to_dict(profile: HostProfile) -> dict[str, Any]:
    """The JSON-ready object of a profile: only known facts, unknown ones absent."""
    out: dict[str, Any] = {"format": PROFILE_FORMAT}
    _put(out, name=profile.name, platform=profile.platform, driver=profile.driver,
         cuda=profile.cuda)
    out["gpus"] = [_gpu_dict(gpu) for gpu in sorted(profile.gpus, key=lambda g: g.index)]
    runtime = _runtime_dict(profile.runtime)
    if runtime:
        out["runtime"] = runtime
    if profile.source is not None:
        out["source"] = dict(profile.source)
    out.update(profile.extra)
    return out


# -- reading --------------------------------------------------------------------------------------

def _check_limits(value: Any, path: str, depth: int) -> None:
    if isinstance(value, (dict, list, tuple)) and depth > MAX_DEPTH:
        raise ProfileError(f"Nesting deeper than {MAX_DEPTH} levels", path)
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise ProfileError(f"Expected string keys, got {type(key).__name__}", path)
            sub = f"{path}.{key}" if path else key
            if len(key) > MAX_STRING:
                raise ProfileError(f"Key longer than {MAX_STRING} characters", path)
            _check_limits(item, sub, depth + 1)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _check_limits(item, f"{path}[{i}]", depth + 1)
    elif isinstance(value, str):
        if len(value) > MAX_STRING:
            raise ProfileError(f"String longer than {MAX_STRING} characters", path)
    elif isinstance(value, float):
        import math  # profiles rarely hold a float: not worth its import on every read

        if not math.isfinite(value):
            raise ProfileError("Expected a finite number", path)
    elif value is not None and not isinstance(value, (bool, int)):
        raise ProfileError(f"Expected a JSON value, got {type(value).__name__}", path)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _object(value: Any, path: str) -> _Obj:
    if not isinstance(value, Mapping):
        raise ProfileError(f"Expected an object, got {_kind(value)}", path)
    return value


def _keys(obj: _Obj, path: str, allowed: tuple[str, ...]) -> None:
    for key in obj:
        if key not in allowed and not key.startswith("x-"):
            raise ProfileError(f"{unknown_choice('key', key, allowed)}; keys starting with x- "
                               "are kept for users", _join(path, key))


def _extras(obj: _Obj) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k.startswith("x-")}


def _opt(obj: _Obj, key: str, path: str, read: Callable[[Any, str], _T]) -> _T | None:
    value = obj.get(key)
    return None if value is None else read(value, _join(path, key))


def _int(value: Any, path: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ProfileError(f"Expected an integer >= 0, got {_kind(value)}", path)
    return value


def _index(obj: _Obj, path: str) -> int:
    """The required ``index`` of a GPU or MIG device."""
    if obj.get("index") is None:
        raise ProfileError("Missing required key 'index'", _join(path, "index"))
    return _int(obj["index"], _join(path, "index"))


def _list(value: Any, path: str, limit: int | None = None) -> list[Any]:
    if not isinstance(value, (list, tuple)):
        raise ProfileError(f"Expected a list, got {_kind(value)}", path)
    if limit is not None and len(value) > limit:
        raise ProfileError(f"At most {limit} entries are allowed, got {len(value)}", path)
    return list(value)


def _choice(what: str, choices: tuple[str, ...]) -> Callable[[Any, str], str]:
    def read(value: Any, path: str) -> str:
        text = _string(value, path)
        if text not in choices:
            raise ProfileError(unknown_choice(what, text, choices), path)
        return text

    return read


def _cuda(value: Any, path: str) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return cuda_from_int(value)
    if isinstance(value, str) and _MAJOR_MINOR.fullmatch(value):
        return value
    raise ProfileError("Expected a CUDA version 'M.m' or NVML's integer (12040)", path)


def _arch(value: Any, path: str) -> str:
    if isinstance(value, str) and _MAJOR_MINOR.fullmatch(value):
        return value
    if (isinstance(value, (list, tuple)) and len(value) == 2
            and all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)):
        return f"{value[0]}.{value[1]}"
    raise ProfileError("Expected a compute capability 'M.m' or [M, m]", path)


def _bus_id(value: Any, path: str) -> str:
    normal = normalize_bus_id(_string(value, path))
    if normal is None:
        raise ProfileError("Expected a PCI bus id DDDDDDDD:BB:DD.F (hex)", path)
    return normal


def _uuid(prefix: str) -> Callable[[Any, str], str]:
    def read(value: Any, path: str) -> str:
        text = _string(value, path)
        if not text.startswith(prefix) or len(text) == len(prefix):
            raise ProfileError(f"Expected a UUID starting {prefix!r}", path)
        return text

    return read


def _gpus(value: Any, warnings: list[str]) -> tuple[Gpu, ...]:
    items = _list(value, "gpus", MAX_GPUS)
    gpus: dict[int, Gpu] = {}
    for i, item in enumerate(items):
        gpu = _gpu(item, f"gpus[{i}]", warnings)
        if gpu.index in gpus:
            raise ProfileError(f"Duplicate GPU index {gpu.index}", f"gpus[{i}].index")
        gpus[gpu.index] = gpu
    missing = [i for i in range(len(items)) if i not in gpus]
    if missing:
        raise ProfileError(f"GPU indexes must be exactly 0 to {len(items) - 1}; "
                           f"missing {missing[0]}", "gpus")
    return tuple(gpus[i] for i in range(len(items)))


def _gpu(value: Any, path: str, warnings: list[str]) -> Gpu:
    obj = _object(value, path)
    _keys(obj, path, ("index", "uuid", "pci_bus_id", "name", "brand", "arch", "memory_mib",
                      "minor_number", "mig"))
    return Gpu(
        index=_index(obj, path),
        uuid=_opt(obj, "uuid", path, _uuid("GPU-")),
        pci_bus_id=_opt(obj, "pci_bus_id", path, _bus_id),
        name=_opt(obj, "name", path, _string),
        brand=_opt(obj, "brand", path, lambda v, p: _brand(v, p, warnings)),
        arch=_opt(obj, "arch", path, _arch),
        memory_mib=_opt(obj, "memory_mib", path, _int),
        minor_number=_opt(obj, "minor_number", path, _int),
        mig=_opt(obj, "mig", path, _mig) or Mig(),
        extra=_extras(obj),
    )


def _brand(value: Any, path: str, warnings: list[str]) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ProfileError(f"Expected a brand name or NVML enum integer, got {_kind(value)}", path)
    name = brand_name(value)
    if name is None:
        warnings.append(f"{path}: unrecognised brand {value!r}, left unknown")
    return name


def _mig(value: Any, path: str) -> Mig:
    obj = _object(value, path)
    _keys(obj, path, ("mode", "devices"))
    mode = _opt(obj, "mode", path, _choice("MIG mode", MIG_MODES))
    items = _opt(obj, "devices", path, lambda v, p: _list(v, p, MAX_MIG_DEVICES)) or []
    if items and mode != "enabled":
        raise ProfileError(f"MIG devices are listed but mig.mode is {mode or 'unknown'}; "
                           "expected 'enabled'", _join(path, "mode"))
    devices: dict[int, MigDevice] = {}
    for j, item in enumerate(items):
        device = _mig_device(item, f"{path}.devices[{j}]")
        if device.index in devices:
            raise ProfileError(f"Duplicate MIG index {device.index}", f"{path}.devices[{j}].index")
        devices[device.index] = device
    return Mig(mode=mode, devices=tuple(devices[k] for k in sorted(devices)), extra=_extras(obj))


def _mig_device(value: Any, path: str) -> MigDevice:
    obj = _object(value, path)
    _keys(obj, path, ("index", "uuid", "gi", "ci", "profile", "memory_mib"))
    return MigDevice(
        index=_index(obj, path),
        uuid=_opt(obj, "uuid", path, _uuid("MIG-")),
        gi=_opt(obj, "gi", path, _int),
        ci=_opt(obj, "ci", path, _int),
        profile=_opt(obj, "profile", path, _string),
        memory_mib=_opt(obj, "memory_mib", path, _int),
        extra=_extras(obj),
    )


def _runtime(value: Any, path: str) -> RuntimeSettings:
    obj = _object(value, path)
    _keys(obj, path, ("mode", "platform", "toolkit_version", "privileged", "config",
                      "cdi_devices", "docker"))
    config = dict(_opt(obj, "config", path, _object) or {})
    validate_config(config, f"{path}.config")
    version = _opt(obj, "toolkit_version", path, _string)
    if version is not None and not re.fullmatch(_VERSION, version):
        raise ProfileError("Expected a toolkit version such as '1.17.4'",
                           _join(path, "toolkit_version"))
    cdi = _opt(obj, "cdi_devices", path, _list)
    if cdi is not None:
        for i, name in enumerate(cdi):
            if not re.fullmatch(_CDI_NAME, _string(name, f"{path}.cdi_devices[{i}]")):
                raise ProfileError("Expected a qualified CDI name vendor/class=name",
                                   f"{path}.cdi_devices[{i}]")
    return RuntimeSettings(
        mode=_opt(obj, "mode", path, _choice("runtime mode", RUNTIME_MODES)),
        platform=_opt(obj, "platform", path, _choice("platform", RUNTIME_PLATFORMS)),
        toolkit_version=version,
        privileged=_opt(obj, "privileged", path, _bool),
        config=config,
        cdi_devices=None if cdi is None else tuple(cdi),
        docker=_opt(obj, "docker", path, _docker),
        extra=_extras(obj),
    )


def _docker(value: Any, path: str) -> dict[str, Any]:
    obj = _object(value, path)
    _keys(obj, path, ("version", "cdi"))
    _opt(obj, "version", path, _string)
    _opt(obj, "cdi", path, _bool)
    return dict(obj)


def _source(value: Any, path: str) -> dict[str, Any]:
    obj = _object(value, path)
    _keys(obj, path, ("kind", "approximate", "taken_at", "node"))
    for key in ("kind", "taken_at", "node"):
        _opt(obj, key, path, _string)
    _opt(obj, "approximate", path, _bool)
    return dict(obj)


# -- writing --------------------------------------------------------------------------------------

def _put(out: dict[str, Any], **values: Any) -> None:
    for key, value in values.items():
        if value is not None:
            out[key] = value


def _gpu_dict(gpu: Gpu) -> dict[str, Any]:
    out: dict[str, Any] = {"index": gpu.index}
    _put(out, uuid=gpu.uuid, pci_bus_id=gpu.pci_bus_id, name=gpu.name, brand=gpu.brand,
         arch=gpu.arch, memory_mib=gpu.memory_mib, minor_number=gpu.minor_number)
    mig: dict[str, Any] = {}
    _put(mig, mode=gpu.mig.mode)
    if gpu.mig.devices:
        mig["devices"] = [_mig_device_dict(d) for d in sorted(gpu.mig.devices,
                                                              key=lambda d: d.index)]
    mig.update(gpu.mig.extra)
    if mig:
        out["mig"] = mig
    out.update(gpu.extra)
    return out


def _mig_device_dict(device: MigDevice) -> dict[str, Any]:
    out: dict[str, Any] = {"index": device.index}
    _put(out, uuid=device.uuid, gi=device.gi, ci=device.ci, profile=device.profile,
         memory_mib=device.memory_mib)
    out.update(device.extra)
    return out


def _runtime_dict(runtime: RuntimeSettings) -> dict[str, Any]:
    out: dict[str, Any] = {}
    _put(out, mode=runtime.mode, platform=runtime.platform,
         toolkit_version=runtime.toolkit_version, privileged=runtime.privileged)
    if runtime.config:
        out["config"] = dict(runtime.config)
    if runtime.cdi_devices is not None:
        out["cdi_devices"] = list(runtime.cdi_devices)
    if runtime.docker is not None:
        out["docker"] = dict(runtime.docker)
    out.update(runtime.extra)
    return out
