"""Where a fleet comes from: profile files, a JSON list of profiles, or a Kubernetes NodeList.

``read_hosts`` takes a directory of profile files (JSON or TOML), a JSON file holding a list of
profiles or an object of name -> profile, or the output of ``kubectl get nodes -o json``.
NodeList items become approximate profiles from their labels (``nvreq.fleet.node_labels``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nvreq._frozen import field, frozen
from nvreq.errors import InputError, NvreqError, ProfileError
from nvreq.files import read_capped
from nvreq.fleet.node_labels import is_gpu_node, profile_from_labels
from nvreq.formats import jsontext
from nvreq.host.profile import HostProfile

__all__ = [
    "MAX_FLEET_BYTES",
    "MAX_NODES",
    "FleetInput",
    "hosts_from_data",
    "hosts_from_nodelist",
    "load_brand_map",
    "read_hosts",
]

#: a NodeList or profile list is at most 64 MiB and 10,000 nodes
MAX_FLEET_BYTES = 64 << 20
MAX_NODES = 10_000
_PROFILE_SUFFIXES = (".json", ".toml")


@frozen
class FleetInput:
    """Hosts read from one source, and the nodes that were listed but not evaluated.

    ``notes`` maps a host to what is approximate about its profile; ``non_gpu`` and ``problems``
    hold ``(node, why)`` for nodes without GPUs and nodes whose labels could not be read.
    """

    hosts: tuple[tuple[str, HostProfile], ...]
    notes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    non_gpu: tuple[tuple[str, str], ...] = ()
    problems: tuple[tuple[str, str], ...] = ()
    source: str = ""

    def __add__(self, other: FleetInput) -> FleetInput:
        names = {n for n, _ in self.hosts}
        for name, _ in other.hosts:
            if name in names:
                raise InputError(f"host {name!r} appears in both {self.source} and {other.source}")
        return FleetInput(self.hosts + other.hosts, {**self.notes, **other.notes},
                          self.non_gpu + other.non_gpu, self.problems + other.problems,
                          ", ".join(s for s in (self.source, other.source) if s))


def load_brand_map(path: str) -> dict[str, str]:
    """A JSON object mapping ``nvidia.com/gpu.product`` label values to brands."""
    data = _read_json(path)
    if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
        raise InputError(f"{path}: expected a JSON object of product label -> brand")
    return dict(data)


def read_hosts(spec: str, *, brand_label: str | None = None,
               brand_map: Mapping[str, str] | None = None,
               mode: str | None = None) -> FleetInput:
    """Hosts from a directory, a file, ``-`` (stdin) or ``preset:NAME``."""
    if spec.startswith("preset:"):
        return FleetInput(((spec, HostProfile.preset(spec[len("preset:"):])),), source=spec)
    path = Path(spec)
    if spec != "-" and path.is_dir():
        return _directory(path)
    if spec != "-" and path.suffix.lower() == ".toml":
        profile = HostProfile.load(path)
        return FleetInput(((profile.name or path.stem, profile),), source=spec)
    data = _read_json(spec)
    return hosts_from_data(data, source=spec, brand_label=brand_label, brand_map=brand_map,
                           mode=mode)


def hosts_from_data(data: Any, *, source: str = "", brand_label: str | None = None,
                    brand_map: Mapping[str, str] | None = None,
                    mode: str | None = None) -> FleetInput:
    """Hosts from parsed JSON: a NodeList, a list of profiles, name -> profile, or one profile."""
    if isinstance(data, dict) and (data.get("kind") == "NodeList" or "items" in data):
        return hosts_from_nodelist(data, source=source, brand_label=brand_label,
                                   brand_map=brand_map, mode=mode)
    if isinstance(data, dict) and "gpus" in data:
        data = [data]
    if isinstance(data, list):
        named = [(_name(p, f"host{i}"), p, f"[{i}]") for i, p in enumerate(data)]
    elif isinstance(data, dict):
        named = [(str(k), p, f".{k}") for k, p in data.items()]
    else:
        raise InputError(f"{source}: expected a NodeList, a list of host profiles or an object "
                         "of name -> profile")
    if len(named) > MAX_NODES:
        raise InputError(f"{source}: {len(named)} hosts, over the limit of {MAX_NODES}")
    hosts: list[tuple[str, HostProfile]] = []
    seen: set[str] = set()
    for name, obj, where in named:
        if name in seen:
            raise InputError(f"{source}: host name {name!r} appears twice")
        seen.add(name)
        if not isinstance(obj, dict):
            raise InputError(f"{source}: {where} is not a host profile object")
        try:
            hosts.append((name, HostProfile.from_dict(obj)))
        except ProfileError as exc:
            raise ProfileError(exc.message, f"{where.lstrip('.')}.{exc.path}".rstrip("."),
                               source=source) from None
    return FleetInput(tuple(hosts), source=source)


def hosts_from_nodelist(data: Mapping[str, Any], *, source: str = "",
                        brand_label: str | None = None,
                        brand_map: Mapping[str, str] | None = None,
                        mode: str | None = None) -> FleetInput:
    """Approximate profiles for the GPU nodes of a ``kubectl get nodes -o json`` NodeList."""
    items = data.get("items")
    if not isinstance(items, list):
        raise InputError(f"{source}: a NodeList needs 'items', a list of nodes")
    if len(items) > MAX_NODES:
        raise InputError(f"{source}: {len(items)} nodes, over the limit of {MAX_NODES}")
    hosts: list[tuple[str, HostProfile]] = []
    notes: dict[str, tuple[str, ...]] = {}
    non_gpu: list[tuple[str, str]] = []
    problems: list[tuple[str, str]] = []
    shared: dict[tuple[str, ...], tuple[str, ...]] = {}
    seen: set[str] = set()
    for i, item in enumerate(items):
        name, labels, capacity = _node(item, i, source)
        if name in seen:
            raise InputError(f"{source}: node name {name!r} appears twice")
        seen.add(name)
        if not is_gpu_node(labels, capacity):
            non_gpu.append((name, "no GPU Feature Discovery labels and no nvidia.com/gpu capacity"))
            continue
        try:
            profile, why = profile_from_labels(name, labels, capacity, brand_label=brand_label,
                                               brand_map=brand_map, mode=mode)
        except NvreqError as exc:
            problems.append((name, str(exc)))
            continue
        if not profile.gpus:
            non_gpu.append((name, "its labels count 0 GPUs"))
            continue
        hosts.append((name, profile))
        notes[name] = shared.setdefault(why, why)
    return FleetInput(tuple(hosts), notes, tuple(non_gpu), tuple(problems), source)


def _node(item: Any, i: int, source: str) -> tuple[str, dict[str, str], dict[str, Any]]:
    where = f"{source}: items[{i}]"
    if not isinstance(item, dict):
        raise InputError(f"{where} is not an object")
    metadata = item.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str):
        raise InputError(f"{where}.metadata.name is missing or not a string")
    labels = metadata.get("labels") or {}
    if not isinstance(labels, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in labels.items()):
        raise InputError(f"{where}.metadata.labels is not an object of strings")
    status = item.get("status") or {}
    capacity = status.get("capacity") if isinstance(status, dict) else None
    if capacity is None:
        capacity = {}
    if not isinstance(capacity, dict):
        raise InputError(f"{where}.status.capacity is not an object")
    return metadata["name"], labels, capacity


def _name(obj: Any, default: str) -> str:
    name = obj.get("name") if isinstance(obj, dict) else None
    return name if isinstance(name, str) and name else default


def _directory(path: Path) -> FleetInput:
    files = sorted(p for p in path.iterdir() if p.suffix.lower() in _PROFILE_SUFFIXES
                   and p.is_file())
    if len(files) > MAX_NODES:
        raise InputError(f"{path}: {len(files)} profiles, over the limit of {MAX_NODES}")
    if not files:
        raise InputError(f"{path}: no host profiles (*.json, *.toml) in this directory")
    hosts: dict[str, HostProfile] = {}
    for file in files:
        profile = HostProfile.load(file)
        name = profile.name or file.stem
        if name in hosts:
            raise InputError(f"{path}: host name {name!r} appears twice ({file.name})")
        hosts[name] = profile
    return FleetInput(tuple(hosts.items()), source=str(path))


def _read_json(spec: str) -> Any:
    raw = read_capped(spec, MAX_FLEET_BYTES, what="hosts file")
    try:
        return jsontext.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise InputError(f"{spec} is not UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{spec}: invalid JSON at line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg}") from None
    except jsontext.JsonTooDeep:
        raise InputError(f"{spec}: invalid JSON: nested too deeply") from None
