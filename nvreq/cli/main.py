"""Entry point: ``nvreq COMMAND …`` dispatches to one module per command in ``nvreq.cli``.

Each command module is light to import (argparse only at module level) and exposes ``HELP``,
``add_arguments(parser)`` and ``run(args) -> int``; heavy imports happen inside ``run``, so
``nvreq --help`` and image checks start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from nvreq.cli.output import Verbosity, add_verbosity
from nvreq.errors import NvreqError

__all__ = ["COMMANDS", "build_parser", "entry", "main"]

#: command name -> module implementing it; only the module of the command run is imported.
COMMANDS: dict[str, str] = {
    "check": "nvreq.cli.check",
    "env": "nvreq.cli.env",
    "explain": "nvreq.cli.explain",
    "lint": "nvreq.cli.lint",
    "presets": "nvreq.cli.presets",
    "host": "nvreq.cli.host",
    "doctor": "nvreq.cli.doctor",
    "fleet": "nvreq.cli.fleet",
    "affinity": "nvreq.cli.affinity",
    "bundle": "nvreq.cli.bundle",
    "webhook": "nvreq.cli.webhook",
    "completion": "nvreq.cli.completion",
}
#: one-line summaries for ``nvreq --help``, so that listing commands imports none of them
SUMMARIES: dict[str, str] = {
    "check": "check images or a container environment against a host (exit 0/1/2)",
    "env": "print an image's resolved reference, digest, platform and config Env",
    "explain": "evaluate one NVIDIA_REQUIRE_* expression on a host, clause by clause",
    "lint": "report every problem in an NVIDIA_REQUIRE_* expression",
    "presets": "list the built-in host presets (--show NAME prints one)",
    "host": "print this host's profile through NVML, or convert a host file",
    "doctor": "is this host ready for GPU containers?",
    "fleet": "which hosts of a fleet can run which images, and why not",
    "affinity": "Kubernetes node affinity (GFD labels) that admits only nodes that can run it",
    "bundle": "is this offline bundle of .deb files complete, and in which order to install it?",
    "webhook": "admission webhook placing GPU pods where their images run; its manifests",
    "completion": "print a shell completion script (bash, zsh, fish, tcsh, powershell)",
}

EXIT_OK = 0
EXIT_UNSATISFIED = 1
EXIT_BAD_INPUT = 2


def _module(name: str) -> ModuleType:
    from nvreq._lazy import load

    return load(COMMANDS[name])


def _columns() -> int:
    """``shutil.get_terminal_size().columns``, without importing ``shutil``."""
    try:
        columns = int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        columns = 0
    if columns <= 0:
        try:
            columns = os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
        except (AttributeError, ValueError, OSError):
            columns = 0
    return columns or 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's own formatter; only its width comes from :func:`_columns`.

    argparse builds a formatter for every ``add_argument`` call, and the stock one imports
    ``shutil`` (with ``bz2``, ``lzma`` and ``fnmatch``, about 3 ms) to measure the terminal.
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position,
                         _columns() - 2 if width is None else width)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser, one sub-parser per command; with ``only``, just that command's
    sub-parser is built (what parsing that command's arguments needs)."""
    from nvreq import __version__

    parser = argparse.ArgumentParser(
        prog="nvreq",
        formatter_class=_HelpFormatter,
        description="Will this GPU container image run on that host? Exit codes: 0 satisfied or "
        "not checked, 1 unsatisfied, 2 bad input or an error verdict.",
    )
    parser.add_argument("--version", action="version", version=f"nvreq {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        if only is not None and name != only:
            continue
        module = _module(name)
        p = sub.add_parser(name, help=SUMMARIES.get(name, module.HELP), description=module.HELP,
                           formatter_class=_HelpFormatter)
        module.add_arguments(p)
        add_verbosity(p)
        p.set_defaults(_run=module.run, _command=name)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run nvreq with ``argv`` and return the exit code (0, 1 or 2)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    for stream in (sys.stdout, sys.stderr):
        # argv and the environment carry bytes that are not UTF-8 as lone surrogates: print
        # them as escapes (\udcff) rather than fail
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    # an option before the command (``--help``, ``--version``) is the top level's: build it all
    parser = build_parser(argv[0] if argv and argv[0] in COMMANDS else None)
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT
    try:
        with Verbosity(args):
            code: int = args._run(args)
    except NvreqError as exc:
        print(f"nvreq: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("nvreq: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK
    return code


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":  # pragma: no cover
    entry()
