"""Profiles from ``nvidia-container-cli info`` output, ``--csv`` or ``Label: value`` form.

This is the most faithful source: brand, arch and cuda are exactly what libnvidia-container
compares. It has no memory and no MIG devices.
"""

from __future__ import annotations

from typing import Any

from nvreq.errors import ProfileError
from nvreq.files import text_lines
from nvreq.formats.digits import is_digits, uint
from nvreq.host.importers._build import build_profile
from nvreq.host.profile import HostProfile

__all__ = ["parse_container_cli_info"]

_DRIVER_HEADER = "NVRM version,CUDA version"
_DEVICE_HEADER = "Device Index,Device Minor,Model,Brand,GPU UUID,Bus Location,Architecture"
_LABELS = {"NVRM version": "driver", "CUDA version": "cuda", "Device Index": "index",
           "Device Minor": "minor_number", "Model": "name", "Brand": "brand",
           "GPU UUID": "uuid", "Bus Location": "pci_bus_id", "Architecture": "arch"}


def parse_container_cli_info(text: str, *, source: str | None = None) -> HostProfile:
    """A profile from ``nvidia-container-cli info`` (either form).

    >>> p = parse_container_cli_info("NVRM version,CUDA version\\n550.54.15,12.4\\n\\n"
    ...     "Device Index,Device Minor,Model,Brand,GPU UUID,Bus Location,Architecture\\n"
    ...     "0,0,NVIDIA H100 80GB HBM3,Nvidia,GPU-8f3e,00000000:3b:00.0,9.0\\n")
    >>> p.driver, p.cuda, p.gpus[0].brand, p.gpus[0].pci_bus_id
    ('550.54.15', '12.4', 'Nvidia', '00000000:3B:00.0')
    """
    lines = text_lines(text)
    first = next((line.strip() for line in lines if line.strip()), "")
    warnings: list[str] = []
    if first.startswith(_DRIVER_HEADER) or first.startswith("Device Index,"):
        data = _csv(lines, source, warnings)
    elif ":" in first:
        data = _labels(lines, source, warnings)
    else:
        raise ProfileError("Expected nvidia-container-cli info output ('NVRM version…')",
                           source=source, line=1)
    data["source"] = {"kind": "nvidia-container-cli"}
    return build_profile(data, source, warnings)


def _na(text: str) -> str | None:
    text = text.strip()
    return None if not text or text.upper() == "N/A" else text


def _number(text: str | None, source: str | None, line: int, what: str) -> int | None:
    if text is None:
        return None
    if not is_digits(text):
        raise ProfileError(f"Expected a {what} (digits), got {text[:40]!r}", source=source,
                           line=line)
    number = uint(text, 2**64 - 1)
    if number is None:
        raise ProfileError(f"{what} {text[:40]}… is out of range", source=source, line=line)
    return number


def _csv(lines: list[str], source: str | None, warnings: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"gpus": []}
    header: str | None = None
    for number, raw in enumerate(lines, 1):
        line = raw.strip()
        if not line:
            header = None
        elif header is None:
            header = line
            if line not in (_DRIVER_HEADER, _DEVICE_HEADER):
                warnings.append(f"skipped an unknown section {line[:60]!r} (line {number})")
        elif header == _DRIVER_HEADER:
            fields = line.split(",")
            if len(fields) != 2:
                raise ProfileError("Expected 'NVRM version,CUDA version' values", source=source,
                                   line=number)
            data["driver"], data["cuda"] = _na(fields[0]), _na(fields[1])
        elif header == _DEVICE_HEADER:
            fields = line.split(",")
            if len(fields) < 7:
                raise ProfileError(f"Expected 7 device fields, got {len(fields)}", source=source,
                                   line=number)
            brand, uuid, bus, arch = (_na(f) for f in fields[-4:])
            data["gpus"].append({
                "index": _number(_na(fields[0]), source, number, "device index"),
                "minor_number": _number(_na(fields[1]), source, number, "device minor"),
                "name": _na(",".join(fields[2:-4])), "brand": brand, "uuid": uuid,
                "pci_bus_id": bus, "arch": arch})
    return data


def _labels(lines: list[str], source: str | None, warnings: list[str]) -> dict[str, Any]:
    data: dict[str, Any] = {"gpus": []}
    skipped: set[str] = set()
    for number, raw in enumerate(lines, 1):
        if not raw.strip():
            continue
        label, sep, value = raw.partition(":")
        if not sep:
            raise ProfileError("Expected a 'Label: value' line", source=source, line=number)
        key = _LABELS.get(label.strip())
        if key is None:
            if label.strip() not in skipped:
                skipped.add(label.strip())
                warnings.append(f"skipped an unknown field {label.strip()[:60]!r} "
                                f"(line {number})")
            continue
        if key in ("driver", "cuda"):
            data[key] = _na(value)
            continue
        if key == "index":
            data["gpus"].append({})
        elif not data["gpus"]:
            raise ProfileError(f"{label.strip()!r} before any 'Device Index'", source=source,
                               line=number)
        gpu = data["gpus"][-1]
        text = _na(value)
        gpu[key] = _number(text, source, number, label.strip()) if key in (
            "index", "minor_number") else text
    return data
