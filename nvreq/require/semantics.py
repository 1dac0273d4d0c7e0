"""libnvidia-container's evaluation of one requirement in one context, explaining itself.

``evaluate`` follows libnvidia-container's evaluation step by step and keeps every clause's
outcome with the host value it was compared with; ``compiled`` is the fast form held equal to it
by tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from nvreq._frozen import frozen
from nvreq._lazy import literal_aliases
from nvreq.brands import brand_name_pre_1_9
from nvreq.require.syntax import INVALID_ANYWHERE, Alternative, Clause, Requirement
from nvreq.require.versions import compare_versions, utf8, version_at_least

__all__ = [
    "INVALID_EXPRESSION",
    "OPERATOR_TABLE",
    "UPDATE_HINT",
    "AlternativeOutcome",
    "ClauseOutcome",
    "Context",
    "Decision",
    "Verdict",
    "evaluate",
    "evaluate_clause",
    "unsatisfied_message",
]

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from typing import Literal

    Unknown = Literal["assume", "fail"]
    ClauseStatus = Literal["true", "false", "invalid", "not-reached"]
    AltStatus = Literal["satisfied", "unsatisfied", "error", "not-reached", "empty", "stop"]
    #: what an evaluation decides (the explaining and the Go evaluator alike)
    Decision = Literal["satisfied", "unsatisfied", "error"]
else:
    __getattr__ = literal_aliases(__name__, {
        "Unknown": ("assume", "fail"),
        "ClauseStatus": ("true", "false", "invalid", "not-reached"),
        "AltStatus": ("satisfied", "unsatisfied", "error", "not-reached", "empty", "stop"),
        "Decision": ("satisfied", "unsatisfied", "error"),
    })

INVALID_EXPRESSION = "requirement error: invalid expression"
UPDATE_HINT = ", please update your driver to a newer version, or use an earlier cuda container"


def unsatisfied_message(requirement: Requirement | str) -> str:
    """The runtime's text for a false requirement: its first segment verbatim, plus a hint.

    >>> print(unsatisfied_message("cuda>=12.5 brand=tesla,driver>=535"))  # doctest: +ELLIPSIS
    requirement error: unsatisfied condition: cuda>=12.5, please update your driver to a newer ...
    """
    first = str(requirement).split(" ", 1)[0]
    message = f"requirement error: unsatisfied condition: {first}"
    return message + UPDATE_HINT if first.startswith("cuda>=") else message


@frozen
class Context:
    """What one evaluation compares with: the host's cuda and driver, and one GPU or none.

    ``device`` is False for the global pass (no GPU selected), where ``arch`` and ``brand`` hold.
    ``gpu`` names the GPU in reports (its host index, or ``"0:1"`` for a MIG device's parent).
    """

    cuda: str | None
    driver: str | None
    device: bool = False
    arch: str | None = None
    brand: str | None = None
    gpu: str | None = None
    unknown: Unknown = "assume"

    @classmethod
    def for_gpu(cls, cuda: str | None, driver: str | None, arch: str | None, brand: str | None,
                *, gpu: str | None = None, unknown: Unknown = "assume",
                toolkit_version: str | None = None) -> Context:
        """A per-GPU context; brands from enum 7 up read ``Unknown`` before toolkit 1.9.0."""
        if brand is not None and not version_at_least(toolkit_version, 1, 9):
            brand = brand_name_pre_1_9(brand) or brand
        return cls(cuda, driver, True, arch, brand, gpu, unknown)


@frozen
class ClauseOutcome:
    """One clause's outcome, with the host value it was compared with."""

    clause: Clause
    status: ClauseStatus
    actual: str | None = None
    assumed: bool = False
    reason: str | None = None

    def __bool__(self) -> bool:
        return self.status == "true"


@frozen
class AlternativeOutcome:
    """One segment's outcome; ``kind`` says how a satisfied term matched."""

    alternative: Alternative
    status: AltStatus
    clauses: tuple[ClauseOutcome, ...] = ()

    @property
    def kind(self) -> Literal["native", "driver-branch"] | None:
        """``driver-branch`` for a satisfied term with a brand clause or a driver upper bound."""
        if self.status != "satisfied":
            return None
        for c in self.alternative.clauses:
            if c.name == "brand" or (c.name == "driver" and c.operator in ("<", "<=")):
                return "driver-branch"
        return "native"


@frozen
class Verdict:
    """A requirement evaluated in one context; truthiness is the verdict."""

    requirement: Requirement
    context: Context
    result: Decision
    alternatives: tuple[AlternativeOutcome, ...]

    def __bool__(self) -> bool:
        return self.result == "satisfied"

    @property
    def message(self) -> str | None:
        """The runtime's message for this outcome, None when satisfied."""
        if self.result == "error":
            return INVALID_EXPRESSION
        if self.result == "unsatisfied":
            return unsatisfied_message(self.requirement)
        return None

    @property
    def assumed(self) -> bool:
        """True when an evaluated clause read a fact the profile does not know."""
        return any(c.assumed for a in self.alternatives for c in a.clauses)

    @property
    def failing_clause(self) -> ClauseOutcome | None:
        """The invalid clause for ``error``, else the last false clause evaluated."""
        evaluated = [c for a in self.alternatives for c in a.clauses if c.status != "not-reached"]
        if self.result == "error":
            return next(c for c in evaluated if c.status == "invalid")
        falses = [c for c in evaluated if c.status == "false"]
        return falses[-1] if falses and self.result == "unsatisfied" else None


#: libnvidia-container's operators: whether each holds when the host's value is below, equal to
#: or above the required one (index ``cmp + 1`` for a comparison ``cmp`` of -1, 0 or 1). The
#: explaining and the compiled evaluator both read it; the toolkit's Go evaluator has its own
#: rules, in ``require.toolkit``.
OPERATOR_TABLE: Mapping[str, tuple[bool, bool, bool]] = MappingProxyType({
    "=": (False, True, False), "!=": (True, False, True),
    "<": (True, False, False), "<=": (True, True, False),
    ">": (False, False, True), ">=": (False, True, True),
})


def _host_value(clause: Clause, ctx: Context) -> tuple[bool, str | None]:
    """(applies, value): ``applies`` is False where the rule holds without comparing."""
    name = clause.name
    if name == "cuda":
        return True, ctx.cuda
    if name == "driver":
        return True, ctx.driver
    if not ctx.device:
        return False, None
    return True, ctx.arch if name == "arch" else ctx.brand


def evaluate_clause(clause: Clause, ctx: Context) -> ClauseOutcome:
    """Evaluate one clause the way the runtime's rule for its key does."""
    problem = clause.problem
    if problem in INVALID_ANYWHERE:
        return ClauseOutcome(clause, "invalid", reason=problem)
    applies, actual = _host_value(clause, ctx)
    if not applies:
        return ClauseOutcome(clause, "true", reason="no-device")
    if actual is None:
        holds = ctx.unknown == "assume"
        return ClauseOutcome(clause, "true" if holds else "false", None, True, "unknown")
    op = clause.operator or ""
    if clause.name == "brand":
        if op not in ("=", "!="):
            return ClauseOutcome(clause, "invalid", actual, reason="brand-ordering")
        equal = utf8(actual).lower() == utf8(clause.value).lower()  # ASCII-only folding
        holds = equal if op == "=" else not equal
    else:
        cmp = compare_versions(actual, clause.value)
        if cmp is None:
            return ClauseOutcome(clause, "invalid", actual, reason="bad-version")
        holds = OPERATOR_TABLE[op][cmp + 1]
    if not holds and clause.is_long:
        return ClauseOutcome(clause, "invalid", actual, reason="long-clause")
    return ClauseOutcome(clause, "true" if holds else "false", actual)


def _not_reached(alt: Alternative) -> AlternativeOutcome:
    return AlternativeOutcome(alt, "not-reached",
                              tuple(ClauseOutcome(c, "not-reached") for c in alt.clauses))


def evaluate(requirement: Requirement, ctx: Context) -> Verdict:
    """Evaluate ``requirement`` in ``ctx`` exactly as libnvidia-container does.

    >>> from nvreq.require.syntax import parse_requirement
    >>> v = evaluate(parse_requirement("cuda>=12.5"), Context(cuda="12.4", driver="550.54.15"))
    >>> bool(v), v.alternatives[0].clauses[0].actual
    (False, '12.4')
    """
    last = True
    outcomes: list[AlternativeOutcome] = []
    alternatives = requirement.alternatives
    result: Decision | None = None
    for pos, alt in enumerate(alternatives):
        if alt.is_empty:
            outcomes.append(AlternativeOutcome(alt, "empty"))
            continue
        if alt.is_comma_only:
            outcomes.append(AlternativeOutcome(alt, "stop"))
            result = "satisfied" if last else "unsatisfied"
            outcomes.extend(_not_reached(a) for a in alternatives[pos + 1:])
            break
        clauses: list[ClauseOutcome] = []
        failed = False
        for clause in alt.clauses:
            if failed or result == "error":
                clauses.append(ClauseOutcome(clause, "not-reached"))
                continue
            outcome = evaluate_clause(clause, ctx)
            clauses.append(outcome)
            if outcome.status == "invalid":
                result = "error"
            elif outcome.status == "false":
                last = False
                failed = True
            else:
                last = True
        if result == "error":
            outcomes.append(AlternativeOutcome(alt, "error", tuple(clauses)))
            outcomes.extend(_not_reached(a) for a in alternatives[pos + 1:])
            break
        outcomes.append(AlternativeOutcome(alt, "unsatisfied" if failed else "satisfied",
                                           tuple(clauses)))
        if not failed:
            result = "satisfied"
            outcomes.extend(_not_reached(a) for a in alternatives[pos + 1:])
            break
    if result is None:
        result = "satisfied" if last else "unsatisfied"
    return Verdict(requirement, ctx, result, tuple(outcomes))
