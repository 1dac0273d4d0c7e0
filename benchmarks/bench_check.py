"""Speed of ``check_env``: the bare verdict and the full report, as ratios to a baseline.

Run: ``python benchmarks/bench_check.py`` (``--rounds N``, ``--json`` for machine output).

Workloads (issue #10): the real environments of ``nvidia/cuda:12.4.1-base-ubuntu22.04`` (31-term
``NVIDIA_REQUIRE_CUDA``) and of an ``nvidia/cuda:13.0.2`` container (61 terms), each on the three
hosts of ``bench_core.py`` (A matches the first term of the 12.4.1 string, B its 21st, C none).
Measured per call:

- baseline: a regular-expression split of the same string into clauses (``re.split`` on spaces,
  then on commas), about what the Go toolkit's parse + evaluate costs;
- verdict: ``check_env(env, host)`` then ``bool(report)``, ``report.verdict`` and
  ``report.runtime_message`` (goal: at most 1x the baseline);
- to_dict: ``check_env(env, host).to_dict()`` (goal: at most 5x the baseline);
- baseline, precompiled: the same split with compiled patterns (informative: re.split's own
  overhead is about half of the baseline);
- verdict and to_dict, never-seen text: the same on a string never seen before (same meaning,
  spelled with leading zeros), so that nothing remembered per text helps (informative, no goal;
  measured in a second phase, against the baseline again, since each new text is remembered).

Every round times each measurement once, in an order rotated from round to round, so that a change
of machine load hits them all alike; a ratio is taken within its round, and the figures are the
medians over the rounds with their spread (the lowest and highest round). Checks are remembered
per distinct input, so the repeated calls measure what a scheduler or a CLI loop pays.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_core import CUDA_12_4_1, HOSTS  # noqa: E402

from nvreq.check.checker import check_env  # noqa: E402
from nvreq.host.profile import HostProfile  # noqa: E402

#: the environment nvidia/cuda:12.4.1-base-ubuntu22.04 sets (examples/*.env, PATH aside)
ENV_12_4_1 = [f"NVIDIA_REQUIRE_CUDA={CUDA_12_4_1}", "NV_CUDA_CUDART_VERSION=12.4.127-1",
              "NV_CUDA_COMPAT_PACKAGE=cuda-compat-12-4", "CUDA_VERSION=12.4.1",
              "NVIDIA_VISIBLE_DEVICES=all", "NVIDIA_DRIVER_CAPABILITIES=compute,utility"]


def _env_13_0() -> list[str]:
    """The NVIDIA_* variables of a real nvidia/cuda:13.0.2 container (tests/data), as the image
    sets them: ``NVIDIA_VISIBLE_DEVICES=all`` (the runtime had narrowed it to ``0``)."""
    lines = (ROOT / "tests" / "data" / "h200-device-env.txt").read_text().splitlines()
    return ["NVIDIA_VISIBLE_DEVICES=all" if line.startswith("NVIDIA_VISIBLE_DEVICES=") else line
            for line in lines if line]


WORKLOADS = {"12.4.1 (31 terms)": ENV_12_4_1, "13.0 (61 terms)": _env_13_0()}
HOST_NAMES = dict(zip("ABC", HOSTS, strict=True))
_SPACE = re.compile(" ")
_COMMA = re.compile(",")


def _require_text(env: list[str]) -> str:
    return next(e for e in env if e.startswith("NVIDIA_REQUIRE_CUDA=")).partition("=")[2]


def _fresh_envs(env: list[str]) -> Iterator[list[str]]:
    """The env with its requirement's first clause spelled anew each time (cuda>=0012.04...)."""
    text = _require_text(env)
    head, _, tail = text.partition(" ")
    name, _, version = head.partition(">=")
    major, _, minor = version.partition(".")
    i = 0
    while True:
        i += 1
        first = f"{name}>={'0' * (i % 97 + 1)}{major}.{'0' * (i // 97 % 97)}{minor}"
        yield [f"NVIDIA_REQUIRE_CUDA={first} {tail}" if e.startswith("NVIDIA_REQUIRE_CUDA=")
               else e for e in env]


def calls(env: list[str], host: HostProfile) -> tuple[dict[str, Callable[[], object]],
                                                       dict[str, Callable[[], object]]]:
    """The measured calls in two phases, each with the baseline first: a check asked again (what
    a scheduler or a CLI loop asks), then checks of never-seen texts."""
    text = _require_text(env)
    fresh = _fresh_envs(env)

    def baseline() -> object:
        return [re.split(",", segment) for segment in re.split(" ", text)]

    def baseline_precompiled() -> object:
        return [_COMMA.split(segment) for segment in _SPACE.split(text)]

    def verdict() -> object:
        report = check_env(env, host)
        return bool(report), report.verdict, report.runtime_message

    def to_dict() -> object:
        return check_env(env, host).to_dict()

    def verdict_new_text() -> object:
        report = check_env(next(fresh), host)
        return bool(report), report.verdict, report.runtime_message

    def to_dict_new_text() -> object:
        return check_env(next(fresh), host).to_dict()

    return ({"baseline": baseline, "baseline_precompiled": baseline_precompiled,
             "verdict": verdict, "to_dict": to_dict},
            {"baseline": baseline, "verdict_new_text": verdict_new_text,
             "to_dict_new_text": to_dict_new_text})


def _loops(fn: Callable[[], object], target: float) -> int:
    """Calls per timing so that one timing lasts about ``target`` seconds."""
    n = 1
    while True:
        start = time.perf_counter()
        for _ in range(n):
            fn()
        if time.perf_counter() - start >= target / 4 or n >= 1 << 20:
            return max(1, n * 4)
        n *= 2


def _time(fn: Callable[[], object], loops: int) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        fn()
    return (time.perf_counter() - start) / loops


Case = tuple[str, str, str, Callable[[], object]]


def _rounds(cases: list[Case], rounds: int, target: float) -> dict[str, dict[str, dict[str, Any]]]:
    """Interleaved rounds over ``cases``; ratios to the baseline of the same round."""
    loops = [_loops(fn, target) for _, _, _, fn in cases]
    samples: list[list[float]] = [[] for _ in cases]
    for r in range(rounds):
        order = list(range(len(cases)))
        order = order[r % len(order):] + order[: r % len(order)]
        for i in order:
            samples[i].append(_time(cases[i][3], loops[i]))
    out: dict[str, dict[str, dict[str, Any]]] = {}
    base_of = {(w, h): samples[i] for i, (w, h, name, _) in enumerate(cases)
               if name == "baseline"}
    for i, (w, h, name, _) in enumerate(cases):
        ratios = [t / b for t, b in zip(samples[i], base_of[(w, h)], strict=True)]
        out.setdefault(w, {}).setdefault(h, {})[name] = {
            "median_s": statistics.median(samples[i]), "min_s": min(samples[i]),
            "max_s": max(samples[i]), "ratio": statistics.median(ratios),
            "ratio_min": min(ratios), "ratio_max": max(ratios), "loops": loops[i],
        }
    return out


def measure(rounds: int, target: float) -> dict[str, dict[str, dict[str, Any]]]:
    """Per workload, per host: each call's median seconds per call, spread and ratio.

    Never-seen texts run in a phase of their own, after the checks asked again: each one is
    remembered, and pushing the others out of memory is part of what it measures.
    """
    phases: tuple[list[Case], list[Case]] = ([], [])
    for w, env in WORKLOADS.items():
        for h, full in HOST_NAMES.items():
            for phase, named in zip(phases, calls(env, HOSTS[full]), strict=True):
                phase.extend((w, h, name, fn) for name, fn in named.items())
    out = _rounds(phases[0], rounds, target)
    for w, hosts in _rounds(phases[1], rounds, target).items():
        for h, figures in hosts.items():
            figures.pop("baseline")
            out[w][h].update(figures)
    return out


def _cell(m: dict[str, Any], base: bool = False) -> str:
    us = m["median_s"] * 1e6
    spread = f"{m['min_s'] * 1e6:.1f}–{m['max_s'] * 1e6:.1f}"
    if base:
        return f"{us:9.1f} ({spread})"
    return f"{us:9.1f} ({spread}) {m['ratio']:6.2f}× [{m['ratio_min']:.2f}–{m['ratio_max']:.2f}]"


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15, help="interleaved rounds (default 15)")
    parser.add_argument("--target", type=float, default=0.02,
                        help="seconds per timing (default 0.02)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = measure(args.rounds, args.target)
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
        return 0
    print(f"{args.rounds} interleaved rounds; µs per call: median (lowest–highest round), "
          "ratio to the baseline of the same round: median [lowest–highest]")
    for workload, hosts in results.items():
        print(f"\n{workload}")
        for h, m in hosts.items():
            print(f"  host {h}: {HOST_NAMES[h]}")
            print(f"    {'baseline (regex split)':<26} {_cell(m['baseline'], base=True)}")
            for name, label in (("baseline_precompiled", "baseline, precompiled"),
                                ("verdict", "verdict + message"), ("to_dict", "to_dict()"),
                                ("verdict_new_text", "verdict, never-seen text"),
                                ("to_dict_new_text", "to_dict(), never-seen text")):
                print(f"    {label:<26} {_cell(m[name])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
