"""``nvreq doctor``: is this host ready for GPU containers? One line per check, with the fix."""

from __future__ import annotations

import argparse

from nvreq.cli.output import add_output_option

__all__ = ["HELP", "add_arguments", "run"]

HELP = "check that this host is ready for GPU containers (driver, Docker, toolkit, packages)"

_MARKS = {"pass": "ok  ", "warn": "warn", "fail": "FAIL"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nvreq doctor``."""
    parser.add_argument("--root", metavar="DIR", default="/",
                        help="read files under DIR instead of / (no commands are run then)")
    add_output_option(parser, text="one line per check")


def run(args: argparse.Namespace) -> int:
    """Run the checks; exit 0 when none fails, 1 otherwise."""
    from nvreq.cli.output import document, emit
    from nvreq.doctor.checks import run_doctor
    from nvreq.host.packages import run_command

    runner = run_command if args.root == "/" else None
    report = run_doctor(args.root, runner=runner)
    if args.output != "text":
        emit(document("doctor", **report.to_dict()), args.output)
    else:
        for check in report.checks:
            print(f"[{_MARKS.get(check.status, check.status)}] {check.name}: {check.summary}")
            if check.fix and check.status != "pass":
                print(f"       fix: {check.fix}")
        failed = sum(c.status == "fail" for c in report.checks)
        warned = sum(c.status == "warn" for c in report.checks)
        print(f"\n{'ready' if report else 'not ready'}: {failed} failed, {warned} warnings")
    return 0 if report else 1
