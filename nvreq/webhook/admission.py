"""The admission decision: which nodes can run a pod's GPU containers, as a patch or a verdict.

``Admission.review(body, endpoint)`` reads an AdmissionReview and answers it. Both endpoints
read the pod's images and evaluate each GPU container against the cluster's nodes with the
rules of ``nvreq fleet``. ``mutate`` ANDs nvreq's node affinity into the pod (after checking that
it admits no node the evaluation refuses); ``validate`` denies a pod no node can run. Anything
that stops the decision (an unreadable image, a malformed request) is answered by the failure
policy: ``Ignore`` allows with a warning, ``Fail`` denies with the reason.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from nvreq.errors import ImageError, InputError, NvreqError
from nvreq.fleet.kubernetes import Affinity, and_existing, node_affinity
from nvreq.fleet.selector import Match, Term, conjoin, simplify
from nvreq.images.info import ImageInfo
from nvreq.webhook.cluster import ARCH_LABEL, Cluster
from nvreq.webhook.images import ImageCache
from nvreq.webhook.pods import DEFAULT_GPU_RESOURCES, Container, container_env, pod_containers
from nvreq.webhook.review import Request, parse_review, response, sniff_uid

__all__ = ["IMAGES_ANNOTATION", "OPT_OUT_ANNOTATION", "Admission", "Decision", "Endpoint",
           "FailurePolicy", "Settings"]

Endpoint = Literal["mutate", "validate"]
FailurePolicy = Literal["Ignore", "Fail"]
#: set to "true" on a pod to let it pass unchanged
OPT_OUT_ANNOTATION = "nvreq.dev/skip"
#: written by /mutate: the images and digests the affinity was computed from
IMAGES_ANNOTATION = "nvreq.dev/images"
_EXCLUDED = frozenset({"kube-system", "kube-public", "kube-node-lease"})


@dataclass(frozen=True, slots=True)
class Settings:
    """How the webhook decides: the failure policy, which pods, the image time budget and the
    options of ``node_affinity`` (brand policy, label set)."""

    failure_policy: FailurePolicy = "Ignore"
    gpu_resources: tuple[str, ...] = DEFAULT_GPU_RESOURCES
    excluded_namespaces: frozenset[str] = _EXCLUDED
    image_budget: float = 8.0
    affinity: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Decision:
    """One review's answer; ``outcome`` names it for metrics (skipped, allowed, patched, warned,
    denied, failure-ignored, failure-denied)."""

    allowed: bool
    outcome: str
    message: str | None = None
    patch: tuple[Mapping[str, Any], ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class _Run:
    """One GPU container on one architecture: its environment and where it can run."""

    container: Container
    arch: str
    info: ImageInfo
    env: tuple[str, ...]
    runnable: frozenset[str]
    refusal: str | None


class _Failure(Exception):
    """Stops a decision: answered by the failure policy."""


class Admission:
    """Answers AdmissionReviews for Pods against the current ``Cluster``.

    ``cluster`` returns the current view (None until the nodes are known); ``pull_auth(namespace,
    secret_names)`` returns a docker config file for the pod's ``imagePullSecrets``, or None.
    """

    def __init__(self, cluster: Callable[[], Cluster | None], images: ImageCache,
                 settings: Settings | None = None, *,
                 pull_auth: Callable[[str, Sequence[str]], str | None] | None = None) -> None:
        self.cluster = cluster
        self.images = images
        self.settings = settings or Settings()
        self.pull_auth = pull_auth
        self._lock = threading.Lock()
        self._evaluated: dict[tuple[str, ...], tuple[frozenset[str], str | None]] = {}
        self._evaluated_on: Cluster | None = None
        self._admitted: dict[tuple[Any, ...] | None, frozenset[str]] = {}

    def review(self, body: bytes, endpoint: Endpoint) -> tuple[dict[str, Any], Decision]:
        """The AdmissionReview response for a request body, and the decision behind it."""
        try:
            request = parse_review(body)
        except InputError as exc:
            decision = self.failure(f"not a valid AdmissionReview: {exc}")
            return self.answer(sniff_uid(body), decision), decision
        try:
            decision = self.decide(request, endpoint)
        except _Failure as exc:
            decision = self.failure(str(exc))
        except NvreqError as exc:
            decision = self.failure(f"the pod could not be evaluated: {exc}")
        return self.answer(request.uid, decision), decision

    def answer(self, uid: str, d: Decision) -> dict[str, Any]:
        """The AdmissionReview response carrying ``d``."""
        return response(uid, d.allowed, message=d.message, patch=d.patch, warnings=d.warnings)

    def failure(self, why: str) -> Decision:
        """The failure policy's decision when a review cannot be decided."""
        if self.settings.failure_policy == "Fail":
            return Decision(False, "failure-denied", f"nvreq: {why}")
        return Decision(True, "failure-ignored",
                        warnings=(f"nvreq: {why}; allowed unchanged (failure policy Ignore)",))

    def decide(self, request: Request, endpoint: Endpoint) -> Decision:
        """The decision for a parsed request."""
        if not request.is_pod:
            raise _Failure(f"unexpected resource {request.resource}: only pods are reviewed")
        if request.operation != "CREATE" or request.namespace in self.settings.excluded_namespaces:
            return Decision(True, "skipped")
        metadata = request.pod.get("metadata")
        annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
        if isinstance(annotations, dict) and annotations.get(OPT_OUT_ANNOTATION) == "true":
            return Decision(True, "skipped")
        containers = pod_containers(request.pod, self.settings.gpu_resources)
        cluster = self.cluster()
        if cluster is None:
            raise _Failure("the cluster's nodes are not known yet")
        runs, warnings = self._runs(request, containers, cluster)
        if not runs:
            return Decision(True, "skipped", warnings=tuple(warnings))
        if endpoint == "validate":
            return self._validate(runs, cluster, warnings)
        return self._mutate(request, runs, cluster, warnings)

    # -- reading and evaluating ---------------------------------------------------------------

    def _runs(self, request: Request, containers: Sequence[Container], cluster: Cluster
              ) -> tuple[list[_Run], list[str]]:
        deadline = time.monotonic() + self.settings.image_budget
        spec = request.pod.get("spec") or {}
        secrets = [str(s["name"]) for s in spec.get("imagePullSecrets") or []
                   if isinstance(s, dict) and isinstance(s.get("name"), str)]
        auth = self.pull_auth(request.namespace, secrets) if self.pull_auth and secrets else None
        runs: list[_Run] = []
        warnings: list[str] = []
        try:  # every read at once: the budget covers them together
            for c in containers:
                for arch in cluster.arches:
                    self.images.start(c.image, f"linux/{arch}", auth)
        except ImageError as exc:
            raise _Failure(f"cannot read the images: {exc}") from None
        for c in containers:
            for arch in cluster.arches:
                try:
                    info = self.images.get(c.image, f"linux/{arch}", auth, deadline,
                                           started=True)
                except ImageError as exc:
                    raise _Failure(f"cannot read the image of container {c.name!r}: {exc}"
                                   ) from None
                if not c.gets_gpus(info.env):
                    break
                env = tuple(container_env(info.env, c))
                runnable, refusal = self._evaluate(cluster, env)
                runs.append(_Run(c, arch, info, env, runnable & cluster.nodes_of(arch), refusal))
            if c.not_evaluated and any(r.container is c for r in runs):
                warnings.append(f"nvreq: container {c.name!r}: not evaluated, only the kubelet "
                                f"resolves them: {', '.join(c.not_evaluated)}")
        return runs, warnings

    def _evaluate(self, cluster: Cluster, env: tuple[str, ...]
                  ) -> tuple[frozenset[str], str | None]:
        """The nodes that can run ``env``, and the runtime's message on a node that cannot."""
        with self._lock:
            hit = self._evaluated.get(env) if self._evaluated_on is cluster else None
        if hit is not None:
            return hit
        result = cluster.fleet.evaluate(env)
        refusal = next((o.message or o.verdict for o, _, _ in result.groups() if not o), None)
        value = (frozenset(result.runnable()), refusal)
        with self._lock:
            if self._evaluated_on is not cluster or len(self._evaluated) >= 4096:
                self._evaluated, self._admitted = {}, {}  # one cluster view at a time, bounded
                self._evaluated_on = cluster
            self._evaluated[env] = value
        return value

    # -- the two endpoints --------------------------------------------------------------------

    def _validate(self, runs: list[_Run], cluster: Cluster, warnings: list[str]) -> Decision:
        gpu_nodes = len(cluster.labels)
        if not gpu_nodes:
            return Decision(True, "warned", warnings=(
                *warnings, "nvreq: the cluster has no GPU node to run this pod"))
        nodes = _pod_nodes(runs, cluster)
        if not nodes:
            return _denial(runs, warnings)
        if len(nodes) < gpu_nodes:
            warnings.append(f"nvreq: runs on {len(nodes)} of {gpu_nodes} GPU nodes")
            return Decision(True, "warned", warnings=tuple(warnings))
        return Decision(True, "allowed", warnings=tuple(warnings))

    def _mutate(self, request: Request, runs: list[_Run], cluster: Cluster,
                warnings: list[str]) -> Decision:
        runnable = _pod_nodes(runs, cluster)
        if cluster.labels and not runnable:  # no affinity can help: refuse here already
            return _denial(runs, warnings)
        generated = self._affinity(runs, cluster)
        wrong = self._admits(generated, cluster) - runnable
        if wrong:  # the translation is conservative by construction; never pass a breach on
            raise _Failure(f"the node affinity would admit {sorted(wrong)[0]}, which cannot run "
                           "the pod")
        spec = request.pod.get("spec") or {}
        existing = spec.get("affinity")
        merged = and_existing(existing if isinstance(existing, dict) else {}, generated)
        patch: list[dict[str, Any]] = []
        if generated.terms is not None:
            patch.append({"op": "replace" if "affinity" in spec else "add",
                          "path": "/spec/affinity", "value": merged})
        used = json.dumps([{"container": r.container.name, "image": r.container.image,
                            "digest": r.info.digest, "platform": r.info.platform}
                           for r in runs], separators=(",", ":"))
        metadata = request.pod.get("metadata") or {}
        if isinstance(metadata.get("annotations"), dict):
            patch.append({"op": "add", "path": "/metadata/annotations/"
                          + IMAGES_ANNOTATION.replace("~", "~0").replace("/", "~1"),
                          "value": used})
        else:
            patch.append({"op": "add", "path": "/metadata/annotations",
                          "value": {IMAGES_ANNOTATION: used}})
        return Decision(True, "patched", patch=tuple(patch), warnings=(
            *warnings, *(f"nvreq: {n}" for n in generated.notes if generated.terms is not None)))

    def _admits(self, affinity: Affinity, cluster: Cluster) -> frozenset[str]:
        """The nodes ``affinity`` admits (remembered per affinity for the current view)."""
        with self._lock:
            hit = self._admitted.get(affinity.terms) if self._evaluated_on is cluster else None
        if hit is None:
            hit = frozenset(n for n, lab in cluster.labels.items() if affinity.matches(lab))
            with self._lock:
                if self._evaluated_on is cluster and len(self._admitted) < 4096:
                    self._admitted[affinity.terms] = hit
        return hit

    def _affinity(self, runs: list[_Run], cluster: Cluster) -> Affinity:
        """Every GPU container's affinity ANDed; per architecture when the nodes have several."""
        multi = len(cluster.arches) > 1
        options = dict(self.settings.affinity)
        total: list[Term] | None = None
        notes: dict[str, None] = {}
        order: tuple[str, ...] = ()
        for name in dict.fromkeys(r.container.name for r in runs):
            alternatives: list[Term] = []
            constrained = multi
            for r in (r for r in runs if r.container.name == name):
                try:
                    aff = node_affinity(r.env, **options)
                except InputError as exc:
                    raise _Failure(f"no node affinity for container {name!r}: {exc}") from None
                notes.update(dict.fromkeys(aff.notes))
                order = aff.order or order
                arch: Term = (Match(ARCH_LABEL, values=frozenset((r.arch,))),) if multi else ()
                if aff.terms is None:
                    alternatives.append(arch)
                    continue
                constrained = True
                alternatives += [t for a in aff.terms if (t := conjoin(a, arch)) is not None]
            if not constrained:
                continue
            total = alternatives if total is None else simplify(
                t for a in total for b in alternatives if (t := conjoin(a, b)) is not None)
        if total is None:
            return Affinity(None, tuple(notes))
        if not total:
            raise _Failure("the containers' node affinities admit no node together")
        limit = int(options.get("max_terms", 128))
        if len(total) > limit:
            raise _Failure(f"the node affinity would have {len(total)} terms, over {limit}")
        return Affinity(tuple(total), tuple(notes), (*order, ARCH_LABEL))


def _denial(runs: list[_Run], warnings: list[str]) -> Decision:
    """Refused: no GPU node can run every GPU container; the runtime's message says why."""
    blocker = next((r for r in runs if not r.runnable), runs[0])
    why = blocker.refusal or "its GPU containers cannot run on one node together"
    return Decision(False, "denied", (
        f"nvreq: no GPU node of the cluster can run container {blocker.container.name!r} "
        f"({_shown(blocker.info)}): {why}"), warnings=tuple(warnings))


def _pod_nodes(runs: list[_Run], cluster: Cluster) -> set[str]:
    """The nodes on which every GPU container can run (per architecture)."""
    nodes: set[str] = set()
    for arch in cluster.arches:
        mine = [r for r in runs if r.arch == arch]
        if mine:
            common = set(mine[0].runnable)
            for r in mine[1:]:
                common &= r.runnable
            nodes |= common
    return nodes


def _shown(info: ImageInfo) -> str:
    return f"{info.reference.removeprefix('docker://')}@{info.digest}" if info.digest \
        else info.reference
