"""Resolve a bundle against its target as dpkg would: which dependency each package meets and
with what, what is missing, too old or too new, which packages conflict, and the install steps."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from nvreq.bundle.conflicts import conflict_problems
from nvreq.bundle.order import install_steps
from nvreq.bundle.package import BundlePackage
from nvreq.bundle.relations import Relation, provides, version_matches
from nvreq.bundle.report import Problem
from nvreq.bundle.target import Target
from nvreq.host.packages import Package, compare_debian_versions

__all__ = ["Resolution", "resolve"]

#: dpkg states in which an installed package meets a dependency
_CONFIGURED = {"installed", "triggers-pending", "triggers-awaited"}


@dataclass(frozen=True, slots=True)
class Resolution:
    """What resolving found: problems, install steps (files) and notes."""

    problems: tuple[Problem, ...]
    steps: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()


@dataclass(slots=True)
class _State:
    target: Target
    chosen: dict[str, BundlePackage] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    rejected: dict[str, BundlePackage] = field(default_factory=dict)
    edges: dict[str, list[str]] = field(default_factory=dict)
    pre_edges: set[tuple[str, str]] = field(default_factory=set)


def resolve(packages: Sequence[BundlePackage], target: Target) -> Resolution:
    """Check ``packages`` against ``target`` and order them for ``dpkg -i``."""
    state = _State(target)
    chosen = _choose(packages, state)
    for package in chosen:
        if not target.can_install(package.architecture):
            foreign = "" if package.architecture in ("all", target.arch) else (
                f", or enable it with `dpkg --add-architecture {package.architecture}`")
            state.problems.append(Problem(
                package.name, "architecture",
                f"built for {package.architecture}; the target installs {target.arch}"
                + (f" and {', '.join(target.foreign)}" if target.foreign else ""),
                f"download the {target.arch} build of {package.name}{foreign}",
                file=package.file))
            state.rejected[package.name] = package
        else:
            state.chosen[package.name] = package
    for package in state.chosen.values():
        state.edges[package.file] = []
        for pre, groups in ((True, package.pre_depends), (False, package.depends)):
            for group in groups:
                _depend(state, package, group, pre)
        state.problems += conflict_problems(package, state.chosen.values(), _installed(state))
    for package in state.rejected.values():
        # placed where a build for the target's architecture will go
        state.edges[package.file] = [
            other.file for group in (*package.pre_depends, *package.depends)
            for other in _by_name(state, group[0].name) if other is not package]
    nodes = [p.file for p in chosen]
    steps = install_steps(nodes, state.edges)
    notes = []
    for step in steps:
        if len(step) < 2:
            continue
        names = [_name_of(state, f) for f in step]
        if any((a, b) in state.pre_edges for a in step for b in step):
            state.problems.append(Problem(
                names[0], "cycle", f"{', '.join(names)} pre-depend on each other in a loop: "
                "dpkg cannot unpack any of them first", "fetch versions of these packages "
                "whose Pre-Depends do not form a loop"))
        else:
            notes.append(f"{', '.join(names)} depend on each other: one `dpkg -i` installs them "
                         "together and configures them once all are unpacked")
    if not target.has_database:
        notes.append(f"no dpkg status database under {target.root}: dependencies are checked "
                     "against the bundle alone")
    return Resolution(tuple(state.problems), tuple(steps), tuple(notes))


def _name_of(state: _State, file: str) -> str:
    return next(p.name for p in (*state.chosen.values(), *state.rejected.values())
                if p.file == file)


def _by_name(state: _State, name: str) -> list[BundlePackage]:
    """The bundled package called ``name``, whether the target can install it or not."""
    found = state.chosen.get(name) or state.rejected.get(name)
    return [found] if found is not None else []


def _choose(packages: Sequence[BundlePackage], state: _State) -> list[BundlePackage]:
    """One file per package (the newest); two versions of one package are a problem."""
    by_key: dict[tuple[str, str], list[BundlePackage]] = {}
    for package in packages:
        arch = package.architecture if package.multi_arch == "same" else "*"
        by_key.setdefault((package.name, arch), []).append(package)
    chosen = []
    for (name, _), group in by_key.items():
        best = group[0]
        for other in group[1:]:
            if compare_debian_versions(other.version, best.version) > 0:
                best = other
        for other in group:
            if other is best:
                continue
            same = other.version == best.version
            state.problems.append(Problem(
                name, "duplicate",
                f"{'the same version twice' if same else 'two versions'} in the bundle: "
                f"{best.version} ({best.file}) and {other.version} ({other.file})",
                f"remove {other.file} from the bundle", "warning" if same else "error",
                other.file))
        chosen.append(best)
    return sorted(chosen, key=lambda p: packages.index(p))


def _effective_arch(package: BundlePackage, target: Target) -> str:
    return target.arch if package.architecture == "all" else package.architecture


def _arch_fits(relation: Relation, wanter: BundlePackage, candidate: BundlePackage,
               target: Target) -> bool:
    """Whether ``candidate``'s architecture can meet ``relation`` of ``wanter`` (multiarch)."""
    arch = candidate.architecture
    if relation.arch == "any":
        return arch == "all" or candidate.multi_arch in ("allowed", "foreign") or \
            arch == _effective_arch(wanter, target)
    if relation.arch == "native":
        return arch in ("all", target.arch)
    if relation.arch is not None:
        return arch == relation.arch
    return arch == "all" or candidate.multi_arch == "foreign" or \
        arch == _effective_arch(wanter, target)


def _bundle_meets(state: _State, wanter: BundlePackage, relation: Relation
                  ) -> BundlePackage | None:
    """The bundled package that meets ``relation``: the package itself, or one providing it."""
    real = state.chosen.get(relation.name)
    if real is not None and _arch_fits(relation, wanter, real, state.target) and \
            version_matches(real.version, relation.op, relation.version):
        return real
    for provider in state.chosen.values():
        for group in provider.provides:
            for provided in group:
                if provides(provided, relation) and \
                        _arch_fits(relation, wanter, provider, state.target):
                    return provider
    return None


def _installed(state: _State) -> Iterable[Package]:
    """Installed packages the bundle does not replace."""
    return (p for p in state.target.installed.values() if p.name not in state.chosen)


def _installed_meets(state: _State, relation: Relation) -> bool:
    for package in _installed(state):
        if package.state not in _CONFIGURED:
            continue
        if package.name == relation.name and version_matches(package.version, relation.op,
                                                             relation.version):
            return True
        if relation.op is None and relation.name in package.provides:
            return True
    return False


def _depend(state: _State, package: BundlePackage, group: tuple[Relation, ...],
            pre: bool) -> None:
    for relation in group:
        met = _bundle_meets(state, package, relation)
        if met is not None:
            if met is not package:
                state.edges[package.file].append(met.file)
                if pre:
                    state.pre_edges.add((package.file, met.file))
            return
        if _installed_meets(state, relation):
            return
    for relation in group:
        rejected = state.rejected.get(relation.name)
        if rejected is not None and version_matches(rejected.version, relation.op,
                                                    relation.version):
            state.edges[package.file].append(rejected.file)
            arch = _download_arch(state, package, relation)
            state.problems.append(Problem(
                package.name, "architecture",
                f"{'Pre-Depends' if pre else 'Depends'}: {' | '.join(map(str, group))}; the "
                f"bundle's {rejected.name} {rejected.version} is built for "
                f"{rejected.architecture}, which the target cannot install",
                f"download {relation} for {arch}", file=package.file))
            return
    state.problems.append(_unmet(state, package, group, pre))


def _unmet(state: _State, package: BundlePackage, group: tuple[Relation, ...],
           pre: bool) -> Problem:
    """Why no alternative of ``group`` is met: a version that does not fit, or nothing."""
    field_name = "Pre-Depends" if pre else "Depends"
    wanted = " | ".join(map(str, group))
    for relation in group:
        found = state.chosen.get(relation.name)
        where = "the bundle has"
        version = found.version if found is not None else None
        installed = state.target.installed.get(relation.name)
        if found is None and installed is not None:
            version, where = installed.version, "the target has"
            if installed.state not in _CONFIGURED:
                return Problem(package.name, "missing",
                               f"{field_name}: {wanted}; the target has {relation.name} "
                               f"{installed.version} {installed.state}, not configured",
                               f"add {relation.name} to the bundle, or finish its install with "
                               "`sudo dpkg --configure -a`", file=package.file)
        if found is not None and version_matches(found.version, relation.op,
                                                 relation.version):
            arch = _download_arch(state, package, relation)
            return Problem(package.name, "architecture",
                           f"{field_name}: {wanted}; the bundle has {relation.name} "
                           f"{found.version} for {found.architecture}, which cannot meet it for "
                           f"{arch}", f"download {relation} for {arch}", file=package.file)
        if version is None or relation.op is None:
            continue
        old = compare_debian_versions(version, relation.version or "") < 0
        return Problem(package.name, "version",
                       f"{field_name}: {wanted}; {where} {relation.name} {version}, too "
                       f"{'old' if old else 'new'}",
                       f"download {relation} for {_download_arch(state, package, relation)} "
                       f"and put it in the bundle in place of {relation.name} {version}",
                       file=package.file)
    first = group[0]
    return Problem(package.name, "missing",
                   f"{field_name}: {wanted}; neither in the bundle nor installed on the target",
                   f"download {first} for {_download_arch(state, package, first)} on a connected"
                   f" machine of the same release (`apt-get download {first.name}`) and add it "
                   "to the bundle", file=package.file)


def _download_arch(state: _State, package: BundlePackage, relation: Relation) -> str:
    if relation.arch not in (None, "any", "native"):
        return str(relation.arch)
    return _effective_arch(package, state.target)
