"""nvreq: will this GPU container image run on that host, and if not, exactly why not.

The public names load on first use, so that ``import nvreq`` (and the CLI) start fast.
"""

from __future__ import annotations

import importlib

from nvreq.errors import ImageError, InputError, InvalidRequirement, NvreqError, ProfileError

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from typing import Any

    from nvreq.capabilities import CapabilityResult, resolve_capabilities
    from nvreq.check import check_env
    from nvreq.compiled import CompiledRequirement, Result
    from nvreq.devices import DeviceSelection, resolve_devices
    from nvreq.diagnostics import Diagnostic, lint_requirement
    from nvreq.fleet import Fleet
    from nvreq.gpus_flag import DeviceRequest, apply_gpus_flag, parse_gpus_flag
    from nvreq.host import Gpu, HostProfile, Mig, MigDevice, RuntimeSettings
    from nvreq.kubernetes import node_affinity
    from nvreq.report import Report
    from nvreq.requirements import Alternative, Clause, Requirement, parse_requirement
    from nvreq.semantics import Context, Verdict, evaluate

__all__ = [
    "Alternative",
    "CapabilityResult",
    "Clause",
    "CompiledRequirement",
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
    "Fleet": "nvreq.fleet",
    "node_affinity": "nvreq.kubernetes",
    "Gpu": "nvreq.host",
    "HostProfile": "nvreq.host",
    "Mig": "nvreq.host",
    "MigDevice": "nvreq.host",
    "RuntimeSettings": "nvreq.host",
    "CapabilityResult": "nvreq.capabilities",
    "resolve_capabilities": "nvreq.capabilities",
    "DeviceSelection": "nvreq.devices",
    "resolve_devices": "nvreq.devices",
    "DeviceRequest": "nvreq.gpus_flag",
    "apply_gpus_flag": "nvreq.gpus_flag",
    "parse_gpus_flag": "nvreq.gpus_flag",
    "check_env": "nvreq.check",
    "CompiledRequirement": "nvreq.compiled",
    "Result": "nvreq.compiled",
    "Diagnostic": "nvreq.diagnostics",
    "lint_requirement": "nvreq.diagnostics",
    "Report": "nvreq.report",
    "Alternative": "nvreq.requirements",
    "Clause": "nvreq.requirements",
    "Requirement": "nvreq.requirements",
    "parse_requirement": "nvreq.requirements",
    "Context": "nvreq.semantics",
    "Verdict": "nvreq.semantics",
    "evaluate": "nvreq.semantics",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'nvreq' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
