"""JSON input: nesting capped before parsing, integers of any length."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nvreq.errors import InputError
from nvreq.formats import jsontext


@pytest.mark.parametrize("text", ["[" * 200_000, '{"a":' * 200_000, "[" * 201 + "]" * 201])
def test_deep_documents_are_refused_by_name(text: str) -> None:
    with pytest.raises(jsontext.JsonTooDeep, match=r"x\.json: JSON nested deeper than 200"):
        jsontext.loads(text, what="env file x.json")


def test_brackets_inside_strings_do_not_count() -> None:
    assert jsontext.loads(f'["{"[" * 1000}"]') == ["[" * 1000]
    assert not jsontext.too_deep('"\\"[[[["' + "[]" * 300)


def test_integers_of_any_length_decode() -> None:
    assert jsontext.loads('{"n": ' + "1" * 5000 + "}") == {"n": float("inf")}
    assert jsontext.loads("12") == 12


@given(st.text(alphabet='[]{}"\\:,1 a', max_size=400))
def test_hostile_text_gives_a_value_or_a_value_error(text: str) -> None:
    with contextlib.suppress(ValueError, InputError):
        jsontext.loads(text)
