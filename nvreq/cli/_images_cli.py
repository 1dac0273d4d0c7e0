"""Shared image options, many-image reading with progress, and the summary table.

Commands that read images (``env``, ``check``) call :func:`add_image_arguments` on their parser,
:func:`image_options` to turn the parsed flags into ``read_image`` keywords, :func:`image_refs`
for the positional images plus ``--images-from``, and :func:`read_all` to fetch them
concurrently with a progress line on a terminal. Nothing heavy is imported at module level.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from nvreq.errors import InputError
from nvreq.files import read_capped, text_lines
from nvreq.formats.tables import table_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

    from nvreq.images import ImageInfo, ImageResult

__all__ = ["add_image_arguments", "image_options", "image_refs", "print_image_notes", "read_all",
           "render_table", "served_by_mirror", "shown_env"]

#: an --images-from list: one reference a line
MAX_IMAGES_FROM_BYTES = 1 << 20
_EVALUATED_PREFIX = "NVIDIA_"
_EVALUATED = frozenset({"CUDA_VERSION"})


def add_image_arguments(parser: argparse.ArgumentParser, *, many: bool = False) -> None:
    """``--platform``, ``--insecure-registry``, ``--timeout``, ``--authfile``, ``--debug``, the
    Dockerfile options, and with ``many`` also ``--images-from`` and ``--jobs``."""
    group = parser.add_argument_group("image reading")
    group.add_argument("--platform", metavar="OS/ARCH[/VARIANT]",
                       help="image platform to read, as docker spells it: linux/arm64, "
                            "linux/arm64/v8 or arm64 (aarch64, x86_64, armhf accepted); default: "
                            "the host's, else this machine's")
    group.add_argument("--insecure-registry", action="append", default=[], metavar="HOST[:PORT]",
                       help="allow unverified TLS, then plain http, for this registry "
                            "(repeatable)")
    group.add_argument("--timeout", type=_seconds, default=120.0, metavar="SECONDS",
                       help="limit for reading one image, auth and redirects included "
                            "(default 120)")
    group.add_argument("--authfile", metavar="FILE",
                       help="read registry credentials from this file only (default "
                            "$REGISTRY_AUTH_FILE, else the files skopeo and docker use)")
    creds = group.add_mutually_exclusive_group()
    creds.add_argument("--creds", metavar="USER[:PASSWORD]",
                       help="credentials for the image's registry (never sent to a mirror on "
                            "another host); without :PASSWORD, give --password-stdin or type "
                            "it when asked")
    creds.add_argument("--no-creds", action="store_true",
                       help="read anonymously, ignoring stored credentials")
    group.add_argument("--password-stdin", action="store_true",
                       help="read the --creds password from stdin")
    group.add_argument("--registries-conf", metavar="FILE",
                       help="registries.conf with mirrors and rewrites (default "
                            "$CONTAINERS_REGISTRIES_CONF, else the containers tools' files)")
    group.add_argument("--debug", action="store_true",
                       help="log each registry request (never credentials) on stderr")
    group.add_argument("--target", dest="target_stage", metavar="STAGE",
                       help="dockerfile: build up to this stage")
    group.add_argument("--build-arg", action="append", default=[], metavar="KEY[=VALUE]",
                       help="dockerfile: set a build argument (repeatable)")
    group.add_argument("--no-base", action="store_true",
                       help="dockerfile: do not read base images from registries")
    if many:
        group.add_argument("--images-from", metavar="FILE",
                           help="read image references from FILE, one per line ('-' = stdin)")
        group.add_argument("--jobs", type=_positive, default=8, metavar="N",
                           help="images read at once (default 8)")


def _positive(text: str) -> int:
    """An argparse type: an integer of at least 1."""
    from nvreq.formats.digits import uint

    value = uint(text.strip(), 1 << 16)
    if not value:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {1 << 16}, got "
                                         f"{text[:20]!r}")
    return value


def _seconds(text: str) -> float:
    """An argparse type: a finite number of seconds above 0 (``nan`` would never time out)."""
    try:
        value = float(text)
    except ValueError:
        value = 0.0
    if not 0 < value < 1e9:
        raise argparse.ArgumentTypeError(f"expected seconds above 0, got {text[:20]!r}")
    return value


def image_options(args: argparse.Namespace, *, host_platform: str | None = None
                  ) -> dict[str, Any]:
    """Keyword arguments for ``read_image`` from parsed flags; ``--platform`` beats the host's."""
    options: dict[str, Any] = {
        "insecure_registries": tuple(args.insecure_registry), "timeout": args.timeout,
        "authfile": args.authfile, "build_args": tuple(args.build_arg),
        "target_stage": args.target_stage, "no_base": args.no_base,
        "creds": _creds(args), "no_creds": args.no_creds,
        "registries_conf": args.registries_conf,
    }
    if args.platform:
        options.update(platform=args.platform, platform_source="--platform")
    elif host_platform:
        options.update(platform=host_platform, platform_source="host profile")
    if args.debug:
        options["log"] = lambda line: print(f"nvreq: debug: {line}", file=sys.stderr)
    return options


def _creds(args: argparse.Namespace) -> tuple[str, str] | None:
    """``--creds USER[:PASSWORD]``, the password from stdin with ``--password-stdin`` or asked
    on a terminal, as skopeo does; it is never printed."""
    from nvreq.errors import InputError

    if args.password_stdin and not args.creds:
        raise InputError("--password-stdin needs --creds USER")
    if not args.creds:
        return None
    user, sep, password = args.creds.partition(":")
    if not user:
        raise InputError("--creds: expected USER[:PASSWORD], the user is empty")
    if args.password_stdin:
        if sep:
            raise InputError("--creds USER:PASSWORD and --password-stdin both give a password")
        password = sys.stdin.readline().rstrip("\r\n")
    elif not sep:
        if not sys.stdin.isatty():
            raise InputError("--creds USER without a password: add :PASSWORD, or pass "
                             "--password-stdin and write it to stdin")
        import getpass

        password = getpass.getpass(f"Password for {user}: ")
    if not password:
        raise InputError("--creds: the password is empty")
    return user, password


def image_refs(args: argparse.Namespace, positional: Sequence[str]) -> list[str]:
    """Positional images, then those of ``--images-from`` (blank lines and ``#`` comments skip)."""
    refs = list(positional)
    source = getattr(args, "images_from", None)
    if source:
        text = read_capped(source, MAX_IMAGES_FROM_BYTES, what="--images-from").decode(
            "utf-8", "replace")
        for line in text_lines(text):
            line = line.split("#", 1)[0].strip() if line.lstrip().startswith("#") else line.strip()
            if line:
                refs.append(line)
    if not refs:
        raise InputError("no image given; name one or more images, or use --images-from FILE")
    return refs


def read_all(refs: Sequence[str], options: dict[str, Any], *, jobs: int = 8,
             stream: TextIO | None = None) -> list[ImageResult]:
    """Read ``refs`` concurrently; on a terminal, show ``[done/total]`` on ``stream``."""
    from nvreq.images import read_images

    out = stream if stream is not None else sys.stderr
    tty = len(refs) > 1 and out.isatty()
    done = [0]

    def progress(_: int, result: ImageResult) -> None:
        done[0] += 1
        if tty:
            mark = "ok" if result else "error"
            out.write(f"\r\033[K[{done[0]}/{len(refs)}] {result.reference[:60]} {mark}")
            out.flush()

    results = read_images(refs, max_workers=jobs, on_done=progress, **options)
    if tty:
        out.write("\r\033[K")
        out.flush()
    return results


def served_by_mirror(info: ImageInfo) -> str | None:
    """The mirror repository that served a registry image, if not the image's own registry."""
    endpoint = info.endpoint
    if endpoint is None or info.resolved.startswith((f"{endpoint}:", f"{endpoint}@")):
        return None
    return endpoint


def print_image_notes(info: ImageInfo) -> None:
    """An image's warnings, and which mirror served it, on stderr."""
    for warning in info.warnings:
        print(f"nvreq: warning: {info.reference}: {warning}", file=sys.stderr)
    mirror = served_by_mirror(info)
    if mirror:
        print(f"nvreq: note: {info.reference} was served by the mirror {mirror}", file=sys.stderr)


def shown_env(env: Sequence[str], show_all: bool) -> tuple[list[str], int, list[str]]:
    """The entries to print: those nvreq evaluates (``NVIDIA_*``, ``CUDA_VERSION``) or, with
    ``show_all``, every one, secret values redacted; how many are left out; the redacted names."""
    from nvreq.formats.redact import redact_env

    if show_all:
        entries, redacted = redact_env(env)
        return entries, 0, redacted
    shown = [e for e in env if e.startswith(_EVALUATED_PREFIX) or e.split("=", 1)[0] in _EVALUATED]
    return shown, len(env) - len(shown), []


def render_table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain aligned table (the many-image summary).

    >>> print(render_table(["image", "verdict"], [["a:1", "ok"], ["bb:2", "unsatisfied"]]))
    image  verdict
    a:1    ok
    bb:2   unsatisfied
    """
    return "\n".join(table_lines([headers, *rows]))
