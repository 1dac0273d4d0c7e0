"""An environment against a host, as the runtime judges it: gate, collection, report, text and
advice."""

from __future__ import annotations

from nvreq._lazy import door

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.check.advice import Advice, advise
    from nvreq.check.checker import Gate, check_env, contexts_for, gate
    from nvreq.check.collection import (
        LEGACY_VARIABLE,
        MAX_REQUIREMENTS,
        PREFIX,
        Collected,
        collect,
        environment,
        is_legacy_image,
    )
    from nvreq.check.cuda_table import BRANCHES, Branch, min_driver_for_cuda, mvc_min_driver
    from nvreq.check.report import Details, Report, RequirementResult, VerdictName
    from nvreq.check.text import Renderable, render
    from nvreq.check.toolkit_report import ToolkitCheck, check_toolkit
    from nvreq.formats.go_text import parse_bool

__all__ = [
    "BRANCHES",
    "LEGACY_VARIABLE",
    "MAX_REQUIREMENTS",
    "PREFIX",
    "Advice",
    "Branch",
    "Collected",
    "Details",
    "Gate",
    "Renderable",
    "Report",
    "RequirementResult",
    "ToolkitCheck",
    "VerdictName",
    "advise",
    "check_env",
    "check_toolkit",
    "collect",
    "contexts_for",
    "environment",
    "gate",
    "is_legacy_image",
    "min_driver_for_cuda",
    "mvc_min_driver",
    "parse_bool",
    "render",
]

_TABLE = {
    "Advice": "nvreq.check.advice",
    "BRANCHES": "nvreq.check.cuda_table",
    "Branch": "nvreq.check.cuda_table",
    "Collected": "nvreq.check.collection",
    "Details": "nvreq.check.report",
    "Gate": "nvreq.check.checker",
    "LEGACY_VARIABLE": "nvreq.check.collection",
    "MAX_REQUIREMENTS": "nvreq.check.collection",
    "PREFIX": "nvreq.check.collection",
    "Renderable": "nvreq.check.text",
    "Report": "nvreq.check.report",
    "RequirementResult": "nvreq.check.report",
    "ToolkitCheck": "nvreq.check.toolkit_report",
    "VerdictName": "nvreq.check.report",
    "advise": "nvreq.check.advice",
    "check_env": "nvreq.check.checker",
    "check_toolkit": "nvreq.check.toolkit_report",
    "collect": "nvreq.check.collection",
    "contexts_for": "nvreq.check.checker",
    "environment": "nvreq.check.collection",
    "gate": "nvreq.check.checker",
    "is_legacy_image": "nvreq.check.collection",
    "min_driver_for_cuda": "nvreq.check.cuda_table",
    "mvc_min_driver": "nvreq.check.cuda_table",
    "parse_bool": "nvreq.formats.go_text",
    "render": "nvreq.check.text",
}

__getattr__ = door("nvreq.check", _TABLE)
