"""Requirements as Kubernetes node affinity over GPU Feature Discovery labels.

The terms reproduce the runtime's evaluation with ``unknown=fail``: a node matches when, read as the
profile its labels describe, every requirement holds. Where labels cannot decide (brands) the
translation is conservative: it never admits a node that the evaluation would refuse.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from nvreq._frozen import frozen
from nvreq.brands import BRAND_NAMES, brand_name
from nvreq.check.collection import MAX_REQUIREMENTS, collect, environment
from nvreq.devices.select import resolve_devices
from nvreq.errors import InputError, unknown_choice
from nvreq.fleet.gfd_labels import CURRENT, GPU_PRODUCT, LabelSet, is_label_key
from nvreq.fleet.selector import INT64_MAX, Match, Term, conjoin, simplify, term, term_expressions
from nvreq.formats.digits import uint
from nvreq.formats.yaml_text import plain_safe, quote, scalar
from nvreq.host.profile import HostProfile
from nvreq.require.syntax import PROBLEM_MESSAGES, Clause, Requirement, ascii_lower

__all__ = ["ARCH_LABEL", "BRAND_POLICIES", "DEFAULT_MAX_TERMS", "Affinity", "BrandPolicy",
           "and_existing", "node_affinity", "per_architecture", "requirements_affinity"]

BrandPolicy = Literal["drop", "product-map", "label", "ignore"]
BRAND_POLICIES: tuple[BrandPolicy, ...] = ("drop", "product-map", "label", "ignore")
DEFAULT_MAX_TERMS = 128
#: the node label Kubernetes sets to the node's GOARCH
ARCH_LABEL = "kubernetes.io/arch"
#: every brand token an image can name (libnvidia-container's names, lowercased)
_TOKENS = tuple(sorted({name.lower() for name in BRAND_NAMES}))
_NEGATE = {">=": "<", "<": ">=", ">": "<=", "<=": ">", "=": "!=", "!=": "="}
_NONZERO = re.compile(r"[1-9]")
_DNF = list[Term]
TRUE: _DNF = [()]


@frozen
class Affinity:
    """Generated node affinity: ``terms`` is None when the image constrains no node."""

    terms: tuple[Term, ...] | None
    notes: tuple[str, ...] = ()
    order: tuple[str, ...] = ()

    def node_selector_terms(self) -> list[dict[str, Any]]:
        """The ``nodeSelectorTerms`` list (empty when unconstrained)."""
        return [{"matchExpressions": term_expressions(t, self.order)} for t in self.terms or ()]

    def to_dict(self) -> dict[str, Any]:
        """``{"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": …}}``, or {}."""
        if self.terms is None:
            return {}
        return {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": self.node_selector_terms()}}}

    def to_json(self) -> str:
        """``to_dict`` as indented JSON."""
        return json.dumps(self.to_dict(), indent=2)

    def to_yaml(self) -> str:
        """``to_dict`` as YAML, one match expression per line."""
        return to_yaml(self.to_dict())

    def matches(self, labels: Mapping[str, str]) -> bool:
        """Whether a node with these labels meets the affinity (Kubernetes' rules for In/Gt/Lt)."""
        if self.terms is None:
            return True
        return any(all(m.admits(labels.get(m.key)) for m in t) for t in self.terms)


def to_yaml(data: Any, indent: int = 0) -> str:
    """The affinity structure as YAML: values quoted, leaves in flow style; reads back unchanged.

    >>> print(to_yaml({"a": [{"key": "k", "operator": "Gt", "values": ["1"]}]}), end="")
    a:
    - {key: "k", operator: Gt, values: ["1"]}
    """
    pad = " " * indent
    if not _nonempty(data):
        return f"{pad}{_flow(data)}\n"
    lines: list[str] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            if _nonempty(value):
                lines.append(f"{pad}{scalar(key)}:\n" + to_yaml(value, indent + (0 if isinstance(
                    value, list) else 2)))
            else:
                lines.append(f"{pad}{scalar(key)}: {_flow(value)}\n")
    else:
        for item in data:
            if isinstance(item, Mapping) and all(not _nonempty(v) or (
                    isinstance(v, list) and all(isinstance(x, str) for x in v))
                    for v in item.values()):
                lines.append(f"{pad}- {_flow(item)}\n")
            elif _nonempty(item):
                lines.append(f"{pad}- {to_yaml(item, indent + 2)[indent + 2:]}")
            else:
                lines.append(f"{pad}- {_flow(item)}\n")
    return "".join(lines)


def _nonempty(value: Any) -> bool:
    return isinstance(value, (Mapping, list)) and len(value) > 0


def _flow(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, str) and re.fullmatch(r"[A-Z][A-Za-z]*", value) and plain_safe(value):
        return value
    return quote(value) if isinstance(value, str) else scalar(value)


class _Translator:
    """Builds the OR-of-AND form of requirements, one clause at a time."""

    def __init__(self, policy: BrandPolicy, products: Mapping[str, str], brand_label: str | None,
                 labels: LabelSet, max_terms: int, arch_uniform_label: str | None) -> None:
        self.policy = policy
        self.products = products
        self.brand_label = brand_label
        self.labels = labels
        self.max_terms = max_terms
        self.arch_uniform = arch_uniform_label
        self.notes: dict[str, None] = {}

    # -- combining ---------------------------------------------------------------------------

    def both(self, a: _DNF, b: _DNF) -> _DNF:
        if len(a) * len(b) > max(4096, self.max_terms * 16):
            raise self.too_large(len(a) * len(b))
        return simplify(t for x in a for y in b if (t := conjoin(x, y)) is not None)

    def either(self, dnfs: Iterable[_DNF]) -> _DNF:
        return simplify(t for d in dnfs for t in d)

    def too_large(self, count: int) -> InputError:
        return InputError(
            f"the node affinity would have {count} terms, over the limit of {self.max_terms}; use "
            "the label brand policy (--brand-label) or fewer requirement variables")

    # -- clauses ------------------------------------------------------------------------------

    def literal(self, clause: Clause, negate: bool = False) -> _DNF:
        """The nodes on which ``clause`` holds (or, negated, is false with the fact known)."""
        op = clause.operator or ""
        op = _NEGATE[op] if negate else op
        name = clause.name
        if name == "brand":
            return self.brand(op, clause.value, negate)
        if name == "cuda":
            keys: tuple[str, ...] = self.labels.cuda
        elif name == "driver":
            keys = self.labels.driver
        else:
            keys = self.labels.arch
            self.notes["arch clauses read nvidia.com/gpu.compute.major/minor, which describe "
                       "one product per node"] = None
        dnf = self.version(keys, op, clause)
        if name == "driver":
            dnf = self.empty_revision(dnf)
        if name == "arch" and self.arch_uniform:
            dnf = self.both(dnf, [(Match(self.arch_uniform, values=frozenset(("true",))),)])
        return dnf

    def version(self, keys: tuple[str, ...], op: str, clause: Clause) -> _DNF:
        """Lexicographic bounds over the version labels, integers only."""
        m = len(keys)
        parts = [p for p in clause.value.split(".") if p]
        head: list[int] = []
        for p in parts[:m]:
            n = uint(p, INT64_MAX - 1)
            if n is None:
                raise InputError(f"{clause}: version component {p} is too large for a "
                                 "Kubernetes integer label")
            head.append(n)
        head += [0] * (m - len(head))
        if any(_NONZERO.search(p) for p in parts[m:]):
            op = {">=": ">", "<": "<=", "=": "never", "!=": "always"}.get(op, op)
        if op in (">=", "<"):
            while head and head[-1] == 0:
                head.pop()
        present: _DNF = [(Match(keys[0], gt=-1),)]
        if op == "always" or (op == ">=" and not head):
            return present
        if op == "never" or (op == "<" and not head):
            return []
        n = len(head)

        def eq(i: int) -> Match:
            return Match(keys[i], head[i] - 1, head[i] + 1)

        raw: list[list[Match]] = []
        if op == "=":
            raw.append([eq(i) for i in range(n)])
        elif op == "!=":
            for i in range(n):
                raw += [[Match(keys[i], lt=head[i])], [Match(keys[i], gt=head[i])]]
        else:
            for i in range(n):
                last = i == n - 1
                prefix = [eq(j) for j in range(i)]
                if op in (">", ">="):
                    bound = head[i] - 1 if op == ">=" and last else head[i]
                    raw.append([*prefix, Match(keys[i], gt=bound)])
                else:
                    bound = head[i] + 1 if op == "<=" and last else head[i]
                    raw.append([*prefix, Match(keys[i], lt=bound)])
        return simplify(t for r in raw if (t := term(r)) is not None)

    def empty_revision(self, dnf: _DNF) -> _DNF:
        """GFD publishes ``revision=""`` for two-part drivers, read as 0."""
        key = self.labels.driver[2]
        out = list(dnf)
        for t in dnf:
            rev = next((m for m in t if m.key == key), None)
            if rev is not None and rev.admits("0"):
                out.append(tuple(sorted((*(m for m in t if m.key != key),
                                         Match(key, values=frozenset(("",)))),
                                        key=lambda m: m.key)))
        return simplify(out)

    def brand(self, op: str, value: str, negated: bool) -> _DNF:
        """Brands under the chosen policy."""
        token = ascii_lower(value)
        if self.policy == "ignore":
            self.notes["brand clauses taken as true (policy ignore): pods may land on nodes "
                       "whose runtime refuses them"] = None
            return [] if negated else TRUE
        if self.policy == "drop":
            self.notes["no label carries the brand: terms with a brand clause were dropped "
                       "(policy drop)"] = None
            return []
        if self.policy == "label":
            assert self.brand_label is not None
            tokens = [t for t in _TOKENS if (t == token) == (op == "=")]
            key = self.brand_label
        else:
            tokens = [p for p, b in self.products.items() if (b.lower() == token) == (op == "=")]
            key = GPU_PRODUCT
        return [(Match(key, values=frozenset(tokens)),)] if tokens else []

    # -- requirements -------------------------------------------------------------------------

    def requirement(self, req: Requirement) -> _DNF:
        """The runtime's short-circuit walk of one requirement, as a formula."""
        result: list[_DNF] = []
        guards: _DNF = TRUE
        seen = False
        for alt in req.alternatives:
            if alt.is_empty:
                continue
            if alt.is_comma_only:
                if not seen:
                    return TRUE
                break
            seen = True
            body: _DNF = guards
            prefix: list[Clause] = []
            later: list[_DNF] = []
            for clause in alt.clauses:
                if clause.problem is not None:
                    # reaching this clause is an error: later terms need an earlier clause false
                    later.append(self.either(self.literal(c, True) for c in prefix))
                    body = []
                    break
                if clause.is_long:
                    # a long clause that is false is an error as well
                    later.append(self.either([*(self.literal(c, True) for c in prefix),
                                              self.literal(clause)]))
                body = self.both(body, self.literal(clause)) if body else []
                prefix.append(clause)
            result.append(body)
            for guard in later:
                guards = self.both(guards, guard)
        return self.either(result) if seen else TRUE


def requirements_affinity(requirements: Sequence[Requirement], *,
                          brand_policy: BrandPolicy = "drop",
                          brand_map: Mapping[str, str] | None = None,
                          brand_label: str | None = None, labels: LabelSet = CURRENT,
                          max_terms: int = DEFAULT_MAX_TERMS,
                          arch_uniform_label: str | None = None) -> Affinity:
    """Node affinity for requirements that must all hold (each read with ``unknown=fail``).

    >>> from nvreq.require.syntax import parse_requirement
    >>> a = requirements_affinity([parse_requirement("cuda>=12.4 brand=tesla,driver>=535")])
    >>> print(a.to_yaml(), end="")  # doctest: +NORMALIZE_WHITESPACE
    nodeAffinity:
      requiredDuringSchedulingIgnoredDuringExecution:
        nodeSelectorTerms:
        - matchExpressions:
          - {key: "nvidia.com/cuda.runtime-version.major", operator: Gt, values: ["12"]}
        - matchExpressions:
          - {key: "nvidia.com/cuda.runtime-version.major", operator: Gt, values: ["11"]}
          - {key: "nvidia.com/cuda.runtime-version.major", operator: Lt, values: ["13"]}
          - {key: "nvidia.com/cuda.runtime-version.minor", operator: Gt, values: ["3"]}
    """
    translator = _translator(brand_policy, brand_map, brand_label, labels, max_terms,
                             arch_uniform_label)
    dnf: _DNF = TRUE
    for req in requirements:
        dnf = translator.both(dnf, translator.requirement(req))
    notes = tuple(translator.notes)
    if dnf == TRUE:
        return Affinity(None, (*notes, "the requirements constrain no label: no affinity"))
    if not dnf:
        lenient = _translator("ignore", None, None, labels, max_terms, arch_uniform_label)
        raise _nowhere([r for r in requirements if not lenient.requirement(r)]) or InputError(
            f"no node can satisfy these requirements under brand policy {brand_policy}"
            + ("; brand clauses need --brand-label or --brand-map"
               if brand_policy == "drop" else ""))
    if len(dnf) > max_terms:
        raise translator.too_large(len(dnf))
    order = (*(k for k in (brand_label, GPU_PRODUCT) if k), *labels.cuda, *labels.driver,
             *labels.arch)
    return Affinity(tuple(dnf), notes, order)


def _nowhere(failing: list[Requirement]) -> InputError | None:
    """Why a requirement fails on every node whatever its brand, or None if none does."""
    for req in failing:
        bad = next((c for a in req.alternatives for c in a.clauses if c.problem is not None), None)
        if bad is not None and bad.problem is not None:
            return InputError(f"the requirement '{req}' is invalid ({PROBLEM_MESSAGES[bad.problem]}"
                              f" in '{bad}'): the runtime fails it on every node")
        return InputError(f"the requirement '{req}' holds on no node")
    return None


def per_architecture(affinities: Mapping[str, Affinity | InputError],
                     max_terms: int = DEFAULT_MAX_TERMS) -> Affinity:
    """One affinity for an image whose configs differ per architecture: each architecture's
    terms with ``kubernetes.io/arch`` set to it; an architecture whose config no node can run
    (an ``InputError``) gets no term.

    >>> a = per_architecture({"amd64": Affinity(None), "arm64": InputError("no node")})
    >>> [[e["values"] for e in t["matchExpressions"]] for t in a.node_selector_terms()]
    [[['amd64']]]
    """
    terms: list[Term] = []
    notes: list[str] = []
    order: tuple[str, ...] = ()
    for arch, affinity in sorted(affinities.items()):
        if isinstance(affinity, InputError):
            notes.append(f"{arch}: {affinity}; no {arch} node is admitted")
            continue
        arch_match = Match(ARCH_LABEL, values=frozenset((arch,)))
        terms += [(arch_match, *t) for t in affinity.terms or [()]]
        notes += [f"{arch}: {n}" for n in affinity.notes]
        order = order or affinity.order
    if not terms:
        raise InputError("no node can run the image on any of its architectures: "
                         + "; ".join(notes))
    if len(terms) > max_terms:
        raise InputError(f"{len(terms)} terms are needed for the image's architectures, more "
                         f"than the limit of {max_terms} (--max-terms)")
    return Affinity(tuple(terms), tuple(notes), (ARCH_LABEL, *order))


def _translator(policy: BrandPolicy, brand_map: Mapping[str, str] | None,
                brand_label: str | None, labels: LabelSet, max_terms: int,
                arch_uniform_label: str | None) -> _Translator:
    if policy not in BRAND_POLICIES:
        raise InputError(unknown_choice("brand policy", policy, BRAND_POLICIES))
    if policy == "label" and (not brand_label or not is_label_key(brand_label)):
        raise InputError(f"brand policy label needs a valid label key, got {brand_label!r}")
    products: dict[str, str] = {}
    if policy == "product-map":
        if not brand_map:
            raise InputError("brand policy product-map needs a map of product label to brand")
        for product, brand in brand_map.items():
            name = brand_name(brand) if isinstance(brand, str) else None
            if name is None:
                raise InputError(f"brand map: {product!r} maps to {brand!r}, which is not a brand")
            products[product] = name
    if max_terms < 1:
        raise InputError("the term limit must be at least 1")
    if arch_uniform_label is not None and not is_label_key(arch_uniform_label):
        raise InputError(f"not a label key: {arch_uniform_label!r}")
    return _Translator(policy, products, brand_label, labels, max_terms, arch_uniform_label)


def node_affinity(env: Mapping[str, str] | Iterable[str], **options: Any) -> Affinity:
    """Node affinity for a container environment (collected as the hook does).

    Options are those of :func:`requirements_affinity`.

    >>> node_affinity({"NVIDIA_REQUIRE_CUDA": "cuda>=12.4", "NVIDIA_VISIBLE_DEVICES": "void"}).terms
    """
    env_map, error = environment(env)
    if error:
        raise InputError(error)
    collected = collect(env_map)
    if collected.error:
        raise InputError(collected.error)
    if collected.disabled:
        return Affinity(None, ("NVIDIA_DISABLE_REQUIRE is true: the runtime checks nothing, so "
                               "there is no requirement term",))
    if not resolve_devices(env_map, HostProfile(), legacy_image=collected.legacy).gpu_container:
        return Affinity(None, ("not a GPU container (NVIDIA_VISIBLE_DEVICES unset, empty or void):"
                               " the runtime checks nothing. In a pod that requests nvidia.com/gpu"
                               " the device plugin sets it; pass --env NVIDIA_VISIBLE_DEVICES=all"
                               " to translate the requirements anyway",))
    if collected.too_many:
        raise InputError(f"{len(collected.requirements)} requirements: nvidia-container-cli "
                         f"accepts at most {MAX_REQUIREMENTS}, so the container fails everywhere")
    return requirements_affinity([r for _, r in collected.requirements], **options)


def and_existing(existing: Mapping[str, Any], generated: Affinity) -> dict[str, Any]:
    """A pod's ``affinity`` with its required node affinity ANDed with the generated one.

    Every existing node selector term is combined with every generated term; the rest of
    ``existing`` (preferred terms, pod affinity) is kept as it is.
    """
    out = dict(existing)
    node = out.get("nodeAffinity") or {}
    required = node.get("requiredDuringSchedulingIgnoredDuringExecution") or {}
    if not isinstance(node, Mapping) or not isinstance(required, Mapping):
        raise InputError("existing affinity: expected objects at nodeAffinity."
                         "requiredDuringSchedulingIgnoredDuringExecution")
    old_terms = required.get("nodeSelectorTerms") or []
    if not isinstance(old_terms, list) or not all(isinstance(t, Mapping) for t in old_terms):
        raise InputError("existing affinity: nodeSelectorTerms is not a list of objects")
    if generated.terms is None:
        return out
    new_terms = generated.node_selector_terms()
    combined = [{**old, "matchExpressions": [*(old.get("matchExpressions") or []),
                                             *new["matchExpressions"]]}
                for old in old_terms for new in new_terms] if old_terms else new_terms
    out["nodeAffinity"] = {**node, "requiredDuringSchedulingIgnoredDuringExecution": {
        **required, "nodeSelectorTerms": combined}}
    return out
