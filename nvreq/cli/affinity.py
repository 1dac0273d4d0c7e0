"""``nvreq affinity``: an image's requirements as Kubernetes node affinity over GFD labels."""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from typing import Any

from nvreq.cli._envs import LabelledEnv, add_env_options, labelled_envs
from nvreq.cli.output import add_output_option
from nvreq.errors import InputError
from nvreq.files import read_capped
from nvreq.formats import jsontext

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.fleet.kubernetes import Affinity

#: the architectures of Kubernetes GPU nodes an image is read for when no --platform is given
PROBED_PLATFORMS = ("linux/amd64", "linux/arm64")

__all__ = ["HELP", "add_arguments", "run"]

HELP = ("print requiredDuringSchedulingIgnoredDuringExecution node affinity (YAML, or -o json) "
        "that admits only nodes whose GPU Feature Discovery labels satisfy the image's "
        "requirements")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nvreq affinity``."""
    add_env_options(parser, images="the image (at most one); or give --env-file / --env")
    add_output_option(parser, formats=("yaml", "json", "text"), default="yaml",
                      text="a Kubernetes affinity object; text is the same YAML")
    parser.add_argument("--brand-policy", choices=("drop", "product-map", "label", "ignore"),
                        help="brand clauses: drop their terms (default), map gpu.product values "
                        "(--brand-map), read a brand label (--brand-label), or take them as true "
                        "(ignore: pods may land where the runtime refuses them)")
    parser.add_argument("--brand-map", metavar="FILE",
                        help="JSON object of nvidia.com/gpu.product value -> brand")
    parser.add_argument("--brand-label", metavar="KEY",
                        help="a node label holding the lowercase brand token")
    parser.add_argument("--nfd", action="store_true",
                        help="use the labels of `nvreq host --nfd`: the brand label "
                        "feature.node.kubernetes.io/gpu-brand, and arch terms only on nodes "
                        "whose GPUs share one architecture")
    parser.add_argument("--gfd-labels", choices=("current", "deprecated"), default="current",
                        help="GFD label names: current (default) or the deprecated duplicates")
    parser.add_argument("--max-terms", type=int, default=128, metavar="N",
                        help="fail when more than N terms are needed (default 128)")
    parser.add_argument("--existing", metavar="FILE",
                        help="a pod's existing affinity (JSON, or YAML with PyYAML): its "
                        "required terms are ANDed with the generated ones")


def _options(args: argparse.Namespace) -> dict[str, Any]:
    from nvreq.fleet.gfd_labels import LABEL_SETS, NFD_ARCH_UNIFORM, NFD_BRAND
    from nvreq.fleet.inputs import load_brand_map

    policy = args.brand_policy or ("product-map" if args.brand_map else "label" if (
        args.brand_label or args.nfd) else "drop")
    options: dict[str, Any] = {"brand_policy": policy, "labels": LABEL_SETS[args.gfd_labels],
                               "max_terms": args.max_terms}
    if policy == "product-map":
        if not args.brand_map:
            raise InputError("--brand-policy product-map needs --brand-map FILE")
        options["brand_map"] = load_brand_map(args.brand_map)
    if policy == "label":
        options["brand_label"] = args.brand_label or (NFD_BRAND if args.nfd else None)
        if not options["brand_label"]:
            raise InputError("--brand-policy label needs --brand-label KEY (or --nfd)")
    if args.nfd:
        options["arch_uniform_label"] = NFD_ARCH_UNIFORM
    return options


def _safe_yaml(yaml: Any, text: str, path: str) -> Any:
    """``yaml.safe_load`` after refusing aliases (an alias bomb expands without bound) and
    nesting deeper than JSON's cap, both checked on the event stream before building."""
    depth = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.AliasEvent):
            raise InputError(f"{path}: YAML aliases (*name) are not accepted; write the "
                             "affinity out in full")
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            if depth > jsontext.MAX_DEPTH:
                raise InputError(f"{path}: YAML nested deeper than {jsontext.MAX_DEPTH} levels")
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
    return yaml.safe_load(text)


def _existing(path: str) -> dict[str, Any]:
    text = read_capped(path, 1 << 20, what="--existing").decode("utf-8", "replace")
    try:
        data = jsontext.loads(text, what=path)
    except json.JSONDecodeError:
        try:
            yaml: Any = importlib.import_module("yaml")
        except ImportError:
            raise InputError(f"{path} is not JSON (install PyYAML to read YAML)") from None
        try:
            data = _safe_yaml(yaml, text, path)
        except yaml.YAMLError as exc:
            raise InputError(f"{path}: invalid YAML: {str(exc).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise InputError(f"{path}: expected an affinity object")
    return data


def _affinity(env: LabelledEnv, args: argparse.Namespace, options: dict[str, Any]
              ) -> Affinity:
    """One image's affinity: with ``--platform``, for that architecture's nodes only; for an
    image whose architectures need different things, per-architecture terms."""
    from nvreq.fleet.kubernetes import Affinity, node_affinity, per_architecture

    max_terms = int(options["max_terms"])
    if args.platform and args.images:
        arch = args.platform.split("/")[1] if "/" in args.platform else args.platform
        return per_architecture({arch: node_affinity(env.env, **options)}, max_terms)
    found = {p.split("/")[1]: e for p, e in env.per_platform.items() if isinstance(e, list)}
    if len(found) < 2:
        return node_affinity(env.env, **options)
    each: dict[str, Affinity | InputError] = {}
    for arch, entries in found.items():
        try:
            each[arch] = node_affinity(entries, **options)
        except InputError as exc:
            each[arch] = exc
    first = next(iter(each.values()))
    if not isinstance(first, InputError) and all(
            not isinstance(a, InputError) and a.terms == first.terms for a in each.values()):
        notes = dict.fromkeys(n for a in each.values() if isinstance(a, Affinity)
                              for n in a.notes)
        return Affinity(first.terms, tuple(notes), first.order)
    return per_architecture(each, max_terms)


def run(args: argparse.Namespace) -> int:
    """Translate and print; exit 2 when no affinity can be given."""
    from nvreq.fleet.kubernetes import and_existing, to_yaml

    envs = labelled_envs(args, () if args.platform else PROBED_PLATFORMS)
    if len(envs) > 1:
        raise InputError("nvreq affinity takes one image or one environment")
    options = _options(args)
    affinity = _affinity(next(iter(envs.values())), args, options)
    for note in affinity.notes:
        print(f"nvreq: note: {note}", file=sys.stderr)
    data = affinity.to_dict()
    if args.existing:
        data = and_existing(_existing(args.existing), affinity)
    if args.output == "json":
        print(json.dumps(data, indent=2))
    else:
        print(to_yaml(data), end="")
    return 0
