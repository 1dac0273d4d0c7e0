"""Every public name is documented: docs/api.md lists them all and is current."""

from __future__ import annotations

from pathlib import Path

from tests.apidoc import render

API = Path(__file__).resolve().parent.parent / "docs" / "api.md"


def test_api_reference_is_current() -> None:
    assert API.read_text(encoding="utf-8") == render(), (
        "docs/api.md is stale: run `python -m tests.apidoc > docs/api.md`")


def test_every_public_name_has_a_summary_or_a_value() -> None:
    rows = [line for line in render().splitlines() if line.startswith("| `")]
    assert rows
    empty = [row for row in rows if row.rstrip().endswith("|  |")]
    assert not empty, empty
