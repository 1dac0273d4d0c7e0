"""``nvreq host --nfd``: a Node Feature Discovery local feature file with what GFD lacks.

GPU Feature Discovery publishes no brand and one compute capability per node.
NFD's ``local`` source reads ``name=value`` lines from files under
``/etc/kubernetes/node-feature-discovery/features.d/`` and publishes each as the node label
``feature.node.kubernetes.io/<name>``; ``nvreq affinity --nfd`` and the fleet reader use them.
"""

from __future__ import annotations

from nvreq.errors import InputError
from nvreq.fleet.gfd_labels import (
    NFD_ARCH_UNIFORM,
    NFD_ARCHS,
    NFD_BRAND,
    NFD_PREFIX,
    is_label_value,
)
from nvreq.host.profile import HostProfile
from nvreq.require.semantics import Context
from nvreq.require.versions import version_key

__all__ = ["MIXED", "nfd_features"]

#: the brand label's value when the GPUs of a node report different brands
MIXED = "mixed"


def nfd_features(profile: HostProfile) -> str:
    """The feature file for a host: brand token (as the runtime reads it) and every architecture.

    >>> print(nfd_features(HostProfile.preset("h100-r550")), end="")
    # nvreq host --nfd: GPU facts that GPU Feature Discovery does not publish
    gpu-brand=nvidia
    gpu-archs=9.0
    gpu-arch-uniform=true
    """
    if not profile.gpus:
        raise InputError("the host has no GPU: there is nothing to publish")
    tv = profile.runtime.toolkit_version
    # the brand as the runtime compares it (libnvidia-container < 1.9.0 reads newer ones Unknown)
    brands = {Context.for_gpu(None, None, g.arch, g.brand, toolkit_version=tv).brand
              for g in profile.gpus}
    lines = ["# nvreq host --nfd: GPU facts that GPU Feature Discovery does not publish"]
    if None not in brands:
        token = brands.pop().lower() if len(brands) == 1 else MIXED  # type: ignore[union-attr]
        lines.append(f"{_name(NFD_BRAND)}={token}")
    archs = {g.arch for g in profile.gpus}
    if None not in archs:
        listed = sorted((a for a in archs if a is not None),
                        key=lambda a: version_key(a) or ())
        value = "_".join(listed)
        if is_label_value(value):
            lines.append(f"{_name(NFD_ARCHS)}={value}")
        lines.append(f"{_name(NFD_ARCH_UNIFORM)}={'true' if len(listed) == 1 else 'false'}")
    return "\n".join(lines) + "\n"


def _name(label: str) -> str:
    return label[len(NFD_PREFIX):]
