"""Node selector terms as conditions on labels, simplified so that equal conditions print equally.

A term is an AND of conditions, one per label: an integer interval (``Gt``/``Lt``, which need the
label to parse as an integer) or a set of exact strings (``In``). A list of terms is their OR.
nvreq never builds ``NotIn``, ``Exists`` or ``DoesNotExist``: a missing label must never match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from nvreq._frozen import frozen
from nvreq.formats.digits import uint

__all__ = ["INT64_MAX", "INT64_MIN", "Match", "Term", "conjoin", "label_int", "simplify", "term",
           "term_expressions", "with_match", "without_key"]

INT64_MAX = 2**63 - 1
INT64_MIN = -(2**63)


def label_int(value: str) -> int | None:
    """A label value as Kubernetes' ``Gt``/``Lt`` read it (Go ``ParseInt(v, 10, 64)``), or None.

    >>> label_int("05"), label_int("+3"), label_int(""), label_int("1.5")
    (5, 3, None, None)
    """
    body = value[1:] if value[:1] in ("+", "-") else value
    number = uint(body, -INT64_MIN if value[:1] == "-" else INT64_MAX)
    if number is None:
        return None
    return -number if value[:1] == "-" else number


@frozen
class Match:
    """The condition on one label: ``gt < int(label) < lt``, or ``label in values``."""

    key: str
    gt: int | None = None
    lt: int | None = None
    values: frozenset[str] | None = None

    def admits(self, value: str | None) -> bool:
        """Whether a node whose label has ``value`` (None: no label) meets this condition."""
        if value is None:
            return False
        if self.values is not None:
            return value in self.values
        number = label_int(value)
        if number is None:
            return False
        return (self.gt is None or number > self.gt) and (self.lt is None or number < self.lt)

    def implies(self, other: Match) -> bool:
        """True when every label value this admits, ``other`` admits too."""
        if self.values is not None:
            return all(other.admits(v) for v in self.values)
        if other.values is not None:
            return False
        return ((other.gt is None or (self.gt is not None and self.gt >= other.gt))
                and (other.lt is None or (self.lt is not None and self.lt <= other.lt)))

    def expressions(self) -> list[dict[str, Any]]:
        """The ``matchExpressions`` entries for this condition."""
        if self.values is not None:
            return [{"key": self.key, "operator": "In", "values": sorted(self.values)}]
        out = []
        if self.gt is not None:
            out.append({"key": self.key, "operator": "Gt", "values": [str(self.gt)]})
        if self.lt is not None:
            out.append({"key": self.key, "operator": "Lt", "values": [str(self.lt)]})
        return out


def _normal(match: Match) -> Match | None:
    """The same condition in its simplest form, or None when no label value meets it."""
    if match.values is not None:
        if match.gt is not None or match.lt is not None:
            kept = frozenset(v for v in match.values
                             if Match(match.key, match.gt, match.lt).admits(v))
            match = Match(match.key, values=kept)
        return match if match.values else None
    if match.gt is not None and match.gt >= INT64_MAX:
        return None
    if match.lt is not None and match.lt <= 0:
        return None  # version labels are never negative (Lt 0 is dropped)
    if match.gt is not None and match.lt is not None and match.lt <= match.gt + 1:
        return None
    return match


def _meet(a: Match, b: Match) -> Match | None:
    gt = b.gt if a.gt is None else a.gt if b.gt is None else max(a.gt, b.gt)
    lt = b.lt if a.lt is None else a.lt if b.lt is None else min(a.lt, b.lt)
    values = b.values if a.values is None else a.values if b.values is None \
        else a.values & b.values
    return _normal(Match(a.key, gt, lt, values))


#: a term: conditions sorted by label key, at most one per key; () holds on every node
Term = tuple[Match, ...]


def term(matches: Iterable[Match]) -> Term | None:
    """A term from conditions (several on one key are intersected); None when impossible."""
    by_key: dict[str, Match] = {}
    for m in matches:
        seen = by_key.get(m.key)
        met = _normal(m) if seen is None else _meet(seen, m)
        if met is None:
            return None
        by_key[m.key] = met
    return tuple(by_key[k] for k in sorted(by_key))


def conjoin(a: Term, b: Term) -> Term | None:
    """Both terms at once; None when no node can meet both."""
    return term((*a, *b))


def _implies(a: Term, b: Term) -> bool:
    """Every node meeting ``a`` meets ``b`` (``a`` has a condition at least as strict per key)."""
    mine = {m.key: m for m in a}
    return all(k.key in mine and mine[k.key].implies(k) for k in b)


def _merge(a: Term, b: Term) -> Term | None:
    """One term for ``a OR b`` when they differ on one key only and the union is one condition."""
    if len(a) != len(b):
        return None
    diff = [(x, y) for x, y in zip(a, b, strict=True) if x != y]
    if len(diff) != 1 or diff[0][0].key != diff[0][1].key:
        return None
    x, y = diff[0]
    if x.values is not None and y.values is not None:
        union = Match(x.key, values=x.values | y.values)
    elif x.values is None and y.values is None:
        lo, hi = (x, y) if (x.gt if x.gt is not None else INT64_MIN - 1) <= \
            (y.gt if y.gt is not None else INT64_MIN - 1) else (y, x)
        # a gap between them when hi's first integer (hi.gt + 1) is past lo's last (lo.lt - 1) + 1
        if lo.lt is not None and (hi.gt if hi.gt is not None else INT64_MIN - 1) >= lo.lt:
            return None
        lt = None if lo.lt is None or hi.lt is None else max(lo.lt, hi.lt)
        if lo.gt is None and lt is None:
            return None  # "any integer" has no expression of its own
        union = Match(x.key, lo.gt, lt)
    else:
        return None
    return tuple(union if m is x else m for m in a)


def simplify(terms: Iterable[Term]) -> list[Term]:
    """Remove duplicates and terms implied by others, and merge terms differing in one condition.

    >>> major = "nvidia.com/cuda.runtime-version.major"
    >>> a = (Match(major, gt=12),)
    >>> b = (Match(major, gt=11, lt=13),)
    >>> [m.expressions() for t in simplify([a, b]) for m in t]
    [[{'key': 'nvidia.com/cuda.runtime-version.major', 'operator': 'Gt', 'values': ['11']}]]
    """
    out: list[Term] = []
    for t in terms:
        if t not in out:
            out.append(t)
    changed = True
    while changed:
        changed = False
        kept: list[Term] = []
        for i, t in enumerate(out):
            absorbed = any(j != i and _implies(t, u) and (not _implies(u, t) or j < i)
                           for j, u in enumerate(out))
            if not absorbed:
                kept.append(t)
        changed = len(kept) != len(out)
        out = kept
        for i in range(len(out)):
            for j in range(i + 1, len(out)):
                merged = _merge(out[i], out[j])
                if merged is not None:
                    out[i] = merged
                    del out[j]
                    changed = True
                    break
            if changed:
                break
    return out


def term_expressions(t: Term, order: Sequence[str] = ()) -> list[dict[str, Any]]:
    """A term's ``matchExpressions``, keys in ``order`` first, then alphabetically."""
    rank: Mapping[str, int] = {k: i for i, k in enumerate(order)}
    ordered = sorted(t, key=lambda m: (rank.get(m.key, len(rank)), m.key))
    return [e for m in ordered for e in m.expressions()]


def without_key(t: Term, key: str) -> Term:
    """The term with the condition on ``key`` removed."""
    return tuple(m for m in t if m.key != key)


def with_match(t: Term, match: Match) -> Term:
    """The term with the condition on ``match.key`` replaced by ``match``."""
    return tuple(sorted((*without_key(t, match.key), match), key=lambda m: m.key))
