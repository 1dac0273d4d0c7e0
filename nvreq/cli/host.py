"""``nvreq host``: this machine's profile through NVML, or a host file converted to a profile."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from nvreq.errors import InputError
from nvreq.files import read_capped
from nvreq.formats.tables import table_lines

if TYPE_CHECKING:
    from nvreq.host.packages import Runner
    from nvreq.host.profile import HostProfile

__all__ = ["HELP", "add_arguments", "render", "run"]

HELP = "show this host's profile (NVML + runtime config), or convert a host file (--from)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nvreq host``."""
    from nvreq.cli.output import add_output_option

    output = parser.add_mutually_exclusive_group()
    add_output_option(output, text="a table; json and yaml load again with --host FILE")
    output.add_argument("--nfd", action="store_true",
                        help="print a Node Feature Discovery local feature file with the facts "
                        "GPU Feature Discovery lacks (per-node brand, arch of every GPU)")
    parser.add_argument("--from", dest="source", metavar="FILE",
                        help="convert a host file instead of reading NVML: nvidia-smi -q -x XML, "
                        "nvidia-container-cli info output, or a profile")
    parser.add_argument("--compute-cap", metavar="FILE",
                        help="with --from XML: output of nvidia-smi --query-gpu=index,compute_cap "
                        "--format=csv,noheader (fills arch)")
    parser.add_argument("--gpu-list", metavar="FILE",
                        help="with --from XML: output of nvidia-smi -L (fills MIG UUIDs, profiles)")
    parser.add_argument("--root", metavar="DIR",
                        help="read the runtime configuration (config.toml, daemon.json, packages) "
                        "under DIR instead of / (with --from: only when given)")


def run(args: argparse.Namespace) -> int:
    """Print the profile as a table, JSON or YAML; warnings go to stderr."""
    import sys

    from nvreq.cli.output import emit

    profile = _profile(args)
    for warning in profile.warnings:
        print(f"nvreq: warning: {warning}", file=sys.stderr)
    if args.nfd:
        from nvreq.fleet.nfd import nfd_features

        print(nfd_features(profile), end="")
        return 0
    if args.output == "text":
        print(render(profile))
    else:
        emit(profile.to_dict(), args.output)
    return 0


def _read(path: str, limit: int = 1 << 20) -> bytes:
    return read_capped(path, limit)


def _read_text(path: str) -> str:
    return _read(path).decode("utf-8", "replace")


def _profile(args: argparse.Namespace) -> HostProfile:
    from nvreq.host.local import local_host, with_local_runtime

    if args.source is None:
        if args.compute_cap or args.gpu_list:
            raise InputError("--compute-cap and --gpu-list need --from FILE (nvidia-smi XML)")
        from nvreq.host.nvml import NvmlError

        try:
            return local_host(args.root or "/", _runner(args.root))
        except NvmlError as exc:
            raise InputError(f"cannot read this host: {exc}; or convert a host file with "
                             "--from FILE (nvidia-smi -q -x, nvidia-container-cli info, or a "
                             "profile)") from None
    if args.compute_cap or args.gpu_list:
        from nvreq.host.importers.nvidia_smi import (
            parse_compute_caps,
            parse_gpu_list,
            parse_nvidia_smi_xml,
        )

        caps = parse_compute_caps(_read_text(args.compute_cap), source=args.compute_cap) \
            if args.compute_cap else None
        listing = parse_gpu_list(_read_text(args.gpu_list), source=args.gpu_list) \
            if args.gpu_list else None
        profile = parse_nvidia_smi_xml(_read(args.source, 16 << 20), source=args.source,
                                       compute_caps=caps, gpu_list=listing)
    else:
        from nvreq.host.sources import load_profile

        profile = load_profile(args.source)
    return with_local_runtime(profile, args.root, _runner(args.root)) if args.root else profile


def _runner(root: str | None) -> Runner | None:
    # Commands (rpm) run only for the real root: a directory standing for / has no binaries
    # that nvreq should execute.
    from nvreq.host.packages import run_command

    return run_command if root in (None, "/") else None


def render(profile: HostProfile) -> str:
    """The profile as a readable table."""
    lines = []
    kind = (profile.source or {}).get("kind", "profile")
    lines.append(f"host {profile.name or '(unnamed)'}  (from {kind})")
    lines.append(f"driver {profile.driver or 'unknown'}   cuda {profile.cuda or 'unknown'}   "
                 f"platform {profile.platform or 'unknown'}")
    runtime = profile.runtime
    mode = runtime.mode or (f"{profile.runtime_mode} (default)")
    parts = [f"mode {mode}", f"toolkit {runtime.toolkit_version or 'not stated (newest)'}"]
    if runtime.platform:
        parts.append(f"platform {runtime.platform}")
    if runtime.docker is not None:
        default = runtime.docker.get("x-default-runtime") or "runc"
        parts.append(f"docker default runtime {default}")
    lines.append("runtime: " + ", ".join(parts))
    for key, value in _flatten(runtime.config):
        lines.append(f"  config {key} = {_json_text(value)}")
    rows = [("GPU", "UUID", "BUS ID", "NAME", "BRAND", "ARCH", "MEMORY", "MIG")]
    for gpu in profile.gpus:
        rows.append((str(gpu.index), gpu.uuid or "-", gpu.pci_bus_id or "-", gpu.name or "-",
                     gpu.brand or "unknown", gpu.arch or "unknown",
                     f"{gpu.memory_mib} MiB" if gpu.memory_mib is not None else "-",
                     gpu.mig.mode or "unknown"))
        for d in gpu.mig.devices:
            rows.append(("", f"  MIG {d.index}: {d.uuid or '-'}", f"gi {_v(d.gi)} ci {_v(d.ci)}",
                         d.profile or "-", "", "",
                         f"{d.memory_mib} MiB" if d.memory_mib is not None else "-", ""))
    if not profile.gpus:
        lines.append("no GPUs")
    else:
        lines += table_lines(rows)
    return "\n".join(lines)


def _v(value: int | None) -> str:
    return "?" if value is None else str(value)


def _json_text(value: object) -> str:
    import json

    return json.dumps(value)


def _flatten(config: object, prefix: str = "") -> list[tuple[str, object]]:
    from collections.abc import Mapping

    if not isinstance(config, Mapping):
        return [(prefix, config)]
    out: list[tuple[str, object]] = []
    for key, value in config.items():
        out.extend(_flatten(value, f"{prefix}.{key}" if prefix else str(key)))
    return out
