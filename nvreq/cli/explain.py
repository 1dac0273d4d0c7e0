"""``nvreq explain 'EXPR'``: evaluate one requirement expression on a host, clause by clause."""

from __future__ import annotations

import argparse

from nvreq.cli._common import add_host_options, host_from
from nvreq.errors import InputError

__all__ = ["HELP", "add_arguments", "run"]

HELP = "evaluate one NVIDIA_REQUIRE_* expression on a host and explain every clause"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nvreq explain``."""
    parser.add_argument("expression",
                        help="the requirement, e.g. 'cuda>=12.4 brand=tesla,driver>=535'")
    parser.add_argument("--variable", default="NVIDIA_REQUIRE_CUDA",
                        help="the variable it stands in (default NVIDIA_REQUIRE_CUDA)")
    parser.add_argument("--visible-devices", metavar="IDS",
                        help="NVIDIA_VISIBLE_DEVICES for the evaluation (default all)")
    add_host_options(parser)


def run(args: argparse.Namespace) -> int:
    """Explain and print; the exit code is the verdict's."""
    from nvreq.check.checker import check_env
    from nvreq.check.collection import PREFIX

    if not args.variable.startswith(PREFIX):
        raise InputError(f"--variable must start with {PREFIX}")
    env = {args.variable: args.expression, "NVIDIA_VISIBLE_DEVICES": args.visible_devices or "all"}
    report = check_env(env, host_from(args), semantics=args.semantics, unknown=args.unknown)
    if args.visible_devices is None:
        # "all" stands in for the user here: its Kubernetes warning would be about nothing they set
        from dataclasses import replace

        report = replace(report, warnings=tuple(
            w for w in report.warnings if not w.startswith("visible-devices-all:")))
    if args.output == "text":
        print(report.explain())
    else:
        from nvreq.cli.check import print_reports

        print_reports([(None, report, None)], args.output)
    return report.exit_code
