"""The toolkit's Go evaluator (``semantics="toolkit"``), explaining itself.

In CSV mode (Jetson) the runtime checks ``NVIDIA_REQUIRE_*`` with nvidia-container-toolkit's Go
package internal/requirements/constraints, not with libnvidia-container. ``evaluate_toolkit``
follows its factory.go (parse everything first), logical.go (AND/OR, stopping early) and binary.go
/ property.go (one comparison) step by step, keeping each clause's outcome and host value.
``nvreq.require.toolkit_diff`` lists where it and the ``cli`` evaluator disagree on one expression.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import TYPE_CHECKING, Literal

from nvreq._frozen import field, frozen, replace
from nvreq.formats.go_text import GO_SPACE
from nvreq.require.gosemver import Behaviour, SemverError, compare, is_valid, parse
from nvreq.require.semantics import Context, Decision
from nvreq.require.syntax import KEYS, ascii_lower

if TYPE_CHECKING:
    from nvreq.host.profile import Gpu, HostProfile

__all__ = [
    "NOT_MET",
    "DroppedClause",
    "RequirementOutcome",
    "TermOutcome",
    "ToolkitClause",
    "ToolkitClauseOutcome",
    "ToolkitFacts",
    "ToolkitVerdict",
    "evaluate_toolkit",
    "facts_for_comparison",
    "facts_for_csv_host",
    "parse_clause",
]

ClauseStatus = Literal["true", "false", "error", "invalid", "not-reached"]
TermStatus = Literal["met", "not-met", "error", "not-reached", "dropped"]
RequirementStatus = Literal["satisfied", "unsatisfied", "error", "ignored", "not-reached"]
DropReason = Literal["blank", "empty-key", "key-case", "unknown-key"]

#: CSV mode wraps every message in this (internal/modifier/csv.go)
NOT_MET = "requirements not met: "
#: the Go evaluator's own operator table (not OPERATOR_TABLE): factory.go tries the operators in
#: this order, and the first that prefixes the rest wins
_GO_OPERATORS = ("!=", "<=", ">=", "=", "<", ">")


def _go_blank(text: str) -> bool:
    return not text.strip(GO_SPACE)


@frozen
class ToolkitFacts:
    """The four properties the Go evaluator compares with; None is a property never set ("")."""

    cuda: str | None = None
    driver: str | None = None
    arch: str | None = None
    brand: str | None = None


def facts_for_csv_host(host: HostProfile) -> ToolkitFacts:
    """CSV mode: cuda, and the arch of CUDA device 0 only; driver and brand stay unset."""
    first = min(host.gpus, key=lambda g: g.index, default=None)
    return ToolkitFacts(cuda=host.cuda, arch=first.arch if first is not None else None)


def facts_for_comparison(host: HostProfile, first_gpu: Gpu | None) -> ToolkitFacts:
    """Outside CSV mode, for comparison only: all four properties.

    cuda and driver come from the host; arch and brand from the first selected GPU, or stay unset
    when none is selected. The brand is spelled as libnvidia-container reports it.
    """
    if first_gpu is None:
        return ToolkitFacts(cuda=host.cuda, driver=host.driver)
    ctx = Context.for_gpu(host.cuda, host.driver, first_gpu.arch, first_gpu.brand,
                          toolkit_version=host.runtime.toolkit_version)
    return ToolkitFacts(cuda=host.cuda, driver=host.driver, arch=ctx.arch, brand=ctx.brand)


@frozen
class ToolkitClause:
    """``key operator value`` as factory.go splits it: ``op`` is one of the six, or empty."""

    key: str
    op: str
    value: str
    span: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.key}{self.op}{self.value}"


@frozen
class DroppedClause:
    """A clause the Go parser skips without a word: blank, or a key it does not know exactly."""

    text: str
    why: DropReason
    span: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)


@frozen
class ToolkitClauseOutcome:
    """One kept clause: ``invalid`` failed at parse, ``error`` at evaluation (``reason`` says why).

    ``actual`` is the host value compared with; None means the property was never set, which the
    runtime reads as the empty string.
    """

    clause: ToolkitClause
    status: ClauseStatus
    actual: str | None = None
    reason: str | None = None

    def __bool__(self) -> bool:
        return self.status == "true"

    @property
    def message(self) -> str | None:
        """What the runtime reports when this clause decides the outcome."""
        if self.status == "false":
            return f"unsatisfied condition: {self.clause} ({self.clause.key}={self.actual or ''})"
        return self.reason


@frozen
class TermOutcome:
    """One space-separated term: an AND of its kept clauses; ``dropped`` when none was kept."""

    text: str
    status: TermStatus
    clauses: tuple[ToolkitClauseOutcome, ...] = ()
    dropped: tuple[DroppedClause, ...] = ()
    span: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)

    @property
    def constraint(self) -> str:
        """The term as Go prints it inside an OR: kept clauses joined by ``&&``."""
        return "&&".join(str(c.clause) for c in self.clauses)

    @property
    def message(self) -> str | None:
        """The message of the clause that failed, if any."""
        return next((c.message for c in self.clauses if c.status in ("false", "error")), None)


@frozen
class RequirementOutcome:
    """One variable's value: an OR of its terms; ``message`` is its failure text."""

    variable: str
    text: str
    status: RequirementStatus
    terms: tuple[TermOutcome, ...] = ()
    message: str | None = None

    @property
    def kept(self) -> tuple[TermOutcome, ...]:
        """The terms that did not disappear."""
        return tuple(t for t in self.terms if t.status != "dropped")


@frozen
class ToolkitVerdict:
    """Requirements evaluated the Go way; truthiness is the verdict."""

    result: Decision
    message: str | None
    trace: tuple[RequirementOutcome, ...]
    facts: ToolkitFacts
    behaviour: Behaviour

    def __bool__(self) -> bool:
        return self.result == "satisfied"

    @property
    def failing(self) -> RequirementOutcome | None:
        """The requirement whose failure the runtime reports."""
        return next((r for r in self.trace if r.status in ("unsatisfied", "error")), None)


def _validate(value: str, behaviour: Behaviour) -> str | None:
    """versionProperty.Validate: the parse-time error text for a required version, or None."""
    if behaviour == "1.20":
        if is_valid(value, "1.20"):
            return None
        return f"invailid value {value}; expected a valid version string"  # sic
    try:
        parse(value)
    except SemverError as exc:
        return f"invalid version string: {exc.reason}"
    return None


def parse_clause(piece: str, behaviour: Behaviour = "newest", *,
                 span: tuple[int, int] = (0, 0)) -> ToolkitClauseOutcome | DroppedClause | None:
    """factory.parse on one comma-separated piece: a kept clause, a dropped one, or None if empty.

    >>> parse_clause("brand==tesla").clause
    ToolkitClause(key='brand', op='=', value='=tesla')
    >>> parse_clause("CUDA>=12.4").why, parse_clause("cuda12.4").reason
    ('key-case', 'invalid constraint: cuda12.4')
    """
    if _go_blank(piece):
        return DroppedClause(piece, "blank", span) if piece else None
    end = next((i for i, ch in enumerate(piece) if ch in "<>=!"), -1)
    if end < 0:
        return ToolkitClauseOutcome(ToolkitClause(piece, "", "", span), "invalid",
                                    reason=f"invalid constraint: {piece}")
    key, rest = piece[:end], piece[end:]
    if key not in KEYS:
        why: DropReason = "empty-key" if not key else \
            "key-case" if ascii_lower(key) in KEYS else "unknown-key"
        return DroppedClause(piece, why, span)
    op = next((o for o in _GO_OPERATORS if rest.startswith(o)), "")
    clause = ToolkitClause(key, op, rest[len(op):], span)
    reason = None if key == "brand" else _validate(clause.value, behaviour)
    return ToolkitClauseOutcome(clause, "not-reached" if reason is None else "invalid",
                                reason=reason)


@functools.lru_cache(maxsize=256)
def _parse_requirement(variable: str, text: str, behaviour: Behaviour) -> RequirementOutcome:
    """factory.go's parse of one requirement; host-independent, so cached for fleets."""
    if _go_blank(text):
        return RequirementOutcome(variable, text, "ignored")
    terms: list[TermOutcome] = []
    pos = 0
    for term in text.split(" "):  # the untrimmed requirement
        kept: list[ToolkitClauseOutcome] = []
        dropped: list[DroppedClause] = []
        p = pos
        for piece in term.split(","):
            parsed = parse_clause(piece, behaviour, span=(p, p + len(piece)))
            if isinstance(parsed, DroppedClause):
                dropped.append(parsed)
            elif parsed is not None:
                kept.append(parsed)
            p += len(piece) + 1
        status: TermStatus = "not-reached" if kept else "dropped"
        terms.append(TermOutcome(term, status, tuple(kept), tuple(dropped), (pos, pos + len(term))))
        pos += len(term) + 1
    alive = any(t.clauses for t in terms)
    return RequirementOutcome(variable, text, "not-reached" if alive else "ignored", tuple(terms))


def _ordered(op: str, cmp: int) -> bool | None:
    return {"=": cmp == 0, "!=": cmp != 0, "<": cmp < 0, "<=": cmp <= 0, ">": cmp > 0,
            ">=": cmp >= 0}.get(op)


def _compare_version(key: str, host: str, required: str, behaviour: Behaviour) -> int | str:
    """versionProperty.CompareTo: -1, 0 or 1, or the evaluation error's text."""
    wanted = parse(required, behaviour)  # validated at parse
    try:
        current = parse(host, behaviour)
    except SemverError as exc:
        if behaviour == "1.20":
            return -1  # x/mod/semver: an invalid version sorts below every valid one
        return f"invalid value for {key}: {exc.reason}"
    return compare(current, wanted, behaviour)


def _evaluate_clause(outcome: ToolkitClauseOutcome, facts: ToolkitFacts,
                     behaviour: Behaviour) -> ToolkitClauseOutcome:
    clause = outcome.clause
    actual: str | None = getattr(facts, clause.key)
    host = actual or ""
    if clause.key == "brand":
        cmp: int | str = (host > clause.value) - (host < clause.value)  # byte-wise, as Go strings
    else:
        cmp = _compare_version(clause.key, host, clause.value, behaviour)
    if isinstance(cmp, str):
        return replace(outcome, status="error", actual=actual, reason=cmp)
    holds = _ordered(clause.op, cmp)
    if holds is None:
        reason = f"invalid operator {clause.op}"  # the operator is empty here: a trailing space
        return replace(outcome, status="error", actual=actual, reason=reason)
    return replace(outcome, status="true" if holds else "false", actual=actual)


def _evaluate_term(term: TermOutcome, facts: ToolkitFacts, behaviour: Behaviour) -> TermOutcome:
    done: list[ToolkitClauseOutcome] = []
    status: TermStatus = "met"
    for clause in term.clauses:
        if status != "met":  # AND stops at the first failure
            done.append(clause)
            continue
        outcome = _evaluate_clause(clause, facts, behaviour)
        done.append(outcome)
        if outcome.status != "true":
            status = "not-met" if outcome.status == "false" else "error"
    return replace(term, status=status, clauses=tuple(done))


def _evaluate_requirement(req: RequirementOutcome, facts: ToolkitFacts,
                          behaviour: Behaviour) -> RequirementOutcome:
    kept = req.kept
    terms = list(req.terms)
    indexes = [i for i, t in enumerate(terms) if t.status != "dropped"]
    if len(indexes) == 1:  # an OR of one term is that term: its error stays an error
        term = terms[indexes[0]] = _evaluate_term(kept[0], facts, behaviour)
        status: RequirementStatus = "satisfied" if term.status == "met" else \
            "unsatisfied" if term.status == "not-met" else "error"
        return replace(req, status=status, terms=tuple(terms), message=term.message)
    for i in indexes:
        terms[i] = _evaluate_term(terms[i], facts, behaviour)
        if terms[i].status == "met":  # OR stops at the first success; errors count as not met
            return replace(req, status="satisfied", terms=tuple(terms))
    message = "||".join(t.constraint for t in kept) + " not met"
    return replace(req, status="unsatisfied", terms=tuple(terms), message=message)


def evaluate_toolkit(requirements: Sequence[tuple[str, str]], facts: ToolkitFacts, *,
                     behaviour: Behaviour = "newest") -> ToolkitVerdict:
    """Evaluate ``(variable, value)`` requirements, in order, as the toolkit's CSV mode does.

    >>> v = evaluate_toolkit([("NVIDIA_REQUIRE_CUDA", "cuda>=12.4")], ToolkitFacts(cuda="12.2"))
    >>> bool(v), v.message
    (False, 'requirements not met: unsatisfied condition: cuda>=12.4 (cuda=12.2)')
    """
    trace = [_parse_requirement(name, text, behaviour) for name, text in requirements]
    for i, req in enumerate(trace):  # the whole list is parsed before any evaluation
        bad = next((c for t in req.terms for c in t.clauses if c.status == "invalid"), None)
        if bad is not None:
            trace[i] = replace(req, status="error", message=bad.reason)
            return ToolkitVerdict("error", NOT_MET + str(bad.reason), tuple(trace), facts,
                                  behaviour)
    for i, req in enumerate(trace):
        if req.status == "ignored":
            continue
        trace[i] = done = _evaluate_requirement(req, facts, behaviour)
        if done.status != "satisfied":  # AND stops at the first failure
            result: Decision = "unsatisfied" if done.status == "unsatisfied" else "error"
            return ToolkitVerdict(result, NOT_MET + str(done.message), tuple(trace), facts,
                                  behaviour)
    return ToolkitVerdict("satisfied", None, tuple(trace), facts, behaviour)
