"""The NVIDIA Container Toolkit's ``config.toml`` keys that nvreq reads, with their defaults.

A profile's ``runtime.config`` mirrors ``config.toml``: nested tables as nested mappings
(``{"nvidia-container-runtime": {"mode": "cdi"}}``). A dotted flat key
(``"nvidia-container-runtime.mode"``) is accepted too. Defaults are the toolkit's
(api/config/v1/config.go, runtime.go; ``host.md`` §2.1).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nvreq.errors import ProfileError
from nvreq.host.profile import CONFIG_DEFAULTS, HostProfile, lookup_config

__all__ = [
    "DEFAULTS",
    "GO_SPACE",
    "ToolkitConfig",
    "toolkit_setting",
    "version_at_least",
    "version_tuple",
]

#: config key -> the toolkit's default; the capability list is kept as ``all``, which the
#: capability resolver reads as every capability (the same set as ``host.CONFIG_DEFAULTS``).
DEFAULTS: Mapping[str, Any] = {**CONFIG_DEFAULTS, "supported-driver-capabilities": "all"}

#: what Go's ``strings.TrimSpace`` trims (``unicode.IsSpace``); not Python's ``str.isspace``.
GO_SPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
            "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def version_tuple(text: str | None) -> tuple[int, ...] | None:
    """The leading numeric components of a version (``"v1.18.0-rc.1"`` -> ``(1, 18, 0)``), or None.

    >>> version_tuple("v1.17.4"), version_tuple("29.2"), version_tuple("latest")
    ((1, 17, 4), (29, 2), None)
    """
    if text is None:
        return None
    match = re.match(r"\s*v?(\d+(?:\.\d+)*)", text)
    return tuple(int(p) for p in match.group(1).split(".")) if match else None


def version_at_least(text: str | None, *minimum: int) -> bool:
    """True if version ``text`` is at least ``minimum``; absent or unreadable means the newest."""
    version = version_tuple(text)
    if version is None:
        return True
    width = max(len(version), len(minimum))
    return version + (0,) * (width - len(version)) >= minimum + (0,) * (width - len(minimum))


def toolkit_setting(host: HostProfile | None, key: str,
                    config: Mapping[str, Any] | None = None) -> Any:
    """Config key ``key``: from ``config``, else the host's ``runtime.config``, else the default.

    >>> toolkit_setting(HostProfile(), "nvidia-container-runtime.modes.cdi.default-kind")
    'nvidia.com/gpu'
    >>> toolkit_setting(None, "swarm-resource", {"swarm-resource": "DOCKER_RESOURCE_GPU"})
    'DOCKER_RESOURCE_GPU'
    """
    for source in (config, host.runtime.config if host is not None else None):
        if source:
            value = lookup_config(source, key)
            if value is not None:
                return value
    return DEFAULTS.get(key)


def _bool(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ProfileError(f"Expected true or false, got {value!r}", f"runtime.config.{key}")


def _names(key: str, value: Any, *, split: bool) -> tuple[str, ...]:
    if isinstance(value, str):
        items: Sequence[Any] = value.split(",") if split else [value]
    elif isinstance(value, Sequence):
        items = value
    else:
        raise ProfileError(f"Expected a string or a list of strings, got {value!r}",
                           f"runtime.config.{key}")
    if not all(isinstance(item, str) for item in items):
        raise ProfileError("Expected a list of strings", f"runtime.config.{key}")
    return tuple(item.strip() for item in items if item.strip())


@dataclass(frozen=True, slots=True)
class ToolkitConfig:
    """The toolkit settings that decide device selection and capabilities on one host."""

    accept_envvar_unprivileged: bool = True
    accept_volume_mounts: bool = False
    swarm_resource: tuple[str, ...] = ()
    supported_driver_capabilities: str | tuple[str, ...] = "all"
    disable_require: bool = False
    mode: str | None = None
    cdi_default_kind: str = "nvidia.com/gpu"
    cdi_annotation_prefixes: tuple[str, ...] = ("cdi.k8s.io/",)

    @classmethod
    def from_host(cls, host: HostProfile | None,
                  config: Mapping[str, Any] | None = None) -> ToolkitConfig:
        """Read the settings from ``config`` over the host's ``runtime.config`` over the defaults.

        ``mode`` is set only when ``nvidia-container-runtime.mode`` is given explicitly.

        >>> ToolkitConfig.from_host(None, {"swarm-resource": "A, B"}).swarm_resource
        ('A', 'B')
        """
        def get(key: str) -> Any:
            return toolkit_setting(host, key, config)

        explicit_mode = None
        for source in (config, host.runtime.config if host is not None else None):
            stated = lookup_config(source, "nvidia-container-runtime.mode") if source else None
            if stated is not None:
                explicit_mode = str(stated)
                break
        caps = get("supported-driver-capabilities")
        if not isinstance(caps, str):
            caps = _names("supported-driver-capabilities", caps, split=False)
        kind = get("nvidia-container-runtime.modes.cdi.default-kind")
        prefixes_key = "nvidia-container-runtime.modes.cdi.annotation-prefixes"
        return cls(
            accept_envvar_unprivileged=_bool(
                "accept-nvidia-visible-devices-envvar-when-unprivileged",
                get("accept-nvidia-visible-devices-envvar-when-unprivileged")),
            accept_volume_mounts=_bool("accept-nvidia-visible-devices-as-volume-mounts",
                                       get("accept-nvidia-visible-devices-as-volume-mounts")),
            swarm_resource=_names("swarm-resource", get("swarm-resource"), split=True),
            supported_driver_capabilities=caps,
            disable_require=_bool("disable-require", get("disable-require")),
            mode=explicit_mode,
            cdi_default_kind=str(kind),
            cdi_annotation_prefixes=_names(prefixes_key, get(prefixes_key), split=False),
        )
