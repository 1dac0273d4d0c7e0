"""An environment against a host, as the runtime judges it: gate, collection, report, text and
advice."""

from __future__ import annotations

from nvreq._lazy import door

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.check.advice import Advice as Advice
    from nvreq.check.advice import advise as advise
    from nvreq.check.checker import (
        Gate as Gate,
    )
    from nvreq.check.checker import (
        check_env as check_env,
    )
    from nvreq.check.checker import (
        contexts_for as contexts_for,
    )
    from nvreq.check.checker import (
        gate as gate,
    )
    from nvreq.check.collect import (
        LEGACY_VARIABLE as LEGACY_VARIABLE,
    )
    from nvreq.check.collect import (
        MAX_REQUIREMENTS as MAX_REQUIREMENTS,
    )
    from nvreq.check.collect import (
        PREFIX as PREFIX,
    )
    from nvreq.check.collect import (
        Collected as Collected,
    )
    from nvreq.check.collect import (
        collect as collect,
    )
    from nvreq.check.collect import (
        environment as environment,
    )
    from nvreq.check.collect import (
        is_legacy_image as is_legacy_image,
    )
    from nvreq.check.collect import (
        parse_bool as parse_bool,
    )
    from nvreq.check.cuda_table import (
        BRANCHES as BRANCHES,
    )
    from nvreq.check.cuda_table import (
        Branch as Branch,
    )
    from nvreq.check.cuda_table import (
        min_driver_for_cuda as min_driver_for_cuda,
    )
    from nvreq.check.cuda_table import (
        mvc_min_driver as mvc_min_driver,
    )
    from nvreq.check.report import (
        Report as Report,
    )
    from nvreq.check.report import (
        RequirementResult as RequirementResult,
    )
    from nvreq.check.report import (
        VerdictName as VerdictName,
    )
    from nvreq.check.text import render as render
    from nvreq.check.toolkit_report import check_toolkit as check_toolkit

__all__ = [
    "BRANCHES",
    "LEGACY_VARIABLE",
    "MAX_REQUIREMENTS",
    "PREFIX",
    "Advice",
    "Branch",
    "Collected",
    "Gate",
    "Report",
    "RequirementResult",
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
    "Collected": "nvreq.check.collect",
    "Gate": "nvreq.check.checker",
    "LEGACY_VARIABLE": "nvreq.check.collect",
    "MAX_REQUIREMENTS": "nvreq.check.collect",
    "PREFIX": "nvreq.check.collect",
    "Report": "nvreq.check.report",
    "RequirementResult": "nvreq.check.report",
    "VerdictName": "nvreq.check.report",
    "advise": "nvreq.check.advice",
    "check_env": "nvreq.check.checker",
    "check_toolkit": "nvreq.check.toolkit_report",
    "collect": "nvreq.check.collect",
    "contexts_for": "nvreq.check.checker",
    "environment": "nvreq.check.collect",
    "gate": "nvreq.check.checker",
    "is_legacy_image": "nvreq.check.collect",
    "min_driver_for_cuda": "nvreq.check.cuda_table",
    "mvc_min_driver": "nvreq.check.cuda_table",
    "parse_bool": "nvreq.check.collect",
    "render": "nvreq.check.text",
}

__getattr__ = door("nvreq.check", _TABLE)
