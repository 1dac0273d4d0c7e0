"""Profiles from ``nvidia-smi -q -x`` XML, with ``--query-gpu=index,compute_cap`` and ``-L``.

The XML is parsed with the standard library's expat parser, which never fetches a DTD; entity
declarations are refused outright, so no entity expansion can happen.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any, NoReturn
from xml.parsers import expat

from nvreq.errors import ProfileError
from nvreq.files import text_lines
from nvreq.formats.digits import uint
from nvreq.host.importers._build import build_profile
from nvreq.host.profile import HostProfile

__all__ = ["MAX_XML_BYTES", "parse_compute_caps", "parse_gpu_list", "parse_nvidia_smi_xml"]

#: ``nvidia-smi -q -x`` input is at most 16 MiB.
MAX_XML_BYTES = 16 << 20

_MIB = re.compile(r"([0-9]+)\s*MiB")
_MAJOR_MINOR = re.compile(r"[0-9]+\.[0-9]+")
_MIG_MODES = {"enabled": "enabled", "disabled": "disabled", "n/a": "unsupported"}
_GPU_LINE = re.compile(r"GPU\s+([0-9]+):.*\(UUID:\s*(GPU-[^)\s]+)\)")
_MIG_LINE = re.compile(r"MIG\s+(\S+)\s+Device\s+([0-9]+):\s*\(UUID:\s*(MIG-[^)\s]+)\)")


class _Forbidden(Exception):
    pass


def _refuse(*_: Any) -> NoReturn:
    raise _Forbidden


def _parse_xml(data: bytes | str, source: str | None) -> ET.Element:
    if len(data) > MAX_XML_BYTES:
        raise ProfileError("nvidia-smi XML is larger than 16 MiB", source=source)
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    parser.EntityDeclHandler = _refuse
    parser.UnparsedEntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    try:
        parser.Parse(data, True)
        return builder.close()
    except expat.ExpatError as exc:
        raise ProfileError(f"Invalid XML: {expat.ErrorString(exc.code)}", source=source,
                           line=exc.lineno, column=exc.offset + 1) from None
    except _Forbidden:
        raise ProfileError("Invalid XML: entity declarations are not allowed",
                           source=source) from None


def _value(element: ET.Element | None, path: str) -> str | None:
    found = None if element is None else element.find(path)
    text = None if found is None or found.text is None else found.text.strip()
    return None if not text or text.upper() in ("N/A", "NONE", "[N/A]") else text


def _mib(element: ET.Element, path: str) -> int | None:
    text = _value(element, path)
    match = _MIB.fullmatch(text) if text else None
    return uint(match.group(1), 2**64 - 1) if match else None


def _int(element: ET.Element, path: str) -> int | None:
    text = _value(element, path)
    return uint(text, 2**32 - 1) if text else None


def parse_nvidia_smi_xml(data: bytes | str, *, source: str | None = None,
                         compute_caps: dict[int, str] | None = None,
                         gpu_list: dict[int, dict[str, Any]] | None = None) -> HostProfile:
    """A profile from ``nvidia-smi -q -x`` output; ``arch`` comes only from ``compute_caps``.

    ``compute_caps`` and ``gpu_list`` are what ``parse_compute_caps`` and ``parse_gpu_list``
    return; they fill the compute capability, and MIG UUIDs and profiles.
    """
    root = _parse_xml(data, source)
    if root.tag != "nvidia_smi_log":
        raise ProfileError(f"Expected nvidia-smi -q -x output (root <nvidia_smi_log>), "
                           f"got <{root.tag[:40]}>", source=source)
    warnings: list[str] = []
    cuda = _value(root, "cuda_version")
    if cuda is not None and not _MAJOR_MINOR.fullmatch(cuda):
        warnings.append(f"cuda_version {cuda!r} is not M.m; left unknown")
        cuda = None
    gpus = [_gpu(i, element, compute_caps or {}, (gpu_list or {}).get(i, {}))
            for i, element in enumerate(root.findall("gpu"))]
    if gpus and any(g["arch"] is None for g in gpus):
        warnings.append("arch is unknown: nvidia-smi -q -x has no compute capability; add the "
                        "output of nvidia-smi --query-gpu=index,compute_cap --format=csv,noheader")
    data_dict: dict[str, Any] = {"driver": _value(root, "driver_version"), "cuda": cuda,
                                 "gpus": gpus, "source": {"kind": "nvidia-smi"}}
    return build_profile(data_dict, source, warnings)


def _gpu(index: int, gpu: ET.Element, caps: dict[int, str],
         listed: dict[str, Any]) -> dict[str, Any]:
    mig: dict[str, Any] = {}
    mode = _value(gpu, "mig_mode/current_mig")
    if gpu.find("mig_mode/current_mig") is not None:
        mig["mode"] = _MIG_MODES.get((mode or "n/a").lower())
    devices = []
    for element in gpu.findall("mig_devices/mig_device"):
        j = _int(element, "index")
        if j is None:
            continue
        extra = listed.get("mig", {}).get(j, {})
        devices.append({"index": j, "uuid": extra.get("uuid"), "profile": extra.get("profile"),
                        "gi": _int(element, "gpu_instance_id"),
                        "ci": _int(element, "compute_instance_id"),
                        "memory_mib": _mib(element, "fb_memory_usage/total")})
    if devices:
        mig["devices"] = devices
    return {
        "index": index,
        "uuid": _value(gpu, "uuid") or listed.get("uuid"),
        "pci_bus_id": gpu.get("id") or _value(gpu, "pci/pci_bus_id"),
        "name": _value(gpu, "product_name"),
        "brand": _value(gpu, "product_brand"),
        "arch": caps.get(index),
        "memory_mib": _mib(gpu, "fb_memory_usage/total"),
        "minor_number": _int(gpu, "minor_number"),
        "mig": mig,
    }


def parse_compute_caps(text: str, *, source: str | None = None) -> dict[int, str]:
    """``nvidia-smi --query-gpu=index,compute_cap --format=csv,noheader`` → {index: "M.m"}.

    >>> parse_compute_caps("0, 9.0\\n1, 8.6\\n")
    {0: '9.0', 1: '8.6'}
    """
    caps: dict[int, str] = {}
    for number, line in enumerate(text_lines(text), 1):
        if not line.strip() or line.strip().lower().startswith("index"):
            continue
        fields = [f.strip() for f in line.split(",")]
        index = uint(fields[0], 2**32 - 1) if len(fields) == 2 else None
        if index is None or not _MAJOR_MINOR.fullmatch(fields[1]):
            raise ProfileError("Expected 'index, compute_cap' such as '0, 9.0'", source=source,
                               line=number)
        caps[index] = fields[1]
    return caps


def parse_gpu_list(text: str, *, source: str | None = None) -> dict[int, dict[str, Any]]:
    """``nvidia-smi -L`` → {gpu index: {"uuid", "mig": {mig index: {"uuid", "profile"}}}}.

    >>> parse_gpu_list("GPU 0: NVIDIA A100 (UUID: GPU-1)\\n  MIG 1g.5gb Device 0: (UUID: MIG-2)\\n")
    {0: {'uuid': 'GPU-1', 'mig': {0: {'uuid': 'MIG-2', 'profile': '1g.5gb'}}}}
    """
    gpus: dict[int, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    for number, line in enumerate(text_lines(text), 1):
        if not line.strip():
            continue
        gpu, mig = _GPU_LINE.match(line.strip()), _MIG_LINE.match(line.strip())
        found = gpu.group(1) if gpu else mig.group(2) if mig else ""
        index = uint(found, 2**32 - 1)
        if gpu and index is not None:
            current = gpus.setdefault(index, {"uuid": gpu.group(2), "mig": {}})
        elif mig and current is not None and index is not None:
            current["mig"][index] = {"uuid": mig.group(3), "profile": mig.group(1)}
        else:
            raise ProfileError("Expected an nvidia-smi -L line ('GPU 0: … (UUID: GPU-…)' or "
                               "'MIG 1g.5gb Device 0: (UUID: MIG-…)')", source=source,
                               line=number)
    return gpus
