"""Host profiles from files and presets: ``--host FILE``, ``--host preset:NAME``."""

from __future__ import annotations

import json
import os
import re
import sys

from nvreq.errors import ProfileError
from nvreq.files import read_head
from nvreq.formats import jsontext
from nvreq.host.profile import HostProfile

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

__all__ = [
    "DEFAULT_PRESET",
    "MAX_PROFILE_BYTES",
    "list_presets",
    "load_preset",
    "load_profile",
    "parse_profile_text",
    "parse_toml",
    "resolve_host",
]

#: The preset examples use; nothing picks it on its own (without ``--host``: ``$NVREQ_HOST``, else
#: the live host).
DEFAULT_PRESET = "h100-r550"

#: Profile files (JSON, TOML) are at most 1 MiB.
MAX_PROFILE_BYTES = 1 << 20

_PRESET_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")
#: compiled on first use (re caches it), not at import: only TOML errors need it
_TOML_PLACE = r"\(at line ([0-9]+), column ([0-9]+)\)"


def list_presets() -> tuple[str, ...]:
    """The names of the built-in presets, sorted.

    >>> "h100-r550" in list_presets()
    True
    """
    folder = _presets_folder()
    if folder is not None:
        names = os.listdir(folder)
    else:
        from importlib import resources

        names = [p.name for p in (resources.files("nvreq.host") / "presets").iterdir()]
    return tuple(sorted(n[:-5] for n in names if n.endswith(".json")))


def load_preset(name: str) -> HostProfile:
    """A built-in preset by name; ``ProfileError`` listing the presets if there is none.

    >>> load_preset("h200-r580").gpus[0].name
    'NVIDIA H200'
    """
    if not _PRESET_NAME.fullmatch(name) or name not in list_presets():
        raise ProfileError(f"No preset named {name!r} (presets: {', '.join(list_presets())})")
    folder = _presets_folder()
    if folder is not None:
        with open(os.path.join(folder, f"{name}.json"), encoding="utf-8") as handle:
            text = handle.read()
    else:
        from importlib import resources

        text = (resources.files("nvreq.host") / "presets" / f"{name}.json").read_text("utf-8")
    profile = parse_profile_text(text, "json", source=f"preset:{name}")
    return _with_source(profile, {"kind": "preset"})


def load_profile(path: str | Path) -> HostProfile:
    """Read a host file: a profile (JSON or TOML by suffix, JSON for any other suffix), or
    ``nvidia-smi -q -x`` XML or ``nvidia-container-cli info`` output, recognised by content."""
    from pathlib import Path

    from nvreq.host.importers.nvidia_smi import MAX_XML_BYTES

    path = Path(path)
    source = str(path)
    try:
        data = read_head(source, MAX_XML_BYTES)
    except OSError as exc:
        raise ProfileError(f"Cannot read host profile: {exc.strerror or exc}",
                           source=source) from None
    head = data[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"<"):
        from nvreq.host.importers.nvidia_smi import parse_nvidia_smi_xml

        return parse_nvidia_smi_xml(data, source=source)
    if len(data) > MAX_PROFILE_BYTES:
        raise ProfileError("Host profile is larger than 1 MiB", source=source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ProfileError(f"Host profile is not UTF-8 text (byte {exc.start})",
                           source=source) from None
    if head.startswith((b"NVRM version", b"Device Index")):
        from nvreq.host.importers.container_cli import parse_container_cli_info

        return parse_container_cli_info(text, source=source)
    syntax = "toml" if path.suffix.lower() == ".toml" else "json"
    profile = parse_profile_text(text, syntax, source=source)
    return _with_source(profile, {"kind": "file"})


def parse_profile_text(text: str, syntax: str = "json", *,
                       source: str | None = None) -> HostProfile:
    """Parse profile text in ``json`` or ``toml``; errors name the source, line and column.

    >>> parse_profile_text('{"gpus": [], "driver": "550.54.15"}').driver
    '550.54.15'
    """
    data = parse_toml(text, source) if syntax == "toml" else _parse_json(text, source)
    if isinstance(data, list) or (isinstance(data, dict) and "apiVersion" in data):
        what = "a Kubernetes object" if isinstance(data, dict) else "a list"
        raise ProfileError(f"this is {what}, not one host's profile; for a node list or many "
                           "profiles, use `nvreq fleet --hosts FILE`", source=source)
    try:
        return HostProfile.from_dict(data)
    except ProfileError as exc:
        if exc.source or source is None:
            raise
        raise ProfileError(exc.message, exc.path, source=source) from None


def resolve_host(spec: str) -> HostProfile:
    """The profile named by a ``--host`` value: ``preset:NAME``, an existing file, or a preset name.

    >>> resolve_host("preset:t4-r470").driver
    '470.82.01'
    """
    if spec.startswith("preset:"):
        return load_preset(spec[len("preset:"):])
    from pathlib import Path

    path = Path(spec)
    if path.is_file():
        return load_profile(path)
    if spec in list_presets():
        return load_preset(spec)
    if path.exists():
        raise ProfileError("Host profile is not a regular file", source=spec)
    raise ProfileError(f"No host profile file or preset named {spec!r} "
                       f"(presets: {', '.join(list_presets())}; see `nvreq presets`)")


def _presets_folder() -> str | None:
    """The presets directory when nvreq is installed as files: read directly, so that a preset
    costs no ``importlib.resources`` (about 10 ms of imports); else None (a zipped nvreq)."""
    folder = os.path.join(os.path.dirname(__file__), "presets")
    return folder if os.path.isdir(folder) else None


def _with_source(profile: HostProfile, source: dict[str, Any]) -> HostProfile:
    if profile.source is not None:
        return profile
    from nvreq._frozen import replace

    return replace(profile, source=source)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ProfileError(f"Duplicate key {key!r}")
        out[key] = value
    return out


def _parse_json(text: str, source: str | None) -> Any:
    try:
        return jsontext.loads(text, object_pairs_hook=_unique_keys,
                              parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"Invalid JSON: {exc.msg}", source=source, line=exc.lineno,
                           column=exc.colno) from None
    except ProfileError as exc:
        raise ProfileError(exc.message, source=source) from None
    except jsontext.JsonTooDeep:
        raise ProfileError("Invalid JSON: nested too deeply", source=source) from None
    except ValueError as exc:
        raise ProfileError(f"Invalid JSON: {exc}", source=source) from None
    except RecursionError:
        raise ProfileError("Invalid JSON: nested too deeply", source=source) from None


def parse_toml(text: str, source: str | None = None) -> dict[str, Any]:
    """Parse TOML; a syntax error is a ``ProfileError`` with the source, line and column."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        place = re.search(_TOML_PLACE, message)
        message = re.sub(_TOML_PLACE, "", message).strip()
        line, column = (int(place.group(1)), int(place.group(2))) if place else (None, None)
        raise ProfileError(f"Invalid TOML: {message}", source=source, line=line,
                           column=column) from None
    except RecursionError:
        raise ProfileError("Invalid TOML: nested too deeply", source=source) from None
    except ValueError:  # tomllib's int() of a number over 4,300 digits
        raise ProfileError("Invalid TOML: an integer of more than 4300 digits",
                           source=source) from None
