"""``nvreq bundle``: is this offline bundle of ``.deb`` files complete, and in which order does
``dpkg -i`` install it?"""

from __future__ import annotations

import argparse

__all__ = ["HELP", "add_arguments", "run"]

HELP = ("check an offline bundle of .deb files against this host (or --root): missing or "
        "too-old dependencies, conflicts, architectures, and the dpkg -i order")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nvreq bundle``."""
    parser.add_argument("paths", nargs="+", metavar="DIR|FILE.deb",
                        help="package files, or directories whose .deb files are read")
    parser.add_argument("--root", metavar="DIR", default="/",
                        help="the target is the system under DIR (its dpkg database, "
                        "architectures and os-release) instead of this host")
    parser.add_argument("--arch", metavar="ARCH",
                        help="the target's dpkg architecture (default: what dpkg says)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")


def run(args: argparse.Namespace) -> int:
    """Check the bundle; exit 0 ready, 1 problems, 2 when a file could not be read."""
    from nvreq.bundle.check import check_bundle
    from nvreq.cli._common import emit
    from nvreq.host.packages import run_command

    report = check_bundle(args.paths, args.root, arch=args.arch,
                          runner=run_command if args.root == "/" else None)
    if args.json:
        emit(report.to_dict())
    else:
        print(report.explain())
    if report.bad_input:
        return 2
    return 0 if report else 1
