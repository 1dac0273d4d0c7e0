"""A host's facts and every way to get them: the profile model, its schema, files and presets,
NVML, importers, runtime configuration files and installed packages."""

from __future__ import annotations

from nvreq._lazy import door

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.host.config import (
        DEFAULTS as DEFAULTS,
    )
    from nvreq.host.config import (
        GO_SPACE as GO_SPACE,
    )
    from nvreq.host.config import (
        ToolkitConfig as ToolkitConfig,
    )
    from nvreq.host.config import (
        toolkit_setting as toolkit_setting,
    )
    from nvreq.host.config import (
        version_at_least as version_at_least,
    )
    from nvreq.host.config import (
        version_tuple as version_tuple,
    )
    from nvreq.host.local import local_host as local_host
    from nvreq.host.local import with_local_runtime as with_local_runtime
    from nvreq.host.nvml import NvmlError as NvmlError
    from nvreq.host.nvml import live_profile as live_profile
    from nvreq.host.packages import (
        Dependency as Dependency,
    )
    from nvreq.host.packages import (
        Package as Package,
    )
    from nvreq.host.packages import (
        Runner as Runner,
    )
    from nvreq.host.packages import (
        compare_debian_versions as compare_debian_versions,
    )
    from nvreq.host.packages import (
        read_dpkg_status as read_dpkg_status,
    )
    from nvreq.host.packages import (
        read_installed as read_installed,
    )
    from nvreq.host.packages import (
        run_command as run_command,
    )
    from nvreq.host.packages import (
        satisfies as satisfies,
    )
    from nvreq.host.packages import (
        toolkit_version as toolkit_version,
    )
    from nvreq.host.profile import (
        CONFIG_DEFAULTS as CONFIG_DEFAULTS,
    )
    from nvreq.host.profile import (
        FULL_DRIVER_CAPABILITIES as FULL_DRIVER_CAPABILITIES,
    )
    from nvreq.host.profile import (
        PROFILE_FORMAT as PROFILE_FORMAT,
    )
    from nvreq.host.profile import (
        Gpu as Gpu,
    )
    from nvreq.host.profile import (
        HostProfile as HostProfile,
    )
    from nvreq.host.profile import (
        Mig as Mig,
    )
    from nvreq.host.profile import (
        MigDevice as MigDevice,
    )
    from nvreq.host.profile import (
        RuntimeSettings as RuntimeSettings,
    )
    from nvreq.host.profile import (
        lookup_config as lookup_config,
    )
    from nvreq.host.runtime_files import (
        DAEMON_JSON as DAEMON_JSON,
    )
    from nvreq.host.runtime_files import (
        TOOLKIT_CONFIG as TOOLKIT_CONFIG,
    )
    from nvreq.host.runtime_files import (
        RuntimeFiles as RuntimeFiles,
    )
    from nvreq.host.runtime_files import (
        read_runtime_files as read_runtime_files,
    )
    from nvreq.host.runtime_files import (
        with_runtime as with_runtime,
    )
    from nvreq.host.schema import (
        MAX_DEPTH as MAX_DEPTH,
    )
    from nvreq.host.schema import (
        MAX_GPUS as MAX_GPUS,
    )
    from nvreq.host.schema import (
        MAX_MIG_DEVICES as MAX_MIG_DEVICES,
    )
    from nvreq.host.schema import (
        MAX_STRING as MAX_STRING,
    )
    from nvreq.host.schema import (
        RUNTIME_MODES as RUNTIME_MODES,
    )
    from nvreq.host.schema import (
        RUNTIME_PLATFORMS as RUNTIME_PLATFORMS,
    )
    from nvreq.host.schema import (
        cuda_from_int as cuda_from_int,
    )
    from nvreq.host.schema import (
        normalize_bus_id as normalize_bus_id,
    )
    from nvreq.host.schema import (
        profile_from_dict as profile_from_dict,
    )
    from nvreq.host.schema import (
        profile_to_dict as profile_to_dict,
    )
    from nvreq.host.sources import (
        DEFAULT_PRESET as DEFAULT_PRESET,
    )
    from nvreq.host.sources import (
        MAX_PROFILE_BYTES as MAX_PROFILE_BYTES,
    )
    from nvreq.host.sources import (
        list_presets as list_presets,
    )
    from nvreq.host.sources import (
        load_preset as load_preset,
    )
    from nvreq.host.sources import (
        load_profile as load_profile,
    )
    from nvreq.host.sources import (
        parse_profile_text as parse_profile_text,
    )
    from nvreq.host.sources import (
        parse_toml as parse_toml,
    )
    from nvreq.host.sources import (
        resolve_host as resolve_host,
    )

__all__ = [
    "CONFIG_DEFAULTS",
    "DAEMON_JSON",
    "DEFAULTS",
    "DEFAULT_PRESET",
    "FULL_DRIVER_CAPABILITIES",
    "GO_SPACE",
    "MAX_DEPTH",
    "MAX_GPUS",
    "MAX_MIG_DEVICES",
    "MAX_PROFILE_BYTES",
    "MAX_STRING",
    "PROFILE_FORMAT",
    "RUNTIME_MODES",
    "RUNTIME_PLATFORMS",
    "TOOLKIT_CONFIG",
    "Dependency",
    "Gpu",
    "HostProfile",
    "Mig",
    "MigDevice",
    "NvmlError",
    "Package",
    "Runner",
    "RuntimeFiles",
    "RuntimeSettings",
    "ToolkitConfig",
    "compare_debian_versions",
    "cuda_from_int",
    "list_presets",
    "live_profile",
    "load_preset",
    "load_profile",
    "local_host",
    "lookup_config",
    "normalize_bus_id",
    "parse_profile_text",
    "parse_toml",
    "profile_from_dict",
    "profile_to_dict",
    "read_dpkg_status",
    "read_installed",
    "read_runtime_files",
    "resolve_host",
    "run_command",
    "satisfies",
    "toolkit_setting",
    "toolkit_version",
    "version_at_least",
    "version_tuple",
    "with_local_runtime",
    "with_runtime",
]

_TABLE = {
    "CONFIG_DEFAULTS": "nvreq.host.profile",
    "DAEMON_JSON": "nvreq.host.runtime_files",
    "DEFAULTS": "nvreq.host.config",
    "DEFAULT_PRESET": "nvreq.host.sources",
    "Dependency": "nvreq.host.packages",
    "FULL_DRIVER_CAPABILITIES": "nvreq.host.profile",
    "GO_SPACE": "nvreq.host.config",
    "Gpu": "nvreq.host.profile",
    "HostProfile": "nvreq.host.profile",
    "MAX_DEPTH": "nvreq.host.schema",
    "MAX_GPUS": "nvreq.host.schema",
    "MAX_MIG_DEVICES": "nvreq.host.schema",
    "MAX_PROFILE_BYTES": "nvreq.host.sources",
    "MAX_STRING": "nvreq.host.schema",
    "Mig": "nvreq.host.profile",
    "MigDevice": "nvreq.host.profile",
    "NvmlError": "nvreq.host.nvml",
    "PROFILE_FORMAT": "nvreq.host.profile",
    "Package": "nvreq.host.packages",
    "RUNTIME_MODES": "nvreq.host.schema",
    "RUNTIME_PLATFORMS": "nvreq.host.schema",
    "Runner": "nvreq.host.packages",
    "RuntimeFiles": "nvreq.host.runtime_files",
    "RuntimeSettings": "nvreq.host.profile",
    "TOOLKIT_CONFIG": "nvreq.host.runtime_files",
    "ToolkitConfig": "nvreq.host.config",
    "compare_debian_versions": "nvreq.host.packages",
    "cuda_from_int": "nvreq.host.schema",
    "list_presets": "nvreq.host.sources",
    "live_profile": "nvreq.host.nvml",
    "load_preset": "nvreq.host.sources",
    "load_profile": "nvreq.host.sources",
    "local_host": "nvreq.host.local",
    "lookup_config": "nvreq.host.profile",
    "normalize_bus_id": "nvreq.host.schema",
    "parse_profile_text": "nvreq.host.sources",
    "parse_toml": "nvreq.host.sources",
    "profile_from_dict": "nvreq.host.schema",
    "profile_to_dict": "nvreq.host.schema",
    "read_dpkg_status": "nvreq.host.packages",
    "read_installed": "nvreq.host.packages",
    "read_runtime_files": "nvreq.host.runtime_files",
    "resolve_host": "nvreq.host.sources",
    "run_command": "nvreq.host.packages",
    "satisfies": "nvreq.host.packages",
    "toolkit_setting": "nvreq.host.config",
    "toolkit_version": "nvreq.host.packages",
    "version_at_least": "nvreq.host.config",
    "version_tuple": "nvreq.host.config",
    "with_local_runtime": "nvreq.host.local",
    "with_runtime": "nvreq.host.runtime_files",
}

__getattr__ = door("nvreq.host", _TABLE)
