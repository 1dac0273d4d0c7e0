"""The result of checking an environment against a host: one typed value, and its JSON form.

``to_dict`` is the one JSON schema (``nvreq check --json``); the text form is rendered from the
report by ``nvreq.check.text``.
"""

from __future__ import annotations

import json

from nvreq._frozen import field, frozen, replace
from nvreq._lazy import literal_aliases
from nvreq._memo import Deferred, Memo
from nvreq.require.lint import byte_span

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from typing import Any, Literal

    from nvreq.check.advice import Advice
    from nvreq.devices.capabilities import CapabilityResult
    from nvreq.devices.select import DeviceSelection
    from nvreq.host.profile import HostProfile
    from nvreq.images.info import ImageInfo
    from nvreq.require.lint import Diagnostic
    from nvreq.require.semantics import AlternativeOutcome, Verdict
    from nvreq.require.syntax import Requirement
    from nvreq.require.toolkit import ToolkitVerdict
    from nvreq.require.toolkit_diff import Disagreement

    VerdictName = Literal["satisfied", "unsatisfied", "error", "not-checked"]
    #: per requirement text, per alternative: text, byte span, and per clause: text, key, span
    _Shape = tuple[tuple[str, int, int, tuple[tuple[str, str, int, int], ...]], ...]
    #: per alternative: its dict with ``span`` and ``clauses`` to fill, its span, and per clause
    #: its dict with ``span`` to fill and its span
    _Template = list[tuple[dict[str, Any], int, int, list[tuple[dict[str, Any], int, int]]]]
else:
    __getattr__ = literal_aliases(__name__, {
        "VerdictName": ("satisfied", "unsatisfied", "error", "not-checked")})

__all__ = ["Details", "Report", "RequirementResult", "VerdictName"]

@frozen
class RequirementResult:
    """One collected requirement and its verdict in each context it was evaluated in."""

    variable: str
    requirement: Requirement
    synthesized: bool = False
    verdicts: tuple[Verdict, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON form: per context, per alternative, per clause."""
        return _requirement_dict(self, {}, {})


@frozen
class Details:
    """The parts of a report that explain the verdict rather than decide it."""

    requirements: tuple[RequirementResult, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    advice: tuple[Advice, ...] = ()
    assumed: bool = False
    #: the JSON of each distinct evaluation, as templates to copy (see ``_alternatives``)
    _json: dict[int, _Template] = field(default_factory=dict, init=False, compare=False,
                                        repr=False)


_NO_DETAILS: Deferred[Details] = Deferred.of(Details())


@frozen
class Report:
    """Everything nvreq found: the verdict the runtime would reach, why, and what would help.

    ``bool(report)`` is True when the container would start: ``satisfied`` or ``not-checked``.
    The verdict and the runtime's messages are decided when the report is made; ``requirements``,
    ``diagnostics``, ``advice`` and ``assumed`` (the explanation) are worked out when first read.
    """

    verdict: VerdictName
    host: HostProfile
    reason: str | None = None
    runtime_message: str | None = None
    runtime_messages: tuple[str, ...] = ()
    order_dependent: bool = False
    enforced: bool = True
    would_be: str | None = None
    semantics: str = "cli"
    toolkit_behaviour: str = "newest"
    mode: str = "legacy"
    failed_gpu: str | None = None
    gpu_container: bool = True
    requested: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    capabilities: tuple[str, ...] | None = None
    warnings: tuple[str, ...] = ()
    selection: DeviceSelection | None = None
    capability_details: CapabilityResult | None = None
    #: where cli and toolkit read the text differently; None unless toolkit semantics
    disagreements: tuple[Disagreement, ...] | None = None
    #: the Go evaluator's trace; None unless toolkit semantics reached evaluation
    toolkit: ToolkitVerdict | None = None
    #: the image the environment came from, when it came from one
    image: ImageInfo | None = None
    details: Deferred[Details] = field(default=_NO_DETAILS, repr=False)

    def __bool__(self) -> bool:
        return self.verdict in ("satisfied", "not-checked")

    @classmethod
    def decided(cls, outcome: VerdictName, *, disabled: bool, gpu_container: bool,
                **fields: Any) -> Report:
        """``outcome`` if the runtime checks, else ``not-checked`` (see ``unless_unchecked``)."""
        return cls(outcome, gpu_container=gpu_container, **fields).unless_unchecked(
            disabled=disabled)

    def unless_unchecked(self, *, disabled: bool) -> Report:
        """This report if the runtime checks; else ``not-checked``, with this verdict as
        ``would_be`` (``disabled``: the check is turned off; else no GPU is requested).

        When it does not check, the runtime prints nothing: ``runtime_message`` is None and
        ``runtime_messages`` keeps what it would have printed.
        """
        if not disabled and self.gpu_container:
            return self
        return replace(self, verdict="not-checked", would_be=self.verdict,
                                   reason="disabled" if disabled else "no-devices",
                                   runtime_message=None)

    @property
    def requirements(self) -> tuple[RequirementResult, ...]:
        """Each collected requirement with its verdict per GPU."""
        return self.details.get().requirements

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """Every problem in every expression, and in the environment."""
        return self.details.get().diagnostics

    @property
    def advice(self) -> tuple[Advice, ...]:
        """What would make the image pass, and which compatibility applies."""
        return self.details.get().advice

    @property
    def assumed(self) -> bool:
        """True when an evaluated clause read a fact the profile does not know."""
        return self.details.get().assumed

    @property
    def exit_code(self) -> int:
        """0 satisfied or not checked, 1 unsatisfied, 2 error."""
        return {"satisfied": 0, "not-checked": 0, "unsatisfied": 1}.get(self.verdict, 2)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object ``nvreq check --json`` prints (every key is in ``docs/check.md``).

        Evaluations on GPUs with the same facts share one ``alternatives`` list.
        """
        details = self.details.get()
        selection, caps = self.selection, self.capability_details
        shared: dict[int, list[dict[str, Any]]] = {}
        out: dict[str, Any] = {
            "verdict": self.verdict,
            "reason": self.reason,
            "would_be": self.would_be,
            "runtime_message": self.runtime_message,
            "runtime_messages": list(self.runtime_messages),
            "order_dependent": self.order_dependent,
            "enforced": self.enforced,
            "assumed": details.assumed,
            "semantics": self.semantics,
            "toolkit_behaviour": self.toolkit_behaviour,
            "mode": self.mode,
            "gpu_container": self.gpu_container,
            "requested": list(self.requested),
            "devices": list(self.devices),
            "capabilities": None if self.capabilities is None else list(self.capabilities),
            "failed_gpu": self.failed_gpu,
            "requirements": [_requirement_dict(r, shared, details._json)
                             for r in details.requirements],
            "diagnostics": [d.to_dict() for d in details.diagnostics],
            "warnings": list(self.warnings),
            "advice": [a.to_dict() for a in details.advice],
            "host": self.host.to_dict() if hasattr(self.host, "to_dict") else None,
            "selection": None if selection is None else selection.to_dict(),
            "capability_details": None if caps is None else caps.to_dict(),
        }
        if self.disagreements is not None:
            out["disagreements"] = [
                {"row": d.row, "topic": d.topic, "text": d.text, "span": list(d.span),
                 "cli": d.cli, "toolkit": d.toolkit} for d in self.disagreements]
        if self.toolkit is not None:
            import dataclasses  # the toolkit's trace values are dataclasses

            trace = self.toolkit
            out["toolkit"] = {"result": trace.result, "message": trace.message,
                              "facts": dataclasses.asdict(trace.facts),
                              "requirements": [dataclasses.asdict(r) for r in trace.trace]}
        if self.image is not None:
            out["image"] = self.image.to_dict()
        return out

    def to_json(self, indent: int | None = 2) -> str:
        """``to_dict`` as JSON text."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False)

    def explain(self) -> str:
        """A human-readable account of the verdict (see ``nvreq.check.text``)."""
        from nvreq.check.text import render

        return render(self)


_SHAPES: Memo[str, _Shape] = Memo(1024)


def _shape(requirement: Requirement) -> _Shape:
    """What the JSON says of a requirement whatever the host: its alternatives and clauses."""
    text = requirement.text
    found = _SHAPES.get(text)
    if found is None:
        found = _SHAPES.put(text, tuple(
            (str(alt), *byte_span(text, *alt.span),
             tuple((str(c), c.name, *byte_span(text, *c.span)) for c in alt.clauses))
            for alt in requirement.alternatives))
    return found


def _template(shape: _Shape, outcomes: tuple[AlternativeOutcome, ...]) -> _Template:
    out: _Template = []
    for (text, start, end, clauses), alt in zip(shape, outcomes, strict=True):
        status = alt.status
        out.append(({"text": text, "span": None, "status": status,
                     "kind": alt.kind if status == "satisfied" else None, "clauses": None},
                    start, end,
                    [({"clause": ctext, "key": key, "span": None, "outcome": c.status,
                       "actual": c.actual, "assumed": c.assumed, "reason": c.reason}, cstart, cend)
                     for (ctext, key, cstart, cend), c in zip(clauses, alt.clauses, strict=True)]))
    return out


def _alternatives(template: _Template) -> list[dict[str, Any]]:
    """A fresh copy of an evaluation's alternatives: copying a flat dict of immutable values
    costs half of building it."""
    out = []
    for head, start, end, clauses in template:
        alt = head.copy()
        alt["span"] = [start, end]
        copies = []
        for model, cstart, cend in clauses:
            clause = model.copy()
            clause["span"] = [cstart, cend]
            copies.append(clause)
        alt["clauses"] = copies
        out.append(alt)
    return out


def _requirement_dict(result: RequirementResult, shared: dict[int, list[dict[str, Any]]],
                      templates: dict[int, _Template]) -> dict[str, Any]:
    """``RequirementResult.to_dict``; evaluations with one outcome share its list in ``shared``
    (keyed by the identity of the outcomes, which the result keeps alive)."""
    evaluations = []
    for verdict in result.verdicts:
        ctx = verdict.context
        key = id(verdict.alternatives)
        alternatives = shared.get(key)
        if alternatives is None:
            template = templates.get(key)
            if template is None:
                template = templates[key] = _template(_shape(result.requirement),
                                                      verdict.alternatives)
            alternatives = shared[key] = _alternatives(template)
        evaluations.append({
            "gpu": ctx.gpu, "outcome": verdict.result, "message": verdict.message,
            "host": {"cuda": ctx.cuda, "driver": ctx.driver,
                     "arch": ctx.arch if ctx.device else None,
                     "brand": ctx.brand if ctx.device else None},
            "alternatives": alternatives,
        })
    return {"variable": result.variable, "value": result.requirement.text,
            "synthesized": result.synthesized, "evaluations": evaluations}
