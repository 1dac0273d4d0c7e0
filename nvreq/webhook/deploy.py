"""Deployment manifests for the webhook: RBAC, Deployment, Service, webhook configurations.

``manifests()`` returns the objects; ``to_yaml()`` writes them as one multi-document YAML stream
(block style, every string quoted, so no value changes type on the way into ``kubectl``).
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Sequence
from typing import Any

from nvreq.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.webhook.admission import FailurePolicy

__all__ = ["NAME", "manifests", "to_yaml"]

NAME = "nvreq-webhook"
_LABELS = {"app.kubernetes.io/name": NAME}
_DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_SYSTEM = ("kube-system", "kube-public", "kube-node-lease")


def manifests(namespace: str, image: str, *, failure_policy: FailurePolicy = "Ignore",
              timeout_seconds: int = 10, pull_secrets: bool = False,
              ca_bundle: bytes | None = None, cert_manager: bool = False, replicas: int = 2,
              extra_args: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The objects that deploy ``image`` as the webhook in ``namespace``.

    >>> [m["kind"] for m in manifests("gpu-admission", "registry.example/nvreq:0.1")]
    ... # doctest: +NORMALIZE_WHITESPACE
    ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Service', 'Deployment',
     'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration']
    """
    if not _DNS_LABEL.fullmatch(namespace):
        raise InputError(f"namespace {namespace!r} is not a DNS label (lowercase letters, digits "
                         "and '-', at most 63)")
    if not image or any(c.isspace() for c in image):
        raise InputError(f"image {image!r} is not an image reference")
    if failure_policy not in ("Ignore", "Fail"):
        raise InputError(f"failure policy must be Ignore or Fail, not {failure_policy!r}")
    if not 1 <= timeout_seconds <= 30:
        raise InputError("timeoutSeconds must be between 1 and 30 (the API server's range)")
    meta = {"name": NAME, "namespace": namespace, "labels": _LABELS}
    rules: list[dict[str, Any]] = [{"apiGroups": [""], "resources": ["nodes"],
                                    "verbs": ["get", "list", "watch"]}]
    if pull_secrets:
        rules.append({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]})
    budget = max(1, timeout_seconds - 2)
    args = ["webhook", "serve", "--tls-cert", "/tls/tls.crt", "--tls-key", "/tls/tls.key",
            "--listen", "0.0.0.0:8443", "--failure-policy", failure_policy,
            "--image-budget", str(budget), *(["--pull-secrets"] if pull_secrets else []),
            *extra_args]
    probe = {"scheme": "HTTPS", "port": 8443}
    container = {
        "name": "webhook", "image": image, "command": ["nvreq"], "args": args,
        "ports": [{"name": "https", "containerPort": 8443}],
        "readinessProbe": {"httpGet": {"path": "/readyz", **probe}, "periodSeconds": 5},
        "livenessProbe": {"httpGet": {"path": "/healthz", **probe}, "periodSeconds": 10},
        "resources": {"requests": {"cpu": "100m", "memory": "128Mi"},
                      "limits": {"memory": "512Mi"}},
        "securityContext": {"runAsNonRoot": True, "allowPrivilegeEscalation": False,
                            "readOnlyRootFilesystem": True,
                            "capabilities": {"drop": ["ALL"]}},
        "volumeMounts": [{"name": "tls", "mountPath": "/tls", "readOnly": True},
                         {"name": "tmp", "mountPath": "/tmp"}],
    }
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
        "spec": {"replicas": replicas, "selector": {"matchLabels": _LABELS},
                 "template": {"metadata": {"labels": _LABELS}, "spec": {
                     "serviceAccountName": NAME, "containers": [container],
                     "securityContext": {"runAsNonRoot": True, "runAsUser": 65532,
                                         "seccompProfile": {"type": "RuntimeDefault"}},
                     "volumes": [{"name": "tls", "secret": {"secretName": f"{NAME}-tls"}},
                                 {"name": "tmp", "emptyDir": {}}]}}}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": meta,
               "spec": {"selector": _LABELS, "ports": [{"name": "https", "port": 443,
                                                        "targetPort": 8443}]}}
    cluster_meta = {"name": NAME, "labels": _LABELS}
    objects: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
         "metadata": cluster_meta, "rules": rules},
        {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
         "metadata": cluster_meta,
         "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                     "name": NAME},
         "subjects": [{"kind": "ServiceAccount", "name": NAME, "namespace": namespace}]},
        service, deployment]
    hook_meta: dict[str, Any] = dict(cluster_meta)
    if cert_manager:
        hook_meta["annotations"] = {"cert-manager.io/inject-ca-from": f"{namespace}/{NAME}"}
        objects[:0] = _cert_manager(namespace)
    for kind, path, name in (("MutatingWebhookConfiguration", "/mutate", "mutate"),
                             ("ValidatingWebhookConfiguration", "/validate", "validate")):
        client: dict[str, Any] = {"service": {"namespace": namespace, "name": NAME,
                                              "path": path, "port": 443}}
        if ca_bundle is not None:
            client["caBundle"] = base64.b64encode(ca_bundle).decode()
        hook: dict[str, Any] = {
            "name": f"{name}.gpu-pods.nvreq.dev", "admissionReviewVersions": ["v1"],
            "clientConfig": client, "sideEffects": "None", "failurePolicy": failure_policy,
            "timeoutSeconds": timeout_seconds, "matchPolicy": "Equivalent",
            "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"],
                       "resources": ["pods"], "scope": "Namespaced"}],
            "namespaceSelector": {"matchExpressions": [
                {"key": "kubernetes.io/metadata.name", "operator": "NotIn",
                 "values": [*_SYSTEM, namespace]}]},
        }
        if kind.startswith("Mutating"):
            hook["reinvocationPolicy"] = "Never"
        objects.append({"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
                        "metadata": hook_meta, "webhooks": [hook]})
    return objects


def _cert_manager(namespace: str) -> list[dict[str, Any]]:
    """A self-signed cert-manager Issuer and the serving Certificate (renewed by cert-manager)."""
    meta = {"namespace": namespace, "labels": _LABELS}
    return [
        {"apiVersion": "cert-manager.io/v1", "kind": "Issuer",
         "metadata": {"name": f"{NAME}-selfsigned", **meta}, "spec": {"selfSigned": {}}},
        {"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
         "metadata": {"name": NAME, **meta},
         "spec": {"secretName": f"{NAME}-tls", "duration": "2160h", "renewBefore": "360h",
                  "dnsNames": [f"{NAME}.{namespace}.svc", f"{NAME}.{namespace}.svc.cluster.local"],
                  "issuerRef": {"kind": "Issuer", "name": f"{NAME}-selfsigned"}}}]


def to_yaml(objects: Sequence[Any]) -> str:
    """Objects as a YAML stream, one document each.

    >>> print(to_yaml([{"kind": "Service", "spec": {"ports": [{"port": 443}], "x": []}}]), end="")
    ---
    kind: "Service"
    spec:
      ports:
      - port: 443
      x: []
    """
    return "".join("---\n" + _block(obj, 0) for obj in objects)


def _scalar(value: Any) -> str:
    if isinstance(value, (dict, list)):
        return "{}" if isinstance(value, dict) else "[]"
    return json.dumps(value, ensure_ascii=False)


def _key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_./-]+", key) else json.dumps(key)


def _block(value: Any, indent: int) -> str:
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, dict) and v:
                out.append(f"{pad}{_key(k)}:\n{_block(v, indent + 2)}")
            elif isinstance(v, list) and v:
                out.append(f"{pad}{_key(k)}:\n{_block(v, indent)}")
            else:
                out.append(f"{pad}{_key(k)}: {_scalar(v)}\n")
    else:
        for item in value:
            if isinstance(item, (dict, list)) and item:
                body = _block(item, indent + 2)
                out.append(f"{pad}- {body[indent + 2:]}")
            else:
                out.append(f"{pad}- {_scalar(item)}\n")
    return "".join(out)
