"""Parsing NVIDIA_REQUIRE_* values: the grammar, the fast front end, errors and limits."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.lark import from_lark

from nvreq.errors import InvalidRequirement
from nvreq.require.lint import lint_requirement
from nvreq.require.syntax import (
    MAX_VALUE_BYTES,
    Alternative,
    Clause,
    Requirement,
    _lark,
    parse_requirement,
)
from tests.strategies import requirement_trees


def test_space_is_or_and_comma_is_and() -> None:
    req = parse_requirement("a>1 b>2,c>3")
    assert [len(a.clauses) for a in req.alternatives] == [1, 2]
    assert [str(c) for c in req.clauses] == ["a>1", "b>2", "c>3"]


@pytest.mark.parametrize(("text", "key", "op", "value"), [
    ("cuda>=12.4", "cuda", ">=", "12.4"),
    ("brand=a=b", "brand", "=", "a=b"),
    ("cuda12.4", "cuda12.4", "", ""),
    ("=12.4", "", "=", "12.4"),
    ("cuda!==12", "cuda", "!==", "12"),
    ("cuda>=", "cuda", ">=", ""),
    ("cuda>=12.4\t", "cuda", ">=", "12.4\t"),
])
def test_clause_is_key_operator_run_value(text: str, key: str, op: str, value: str) -> None:
    (clause,) = parse_requirement(text).clauses
    assert (clause.key, clause.op, clause.value) == (key, op, value)


@pytest.mark.parametrize(("text", "empty", "comma_only"), [
    ("", [True], [False]),
    ("  ", [True, True, True], [False, False, False]),
    (",", [False], [True]),
    ("a=1 ,, b=2", [False, False, False], [False, True, False]),
])
def test_empty_and_comma_only_segments_are_kept(text: str, empty: list[bool],
                                                comma_only: list[bool]) -> None:
    req = parse_requirement(text)
    assert [a.is_empty for a in req.alternatives] == empty
    assert [a.is_comma_only for a in req.alternatives] == comma_only
    assert str(req) == text


@pytest.mark.parametrize(("text", "column", "code_text"), [
    ("cuda 12.4", 0, "Expected an operator"),
    ("cuda>=12.4 =1", 11, "Expected a key"),
    ("cuda==12.4", 0, "unknown operator '=='; expected one of =, !=, <, <=, >, >="),
    ("cuda>=12.4 foo=1", 11, "unknown key 'foo'; expected one of cuda, driver, arch, brand"),
    ("brand>=tesla", 0, "'>=' on brand: only = and != compare brands"),
    ("cuda>=v12", 0, "'v12' is not a version of digits and dots"),
])
def test_strict_parse_points_at_the_clause(text: str, column: int, code_text: str) -> None:
    with pytest.raises(InvalidRequirement) as ctx:
        parse_requirement(text, strict=True)
    assert ctx.value.column == column
    assert code_text in str(ctx.value)
    assert "^" in str(ctx.value).splitlines()[-1]


def test_nul_byte_is_refused_with_its_position() -> None:
    with pytest.raises(InvalidRequirement) as ctx:
        parse_requirement("cuda>=1\0", variable="NVIDIA_REQUIRE_CUDA")
    assert ctx.value.column == 7
    assert "NVIDIA_REQUIRE_CUDA" in str(ctx.value)


def test_values_over_64_kib_are_refused() -> None:
    with pytest.raises(InvalidRequirement, match="over the limit"):
        parse_requirement("cuda>=1," * (MAX_VALUE_BYTES // 8 + 1))


def test_too_many_alternatives_are_refused() -> None:
    with pytest.raises(InvalidRequirement, match="alternatives"):
        parse_requirement(" ".join(["a=1"] * 1025))


def test_one_megabyte_of_text_fails_fast_without_reading_it_all() -> None:
    with pytest.raises(InvalidRequirement):
        parse_requirement("x" * 1_000_000)


def test_lark_and_fast_front_end_agree_on_the_official_string() -> None:
    from tests.hosts import CUDA_12_4_1

    fast = parse_requirement(CUDA_12_4_1)
    lark = parse_requirement(CUDA_12_4_1, parser="lark")
    assert fast.alternatives == lark.alternatives
    assert [c.span for c in fast.clauses] == [c.span for c in lark.clauses]


def test_repr_and_str() -> None:
    req = parse_requirement("cuda>=12.4 brand=tesla")
    assert repr(req) == "<Requirement('cuda>=12.4 brand=tesla')>"
    assert str(req.alternatives[1]) == "brand=tesla"


def test_spans_cover_each_clause() -> None:
    text = "cuda>=12.4 brand=tesla,,driver<536"
    for clause in parse_requirement(text).clauses:
        start, end = clause.span
        assert text[start:end] == str(clause)


GRAMMAR_TEXT = from_lark(_lark(), start="start")
ANY_TEXT = st.text(alphabet=st.characters(blacklist_characters="\0"), max_size=80)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(GRAMMAR_TEXT)
def test_grammar_strings_round_trip_and_front_ends_agree(text: str) -> None:
    fast = parse_requirement(text)
    lark = parse_requirement(text, parser="lark")
    assert str(fast) == text
    assert fast.alternatives == lark.alternatives
    assert parse_requirement(str(fast)) == fast


@settings(max_examples=300)
@given(ANY_TEXT)
def test_any_text_parses_the_same_both_ways(text: str) -> None:
    fast = parse_requirement(text)
    assert fast.alternatives == parse_requirement(text, parser="lark").alternatives
    assert str(fast) == text


@settings(max_examples=200)
@given(st.text(max_size=60))
def test_arbitrary_text_raises_only_invalid_requirement(text: str) -> None:
    try:
        parse_requirement(text, strict=True)
    except InvalidRequirement as exc:
        assert str(exc)


@settings(max_examples=200)
@given(requirement_trees)
def test_ast_round_trips_through_text(tree: tuple[Alternative, ...]) -> None:
    req = Requirement.from_alternatives(tree)
    again = parse_requirement(str(req))
    assert again == req
    assert again.alternatives == tree
    for alt in again.alternatives:
        for clause in alt.clauses:
            assert isinstance(clause, Clause)


@pytest.mark.parametrize("text", ["cuda", "=1", "cuda==12.4", "foo=1", "cuda>=",
                                  "cuda>=v12", "brand>=tesla"])
def test_strict_parsing_and_lint_say_a_problem_in_the_same_words(text: str) -> None:
    with pytest.raises(InvalidRequirement) as ctx:
        parse_requirement(text, strict=True)
    [diagnostic] = lint_requirement(parse_requirement(text))
    assert diagnostic.code == parse_requirement(text).clauses[0].problem
    assert str(ctx.value).startswith(diagnostic.message)
