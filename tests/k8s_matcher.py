"""Kubernetes' node affinity matching, written from its documentation, independently of nvreq.

Sources: k8s.io/apimachinery ``labels.Requirement.Matches`` and the NodeSelectorTerm schema
(kubernetes.md §3): terms are ORed, expressions ANDed, an empty term matches nothing; ``Gt``/``Lt``
parse both sides as int64 (Go ``strconv.ParseInt``); a missing label fails In, Exists, Gt and Lt and
passes NotIn and DoesNotExist.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_INT = re.compile(r"[+-]?[0-9]+")
_VALUE = re.compile(r"([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?")


def parse_int64(text: str) -> int | None:
    """Go's ``strconv.ParseInt(text, 10, 64)``, None on error."""
    if not _INT.fullmatch(text):
        return None
    value = int(text)
    return value if -(2**63) <= value < 2**63 else None


def check_structure(affinity: Mapping[str, Any]) -> None:
    """Raise AssertionError where the object breaks the API's rules for node selector terms."""
    required = affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    terms = required["nodeSelectorTerms"]
    assert isinstance(terms, list) and terms, "nodeSelectorTerms must be a non-empty list"
    for term in terms:
        exprs = term["matchExpressions"]
        assert exprs, "an empty term matches nothing"
        for e in exprs:
            op, values = e["operator"], e.get("values")
            if op in ("In", "NotIn"):
                assert values, f"{op} needs values"
                assert all(_VALUE.fullmatch(v) for v in values), values
            elif op in ("Exists", "DoesNotExist"):
                assert not values
            elif op in ("Gt", "Lt"):
                assert values is not None and len(values) == 1
                assert parse_int64(values[0]) is not None
            else:
                raise AssertionError(f"unknown operator {op}")


def _expression(e: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    op, key, values = e["operator"], e["key"], e.get("values") or []
    present = key in labels
    value = labels.get(key, "")
    if op == "In":
        return present and value in values
    if op == "NotIn":
        return not present or value not in values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if not present:
        return False
    mine, theirs = parse_int64(value), parse_int64(values[0])
    if mine is None or theirs is None:
        return False
    return mine > theirs if op == "Gt" else mine < theirs


def matches(affinity: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether a node with ``labels`` satisfies the required node affinity."""
    required = affinity["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    for term in required["nodeSelectorTerms"]:
        exprs = term.get("matchExpressions") or []
        if exprs and all(_expression(e, labels) for e in exprs):
            return True
    return False
