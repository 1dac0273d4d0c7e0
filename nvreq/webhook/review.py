"""``admission.k8s.io/v1`` AdmissionReview: read a request, write a response.

The request is read at one boundary: anything that is not a v1 AdmissionReview of a Pod raises
``InputError`` naming what was wrong. ``response`` builds the reply Kubernetes expects, echoing
the request's ``uid``; a body too broken to parse still gets its ``uid`` back when one is found.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from nvreq.errors import InputError
from nvreq.formats import jsontext

__all__ = ["API_VERSION", "MAX_WARNING", "Request", "parse_review", "response", "sniff_uid"]

API_VERSION = "admission.k8s.io/v1"
#: Kubernetes may truncate longer warnings; nvreq shortens them itself
MAX_WARNING = 256
_UID = re.compile(rb'"uid"\s*:\s*"([A-Za-z0-9._:-]{1,128})"')


@dataclass(frozen=True, slots=True)
class Request:
    """The parts of an AdmissionRequest the webhook reads."""

    uid: str
    operation: str
    namespace: str
    pod: Mapping[str, Any] = field(repr=False)
    is_pod: bool = True
    resource: str = "pods"


def sniff_uid(body: bytes) -> str:
    """The request ``uid`` found in a body that could not be parsed, or ``""``.

    >>> sniff_uid(b'{"request": {"uid": "705ab4f5-6393-11e8-b7cc-42010a800002", "obj')
    '705ab4f5-6393-11e8-b7cc-42010a800002'
    """
    m = _UID.search(body[: 1 << 16])
    return m.group(1).decode() if m else ""


def parse_review(body: bytes) -> Request:
    """Read an AdmissionReview body; raises ``InputError`` for anything else."""
    try:
        doc = jsontext.loads(body)
    except UnicodeDecodeError:
        raise InputError("the body is not UTF-8 JSON") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"the body is not JSON (line {exc.lineno}, column {exc.colno}: "
                         f"{exc.msg})") from None
    except jsontext.JsonTooDeep:
        raise InputError("the body is JSON nested too deeply") from None
    if not isinstance(doc, dict):
        raise InputError("the body is not an AdmissionReview object")
    if doc.get("apiVersion") != API_VERSION or doc.get("kind") != "AdmissionReview":
        raise InputError(f"expected apiVersion {API_VERSION} and kind AdmissionReview, got "
                         f"{doc.get('apiVersion')!r} and {doc.get('kind')!r}")
    req = doc.get("request")
    if not isinstance(req, dict) or not isinstance(req.get("uid"), str) or not req["uid"]:
        raise InputError("the AdmissionReview has no request.uid")
    kind = _object(req.get("kind"))
    resource = _object(req.get("resource"))
    is_pod = (kind.get("group", "") == "" and kind.get("kind") == "Pod"
              and resource.get("resource") == "pods" and not req.get("subResource"))
    pod = req.get("object")
    if is_pod and req.get("operation") == "CREATE" and not isinstance(pod, dict):
        raise InputError("request.object is not a Pod object")
    return Request(req["uid"], str(req.get("operation") or ""), str(req.get("namespace") or ""),
                   pod if isinstance(pod, dict) else {}, is_pod,
                   "/".join(str(p) for p in (resource.get("group") or "core",
                                             resource.get("resource"),
                                             req.get("subResource")) if p))


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def response(uid: str, allowed: bool, *, message: str | None = None,
             patch: Sequence[Mapping[str, Any]] = (), warnings: Sequence[str] = ()
             ) -> dict[str, Any]:
    """An AdmissionReview response: allowed or denied (403 with ``message``), with an optional
    JSONPatch and warnings.

    >>> response("u1", False, message="no node can run it")["response"]
    {'uid': 'u1', 'allowed': False, 'status': {'code': 403, 'reason': 'Forbidden', \
'message': 'no node can run it'}}
    """
    out: dict[str, Any] = {"uid": uid, "allowed": allowed}
    if not allowed:
        out["status"] = {"code": 403, "reason": "Forbidden", "message": message or "denied"}
    if patch:
        out["patchType"] = "JSONPatch"
        out["patch"] = base64.b64encode(json.dumps(list(patch), separators=(",", ":")).encode()
                                        ).decode()
    if warnings:
        out["warnings"] = [w if len(w) <= MAX_WARNING else w[: MAX_WARNING - 1] + "…"
                           for w in dict.fromkeys(warnings)]
    return {"apiVersion": API_VERSION, "kind": "AdmissionReview", "response": out}
