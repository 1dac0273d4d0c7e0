"""Docker's ``--gpus``: the DeviceRequest the CLI builds and the env the daemon derives.

The NVIDIA hook never sees a DeviceRequest, only the variables the daemon appends after the image's
environment; nvreq evaluates ``--gpus`` by producing that environment. Spec: ``gpus-flag.md``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from nvreq._frozen import field, frozen
from nvreq.errors import InputError
from nvreq.formats.go_text import GoCsvError, atoi, csv_field, go_quote, read_csv_record
from nvreq.host.schema import MAX_GPUS
from nvreq.require.versions import version_at_least

__all__ = [
    "NVIDIA_DRIVER_CAPABILITY_SET",
    "DeviceRequest",
    "GpusFlagError",
    "GpusPlan",
    "apply_gpus_flag",
    "parse_gpus_flag",
    "plan_gpus_flags",
]

#: moby's NVIDIA driver capability set (daemon/devices_nvidia_linux.go): no ``ngx``, no ``all``.
NVIDIA_DRIVER_CAPABILITY_SET = frozenset(
    {"gpu", "nvidia", "compute", "compat32", "graphics", "utility", "video", "display"})
_NVIDIA_CAPS = ("compute", "compat32", "graphics", "utility", "video", "display")
_MAX_VALUE, _MAX_FIELDS, _MAX_FLAGS = 4096, 64, 16
#: indices past every host's last GPU: the runtime fails at the first index a host lacks, so a
#: longer list (count=2147483647) changes nothing but the time and memory it takes
_MAX_LISTED = MAX_GPUS + 1


class GpusFlagError(InputError):
    """Docker's error for a ``--gpus`` value (``stage="cli"``) or its request (``"daemon"``)."""

    def __init__(self, message: str, *, stage: str = "cli", reason: str | None = None) -> None:
        self.message = message
        self.stage = stage
        self.reason = reason if reason is not None else message
        super().__init__(message)


def _count(text: str, *, old_text: bool) -> int:
    if text == "all":
        return -1
    try:
        return atoi(text)
    except ValueError as exc:
        if old_text:
            raise GoCsvError(f"count must be an integer: strconv.Atoi: parsing {go_quote(text)}: "
                            f"{exc}") from None
        raise GoCsvError(f'invalid count ({text}): value must be either "all" or an integer: '
                        f"{exc}") from None


@frozen
class DeviceRequest:
    """One ``--gpus`` value as docker's API ``DeviceRequest``; ``str()`` is a canonical value."""

    count: int = 1
    device_ids: tuple[str, ...] | None = None
    capabilities: tuple[tuple[str, ...], ...] = (("gpu",),)
    driver: str = ""
    options: Mapping[str, str] = field(default_factory=dict, hash=False)
    ignored_text: str = field(default="", compare=False, repr=False)

    def __str__(self) -> str:
        parts = []
        if self.device_ids is None or self.count != 0:
            parts.append(f"count={self.count}")
        if self.device_ids is not None:
            parts.append(csv_field("device=" + ",".join(self.device_ids)))
        if self.capabilities != (("gpu",),):
            caps = self.capabilities[0][:-1] if len(self.capabilities) == 1 else ()
            parts.append(csv_field("capabilities=" + ",".join(caps)))
        if self.driver:
            parts.append(csv_field("driver=" + self.driver))
        if self.options:
            opts = [csv_field(f"{k}={v}") for k, v in self.options.items()]
            parts.append(csv_field("options=" + ",".join(opts)))
        return ",".join(parts)

    def __repr__(self) -> str:
        return f"<DeviceRequest({str(self)!r})>"

    def to_dict(self) -> dict[str, Any]:
        """Docker's DeviceRequest JSON shape (``Driver``, ``Count``, ``DeviceIDs``, …)."""
        return {"Driver": self.driver, "Count": self.count,
                "DeviceIDs": None if self.device_ids is None else list(self.device_ids),
                "Capabilities": [list(c) for c in self.capabilities],
                "Options": dict(sorted(self.options.items()))}

    def selected_capabilities(self) -> tuple[str, ...]:
        """The AND-list the daemon selects for the NVIDIA driver; raises the daemon's error."""
        if self.driver not in ("", "nvidia"):
            raise self._no_driver()
        for and_list in self.capabilities:
            if set(and_list) <= NVIDIA_DRIVER_CAPABILITY_SET:
                return and_list
        if self.driver == "nvidia":
            return ()
        raise self._no_driver()

    def _no_driver(self) -> GpusFlagError:
        caps = "[" + " ".join("[" + " ".join(c) + "]" for c in self.capabilities) + "]"
        return GpusFlagError(f'could not select device driver "{self.driver}" with capabilities: '
                             f"{caps}", stage="daemon")

    def visible_devices(self, *, docker: Mapping[str, Any] | str | None = None) -> str | None:
        """The ``NVIDIA_VISIBLE_DEVICES`` value the daemon appends on the hook path, or None."""
        if self.count != 0 and self.device_ids:
            raise GpusFlagError("cannot set both Count and DeviceIDs on device request",
                                stage="daemon")
        if self.device_ids:
            return ",".join(self.device_ids)
        if self.count > 0:
            return ",".join(str(i) for i in range(min(self.count, _MAX_LISTED)))
        if self.count < 0:
            return "all"
        version = _daemon_version(docker)
        if version_at_least(version, 28) and not version_at_least(version, 29, 2):
            return "void"
        return None

    def to_env(self, *, docker: Mapping[str, Any] | str | None = None) -> dict[str, str]:
        """The variables the daemon appends on the hook path (``docker`` None: the newest daemon).

        >>> parse_gpus_flag('driver=nvidia,"capabilities=compute,utility"').to_env()
        {'NVIDIA_VISIBLE_DEVICES': '0', 'NVIDIA_DRIVER_CAPABILITIES': 'compute,utility'}
        """
        caps = [c for c in self.selected_capabilities() if c in _NVIDIA_CAPS]
        env: dict[str, str] = {}
        visible = self.visible_devices(docker=docker)
        if visible is None and version_at_least(_daemon_version(docker), 29, 2):
            return env
        if visible is not None:
            env["NVIDIA_VISIBLE_DEVICES"] = visible
        if caps:
            env["NVIDIA_DRIVER_CAPABILITIES"] = ",".join(caps)
        return env

    def cdi_names(self) -> tuple[str, ...]:
        """The CDI names moby >= 29.2 injects on its CDI path (capabilities are ignored there)."""
        self.selected_capabilities()
        self.visible_devices()
        if self.device_ids:
            return tuple(d if "=" in d else f"nvidia.com/gpu={d}" for d in self.device_ids)
        if self.count < 0:
            return ("nvidia.com/gpu=all",)
        return tuple(f"nvidia.com/gpu={i}" for i in range(min(self.count, _MAX_LISTED)))


def _daemon_version(docker: Mapping[str, Any] | str | None) -> str | None:
    if isinstance(docker, Mapping):
        version = docker.get("version")
        return str(version) if version is not None else None
    return docker


def parse_gpus_flag(value: str, *, cli_version: str | None = None) -> DeviceRequest:
    """Parse one ``--gpus`` value as docker receives it (after the shell's quoting) into a request.

    ``cli_version`` below 28.1 selects the count error text of docker/cli before 4c882e0.

    >>> parse_gpus_flag('"device=0,2"').to_dict()
    {'Driver': '', 'Count': 0, 'DeviceIDs': ['0', '2'], 'Capabilities': [['gpu']], 'Options': {}}
    >>> parse_gpus_flag("device=0,2")
    <DeviceRequest('count=2,device=0')>
    """
    if len(value.encode("utf-8", "surrogateescape")) > _MAX_VALUE:
        raise InputError(f"--gpus value is longer than {_MAX_VALUE} bytes")
    try:
        return _parse(value, old_text=not version_at_least(cli_version, 28, 1))
    except GoCsvError as exc:
        raise GpusFlagError(f'invalid argument {go_quote(value)} for "--gpus" flag: {exc}',
                            reason=str(exc)) from None


def _parse(value: str, *, old_text: bool) -> DeviceRequest:
    fields, rest = read_csv_record(value)
    if len(fields) > _MAX_FIELDS:
        raise InputError(f"--gpus value has more than {_MAX_FIELDS} fields")
    seen: set[str] = set()
    count: int | None = None
    device_ids: tuple[str, ...] | None = None
    caps: tuple[tuple[str, ...], ...] = (("gpu",),)
    driver, options = "", {}
    for text in fields:
        key, sep, val = text.partition("=")
        if key in seen:
            raise GoCsvError(f"gpu request key '{key}' can be specified only once")
        seen.add(key)
        if not sep:
            seen.add("count")
            count = _count(key, old_text=old_text)
        elif key == "capabilities":
            caps = ((*val.split(","), "gpu"),)
        elif key == "count":
            count = _count(val, old_text=old_text)
        elif key == "device":
            device_ids = tuple(val.split(","))
        elif key == "driver":
            driver = val
        elif key == "options":
            try:
                opt_fields, _ = read_csv_record(val)
            except GoCsvError as exc:
                raise GoCsvError(f"failed to read gpu options: {exc}") from None
            options = {k: v for k, _, v in (f.partition("=") for f in opt_fields)}
        else:
            raise GoCsvError(f"unexpected key '{key}' in '{text}'")
    if count is None:
        count = 1 if device_ids is None else 0
    return DeviceRequest(count, device_ids, caps, driver, options, ignored_text=rest)


@frozen
class GpusPlan:
    """What the daemon does with one or more ``--gpus`` flags.

    ``env`` is the image's env with the daemon's entries appended (the hook path, and the fallback
    when CDI injection fails); ``hook`` says whether the NVIDIA prestart hook is injected;
    ``path`` is ``hook`` or ``cdi``; ``cdi_names`` are injected on the CDI path.
    """

    requests: tuple[DeviceRequest, ...]
    env: tuple[str, ...]
    added: tuple[str, ...]
    hook: bool
    path: str = "hook"
    cdi_names: tuple[str, ...] = ()
    daemon: str = "newest moby (assumed)"
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {"requests": [r.to_dict() for r in self.requests], "env": list(self.env),
                "added": list(self.added), "hook": self.hook, "path": self.path,
                "cdi_names": list(self.cdi_names), "daemon": self.daemon, "notes": list(self.notes)}


def _env_list(image_env: Sequence[str] | Mapping[str, str]) -> list[str]:
    if isinstance(image_env, Mapping):
        return [f"{k}={v}" for k, v in image_env.items()]
    if isinstance(image_env, str):
        raise InputError("image env must be a list of KEY=VALUE strings or a mapping, not a string")
    return list(image_env)


def plan_gpus_flags(image_env: Sequence[str] | Mapping[str, str], values: str | Sequence[str], *,
                    docker: Mapping[str, Any] | str | None = None,
                    cli_version: str | None = None) -> GpusPlan:
    """Apply one or more ``--gpus`` values as the daemon described by ``docker`` would.

    ``docker`` is the profile's ``runtime.docker`` (``{"version": "29.2.0", "cdi": false}``) or a
    daemon version; when absent, the newest daemon on the hook path is assumed.

    >>> plan_gpus_flags(["CUDA_VERSION=12.4.1"], "2").added
    ('NVIDIA_VISIBLE_DEVICES=0,1',)
    """
    flags = [values] if isinstance(values, str) else list(values)
    if len(flags) > _MAX_FLAGS:
        raise InputError(f"more than {_MAX_FLAGS} --gpus flags")
    requests = tuple(parse_gpus_flag(v, cli_version=cli_version) for v in flags)
    version = _daemon_version(docker)
    cdi = (isinstance(docker, Mapping) and bool(docker.get("cdi"))
           and version_at_least(version, 29, 2))
    notes = []
    if docker is None:
        notes.append("no daemon given: assuming the newest moby on the runtime-hook path")
    added: list[str] = []
    hook = False
    for req in requests:
        entries = req.to_env(docker=docker)
        added += [f"{k}={v}" for k, v in entries.items()]
        injected = "NVIDIA_VISIBLE_DEVICES" in entries or not version_at_least(version, 29, 2)
        hook = hook or injected
        if req.count == 0 and not req.device_ids:
            notes.append(_count_zero_note(version))
        if req.count > _MAX_LISTED:
            notes.append(f"count={req.count}: the daemon lists that many GPU indices; no host "
                         f"has more than {MAX_GPUS} GPUs, so the first {_MAX_LISTED} decide the "
                         "verdict and only they are listed")
        if req.ignored_text:
            notes.append(f"docker reads only the first line of a --gpus value; ignored: "
                         f"{req.ignored_text!r}")
    if len(requests) > 1:
        notes.append("several --gpus flags: each appends NVIDIA_VISIBLE_DEVICES and the toolkit "
                     "keeps the last entry, so only the last flag's devices are exposed")
    names = tuple(n for r in requests for n in r.cdi_names()) if cdi else ()
    if cdi:
        notes.append("CDI path (moby >= 29.2 with nvidia-cdi-hook): capabilities are ignored, no "
                     "hook runs and no requirement is checked; the env applies only if CDI "
                     "injection fails and the daemon falls back to the hook path")
    return GpusPlan(requests=requests, env=(*_env_list(image_env), *added), added=tuple(added),
                    hook=hook and not (cdi and names), path="cdi" if cdi and names else "hook",
                    cdi_names=names,
                    daemon=f"moby {version}" if version else "newest moby (assumed)",
                    notes=tuple(notes))


def _count_zero_note(version: str | None) -> str:
    if not version_at_least(version, 28):
        return ("--gpus 0 on moby < 28 adds the hook without NVIDIA_VISIBLE_DEVICES: the image's "
                "own value (or the legacy-image default, all) decides")
    if not version_at_least(version, 29, 2):
        return "--gpus 0 on moby 28.0-29.1 sets NVIDIA_VISIBLE_DEVICES=void: no GPU"
    return "--gpus 0 on moby >= 29.2 injects nothing: no hook, no GPU"


def apply_gpus_flag(image_env: Sequence[str] | Mapping[str, str], value: str | Sequence[str], *,
                    docker: Mapping[str, Any] | str | None = None) -> list[str]:
    """The image's env with the daemon's ``--gpus`` entries appended (later entries win).

    On moby >= 29.2 ``--gpus 0`` injects no hook at all; use :func:`plan_gpus_flags` to see that.

    >>> apply_gpus_flag(["NVIDIA_VISIBLE_DEVICES=all"], "device=1")
    ['NVIDIA_VISIBLE_DEVICES=all', 'NVIDIA_VISIBLE_DEVICES=1']
    """
    return list(plan_gpus_flags(image_env, value, docker=docker).env)
