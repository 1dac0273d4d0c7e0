"""Whole-expression diagnostics: a clause's findings do not depend on where it stands."""

from __future__ import annotations

from hypothesis import assume, given
from hypothesis import strategies as st

from nvreq.require.lint import Diagnostic, lint_requirement
from nvreq.require.syntax import parse_requirement

#: clause-like text with every kind of problem: bad keys and operators, brands, leading zeros,
#: tabs, empty pieces and terms
_TEXT = st.text(alphabet="cudarivebnXK<>=!,. 0123456789\t", max_size=50)
_PREFIX = "cuda>=1 "


def _facts(diagnostics: list[Diagnostic], shift: int = 0) -> list[tuple[object, ...]]:
    return [(d.code, d.severity, d.message, d.variable,
             None if d.span is None else (d.span[0] + shift, d.span[1] + shift))
            for d in diagnostics]


@given(_TEXT)
def test_a_clause_is_diagnosed_alike_wherever_it_stands(text: str) -> None:
    assume(not text.startswith(" "))  # alone, a leading space is a finding of its own
    alone = lint_requirement(parse_requirement(text), "NVIDIA_REQUIRE_X")
    moved = lint_requirement(parse_requirement(_PREFIX + text), "NVIDIA_REQUIRE_X")
    again = lint_requirement(parse_requirement(text), "NVIDIA_REQUIRE_X")
    assert _facts(moved) == _facts(alone, len(_PREFIX))
    assert again == alone


def test_the_same_bad_clause_twice_is_reported_at_each_place() -> None:
    text = "cuda>=01.2 brand=tesla,cuda>=01.2"
    found = lint_requirement(parse_requirement(text))
    assert [(d.code, d.span) for d in found] == [("version-portability", (6, 10)),
                                                   ("version-portability", (29, 33))]
    assert [text[a:b] for a, b in (d.span for d in found if d.span)] == ["01.2", "01.2"]
