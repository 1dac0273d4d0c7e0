"""Node affinity from requirements: the spec's worked translations, policies, limits and errors."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.errors import InputError
from nvreq.fleet.gfd_labels import DEPRECATED
from nvreq.fleet.kubernetes import and_existing, node_affinity, requirements_affinity, to_yaml
from nvreq.fleet.nfd import nfd_features
from nvreq.host.profile import Gpu, HostProfile, RuntimeSettings
from nvreq.require.syntax import parse_requirement
from tests import k8s_matcher
from tests.hosts import CUDA_12_4_1

CUDA_MAJOR = "nvidia.com/cuda.runtime-version.major"
CUDA_MINOR = "nvidia.com/cuda.runtime-version.minor"
DRV = ("nvidia.com/cuda.driver-version.major", "nvidia.com/cuda.driver-version.minor",
       "nvidia.com/cuda.driver-version.revision")
BRAND = "feature.node.kubernetes.io/gpu-brand"


def _terms(text: str | list[str], **options: Any) -> list[list[tuple[str, str, list[str]]]]:
    texts = [text] if isinstance(text, str) else text
    affinity = requirements_affinity([parse_requirement(t) for t in texts], **options)
    return [[(e["key"], e["operator"], e["values"]) for e in t["matchExpressions"]]
            for t in affinity.node_selector_terms()]


def test_cuda_lower_bound_is_two_lexicographic_terms() -> None:  # kubernetes.md §4.3
    assert _terms("cuda>=12.4") == [
        [(CUDA_MAJOR, "Gt", ["12"])],
        [(CUDA_MAJOR, "Gt", ["11"]), (CUDA_MAJOR, "Lt", ["13"]), (CUDA_MINOR, "Gt", ["3"])]]


def test_driver_lower_bound_is_three_terms() -> None:  # kubernetes.md §4.3
    assert _terms("driver>=450.80.02") == [
        [(DRV[0], "Gt", ["450"])],
        [(DRV[0], "Gt", ["449"]), (DRV[0], "Lt", ["451"]), (DRV[1], "Gt", ["80"])],
        [(DRV[0], "Gt", ["449"]), (DRV[0], "Lt", ["451"]), (DRV[1], "Gt", ["79"]),
         (DRV[1], "Lt", ["81"]), (DRV[2], "Gt", ["1"])]]


def test_spec_example_with_the_default_drop_policy() -> None:  # kubernetes.md §4.7
    assert _terms("cuda>=12.4 brand=tesla,driver>=535,driver<536") == _terms("cuda>=12.4")


def test_spec_example_with_a_brand_label() -> None:  # kubernetes.md §4.7
    terms = _terms("cuda>=12.4 brand=tesla,driver>=535,driver<536", brand_policy="label",
                   brand_label=BRAND)
    assert terms[2] == [(BRAND, "In", ["tesla"]), (DRV[0], "Gt", ["534"]),
                        (DRV[0], "Lt", ["536"])]
    assert len(terms) == 3


@pytest.mark.parametrize(("text", "expected"), [
    ("driver>=535", [[(DRV[0], "Gt", ["534"])]]),  # trailing zeros dropped
    ("cuda>=12.4.0.0", [[(CUDA_MAJOR, "Gt", ["12"])], [(CUDA_MAJOR, "Gt", ["11"]),
                        (CUDA_MAJOR, "Lt", ["13"]), (CUDA_MINOR, "Gt", ["3"])]]),
    # a dropped non-zero component: >= becomes >
    ("cuda>=12.4.1", [[(CUDA_MAJOR, "Gt", ["12"])], [(CUDA_MAJOR, "Gt", ["11"]),
                      (CUDA_MAJOR, "Lt", ["13"]), (CUDA_MINOR, "Gt", ["4"])]]),
    ("cuda=12", [[(CUDA_MAJOR, "Gt", ["11"]), (CUDA_MAJOR, "Lt", ["13"]),
                  (CUDA_MINOR, "Gt", ["-1"]), (CUDA_MINOR, "Lt", ["1"])]]),
    ("cuda>=0", [[(CUDA_MAJOR, "Gt", ["-1"])]]),  # always true: the fact must be known
    ("cuda!=12.4.1", [[(CUDA_MAJOR, "Gt", ["-1"])]]),
    ("cuda<1", [[(CUDA_MAJOR, "Lt", ["1"])]]),
    # two-part drivers publish revision "": read as 0 (§4.3 step 5)
    ("driver<=570.26", [[(DRV[0], "Lt", ["570"])],
                        [(DRV[0], "Gt", ["569"]), (DRV[0], "Lt", ["571"]),
                         (DRV[1], "Lt", ["26"])],
                        [(DRV[0], "Gt", ["569"]), (DRV[0], "Lt", ["571"]),
                         (DRV[1], "Gt", ["25"]), (DRV[1], "Lt", ["27"]), (DRV[2], "Lt", ["1"])],
                        [(DRV[0], "Gt", ["569"]), (DRV[0], "Lt", ["571"]),
                         (DRV[1], "Gt", ["25"]), (DRV[1], "Lt", ["27"]), (DRV[2], "In", [""])]]),
])
def test_version_clauses(text: str, expected: list[Any]) -> None:
    assert _terms(text) == expected


def test_official_cuda_string_merges_brands_per_driver_branch() -> None:
    terms = _terms(CUDA_12_4_1, brand_policy="label", brand_label=BRAND)
    assert len(terms) == 5  # two cuda terms, one per driver branch
    assert terms[2][0][:2] == (BRAND, "In") and len(terms[2][0][2]) == 10


def test_product_map_policy_lists_products_of_the_brand() -> None:
    products = {"Tesla-T4": "Tesla", "NVIDIA-A100-SXM4-40GB": "nvidia", "X": "GeForce"}
    terms = _terms("brand=tesla,driver>=535 brand!=geforce,cuda>=13", brand_policy="product-map",
                   brand_map=products)
    assert terms[0][0] == ("nvidia.com/gpu.product", "In", ["Tesla-T4"])
    assert terms[1][0] == ("nvidia.com/gpu.product", "In", ["NVIDIA-A100-SXM4-40GB", "Tesla-T4"])


def test_ignore_policy_takes_brand_clauses_as_true() -> None:
    affinity = requirements_affinity([parse_requirement("brand=tesla,driver>=535")],
                                     brand_policy="ignore")
    assert [[e["operator"] for e in t["matchExpressions"]]
            for t in affinity.node_selector_terms()] == [["Gt"]]
    assert any("policy ignore" in n for n in affinity.notes)


def test_invalid_clause_guards_later_terms() -> None:  # §4.2 step 3
    # reaching foo=1 is an error: the second term needs cuda>=12 to be false
    terms = _terms("cuda>=12,foo=1 driver>=535")
    assert terms == [[(CUDA_MAJOR, "Lt", ["12"]), (DRV[0], "Gt", ["534"])]]
    with pytest.raises(InputError, match=r"'foo=1 cuda>=12' is invalid .* fails it on every node"):
        _terms("foo=1 cuda>=12")


@pytest.mark.parametrize("text", ["cuda>=10_0", "driver>=1x", "brand=tesla,cuda>=1y"])
def test_an_invalid_expression_is_named_not_the_brand_policy(text: str) -> None:
    with pytest.raises(InputError, match="is invalid") as caught:
        _terms(text)
    assert "brand" not in str(caught.value).split(":")[-1]


def test_comma_only_segment_ends_the_requirement() -> None:
    assert _terms("cuda>=13 , cuda>=12") == _terms("cuda>=13")
    assert requirements_affinity([parse_requirement(", cuda>=99")]).terms is None


def test_requirements_are_anded_and_absorbed() -> None:
    terms = _terms(["cuda>=12", "cuda>=11", "arch>=8.0"])
    assert terms == [[(CUDA_MAJOR, "Gt", ["11"]), ("nvidia.com/gpu.compute.major", "Gt", ["7"])]]


def test_deprecated_label_names() -> None:
    assert _terms("cuda>=13", labels=DEPRECATED) == [[("nvidia.com/cuda.runtime.major", "Gt",
                                                      ["12"])]]


def test_nfd_arch_uniform_label_guards_arch_terms() -> None:
    uniform = "feature.node.kubernetes.io/gpu-arch-uniform"
    terms = _terms("arch>=9.0", arch_uniform_label=uniform)
    assert (uniform, "In", ["true"]) in terms[0]


@pytest.mark.parametrize(("options", "message"), [
    ({"brand_policy": "label"}, "needs a valid label key"),
    ({"brand_policy": "label", "brand_label": "bad key"}, "needs a valid label key"),
    ({"brand_policy": "product-map"}, "needs a map"),
    ({"brand_policy": "product-map", "brand_map": {"X": "Radeon"}}, "not a brand"),
    ({"brand_policy": "nope"}, "unknown brand policy"),
    ({"max_terms": 0}, "at least 1"),
])
def test_bad_options(options: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message):
        _terms("cuda>=12", **options)


def test_nothing_left_names_the_policy() -> None:
    with pytest.raises(InputError) as exc:
        _terms("brand=tesla,driver>=535")
    assert str(exc.value) == ("no node can satisfy these requirements under brand policy drop; "
                              "brand clauses need --brand-label or --brand-map")


def test_too_many_terms_fails_with_the_count() -> None:
    with pytest.raises(InputError, match=r"would have \d+ terms, over the limit of 4"):
        _terms(["driver!=535.104.05", "cuda!=12.4", "arch!=9.0"], max_terms=4)


def test_huge_components_are_a_translation_error() -> None:
    with pytest.raises(InputError, match="too large for a Kubernetes integer label"):
        _terms("cuda>=99999999999999999999")
    # beyond the labels' components only non-zero-ness counts
    assert _terms("cuda>=12.4.99999999999999999999999") == _terms("cuda>12.4")


@pytest.mark.parametrize(("env", "note"), [
    ({"NVIDIA_REQUIRE_CUDA": "cuda>=99", "NVIDIA_DISABLE_REQUIRE": "true",
      "NVIDIA_VISIBLE_DEVICES": "all"}, "NVIDIA_DISABLE_REQUIRE"),
    ({"NVIDIA_REQUIRE_CUDA": "cuda>=99"}, "not a GPU container"),
    ({"NVIDIA_REQUIRE_CUDA": "", "NVIDIA_VISIBLE_DEVICES": "all"}, "constrain no label"),
])
def test_environments_that_give_no_terms(env: dict[str, str], note: str) -> None:
    affinity = node_affinity(env)
    assert affinity.terms is None and affinity.to_dict() == {}
    assert any(note in n for n in affinity.notes)


@pytest.mark.parametrize(("env", "message"), [
    (["CUDA_VERSION=foo"], "invalid CUDA version foo"),
    ([f"NVIDIA_REQUIRE_R{i}=cuda>=1" for i in range(33)] + ["NVIDIA_VISIBLE_DEVICES=all"],
     "at most 32"),
    (["NVIDIA_VISIBLE_DEVICES"], "invalid environment variable"),
])
def test_collection_errors_give_no_affinity(env: list[str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        node_affinity(env)


def test_legacy_cuda_version_becomes_a_requirement() -> None:
    affinity = node_affinity(["CUDA_VERSION=12.4.1"])
    assert affinity.matches({CUDA_MAJOR: "12", CUDA_MINOR: "4"})
    assert not affinity.matches({CUDA_MAJOR: "12", CUDA_MINOR: "3"})


def test_yaml_is_what_the_json_says() -> None:
    yaml = pytest.importorskip("yaml")
    affinity = requirements_affinity([parse_requirement(CUDA_12_4_1)], brand_policy="label",
                                     brand_label=BRAND)
    assert yaml.safe_load(affinity.to_yaml()) == json.loads(affinity.to_json())
    assert to_yaml({}) == "{}\n"


def test_existing_required_terms_are_anded() -> None:
    existing = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]},
            {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["b"]}]}]}},
        "podAffinity": {"x": 1}}
    generated = requirements_affinity([parse_requirement("cuda>=12.4")])
    merged = and_existing(existing, generated)
    terms = merged["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][
        "nodeSelectorTerms"]
    assert len(terms) == 4 and merged["podAffinity"] == {"x": 1}
    labels = {"zone": "b", CUDA_MAJOR: "13", CUDA_MINOR: "0"}
    assert k8s_matcher.matches(merged, labels)
    assert not k8s_matcher.matches(merged, {**labels, "zone": "c"})
    assert and_existing({}, generated) == generated.to_dict()
    with pytest.raises(InputError, match="not a list"):
        and_existing({"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": "x"}}}, generated)


def test_nfd_features_publish_brand_and_architectures() -> None:
    mixed = HostProfile(gpus=(Gpu(0, brand="Tesla", arch="7.5"), Gpu(1, brand="Nvidia",
                                                                     arch="9.0")))
    assert nfd_features(mixed).splitlines()[1:] == [
        "gpu-brand=mixed", "gpu-archs=7.5_9.0", "gpu-arch-uniform=false"]
    old = HostProfile(gpus=(Gpu(0, brand="Nvidia", arch="8.0"),),
                      runtime=RuntimeSettings(toolkit_version="1.8.1"))
    assert "gpu-brand=unknown" in nfd_features(old)  # what libnvidia-container < 1.9 reports
    assert "gpu-brand" not in nfd_features(HostProfile(gpus=(Gpu(0, arch="8.0"),)))
    with pytest.raises(InputError, match="no GPU"):
        nfd_features(HostProfile())


_LEAVES = st.one_of(st.text(), st.sampled_from(["Yes", "No", "On", "Off", "Null", "True", "~",
                                                "0x1F", "1e3", "-", ": ", " x", "é", "In", "Gt"]),
                    st.integers(), st.booleans(), st.none())
_KEYS = st.one_of(st.text(min_size=1), st.sampled_from(["On", "Yes", "null", "key", "values"]))
_AFFINITY_LIKE = st.recursive(
    st.dictionaries(_KEYS, st.one_of(_LEAVES, st.lists(st.text(), max_size=3)), max_size=4),
    lambda inner: st.one_of(st.lists(inner, min_size=1, max_size=3),
                            st.dictionaries(_KEYS, inner, min_size=1, max_size=3)),
    max_leaves=12)


@settings(max_examples=200)
@given(_AFFINITY_LIKE)
def test_affinity_yaml_reads_back_unchanged(data: Any) -> None:
    yaml = pytest.importorskip("yaml")
    assert yaml.safe_load(to_yaml(data)) == data
