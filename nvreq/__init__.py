"""nvreq: will this GPU container image run on that host, and if not, exactly why not.

The public names load on first use, so that ``import nvreq`` (and the CLI) start fast.
"""

from __future__ import annotations

from nvreq._lazy import load
from nvreq.errors import ImageError, InputError, InvalidRequirement, NvreqError, ProfileError

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from typing import Any

    from nvreq.check.checker import check_env
    from nvreq.check.report import Report
    from nvreq.devices.capabilities import CapabilityResult, resolve_capabilities
    from nvreq.devices.gpus_flag import DeviceRequest, apply_gpus_flag, parse_gpus_flag
    from nvreq.devices.select import DeviceSelection, resolve_devices
    from nvreq.fleet.core import Fleet
    from nvreq.fleet.kubernetes import node_affinity
    from nvreq.host.profile import Gpu, HostProfile, Mig, MigDevice, RuntimeSettings
    from nvreq.require.compiled import CompiledRequirement, CompiledResult, Result
    from nvreq.require.lint import Diagnostic, lint_requirement
    from nvreq.require.semantics import Context, Verdict, evaluate
    from nvreq.require.syntax import Alternative, Clause, Requirement, parse_requirement

__all__ = [
    "Alternative",
    "CapabilityResult",
    "Clause",
    "CompiledRequirement",
    "CompiledResult",
    "Context",
    "DeviceRequest",
    "DeviceSelection",
    "Diagnostic",
    "Fleet",
    "Gpu",
    "HostProfile",
    "ImageError",
    "InputError",
    "InvalidRequirement",
    "Mig",
    "MigDevice",
    "NvreqError",
    "ProfileError",
    "Report",
    "Requirement",
    "Result",
    "RuntimeSettings",
    "Verdict",
    "apply_gpus_flag",
    "check_env",
    "evaluate",
    "lint_requirement",
    "node_affinity",
    "parse_gpus_flag",
    "parse_requirement",
    "resolve_capabilities",
    "resolve_devices",
]
__version__ = "0.1.0"

_LAZY = {
    "Fleet": "nvreq.fleet.core",
    "node_affinity": "nvreq.fleet.kubernetes",
    "Gpu": "nvreq.host.profile",
    "HostProfile": "nvreq.host.profile",
    "Mig": "nvreq.host.profile",
    "MigDevice": "nvreq.host.profile",
    "RuntimeSettings": "nvreq.host.profile",
    "CapabilityResult": "nvreq.devices.capabilities",
    "resolve_capabilities": "nvreq.devices.capabilities",
    "DeviceSelection": "nvreq.devices.select",
    "resolve_devices": "nvreq.devices.select",
    "DeviceRequest": "nvreq.devices.gpus_flag",
    "apply_gpus_flag": "nvreq.devices.gpus_flag",
    "parse_gpus_flag": "nvreq.devices.gpus_flag",
    "check_env": "nvreq.check.checker",
    "CompiledRequirement": "nvreq.require.compiled",
    "CompiledResult": "nvreq.require.compiled",
    "Result": "nvreq.require.compiled",
    "Diagnostic": "nvreq.require.lint",
    "lint_requirement": "nvreq.require.lint",
    "Report": "nvreq.check.report",
    "Alternative": "nvreq.require.syntax",
    "Clause": "nvreq.require.syntax",
    "Requirement": "nvreq.require.syntax",
    "parse_requirement": "nvreq.require.syntax",
    "Context": "nvreq.require.semantics",
    "Verdict": "nvreq.require.semantics",
    "evaluate": "nvreq.require.semantics",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nvreq' has no attribute {name!r}")
    value = getattr(load(module), name)
    globals()[name] = value
    return value
