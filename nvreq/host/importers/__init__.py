"""Host importers: profiles from the host descriptions operators already have."""

from __future__ import annotations

from nvreq.host.importers.container_cli import parse_container_cli_info
from nvreq.host.importers.nvidia_smi import (
    MAX_XML_BYTES,
    parse_compute_caps,
    parse_gpu_list,
    parse_nvidia_smi_xml,
)

__all__ = [
    "MAX_XML_BYTES",
    "parse_compute_caps",
    "parse_container_cli_info",
    "parse_gpu_list",
    "parse_nvidia_smi_xml",
]
