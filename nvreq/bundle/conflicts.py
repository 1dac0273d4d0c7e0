"""``Conflicts`` and ``Breaks`` between a bundled package and the others, bundled or installed,
either way round; a conflict with an installed package that the bundled one also ``Replaces`` is
a warning, since dpkg removes that package."""

from __future__ import annotations

from collections.abc import Iterable

from nvreq.bundle.package import BundlePackage
from nvreq.bundle.relations import Relation, targets
from nvreq.bundle.report import Problem
from nvreq.host.packages import Package

__all__ = ["PRESENT", "conflict_problems"]

#: dpkg states in which an installed package counts for Conflicts and Breaks
PRESENT = frozenset({"installed", "triggers-pending", "triggers-awaited", "unpacked",
                     "half-configured", "half-installed"})


def conflict_problems(package: BundlePackage, bundled: Iterable[BundlePackage],
                      installed: Iterable[Package]) -> list[Problem]:
    """The conflicts of ``package`` with the other ``bundled`` packages and the ``installed``
    ones the bundle does not replace."""
    problems = []
    others = [p for p in bundled if p is not package]
    present = [p for p in installed if p.state in PRESENT and p.name != package.name]
    for kind, relation in _relations(package):
        for other in others:
            if targets(relation, other.name, other.version, other.provides):
                problems.append(Problem(
                    package.name, "conflict", f"{kind}: {relation}; the bundle also holds "
                    f"{other.name} {other.version}",
                    f"keep only one of {package.name} and {other.name} in the bundle",
                    file=package.file))
        for old in present:
            if targets(relation, old.name, old.version, _provided(old)):
                problems.append(_with_installed(package, old, kind,
                                                f"{kind}: {relation}; the target has {old.name} "
                                                f"{old.version} installed"))
    for old in present:
        for kind, groups in (("Conflicts", old.conflicts), ("Breaks", old.breaks)):
            for dependency in (d for group in groups for d in group):
                relation = Relation(dependency.name, None, dependency.op, dependency.version)
                if dependency.name != old.name and targets(relation, package.name,
                                                           package.version, package.provides):
                    problems.append(_with_installed(
                        package, old, kind, f"the target has {old.name} {old.version} installed,"
                        f" which {kind}: {relation}"))
    return problems


def _relations(package: BundlePackage) -> Iterable[tuple[str, Relation]]:
    for kind, groups in (("Conflicts", package.conflicts), ("Breaks", package.breaks)):
        for group in groups:
            for relation in group:
                yield kind, relation


def _provided(package: Package) -> tuple[tuple[Relation, ...], ...]:
    return tuple((Relation(name),) for name in package.provides)


def _with_installed(package: BundlePackage, old: Package, kind: str, what: str) -> Problem:
    """A conflict with an installed package: a warning when dpkg removes it (Conflicts and
    Replaces), an error otherwise (dpkg refuses to install)."""
    replaced = kind == "Conflicts" and any(
        targets(r, old.name, old.version, _provided(old)) for g in package.replaces for r in g)
    if replaced:
        return Problem(package.name, "conflict",
                       f"{what} (dpkg removes it, as {package.name} also Replaces it)",
                       severity="warning", file=package.file)
    return Problem(package.name, "conflict", what, f"remove {old.name} first (`sudo dpkg -r "
                   f"{old.name}`) or bundle a version of it that goes with {package.name} "
                   f"{package.version}", file=package.file)
