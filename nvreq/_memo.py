"""``remember``: answers of pure functions kept in a bounded table (a fleet asks them per host)."""

from __future__ import annotations

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any, TypeVar

    _V = TypeVar("_V")

__all__ = ["remember"]

_NOT_KEPT = object()


def remember(table: dict[Any, _V], key: object, compute: Callable[[], _V],
             limit: int = 1024) -> _V:
    """``table[key]``, computed by ``compute()`` the first time; a full table starts afresh.

    An unhashable key (a malformed input) is answered and not kept, so the caller sees exactly
    what ``compute()`` does.

    >>> table: dict[str, int] = {}
    >>> remember(table, "a", lambda: 1), remember(table, "a", lambda: 2)
    (1, 1)
    >>> remember(table, [1], lambda: 3), len(table)
    (3, 1)
    """
    try:
        value = table.get(key, _NOT_KEPT)
    except TypeError:
        key = _NOT_KEPT
        value = _NOT_KEPT
    if value is not _NOT_KEPT:
        return value  # type: ignore[return-value]
    value = compute()
    if key is not _NOT_KEPT:
        if len(table) >= limit:
            table.clear()
        table[key] = value
    return value
