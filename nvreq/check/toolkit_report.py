"""``check_env(semantics="toolkit")``: the toolkit's Go evaluator on the collected requirements."""

from __future__ import annotations

from nvreq._frozen import frozen
from nvreq.check.collection import HOOK_REQUIREMENTS_ERROR, Collected
from nvreq.check.report import VerdictName
from nvreq.devices.select import DeviceSelection
from nvreq.host.profile import Gpu, HostProfile
from nvreq.require.gosemver import Behaviour
from nvreq.require.toolkit import (
    NOT_MET,
    ToolkitVerdict,
    evaluate_toolkit,
    facts_for_comparison,
    facts_for_csv_host,
)
from nvreq.require.toolkit_diff import Disagreement, disagreements

__all__ = ["OUTSIDE_CSV", "ToolkitCheck", "check_toolkit"]

OUTSIDE_CSV = ("toolkit semantics outside CSV mode: for comparison only; on this host the runtime "
               "uses the cli evaluator")


@frozen
class ToolkitCheck:
    """The toolkit's part of a report: its verdict, messages, trace and disagreements.

    ``outcome`` is the verdict had the runtime checked; ``trace`` is None when collection failed
    before evaluation; ``disagreements`` are where cli and toolkit read the texts differently.
    """

    outcome: VerdictName
    runtime_message: str | None
    runtime_messages: tuple[str, ...]
    trace: ToolkitVerdict | None
    disagreements: tuple[Disagreement, ...]


def _first_gpu(selection: DeviceSelection) -> Gpu | None:
    if selection.gpus:
        return selection.gpus[0]
    if selection.mig_devices:
        return selection.mig_devices[0][0]
    return None


def check_toolkit(collected: Collected, host: HostProfile, selection: DeviceSelection,
                  behaviour: Behaviour) -> ToolkitCheck:
    """The Go evaluator's verdict on the collected requirements (the host's CSV facts in mode
    ``csv``, else the first selected GPU's, for comparison)."""
    csv = selection.mode == "csv"
    facts = facts_for_csv_host(host) if csv else facts_for_comparison(host, _first_gpu(selection))
    pairs = [(name, req.text) for name, req in collected.requirements]
    diffs = tuple(d for _, req in collected.requirements
                  for d in disagreements(req.text, behaviour=behaviour))
    if collected.error and not collected.disabled and selection.gpu_container:
        # the CSV modifier wraps the same error with ": " where the hook logs a space
        message = NOT_MET + collected.error.replace(f"{HOOK_REQUIREMENTS_ERROR} ",
                                                    "failed to get image requirements: ", 1)
        return ToolkitCheck("error", message, (message,), None, diffs)
    verdict = evaluate_toolkit(pairs, facts, behaviour=behaviour)
    messages: list[str] = []
    if verdict.message:
        messages.append(verdict.message)
        # the hook collects from a Go map: any failing requirement could be reported first
        for pair in pairs:
            alone = evaluate_toolkit([pair], facts, behaviour=behaviour)
            if alone.message and alone.message not in messages:
                messages.append(alone.message)
    return ToolkitCheck(verdict.result, verdict.message, tuple(messages), verdict, diffs)
