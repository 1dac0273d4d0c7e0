"""``check_env(semantics="toolkit")``: the toolkit's Go evaluator turned into a ``Report``."""

from __future__ import annotations

import dataclasses
from typing import Any

from nvreq.check.collection import LEGACY_VARIABLE, Collected
from nvreq.check.report import Report, RequirementResult, VerdictName
from nvreq.devices.select import DeviceSelection
from nvreq.host.profile import HostProfile
from nvreq.require.toolkit import (
    NOT_MET,
    ToolkitVerdict,
    evaluate_toolkit,
    facts_for_comparison,
    facts_for_csv_host,
)
from nvreq.require.toolkit_diff import disagreements

__all__ = ["check_toolkit"]


def _first_gpu(selection: DeviceSelection) -> Any:
    if selection.gpus:
        return selection.gpus[0]
    if selection.mig_devices:
        return selection.mig_devices[0][0]
    return None


def _trace(verdict: ToolkitVerdict) -> dict[str, Any]:
    return {"result": verdict.result, "message": verdict.message,
            "facts": dataclasses.asdict(verdict.facts),
            "requirements": [dataclasses.asdict(r) for r in verdict.trace]}


def check_toolkit(collected: Collected, host: HostProfile, selection: DeviceSelection,
                  common: dict[str, Any]) -> Report:
    """Evaluate collected requirements the Go way (require.md §13) and report it."""
    behaviour = common["toolkit_behaviour"]
    csv = common["mode"] == "csv"
    facts = facts_for_csv_host(host) if csv else facts_for_comparison(host, _first_gpu(selection))
    pairs = [(name, req.text) for name, req in collected.requirements]
    results = tuple(RequirementResult(n, r, n == LEGACY_VARIABLE)
                    for n, r in collected.requirements)
    warnings = list(common["warnings"])
    if not csv:
        warnings.append("toolkit semantics outside CSV mode: for comparison only; on this host "
                        "the runtime uses the cli evaluator")
    diffs = [d for _, req in collected.requirements
             for d in disagreements(req.text, behaviour=behaviour)]
    extra: dict[str, Any] = {**common.get("extra", {}), "disagreements": [
        {"row": d.row, "topic": d.topic, "text": d.text, "span": list(d.span), "cli": d.cli,
         "toolkit": d.toolkit} for d in diffs]}
    base = {**common, "requirements": results, "warnings": tuple(warnings)}
    base.pop("extra", None)
    if collected.error and not collected.disabled and selection.gpu_container:
        message = NOT_MET + collected.error.replace("failed to get requirements",
                                                    "failed to get image requirements", 1)
        return Report("error", runtime_message=message, runtime_messages=(message,),
                      extra=extra, **base)
    verdict = evaluate_toolkit(pairs, facts, behaviour=behaviour)
    extra["toolkit"] = _trace(verdict)
    messages: list[str] = []
    if verdict.message:
        messages.append(verdict.message)
        # the hook collects from a Go map: any failing requirement could be reported first
        for pair in pairs:
            alone = evaluate_toolkit([pair], facts, behaviour=behaviour)
            if alone.message and alone.message not in messages:
                messages.append(alone.message)
    outcome: VerdictName = verdict.result
    fields: dict[str, Any] = {**base, "runtime_message": verdict.message,
                              "runtime_messages": tuple(messages),
                              "order_dependent": len(messages) > 1, "extra": extra}
    return Report.decided(outcome, disabled=collected.disabled, **fields)
