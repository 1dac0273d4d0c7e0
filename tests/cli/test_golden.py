"""Byte-for-byte output of representative ``nvreq`` commands, pinned before the package moved."""

from __future__ import annotations

import pytest

from tests.golden.cases import CASES, path_for, render, run_case


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_is_unchanged(name: str) -> None:
    expected = path_for(name).read_text(encoding="utf-8")
    assert render(*run_case(CASES[name])) == expected
