"""Whole-expression diagnostics: every problem in every clause, with its position.

Diagnostics never change a verdict; they say what the runtime would reject if it ever got there.
"""

from __future__ import annotations

from nvreq._frozen import frozen
from nvreq._lazy import literal_aliases
from nvreq._memo import Memo
from nvreq.brands import BRAND_NAMES
from nvreq.errors import caret
from nvreq.require.syntax import (
    VERSION_KEYS,
    Clause,
    Requirement,
    ascii_lower,
    problem_message,
)
from nvreq.require.versions import utf8

__all__ = ["BRAND_TOKENS", "Diagnostic", "byte_span", "lint_requirement"]

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from typing import Any, Literal

    Severity = Literal["error", "warning", "info"]
    #: one clause's findings, spans counted from the clause's first character
    _Finding = tuple[str, Severity, str, tuple[int, int]]
else:
    __getattr__ = literal_aliases(__name__, {"Severity": ("error", "warning", "info")})

#: brand names libnvidia-container >= 1.9.0 reports, lower-cased as images write them
BRAND_TOKENS = frozenset(name.lower() for name in BRAND_NAMES)


def byte_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Character offsets to the UTF-8 byte offsets the JSON reports use."""
    if text.isascii():
        return start, end
    b = len(utf8(text[:start]))
    return b, b + len(utf8(text[start:end]))


@frozen
class Diagnostic:
    """One problem: a code, a severity, where (variable and span in its value) and what."""

    code: str
    severity: Severity
    message: str
    variable: str | None = None
    value: str | None = None
    span: tuple[int, int] | None = None

    def render(self) -> str:
        """``severity[code] VARIABLE: message`` with the value and a caret under the span."""
        head = f"{self.severity}[{self.code}]"
        if self.variable:
            head += f" {self.variable}"
        text = f"{head}: {self.message}"
        if self.value is not None and self.span is not None:
            text += "\n" + caret(self.value, self.span[0], self.span[1])
        return text

    def to_dict(self) -> dict[str, Any]:
        """JSON form; ``span`` is the half-open byte range in the value."""
        span = None
        if self.span is not None:
            span = list(byte_span(self.value or "", *self.span))
        return {"code": self.code, "severity": self.severity, "variable": self.variable,
                "span": span, "message": self.message}


def _portability(clause: Clause) -> str | None:
    value = clause.value
    if value.endswith(".") or ".." in value:
        return f"'{value}' works here, but the toolkit's evaluator rejects empty components"
    if value.count(".") >= 3:
        return f"'{value}' works here, but the toolkit's evaluator takes at most three components"
    if any(len(p) > 1 and p.startswith("0") for p in value.split(".")):
        return (f"'{value}' has leading zeros: the toolkit 1.20.x and older rejects it "
                "(and reads such host versions as lowest)")
    return None


#: findings per distinct clause (``Clause`` compares and hashes its text, not its position): the
#: CUDA images' requirements repeat a few clauses dozens of times (31 terms, 17 distinct clauses)
_FINDINGS: Memo[Clause, tuple[_Finding, ...]] = Memo()


def _clause_findings(clause: Clause) -> tuple[_Finding, ...]:
    out: list[_Finding] = []
    whole = (0, len(clause.key) + len(clause.op) + len(clause.value))
    key_span = (0, len(clause.key))
    op_span = (key_span[1], key_span[1] + len(clause.op))
    value_span = (op_span[1], whole[1])
    problem = clause.problem
    if clause.has_whitespace:
        out.append(("whitespace", "error", "whitespace other than the space character inside a "
                    "clause; only ' ' separates alternatives", whole))
    if problem is not None:
        spans = {"missing-operator": whole, "empty-key": op_span, "bad-operator": op_span,
                 "unknown-key": key_span, "empty-value": (op_span[1], op_span[1]),
                 "bad-version": value_span, "brand-ordering": op_span}
        out.append((problem, "error", problem_message(clause) or "", spans[problem]))
    if problem is None or problem in ("bad-version", "brand-ordering"):
        if clause.key != clause.name:
            out.append(("key-case", "warning", f"key '{clause.key}' matches '{clause.name}' only "
                        "case-insensitively; the toolkit's evaluator ignores it", key_span))
        if clause.op == "!":
            out.append(("bang-operator", "warning", "a lone '!' is read as '!='; "
                        "the toolkit's evaluator rejects it", op_span))
    if problem is None:
        if clause.name in VERSION_KEYS and clause.overflows:
            out.append(("bad-version", "error", f"a component of '{clause.value}' is too large",
                        value_span))
        elif clause.name in VERSION_KEYS:
            note = _portability(clause)
            if note:
                out.append(("version-portability", "warning", note, value_span))
        elif ascii_lower(clause.value) not in BRAND_TOKENS:
            out.append(("unknown-brand", "warning", f"'{clause.value}' is no brand the runtime "
                        "reports, so it never matches", value_span))
    if clause.is_long and problem is None:
        out.append(("long-clause", "error", "clause of 126 bytes or more: the runtime cannot "
                    "format it, so where it is false it is an invalid expression", whole))
    return tuple(out)


def _clause_diagnostics(clause: Clause, variable: str | None, text: str) -> list[Diagnostic]:
    findings = _FINDINGS.get(clause)
    if findings is None:
        findings = _FINDINGS.put(clause, _clause_findings(clause))
    start = clause.span[0]
    return [Diagnostic(code, severity, message, variable, text, (start + a, start + b))
            for code, severity, message, (a, b) in findings]


def lint_requirement(requirement: Requirement, variable: str | None = None) -> list[Diagnostic]:
    """Every problem in ``requirement``, in text order.

    >>> from nvreq.require.syntax import parse_requirement
    >>> [d.code for d in lint_requirement(parse_requirement("cuda>=12.4 foo=1"))]
    ['unknown-key']
    """
    text = requirement.text
    out: list[Diagnostic] = []
    if text.startswith(" "):
        out.append(Diagnostic("leading-space", "warning", "the value starts with a space, so the "
                              "runtime's failure message names an empty condition", variable,
                              text, (0, 1)))
    stopped = False
    for alt in requirement.alternatives:
        if alt.is_comma_only and not stopped:
            stopped = True
            out.append(Diagnostic("comma-only-term", "warning", "a term of commas only ends the "
                                  "runtime's evaluation: the alternatives after it are never "
                                  "reached", variable, text, alt.span))
        for clause in alt.clauses:
            out.extend(_clause_diagnostics(clause, variable, text))
    return out
