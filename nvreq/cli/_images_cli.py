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
from nvreq.tables import table_lines

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, TextIO

    from nvreq.images import ImageResult

__all__ = ["add_image_arguments", "image_options", "image_refs", "read_all", "render_table",
           "shown_env"]

#: an --images-from list: one reference a line
MAX_IMAGES_FROM_BYTES = 1 << 20
_EVALUATED_PREFIX = "NVIDIA_"
_EVALUATED = frozenset({"CUDA_VERSION"})


def add_image_arguments(parser: argparse.ArgumentParser, *, many: bool = False) -> None:
    """``--platform``, ``--insecure-registry``, ``--timeout``, ``--authfile``, ``--debug``, the
    Dockerfile options, and with ``many`` also ``--images-from`` and ``--jobs``."""
    group = parser.add_argument_group("image reading")
    group.add_argument("--platform", metavar="OS/ARCH[/VARIANT]",
                       help="image platform to read (default: the host's, else this machine's)")
    group.add_argument("--insecure-registry", action="append", default=[], metavar="HOST[:PORT]",
                       help="allow unverified TLS, then plain http, for this registry "
                            "(repeatable)")
    group.add_argument("--timeout", type=_seconds, default=120.0, metavar="SECONDS",
                       help="limit for reading one image, auth and redirects included "
                            "(default 120)")
    group.add_argument("--authfile", metavar="FILE",
                       help="read registry credentials from this file only")
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
    from nvreq.digits import uint

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
    }
    if args.platform:
        options.update(platform=args.platform, platform_source="--platform")
    elif host_platform:
        options.update(platform=host_platform, platform_source="host profile")
    if args.debug:
        options["log"] = lambda line: print(f"nvreq: debug: {line}", file=sys.stderr)
    return options


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


def shown_env(env: Sequence[str], show_all: bool) -> tuple[list[str], int, list[str]]:
    """The entries to print: those nvreq evaluates (``NVIDIA_*``, ``CUDA_VERSION``) or, with
    ``show_all``, every one, secret values redacted; how many are left out; the redacted names."""
    from nvreq.redact import redact_env

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
