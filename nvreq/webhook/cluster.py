"""The cluster the webhook decides for: its GPU nodes as a ``Fleet``, with their labels.

A ``Cluster`` is one immutable view, built from a NodeList (a file, or the nodes the API server
lists); the webhook swaps in a new view when the nodes change, so a review reads one consistent set.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from nvreq.fleet.core import Fleet
from nvreq.fleet.inputs import hosts_from_nodelist
from nvreq.fleet.kubernetes import ARCH_LABEL

__all__ = ["ARCH_LABEL", "DEFAULT_ARCH", "Cluster"]

DEFAULT_ARCH = "amd64"


@dataclass(frozen=True, slots=True)
class Cluster:
    """The GPU nodes at one moment: a ``Fleet`` of their approximate profiles and their labels.

    ``skipped`` holds ``(node, why)`` for nodes listed but not evaluated (no GPU, labels unread).
    """

    fleet: Fleet
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    skipped: tuple[tuple[str, str], ...] = ()
    source: str = ""
    by_arch: Mapping[str, frozenset[str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        groups: dict[str, set[str]] = {}
        for name, labels in self.labels.items():
            groups.setdefault(labels.get(ARCH_LABEL) or DEFAULT_ARCH, set()).add(name)
        object.__setattr__(self, "by_arch", {a: frozenset(n) for a, n in sorted(groups.items())})

    @classmethod
    def from_nodelist(cls, data: Mapping[str, Any], *, source: str = "nodes",
                      brand_label: str | None = None, brand_map: Mapping[str, str] | None = None,
                      mode: str | None = None) -> Cluster:
        """The GPU nodes of a ``kubectl get nodes -o json`` NodeList (rules of ``nvreq fleet``).

        >>> node = {"metadata": {"name": "n1", "labels": {"nvidia.com/gpu.count": "1"}}}
        >>> Cluster.from_nodelist({"items": [node]}).arches
        ('amd64',)
        """
        read = hosts_from_nodelist(data, source=source, brand_label=brand_label,
                                   brand_map=brand_map, mode=mode)
        gpu = {name for name, _ in read.hosts}
        labels = {item["metadata"]["name"]: dict(item["metadata"].get("labels") or {})
                  for item in data["items"] if item["metadata"]["name"] in gpu}
        return cls(Fleet(read.hosts, unknown="fail", notes=read.notes), labels,
                   read.non_gpu + read.problems, source)

    @property
    def arches(self) -> tuple[str, ...]:
        """The distinct architectures of the GPU nodes (``amd64`` where a node has no label)."""
        return tuple(self.by_arch) or (DEFAULT_ARCH,)

    def nodes_of(self, arch: str) -> frozenset[str]:
        """The GPU nodes of one architecture."""
        return self.by_arch.get(arch, frozenset())
