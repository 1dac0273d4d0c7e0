"""A Pod's containers as the runtime will see them: image, GPU request and literal environment."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nvreq.errors import InputError

__all__ = ["DEFAULT_GPU_RESOURCES", "Container", "container_env", "pod_containers",
           "requests_resource"]

#: extended resources that give a container GPUs; ``*`` ends a prefix (MIG profiles)
DEFAULT_GPU_RESOURCES = ("nvidia.com/gpu", "nvidia.com/mig-*")


@dataclass(frozen=True, slots=True)
class Container:
    """One container (or init container) of a pod spec.

    ``env`` holds the spec's literal ``KEY=VALUE`` entries; ``not_evaluated`` names what only the
    kubelet can resolve: variables set through ``valueFrom`` and the ``envFrom`` sources.
    """

    name: str
    image: str
    init: bool = False
    requests_gpu: bool = False
    env: tuple[str, ...] = ()
    not_evaluated: tuple[str, ...] = ()

    def gets_gpus(self, image_env: Sequence[str]) -> bool:
        """Whether the runtime treats it as a GPU container candidate: it requests a GPU
        resource, or its image sets ``NVIDIA_VISIBLE_DEVICES``."""
        return self.requests_gpu or any(e.startswith("NVIDIA_VISIBLE_DEVICES=")
                                        for e in image_env)


def requests_resource(resources: Any, names: Sequence[str]) -> bool:
    """Whether ``resources`` (a container's ``resources``) asks a non-zero amount of one of
    ``names`` in its limits or requests.

    >>> requests_resource({"limits": {"nvidia.com/mig-1g.10gb": "1"}}, ["nvidia.com/mig-*"])
    True
    """
    if not isinstance(resources, Mapping):
        return False
    for part in ("limits", "requests"):
        table = resources.get(part)
        if not isinstance(table, Mapping):
            continue
        for key, amount in table.items():
            if str(amount).strip() in ("0", "") or not isinstance(key, str):
                continue
            if any(key == n or (n.endswith("*") and key.startswith(n[:-1])) for n in names):
                return True
    return False


def _container(obj: Any, where: str, init: bool, names: Sequence[str]) -> Container:
    if not isinstance(obj, Mapping):
        raise InputError(f"{where} is not an object")
    name, image = obj.get("name"), obj.get("image")
    if not isinstance(name, str) or not name:
        raise InputError(f"{where}.name is missing")
    if not isinstance(image, str) or not image:
        raise InputError(f"{where}.image is missing")
    env: list[str] = []
    from_refs: list[str] = []
    entries = obj.get("env") or []
    if not isinstance(entries, list):
        raise InputError(f"{where}.env is not a list")
    for i, entry in enumerate(entries):
        key = entry.get("name") if isinstance(entry, Mapping) else None
        if not isinstance(key, str):
            raise InputError(f"{where}.env[{i}].name is missing")
        if entry.get("valueFrom") is not None:
            from_refs.append(f"{key} (valueFrom)")
        else:
            env.append(f"{key}={entry.get('value') or ''}")
    sources = obj.get("envFrom") or []
    for source in sources if isinstance(sources, list) else []:
        ref = next((f"{kind}/{value.get('name')}" for kind, value in source.items()
                    if kind.endswith("Ref") and isinstance(value, Mapping)), "envFrom") \
            if isinstance(source, Mapping) else "envFrom"
        from_refs.append(f"{ref} (envFrom)")
    return Container(name, image, init, requests_resource(obj.get("resources"), names),
                     tuple(env), tuple(from_refs))


def pod_containers(pod: Any, gpu_resources: Sequence[str] = DEFAULT_GPU_RESOURCES
                   ) -> tuple[Container, ...]:
    """The init containers and containers of a Pod object, in that order.

    >>> pod = {"spec": {"containers": [{"name": "c", "image": "cuda:12",
    ...        "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}}
    >>> pod_containers(pod)
    (Container(name='c', image='cuda:12', init=False, requests_gpu=True, env=(), not_evaluated=()),)
    """
    spec = pod.get("spec") if isinstance(pod, Mapping) else None
    if not isinstance(spec, Mapping):
        raise InputError("the pod has no spec")
    out: list[Container] = []
    for field, init in (("initContainers", True), ("containers", False)):
        items = spec.get(field) or []
        if not isinstance(items, list):
            raise InputError(f"spec.{field} is not a list")
        out += [_container(c, f"spec.{field}[{i}]", init, gpu_resources)
                for i, c in enumerate(items)]
    if not any(not c.init for c in out):
        raise InputError("the pod has no containers")
    return tuple(out)


def container_env(image_env: Sequence[str], container: Container) -> list[str]:
    """The environment the runtime hook reads: the image's, then ``NVIDIA_VISIBLE_DEVICES``
    as the device plugin sets it for a GPU request, then the spec's literal entries (later wins).
    """
    plugin = ["NVIDIA_VISIBLE_DEVICES=all"] if container.requests_gpu else []
    return [*image_env, *plugin, *container.env]
