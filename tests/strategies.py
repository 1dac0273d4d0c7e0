"""Hypothesis strategies shared by the requirement tests."""

from __future__ import annotations

from hypothesis import strategies as st

from nvreq.require.semantics import Context
from nvreq.require.syntax import Alternative, Clause

KEYS = st.sampled_from(["cuda", "driver", "arch", "brand", "CUDA", "Brand", "foo", ""])
OPS = st.sampled_from(["=", "!=", "<", "<=", ">", ">=", "!", "==", "=>", ""])
VERSIONS = st.sampled_from(["12.4", "12.2", "11.8", "13.0", "535", "535.104.05", "550.54.15",
                            "470.82.01", "9.0", "8.0", "7.5", "12", "12.", "12..4", "10_0",
                            "v12.4", ".4", "99999999999999999999999", "12.4.0.0", "0"])
BRANDS = st.sampled_from(["tesla", "TESLA", "nvidia", "geforce", "unknown", "xyz", "a=b"])
VALUES = st.one_of(VERSIONS, BRANDS, st.just(""))


@st.composite
def clauses(draw: st.DrawFn) -> Clause:
    """A clause of any key, operator and value, valid or not (no separators inside)."""
    key = draw(KEYS)
    op = draw(OPS)
    value = draw(VALUES)
    if not op:
        value = ""
        if not key:
            key = "cuda"
    if op and value[:1] in "<>=!" and value:
        value = "x" + value
    return Clause(key, op, value)


@st.composite
def alternatives(draw: st.DrawFn) -> Alternative:
    """A segment: pieces, some of them empty."""
    pieces = draw(st.lists(st.one_of(clauses(), st.none()), min_size=1, max_size=4))
    return Alternative(tuple(pieces))


requirement_trees = st.lists(alternatives(), min_size=1, max_size=6).map(tuple)

HOST_VERSIONS = st.one_of(st.none(), st.sampled_from(["12.4", "12.2", "11.8", "13.0", "12"]))
DRIVERS = st.one_of(st.none(), st.sampled_from(["550.54.15", "535.104.05", "470.82.01", "abc",
                                                "580.159.04", "535"]))
ARCHES = st.one_of(st.none(), st.sampled_from(["9.0", "8.0", "7.5", "8.9"]))
HOST_BRANDS = st.one_of(st.none(), st.sampled_from(["Tesla", "Nvidia", "GeForce", "Unknown"]))


@st.composite
def contexts(draw: st.DrawFn) -> Context:
    """A context with or without a device, facts known or not."""
    device = draw(st.booleans())
    return Context(draw(HOST_VERSIONS), draw(DRIVERS), device,
                   draw(ARCHES) if device else None, draw(HOST_BRANDS) if device else None,
                   "0" if device else None, draw(st.sampled_from(["assume", "fail"])))
