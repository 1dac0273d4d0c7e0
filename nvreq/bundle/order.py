"""The install order: each package after what it depends on; packages that depend on each other
form one step, which ``dpkg -i`` unpacks and then configures together."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

__all__ = ["install_steps"]


def install_steps(nodes: Sequence[str], edges: Mapping[str, Sequence[str]]
                  ) -> list[tuple[str, ...]]:
    """Steps over ``nodes`` such that every node comes after the nodes ``edges`` says it needs
    (a cycle is one step); ties keep the order of ``nodes``.

    >>> install_steps(["toolkit", "tools", "lib"], {"toolkit": ["tools"], "tools": ["lib"]})
    [('lib',), ('tools',), ('toolkit',)]
    >>> install_steps(["a", "b"], {"a": ["b"], "b": ["a"]})
    [('a', 'b')]
    """
    rank = {node: i for i, node in enumerate(nodes)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    steps: list[tuple[str, ...]] = []

    def needs(node: str) -> Iterator[str]:
        return iter(sorted((e for e in edges.get(node, ()) if e in rank), key=rank.__getitem__))

    for root in nodes:
        if root in index:
            continue
        # Tarjan's algorithm, iterative: a component is emitted after every component it reaches
        work = [(root, needs(root))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, needs(child)))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                steps.append(tuple(sorted(component, key=rank.__getitem__)))
    return steps
