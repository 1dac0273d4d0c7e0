"""``nvreq presets``: list the built-in host presets, or print one."""

from __future__ import annotations

import argparse

from nvreq.tables import table_lines

__all__ = ["HELP", "add_arguments", "run"]

HELP = "list the built-in host presets (--show NAME prints one as an editable JSON profile)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nvreq presets``."""
    parser.add_argument("--show", metavar="NAME", help="print one preset as a JSON profile")
    parser.add_argument("--json", action="store_true", help="print every preset as JSON")


def run(args: argparse.Namespace) -> int:
    """List the presets, or print one (``--show``) or all (``--json``) as JSON."""
    import json
    import os

    from nvreq.host.sources import list_presets, load_preset

    if args.show:
        print(json.dumps(load_preset(args.show).to_dict(), indent=2))
        return 0
    profiles = [(name, load_preset(name)) for name in list_presets()]
    if args.json:
        print(json.dumps({name: p.to_dict() for name, p in profiles}, indent=2))
        return 0
    chosen = os.environ.get("NVREQ_HOST", "").removeprefix("preset:")
    rows = [("PRESET", "GPUS", "DRIVER", "CUDA", "BRAND", "ARCH", "BASIS")]
    for name, profile in profiles:
        first = profile.gpus[0] if profile.gpus else None
        rows.append((
            name + (" (NVREQ_HOST)" if name == chosen else ""),
            str(len(profile.gpus)),
            profile.driver or "unknown",
            profile.cuda or "unknown",
            (first.brand if first else None) or "unknown",
            (first.arch if first else None) or "unknown",
            str(profile.extra.get("x-basis", "")),
        ))
    for line in table_lines(rows, ragged_last=True):
        print(line)
    print("\nUse one with --host preset:NAME; `nvreq presets --show NAME` prints it as JSON.")
    return 0
