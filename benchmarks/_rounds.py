"""Interleaved rounds, medians and spread: the one timing harness of every benchmark here.

Each round takes one sample of every case, in the same order, so that a load change on a shared
machine falls on all cases alike. A case's figure is the median of its samples, with the
interquartile range as its spread; a ratio to a baseline is the median of the per-round ratios
(each taken within one round), so a slow round does not skew it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Stats", "compiled_env", "interleave", "nvreq_command", "per_call_sampler", "pin",
           "process_sampler", "table"]

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True, slots=True)
class Stats:
    """The samples of one case (seconds) and, when a baseline was named, per-round ratios."""

    samples: tuple[float, ...]
    ratios: tuple[float, ...] = ()

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def spread(self) -> tuple[float, float]:
        """First and third quartile of the samples."""
        return _quartiles(self.samples)

    @property
    def ratio(self) -> float:
        """Median of the per-round ratios to the baseline."""
        return statistics.median(self.ratios)

    @property
    def ratio_spread(self) -> tuple[float, float]:
        return _quartiles(self.ratios)

    def to_dict(self, unit: float = 1.0) -> dict[str, float | int]:
        """Median, quartiles and sample count in ``unit`` (1e-3 for ms), plus ratio figures."""
        q1, q3 = self.spread
        out: dict[str, float | int] = {"median": self.median / unit, "q1": q1 / unit,
                                       "q3": q3 / unit, "rounds": len(self.samples)}
        if self.ratios:
            r1, r3 = self.ratio_spread
            out |= {"ratio": self.ratio, "ratio_q1": r1, "ratio_q3": r3}
        return out


def _quartiles(values: Sequence[float]) -> tuple[float, float]:
    if len(values) < 2:
        return values[0], values[0]
    q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return q1, q3


def interleave(cases: Mapping[str, Callable[[], float]], rounds: int, *, warmups: int = 1,
               baseline: str | None = None) -> dict[str, Stats]:
    """Run ``rounds`` rounds (after ``warmups`` unrecorded ones) of every case in turn.

    Each case is a sampler returning one timing in seconds. With ``baseline``, every case also
    gets its ratio to the baseline's sample of the same round.
    """
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for i in range(warmups + rounds):
        for name, sample in cases.items():
            value = sample()
            if i >= warmups:
                samples[name].append(value)
    out = {}
    for name, values in samples.items():
        ratios: tuple[float, ...] = ()
        if baseline is not None:
            ratios = tuple(v / b for v, b in zip(values, samples[baseline], strict=True))
        out[name] = Stats(tuple(values), ratios)
    return out


def per_call_sampler(fn: Callable[[], object], budget: float = 0.02) -> Callable[[], float]:
    """A sampler of ``fn``'s time per call: a loop sized once to about ``budget`` seconds."""
    timer = timeit.Timer(fn)
    number, elapsed = timer.autorange()
    number = max(1, round(number * budget / max(elapsed, 1e-9)))

    def sample() -> float:
        return timer.timeit(number) / number

    return sample


def process_sampler(argv: Sequence[str], env: Mapping[str, str] | None = None,
                    ok: tuple[int, ...] = (0, 1), clock: str = "wall") -> Callable[[], float]:
    """A sampler of one whole-process run of ``argv``, failing on an exit not in ``ok``.

    ``clock``: ``wall`` (elapsed time, what a user waits) or ``cpu`` (the child's user + system
    time, which a busy machine disturbs far less).
    """

    def sample() -> float:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        assert proc.stderr is not None
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        proc.stderr.close()
        if proc.returncode not in ok:
            raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}): "
                             f"{err.decode(errors='replace')[-500:]}")
        return elapsed if clock == "wall" else usage.ru_utime + usage.ru_stime

    return sample


def pin() -> str:
    """Pin this process to one CPU where the OS allows it; say what happened."""
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned"


def table(results: Mapping[str, Stats], unit: float, unit_name: str,
          baseline: str | None = None) -> str:
    """Rows of median [q1–q3] and, with ``baseline``, the ratio with its quartiles."""
    width = max(map(len, results)) + 2
    rows = []
    for name, s in results.items():
        q1, q3 = s.spread
        row = (f"  {name:<{width}}{s.median / unit:10.2f} {unit_name}"
               f"  [{q1 / unit:.2f}–{q3 / unit:.2f}]")
        if baseline is not None and s.ratios and name != baseline:
            r1, r3 = s.ratio_spread
            row += f"   {s.ratio:#8.3g}× {baseline}  [{r1:#.3g}–{r3:#.3g}]"
        rows.append(row)
    return "\n".join(rows)


def nvreq_command() -> list[str]:
    """The console script next to this interpreter, else ``python -m nvreq``."""
    script = Path(sys.executable).with_name("nvreq")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nvreq"]


def compiled_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for timing nvreq processes, with nvreq's byte-code compiled first.

    ``PYTHONDONTWRITEBYTECODE`` is dropped, as for an installed wheel: compiling nvreq's sources
    on every start would measure the compiler, not nvreq.
    """
    env = {**os.environ, **(extra or {}), "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "nvreq")], env=env,
                   check=True, capture_output=True)
    return env
