"""Which GPUs, MIG devices and driver capabilities a container gets, per runtime mode, and
Docker's ``--gpus`` flag."""

from __future__ import annotations

from nvreq._lazy import door

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.devices.capabilities import (
        ALL_CAPABILITIES as ALL_CAPABILITIES,
    )
    from nvreq.devices.capabilities import (
        DEFAULT_CAPABILITIES as DEFAULT_CAPABILITIES,
    )
    from nvreq.devices.capabilities import (
        VARIABLE as VARIABLE,
    )
    from nvreq.devices.capabilities import (
        CapabilityDiagnostic as CapabilityDiagnostic,
    )
    from nvreq.devices.capabilities import (
        CapabilityResult as CapabilityResult,
    )
    from nvreq.devices.capabilities import (
        resolve_capabilities as resolve_capabilities,
    )
    from nvreq.devices.cdi_mode import (
        GENERATED_KIND as GENERATED_KIND,
    )
    from nvreq.devices.cdi_mode import (
        generated_spec_names as generated_spec_names,
    )
    from nvreq.devices.cdi_mode import (
        resolve_cdi as resolve_cdi,
    )
    from nvreq.devices.cdi_names import (
        AUTOMATIC_KIND as AUTOMATIC_KIND,
    )
    from nvreq.devices.cdi_names import (
        CdiName as CdiName,
    )
    from nvreq.devices.cdi_names import (
        is_qualified_name as is_qualified_name,
    )
    from nvreq.devices.cdi_names import (
        parse_qualified_name as parse_qualified_name,
    )
    from nvreq.devices.cdi_names import (
        qualify as qualify,
    )
    from nvreq.devices.gpus_flag import (
        NVIDIA_DRIVER_CAPABILITY_SET as NVIDIA_DRIVER_CAPABILITY_SET,
    )
    from nvreq.devices.gpus_flag import (
        DeviceRequest as DeviceRequest,
    )
    from nvreq.devices.gpus_flag import (
        GpusFlagError as GpusFlagError,
    )
    from nvreq.devices.gpus_flag import (
        GpusPlan as GpusPlan,
    )
    from nvreq.devices.gpus_flag import (
        apply_gpus_flag as apply_gpus_flag,
    )
    from nvreq.devices.gpus_flag import (
        parse_gpus_flag as parse_gpus_flag,
    )
    from nvreq.devices.gpus_flag import (
        plan_gpus_flags as plan_gpus_flags,
    )
    from nvreq.devices.jitcdi import (
        JIT_CDI_ERROR_PREFIX as JIT_CDI_ERROR_PREFIX,
    )
    from nvreq.devices.jitcdi import (
        resolve_jitcdi as resolve_jitcdi,
    )
    from nvreq.devices.jitcdi import (
        select_cdi_all as select_cdi_all,
    )
    from nvreq.devices.legacy import (
        LegacyMatch as LegacyMatch,
    )
    from nvreq.devices.legacy import (
        assume_mig_disabled as assume_mig_disabled,
    )
    from nvreq.devices.legacy import (
        match_legacy_id as match_legacy_id,
    )
    from nvreq.devices.legacy import (
        resolve_legacy as resolve_legacy,
    )
    from nvreq.devices.legacy import (
        why_unknown as why_unknown,
    )
    from nvreq.devices.mig import (
        MIG_CONFIG as MIG_CONFIG,
    )
    from nvreq.devices.mig import (
        MIG_MONITOR as MIG_MONITOR,
    )
    from nvreq.devices.mig import (
        MigAccess as MigAccess,
    )
    from nvreq.devices.mig import (
        resolve_mig_access as resolve_mig_access,
    )
    from nvreq.devices.request import (
        MOUNT_ROOT as MOUNT_ROOT,
    )
    from nvreq.devices.request import (
        VISIBLE_DEVICES as VISIBLE_DEVICES,
    )
    from nvreq.devices.request import (
        Request as Request,
    )
    from nvreq.devices.request import (
        RequestSource as RequestSource,
    )
    from nvreq.devices.request import (
        gather_request as gather_request,
    )
    from nvreq.devices.resolution import (
        DeviceWarning as DeviceWarning,
    )
    from nvreq.devices.resolution import (
        Resolution as Resolution,
    )
    from nvreq.devices.resolution import (
        Selector as Selector,
    )
    from nvreq.devices.resolution import (
        describe_host as describe_host,
    )
    from nvreq.devices.resolution import (
        gpu_label as gpu_label,
    )
    from nvreq.devices.resolution import (
        legacy_mig_list as legacy_mig_list,
    )
    from nvreq.devices.resolution import (
        mig_enabled as mig_enabled,
    )
    from nvreq.devices.resolution import (
        mig_label as mig_label,
    )
    from nvreq.devices.resolution import (
        nvml_mig_list as nvml_mig_list,
    )
    from nvreq.devices.resolution import (
        short as short,
    )
    from nvreq.devices.select import (
        HOOK_CDI_ERROR as HOOK_CDI_ERROR,
    )
    from nvreq.devices.select import (
        MODES as MODES,
    )
    from nvreq.devices.select import (
        DeviceSelection as DeviceSelection,
    )
    from nvreq.devices.select import (
        render_device_table as render_device_table,
    )
    from nvreq.devices.select import (
        resolve_devices as resolve_devices,
    )

__all__ = [
    "ALL_CAPABILITIES",
    "AUTOMATIC_KIND",
    "DEFAULT_CAPABILITIES",
    "GENERATED_KIND",
    "HOOK_CDI_ERROR",
    "JIT_CDI_ERROR_PREFIX",
    "MIG_CONFIG",
    "MIG_MONITOR",
    "MODES",
    "MOUNT_ROOT",
    "NVIDIA_DRIVER_CAPABILITY_SET",
    "VARIABLE",
    "VISIBLE_DEVICES",
    "CapabilityDiagnostic",
    "CapabilityResult",
    "CdiName",
    "DeviceRequest",
    "DeviceSelection",
    "DeviceWarning",
    "GpusFlagError",
    "GpusPlan",
    "LegacyMatch",
    "MigAccess",
    "Request",
    "RequestSource",
    "Resolution",
    "Selector",
    "apply_gpus_flag",
    "assume_mig_disabled",
    "describe_host",
    "gather_request",
    "generated_spec_names",
    "gpu_label",
    "is_qualified_name",
    "legacy_mig_list",
    "match_legacy_id",
    "mig_enabled",
    "mig_label",
    "nvml_mig_list",
    "parse_gpus_flag",
    "parse_qualified_name",
    "plan_gpus_flags",
    "qualify",
    "render_device_table",
    "resolve_capabilities",
    "resolve_cdi",
    "resolve_devices",
    "resolve_jitcdi",
    "resolve_legacy",
    "resolve_mig_access",
    "select_cdi_all",
    "short",
    "why_unknown",
]

_TABLE = {
    "ALL_CAPABILITIES": "nvreq.devices.capabilities",
    "AUTOMATIC_KIND": "nvreq.devices.cdi_names",
    "CapabilityDiagnostic": "nvreq.devices.capabilities",
    "CapabilityResult": "nvreq.devices.capabilities",
    "CdiName": "nvreq.devices.cdi_names",
    "DEFAULT_CAPABILITIES": "nvreq.devices.capabilities",
    "DeviceRequest": "nvreq.devices.gpus_flag",
    "DeviceSelection": "nvreq.devices.select",
    "DeviceWarning": "nvreq.devices.resolution",
    "GENERATED_KIND": "nvreq.devices.cdi_mode",
    "GpusFlagError": "nvreq.devices.gpus_flag",
    "GpusPlan": "nvreq.devices.gpus_flag",
    "HOOK_CDI_ERROR": "nvreq.devices.select",
    "JIT_CDI_ERROR_PREFIX": "nvreq.devices.jitcdi",
    "LegacyMatch": "nvreq.devices.legacy",
    "MIG_CONFIG": "nvreq.devices.mig",
    "MIG_MONITOR": "nvreq.devices.mig",
    "MODES": "nvreq.devices.select",
    "MOUNT_ROOT": "nvreq.devices.request",
    "MigAccess": "nvreq.devices.mig",
    "NVIDIA_DRIVER_CAPABILITY_SET": "nvreq.devices.gpus_flag",
    "Request": "nvreq.devices.request",
    "RequestSource": "nvreq.devices.request",
    "Resolution": "nvreq.devices.resolution",
    "Selector": "nvreq.devices.resolution",
    "VARIABLE": "nvreq.devices.capabilities",
    "VISIBLE_DEVICES": "nvreq.devices.request",
    "apply_gpus_flag": "nvreq.devices.gpus_flag",
    "assume_mig_disabled": "nvreq.devices.legacy",
    "describe_host": "nvreq.devices.resolution",
    "gather_request": "nvreq.devices.request",
    "generated_spec_names": "nvreq.devices.cdi_mode",
    "gpu_label": "nvreq.devices.resolution",
    "is_qualified_name": "nvreq.devices.cdi_names",
    "legacy_mig_list": "nvreq.devices.resolution",
    "match_legacy_id": "nvreq.devices.legacy",
    "mig_enabled": "nvreq.devices.resolution",
    "mig_label": "nvreq.devices.resolution",
    "nvml_mig_list": "nvreq.devices.resolution",
    "parse_gpus_flag": "nvreq.devices.gpus_flag",
    "parse_qualified_name": "nvreq.devices.cdi_names",
    "plan_gpus_flags": "nvreq.devices.gpus_flag",
    "qualify": "nvreq.devices.cdi_names",
    "render_device_table": "nvreq.devices.select",
    "resolve_capabilities": "nvreq.devices.capabilities",
    "resolve_cdi": "nvreq.devices.cdi_mode",
    "resolve_devices": "nvreq.devices.select",
    "resolve_jitcdi": "nvreq.devices.jitcdi",
    "resolve_legacy": "nvreq.devices.legacy",
    "resolve_mig_access": "nvreq.devices.mig",
    "select_cdi_all": "nvreq.devices.jitcdi",
    "short": "nvreq.devices.resolution",
    "why_unknown": "nvreq.devices.legacy",
}

__getattr__ = door("nvreq.devices", _TABLE)
