"""``nvreq completion SHELL``: a completion script for bash, zsh, fish, tcsh or PowerShell.

The script is generated from nvreq's own parser by ``shtab`` (``pip install 'nvreq[completion]'``)
only when this command runs, so completion costs the other commands nothing.
"""

from __future__ import annotations

import argparse

__all__ = ["HELP", "SHELLS", "add_arguments", "run"]

HELP = "print a shell completion script (bash, zsh, fish, tcsh, powershell)"
SHELLS = ("bash", "zsh", "fish", "tcsh", "powershell")
#: how the scripts are installed, printed with --help
_EPILOG = """install:
  bash:  nvreq completion bash > ~/.local/share/bash-completion/completions/nvreq
  zsh:   nvreq completion zsh > "${fpath[1]}/_nvreq"
  fish:  nvreq completion fish > ~/.config/fish/completions/nvreq.fish"""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The shell."""
    parser.add_argument("shell", choices=SHELLS, help="the shell to complete in")
    parser.epilog = _EPILOG
    parser.formatter_class = argparse.RawDescriptionHelpFormatter


def _mark_paths(parser: argparse.ArgumentParser, shtab: object) -> None:
    """Complete file names where an option or argument takes a FILE or DIR."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                _mark_paths(sub, shtab)
        elif any(word in str(action.metavar or "") for word in ("FILE", "DIR", "PATH")):
            action.complete = shtab.FILE  # type: ignore[attr-defined]


def run(args: argparse.Namespace) -> int:
    """Print the script for ``args.shell``."""
    from nvreq.errors import InputError

    try:
        import shtab
    except ImportError:
        raise InputError("shell completion needs shtab: pip install 'nvreq[completion]'") from None
    from nvreq.cli.main import build_parser

    parser = build_parser()
    _mark_paths(parser, shtab)
    print(shtab.complete(parser, shell=args.shell), end="")
    return 0
