"""Admission decisions on real AdmissionReview bodies: patches applied with ``jsonpatch`` and read
by the kubernetes client's models; the independent matcher of ``tests/k8s_matcher.py`` decides
which nodes a patched pod admits, and that set must be what nvreq's fleet evaluation accepts."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nvreq.webhook.admission import IMAGES_ANNOTATION, Admission
from nvreq.webhook.cluster import Cluster
from tests import k8s_matcher
from tests.fleet.test_kubernetes_properties import nodes, requirements
from tests.webhook.kit import (
    CUDA_12_4,
    admission,
    as_model,
    body,
    container,
    gfd_node,
    nodelist,
    patched,
    pod,
)

GPU = "NVIDIA_VISIBLE_DEVICES=all"
IMAGES = {
    "nvcr.io/nvidia/cuda:12.4.1": [f"NVIDIA_REQUIRE_CUDA={CUDA_12_4}", GPU, "CUDA_VERSION=12.4.1"],
    "nvcr.io/nvidia/cuda:13.0": ["NVIDIA_REQUIRE_CUDA=cuda>=13.0", GPU],
    "nvcr.io/nvidia/cuda:12.8-arch": ["NVIDIA_REQUIRE_CUDA=cuda>=12.8",
                                      "NVIDIA_REQUIRE_ARCH=arch>=9.0", GPU],
    "nvcr.io/nvidia/cuda:11.0": ["NVIDIA_REQUIRE_CUDA=cuda>=11.0", GPU],
    "python:3.12": ["PATH=/usr/local/bin", "LANG=C.UTF-8"],
    "tools/gpu-env:1": ["NVIDIA_REQUIRE_DRIVER=driver>=535", GPU],
}


def _admitted(obj: dict[str, Any], cluster: Cluster) -> set[str]:
    """The GPU nodes a pod's required node affinity admits, by the independent matcher."""
    affinity = obj["spec"].get("affinity")
    if not affinity or "nodeAffinity" not in affinity:
        return set(cluster.labels)
    k8s_matcher.check_structure(affinity)
    return {n for n, labels in cluster.labels.items() if k8s_matcher.matches(affinity, labels)}


def _runnable(cluster: Cluster, env: list[str]) -> set[str]:
    return set(cluster.fleet.evaluate(env).runnable())


def _mutate(a: Admission, obj: dict[str, Any]) -> tuple[dict[str, Any], Any]:
    answer, decision = a.review(body(obj), "mutate")
    out = patched(obj, answer)
    as_model(out, "V1Pod")
    return out, decision


@pytest.mark.parametrize("image", ["nvcr.io/nvidia/cuda:12.4.1", "nvcr.io/nvidia/cuda:12.8-arch",
                                   "nvcr.io/nvidia/cuda:11.0", "tools/gpu-env:1"])
def test_patched_pod_admits_exactly_the_nodes_the_fleet_evaluation_accepts(image: str) -> None:
    a = admission(IMAGES)
    cluster = a.cluster()
    assert cluster is not None
    out, decision = _mutate(a, pod(container("train", image)))
    assert decision.outcome == "patched"
    assert _admitted(out, cluster) == _runnable(cluster, IMAGES[image])


def test_the_affinity_is_anded_with_the_pods_own_required_terms_and_keeps_the_rest() -> None:
    own = {"nodeAffinity": {
        "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
            {"matchExpressions": [{"key": "nvidia.com/gpu.product", "operator": "In",
                                   "values": ["NVIDIA-H100-80GB-HBM3"]}]}]},
        "preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 1, "preference": {"matchExpressions": [
                {"key": "zone", "operator": "In", "values": ["a"]}]}}]}}
    a = admission(IMAGES)
    cluster = a.cluster()
    assert cluster is not None
    image = "nvcr.io/nvidia/cuda:12.4.1"
    out, _ = _mutate(a, pod(container("train", image), affinity=own))
    node = out["spec"]["affinity"]["nodeAffinity"]
    assert node["preferredDuringSchedulingIgnoredDuringExecution"] == \
        own["nodeAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    h100 = {n for n, lab in cluster.labels.items()
            if lab["nvidia.com/gpu.product"] == "NVIDIA-H100-80GB-HBM3"}
    assert _admitted(out, cluster) == _runnable(cluster, IMAGES[image]) & h100 == {
        "h100-a", "h100-b"}


def test_annotation_names_each_gpu_containers_image_and_digest() -> None:
    out, _ = _mutate(admission(IMAGES), pod(container("train", "nvcr.io/nvidia/cuda:12.4.1"),
                                            container("side", "python:3.12", gpus=None),
                                            annotations={"team": "ml"}))
    used = json.loads(out["metadata"]["annotations"][IMAGES_ANNOTATION])
    assert [(u["container"], u["image"], u["platform"]) for u in used] == [
        ("train", "nvcr.io/nvidia/cuda:12.4.1", "linux/amd64")]
    assert used[0]["digest"].startswith("sha256:")
    assert out["metadata"]["annotations"]["team"] == "ml"


def test_every_gpu_container_and_init_container_constrains_the_pod() -> None:
    a = admission(IMAGES)
    cluster = a.cluster()
    assert cluster is not None
    obj = pod(container("train", "nvcr.io/nvidia/cuda:11.0"),
              init=[container("warm", "nvcr.io/nvidia/cuda:12.8-arch")])
    out, _ = _mutate(a, obj)
    both = _runnable(cluster, IMAGES["nvcr.io/nvidia/cuda:11.0"]) & _runnable(
        cluster, IMAGES["nvcr.io/nvidia/cuda:12.8-arch"])
    assert _admitted(out, cluster) == both == {"h100-b"}


def test_image_that_sets_visible_devices_counts_without_a_gpu_request() -> None:
    a = admission(IMAGES)
    cluster = a.cluster()
    image = "nvcr.io/nvidia/cuda:12.8-arch"
    out, decision = _mutate(a, pod(container("c", image, gpus=None)))
    assert decision.outcome == "patched"
    assert cluster is not None and _admitted(out, cluster) == _runnable(cluster, IMAGES[image])


@pytest.mark.parametrize("endpoint", ["mutate", "validate"])
def test_both_endpoints_deny_a_pod_no_node_can_run(endpoint: Any) -> None:
    answer, decision = admission(IMAGES).review(
        body(pod(container("c", "nvcr.io/nvidia/cuda:13.0"))), endpoint)
    assert answer["response"]["allowed"] is False and "patch" not in answer["response"]
    assert decision.outcome == "denied"


def test_spec_env_overrides_the_image_and_value_from_is_reported() -> None:
    a = admission(IMAGES)
    obj = pod(container("c", "nvcr.io/nvidia/cuda:13.0", env=[
        {"name": "NVIDIA_DISABLE_REQUIRE", "value": "true"},
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]))
    obj["spec"]["containers"][0]["envFrom"] = [{"configMapRef": {"name": "gpu-settings"}}]
    out, decision = _mutate(a, obj)
    assert "affinity" not in out["spec"]
    assert decision.warnings == (
        "nvreq: container 'c': not evaluated, only the kubelet resolves them: TOKEN (valueFrom), "
        "configMapRef/gpu-settings (envFrom)",)


@pytest.mark.parametrize("obj", [
    pod(container("web", "python:3.12", gpus=None)),
    pod(container("c", "nvcr.io/nvidia/cuda:13.0"), namespace="kube-system"),
    pod(container("c", "nvcr.io/nvidia/cuda:13.0"), annotations={"nvreq.dev/skip": "true"}),
], ids=["no-gpu", "excluded-namespace", "opt-out"])
@pytest.mark.parametrize("endpoint", ["mutate", "validate"])
def test_pods_that_are_not_ours_pass_unchanged(obj: dict[str, Any], endpoint: Any) -> None:
    answer, decision = admission(IMAGES).review(body(obj), endpoint)
    assert answer["response"]["allowed"] is True
    assert "patch" not in answer["response"] and decision.outcome == "skipped"


@pytest.mark.parametrize("operation", ["UPDATE", "DELETE"])
def test_only_create_is_reviewed(operation: str) -> None:
    review = json.loads(body(pod(container("c", "nvcr.io/nvidia/cuda:13.0")),
                             operation=operation))
    if operation == "DELETE":
        review["request"]["oldObject"], review["request"]["object"] = \
            review["request"]["object"], None
    answer, decision = admission(IMAGES).review(json.dumps(review).encode(), "validate")
    assert answer["response"]["allowed"] is True and decision.outcome == "skipped"


def test_validate_denies_with_the_runtimes_message_when_no_node_can_run_it() -> None:
    answer, _ = admission(IMAGES).review(
        body(pod(container("c", "nvcr.io/nvidia/cuda:13.0")), uid="u-13"), "validate")
    resp = answer["response"]
    assert resp["uid"] == "u-13" and resp["allowed"] is False and resp["status"]["code"] == 403
    assert resp["status"]["message"].startswith(
        "nvreq: no GPU node of the cluster can run container 'c' (nvcr.io/nvidia/cuda:13.0@sha256:")
    assert resp["status"]["message"].endswith(
        "requirement error: unsatisfied condition: cuda>=13.0, please update your driver to a "
        "newer version, or use an earlier cuda container")


def test_validate_warns_when_only_some_nodes_can_run_it() -> None:
    answer, _ = admission(IMAGES).review(
        body(pod(container("c", "nvcr.io/nvidia/cuda:12.8-arch"))), "validate")
    assert answer["response"]["allowed"] is True
    assert answer["response"]["warnings"] == ["nvreq: runs on 1 of 5 GPU nodes"]


def test_a_gpu_node_without_labels_is_never_admitted() -> None:
    a = admission(IMAGES, nodes=nodelist(gfd_node("bare", cuda=None, driver=None,
                                                  compute=None), gfd_node("full")))
    answer, _ = a.review(body(pod(container("c", "nvcr.io/nvidia/cuda:11.0"))), "validate")
    assert answer["response"]["warnings"] == ["nvreq: runs on 1 of 2 GPU nodes"]
    out, _ = _mutate(a, pod(container("c", "nvcr.io/nvidia/cuda:11.0")))
    cluster = a.cluster()
    assert cluster is not None and _admitted(out, cluster) == {"full"}


def test_nodes_of_two_architectures_get_a_term_per_architecture() -> None:
    images = {"multi:1 linux/amd64": ["NVIDIA_REQUIRE_CUDA=cuda>=12.4", GPU],
              "multi:1 linux/arm64": ["NVIDIA_REQUIRE_CUDA=cuda>=12.8", GPU]}
    a = admission(images, nodes=nodelist(
        gfd_node("x86-124", cuda="12.4"), gfd_node("arm-124", cuda="12.4", arch="arm64"),
        gfd_node("arm-128", cuda="12.8", arch="arm64")))
    out, _ = _mutate(a, pod(container("c", "multi:1")))
    cluster = a.cluster()
    assert cluster is not None and _admitted(out, cluster) == {"x86-124", "arm-128"}


BAD = [
    (b"{not json", ""),
    (b'{"apiVersion": "admission.k8s.io/v1beta1", "kind": "AdmissionReview", "request": '
     b'{"uid": "b1"}}', "b1"),
    (b'{"apiVersion": "admission.k8s.io/v1", "kind": "ConversionReview", "request": '
     b'{"uid": "b2"}}', "b2"),
    (b"[]", ""),
    (b'{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview"}', ""),
    (body(pod(container("c", "x:1")), uid="b3", kind="Deployment", resource="deployments"),
     "b3"),
    (body({"kind": "Pod", "apiVersion": "v1", "metadata": {"namespace": "ml"},
           "spec": {"containers": []}}, uid="b4"), "b4"),
    (body({"kind": "Pod", "metadata": {"namespace": "ml"}, "spec": {
        "containers": [{"name": "c"}]}}, uid="b5"), "b5"),
    (body(pod(container("c", "nvcr.io/nvidia/missing:1")), uid="b6"), "b6"),
    (body(pod(container("c", "Not A Reference")), uid="b7"), "b7"),
    (b'{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": '
     b'{"uid": "b8", "kind": {"kind": "Pod"}, "resource": {"resource": "pods"}, '
     b'"operation": "CREATE", "object": "pod"}}', "b8"),
    (b"\xff\xfe", ""),
    (b"[" * 100_000, ""),
]


@pytest.mark.parametrize(("raw", "uid"), BAD, ids=[
    "malformed-json", "v1beta1", "wrong-kind", "not-an-object", "no-request", "unknown-resource",
    "no-containers", "no-image", "unreadable-image", "invalid-reference", "object-not-pod",
    "not-utf8", "nested-too-deep"])
@pytest.mark.parametrize("policy", ["Ignore", "Fail"])
@pytest.mark.parametrize("endpoint", ["mutate", "validate"])
def test_bad_input_gets_a_well_formed_answer_by_the_failure_policy(
        raw: bytes, uid: str, policy: Any, endpoint: Any) -> None:
    answer, _ = admission(IMAGES, failure_policy=policy).review(raw, endpoint)
    assert answer["apiVersion"] == "admission.k8s.io/v1" and answer["kind"] == "AdmissionReview"
    resp = answer["response"]
    assert resp["uid"] == uid and "patch" not in resp
    if policy == "Ignore":
        assert resp["allowed"] is True and resp["warnings"][0].startswith("nvreq: ")
        assert resp["warnings"][0].endswith("allowed unchanged (failure policy Ignore)")
    else:
        assert resp["allowed"] is False and resp["status"]["message"].startswith("nvreq: ")
    as_model(answer["response"].get("status") or {}, "V1Status")


def test_nodes_not_known_yet_is_answered_by_the_failure_policy() -> None:
    from nvreq.webhook.images import ImageCache

    a = Admission(lambda: None, ImageCache(), None)
    answer, decision = a.review(body(pod(container("c", "x:1"))), "validate")
    assert answer["response"]["allowed"] is True
    assert decision.warnings[0] == ("nvreq: the cluster's nodes are not known yet; allowed "
                                    "unchanged (failure policy Ignore)")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(labels=st.lists(nodes(), min_size=1, max_size=5), reqs=requirements())
def test_a_patch_never_admits_a_node_the_evaluation_refuses(
        labels: list[dict[str, str]], reqs: list[Any]) -> None:
    items = [{"metadata": {"name": f"n{i}", "labels": lab}} for i, lab in enumerate(labels)]
    cluster = Cluster.from_nodelist({"items": items}, brand_label="example.com/none")
    env = [f"NVIDIA_REQUIRE_{i}={r}" for i, r in enumerate(reqs)]
    from nvreq.webhook.images import ImageCache
    from tests.webhook.kit import FakeRegistry

    a = Admission(lambda: cluster, ImageCache(reader=FakeRegistry({"img:1": env})))
    obj = pod(container("c", "img:1"))
    out, decision = _mutate(a, obj)
    assert not any("would admit" in w for w in decision.warnings)
    runnable = _runnable(cluster, [*env, GPU])
    assert decision.allowed == bool(runnable)
    if decision.outcome == "patched":
        assert _admitted(out, cluster) <= runnable
        if "affinity" not in out["spec"]:
            assert runnable == set(cluster.labels)


def test_a_node_listed_without_labels_is_not_evaluated_and_not_admitted() -> None:
    unlabelled = {"metadata": {"name": "no-labels"},
                  "status": {"capacity": {"nvidia.com/gpu": "4"}}}
    a = admission(IMAGES, nodes=nodelist(unlabelled, gfd_node("full")))
    cluster = a.cluster()
    assert cluster is not None
    out, decision = _mutate(a, pod(container("c", "nvcr.io/nvidia/cuda:11.0")))
    assert decision.outcome == "patched"
    matcher_view = {"no-labels": {}, **cluster.labels}
    affinity = out["spec"]["affinity"]
    assert {n for n, lab in matcher_view.items() if k8s_matcher.matches(affinity, lab)} == {
        "full"}
