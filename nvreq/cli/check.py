"""``nvreq check``: will this environment run on that host?"""

from __future__ import annotations

import argparse

from nvreq.cli._common import add_host_options, emit, host_from, read_env_file

__all__ = ["HELP", "add_arguments", "run"]

HELP = ("check a container environment against a host: exit 0 satisfied or not checked, "
        "1 unsatisfied, 2 bad input or an error verdict")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nvreq check``."""
    parser.add_argument("--env-file", metavar="FILE", action="append", default=[],
                        help="KEY=VALUE lines (or a JSON list/object) with the image's "
                        "environment; repeatable, later entries win")
    parser.add_argument("--env", "-e", metavar="KEY=VALUE", action="append", default=[],
                        help="one environment entry, after those of --env-file")
    add_host_options(parser)
    parser.add_argument("--mode", choices=("legacy", "jit-cdi", "cdi", "csv", "auto"),
                        help="runtime mode (default: the profile's, else legacy)")
    parser.add_argument("--privileged", action="store_true", default=None,
                        help="the container is privileged")
    parser.add_argument("--gpus", metavar="VALUE", action="append",
                        help="docker run --gpus VALUE, applied as the daemon would (repeatable)")
    parser.add_argument("--mount", metavar="SOURCE:DESTINATION", action="append", default=[],
                        help="a volume mount of the container (device requests by mount)")
    parser.add_argument("--annotation", metavar="KEY=VALUE", action="append", default=[],
                        help="an OCI annotation of the container (CDI requests)")


def environment_from(args: argparse.Namespace) -> list[str]:
    """The environment entries given by ``--env-file`` and ``--env``, in order."""
    from nvreq.errors import InputError

    entries: list[str] = []
    for path in args.env_file:
        entries.extend(read_env_file(path))
    entries.extend(args.env)
    if not entries and not args.env_file:
        raise InputError("nothing to check: give --env-file FILE or --env KEY=VALUE")
    return entries


def _mounts(values: list[str]) -> list[dict[str, str]]:
    from nvreq.errors import InputError

    out = []
    for value in values:
        source, sep, destination = value.partition(":")
        if not sep or not destination:
            raise InputError(f"--mount {value!r}: expected SOURCE:DESTINATION")
        out.append({"source": source, "destination": destination})
    return out


def _pairs(values: list[str]) -> dict[str, str] | None:
    from nvreq.errors import InputError

    out = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep:
            raise InputError(f"--annotation {value!r}: expected KEY=VALUE")
        out[key] = val
    return out or None


def run(args: argparse.Namespace) -> int:
    """Check and print the report; the exit code is the verdict's."""
    from nvreq.check import check_env

    entries = environment_from(args)
    host = host_from(args)
    report = check_env(entries, host, semantics=args.semantics, unknown=args.unknown,
                       mode=args.mode, privileged=args.privileged, gpus=args.gpus,
                       mounts=_mounts(args.mount), annotations=_pairs(args.annotation))
    if args.json:
        emit(report.to_dict())
    else:
        print(report.explain())
    return report.exit_code
