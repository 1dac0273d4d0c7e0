"""The GPU container stack's packages: their dependency chain, missing links and install order.

Many GPU hosts are set up offline from ``.deb`` files. Installing one before its dependency leaves
it unpacked but not configured; this module names the missing link and the order to install in.
"""

from __future__ import annotations

from collections.abc import Mapping

from nvreq._frozen import frozen
from nvreq.host.packages import Dependency, Package, satisfies

__all__ = ["STACK", "Link", "StackState", "inspect_stack"]

#: The stack's packages in install order, each with the stack packages it depends on (as in
#: NVIDIA's and Docker's .deb packages; the dpkg database's own Depends take precedence).
STACK: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("containerd.io", ()),
    ("docker-ce-cli", ()),
    ("docker-ce", ("containerd.io", "docker-ce-cli")),
    ("libnvidia-container1", ()),
    ("libnvidia-container-tools", ("libnvidia-container1",)),
    ("nvidia-container-toolkit-base", ()),
    ("nvidia-container-toolkit", ("libnvidia-container-tools", "nvidia-container-toolkit-base")),
    ("nvidia-container-runtime", ("nvidia-container-toolkit",)),
    ("nvidia-docker2", ("nvidia-container-toolkit",)),
)
_ORDER = {name: i for i, (name, _) in enumerate(STACK)}
_BUILTIN = dict(STACK)
_REQUIRED = "nvidia-container-toolkit"


@frozen
class Link:
    """A dependency of ``package`` that the installed packages do not meet."""

    package: str
    needs: str
    found: str

    def __str__(self) -> str:
        return f"{self.package} needs {self.needs}: {self.found}"


@frozen
class StackState:
    """What is installed of the stack, what is broken, and what to install in which order."""

    installed: tuple[Package, ...]
    unconfigured: tuple[str, ...]
    missing_links: tuple[Link, ...]
    install_order: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Whether the toolkit is installed and nothing is broken."""
        return not (self.unconfigured or self.missing_links or self.install_order)


def _meets(packages: Mapping[str, Package], group: tuple[Dependency, ...]) -> str | None:
    """None when some alternative is met; otherwise why the first one is not."""
    for dependency in group:
        for package in packages.values():
            if package.configured and satisfies(package, dependency):
                return None
    first = group[0]
    found = packages.get(first.name)
    if found is None:
        return "not installed"
    if not found.configured:
        return f"{found.version} is {found.state}, not configured"
    return f"{found.version} is installed"


def inspect_stack(packages: Mapping[str, Package]) -> StackState:
    """Check the stack's installed packages and their dependencies.

    >>> needs = ((Dependency("libnvidia-container-tools", ">=", "1.17.4-1"),),)
    >>> toolkit = Package("nvidia-container-toolkit", "1.17.4-1", "unpacked", needs)
    >>> state = inspect_stack({toolkit.name: toolkit})
    >>> print(state.missing_links[0])
    nvidia-container-toolkit needs libnvidia-container-tools (>= 1.17.4-1): not installed
    >>> state.install_order
    ('libnvidia-container1', 'libnvidia-container-tools')
    """
    installed = tuple(sorted((p for p in packages.values() if p.name in _ORDER),
                             key=lambda p: _ORDER[p.name]))
    links: list[Link] = []
    needed: set[str] = set()
    for package in installed:
        groups = package.depends or tuple((Dependency(n),) for n in _BUILTIN[package.name])
        for group in groups:
            why = _meets(packages, group)
            if why is not None:
                links.append(Link(package.name, " | ".join(map(str, group)), why))
                needed.add(group[0].name)
    if _REQUIRED not in packages:
        needed.add(_REQUIRED)
    order = _closure(needed, packages)
    return StackState(installed, tuple(p.name for p in installed if not p.configured),
                      tuple(links), order)


def _closure(needed: set[str], packages: Mapping[str, Package]) -> tuple[str, ...]:
    """``needed`` and the stack packages they depend on that are missing, in install order."""
    todo, seen = list(needed), set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        todo.extend(dep for dep in _BUILTIN.get(name, ())
                    if dep not in packages or not packages[dep].configured)
    return tuple(sorted(seen, key=lambda n: (_ORDER.get(n, -1), n)))
