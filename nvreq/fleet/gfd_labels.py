"""The node labels nvreq reads and writes: GPU Feature Discovery's, and its own NFD features.

Sources: NVIDIA/k8s-device-plugin ``internal/lm``. All values are strings.
"""

from __future__ import annotations

import re
from typing import Literal

from nvreq._frozen import frozen

__all__ = [
    "COMPUTE",
    "CUDA_FULL",
    "DRIVER_FULL",
    "GPU_COUNT",
    "GPU_MEMORY",
    "GPU_PRODUCT",
    "LABEL_SETS",
    "MIG_CAPABLE",
    "MIG_STRATEGY",
    "NFD_ARCHS",
    "NFD_ARCH_UNIFORM",
    "NFD_BRAND",
    "NFD_PREFIX",
    "LabelSet",
    "is_label_key",
    "is_label_value",
]

GFD = "nvidia.com/"
DRIVER_FULL = "nvidia.com/cuda.driver-version.full"
CUDA_FULL = "nvidia.com/cuda.runtime-version.full"
COMPUTE = ("nvidia.com/gpu.compute.major", "nvidia.com/gpu.compute.minor")
GPU_PRODUCT = "nvidia.com/gpu.product"
GPU_COUNT = "nvidia.com/gpu.count"
GPU_MEMORY = "nvidia.com/gpu.memory"
GPU_PRESENT = "nvidia.com/gpu.present"
MIG_CAPABLE = "nvidia.com/mig.capable"
MIG_STRATEGY = "nvidia.com/mig.strategy"
#: the extended resource the device plugin advertises
GPU_RESOURCE = "nvidia.com/gpu"
NFD_PCI = "feature.node.kubernetes.io/pci-10de.present"
#: NFD publishes a local feature ``name=value`` without a namespace under this prefix
NFD_PREFIX = "feature.node.kubernetes.io/"
#: written by ``nfd_features``: the brand token every GPU shares (``mixed`` when they differ)
NFD_BRAND = NFD_PREFIX + "gpu-brand"
#: written by ``nfd_features``: every distinct compute capability, sorted, joined by ``_``
NFD_ARCHS = NFD_PREFIX + "gpu-archs"
#: written by ``nfd_features``: ``true`` when every GPU has the same compute capability
NFD_ARCH_UNIFORM = NFD_PREFIX + "gpu-arch-uniform"

_NAME = r"[A-Za-z0-9](?:[-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"
_KEY = re.compile(rf"(?:[a-z0-9](?:[-a-z0-9.]{{0,251}}[a-z0-9])?/)?{_NAME}")
_VALUE = re.compile(rf"(?:{_NAME})?")


def is_label_key(text: str) -> bool:
    """A valid label key: an optional DNS prefix and ``/``, then a name of at most 63 characters.

    >>> is_label_key("feature.node.kubernetes.io/gpu-brand"), is_label_key("bad key")
    (True, False)
    """
    return _KEY.fullmatch(text) is not None and len(text.rpartition("/")[0]) <= 253


def is_label_value(text: str) -> bool:
    """A valid label value: empty, or at most 63 of ``[A-Za-z0-9-_.]`` starting and ending alnum.

    >>> is_label_value("NVIDIA-A100-SXM4-40GB"), is_label_value(""), is_label_value("-x")
    (True, True, False)
    """
    return _VALUE.fullmatch(text) is not None


@frozen
class LabelSet:
    """The version labels of one GFD naming scheme: current names, or the deprecated duplicates."""

    name: Literal["current", "deprecated"]
    cuda: tuple[str, str]
    driver: tuple[str, str, str]
    arch: tuple[str, str] = COMPUTE


CURRENT = LabelSet(
    "current",
    ("nvidia.com/cuda.runtime-version.major", "nvidia.com/cuda.runtime-version.minor"),
    ("nvidia.com/cuda.driver-version.major", "nvidia.com/cuda.driver-version.minor",
     "nvidia.com/cuda.driver-version.revision"))
DEPRECATED = LabelSet(
    "deprecated",
    ("nvidia.com/cuda.runtime.major", "nvidia.com/cuda.runtime.minor"),
    ("nvidia.com/cuda.driver.major", "nvidia.com/cuda.driver.minor", "nvidia.com/cuda.driver.rev"))
#: ``--gfd-labels`` choices
LABEL_SETS = {"current": CURRENT, "deprecated": DEPRECATED}
