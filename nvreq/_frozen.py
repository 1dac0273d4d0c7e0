"""``@frozen``: frozen slotted value types, made for a fraction of what ``dataclasses`` costs.

Importing ``dataclasses`` brings ``inspect``, ``ast``, ``dis`` and ``tokenize`` (about 8 ms), and
each ``@dataclass(frozen=True, slots=True)`` then compiles six methods one by one and builds the
class twice: together some 30 ms of ``nvreq check``'s start. ``@frozen`` gives a class the same
behaviour (a keyword-and-positional ``__init__`` with defaults and factories, assignment refused
with :class:`FrozenInstanceError`, ``==`` and ``hash()`` over the compared fields, the same
``repr()``, ``__match_args__``, ``__slots__``, copying and pickling) from one small compiled
source per class. ``dataclasses.fields``, ``replace``, ``asdict`` and ``is_dataclass`` accept
its values, and type checkers read it as a frozen dataclass (``dataclass_transform``).
"""

from __future__ import annotations

from operator import attrgetter

from nvreq.errors import FrozenInstanceError

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from typing import Any, TypeVar

    from typing_extensions import dataclass_transform

    _T = TypeVar("_T")
else:
    def dataclass_transform(**_: object) -> object:
        """For type checkers only."""
        return lambda f: f

__all__ = ["FrozenInstanceError", "field", "field_names", "frozen", "replace", "shape_name",
           "shape_of", "shape_source"]

_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()


class _Field:
    """A field's options; ``dataclasses.fields``, ``replace`` and ``asdict`` read them as theirs."""

    __slots__ = ("_default", "_factory", "compare", "hash", "init", "name", "repr", "type")

    def __init__(self, default: Any, factory: Callable[[], Any] | None, init: bool,
                 compare: bool, hash: bool | None, repr: bool) -> None:
        self._default, self._factory, self.init = default, factory, init
        self.compare, self.hash, self.repr = compare, hash, repr
        self.name = self.type = ""

    # dataclasses' own markers, read only by dataclasses' functions, so imported only then
    @property
    def _field_type(self) -> object:
        from dataclasses import _FIELD  # type: ignore[attr-defined]

        return _FIELD

    @property
    def default(self) -> Any:
        from dataclasses import MISSING

        return MISSING if self._default is _MISSING else self._default

    @property
    def default_factory(self) -> Any:
        from dataclasses import MISSING

        return MISSING if self._factory is None else self._factory

    @property
    def metadata(self) -> Mapping[str, Any]:
        return {}

    kw_only = False


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] | None = None,
          init: bool = True, compare: bool = True, hash: bool | None = None,
          repr: bool = True) -> Any:
    """A field's options, as ``dataclasses.field`` takes them."""
    return _Field(default, default_factory, init, compare, hash, repr)


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _reduce(self: Any) -> tuple[type, tuple[Any, ...]]:
    return self.__class__, tuple(getattr(self, n) for n in self.__match_args__)


def _getter(names: list[str]) -> Callable[[Any], tuple[Any, ...]]:
    """The named fields of a value as a tuple (``attrgetter`` returns a lone one bare)."""
    if len(names) > 1:
        return attrgetter(*names)
    if names:
        one = attrgetter(names[0])
        return lambda obj: (one(obj),)
    return lambda obj: ()


def _methods(compared: list[str], hashed: list[str], shown: list[str]) -> dict[str, Any]:
    """``__eq__``, ``__hash__`` and ``__repr__`` as a frozen dataclass has them."""
    key, hash_key = _getter(compared), _getter(hashed)

    def __eq__(self: Any, other: Any) -> Any:
        if other.__class__ is self.__class__:
            return key(self) == key(other)
        return NotImplemented

    def __hash__(self: Any) -> int:
        return hash(hash_key(self))

    def __repr__(self: Any) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in shown)
        return f"{self.__class__.__qualname__}({fields})"

    return {"__eq__": __eq__, "__hash__": __hash__, "__repr__": __repr__}


#: ``__init__`` code per shape (each field's kind, and whether ``__post_init__`` runs), with the
#: fields named ``_0``, ``_1``, ...: compiling costs about 10 µs a field, renaming 2 µs a class
_SHAPES: dict[tuple[str, bool], Any] = {}


def shape_name(kinds: str, post_init: bool) -> str:
    """The name of a shape's function in ``nvreq._shapes``."""
    return f"_{kinds}_post" if post_init else f"_{kinds}"


def shape_source(kinds: str, post_init: bool, name: str = "__init__") -> str:
    """The source of ``__init__`` for a shape, its function named ``name``.

    ``kinds`` has a letter per field: ``p`` a parameter, ``f`` a parameter that defaults to its
    factory's value, ``n`` the factory's value only (no parameter).
    """
    params, stores = ["self"], []
    for i, kind in enumerate(kinds):
        value = {"p": f"_{i}", "f": f"_f{i}() if _{i} is _MISSING else _{i}", "n": f"_f{i}()"}[kind]
        if kind != "n":
            params.append(f"_{i}")
        stores.append(f"    _set(self, '_{i}', {value})\n")
    if post_init:
        stores.append("    self.__post_init__()\n")
    return f"def {name}({', '.join(params)}):\n{''.join(stores) or '    pass'}\n"


def _shape_code(kinds: str, post_init: bool) -> Any:
    """A shape's code: byte-code compiled ahead in ``nvreq._shapes`` for the shapes nvreq's own
    value types have (compiling the source costs a CLI run some 3 ms), else compiled now."""
    code = _SHAPES.get((kinds, post_init))
    if code is None:
        from nvreq import _shapes

        ahead = getattr(_shapes, shape_name(kinds, post_init), None)
        if ahead is not None:
            names = {"co_name": "__init__"}
            if hasattr(ahead.__code__, "co_qualname"):  # Python 3.11 and later
                names["co_qualname"] = "__init__"
            code = ahead.__code__.replace(**names)
        else:
            scope: dict[str, Any] = {}
            exec(shape_source(kinds, post_init), scope)
            code = scope["__init__"].__code__
        _SHAPES[(kinds, post_init)] = code
    return code


def shape_of(cls: type) -> tuple[str, bool] | None:
    """The shape of a ``@frozen`` class's ``__init__`` (None for any other class)."""
    if cls.__dict__.get("__setattr__") is not _frozen_setattr:
        return None
    return _plan(cls.__dataclass_fields__)[0], "__post_init__" in cls.__dict__  # type: ignore[attr-defined]


def _plan(specs: dict[str, _Field]) -> tuple[str, list[str], list[Any], dict[str, Any]]:
    """The shape's kinds, the field names, the defaults and the factories by global name."""
    factories: dict[str, Any] = {}
    kinds, names, defaults = [], [], []
    for i, (name, spec) in enumerate(specs.items()):
        if spec._factory is not None:
            factories[f"_f{i}"] = spec._factory
            kinds.append("f" if spec.init else "n")
            if spec.init:
                defaults.append(_MISSING)
        else:
            kinds.append("p")
            if spec._default is not _MISSING:
                defaults.append(spec._default)
            elif defaults:
                raise TypeError(f"non-default argument {name!r} follows default argument")
        names.append(name)
    return "".join(kinds), names, defaults, factories


class _LazyInit:
    """A class's ``__init__``, made when first looked up (by a call or by introspection).

    Making it is most of what making a value type costs, and a run uses few of them.
    """

    __slots__ = ("owner", "post_init", "qualname", "specs")

    def __init__(self, specs: dict[str, _Field], post_init: bool, qualname: str) -> None:
        self.specs, self.post_init, self.qualname = specs, post_init, qualname
        self.owner: type | None = None

    def __get__(self, obj: object, owner: type | None = None) -> Any:
        function = self.compile()
        type.__setattr__(self.owner, "__init__", function)
        return function if obj is None else function.__get__(obj, owner)

    def compile(self) -> Callable[..., None]:
        kinds, names, defaults, factories = _plan(self.specs)
        scope: dict[str, Any] = {"_set": object.__setattr__, "_MISSING": _MISSING, **factories}
        shape = _shape_code(kinds, self.post_init)
        renamed = {f"_{i}": name for i, name in enumerate(names)}
        code = shape.replace(
            co_varnames=tuple(renamed.get(v, v) for v in shape.co_varnames),
            co_consts=tuple(renamed.get(c, c) if isinstance(c, str) else c
                                            for c in shape.co_consts))
        function: Callable[..., None] = _function(code, scope, "__init__", tuple(defaults) or None)
        function.__qualname__ = f"{self.qualname}.__init__"
        return function


_function: Any = type(_frozen_setattr)  # types.FunctionType, without importing types


@dataclass_transform(frozen_default=True, field_specifiers=(field,))
def frozen(cls: type[_T]) -> type[_T]:
    """Make ``cls`` a frozen slotted value type from its annotated fields.

    >>> @frozen
    ... class Pair:
    ...     a: int
    ...     b: int = field(default=0, compare=False)
    >>> Pair(1), Pair(1) == Pair(1, 2), hash(Pair(1)) == hash(Pair(1, 2))
    (Pair(a=1, b=0), True, True)
    >>> Pair(1).a = 2
    Traceback (most recent call last):
    ...
    nvreq.errors.FrozenInstanceError: cannot assign to field 'a'
    """
    body = dict(cls.__dict__)
    notes = body.get("__annotations__", {})
    names = [n for n, t in notes.items() if not str(t).startswith(("ClassVar", "typing.ClassVar"))]
    specs = {}
    for name in names:
        spec = body.pop(name, _MISSING)
        spec = spec if isinstance(spec, _Field) else _Field(spec, None, True, True, None, True)
        spec.name, spec.type = name, notes[name]
        specs[name] = spec
    methods = _methods([n for n, s in specs.items() if s.compare],
                       [n for n, s in specs.items() if (s.compare if s.hash is None else s.hash)],
                       [n for n, s in specs.items() if s.repr])
    for name, method in methods.items():
        method.__qualname__ = f"{cls.__qualname__}.{name}"
        body.setdefault(name, method)
    lazy = _LazyInit(specs, "__post_init__" in body, cls.__qualname__)
    body.setdefault("__init__", lazy)
    if body["__hash__"] is None and "__eq__" in cls.__dict__:  # Python's None, not the class's
        body["__hash__"] = methods["__hash__"]
    body.pop("__dict__", None)
    body.pop("__weakref__", None)
    body |= {"__slots__": tuple(names), "__setattr__": _frozen_setattr,
             "__delattr__": _frozen_delattr, "__reduce__": _reduce,
             "__match_args__": tuple(n for n in names if specs[n].init),
             "__dataclass_fields__": specs}
    meta: Any = type(cls)
    new: type[_T] = meta(cls.__name__, cls.__bases__, body)
    lazy.owner = new
    return new


def field_names(cls: type) -> tuple[str, ...]:
    """The fields of a ``@frozen`` class, in order."""
    return tuple(cls.__dataclass_fields__)  # type: ignore[attr-defined]


def replace(obj: _T, /, **changes: Any) -> _T:
    """A copy of ``obj`` with ``changes`` (as ``dataclasses.replace``)."""
    values = {n: getattr(obj, n) for n in obj.__match_args__}  # type: ignore[attr-defined]
    return obj.__class__(**(values | changes))
