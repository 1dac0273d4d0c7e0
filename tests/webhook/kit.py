"""Shared pieces for the webhook tests: GFD-labelled NodeLists, AdmissionReview bodies as the API
server sends them (admission.k8s.io/v1, ``request.object`` a full Pod), and a stand-in reader."""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

import jsonpatch
from kubernetes.client import ApiClient

from nvreq.images.info import ImageInfo
from nvreq.images.reference import parse_reference
from nvreq.webhook.admission import Admission, Settings
from nvreq.webhook.cluster import Cluster
from nvreq.webhook.images import ImageCache

CUDA_12_4 = ("cuda>=12.4 brand=tesla,driver>=470,driver<471 brand=tesla,driver>=535,driver<536")


def gfd_node(name: str, *, cuda: str | None = "12.4", driver: str | None = "550.54.15",
             compute: str | None = "9.0", arch: str | None = "amd64", gpus: int = 8,
             product: str = "NVIDIA-H100-80GB-HBM3") -> dict[str, Any]:
    """A Node as GPU Feature Discovery labels it (None leaves a label group out)."""
    labels = {"nvidia.com/gpu.count": str(gpus), "nvidia.com/gpu.product": product,
              "nvidia.com/gpu.present": "true"}
    if arch:
        labels["kubernetes.io/arch"] = arch
    if cuda:
        major, minor = cuda.split(".")
        labels |= {"nvidia.com/cuda.runtime-version.major": major,
                   "nvidia.com/cuda.runtime-version.minor": minor}
    if driver:
        parts = driver.split(".")
        labels |= {"nvidia.com/cuda.driver-version.major": parts[0],
                   "nvidia.com/cuda.driver-version.minor": parts[1],
                   "nvidia.com/cuda.driver-version.revision": parts[2] if len(parts) > 2
                   else ""}
    if compute:
        major, minor = compute.split(".")
        labels |= {"nvidia.com/gpu.compute.major": major, "nvidia.com/gpu.compute.minor": minor}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels},
            "status": {"capacity": {"nvidia.com/gpu": str(gpus), "cpu": "64"}}}


def nodelist(*nodes: dict[str, Any]) -> dict[str, Any]:
    """A ``kubectl get nodes -o json`` document."""
    return {"apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
            "items": list(nodes)}


#: a mixed cluster: new and old drivers, a node without GFD labels, a CPU node
FLEET = nodelist(
    gfd_node("h100-a", cuda="12.4", driver="550.54.15"),
    gfd_node("h100-b", cuda="12.8", driver="570.124.06"),
    gfd_node("a100-old", cuda="12.2", driver="535.104.05", compute="8.0",
             product="NVIDIA-A100-SXM4-40GB"),
    gfd_node("t4-older", cuda="11.4", driver="470.82.01", compute="7.5", product="Tesla-T4"),
    gfd_node("bare-gpu", cuda=None, driver=None, compute=None),
    {"apiVersion": "v1", "kind": "Node", "metadata": {"name": "cpu-1", "labels": {
        "kubernetes.io/arch": "amd64"}}, "status": {"capacity": {"cpu": "32"}}},
)


def container(name: str, image: str, *, gpus: int | None = 1, env: Sequence[Mapping[str, Any]]
              = ()) -> dict[str, Any]:
    """A container as the API server stores it (defaults filled in)."""
    out: dict[str, Any] = {"name": name, "image": image, "imagePullPolicy": "IfNotPresent",
                           "resources": {}, "terminationMessagePath": "/dev/termination-log",
                           "terminationMessagePolicy": "File"}
    if gpus is not None:
        out["resources"] = {"limits": {"nvidia.com/gpu": str(gpus)},
                            "requests": {"nvidia.com/gpu": str(gpus)}}
    if env:
        out["env"] = list(env)
    return out


def pod(*containers: dict[str, Any], namespace: str = "ml", init: Sequence[dict[str, Any]] = (),
        affinity: dict[str, Any] | None = None, annotations: dict[str, str] | None = None,
        pull_secrets: Sequence[str] = ()) -> dict[str, Any]:
    """A full Pod object as ``request.object`` carries it."""
    spec: dict[str, Any] = {"containers": list(containers), "restartPolicy": "Always",
                            "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst",
                            "serviceAccountName": "default", "schedulerName": "default-scheduler",
                            "securityContext": {}, "enableServiceLinks": True,
                            "preemptionPolicy": "PreemptLowerPriority", "priority": 0,
                            "tolerations": [{"key": "node.kubernetes.io/not-ready",
                                             "operator": "Exists", "effect": "NoExecute",
                                             "tolerationSeconds": 300}]}
    if init:
        spec["initContainers"] = list(init)
    if affinity is not None:
        spec["affinity"] = affinity
    if pull_secrets:
        spec["imagePullSecrets"] = [{"name": n} for n in pull_secrets]
    metadata: dict[str, Any] = {"generateName": "train-", "namespace": namespace,
                                "labels": {"app": "train"}}
    if annotations is not None:
        metadata["annotations"] = annotations
    return {"kind": "Pod", "apiVersion": "v1", "metadata": metadata, "spec": spec,
            "status": {"phase": "Pending", "qosClass": "BestEffort"}}


def review(obj: dict[str, Any], *, operation: str = "CREATE", uid: str | None = None,
           kind: str = "Pod", resource: str = "pods") -> dict[str, Any]:
    """An AdmissionReview request in the documented v1 shape."""
    gvk = {"group": "", "version": "v1", "kind": kind}
    gvr = {"group": "", "version": "v1", "resource": resource}
    return {"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {
        "uid": uid or str(uuid.uuid4()), "kind": gvk, "resource": gvr, "requestKind": gvk,
        "requestResource": gvr, "name": "", "namespace": obj.get("metadata", {}).get(
            "namespace", "ml"), "operation": operation,
        "userInfo": {"username": "admin", "uid": "014fbff9a07c",
                     "groups": ["system:authenticated"]},
        "object": obj, "oldObject": None, "dryRun": False,
        "options": {"kind": "CreateOptions", "apiVersion": "meta.k8s.io/v1"}}}


def body(obj: dict[str, Any], **kw: Any) -> bytes:
    """``review(obj)`` as request bytes."""
    return json.dumps(review(obj, **kw)).encode()


def _canonical(key: str) -> str:
    ref, _, platform = key.partition(" ")
    return f"{parse_reference(ref)} {platform}".strip()


class FakeRegistry:
    """A stand-in for ``read_image`` over a table of reference -> env (per architecture)."""

    def __init__(self, images: Mapping[str, Sequence[str]]) -> None:
        self.images = {_canonical(k): v for k, v in images.items()}
        self.reads: list[str] = []

    def __call__(self, ref: str, *, platform: str, **_: Any) -> ImageInfo:
        from nvreq.errors import ImageError

        self.reads.append(ref)
        name = ref.removeprefix("docker://")
        env = self.images.get(f"{name} {platform}", self.images.get(name))
        if env is None:
            raise ImageError("manifest unknown", reference=name)
        digest = "sha256:" + (abs(hash((name, platform))) % 10**64).__str__().rjust(64, "0")
        return ImageInfo(name, name, digest, platform, tuple(env))


def admission(images: Mapping[str, Sequence[str]], nodes: dict[str, Any] = FLEET,
              **settings: Any) -> Admission:
    """An ``Admission`` over ``nodes`` reading images from a ``FakeRegistry``."""
    cluster = Cluster.from_nodelist(nodes)
    return Admission(lambda: cluster, ImageCache(reader=FakeRegistry(images)),
                     Settings(**settings))


def patched(obj: dict[str, Any], answer: Mapping[str, Any]) -> dict[str, Any]:
    """The pod after applying the response's JSONPatch (checked as the API server would)."""
    resp = answer["response"]
    if "patch" not in resp:
        return obj
    assert resp["patchType"] == "JSONPatch"
    ops = json.loads(base64.b64decode(resp["patch"]))
    out: dict[str, Any] = jsonpatch.apply_patch(copy.deepcopy(obj), ops)
    return out


def as_model(obj: Any, kind: str) -> Any:
    """``obj`` read by the kubernetes client's models (raises on a field they reject)."""
    return ApiClient().deserialize(json.dumps(obj), kind, "application/json")
