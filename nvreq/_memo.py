"""Results remembered per distinct input, and values computed when first read.

Checks repeat: a scheduler asks about the same image text on the same hosts again and again, and a
fleet asks the same pure questions per host. Every value remembered here is immutable and a pure
function of its key, so a remembered result is the result.
"""

from __future__ import annotations

from itertools import islice

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from collections.abc import Callable, Hashable
    from typing import Any, Generic, TypeVar

    K = TypeVar("K", bound=Hashable)
    V = TypeVar("V")
    T = TypeVar("T")
else:
    class Generic:
        """``typing.Generic`` for type checkers; at run time ``Memo[K, V]`` is ``Memo``."""

        __slots__ = ()

        def __class_getitem__(cls, _: object) -> type:
            return cls

    K = V = T = None

__all__ = ["Deferred", "Memo"]

_NOT_KEPT: Any = object()


class Memo(Generic[K, V]):
    """A bounded map of results that forgets the half least recently used when full.

    So a stream of inputs seen once does not push out those asked for again and again.
    """

    __slots__ = ("_data", "_limit")

    def __init__(self, limit: int = 4096) -> None:
        self._data: dict[K, V] = {}
        self._limit = limit

    def get(self, key: K) -> V | None:
        """The remembered value, or None; a value found becomes the most recently used."""
        data = self._data
        value = data.pop(key, None)
        if value is not None:
            data[key] = value
        return value

    def put(self, key: K, value: V) -> V:
        """Remember ``value`` for ``key``; returns it."""
        data = self._data
        if len(data) >= self._limit:
            for old in list(islice(data, max(1, len(data) // 2))):
                data.pop(old, None)  # another thread may have dropped it already
        data[key] = value
        return value

    def remember(self, key: K, compute: Callable[[], V]) -> V:
        """The value for ``key``, computed by ``compute()`` the first time.

        An unhashable key (a malformed input) is answered and not kept, so the caller sees exactly
        what ``compute()`` does, its errors included.

        >>> memo: Memo[str, int] = Memo()
        >>> memo.remember("a", lambda: 1), memo.remember("a", lambda: 2)
        (1, 1)
        >>> memo.remember([1], lambda: 3), len(memo)
        (3, 1)
        """
        data = self._data
        try:
            value = data.pop(key, _NOT_KEPT)
        except TypeError:
            value = key = _NOT_KEPT
        if value is _NOT_KEPT:
            value = compute()
            if key is _NOT_KEPT:
                return value
            return self.put(key, value)
        data[key] = value
        return value  # type: ignore[no-any-return]

    def __len__(self) -> int:
        return len(self._data)

    def clear(self) -> None:
        """Forget everything."""
        self._data.clear()


class Deferred(Generic[T]):
    """A value computed on first read, then kept; equal when the values are equal.

    Two threads reading at once may both compute it: the computation is pure, so either result is
    the value.
    """

    __slots__ = ("_make", "_value")

    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Callable[[], T] | None = make
        self._value: T | None = None

    @classmethod
    def of(cls, value: T) -> Deferred[T]:
        """An already computed value."""
        deferred = cls.__new__(cls)
        deferred._make = None
        deferred._value = value
        return deferred

    def get(self) -> T:
        """The value, computed now if it was not yet."""
        make = self._make
        if make is not None:
            self._value = make()
            self._make = None
        return self._value  # type: ignore[return-value]

    @property
    def computed(self) -> bool:
        """True once the value exists."""
        return self._make is None

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Deferred):
            return NotImplemented
        return bool(self.get() == other.get())

    def __hash__(self) -> int:
        return hash(self.get())

    def __repr__(self) -> str:
        return f"Deferred({self._value!r})" if self._make is None else "Deferred(<not computed>)"

    def __reduce__(self) -> tuple[Callable[[T], Deferred[T]], tuple[T]]:
        # a copy or a pickle carries the value, not the computation
        return Deferred.of, (self.get(),)
