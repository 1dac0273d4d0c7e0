"""The NVIDIA Container Toolkit's ``config.toml`` keys that nvreq reads: one table, one reader.

A profile's ``runtime.config`` mirrors ``config.toml``: nested tables as nested mappings
(``{"nvidia-container-runtime": {"mode": "cdi"}}``). A dotted flat key
(``"nvidia-container-runtime.mode"``) is accepted too. Defaults and types are the toolkit's
(api/config/v1/config.go, runtime.go). The toolkit decodes ``config.toml`` into typed Go fields,
so a boolean key takes only a TOML boolean: ``disable-require = "true"`` is a string, which the
toolkit refuses to load, and so does nvreq, whether the value comes from a profile or from a
``config`` mapping given to ``check_env``.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from types import MappingProxyType

from nvreq._frozen import frozen
from nvreq._lazy import literal_aliases
from nvreq.errors import ProfileError, unknown_choice

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from typing import Any, Literal

    from nvreq.host.profile import HostProfile

__all__ = [
    "CONFIG_DEFAULTS",
    "CONFIG_KEYS",
    "DEFAULTS",
    "FULL_DRIVER_CAPABILITIES",
    "MODE_KEY",
    "RUNTIME_MODES",
    "ConfigKey",
    "ToolkitConfig",
    "kind_of",
    "lookup_config",
    "read_bool",
    "read_config_value",
    "read_string",
    "toolkit_setting",
    "validate_config",
]

#: The runtime modes a profile or the ``nvidia-container-runtime.mode`` key may name.
RUNTIME_MODES = ("legacy", "jit-cdi", "cdi", "csv", "auto")

#: The toolkit's full driver-capability list, printed sorted (what ``all`` stands for).
FULL_DRIVER_CAPABILITIES = "compat32,compute,display,graphics,ngx,utility,video"

#: The key that names the runtime mode; ``runtime.mode`` of a profile overrides it.
MODE_KEY = "nvidia-container-runtime.mode"

if TYPE_CHECKING:
    ConfigType = Literal["bool", "string", "mode", "strings"]
else:
    __getattr__ = literal_aliases(__name__, {"ConfigType": ("bool", "string", "mode", "strings")})


@frozen
class ConfigKey:
    """One ``config.toml`` key nvreq reads: its dotted name, TOML type, default and effect."""

    name: str
    type: ConfigType
    default: Any
    effect: str


#: Every key nvreq reads, in ``config.toml`` order; the effect is what a non-default value does.
CONFIG_KEYS: tuple[ConfigKey, ...] = (
    ConfigKey("accept-nvidia-visible-devices-envvar-when-unprivileged", "bool", True,
              "NVIDIA_VISIBLE_DEVICES is honoured only in privileged containers"),
    ConfigKey("accept-nvidia-visible-devices-as-volume-mounts", "bool", False,
              "devices are also requested through volume mounts "
              "(/var/run/nvidia-container-devices)"),
    ConfigKey("swarm-resource", "string", "",
              "devices are requested through the listed swarm variables"),
    ConfigKey("supported-driver-capabilities", "string", FULL_DRIVER_CAPABILITIES,
              "capabilities outside this list are refused"),
    ConfigKey("disable-require", "bool", False,
              "NVIDIA_REQUIRE_* is not checked on the hook path"),
    ConfigKey(MODE_KEY, "mode", "auto", "the nvidia runtime resolves devices in this mode"),
    ConfigKey("nvidia-container-runtime.modes.cdi.default-kind", "string", "nvidia.com/gpu",
              "bare CDI ids use this kind"),
    ConfigKey("nvidia-container-runtime.modes.cdi.annotation-prefixes", "strings",
              ("cdi.k8s.io/",), "CDI annotations use these prefixes"),
)

_BY_NAME = {key.name: key for key in CONFIG_KEYS}

#: config key -> the toolkit's default (dotted = nested tables).
CONFIG_DEFAULTS: Mapping[str, Any] = MappingProxyType({k.name: k.default for k in CONFIG_KEYS})
#: the same mapping, under the name ``ToolkitConfig`` documents.
DEFAULTS = CONFIG_DEFAULTS


def kind_of(value: Any) -> str:
    """How an error names the JSON or TOML type of ``value`` (``"a string"``, ``"null"``)."""
    names = {type(None): "null", bool: "a boolean", int: "an integer", float: "a number",
             str: "a string", list: "a list", tuple: "a list", dict: "an object"}
    return names.get(type(value), "an object" if isinstance(value, Mapping) else "a value")


def read_bool(value: Any, path: str) -> bool:
    """A boolean as the toolkit's TOML decoder takes it: only true or false, never a string."""
    if not isinstance(value, bool):
        raise ProfileError(f"Expected true or false, got {kind_of(value)}", path)
    return value


def read_string(value: Any, path: str) -> str:
    """A string, or ``ProfileError`` naming ``path``."""
    if not isinstance(value, str):
        raise ProfileError(f"Expected a string, got {kind_of(value)}", path)
    return value


def _read_mode(value: Any, path: str) -> str:
    text = read_string(value, path)
    if text not in RUNTIME_MODES:
        raise ProfileError(unknown_choice("runtime mode", text, RUNTIME_MODES), path)
    return text


def _read_strings(value: Any, path: str) -> tuple[str, ...]:
    if not isinstance(value, (list, tuple)):
        raise ProfileError(f"Expected a list, got {kind_of(value)}", path)
    return tuple(read_string(item, f"{path}[{i}]") for i, item in enumerate(value))


_READERS = {"bool": read_bool, "string": read_string, "mode": _read_mode,
            "strings": _read_strings}


def read_config_value(key: str, value: Any, path: str | None = None) -> Any:
    """``value`` of config key ``key`` checked against the key's type; ``ProfileError`` names
    ``path`` (default ``runtime.config.KEY``).

    >>> read_config_value("disable-require", "true")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    nvreq.errors.ProfileError: Expected true or false, got a string (at 'runtime.config.disab...')
    """
    return _READERS[_BY_NAME[key].type](value, path or f"runtime.config.{key}")


def lookup_config(config: Mapping[str, Any], key: str, *, flat: bool = True) -> Any:
    """A ``config.toml`` value by dotted key (a flat dotted key, or nested tables); None if absent.

    ``flat=False`` reads nested tables only, as the toolkit reads a real ``config.toml`` (there a
    quoted ``"a.b"`` is one key, not a table).

    >>> lookup_config({"nvidia-container-runtime": {"mode": "cdi"}},
    ...               "nvidia-container-runtime.mode")
    'cdi'
    """
    if flat and key in config:
        return config[key]
    node: Any = config
    for part in key.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return None
        node = node[part]
    return node


def validate_config(config: Mapping[str, Any], path: str = "runtime.config") -> None:
    """Check every key nvreq reads that ``config`` states; other keys are the toolkit's own."""
    for key in CONFIG_KEYS:
        value = lookup_config(config, key.name)
        if value is not None:
            read_config_value(key.name, value, f"{path}.{key.name}")


def _stated(host: HostProfile | None, config: Mapping[str, Any] | None, key: str) -> Any:
    for source in (config, host.runtime.config if host is not None else None):
        if source:
            value = lookup_config(source, key)
            if value is not None:
                return read_config_value(key, value)
    return None


def toolkit_setting(host: HostProfile | None, key: str,
                    config: Mapping[str, Any] | None = None) -> Any:
    """Config key ``key``: from ``config``, else the host's ``runtime.config``, else the default.

    >>> from nvreq.host.profile import HostProfile
    >>> toolkit_setting(HostProfile(), "nvidia-container-runtime.modes.cdi.default-kind")
    'nvidia.com/gpu'
    >>> toolkit_setting(None, "swarm-resource", {"swarm-resource": "DOCKER_RESOURCE_GPU"})
    'DOCKER_RESOURCE_GPU'
    """
    if key not in _BY_NAME:
        return None
    stated = _stated(host, config, key)
    return CONFIG_DEFAULTS[key] if stated is None else stated


def _names(text: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in text.split(",") if item.strip())


@frozen
class ToolkitConfig:
    """The toolkit settings that decide device selection and capabilities on one host."""

    accept_envvar_unprivileged: bool = True
    accept_volume_mounts: bool = False
    swarm_resource: tuple[str, ...] = ()
    supported_driver_capabilities: str = FULL_DRIVER_CAPABILITIES
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
        if not config and (host is None or not host.runtime.config):
            return _default_config()  # most hosts state none; a fleet asks per host
        return cls._read(host, config)

    @classmethod
    def _read(cls, host: HostProfile | None, config: Mapping[str, Any] | None) -> ToolkitConfig:
        def get(key: str) -> Any:
            return toolkit_setting(host, key, config)

        return cls(
            accept_envvar_unprivileged=get(
                "accept-nvidia-visible-devices-envvar-when-unprivileged"),
            accept_volume_mounts=get("accept-nvidia-visible-devices-as-volume-mounts"),
            swarm_resource=_names(get("swarm-resource")),
            supported_driver_capabilities=get("supported-driver-capabilities"),
            disable_require=get("disable-require"),
            mode=_stated(host, config, MODE_KEY),
            cdi_default_kind=get("nvidia-container-runtime.modes.cdi.default-kind"),
            cdi_annotation_prefixes=tuple(
                get("nvidia-container-runtime.modes.cdi.annotation-prefixes")),
        )


@functools.cache
def _default_config() -> ToolkitConfig:
    return ToolkitConfig._read(None, None)
