"""``nvreq check``: will this image (or environment) run on that host?"""

from __future__ import annotations

import argparse
import sys

from nvreq.cli._common import add_host_options, host_from, read_env_file
from nvreq.cli._images_cli import add_image_arguments
from nvreq.cli.output import document, emit, error_entry
from nvreq.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from nvreq.check.report import Report
    from nvreq.host.profile import HostProfile

__all__ = ["HELP", "add_arguments", "print_reports", "run"]

HELP = ("check images (or a container environment) against a host: exit 0 satisfied or not "
        "checked, 1 unsatisfied, 2 bad input or an error verdict")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nvreq check``."""
    parser.add_argument("images", nargs="*", metavar="IMAGE",
                        help="images to check: registry references, oci:DIR[:REF], "
                             "oci-archive:FILE, docker-archive:FILE, docker-daemon:REF, "
                             "dockerfile:PATH, or a local path; none: check --env-file/--env")
    parser.add_argument("--env-file", metavar="FILE", action="append", default=[],
                        help="KEY=VALUE lines (or a JSON list/object) with the image's "
                        "environment; repeatable, later entries win; after an image's own env")
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
    add_image_arguments(parser, many=True)


def _extra_env(args: argparse.Namespace) -> list[str]:
    entries: list[str] = []
    for path in args.env_file:
        entries.extend(read_env_file(path))
    entries.extend(args.env)
    return entries


def _mounts(values: list[str]) -> list[dict[str, str]]:
    out = []
    for value in values:
        source, sep, destination = value.partition(":")
        if not sep or not destination:
            raise InputError(f"--mount {value!r}: expected SOURCE:DESTINATION")
        out.append({"source": source, "destination": destination})
    return out


def _pairs(values: list[str]) -> dict[str, str] | None:
    out = {}
    for value in values:
        key, sep, val = value.partition("=")
        if not sep:
            raise InputError(f"--annotation {value!r}: expected KEY=VALUE")
        out[key] = val
    return out or None


def _check(entries: list[str], host: HostProfile, args: argparse.Namespace) -> Report:
    from nvreq.check.checker import check_env

    return check_env(entries, host, semantics=args.semantics, unknown=args.unknown,
                     mode=args.mode, privileged=args.privileged, gpus=args.gpus,
                     mounts=_mounts(args.mount), annotations=_pairs(args.annotation))


def print_reports(entries: list[tuple[str | None, Report | None, Exception | None]],
                  fmt: str) -> None:
    """Print one ``nvreq-check/1`` document: a result per input, read errors included."""
    results: list[dict[str, Any]] = []
    for ref, report, error in entries:
        if report is None:
            results.append({"image": ref, "error": error_entry(error or Exception())})
        else:
            results.append({"image": ref, "report": report.to_dict()})
    emit(document("check", results=results), fmt)


def run(args: argparse.Namespace) -> int:
    """Check and print the report(s); the exit code is the worst verdict's."""
    from nvreq._frozen import replace

    extra = _extra_env(args)
    if not args.images and not args.images_from:
        if not extra and not args.env_file:
            raise InputError("nothing to check: name an IMAGE, or give --env-file FILE or "
                             "--env KEY=VALUE")
        report = _check(extra, host_from(args), args)
        if args.output == "text":
            print(report.explain())
        else:
            print_reports([(None, report, None)], args.output)
        return report.exit_code
    from nvreq.cli._images_cli import image_options, image_refs, print_image_notes, read_all

    refs = image_refs(args, args.images)
    host = host_from(args)
    options = image_options(args, host_platform=host.platform or "linux/amd64")
    results = read_all(refs, options, jobs=args.jobs)
    if len(results) == 1 and results[0].error is not None and args.output == "text":
        raise results[0].error
    reports: list[tuple[str | None, Report | None, Exception | None]] = []
    for result in results:
        if result.info is None:
            reports.append((result.reference, None, result.error))
            continue
        print_image_notes(result.info)
        report = _check([*result.info.env, *extra], host, args)
        reports.append((result.reference, replace(report, image=result.info), None))
    codes = [2 if r is None else r.exit_code for _, r, _ in reports]
    if args.output != "text":
        for ref, _, error in reports:
            if error is not None:
                print(f"nvreq: error: {ref}: {error}", file=sys.stderr)
        print_reports(reports, args.output)
        return max(codes)
    only = reports[0][1]
    if len(reports) == 1 and only is not None:
        print(only.explain())
        return only.exit_code
    _summary(reports)
    return max(codes)


def _summary(reports: list[tuple[str | None, Report | None, Exception | None]]) -> None:
    from nvreq.cli._images_cli import render_table

    rows = []
    for ref, report, error in reports:
        if report is None:
            rows.append([ref or "", "error", "", str(error or "")])
            continue
        digest = ((report.image.digest if report.image else None) or "")[:19]
        why = report.runtime_message or (f"({report.reason})" if report.reason else "")
        rows.append([ref or "", report.verdict, digest, why])
    print(render_table(["IMAGE", "VERDICT", "DIGEST", "WHY"], rows))
