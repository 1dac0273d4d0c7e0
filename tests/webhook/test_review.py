"""Reading AdmissionReviews: whatever arrives, the answer is a well-formed AdmissionReview."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nvreq.errors import InputError
from nvreq.webhook.review import parse_review, response, sniff_uid
from tests.webhook.kit import admission, body, container, pod, review

JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(
        st.sampled_from(["spec", "containers", "initContainers", "name", "image", "env",
                         "value", "valueFrom", "resources", "limits", "nvidia.com/gpu",
                         "metadata", "annotations", "affinity", "imagePullSecrets", "x"]),
        inner, max_size=5),
    max_leaves=20)
IMAGES = {"cuda:12": ["NVIDIA_REQUIRE_CUDA=cuda>=12.4", "NVIDIA_VISIBLE_DEVICES=all"]}


def _well_formed(answer: dict[str, Any]) -> None:
    assert answer["apiVersion"] == "admission.k8s.io/v1"
    assert answer["kind"] == "AdmissionReview"
    resp = answer["response"]
    assert isinstance(resp["uid"], str) and isinstance(resp["allowed"], bool)
    assert resp["allowed"] or resp["status"]["message"]
    json.dumps(answer)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(obj=JSON, endpoint=st.sampled_from(["mutate", "validate"]))
def test_any_pod_object_gets_a_well_formed_answer(obj: Any, endpoint: Any) -> None:
    doc = review(pod(container("c", "cuda:12")))
    doc["request"]["object"] = obj
    answer, _ = admission(IMAGES).review(json.dumps(doc).encode(), endpoint)
    _well_formed(answer)
    assert answer["response"]["uid"] == doc["request"]["uid"]


@settings(max_examples=150, deadline=None)
@given(raw=st.binary(max_size=300) | JSON.map(lambda o: json.dumps(o).encode()))
def test_any_body_gets_a_well_formed_answer(raw: bytes) -> None:
    answer, _ = admission(IMAGES).review(raw, "validate")
    _well_formed(answer)


def test_the_parsed_request_keeps_what_the_decision_reads() -> None:
    obj = pod(container("c", "cuda:12"), namespace="team-a")
    request = parse_review(body(obj, uid="r-1"))
    assert (request.uid, request.operation, request.namespace, request.is_pod) == (
        "r-1", "CREATE", "team-a", True)
    assert request.pod == obj


@pytest.mark.parametrize(("raw", "message"), [
    (b"{", "the body is not JSON (line 1, column 2: Expecting property name enclosed in "
           "double quotes)"),
    (b'{"apiVersion": "v1", "kind": "Pod"}', "expected apiVersion admission.k8s.io/v1 and "
                                             "kind AdmissionReview, got 'v1' and 'Pod'"),
    (b'{"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": {}}',
     "the AdmissionReview has no request.uid"),
])
def test_parse_errors_say_what_was_wrong(raw: bytes, message: str) -> None:
    with pytest.raises(InputError) as ctx:
        parse_review(raw)
    assert str(ctx.value) == message


def test_the_patch_is_base64_json_patch_and_long_warnings_are_shortened() -> None:
    ops = [{"op": "add", "path": "/metadata/annotations", "value": {"a": "b"}}]
    resp = response("u", True, patch=ops, warnings=["w" * 300, "short", "short"])["response"]
    assert resp["patchType"] == "JSONPatch"
    assert json.loads(base64.b64decode(resp["patch"])) == ops
    assert [len(w) for w in resp["warnings"]] == [256, 5]


@pytest.mark.parametrize(("raw", "uid"), [
    (b'{"request": {"uid": "a-1", "object": {', "a-1"),
    (b'{"uid": "has space"}', ""),
    (b"", ""),
])
def test_a_uid_is_found_in_a_broken_body(raw: bytes, uid: str) -> None:
    assert sniff_uid(raw) == uid
