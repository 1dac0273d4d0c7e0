"""``nvreq bundle``: is this offline bundle of ``.deb`` files complete, and in which order does
``dpkg -i`` install it?"""

from __future__ import annotations

import argparse

from nvreq.cli.output import add_output_option

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
    add_output_option(parser, text="the problems, their fixes and the install commands")


def run(args: argparse.Namespace) -> int:
    """Check the bundle; exit 0 ready, 1 problems, 2 when a file could not be read."""
    from nvreq.bundle.check import check_bundle
    from nvreq.cli.output import document, emit
    from nvreq.host.packages import run_command

    report = check_bundle(args.paths, args.root, arch=args.arch,
                          runner=run_command if args.root == "/" else None)
    if args.output != "text":
        emit(document("bundle", **report.to_dict()), args.output)
    else:
        print(report.explain())
    if report.bad_input:
        return 2
    return 0 if report else 1
