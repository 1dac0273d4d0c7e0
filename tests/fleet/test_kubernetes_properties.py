"""The affinity admits a node exactly when nvreq's evaluation of its derived profile is satisfied.

Nodes are generated as GPU Feature Discovery labels them (each label group whole or absent); the
matcher in ``tests/k8s_matcher.py`` implements Kubernetes' rules independently. Where a clause the
evaluation reached read a fact the labels do not give (``assumed``), the translation may only be
conservative: it must never admit a node the evaluation refuses.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nvreq.brands import BRAND_NAMES
from nvreq.errors import InputError
from nvreq.fleet.kubernetes import Affinity, requirements_affinity
from nvreq.fleet.node_labels import profile_from_labels
from nvreq.require.semantics import Context, evaluate
from nvreq.require.syntax import Requirement, parse_requirement
from tests import k8s_matcher

BRAND_KEY = "feature.node.kubernetes.io/gpu-brand"
TOKENS = sorted({b.lower() for b in BRAND_NAMES})
PRODUCTS = {"NVIDIA-A100-SXM4-40GB": "Nvidia", "Tesla-T4": "Tesla", "NVIDIA-GeForce-RTX-4090":
            "GeForce", "Quadro-RTX-8000": "QuadroRTX"}

_cuda = st.tuples(st.integers(10, 13), st.integers(0, 9))
_driver = st.tuples(st.sampled_from([470, 535, 550, 570]), st.sampled_from([0, 26, 54, 104]),
                    st.sampled_from(["", "0", "5", "05", "15", "104"]))
_arch = st.tuples(st.integers(7, 10), st.sampled_from([0, 5, 9]))


@st.composite
def nodes(draw: st.DrawFn) -> dict[str, str]:
    """GFD labels with whole groups present or absent, plus optional brand labels."""
    labels = {"nvidia.com/gpu.count": str(draw(st.integers(1, 8)))}
    if draw(st.booleans()) or draw(st.booleans()):
        major, minor = draw(_cuda)
        labels["nvidia.com/cuda.runtime-version.major"] = str(major)
        labels["nvidia.com/cuda.runtime-version.minor"] = draw(
            st.sampled_from([str(minor), f"0{minor}"]))
        if draw(st.booleans()):
            labels["nvidia.com/cuda.runtime-version.full"] = f"{major}.{minor}"
    if draw(st.booleans()) or draw(st.booleans()):
        major, minor, rev = draw(_driver)
        labels["nvidia.com/cuda.driver-version.major"] = str(major)
        labels["nvidia.com/cuda.driver-version.minor"] = str(minor)
        labels["nvidia.com/cuda.driver-version.revision"] = rev
        if draw(st.booleans()):
            labels["nvidia.com/cuda.driver-version.full"] = f"{major}.{minor}" + (
                f".{rev}" if rev else "")
    if draw(st.booleans()) or draw(st.booleans()):
        major, minor = draw(_arch)
        labels["nvidia.com/gpu.compute.major"] = str(major)
        labels["nvidia.com/gpu.compute.minor"] = str(minor)
    product = draw(st.none() | st.sampled_from([*PRODUCTS, "NVIDIA-H100-80GB-HBM3"]))
    if product is not None:
        labels["nvidia.com/gpu.product"] = product
    brand = draw(st.none() | st.sampled_from([*TOKENS, "mixed", "Tesla"]))
    if brand is not None:
        labels[BRAND_KEY] = brand
    return labels


def _version(draw: st.DrawFn, parts: list[list[int]]) -> str:
    n = draw(st.integers(1, len(parts) + 1))
    comps = [draw(st.sampled_from(parts[min(i, len(parts) - 1)])) for i in range(n)]
    text = ".".join(str(c) for c in comps)
    return draw(st.sampled_from([text, text + ".0", text.replace(".", "..", 1)]))


@st.composite
def clauses(draw: st.DrawFn) -> str:
    """Clauses on the four keys, near the node values, with some invalid ones mixed in."""
    rare = draw(st.integers(0, 15)) == 0
    key = draw(st.sampled_from(["CUDA", "foo"] if rare else ["cuda", "driver", "arch", "brand"]))
    op = draw(st.sampled_from(["=", "!=", "<", "<=", ">", ">=", "!"] + (["=="] if rare else [])))
    if key == "brand" and not rare:
        op = draw(st.sampled_from(["=", "!=", "!"]))
    if key.lower() == "brand":
        value = draw(st.sampled_from([*TOKENS[:6], "TESLA", "xyz", "x" * 125]))
    elif key.lower() == "cuda":
        value = _version(draw, [[11, 12, 13], [0, 4, 9], [0, 1]])
    elif key == "driver":
        value = _version(draw, [[470, 535, 550], [0, 26, 104], [0, 5, 15], [0, 1]])
    elif key == "arch":
        value = _version(draw, [[7, 8, 9], [0, 5, 9], [0, 1]])
    else:
        value = "1"
    if draw(st.integers(0, 40)) == 0:
        value = "abc" if key != "brand" else value
    return f"{key}{op}{value}"


@st.composite
def requirements(draw: st.DrawFn) -> list[Requirement]:
    """One to three requirements; segments may be empty or comma-only."""
    out = []
    for _ in range(draw(st.integers(1, 3))):
        segs = []
        for _ in range(draw(st.integers(1, 4))):
            kind = draw(st.integers(0, 20))
            if kind == 0:
                segs.append("")
            elif kind == 1:
                segs.append(",")
            else:
                segs.append(",".join(draw(st.lists(clauses(), min_size=1, max_size=3))))
        out.append(parse_requirement(" ".join(segs)))
    return out


def _evaluation(reqs: list[Requirement], labels: dict[str, str],
                **options: Any) -> tuple[bool, bool]:
    """(satisfied, assumed) of every requirement on every GPU of the derived profile."""
    profile, _ = profile_from_labels("n", labels, **options)
    satisfied, assumed = True, False
    for gpu in profile.gpus:
        ctx = Context.for_gpu(profile.cuda, profile.driver, gpu.arch, gpu.brand, unknown="fail")
        for req in reqs:
            verdict = evaluate(req, ctx)
            assumed |= verdict.assumed
            if not verdict:
                return False, assumed
    return satisfied, assumed


def _affinity(reqs: list[Requirement], **options: Any) -> Affinity | None:
    try:
        return requirements_affinity(reqs, **options)
    except InputError as exc:
        assume("over the limit" not in str(exc))
        assert any(why in str(exc) for why in ("no node can satisfy", "on every node",
                                               "holds on no node"))
        return None


def _matches(affinity: Affinity | None, labels: dict[str, str]) -> bool:
    if affinity is None:
        return False
    if affinity.terms is None:
        return True
    data = affinity.to_dict()
    k8s_matcher.check_structure(data)
    result = k8s_matcher.matches(data, labels)
    assert result == affinity.matches(labels)
    return result


POLICIES: list[tuple[dict[str, Any], dict[str, Any]]] = [
    ({"brand_policy": "drop"}, {"brand_label": "example.com/none"}),
    ({"brand_policy": "label", "brand_label": BRAND_KEY}, {"brand_label": BRAND_KEY}),
    ({"brand_policy": "product-map", "brand_map": PRODUCTS},
     {"brand_label": "example.com/none", "brand_map": PRODUCTS}),
]


@pytest.mark.parametrize(("policy", "derive"), POLICIES, ids=["drop", "label", "product-map"])
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reqs=requirements(), labels=nodes())
def test_affinity_admits_exactly_the_nodes_the_evaluation_satisfies(
        policy: dict[str, Any], derive: dict[str, Any], reqs: list[Requirement],
        labels: dict[str, str]) -> None:
    affinity = _affinity(reqs, **policy)
    matched = _matches(affinity, labels)
    satisfied, assumed = _evaluation(reqs, labels, **derive)
    if matched:
        assert satisfied, "the affinity admits a node whose runtime would refuse the container"
    if satisfied and not assumed:
        assert matched, "the affinity refuses a node the evaluation satisfies with known facts"


@settings(max_examples=100, deadline=None)
@given(reqs=requirements(), labels=nodes())
def test_drop_policy_never_admits_a_node_refused_for_some_brand(
        reqs: list[Requirement], labels: dict[str, str]) -> None:
    affinity = _affinity(reqs)
    if not _matches(affinity, labels):
        return
    labels = {k: v for k, v in labels.items() if k != BRAND_KEY}
    for token in TOKENS:
        satisfied, _ = _evaluation(reqs, {**labels, BRAND_KEY: token}, brand_label=BRAND_KEY)
        assert satisfied, f"admitted, but a {token} GPU would be refused"


def test_generated_objects_validate_against_the_kubernetes_api_models() -> None:
    client = pytest.importorskip("kubernetes.client", reason="the kubernetes client is a test "
                                 "extra (pip install '.[test]')")
    reqs = [parse_requirement("cuda>=12.4 brand=tesla,driver>=535,driver<536"),
            parse_requirement("driver!=550.54.15"), parse_requirement("arch>=8.0")]
    for options in ({}, {"brand_policy": "label", "brand_label": BRAND_KEY},
                    {"brand_policy": "product-map", "brand_map": PRODUCTS}):
        data = requirements_affinity(reqs, **options).to_dict()
        model = client.V1Affinity.from_dict(data)
        assert client.ApiClient().sanitize_for_serialization(model) == data


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(reqs=requirements())
def test_generated_affinities_validate_against_the_kubernetes_api_models(
        reqs: list[Requirement]) -> None:
    client = pytest.importorskip("kubernetes.client", reason="the kubernetes client is a test "
                                 "extra (pip install '.[test]')")
    affinity = _affinity(reqs, brand_policy="label", brand_label=BRAND_KEY)
    assume(affinity is not None and affinity.terms is not None)
    assert affinity is not None
    data = affinity.to_dict()
    k8s_matcher.check_structure(data)
    assert client.ApiClient().sanitize_for_serialization(client.V1Affinity.from_dict(data)) \
        == data
    text = affinity.to_yaml()
    yaml = pytest.importorskip("yaml")
    assert yaml.safe_load(text) == data
