"""Release thresholds: toolkit and Docker versions compared by their numeric prefix."""

from __future__ import annotations

import pytest

from nvreq.require.versions import version_at_least, version_tuple


@pytest.mark.parametrize(("text", "minimum", "expected"), [
    ("1.18.0", (1, 18), True), ("1.17.9", (1, 18), False), ("v1.18.0-rc.1", (1, 18), True),
    ("1.5", (1, 5, 1), False), ("2", (1, 18), True), (None, (9, 9), True), ("dev", (1,), True),
])
def test_version_at_least(text: str | None, minimum: tuple[int, ...], expected: bool) -> None:
    assert version_at_least(text, *minimum) is expected


def test_version_tuple() -> None:
    assert version_tuple(" v29.2.0+dirty") == (29, 2, 0)
