"""The result of checking an environment against a host, and its JSON and text forms."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Literal

from nvreq.check.advice import Advice
from nvreq.host.profile import HostProfile
from nvreq.require.lint import Diagnostic, byte_span
from nvreq.require.semantics import Verdict
from nvreq.require.syntax import Requirement

__all__ = ["Report", "RequirementResult", "VerdictName"]

VerdictName = Literal["satisfied", "unsatisfied", "error", "not-checked"]


@dataclass(frozen=True, slots=True)
class RequirementResult:
    """One collected requirement and its verdict in each context it was evaluated in."""

    variable: str
    requirement: Requirement
    synthesized: bool = False
    verdicts: tuple[Verdict, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form: per context, per alternative, per clause."""
        text = self.requirement.text
        return {
            "variable": self.variable,
            "value": text,
            "synthesized": self.synthesized,
            "evaluations": [_verdict_dict(v, text) for v in self.verdicts],
        }


def _verdict_dict(verdict: Verdict, text: str) -> dict[str, Any]:
    ctx = verdict.context
    return {
        "gpu": ctx.gpu,
        "outcome": verdict.result,
        "message": verdict.message,
        "host": {"cuda": ctx.cuda, "driver": ctx.driver, "arch": ctx.arch if ctx.device else None,
                 "brand": ctx.brand if ctx.device else None},
        "alternatives": [
            {
                "text": str(alt.alternative),
                "span": list(byte_span(text, *alt.alternative.span)),
                "status": alt.status,
                "kind": alt.kind,
                "clauses": [
                    {"clause": str(c.clause), "key": c.clause.name,
                     "span": list(byte_span(text, *c.clause.span)), "outcome": c.status,
                     "actual": c.actual, "assumed": c.assumed, "reason": c.reason}
                    for c in alt.clauses
                ],
            }
            for alt in verdict.alternatives
        ],
    }


@dataclass(frozen=True, slots=True)
class Report:
    """Everything nvreq found: the verdict the runtime would reach, why, and what would help.

    ``bool(report)`` is True when the container would start: ``satisfied`` or ``not-checked``.
    """

    verdict: VerdictName
    host: HostProfile
    reason: str | None = None
    runtime_message: str | None = None
    runtime_messages: tuple[str, ...] = ()
    order_dependent: bool = False
    enforced: bool = True
    assumed: bool = False
    would_be: str | None = None
    semantics: str = "cli"
    toolkit_behaviour: str = "newest"
    mode: str = "legacy"
    failed_gpu: str | None = None
    requirements: tuple[RequirementResult, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    warnings: tuple[str, ...] = ()
    advice: tuple[Advice, ...] = ()
    gpu_container: bool = True
    requested: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    capabilities: tuple[str, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    device_table: tuple[tuple[str, ...], ...] = field(default=(), compare=False, repr=False)

    def __bool__(self) -> bool:
        return self.verdict in ("satisfied", "not-checked")

    @classmethod
    def decided(cls, outcome: VerdictName, *, disabled: bool, gpu_container: bool,
                **fields: Any) -> Report:
        """``outcome`` if the runtime checks, else ``not-checked`` with what it would have been.

        When it does not check, the runtime prints nothing: ``runtime_message`` is None and
        ``runtime_messages`` keeps what it would have printed.
        """
        if disabled or not gpu_container:
            fields["runtime_message"] = None
            reason = "disabled" if disabled else "no-devices"
            return cls("not-checked", reason=reason, would_be=outcome,
                       gpu_container=gpu_container, **fields)
        return cls(outcome, gpu_container=gpu_container, **fields)

    @property
    def exit_code(self) -> int:
        """0 satisfied or not checked, 1 unsatisfied, 2 error."""
        return {"satisfied": 0, "not-checked": 0, "unsatisfied": 1}.get(self.verdict, 2)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``nvreq check --json`` prints."""
        out: dict[str, Any] = {
            "verdict": self.verdict,
            "reason": self.reason,
            "would_be": self.would_be,
            "runtime_message": self.runtime_message,
            "runtime_messages": list(self.runtime_messages),
            "order_dependent": self.order_dependent,
            "enforced": self.enforced,
            "assumed": self.assumed,
            "semantics": self.semantics,
            "toolkit_behaviour": self.toolkit_behaviour,
            "mode": self.mode,
            "gpu_container": self.gpu_container,
            "requested": list(self.requested),
            "devices": list(self.devices),
            "capabilities": None if self.capabilities is None else list(self.capabilities),
            "failed_gpu": self.failed_gpu,
            "requirements": [r.to_dict() for r in self.requirements],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "warnings": list(self.warnings),
            "advice": [a.to_dict() for a in self.advice],
            "host": self.host.to_dict() if hasattr(self.host, "to_dict") else None,
        }
        out.update(self.extra)
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """``to_dict`` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def explain(self) -> str:
        """A human-readable account of the verdict (see ``nvreq.check.text``)."""
        from nvreq.check.text import render

        return render(self)
