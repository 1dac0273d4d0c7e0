"""Offline package bundles: is this set of ``.deb`` files complete for the target, and in which
order does ``dpkg -i`` install it?"""

from __future__ import annotations

from nvreq._lazy import door

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.bundle.check import check_bundle
    from nvreq.bundle.package import BundlePackage, read_package
    from nvreq.bundle.relations import Relation, parse_relations
    from nvreq.bundle.report import BundleReport, Problem
    from nvreq.bundle.target import Target, read_target

__all__ = [
    "BundlePackage",
    "BundleReport",
    "Problem",
    "Relation",
    "Target",
    "check_bundle",
    "parse_relations",
    "read_package",
    "read_target",
]

_TABLE = {
    "BundlePackage": "nvreq.bundle.package",
    "BundleReport": "nvreq.bundle.report",
    "Problem": "nvreq.bundle.report",
    "Relation": "nvreq.bundle.relations",
    "Target": "nvreq.bundle.target",
    "check_bundle": "nvreq.bundle.check",
    "parse_relations": "nvreq.bundle.relations",
    "read_package": "nvreq.bundle.package",
    "read_target": "nvreq.bundle.target",
}

__getattr__ = door("nvreq.bundle", _TABLE)
