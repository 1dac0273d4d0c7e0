"""``nvreq fleet IMAGE… --hosts …``: which hosts of a fleet can run which images, and why not."""

from __future__ import annotations

import argparse
import csv
import sys
import time
from typing import TYPE_CHECKING, Any

from nvreq.cli._envs import LabelledEnv, add_env_options, labelled_envs
from nvreq.cli.output import FORMATS, add_output_option
from nvreq.errors import InputError
from nvreq.formats.tables import table_lines

if TYPE_CHECKING:
    from nvreq.fleet.core import Fleet, FleetResult
    from nvreq.fleet.inputs import FleetInput

__all__ = ["HELP", "add_arguments", "run"]

HELP = ("evaluate images against many hosts (profiles or `kubectl get nodes -o json`): a matrix "
        "of verdicts and why not; exit 0 when every image runs on every host (--require any: on "
        "some host), 1 otherwise")
_CELL = {"satisfied": "yes", "unsatisfied": "NO", "error": "ERROR", "not-checked": "yes*"}
_PROGRESS_MIN = 1000


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nvreq fleet``."""
    add_env_options(parser, images="images to evaluate (one column each)")
    parser.add_argument("--hosts", metavar="DIR|FILE|NODELIST|-", action="append", required=True,
                        help="a directory of host profiles, a JSON list of profiles, the JSON of "
                        "`kubectl get nodes -o json`, `-` for stdin, or preset:NAME; repeatable")
    out = parser.add_mutually_exclusive_group()
    add_output_option(out, formats=(*FORMATS, "csv"),
                      text="a matrix of verdicts; csv: host,image,verdict,would_be,message,notes")
    out.add_argument("--csv", dest="output", action="store_const", const="csv",
                     help="same as -o csv")
    parser.add_argument("--unknown", choices=("fail", "assume"), default="fail",
                        help="a clause on a fact a profile does not know fails (default) or holds")
    parser.add_argument("--require", choices=("all", "any"), default="all",
                        help="exit 0 when each image runs on all hosts (default) or on any")
    parser.add_argument("--brand-label", metavar="KEY",
                        help="NodeList: the label holding the brand token (default: "
                        "feature.node.kubernetes.io/gpu-brand when present)")
    parser.add_argument("--brand-map", metavar="FILE",
                        help="NodeList: JSON object of nvidia.com/gpu.product value -> brand")
    parser.add_argument("--mode", choices=("legacy", "jit-cdi", "cdi", "csv", "auto"),
                        help="NodeList: the runtime mode of the nodes (labels do not say; "
                        "default legacy)")


class _Progress:
    """A one-line progress bar on stderr, for terminals only."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.shown = sys.stderr.isatty() and total > 1
        self.last = 0.0

    def __call__(self, done: int, label: str) -> None:
        now = time.monotonic()
        if not self.shown or (now - self.last < 0.1 and done < self.total):
            return
        self.last = now
        filled = 30 * done // self.total
        sys.stderr.write(f"\r[{'#' * filled}{'.' * (30 - filled)}] {done}/{self.total} "
                         f"{label[:40]}\033[K")
        sys.stderr.flush()

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def _read(args: argparse.Namespace) -> FleetInput:
    from nvreq.fleet.inputs import load_brand_map, read_hosts

    brand_map = load_brand_map(args.brand_map) if args.brand_map else None
    inputs = [read_hosts(spec, brand_label=args.brand_label, brand_map=brand_map, mode=args.mode)
              for spec in args.hosts]
    total = inputs[0]
    for more in inputs[1:]:
        total = total + more
    return total


def _evaluate(fleet: Fleet, envs: dict[str, LabelledEnv]) -> dict[str, FleetResult]:
    groups = max(1, fleet.group_count)
    progress = _Progress(len(envs) * groups if len(fleet) >= _PROGRESS_MIN else 0)
    results = {}
    try:
        for i, (label, env) in enumerate(envs.items()):
            def report(done: int, _total: int, i: int = i, label: str = label) -> None:
                progress(i * groups + done, label)

            results[label] = fleet.evaluate(env.env, label=label, progress=report,
                                            per_platform=env.per_platform)
    finally:
        progress.close()
    return results


def _describe(profile: Any) -> str:
    gpus = profile.gpus
    first = gpus[0] if gpus else None
    parts = [f"driver {profile.driver or '?'}", f"cuda {profile.cuda or '?'}",
             f"{len(gpus)} GPU" + ("s" if len(gpus) != 1 else "")]
    if first is not None:
        parts.append(f"arch {first.arch or '?'}")
        parts.append(f"brand {first.brand or '?'}")
    return ", ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("s" if n != 1 else "")


def _hosts_text(hosts: list[str], limit: int = 4) -> str:
    shown = ", ".join(hosts[:limit])
    return shown + (f", … (+{len(hosts) - limit})" if len(hosts) > limit else "")


def _table(results: dict[str, FleetResult], data: FleetInput) -> str:
    labels = list(results)
    first = next(iter(results.values()))
    groups = sum(1 for _ in first.groups())
    lines = [f"{_count(len(first), 'host')} in {_count(groups, 'group')} of identical profiles "
             f"({data.source})"]
    if data.non_gpu:
        lines.append(f"not evaluated, no GPU: {_hosts_text([n for n, _ in data.non_gpu])}")
    for _, why in data.problems:
        lines.append(f"not evaluated, unreadable: {why}")
    head = ["group", "hosts", *labels]
    rows = [head]
    per_image = [list(r.groups()) for r in results.values()]
    for g, (_, profile, hosts) in enumerate(per_image[0]):
        rows.append([f"{g + 1}: {_describe(profile)}", str(len(hosts)),
                     *(_CELL[groups[g][0].verdict] for groups in per_image)])
    lines.append("")
    lines += table_lines(rows)
    if any(_CELL[g[0].verdict] == "yes*" for groups in per_image for g in groups):
        lines.append("(yes* = not checked by the runtime: disabled, or no GPU requested)")
    group_notes = [{n for h in hosts[:50] for n in data.notes.get(h, ())}
                   for _, _, hosts in per_image[0]]
    common = set.intersection(*group_notes) if group_notes else set()
    if common:
        lines.append("approximate" + (" (every group)" if len(group_notes) > 1 else "") + ":")
        lines += [f"    {n}" for n in sorted(common)]
    for g, (_, _, hosts) in enumerate(per_image[0]):
        lines.append(f"group {g + 1}: {_hosts_text(hosts)}")
        lines += [f"    approximate: {n}" for n in sorted(group_notes[g] - common)]
    lines.append("")
    for label, result in results.items():
        counts = result.counts()
        ok = counts.get("satisfied", 0) + counts.get("not-checked", 0)
        lines.append(f"{label}: runs on {ok} of {len(result)} hosts")
        for g, (outcome, _, hosts) in enumerate(result.groups()):
            if not outcome:
                why = outcome.message or outcome.verdict
                extra = " (decided by unknown facts)" if outcome.unknown_decides else ""
                lines.append(f"  group {g + 1} ({_hosts_text(hosts, 3)}): {why}{extra}")
    return "\n".join(lines)


def _json(results: dict[str, FleetResult], data: FleetInput) -> dict[str, Any]:
    first = next(iter(results.values()))
    group_of = {h: g for g, (_, _, hosts) in enumerate(first.groups()) for h in hosts}
    hosts = []
    for verdict in first:
        entry: dict[str, Any] = {"host": verdict.name, "group": group_of[verdict.name] + 1,
                                 "notes": list(verdict.notes), "images": {}}
        for label, result in results.items():
            v = result[verdict.name]
            entry["images"][label] = {"verdict": v.verdict, "would_be": v.outcome.would_be,
                                      "message": v.outcome.message, "reasons": list(
                                          v.reasons[: len(v.reasons) - len(v.notes)])}
        hosts.append(entry)
    return {
        "format": "nvreq-fleet/1", "source": data.source, "images": list(results),
        "summary": {label: r.counts() for label, r in results.items()},
        "groups": [{"group": g + 1, "hosts": len(h), "profile": p.to_dict()}
                   for g, (_, p, h) in enumerate(first.groups())],
        "hosts": hosts,
        "non_gpu": [{"node": n, "why": w} for n, w in data.non_gpu],
        "unreadable": [{"node": n, "why": w} for n, w in data.problems],
    }


def _csv(results: dict[str, FleetResult]) -> None:
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["host", "image", "verdict", "would_be", "message", "notes"])
    for label, result in results.items():
        for v in result:
            writer.writerow([v.name, label, v.verdict, v.outcome.would_be or "",
                             v.outcome.message or "", "; ".join(v.notes)])


def run(args: argparse.Namespace) -> int:
    """Read the hosts and images, evaluate, print; the exit code follows ``--require``."""
    from nvreq.cli.output import emit
    from nvreq.fleet.core import Fleet

    data = _read(args)
    if not data.hosts:
        raise InputError(f"no GPU host to evaluate in {data.source}")
    envs = labelled_envs(args, {profile.platform or "" for _, profile in data.hosts})
    fleet = Fleet(data.hosts, unknown=args.unknown, notes=data.notes)
    results = _evaluate(fleet, envs)
    for _, why in data.problems:
        print(f"nvreq: warning: not evaluated: {why}", file=sys.stderr)
    if args.output in ("json", "yaml"):
        emit(_json(results, data), args.output)
    elif args.output == "csv":
        _csv(results)
    else:
        print(_table(results, data))
    if args.require == "all":
        ok = all(results.values())
    else:
        ok = all(r.runnable() for r in results.values())
    return 0 if ok else 1
