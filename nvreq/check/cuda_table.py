"""CUDA toolkit ↔ driver data for explanations; the runtime never consults it.

Vendored from nvreq's spec data (``cuda-driver-table.md``), which cites NVIDIA's CUDA Toolkit
Release Notes (Table 3, Table 2) and the official ``nvidia/cuda`` Dockerfiles.
"""

from __future__ import annotations

from nvreq._frozen import frozen
from nvreq.require.versions import version_key

__all__ = ["BRANCHES", "Branch", "min_driver_for_cuda", "mvc_min_driver"]


@frozen
class Branch:
    """A driver branch: its first driver in Table 3 and the CUDA version its drivers report."""

    name: str
    first_driver: str
    cuda: str


#: Table 2 of the data file (derived from T3), oldest first. R565 is in no T3 row: never proposed.
BRANCHES: tuple[Branch, ...] = tuple(Branch(*row) for row in (
    ("R346", "346.46", "7.0"), ("R352", "352.31", "7.5"), ("R367", "367.48", "8.0"),
    ("R375", "375.26", "8.0"), ("R384", "384.81", "9.0"), ("R390", "390.46", "9.1"),
    ("R396", "396.26", "9.2"), ("R410", "410.48", "10.0"), ("R418", "418.39", "10.1"),
    ("R440", "440.33", "10.2"), ("R450", "450.36.06", "11.0"), ("R455", "455.23", "11.1"),
    ("R460", "460.27.03", "11.2"), ("R465", "465.19.01", "11.3"), ("R470", "470.42.01", "11.4"),
    ("R495", "495.29.05", "11.5"), ("R510", "510.39.01", "11.6"), ("R515", "515.43.04", "11.7"),
    ("R520", "520.61.05", "11.8"), ("R525", "525.60.13", "12.0"), ("R530", "530.30.02", "12.1"),
    ("R535", "535.54.03", "12.2"), ("R545", "545.23.06", "12.3"), ("R550", "550.54.14", "12.4"),
    ("R555", "555.42.02", "12.5"), ("R560", "560.28.03", "12.6"), ("R570", "570.26", "12.8"),
    ("R575", "575.51.03", "12.9"), ("R580", "580.65.06", "13.0"), ("R590", "590.44.01", "13.1"),
    ("R595", "595.45.04", "13.2"),
))

#: Table 3 (Linux x86_64): the first (GA) toolkit of each CUDA minor and its minimum driver
_GA_DRIVER: dict[str, str] = {
    "13.2": "595.45.04", "13.1": "590.44.01", "13.0": "580.65.06", "12.9": "575.51.03",
    "12.8": "570.26", "12.6": "560.28.03", "12.5": "555.42.02", "12.4": "550.54.14",
    "12.3": "545.23.06", "12.2": "535.54.03", "12.1": "530.30.02", "12.0": "525.60.13",
    "11.8": "520.61.05", "11.7": "515.43.04", "11.6": "510.39.01", "11.5": "495.29.05",
    "11.4": "470.42.01", "11.3": "465.19.01", "11.2": "460.27.03", "11.1": "455.23",
    "11.0": "450.36.06", "10.2": "440.33", "10.1": "418.39", "10.0": "410.48", "9.2": "396.26",
    "9.1": "390.46", "9.0": "384.81", "8.0": "367.48", "7.5": "352.31", "7.0": "346.46",
}

#: Table 3 of the data file (minor-version compatibility): exact minimums where an edition gives
#: one, the range form otherwise
_MVC_MIN: dict[int, str] = {13: "580", 12: "525.60.13", 11: "450.80.02"}


def min_driver_for_cuda(cuda: str) -> str | None:
    """The oldest driver whose NVML CUDA version satisfies ``cuda>=cuda``, from Table 3.

    >>> min_driver_for_cuda("12.4"), min_driver_for_cuda("12.7")
    ('550.54.14', '570.26')
    """
    want = version_key(cuda)
    if want is None:
        return None
    candidates = sorted(((version_key(c) or (), d) for c, d in _GA_DRIVER.items()))
    for have, driver in candidates:
        if have >= want:
            return driver
    return None


def mvc_min_driver(cuda_major: int) -> str | None:
    """The minimum driver for CUDA minor-version compatibility within a major family."""
    return _MVC_MIN.get(cuda_major)
