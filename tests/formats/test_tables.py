"""The one text-table layout (nvreq/formats/tables.py)."""

from __future__ import annotations

import pytest

from nvreq.formats.tables import table_lines


@pytest.mark.parametrize(("kwargs", "expected"), [
    ({}, ["NAME  GPUS  NOTE", "a     1", "bbb   12    x"]),
    ({"indent": "  "}, ["  NAME  GPUS  NOTE", "  a     1", "  bbb   12    x"]),
    ({"ragged_last": True}, ["NAME  GPUS  NOTE", "a     1     ", "bbb   12    x"]),
])
def test_columns_align_two_blanks_apart(kwargs: dict[str, object], expected: list[str]) -> None:
    rows = [("NAME", "GPUS", "NOTE"), ("a", "1", ""), ("bbb", "12", "x")]
    assert table_lines(rows, **kwargs) == expected  # type: ignore[arg-type]


def test_no_rows_no_lines() -> None:
    assert table_lines([]) == []
