"""Where the ``cli`` and ``toolkit`` evaluators disagree on one expression.

Each point names its row (a stable number for the kind of disagreement), the span of the clause
or term it concerns, and what each side does there. Rows that depend on something other than the
text (17: the number of variables; 19: a fact the profile does not know; 15: no GPU selected; 20:
the wording of every failure; 22: which runtime path checks) are not reported per expression;
row 14 is, for every clause on a property that CSV mode reads differently (``arch``, ``brand``,
``driver``).
"""

from __future__ import annotations

from nvreq._frozen import frozen
from nvreq.brands import BRAND_NAMES
from nvreq.require.gosemver import Behaviour, is_valid
from nvreq.require.syntax import Clause, ascii_lower, parse_requirement
from nvreq.require.toolkit import DroppedClause, parse_clause

__all__ = ["BRAND_NAMES", "ROWS", "Disagreement", "disagreements"]

#: the names libnvidia-container >= 1.9.0 reports
_LOWER_BRANDS = frozenset(ascii_lower(n) for n in BRAND_NAMES)

#: row -> (topic, what cli does, what toolkit does)
ROWS: dict[int, tuple[str, str, str]] = {
    1: ("unknown key", "invalid expression if reached", "silently ignored"),
    2: ("key case", "matched case-insensitively", "case-sensitive, so the clause is ignored"),
    3: ("empty key", "invalid expression if reached", "ignored"),
    4: ("brand value case", "matches the host's brand case-insensitively",
        "byte-wise, so it never matches the spelling the host reports"),
    5: ("ordering on brand", "invalid expression if reached", "lexicographic comparison"),
    6: ("empty brand value", "invalid expression if reached", 'compared with ""'),
    7: ("operator run on brand", "invalid expression if reached",
        "the text after the first operator is compared, operator characters included"),
    8: ("lone !", "read as !=",
        "invalid version (version key) or 'invalid operator ' (brand): an error"),
    9: ("version beyond digits and dots", "invalid expression if reached", "accepted"),
    10: ("empty part or four or more components", "accepted", "invalid version: an error"),
    11: ("leading zeros", "numeric, fine", "invalid version (toolkit <= 1.20.x): an error"),
    12: ("number over uint64", "invalid expression if reached", "accepted (toolkit <= 1.20.x)"),
    13: ("validation scope", "an error only if evaluation reaches the clause",
         "validated up front: the whole evaluation is an error"),
    14: ("GPUs considered", "each selected GPU's arch and brand, and the host driver",
         "CSV mode: arch of CUDA device 0 only; driver and brand are never set"),
    16: ("whitespace-only clause", "invalid expression if reached", "ignored"),
    18: ("long false clause (>= 126 bytes)", "invalid expression when false",
         "unsatisfied when false"),
    21: ("comma-only term", "ends the evaluation of the requirement", "disappears"),
}


@frozen
class Disagreement:
    """One point of disagreement: its row, and the span and text it concerns."""

    row: int
    span: tuple[int, int]
    text: str

    @property
    def topic(self) -> str:
        """The row's topic."""
        return ROWS[self.row][0]

    @property
    def libnvidia_container(self) -> str:
        """What libnvidia-container does there."""
        return ROWS[self.row][1]

    @property
    def cli(self) -> str:
        """The earlier name of ``libnvidia_container``, kept for callers."""
        return self.libnvidia_container

    @property
    def toolkit(self) -> str:
        """What the toolkit's Go evaluator does there."""
        return ROWS[self.row][2]

    def __str__(self) -> str:
        start, end = self.span
        where = f"[{start}, {end}) {self.text!r}"
        return f"{where}: {self.topic}: cli {self.libnvidia_container}; toolkit {self.toolkit}"


def _rows_for(clause: Clause, first: bool, behaviour: Behaviour) -> list[int]:
    parsed = parse_clause(str(clause), behaviour)
    if isinstance(parsed, DroppedClause):
        return [{"blank": 16, "empty-key": 3, "key-case": 2, "unknown-key": 1}[parsed.why]]
    if parsed is None:
        return []
    problem = clause.problem
    libnvidia_container_ok = problem is None and not clause.overflows
    key, op, value = parsed.clause.key, parsed.clause.op, parsed.clause.value
    if parsed.status == "invalid":
        if clause.op == "!" and problem is None:
            return [8]
        if libnvidia_container_ok:
            return [11 if behaviour == "1.20" and is_valid(value) else 10]
        return [] if first else [13]
    rows: list[int] = []
    if key == "brand":
        if clause.op == "!" and problem is None:
            rows.append(8)
        elif problem == "bad-operator" and op:
            rows.append(7)
        elif problem == "brand-ordering":
            rows.append(5)
        elif problem == "empty-value" and op:
            rows.append(6)
        elif problem is None and value not in BRAND_NAMES and ascii_lower(value) in _LOWER_BRANDS:
            rows.append(4)
    elif problem == "bad-version":
        rows.append(9)
    elif problem is None and clause.overflows:
        rows.append(12)
    if problem is None and clause.is_long:
        rows.append(18)
    if key != "cuda":
        rows.append(14)
    return rows


def disagreements(text: str, *, behaviour: Behaviour = "newest") -> list[Disagreement]:
    """Every point where ``cli`` and ``toolkit`` part ways on one ``NVIDIA_REQUIRE_*`` value.

    >>> for d in disagreements("cuda>=12.4 , CUDA>=12.4 brand=tesla"):
    ...     print(d.row, d.span, d.text, "-", d.topic)
    21 (11, 12) , - comma-only term
    2 (13, 23) CUDA>=12.4 - key case
    4 (24, 35) brand=tesla - brand value case
    14 (24, 35) brand=tesla - GPUs considered
    """
    found: list[Disagreement] = []
    first = True  # is the next clause the first one libnvidia-container evaluates?
    for alt in parse_requirement(text).alternatives:
        if alt.is_empty:
            continue
        if alt.is_comma_only:
            found.append(Disagreement(21, alt.span, str(alt)))
            first = False
            continue
        for clause in alt.clauses:
            found.extend(Disagreement(row, clause.span, str(clause))
                         for row in _rows_for(clause, first, behaviour))
            first = False
    return found
