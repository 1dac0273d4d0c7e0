"""One Kubernetes node's labels as an approximate host profile.

Labels describe a node, not each GPU: every GPU gets the node's one compute capability and product,
no UUIDs, and a brand only from a brand label or a user's product map. The notes say so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from nvreq.brands import BRAND_NAMES, brand_name
from nvreq.errors import InputError, ProfileError
from nvreq.fleet.gfd_labels import (
    COMPUTE,
    CUDA_FULL,
    CURRENT,
    DEPRECATED,
    DRIVER_FULL,
    GPU_COUNT,
    GPU_MEMORY,
    GPU_PRESENT,
    GPU_PRODUCT,
    GPU_RESOURCE,
    MIG_CAPABLE,
    MIG_STRATEGY,
    NFD_ARCHS,
    NFD_BRAND,
    NFD_PCI,
)
from nvreq.host.profile import HostProfile

__all__ = ["MAX_NODE_GPUS", "is_gpu_node", "profile_from_labels"]

MAX_NODE_GPUS = 256
_DIGITS = re.compile(r"[0-9]{1,18}")
_DRIVER = re.compile(r"[0-9]{1,18}(?:\.[0-9]{1,18})*")
_MAJOR_MINOR = re.compile(r"[0-9]{1,9}\.[0-9]{1,9}")
_MIG_COUNT = re.compile(r"nvidia\.com/mig-([0-9a-z.+]+)\.count")
_GFD_PREFIXES = ("nvidia.com/gpu.", "nvidia.com/cuda.", "nvidia.com/mig.")
_PLATFORM = re.compile(r"[a-z0-9_]+/[a-z0-9_]+")
_TOKENS = {name.lower(): name for name in BRAND_NAMES}

APPROXIMATE = ("labels describe the node, not each GPU: one product, compute capability and "
               "memory size for all; no GPU UUIDs or bus ids")


def is_gpu_node(labels: Mapping[str, str], capacity: Mapping[str, Any]) -> bool:
    """GFD labels, GPU Operator or NFD's NVIDIA PCI label, or ``nvidia.com/gpu`` capacity."""
    if any(k.startswith(_GFD_PREFIXES) for k in labels):
        return True
    if labels.get(GPU_PRESENT) == "true" or labels.get(NFD_PCI) == "true":
        return True
    return str(capacity.get(GPU_RESOURCE, "0")) not in ("0", "")


def _int(labels: Mapping[str, str], key: str, node: str, empty_ok: bool = False) -> int | None:
    value = labels.get(key)
    if value is None or (empty_ok and value == ""):
        return None
    if not _DIGITS.fullmatch(value):
        raise InputError(f"node {node}: label {key}={value!r} is not a non-negative integer")
    return int(value)


def _pair(labels: Mapping[str, str], keys: tuple[str, str], node: str) -> str | None:
    major, minor = (_int(labels, k, node) for k in keys)
    if (major is None) != (minor is None):
        raise InputError(f"node {node}: label {keys[0] if major is None else keys[1]} is missing "
                         f"while {keys[1] if major is None else keys[0]} is present")
    return None if major is None else f"{major}.{minor}"


def _driver(labels: Mapping[str, str], node: str, notes: list[str]) -> str | None:
    full = labels.get(DRIVER_FULL)
    if full is not None:
        if not _DRIVER.fullmatch(full):
            raise InputError(f"node {node}: label {DRIVER_FULL}={full!r} is not a version")
        return full
    for scheme in (CURRENT, DEPRECATED):
        major, minor, revision = scheme.driver
        if major in labels or minor in labels:
            _pair(labels, (major, minor), node)
            _int(labels, revision, node, empty_ok=True)
            if revision not in labels:
                notes.append(f"driver: label {revision} is missing; read as 0")
            parts = [labels[major], labels[minor]]
            if labels.get(revision):
                parts.append(labels[revision])
            return ".".join(parts)
    return None


def _cuda(labels: Mapping[str, str], node: str) -> str | None:
    full = labels.get(CUDA_FULL)
    if full is not None and _MAJOR_MINOR.fullmatch(full):
        return full
    return _pair(labels, CURRENT.cuda, node) or _pair(labels, DEPRECATED.cuda, node)


def _count(labels: Mapping[str, str], capacity: Mapping[str, Any], node: str,
           notes: list[str]) -> int:
    count = _int(labels, GPU_COUNT, node)
    if count is None:
        raw = capacity.get(GPU_RESOURCE)
        if raw is not None:
            if not _DIGITS.fullmatch(str(raw)):
                raise InputError(f"node {node}: capacity {GPU_RESOURCE}={raw!r} is not an integer")
            count = int(str(raw))
        else:
            notes.append("GPU count: no label or capacity says; one GPU assumed")
            count = 1
    if count > MAX_NODE_GPUS:
        raise InputError(f"node {node}: {count} GPUs, over the limit of {MAX_NODE_GPUS}")
    return count


def _brand(labels: Mapping[str, str], product: str | None, brand_label: str | None,
           brand_map: Mapping[str, str] | None, notes: list[str]) -> str | None:
    key = brand_label or NFD_BRAND
    value = labels.get(key)
    if value is not None:
        if value in _TOKENS:
            notes.append(f"brand: from label {key}")
            return _TOKENS[value]
        if value == "mixed":
            notes.append("mixed brands on this node: a pod that takes some GPUs is "
                         "under-specified; brand unknown")
        else:
            notes.append(f"brand: label {key}={value!r} is not a lowercase brand token; unknown")
        return None
    if brand_map and product is not None and product in brand_map:
        notes.append("brand: from the product map (its author vouches for it)")
        return brand_name(brand_map[product])
    notes.append("brand: no label carries it, so it is unknown and brand clauses fail")
    return None


def _archs(labels: Mapping[str, str], node: str, notes: list[str]) -> list[str | None]:
    arch = _pair(labels, COMPUTE, node)
    listed: list[str | None] = [a for a in labels.get(NFD_ARCHS, "").split("_") if a]
    if any(not _MAJOR_MINOR.fullmatch(a or "") for a in listed):
        raise InputError(f"node {node}: label {NFD_ARCHS}={labels[NFD_ARCHS]!r} is not a list "
                         "of compute capabilities joined by '_'")
    if len(listed) > 1:
        notes.append(f"mixed GPUs ({', '.join(map(str, listed))}): a pod that takes some of "
                     "them is under-specified; every architecture is evaluated")
        return list(listed)
    if arch is None and listed:
        return listed
    if arch is None:
        notes.append("arch: no nvidia.com/gpu.compute labels, so it is unknown")
    return [arch]


def profile_from_labels(name: str, labels: Mapping[str, str],
                        capacity: Mapping[str, Any] | None = None, *,
                        brand_label: str | None = None,
                        brand_map: Mapping[str, str] | None = None,
                        mode: str | None = None) -> tuple[HostProfile, tuple[str, ...]]:
    """The approximate profile of a GPU node and the notes on what is approximate.

    >>> p, notes = profile_from_labels("n1", {
    ...     "nvidia.com/cuda.driver-version.full": "550.54.15",
    ...     "nvidia.com/cuda.runtime-version.full": "12.4", "nvidia.com/gpu.count": "2",
    ...     "nvidia.com/gpu.compute.major": "9", "nvidia.com/gpu.compute.minor": "0"})
    >>> p.driver, p.cuda, [g.arch for g in p.gpus], p.gpus[0].brand
    ('550.54.15', '12.4', ['9.0', '9.0'], None)
    """
    capacity = capacity or {}
    notes: list[str] = [APPROXIMATE]
    product = labels.get(GPU_PRODUCT)
    gpu_name = None
    mig_profile = None
    if product is not None:
        gpu_name = product.removesuffix("-SHARED")
        gpu_name, _, mig_profile = gpu_name.partition("-MIG-")
    count = _count(labels, capacity, name, notes)
    memory = _int(labels, GPU_MEMORY, name)
    brand = _brand(labels, product, brand_label, brand_map, notes)
    archs = _archs(labels, name, notes)
    strategy = labels.get(MIG_STRATEGY)
    capable = labels.get(MIG_CAPABLE)
    mig: dict[str, Any] = {}
    if capable in ("true", "false"):
        mig = {"mode": "disabled" if capable == "true" else "unsupported"}
    gpus: list[dict[str, Any]] = []
    migs: list[tuple[str, int]] = []
    if strategy == "single" and mig_profile:
        migs = [(mig_profile, count)]
        count = 0
    elif strategy == "mixed":
        migs = [(m.group(1), _int(labels, m.group(0), name) or 0)
                for k in sorted(labels) if (m := _MIG_COUNT.fullmatch(k))]
        migs = [(p, n) for p, n in migs if n]
    for i in range(count):
        gpus.append({"index": i, "mig": mig, "arch": archs[i % len(archs)]})
    if migs:
        devices = [{"index": j, "profile": p, **({"memory_mib": memory} if strategy == "single"
                                                 and memory is not None else {})}
                   for p, n in migs for j in range(min(n, 64))][:64]
        for j, d in enumerate(devices):
            d["index"] = j
        notes.append(f"MIG {strategy}: {len(devices)} MIG devices on one GPU as modelled; "
                     "the number of physical GPUs is unknown")
        gpus.append({"index": len(gpus), "arch": archs[0],
                     "mig": {"mode": "enabled", "devices": devices}})
    for gpu in gpus:
        gpu.update({k: v for k, v in (("name", gpu_name), ("brand", brand)) if v is not None})
        if memory is not None and not migs:
            gpu["memory_mib"] = memory
        if gpu.get("arch") is None:
            gpu.pop("arch", None)
    data: dict[str, Any] = {"name": name, "gpus": gpus,
                            "source": {"kind": "kubernetes", "approximate": True, "node": name}}
    driver, cuda = _driver(labels, name, notes), _cuda(labels, name)
    for key, value in (("driver", driver), ("cuda", cuda)):
        if value is None:
            notes.append(f"{key}: no label, so it is unknown")
        else:
            data[key] = value
    osname, arch = labels.get("kubernetes.io/os"), labels.get("kubernetes.io/arch")
    if osname and arch and _PLATFORM.fullmatch(f"{osname}/{arch}"):
        data["platform"] = f"{osname}/{arch}"
    if mode is None:
        notes.append("runtime mode: labels do not say; legacy assumed")
    data["runtime"] = {"mode": mode or "legacy"}
    try:
        profile = HostProfile.from_dict(data)
    except ProfileError as exc:
        raise InputError(f"node {name}: {exc}") from None
    return profile, tuple(notes)
