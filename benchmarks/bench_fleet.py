"""Speed of the scheduler API, as ratios against baselines measured in the same run.

Run: ``python benchmarks/bench_fleet.py`` (``--nodes N`` to scale, ``--json`` for machine output).

Workload (issue #6): the official ``nvidia/cuda:12.4.1`` environment (31-term
``NVIDIA_REQUIRE_CUDA``) against 10^6 nodes drawn from 50 distinct profiles. Goals: one image
against the whole fleet in under 1 s; at least 10^6 compiled evaluations per second on one core.
Baselines: ``check_env`` (the explaining road) per node, and the compiled requirement called per
node without grouping. The process is pinned to one CPU where the OS allows it.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

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


def profiles() -> list[HostProfile]:
    """50 distinct profiles: 10 driver/CUDA pairs x 5 GPU kinds (one without a known brand)."""
    return [HostProfile(gpus=tuple(Gpu(i, brand=brand, arch=arch) for i in range(n)),
                        driver=driver, cuda=cuda)
            for driver, cuda in DRIVERS for brand, arch, n in GPUS]


def _pin() -> str:
    try:
        cpu = min(os.sched_getaffinity(0))
        os.sched_setaffinity(0, {cpu})
        return f"pinned to CPU {cpu}"
    except (AttributeError, OSError):
        return "not pinned"


def _best(fn: Callable[[], Any], repeat: int = 3) -> tuple[float, Any]:
    best, value = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        value = fn()
        best = min(best, time.perf_counter() - start)
    return best, value


def measure(nodes: int) -> dict[str, Any]:
    """All figures for ``nodes`` hosts; times in seconds."""
    kinds = profiles()
    fleet = Fleet()
    start = time.perf_counter()
    for i in range(nodes):
        fleet.add(f"node-{i}", kinds[i % len(kinds)])
    register = time.perf_counter() - start
    first = time.perf_counter()
    result = fleet.evaluate(ENV, label="cuda:12.4.1")
    first = time.perf_counter() - first
    warm, result = _best(lambda: fleet.evaluate(ENV, label="cuda:12.4.1"))
    full, counted = _best(lambda: sum(1 for _, o in fleet.evaluate(ENV).items() if o), repeat=1)
    verdicts, _ = _best(lambda: sum(1 for v in fleet.evaluate(ENV) if v), repeat=1)
    hosts = [kinds[i % len(kinds)] for i in range(nodes)]
    compiled = parse_requirement(CUDA_12_4_1).compile()
    naive_compiled, _ = _best(lambda: sum(1 for h in hosts if compiled(h, unknown="fail")),
                              repeat=1)
    sample = hosts[: min(nodes, 2000)]
    explaining, _ = _best(lambda: [check_env(ENV, h, unknown="fail") for h in sample], repeat=1)
    explaining_per_node = explaining / len(sample)
    # compiled evaluations: one requirement in one GPU context, keys rebuilt per node
    contexts = [Context.for_gpu(h.cuda, h.driver, h.gpus[0].arch, h.gpus[0].brand,
                                unknown="fail") for h in hosts]
    keys = [context_key(c) for c in contexts]
    evaluate_key = compiled.evaluate_key
    per_eval, _ = _best(lambda: [evaluate_key(k) for k in keys])
    req = parse_requirement(CUDA_12_4_1)
    ex_sample = contexts[: min(nodes, 20000)]
    explain_eval, _ = _best(lambda: [evaluate(req, c) for c in ex_sample], repeat=1)
    return {
        "nodes": nodes, "profiles": fleet.group_count, "counts": result.counts(),
        "runnable_hosts": counted, "register_s": register,
        "evaluate_first_s": first, "evaluate_warm_s": warm, "evaluate_and_iterate_s": full,
        "evaluate_and_host_verdicts_s": verdicts,
        "baseline_compiled_per_node_s": naive_compiled,
        "baseline_check_env_per_node_s": explaining_per_node * nodes,
        "compiled_evaluations_per_s": nodes / per_eval,
        "explaining_evaluations_per_s": len(ex_sample) / explain_eval,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--nodes", type=int, default=1_000_000)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pinned = _pin()
    r = measure(args.nodes)
    if args.json:
        json.dump({**r, "cpu": pinned}, sys.stdout, indent=2)
        print()
        return 0
    n = r["nodes"]
    print(f"{n} nodes from {r['profiles']} distinct profiles ({pinned}); verdicts {r['counts']}")
    print(f"  register the hosts once                 {r['register_s']:8.3f} s")
    print(f"  one image, first evaluation (compiles)  {r['evaluate_first_s']:8.4f} s")
    print(f"  one image, warm                         {r['evaluate_warm_s']:8.4f} s")
    print(f"  one image + every host's outcome read   {r['evaluate_and_iterate_s']:8.4f} s")
    print(f"  … as HostVerdict objects with notes     {r['evaluate_and_host_verdicts_s']:8.4f} s")
    print(f"  baseline: compiled call per node        {r['baseline_compiled_per_node_s']:8.3f} s"
          f"   ({r['baseline_compiled_per_node_s'] / r['evaluate_first_s']:,.0f}x slower "
          "than the first evaluation)")
    print(f"  baseline: check_env per node (sampled)  {r['baseline_check_env_per_node_s']:8.1f} s"
          f"   ({r['baseline_check_env_per_node_s'] / r['evaluate_first_s']:,.0f}x slower)")
    print(f"  compiled evaluations per second         {r['compiled_evaluations_per_s']:12,.0f}"
          f"   ({r['compiled_evaluations_per_s'] / r['explaining_evaluations_per_s']:,.0f}x the "
          f"explaining evaluator's {r['explaining_evaluations_per_s']:,.0f}/s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
