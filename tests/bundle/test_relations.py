"""Relation fields: alternatives, architecture qualifiers, version relations; errors name the
column."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nvreq.bundle.relations import OPERATORS, Relation, parse_relations, version_matches
from nvreq.errors import DebError


@pytest.mark.parametrize(("text", "expected"), [
    ("", ()),
    ("libc6 (>= 2.34)", ((Relation("libc6", None, ">=", "2.34"),),)),
    ("libc6:any(>=2.34)", ((Relation("libc6", "any", ">=", "2.34"),),)),
    ("a | b:native, c (<< 2.0.0)",
     ((Relation("a"), Relation("b", "native")), (Relation("c", None, "<<", "2.0.0"),))),
    ("docker (<< 1.5~), docker-engine",
     ((Relation("docker", None, "<<", "1.5~"),), (Relation("docker-engine"),))),
    ("x,\ny", ((Relation("x"),), (Relation("y"),))),
])
def test_parses(text: str, expected: tuple[tuple[Relation, ...], ...]) -> None:
    assert parse_relations(text) == expected


@pytest.mark.parametrize(("text", "column"), [
    ("a,,b", 2), ("a (>= )", 0), ("a, B", 2), ("a,", 2), ("a, b (>= 1.0", 2), ("a (~ 1)", 0),
    ("a (>= v1)", 0),
])
def test_errors_point_at_the_column(text: str, column: int) -> None:
    with pytest.raises(DebError, match=f"at column {column} ") as caught:
        parse_relations(text, field_name="Depends", source="x.deb")
    assert str(caught.value).startswith("x.deb: Depends: ")


names = st.from_regex(r"[a-z0-9][a-z0-9.+-]{1,12}", fullmatch=True)
versions = st.from_regex(r"([1-9]:)?[0-9][a-z0-9.+~]{0,8}(-[a-z0-9.+~]{1,5})?", fullmatch=True)
relations = st.builds(
    lambda name, arch, constraint: Relation(name, arch, *constraint),
    names, st.sampled_from([None, "any", "native", "amd64"]),
    st.one_of(st.just((None, None)), st.tuples(st.sampled_from(OPERATORS), versions)))
fields = st.lists(st.lists(relations, min_size=1, max_size=3).map(tuple), max_size=5).map(tuple)


@given(fields)
def test_str_round_trips(groups: tuple[tuple[Relation, ...], ...]) -> None:
    text = ", ".join(" | ".join(map(str, g)) for g in groups)
    assert parse_relations(text) == groups


@given(st.text(max_size=80))
def test_any_text_parses_or_raises_deb_error(text: str) -> None:
    with contextlib.suppress(DebError):
        parse_relations(text)


@pytest.mark.parametrize(("version", "op", "wanted", "ok"), [
    ("1.17.8-1", ">=", "1.17.8-1", True), ("1.17.4-1", ">=", "1.17.8-1", False),
    ("2.0.0", "<<", "2.0.0", False), ("1.99", "<<", "2.0.0", True), ("1.0", "<", "1.0", True),
    ("1.0", ">", "1.0", True), ("1.0", ">>", "1.0", False), ("1:0.1", "=", "1:0.1-0", True),
    ("1.0", None, None, True),
])
def test_version_relations(version: str, op: str | None, wanted: str | None, ok: bool) -> None:
    assert version_matches(version, op, wanted) is ok
