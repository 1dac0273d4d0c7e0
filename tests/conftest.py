"""Test-wide settings: Hypothesis without per-example deadlines (CI machines are shared and slow,
and a deadline there measures the machine, not nvreq), derandomized under CI so a run is
reproducible."""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("nvreq", deadline=None, print_blob=True)
settings.register_profile("nvreq-ci", parent=settings.get_profile("nvreq"), derandomize=True)
settings.load_profile("nvreq-ci" if os.environ.get("CI") else "nvreq")
