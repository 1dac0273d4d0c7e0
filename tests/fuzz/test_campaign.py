"""A short budget of the campaign on every target: a crash (anything but a result or a clear
refusal) fails, with the input that caused it."""

from __future__ import annotations

import pytest

from tests.fuzz.campaign import run_target
from tests.fuzz.targets import TARGETS

#: inputs per target in CI; ``python -m tests.fuzz`` runs millions
CI_INPUTS = 150


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_target_survives_mutated_inputs(name: str) -> None:
    stats = run_target(name, CI_INPUTS, seed=20261205)
    assert stats.inputs == CI_INPUTS
    assert not stats.crashes, stats.crashes[0]
