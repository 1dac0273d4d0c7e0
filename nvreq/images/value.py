"""``Value``: the base of the image value types, frozen and slotted like a frozen dataclass.

``nvreq env`` must start fast, and ``import dataclasses`` alone costs about
12 ms (it imports ``inspect``, ``ast``, ``dis`` and ``tokenize``), more than reading a local
image. The few value types on that path therefore subclass ``Value``, which gives what
``@dataclass(frozen=True, slots=True)`` gave them: assignment refused, ``==`` and ``hash()``
over the fields (less those a class leaves out), the same ``repr()``, ``__match_args__``,
copying and pickling, and (through ``dataclass_transform``) fields a type checker knows to be
read-only. A subclass names its fields in ``__init__`` order with
``__slots__ = _fields = (...)``, and its ``__init__`` stores them with :meth:`Value._init`.
"""

from __future__ import annotations

from nvreq.errors import FrozenInstanceError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, ClassVar

    from typing_extensions import dataclass_transform
else:
    def dataclass_transform(**_: object) -> object:
        """For type checkers only: they then treat the fields as read-only, as on a frozen
        dataclass."""
        return lambda cls: cls

__all__ = ["FrozenInstanceError", "Value"]


@dataclass_transform(frozen_default=True)
class Value:
    """Immutable, slotted, equal when of the same class with equal compared fields.

    >>> class Pair(Value):
    ...     __slots__ = _fields = ("a", "b")
    ...     def __init__(self, a: int, b: int = 0) -> None:
    ...         self._init(a, b)
    >>> Pair(1), Pair(1) == Pair(1, 0), hash(Pair(1)) == hash(Pair(1, 0))
    (Pair(a=1, b=0), True, True)
    >>> Pair(1).a = 2
    Traceback (most recent call last):
    ...
    nvreq.errors.FrozenInstanceError: cannot assign to field 'a'
    """

    __slots__ = ()
    __match_args__: ClassVar[tuple[str, ...]] = ()
    #: the fields in ``__init__`` order (``__slots__`` of the subclass)
    _fields: ClassVar[tuple[str, ...]] = ()
    #: fields left out of ``==`` and ``hash()`` (``field(compare=False)``)
    _uncompared: ClassVar[tuple[str, ...]] = ()
    #: fields left out of ``hash()`` only (``field(hash=False)``)
    _unhashed: ClassVar[tuple[str, ...]] = ()

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls.__match_args__ = cls._fields  # type: ignore[misc]  # mypy: "cannot assign"

    def _init(self, *values: object) -> None:
        for name, value in zip(self._fields, values, strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def _compared(self) -> tuple[Any, ...]:
        return tuple(getattr(self, n) for n in self._fields if n not in self._uncompared)

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Value)
        return self._compared() == other._compared()

    def __hash__(self) -> int:
        skip = self._uncompared + self._unhashed
        return hash(tuple(getattr(self, n) for n in self._fields if n not in skip))

    def __repr__(self) -> str:
        fields = ", ".join(f"{n}={getattr(self, n)!r}" for n in self._fields)
        return f"{self.__class__.__qualname__}({fields})"

    def __reduce__(self) -> tuple[type[Value], tuple[Any, ...]]:
        return self.__class__, tuple(getattr(self, n) for n in self._fields)
