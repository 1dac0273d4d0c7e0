"""``@frozen`` values behave as ``@dataclass(frozen=True, slots=True)`` ones do."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nvreq._frozen import FrozenInstanceError, field, field_names, frozen, replace


@frozen
class Point:
    """A point."""

    x: int
    y: int = 0
    label: str = field(default="", compare=False, repr=False)
    tags: dict[str, int] = field(default_factory=dict, hash=False)
    cache: list[int] = field(default_factory=list, init=False, compare=False, repr=False)


@dataclasses.dataclass(frozen=True, slots=True)
class Reference:
    """A point."""

    x: int
    y: int = 0
    label: str = dataclasses.field(default="", compare=False, repr=False)
    tags: dict[str, int] = dataclasses.field(default_factory=dict, hash=False)
    cache: list[int] = dataclasses.field(default_factory=list, init=False, compare=False,
                                         repr=False)


@frozen
class Versioned:
    """Keeps its own equality; hash over its fields still comes from ``@frozen``."""

    text: str

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Versioned) and self.text.lower() == other.text.lower()


args = st.tuples(st.integers(), st.integers(), st.text(max_size=3),
                 st.dictionaries(st.text(max_size=2), st.integers(), max_size=2))


@given(args, args)
def test_equality_hash_and_repr_match_a_frozen_dataclass(a: Any, b: Any) -> None:
    p, q, r, s = Point(*a), Point(*b), Reference(*a), Reference(*b)
    assert (p == q) == (r == s)
    assert repr(p).replace("Point", "Reference") == repr(r)
    p2, r2 = Point(a[0], a[1], a[2]), Reference(a[0], a[1], a[2])
    assert hash(p2) == hash(r2)


def test_assignment_and_deletion_are_refused() -> None:
    p = Point(1)
    with pytest.raises(FrozenInstanceError, match="cannot assign to field 'x'"):
        p.x = 2  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del p.y
    with pytest.raises(AttributeError):
        p.other = 1  # type: ignore[attr-defined]


def test_factories_run_per_instance_and_keyword_arguments_work() -> None:
    assert Point(1).tags is not Point(1).tags
    assert Point(y=2, x=1) == Point(1, 2)
    assert Point(1).cache == []
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Point(1, cache=[1])  # type: ignore[call-arg]


def test_slots_match_args_and_field_names() -> None:
    assert Point.__slots__ == ("x", "y", "label", "tags", "cache")  # type: ignore[attr-defined]
    assert Point.__match_args__ == ("x", "y", "label", "tags")
    assert field_names(Point) == ("x", "y", "label", "tags", "cache")
    assert Point.__doc__ == "A point."


def test_dataclasses_functions_accept_frozen_values() -> None:
    p = Point(1, 2, "a", {"k": 1})
    assert dataclasses.is_dataclass(p)
    assert [f.name for f in dataclasses.fields(p)] == list(field_names(Point))
    assert dataclasses.replace(p, y=5) == replace(p, y=5) == Point(1, 5, "a", {"k": 1})
    assert dataclasses.asdict(p) == dataclasses.asdict(Reference(1, 2, "a", {"k": 1}))
    assert dataclasses.fields(Point)[3].default_factory is dict
    assert dataclasses.fields(Point)[0].default is dataclasses.MISSING


def test_copies_and_pickles_are_equal() -> None:
    p = Point(1, 2, "a", {"k": 1})
    for other in (copy.copy(p), copy.deepcopy(p), pickle.loads(pickle.dumps(p))):
        assert other == p and other.label == "a"


def test_a_class_keeps_the_methods_it_defines() -> None:
    assert Versioned("A") == Versioned("a")
    assert hash(Versioned("A")) == hash(("A",))


def test_the_signature_names_the_fields_before_any_instance_exists() -> None:
    @frozen
    class Fresh:
        a: int
        b: str = "x"
        c: list[int] = field(default_factory=list)

    assert str(inspect.signature(Fresh)) == "(a, b='x', c=<missing>)"
    assert Fresh(1) == Fresh(1, "x", [])


def test_classes_of_one_shape_keep_their_own_names_and_defaults() -> None:
    @frozen
    class Span:
        start: int
        end: int = 0

    @frozen
    class Named:
        _set: str
        self_: str = "x"

    assert Span(end=3, start=1) == Span(1, 3) and Span(1).end == 0
    assert Named("a") == Named(_set="a", self_="x") and Named("a", "b").self_ == "b"
    assert Span.__init__.__qualname__.endswith("Span.__init__")
    assert list(inspect.signature(Named).parameters) == ["_set", "self_"]


def test_a_field_without_default_after_one_with_is_refused() -> None:
    @frozen
    class Bad:
        a: int = 0
        b: int  # type: ignore[misc]

    with pytest.raises(TypeError, match="non-default argument 'b'"):
        Bad(1, 2)


def test_the_shapes_compiled_ahead_are_those_of_nvreqs_value_types() -> None:
    from pathlib import Path

    from tests import frozen_shapes

    current = (Path(__file__).parent.parent / "nvreq" / "_shapes.py").read_text()
    assert current == frozen_shapes.render(), (
        "nvreq/_shapes.py is stale: run `python -m tests.frozen_shapes > nvreq/_shapes.py`")


def test_an_init_made_from_code_compiled_ahead_is_the_one_compiled_now() -> None:
    from nvreq import _frozen, _shapes

    @frozen
    class Ahead:  # a shape nvreq's own types have, so its code comes from nvreq._shapes
        name: str
        kind: str = "x"
        items: list[int] = field(default_factory=list)

    shape = _frozen.shape_of(Ahead)
    assert shape == ("ppf", False) and hasattr(_shapes, _frozen.shape_name(*shape))
    compiled: dict[str, object] = {}
    exec(_frozen.shape_source(*shape), compiled)
    ahead = Ahead.__init__.__code__
    assert ahead.co_name == getattr(ahead, "co_qualname", "__init__") == "__init__"
    assert ahead.co_code == compiled["__init__"].__code__.co_code  # type: ignore[attr-defined]
    assert ahead.co_varnames == ("self", "name", "kind", "items")
    assert Ahead("a") == Ahead("a", "x", []) and Ahead(kind="y", name="a").kind == "y"
    assert Ahead("a").items is not Ahead("a").items
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'name'"):
        Ahead()  # type: ignore[call-arg]
