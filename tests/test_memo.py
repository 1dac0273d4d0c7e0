"""``remember``: a bounded table of answers that never changes an answer."""

from __future__ import annotations

import pytest

from nvreq._memo import remember


def test_a_full_table_starts_afresh() -> None:
    table: dict[object, int] = {}
    for i in range(5):
        remember(table, i, lambda i=i: i * i, limit=3)  # type: ignore[misc]
    assert table == {3: 9, 4: 16}


def test_an_unhashable_key_gets_the_computation_itself_including_its_error() -> None:
    table: dict[object, int] = {}

    def fail() -> int:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input") as ctx:
        remember(table, [1], fail)
    assert ctx.value.__context__ is None
    assert table == {}


def test_an_error_is_not_kept() -> None:
    table: dict[object, int] = {}
    with pytest.raises(ZeroDivisionError):
        remember(table, "k", lambda: 1 // 0)
    assert remember(table, "k", lambda: 7) == 7
