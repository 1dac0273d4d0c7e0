"""The deployment manifests load with PyYAML and read as the kubernetes client's models."""

from __future__ import annotations

from typing import Any

import pytest

from nvreq.errors import InputError
from nvreq.webhook.deploy import manifests, to_yaml
from tests.webhook.kit import as_model

yaml: Any = pytest.importorskip("yaml")

MODELS = {"ServiceAccount": "V1ServiceAccount", "ClusterRole": "V1ClusterRole",
          "ClusterRoleBinding": "V1ClusterRoleBinding", "Service": "V1Service",
          "Deployment": "V1Deployment",
          "MutatingWebhookConfiguration": "V1MutatingWebhookConfiguration",
          "ValidatingWebhookConfiguration": "V1ValidatingWebhookConfiguration"}


def _docs(**kw: Any) -> list[dict[str, Any]]:
    return list(yaml.safe_load_all(to_yaml(manifests("gpu-admission", "reg.example/nvreq:0.1",
                                                     **kw))))


@pytest.mark.parametrize("options", [{}, {"pull_secrets": True, "failure_policy": "Fail"},
                                     {"cert_manager": True}, {"ca_bundle": b"PEM"}])
def test_yaml_round_trips_and_every_object_reads_as_its_model(options: dict[str, Any]) -> None:
    docs = _docs(**options)
    assert docs == manifests("gpu-admission", "reg.example/nvreq:0.1", **options)
    for doc in docs:
        if doc["kind"] in MODELS:
            model = as_model(doc, MODELS[doc["kind"]])
            assert model.metadata.name == "nvreq-webhook"


def test_webhooks_have_no_side_effects_a_namespace_selector_policy_and_timeout() -> None:
    for doc in _docs(failure_policy="Fail", timeout_seconds=7):
        for hook in doc.get("webhooks", []):
            assert hook["sideEffects"] == "None" and hook["failurePolicy"] == "Fail"
            assert hook["timeoutSeconds"] == 7 and hook["admissionReviewVersions"] == ["v1"]
            assert hook["rules"] == [{"operations": ["CREATE"], "apiGroups": [""],
                                      "apiVersions": ["v1"], "resources": ["pods"],
                                      "scope": "Namespaced"}]
            excluded = hook["namespaceSelector"]["matchExpressions"][0]
            assert excluded["operator"] == "NotIn" and "gpu-admission" in excluded["values"]
            assert hook["clientConfig"]["service"]["path"] in ("/mutate", "/validate")


@pytest.mark.parametrize(("pull", "rules"), [
    (False, [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list", "watch"]}]),
    (True, [{"apiGroups": [""], "resources": ["nodes"], "verbs": ["get", "list", "watch"]},
            {"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}]),
])
def test_rbac_is_least_privilege(pull: bool, rules: list[dict[str, Any]]) -> None:
    role = next(d for d in _docs(pull_secrets=pull) if d["kind"] == "ClusterRole")
    assert role["rules"] == rules


def test_the_deployment_serves_with_a_budget_below_the_webhook_timeout() -> None:
    deployment = next(d for d in _docs(timeout_seconds=10) if d["kind"] == "Deployment")
    args = deployment["spec"]["template"]["spec"]["containers"][0]["args"]
    assert args[:2] == ["webhook", "serve"]
    assert args[args.index("--image-budget") + 1] == "8"


@pytest.mark.parametrize(("namespace", "image", "kw", "message"), [
    ("Bad_NS", "x:1", {}, "namespace 'Bad_NS' is not a DNS label"),
    ("ok", "has space", {}, "image 'has space' is not an image reference"),
    ("ok", "x:1", {"timeout_seconds": 31}, "timeoutSeconds must be between 1 and 30"),
])
def test_bad_arguments_are_named(namespace: str, image: str, kw: dict[str, Any],
                                 message: str) -> None:
    with pytest.raises(InputError, match=message):
        manifests(namespace, image, **kw)
