"""The package graph: no import cycle between packages, none inside one but the promised facades."""

from __future__ import annotations

from pathlib import Path

from tests.import_graph import cycles, figures, layers, read_graph, without_facades

ROOT = Path(__file__).resolve().parents[1]


def test_no_cycle_between_packages() -> None:
    assert figures(read_graph(ROOT)).package_cycles == []


def test_no_cycle_inside_a_package_but_through_a_promised_facade() -> None:
    assert cycles(without_facades(read_graph(ROOT))) == []


def test_cycles_and_layers_are_read_from_the_edges() -> None:
    graph = {"a": frozenset({"b"}), "b": frozenset({"c"}), "c": frozenset({"b"}),
             "d": frozenset()}
    assert cycles(graph) == [["b", "c"]]
    assert layers(graph) == 2
