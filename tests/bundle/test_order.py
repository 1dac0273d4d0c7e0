"""Install steps: every package after what it needs, cycles as one step, ties in input order."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nvreq.bundle.order import install_steps

graphs = st.integers(min_value=1, max_value=25).flatmap(lambda n: st.tuples(
    st.just([f"p{i}" for i in range(n)]),
    st.dictionaries(st.sampled_from([f"p{i}" for i in range(n)]),
                    st.lists(st.sampled_from([f"p{i}" for i in range(n + 3)]), max_size=4))))


@given(graphs)
def test_every_node_comes_after_what_it_needs_or_shares_its_cycle(
        graph: tuple[list[str], dict[str, list[str]]]) -> None:
    nodes, edges = graph
    steps = install_steps(nodes, edges)
    where = {node: i for i, step in enumerate(steps) for node in step}
    assert sorted(where) == sorted(nodes)
    assert sum(map(len, steps)) == len(nodes)
    for node, needs in edges.items():
        for need in needs:
            if need in where:
                assert where[need] <= where[node]
                if where[need] == where[node] and need != node:
                    assert len(steps[where[node]]) > 1


@given(graphs)
def test_a_step_of_several_is_a_cycle(graph: tuple[list[str], dict[str, list[str]]]) -> None:
    nodes, edges = graph
    for step in install_steps(nodes, edges):
        if len(step) > 1:
            # each member reaches every other member through the edges
            for start in step:
                seen, todo = {start}, [start]
                while todo:
                    for nxt in edges.get(todo.pop(), []):
                        if nxt not in seen and nxt in nodes:
                            seen.add(nxt)
                            todo.append(nxt)
                assert set(step) <= seen


def test_independent_packages_keep_their_order() -> None:
    assert install_steps(["b", "a", "c"], {}) == [("b",), ("a",), ("c",)]


def test_a_long_chain_does_not_recurse() -> None:
    nodes = [f"p{i}" for i in range(5000)]
    edges = {f"p{i}": [f"p{i + 1}"] for i in range(4999)}
    assert install_steps(nodes, edges)[0] == ("p4999",)
