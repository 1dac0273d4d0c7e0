"""Speed of the requirement evaluator, as ratios against baselines measured in the same run.

Run: ``python benchmarks/bench_core.py`` (add ``--json`` for machine-readable output).

Workload (issue #2): the 31-term ``NVIDIA_REQUIRE_CUDA`` of nvidia/cuda:12.4.1-base-ubuntu22.04 on
three hosts: one matching the first alternative, one the 21st, one none. Goals: compiled
evaluation <= 1 µs per call; cold parse + evaluate of a never-seen string <= 50 µs. Baselines: a
plain Lark parse of the same string, and the explaining evaluator.
"""

from __future__ import annotations

import argparse
import json
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from nvreq.host.profile import Gpu, HostProfile
from nvreq.require import compiled
from nvreq.require.semantics import Context, evaluate
from nvreq.require.syntax import _lark, parse_requirement

BRANDS = ("tesla", "unknown", "nvidia", "nvidiartx", "geforce", "geforcertx", "quadro",
          "quadrortx", "titan", "titanrtx")
CUDA_12_4_1 = "cuda>=12.4 " + " ".join(
    f"brand={b},driver>={br},driver<{br + 1}" for br in (470, 525, 535) for b in BRANDS)

HOSTS = {
    "first (H100, 550.54.15)": HostProfile(
        gpus=tuple(Gpu(i, brand="Nvidia", arch="9.0") for i in range(8)), driver="550.54.15",
        cuda="12.4"),
    "21st (TitanRTX, 525.60.13)": HostProfile(
        gpus=(Gpu(0, brand="TitanRTX", arch="7.5"),), driver="525.60.13", cuda="12.0"),
    "none (Nvidia, 545.23.06)": HostProfile(
        gpus=(Gpu(0, brand="Nvidia", arch="9.0"),), driver="545.23.06", cuda="12.3"),
}


def per_call(fn: Callable[[], object], budget: float = 0.4) -> float:
    """Seconds per call: the best of 5 repeats, each sized to about ``budget`` / 5 seconds."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    number = max(1, int(number * budget / 5 / max(timer.timeit(number), 1e-9)))
    return min(timer.repeat(repeat=5, number=number)) / number


def _fresh_strings(n: int) -> list[str]:
    """Never-seen strings that mean the same: the first clause spelled with leading zeros and
    trailing zero components (``cuda>=0012.04.0``), so every host takes the same path."""
    out = []
    for i in range(n):
        a, b, c = i % 100, (i // 100) % 100, i // 10000
        first = f"cuda>={'0' * a}12.{'0' * b}4{'.0' * c}"
        out.append(CUDA_12_4_1.replace("cuda>=12.4", first, 1))
    return out


def _check_alternative(host: HostProfile) -> str:
    gpu = host.gpus[0]
    verdict = evaluate(parse_requirement(CUDA_12_4_1),
                       Context.for_gpu(host.cuda, host.driver, gpu.arch, gpu.brand))
    hits = [i + 1 for i, a in enumerate(verdict.alternatives) if a.status == "satisfied"]
    return str(hits[0]) if hits else "none"


def measure_host(host: HostProfile, lark_parse: float) -> dict[str, float | str]:
    """The figures for one host, in seconds per call."""
    gpu = host.gpus[0]
    ctx = Context.for_gpu(host.cuda, host.driver, gpu.arch, gpu.brand)
    fast = parse_requirement(CUDA_12_4_1).compile()
    fast(host)
    key = compiled.context_key(ctx)
    fresh = iter(_fresh_strings(500_000))

    def cold() -> object:
        return parse_requirement(next(fresh)).compile()(host)

    def coldest() -> object:
        compiled._PREPARED.clear()
        return parse_requirement(next(fresh)).compile()(host)

    return {
        "matches_alternative": _check_alternative(host),
        "compiled_call": per_call(lambda: fast(host)),
        "compiled_uncached": per_call(lambda: fast._run(key)),
        "cold_parse_evaluate": per_call(cold),
        "cold_parse_evaluate_no_clause_cache": per_call(coldest),
        "explaining_parse_evaluate": per_call(
            lambda: evaluate(parse_requirement(CUDA_12_4_1), ctx), budget=1.0),
        "baseline_lark_parse": lark_parse,
    }


def measure() -> dict[str, dict[str, float | str]]:
    """All figures, in seconds per call, per host."""
    lark = _lark()
    lark_parse = per_call(lambda: lark.parse(CUDA_12_4_1), budget=1.0)
    return {name: measure_host(host, lark_parse) for name, host in HOSTS.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = measure()
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        print()
        return 0
    print(f"requirement: nvidia/cuda:12.4.1 NVIDIA_REQUIRE_CUDA, {len(CUDA_12_4_1)} bytes, "
          f"{CUDA_12_4_1.count(' ') + 1} alternatives")
    for name, r in results.items():
        base = float(r["baseline_lark_parse"])
        print(f"\nhost matching {name} (alternative {r['matches_alternative']})")
        for label, key in (("compiled call (memo warm)", "compiled_call"),
                           ("compiled, no memo", "compiled_uncached"),
                           ("cold parse+evaluate, new string", "cold_parse_evaluate"),
                           ("  … and clause cache cleared", "cold_parse_evaluate_no_clause_cache"),
                           ("explaining parse+evaluate", "explaining_parse_evaluate"),
                           ("baseline: Lark parse", "baseline_lark_parse")):
            t = float(r[key])
            print(f"  {label:<34} {t * 1e6:10.2f} µs   {base / t:9.1f}× faster than Lark parse")
    return 0


if __name__ == "__main__":
    sys.exit(main())
