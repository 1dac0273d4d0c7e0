"""The package graph of nvreq drawn from its imports: modules, edges, layers and cycles.

``python -m tests.import_graph [ROOT]`` reads every module under ``ROOT/nvreq`` (default: this
checkout) without importing it and prints the figures. Every import statement counts, deferred
ones inside functions too; imports under ``if TYPE_CHECKING:`` do not, as they never run.
``from nvreq.a import b`` is an edge to ``nvreq.a.b`` when that is a module, else to ``nvreq.a``.
Layers are the longest import chain, counted in modules, once each cycle is taken as one node.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from nvreq.bundle.order import install_steps

__all__ = ["FACADES", "Graph", "cycles", "figures", "layers", "main", "read_graph",
           "without_facades"]

Graph = Mapping[str, frozenset[str]]

#: the promised facades: methods that import a module above their own on first call
#: (``Requirement.compile()``; ``HostProfile.from_dict``/``to_dict`` and ``load``/``preset``)
FACADES = frozenset({
    ("nvreq.require.syntax", "nvreq.require.compiled"),
    ("nvreq.host.profile", "nvreq.host.schema"),
    ("nvreq.host.profile", "nvreq.host.sources"),
    # the same facades before the sub-packages (commit 4b4ec21), to measure both alike
    ("nvreq.requirements", "nvreq.compiled"),
    ("nvreq.host", "nvreq.profile_schema"),
    ("nvreq.host", "nvreq.profile_io"),
})


def _module_names(package: Path) -> dict[str, Path]:
    names = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names[".".join(parts)] = path
    return names


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            yield from (n for s in node.orelse for n in _imports_in(s))
            continue
        yield from _imports_in(node)


def _imports_in(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    if isinstance(node, ast.Import | ast.ImportFrom):
        yield node
    else:
        yield from _imports(node)


def _targets(node: ast.Import | ast.ImportFrom, here: str, is_package: bool,
             modules: Mapping[str, Path]) -> Iterator[str]:
    if isinstance(node, ast.Import):
        for alias in node.names:
            name = alias.name
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name:
                yield name
        return
    base = node.module or ""
    if node.level:
        anchor = here if is_package else here.rpartition(".")[0]
        for _ in range(node.level - 1):
            anchor = anchor.rpartition(".")[0]
        base = f"{anchor}.{base}" if base else anchor
    if base not in modules:
        return
    for alias in node.names:
        sub = f"{base}.{alias.name}"
        yield sub if sub in modules else base


def read_graph(root: Path) -> dict[str, frozenset[str]]:
    """Module -> the nvreq modules it imports (self-imports left out)."""
    modules = _module_names(root / "nvreq")
    graph = {}
    for name, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        is_package = path.name == "__init__.py"
        found = {t for node in _imports(tree) for t in _targets(node, name, is_package, modules)}
        graph[name] = frozenset(found - {name})
    return graph


def without_facades(graph: Graph) -> dict[str, frozenset[str]]:
    """``graph`` less the edges of the promised facades."""
    return {m: frozenset(t for t in ts if (m, t) not in FACADES) for m, ts in graph.items()}


def _components(graph: Graph) -> list[tuple[str, ...]]:
    """Strongly connected components, each after every component it imports (the same Tarjan
    walk that orders a package bundle's installation)."""
    return install_steps(sorted(graph), {m: sorted(t) for m, t in graph.items()})


def cycles(graph: Graph) -> list[list[str]]:
    """The strongly connected components with more than one module, sorted."""
    return sorted(sorted(c) for c in _components(graph) if len(c) > 1)


def layers(graph: Graph) -> int:
    """The longest import chain in modules, each cycle counted as one module."""
    depth: dict[str, int] = {}
    for component in _components(graph):
        below = {t for m in component for t in graph.get(m, ()) if t not in component}
        height = 1 + max((depth[t] for t in below), default=0)
        depth.update(dict.fromkeys(component, height))
    return max(depth.values(), default=0)


def package_of(module: str) -> str:
    """The sub-package a module belongs to (``nvreq.host.schema`` -> ``nvreq.host``)."""
    parts = module.split(".")
    return ".".join(parts[:2])


@dataclass(frozen=True, slots=True)
class Figures:
    """What the closing note reports."""

    modules: int
    edges: int
    layers: int
    cycles: list[list[str]]
    cycles_past_facades: list[list[str]]
    packages: int
    package_layers: int
    package_cycles: list[list[str]]


def figures(graph: Graph) -> Figures:
    """Modules, edges, layers, module cycles and cycles between packages."""
    packages: dict[str, set[str]] = {}
    for node, targets in graph.items():
        packages.setdefault(package_of(node), set()).update(
            package_of(t) for t in targets if package_of(t) != package_of(node))
    frozen = {p: frozenset(t) for p, t in packages.items()}
    return Figures(len(graph), sum(len(t) for t in graph.values()), layers(graph), cycles(graph),
                   cycles(without_facades(graph)), len(frozen), layers(frozen), cycles(frozen))


def main(argv: list[str] | None = None) -> int:
    """Print the figures for the checkout at ``argv[0]`` (default: this one)."""
    args = sys.argv[1:] if argv is None else argv
    root = Path(args[0]) if args else Path(__file__).resolve().parents[1]
    result = figures(read_graph(root))
    print(f"modules: {result.modules}")
    print(f"edges: {result.edges}")
    print(f"layers (longest import chain): {result.layers}")
    print(f"cycles between modules: {len(result.cycles)}")
    for component in result.cycles:
        print("  " + " <-> ".join(component))
    print(f"cycles between modules, not counting the promised facades: "
          f"{len(result.cycles_past_facades)}")
    for component in result.cycles_past_facades:
        print("  " + " <-> ".join(component))
    print(f"packages and ground modules: {result.packages}")
    print(f"package layers (longest chain between them): {result.package_layers}")
    print(f"cycles between packages: {len(result.package_cycles)}")
    for component in result.package_cycles:
        print("  " + " <-> ".join(component))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
