"""The one digit rule: ASCII only, any length, compared by length before conversion."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nvreq.formats.digits import digits_key, is_digits, saturating_uint, uint

U64 = 2**64 - 1


@pytest.mark.parametrize(("text", "expected"), [
    ("0", 0), ("007", 7), ("18446744073709551615", U64), ("18446744073709551616", None),
    ("0" * 5000 + "1", 1), ("9" * 5000, None), ("1" * 4301, None),
    ("²", None), ("1₇", None), ("١٢", None), ("1_0", None), (" 1", None), ("+1", None),
    ("", None), ("-0", None),
])
def test_uint_reads_ascii_digits_only(text: str, expected: int | None) -> None:
    assert uint(text, U64) == expected


def test_hexadecimal_and_saturation() -> None:
    assert uint("fF", 255, 16) == 255 and uint("100", 255, 16) is None
    assert saturating_uint("9" * 5000, U64) == U64
    with pytest.raises(ValueError, match="not 10-base digits"):
        saturating_uint("٣", U64)


@given(st.text(), st.integers(min_value=0, max_value=2**70))
def test_uint_never_raises_and_agrees_with_int(text: str, limit: int) -> None:
    value = uint(text, limit)
    if value is not None:
        assert is_digits(text) and value == int(text) <= limit
    elif is_digits(text) and len(text) < 4000:
        assert int(text) > limit


@given(st.lists(st.text("0123456789", max_size=30)))
def test_digits_key_orders_by_value(texts: list[str]) -> None:
    assert [int(t or "0") for t in sorted(texts, key=digits_key)] == sorted(
        int(t or "0") for t in texts)
