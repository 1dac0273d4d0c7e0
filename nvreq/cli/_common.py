"""Options and helpers shared by the ``nvreq`` commands (host selection, env input, output)."""

from __future__ import annotations

import argparse
import json

from nvreq.cli.output import add_output_option, emit
from nvreq.errors import InputError, NvreqError
from nvreq.files import read_capped, text_lines
from nvreq.formats import jsontext

TYPE_CHECKING = False
if TYPE_CHECKING:

    from nvreq.host.profile import HostProfile

__all__ = [
    "MAX_ENV_FILE_BYTES",
    "add_host_options",
    "emit",
    "host_from",
    "read_env_file",
]

MAX_ENV_FILE_BYTES = 1 << 20


def add_host_options(parser: argparse.ArgumentParser) -> None:
    """``--host`` and the evaluation options every checking command takes."""
    parser.add_argument("--host", metavar="PRESET|FILE",
                        help="host profile: preset:NAME (see `nvreq presets`), a profile file "
                        "(JSON/TOML), `nvidia-smi -q -x` XML or `nvidia-container-cli info` "
                        "output; default: $NVREQ_HOST, else the live host through NVML")
    parser.add_argument("--semantics", choices=("cli", "toolkit"),
                        help="evaluator: cli = libnvidia-container (default), toolkit = the "
                        "toolkit's Go evaluator (CSV mode)")
    parser.add_argument("--unknown", choices=("assume", "fail"), default="assume",
                        help="a clause on a fact the profile does not know: holds and is marked "
                        "assumed (default, as the runtime), or fails")
    add_output_option(parser, text="the report")


def host_from(args: argparse.Namespace) -> HostProfile:
    """The host named by ``--host``, else the live host through NVML, with a clear error."""
    import os

    chosen = args.host or os.environ.get("NVREQ_HOST")
    if chosen:
        from nvreq.host.sources import resolve_host

        return resolve_host(chosen)
    try:
        from nvreq.host.local import local_host

        return local_host()
    except NvreqError as exc:
        raise _no_host(exc) from None


def _no_host(exc: Exception) -> Exception:
    return InputError(f"no --host given, and the live host cannot be read: {exc}; name a host "
                      "with --host preset:NAME (see `nvreq presets`) or --host FILE, or set "
                      "NVREQ_HOST")


def read_env_file(path: str) -> list[str]:
    """An env file as ``docker run --env-file`` reads it: ``KEY=VALUE`` lines (a leading BOM, CR
    before LF, leading blanks, blank and ``#`` lines dropped), or a JSON list/object."""
    raw = read_capped(path, MAX_ENV_FILE_BYTES, what="env file")
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as exc:
        bad = raw[:exc.start].count(b"\n") + 1
        raise InputError(f"env file {path} contains invalid UTF-8 bytes at line {bad}") from None
    stripped = text.lstrip()
    if stripped.startswith(("[", "{")):
        try:
            data = jsontext.loads(text, what=f"env file {path}")
        except json.JSONDecodeError as exc:
            raise InputError(f"env file {path}: invalid JSON at line {exc.lineno}, column "
                             f"{exc.colno}: {exc.msg}") from None
        if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()):
            return [f"{k}={v}" for k, v in data.items()]
        if isinstance(data, list) and all(isinstance(v, str) for v in data):
            return list(data)
        raise InputError(f"env file {path}: expected a JSON list of \"KEY=VALUE\" strings or an "
                         "object of strings")
    entries = []
    for line in text_lines(text):
        line = line.lstrip()
        if line and not line.startswith("#"):
            entries.append(line)
    return entries
