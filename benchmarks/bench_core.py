"""Speed of the requirement evaluator, as ratios against baselines measured in the same run.

Run: ``python benchmarks/bench_core.py`` (``--rounds N``, ``--json`` for machine-readable output).

Workload (issue #2): the 31-term ``NVIDIA_REQUIRE_CUDA`` of nvidia/cuda:12.4.1-base-ubuntu22.04 on
three hosts: one matching the first alternative, one the 21st, one none. Goals: compiled
evaluation <= 1 µs per call; cold parse + evaluate of a never-seen string <= 50 µs. Baselines: a
plain Lark parse of the same string, and the explaining evaluator. Every figure is the median of
interleaved rounds (one sample of each case per round), with its quartiles.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._rounds import Stats, interleave, per_call_sampler, table
from nvreq.host.profile import Gpu, HostProfile
from nvreq.require import compiled
from nvreq.require.semantics import Context, evaluate
from nvreq.require.syntax import _lark, parse_requirement

BRANDS = ("tesla", "unknown", "nvidia", "nvidiartx", "geforce", "geforcertx", "quadro",
          "quadrortx", "titan", "titanrtx")
CUDA_12_4_1 = "cuda>=12.4 " + " ".join(
    f"brand={b},driver>={br},driver<{br + 1}" for br in (470, 525, 535) for b in BRANDS)

BASELINE = "baseline: Lark parse"
HOSTS = {
    "first (H100, 550.54.15)": HostProfile(
        gpus=tuple(Gpu(i, brand="Nvidia", arch="9.0") for i in range(8)), driver="550.54.15",
        cuda="12.4"),
    "21st (TitanRTX, 525.60.13)": HostProfile(
        gpus=(Gpu(0, brand="TitanRTX", arch="7.5"),), driver="525.60.13", cuda="12.0"),
    "none (Nvidia, 545.23.06)": HostProfile(
        gpus=(Gpu(0, brand="Nvidia", arch="9.0"),), driver="545.23.06", cuda="12.3"),
}


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


def host_cases(host: HostProfile,
               lark_parse: Callable[[], float]) -> dict[str, Callable[[], float]]:
    """Per-call samplers for one host (seconds per call)."""
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
        "compiled call (memo warm)": per_call_sampler(lambda: fast(host)),
        "compiled, no memo": per_call_sampler(lambda: fast._run(key)),
        "cold parse+evaluate, new string": per_call_sampler(cold),
        "  … and clause cache cleared": per_call_sampler(coldest),
        "explaining parse+evaluate": per_call_sampler(
            lambda: evaluate(parse_requirement(CUDA_12_4_1), ctx)),
        BASELINE: lark_parse,
    }


def measure(rounds: int) -> dict[str, dict[str, Stats]]:
    """Per host, every figure in seconds per call, in interleaved rounds."""
    lark = _lark()
    lark_parse = per_call_sampler(lambda: lark.parse(CUDA_12_4_1))
    return {f"{name} (alternative {_check_alternative(host)})": interleave(
        host_cases(host, lark_parse), rounds, warmups=2, baseline=BASELINE)
        for name, host in HOSTS.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results = measure(args.rounds)
    if args.json:
        json.dump({host: {name: s.to_dict(1e-6) for name, s in r.items()}
                   for host, r in results.items()}, sys.stdout, indent=2)
        print()
        return 0
    print(f"requirement: nvidia/cuda:12.4.1 NVIDIA_REQUIRE_CUDA, {len(CUDA_12_4_1)} bytes, "
          f"{CUDA_12_4_1.count(' ') + 1} alternatives; {args.rounds} rounds, median [q1–q3] "
          "per call")
    for host, r in results.items():
        print(f"\nhost matching {host}")
        print(table(r, 1e-6, "µs", baseline=BASELINE))
    return 0


if __name__ == "__main__":
    sys.exit(main())
