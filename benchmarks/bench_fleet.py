"""Speed of the scheduler API (``Fleet``) in interleaved rounds, baselines from the same rounds.

Run: ``python benchmarks/bench_fleet.py`` (``--nodes N``, ``--distinct N``, ``--rounds N``,
``--json``). The process is pinned to one CPU where the OS allows it.

Two workloads, both the official ``nvidia/cuda:12.4.1`` environment (31-term
``NVIDIA_REQUIRE_CUDA``):

* grouped (issue #6): ``--nodes`` hosts (10^6) drawn from 50 distinct profiles. Goals: one image
  against the whole fleet in under 1 s; 10^6 compiled evaluations per second on one core.
  Baseline: the compiled requirement called once per node, without grouping.
* distinct (issue #10): ``--distinct`` hosts (10^4) that are all different, as real nodes are (each
  GPU has its own UUID), so no two share an evaluation. Goal: every host's verdict and reasons in
  under 1 s. Baseline: ``check_env`` per host (the explaining road), timed on a sample of 200 hosts
  and scaled to the fleet.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._rounds import Stats, interleave, per_call_sampler, pin, table
from nvreq.check.checker import check_env
from nvreq.fleet.core import Fleet
from nvreq.host.profile import Gpu, HostProfile
from nvreq.require.compiled import context_key
from nvreq.require.semantics import Context, evaluate
from nvreq.require.syntax import parse_requirement

BRANDS = ("tesla", "unknown", "nvidia", "nvidiartx", "geforce", "geforcertx", "quadro",
          "quadrortx", "titan", "titanrtx")
CUDA_12_4_1 = "cuda>=12.4 " + " ".join(
    f"brand={b},driver>={br},driver<{br + 1}" for br in (470, 525, 535) for b in BRANDS)
ENV = [f"NVIDIA_REQUIRE_CUDA={CUDA_12_4_1}", "NVIDIA_VISIBLE_DEVICES=all",
       "NVIDIA_DRIVER_CAPABILITIES=compute,utility", "CUDA_VERSION=12.4.1"]
DRIVERS = (("470.82.01", "11.4"), ("525.60.13", "12.0"), ("535.104.05", "12.2"),
           ("545.23.06", "12.3"), ("550.54.15", "12.4"), ("570.124.06", "12.8"),
           ("580.65.06", "13.0"), ("535.54.03", "12.2"), ("550.127.05", "12.4"),
           ("525.147.05", "12.0"))
GPUS = (("Nvidia", "9.0", 8), ("Nvidia", "8.0", 4), ("Tesla", "7.5", 1), ("GeForce", "8.9", 1),
        (None, "9.0", 8))
EXPLAINED_SAMPLE = 200
EVALUATIONS = "50 evaluations (one per profile)"


def profiles() -> list[HostProfile]:
    """50 distinct profiles: 10 driver/CUDA pairs x 5 GPU kinds (one without a known brand)."""
    return [HostProfile(gpus=tuple(Gpu(i, brand=brand, arch=arch) for i in range(n)),
                        driver=driver, cuda=cuda)
            for driver, cuda in DRIVERS for brand, arch, n in GPUS]


def distinct_hosts(n: int, batch: int = 0) -> list[tuple[str, HostProfile]]:
    """``n`` named hosts, the 50 kinds in turn, each GPU with a UUID of its own (``batch``
    makes another set, never seen before)."""
    kinds = profiles()
    return [(f"node-{i}", HostProfile(
        gpus=tuple(Gpu(g.index, uuid=f"GPU-{i:08x}-{batch:04x}-4000-8000-{g.index:012x}",
                       brand=g.brand, arch=g.arch) for g in kind.gpus),
        driver=kind.driver, cuda=kind.cuda))
        for i, kind in ((i, kinds[i % len(kinds)]) for i in range(n))]


def _timed(fn: Callable[[], object]) -> Callable[[], float]:
    """A sampler of one call of ``fn``."""

    def sample() -> float:
        start = time.perf_counter()
        fn()
        return time.perf_counter() - start

    return sample


def grouped_cases(nodes: int) -> dict[str, Callable[[], float]]:
    """The grouped workload; each round registers a fresh fleet first."""
    kinds = profiles()
    hosts = [(f"node-{i}", kinds[i % len(kinds)]) for i in range(nodes)]
    state: dict[str, Fleet] = {}
    compiled = parse_requirement(CUDA_12_4_1).compile()
    plain = [h for _, h in hosts]

    def register() -> None:
        state["fleet"] = Fleet(hosts)

    def reasons() -> None:
        for v in state["fleet"].evaluate(ENV):
            v.reasons  # noqa: B018  # reading them is the point

    return {
        "register the hosts": _timed(register),
        "evaluate, first (compiles)": _timed(lambda: state["fleet"].evaluate(ENV)),
        "evaluate, warm": _timed(lambda: state["fleet"].evaluate(ENV)),
        "evaluate + every host's outcome": _timed(
            lambda: sum(1 for _, o in state["fleet"].evaluate(ENV).items() if o)),
        "evaluate + HostVerdicts with reasons": _timed(reasons),
        "baseline: compiled call per node": _timed(
            lambda: sum(1 for h in plain if compiled(h, unknown="fail"))),
    }


def distinct_cases(count: int) -> dict[str, Callable[[], float]]:
    """The distinct workload; each round registers a fresh fleet first."""
    hosts = distinct_hosts(count)
    state: dict[str, Fleet] = {}
    batches = iter(range(1, 1 << 16))

    def register() -> None:
        state["fleet"] = Fleet(hosts)

    def verdicts_and_reasons() -> None:
        for v in state["fleet"].evaluate(ENV):
            v.reasons  # noqa: B018

    def explained() -> float:
        # hosts never seen before: check_env remembers the checks it was asked
        sample = [h for _, h in distinct_hosts(EXPLAINED_SAMPLE, next(batches))]
        start = time.perf_counter()
        for h in sample:
            check_env(ENV, h, unknown="fail")
        return time.perf_counter() - start

    return {
        "register the hosts": _timed(register),
        "evaluate + every host's verdict and reasons": _timed(verdicts_and_reasons),
        f"baseline: check_env per host (x{count / EXPLAINED_SAMPLE:g} of {EXPLAINED_SAMPLE})":
            lambda: explained() * count / EXPLAINED_SAMPLE,
    }


def evaluation_cases() -> dict[str, Callable[[], float]]:
    """One compiled and one explaining evaluation, per call."""
    kinds = profiles()
    contexts = [Context.for_gpu(h.cuda, h.driver, h.gpus[0].arch, h.gpus[0].brand,
                                unknown="fail") for h in kinds]
    keys = [context_key(c) for c in contexts]
    compiled = parse_requirement(CUDA_12_4_1).compile()
    req = parse_requirement(CUDA_12_4_1)
    evaluate_key = compiled.evaluate_key
    return {
        "baseline: explaining evaluator": per_call_sampler(
            lambda: [evaluate(req, c) for c in contexts]),
        "compiled": per_call_sampler(lambda: [evaluate_key(k) for k in keys]),
    }


def _baseline(cases: dict[str, Callable[[], float]]) -> str:
    return next(name for name in cases if name.startswith("baseline"))


def measure(nodes: int, distinct: int, rounds: int) -> dict[str, dict[str, Stats]]:
    """Every workload's figures, in seconds (evaluations: per 50 of them)."""
    workloads = {f"grouped: {nodes:,} hosts from 50 profiles": grouped_cases(nodes),
                 f"distinct: {distinct:,} hosts, no two alike": distinct_cases(distinct),
                 EVALUATIONS: evaluation_cases()}
    return {name: interleave(cases, rounds, baseline=_baseline(cases))
            for name, cases in workloads.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--distinct", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pinned = pin()
    results = measure(args.nodes, args.distinct, args.rounds)
    if args.json:
        out: dict[str, Any] = {"cpu": pinned, "rounds": args.rounds}
        out |= {w: {name: s.to_dict() for name, s in r.items()} for w, r in results.items()}
        json.dump(out, sys.stdout, indent=2)
        print()
        return 0
    print(f"({pinned}; {args.rounds} rounds; median [q1–q3])")
    for workload, r in results.items():
        unit, name = (1e-6, "µs") if workload == EVALUATIONS else (1e-3, "ms")
        print(f"\n{workload}")
        print(table(r, unit, name, baseline=next(n for n in r if n.startswith("baseline"))))
    per_second = 50 / results[EVALUATIONS]["compiled"].median
    print(f"\ncompiled evaluations per second (median): {per_second:,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
