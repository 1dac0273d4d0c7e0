"""Where cli and toolkit disagree on one expression (require.md §13.7): rows, spans and texts."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.errors import NvreqError
from nvreq.require.gosemver import Behaviour
from nvreq.require.toolkit_diff import ROWS, Disagreement, disagreements


def found(text: str, behaviour: Behaviour = "newest") -> list[tuple[int, tuple[int, int], str]]:
    return [(d.row, d.span, d.text) for d in disagreements(text, behaviour=behaviour)]


@pytest.mark.parametrize(("text", "behaviour", "expected"), [
    ("cuda>=12.4", "newest", []),
    ("cuda>=12.4 brand=Tesla,driver>=535,driver<536", "newest",
     [(14, (11, 22), "brand=Tesla"), (14, (23, 34), "driver>=535"), (14, (35, 45), "driver<536")]),
    ("cuda>=12.4 foo=1", "newest", [(1, (11, 16), "foo=1")]),
    ("CUDA>=12.4", "newest", [(2, (0, 10), "CUDA>=12.4")]),
    ("=12.4", "newest", [(3, (0, 5), "=12.4")]),
    ("brand=geforce", "newest", [(4, (0, 13), "brand=geforce"), (14, (0, 13), "brand=geforce")]),
    ("brand=acme", "newest", [(14, (0, 10), "brand=acme")]),
    ("brand>=tesla", "newest", [(5, (0, 12), "brand>=tesla"), (14, (0, 12), "brand>=tesla")]),
    ("brand!=", "newest", [(6, (0, 7), "brand!="), (14, (0, 7), "brand!=")]),
    ("brand!", "newest", [(14, (0, 6), "brand!")]),  # an error on both sides
    ("brand==Tesla", "newest", [(7, (0, 12), "brand==Tesla"), (14, (0, 12), "brand==Tesla")]),
    ("brand!!x", "newest", [(14, (0, 8), "brand!!x")]),  # an error on both sides
    ("cuda!12.4", "newest", [(8, (0, 9), "cuda!12.4")]),
    ("brand!Tesla", "newest", [(8, (0, 11), "brand!Tesla"), (14, (0, 11), "brand!Tesla")]),
    ("cuda>=v12.4", "1.20", [(9, (0, 11), "cuda>=v12.4")]),
    ("cuda>=12.4-rc1", "newest", [(9, (0, 14), "cuda>=12.4-rc1")]),
    ("cuda>=12.4-rc1", "1.20", []),  # an error on both sides, and the first clause
    ("cuda>=12..4", "newest", [(10, (0, 11), "cuda>=12..4")]),
    ("cuda>=12.4.0.0", "1.20", [(10, (0, 14), "cuda>=12.4.0.0")]),
    ("driver>=470.82.01", "newest", [(14, (0, 17), "driver>=470.82.01")]),
    ("driver>=470.82.01", "1.20", [(11, (0, 17), "driver>=470.82.01")]),
    ("cuda>=12.04..1", "1.20", [(10, (0, 14), "cuda>=12.04..1")]),
    ("cuda<99999999999999999999999", "1.20", [(12, (0, 28), "cuda<99999999999999999999999")]),
    ("cuda<99999999999999999999999", "newest", []),
    ("cuda<18446744073709551615", "newest", [(12, (0, 25), "cuda<18446744073709551615")]),
    ("cuda>=abc", "newest", []),
    ("cuda>=12.4 cuda>=abc", "newest", [(13, (11, 20), "cuda>=abc")]),
    ("cuda>=12.4,cuda", "newest", [(13, (11, 15), "cuda")]),
    ("cuda", "newest", []),
    ("\t", "newest", [(16, (0, 1), "\t")]),
    ("cuda>=1,\u3000", "newest", [(16, (8, 9), "\u3000")]),
    ("\tcuda>=1", "newest", [(1, (0, 8), "\tcuda>=1")]),
    ("brand=" + "x" * 120, "newest", [(18, (0, 126), "brand=" + "x" * 120),
                                     (14, (0, 126), "brand=" + "x" * 120)]),
    ("cuda>=99 , cuda>=12.4", "newest", [(21, (9, 10), ",")]),
    (", cuda12", "newest", [(21, (0, 1), ","), (13, (2, 8), "cuda12")]),
])
def test_points_of_disagreement(text: str, behaviour: Behaviour,
                                expected: list[tuple[int, tuple[int, int], str]]) -> None:
    assert found(text, behaviour) == expected


def test_a_point_explains_itself() -> None:
    (point,) = disagreements("CUDA>=12.4")
    assert point == Disagreement(2, (0, 10), "CUDA>=12.4")
    assert (point.topic, point.libnvidia_container, point.toolkit) == ROWS[2]
    assert str(point) == ("[0, 10) 'CUDA>=12.4': key case: cli matched case-insensitively; "
                          "toolkit case-sensitive, so the clause is ignored")


def test_spans_point_at_the_text() -> None:
    text = "cuda>=12.4  brand=tesla,foo=1,,Driver>=1 , arch>=8..0"
    for point in disagreements(text):
        start, end = point.span
        assert text[start:end] == point.text


_ALPHABET = st.sampled_from(["cuda", "brand", "driver", "arch", "Foo", ">=", "!", "=", "<", "12.4",
                             "..", "v", "-rc", "05", " ", ",", "\t", "tesla", "\x00"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=12).map("".join) | st.text(max_size=30),
       st.sampled_from(["newest", "1.20"]))
def test_any_text_gives_points_or_a_clear_error(text: str, behaviour: Behaviour) -> None:
    try:
        points = disagreements(text, behaviour=behaviour)
    except NvreqError:
        assert "\x00" in text
        return
    for point in points:
        start, end = point.span
        assert point.row in ROWS and text[start:end] == point.text
