"""``python -m tests.fuzz``: the hardening campaign, for as long as you like.

    .venv/bin/python -m tests.fuzz --inputs 1000000 --jobs 16          # every target
    .venv/bin/python -m tests.fuzz --target requirement --hours 4 --jobs 8

Prints, per target, the inputs run, clear refusals, crashes and the slowest input; crashing inputs
(and each worker's slowest) are written under ``--save`` (default ``fuzz-crashes/``). Turn each
crash into a regression input in ``tests/data/crashes/`` (CLI level) or a unit test, fix it at
its root, and run again.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from tests.fuzz.campaign import Stats, run_target
from tests.fuzz.targets import TARGETS


def _one(job: tuple[str, int, int, float | None, str, int]) -> Stats:
    import resource

    name, inputs, seed, seconds, save, memory = job
    # an input that makes nvreq allocate without bound is a MemoryError (a crash, with its
    # input), not a worker the kernel kills along with whatever else runs on the machine
    resource.setrlimit(resource.RLIMIT_AS, (memory << 30, memory << 30))
    return run_target(name, inputs, seed, seconds, Path(save))


def main(argv: list[str] | None = None) -> int:
    """Run the campaign; exit 1 when anything crashed."""
    parser = argparse.ArgumentParser(prog="python -m tests.fuzz", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--target", action="append", choices=sorted(TARGETS),
                        help="targets to run (default: all)")
    parser.add_argument("--inputs", type=int, default=10_000, help="inputs per target")
    parser.add_argument("--hours", type=float, help="time per target instead of a count")
    parser.add_argument("--jobs", type=int, default=1, help="worker processes")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--save", default="fuzz-crashes", help="folder for crashing inputs")
    parser.add_argument("--memory-gib", type=int, default=4,
                        help="address space per worker; more is a crash (default 4)")
    args = parser.parse_args(argv)
    seconds = args.hours * 3600 if args.hours else None
    total = sys.maxsize if seconds else args.inputs
    names = args.target or sorted(TARGETS)
    jobs = [(name, -(-total // args.jobs), args.seed * 1000 + k, seconds, args.save,
             args.memory_gib) for name in names for k in range(args.jobs)]
    results: dict[str, Stats] = {name: Stats(name) for name in names}
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        for stats in pool.map(_one, jobs):
            results[stats.target].merge(stats)
    print(f"{'target':<20} {'inputs':>10} {'refused':>9} {'crashes':>8} {'slowest s':>10}  "
          "slowest input (first 60 characters)")
    for stats in results.values():
        print(f"{stats.target:<20} {stats.inputs:>10} {stats.refused:>9} {len(stats.crashes):>8} "
              f"{stats.slowest:>10.3f}  {stats.slowest_input[:60]!r}")
    return 1 if any(s.crashes for s in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
