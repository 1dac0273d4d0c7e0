"""Run targets on mutated inputs: counts, crashes (saved for triage) and the slowest input."""

from __future__ import annotations

import hashlib
import random
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from tests.fuzz.mutate import mutate
from tests.fuzz.targets import TARGETS

__all__ = ["Stats", "run_target"]


@dataclass
class Stats:
    """What one run of one target found."""

    target: str
    inputs: int = 0
    refused: int = 0
    crashes: list[tuple[str, str]] = field(default_factory=list)
    slowest: float = 0.0
    slowest_input: str = ""
    seconds: float = 0.0

    def merge(self, other: Stats) -> None:
        """Add another worker's counts."""
        self.inputs += other.inputs
        self.refused += other.refused
        self.crashes += other.crashes
        self.seconds = max(self.seconds, other.seconds)
        if other.slowest > self.slowest:
            self.slowest, self.slowest_input = other.slowest, other.slowest_input


def run_target(name: str, inputs: int, seed: int = 0, seconds: float | None = None,
               save: Path | None = None) -> Stats:
    """Feed ``inputs`` mutated inputs (or as many as fit in ``seconds``) to target ``name``."""
    target = TARGETS[name]
    rng = random.Random(seed)
    seeds = target.seeds()
    stats = Stats(name)
    start = time.monotonic()
    while stats.inputs < inputs and (seconds is None or time.monotonic() - start < seconds):
        text = mutate(rng, seeds)
        began = time.perf_counter()
        try:
            target.run(text, rng)
        except target.allowed:
            stats.refused += 1
        except RecursionError as exc:  # a RecursionError is a crash, never a refusal
            stats.crashes.append((text, "".join(traceback.format_exception(exc))[-2000:]))
        except Exception as exc:
            stats.crashes.append((text, "".join(traceback.format_exception(exc))[-2000:]))
        took = time.perf_counter() - began
        if took > stats.slowest:
            stats.slowest, stats.slowest_input = took, text
        stats.inputs += 1
    stats.seconds = time.monotonic() - start
    if save is not None:
        (save / name).mkdir(parents=True, exist_ok=True)
        (save / name / f"slowest-{seed}.txt").write_bytes(
            stats.slowest_input.encode("utf-8", "surrogateescape"))
        for text, trace in stats.crashes:
            digest = hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:12]
            folder = save / name
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{digest}.txt").write_bytes(text.encode("utf-8", "surrogateescape"))
            (folder / f"{digest}.trace").write_text(trace)
    return stats
