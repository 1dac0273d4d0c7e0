"""``nvreq presets``: list the built-in host presets, or print one."""

from __future__ import annotations

import argparse

from nvreq.cli.output import add_output_option
from nvreq.formats.tables import table_lines

__all__ = ["HELP", "add_arguments", "run"]

HELP = "list the built-in host presets (--show NAME prints one as an editable JSON profile)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nvreq presets``."""
    parser.add_argument("--show", metavar="NAME",
                        help="print one preset as a profile (JSON unless -o yaml)")
    add_output_option(parser, text="a table")


def run(args: argparse.Namespace) -> int:
    """List the presets, or print one (``--show``) or all (``-o json|yaml``)."""
    import os

    from nvreq.cli.output import document, emit
    from nvreq.host.sources import list_presets, load_preset

    if args.show:
        emit(load_preset(args.show).to_dict(), "yaml" if args.output == "yaml" else "json")
        return 0
    profiles = [(name, load_preset(name)) for name in list_presets()]
    if args.output != "text":
        emit(document("presets", presets={name: p.to_dict() for name, p in profiles}),
             args.output)
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
