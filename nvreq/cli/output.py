"""``-o text|json|yaml`` for every command that prints data, and the envelope of its documents.

Every JSON or YAML document nvreq prints is an object with a ``format`` key, ``nvreq-KIND/N``,
naming its JSON Schema (``docs/schema/nvreq-KIND-N.schema.json``, also inside the wheel as
``nvreq/schema/``); host profiles have had theirs (``nvreq-host/1``) from the start.
"""

from __future__ import annotations

import argparse
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["FORMATS", "Verbosity", "add_output_option", "add_verbosity", "document", "emit",
           "error_entry"]

FORMATS = ("text", "json", "yaml")


def add_output_option(parser: argparse.ArgumentParser | argparse._MutuallyExclusiveGroup, *,
                      formats: tuple[str, ...] = FORMATS, default: str = "text",
                      text: str = "readable text") -> None:
    """``-o/--output FORMAT``, with ``--json`` kept as an alias of ``-o json``."""
    parser.add_argument("-o", "--output", choices=formats, default=default, metavar="FORMAT",
                        help=f"output format: {', '.join(formats)} (default {default}: {text})")
    parser.add_argument("--json", dest="output", action="store_const", const="json",
                        help="same as -o json")


def document(kind: str, **fields: Any) -> dict[str, Any]:
    """A printed document: ``format`` first, then ``fields``.

    >>> document("lint", results=[])
    {'format': 'nvreq-lint/1', 'results': []}
    """
    return {"format": f"nvreq-{kind}/1", **fields}


def error_entry(exc: BaseException) -> dict[str, str]:
    """A read or input error as an entry of a document: its kind and its message."""
    return {"kind": type(exc).__name__, "message": str(exc)}


def emit(data: Any, fmt: str = "json") -> None:
    """Print ``data`` as JSON (indented, UTF-8) or YAML on stdout."""
    if fmt == "yaml":
        from nvreq.formats.yaml_text import dump_yaml

        sys.stdout.write(dump_yaml(data))
        return
    import json

    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    sys.stdout.write("\n")


def add_verbosity(parser: argparse.ArgumentParser) -> None:
    """``-q`` (stderr shows errors only) and ``-v`` (also log each registry request)."""
    group = parser.add_mutually_exclusive_group()
    group.add_argument("-q", "--quiet", action="store_true",
                       help="print only errors on stderr: no warnings, notes or progress")
    group.add_argument("-v", "--verbose", action="store_true",
                       help="say more on stderr (for images: each registry request, as --debug)")


class _ErrorsOnly:
    """A stderr that lets only ``nvreq: error:`` lines through (``-q``)."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.pending = ""

    def write(self, text: str) -> int:
        self.pending += text
        *lines, self.pending = self.pending.split("\n")
        for line in lines:
            if line.startswith("nvreq: error:"):
                self.stream.write(line + "\n")
        return len(text)

    def flush(self) -> None:
        self.stream.flush()

    def isatty(self) -> bool:
        return False


class Verbosity:
    """Apply ``-q``/``-v`` around a command's run: ``-q`` swaps stderr for :class:`_ErrorsOnly`
    (no ``contextlib`` import on the start-up path)."""

    def __init__(self, args: argparse.Namespace) -> None:
        if getattr(args, "verbose", False) and hasattr(args, "debug"):
            args.debug = True
        self.quiet = bool(getattr(args, "quiet", False))
        self.saved: Any = None

    def __enter__(self) -> None:
        if self.quiet:
            self.saved, sys.stderr = sys.stderr, _ErrorsOnly(sys.stderr)

    def __exit__(self, *_: object) -> None:
        if self.quiet:
            sys.stderr = self.saved
