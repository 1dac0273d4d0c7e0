"""Hypothesis strategies shared by the requirement, check and fleet tests."""

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


VISIBLE = st.sampled_from([None, "all", "none", "void", "", "0", "1", "0,1", "GPU-x"])
#: real requirement texts, so that generated environments also reach advice and driver branches
REAL_TEXTS = st.sampled_from([
    "cuda>=12.4", "cuda>=11.0", "cuda>=13.0 brand=tesla,driver>=535,driver<536",
    "cuda>=12.4 brand=tesla,driver>=470,driver<471 brand=nvidia,driver>=535,driver<536",
    "cuda>=12.8 brand=unknown,driver>=550,driver<551", "arch>=8.0", "cuda>=12.2 driver>=999",
])


@st.composite
def environments(draw: st.DrawFn) -> list[str]:
    """Requirement variables (generated or real), device requests, legacy and disabled images."""
    texts = draw(st.lists(st.one_of(requirement_trees.map(lambda t: " ".join(map(str, t))),
                                    REAL_TEXTS), max_size=3))
    env = [f"NVIDIA_REQUIRE_{name}={text}" for name, text in zip("ABC", texts, strict=False)]
    visible = draw(VISIBLE)
    if visible is not None:
        env.append(f"NVIDIA_VISIBLE_DEVICES={visible}")
    if draw(st.booleans()):
        env.append("CUDA_VERSION=" + draw(st.sampled_from(["12.4.1", "9.0.116", "foo", "12.04"])))
    if draw(st.integers(0, 5)) == 0:
        env.append("NVIDIA_DISABLE_REQUIRE=" + draw(st.sampled_from(["true", "yes"])))
    return env
