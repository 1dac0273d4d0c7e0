"""Package doors that load on first use: a sub-package re-exports its public names without
importing every module it holds, so that importing one module costs only what that module needs.
Type aliases load the same way, so that a module that names ``Literal`` types does not import
``typing`` (about 3 ms with ``contextlib``) until someone reads one at run time."""

from __future__ import annotations

import sys

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from types import ModuleType
    from typing import Any

__all__ = ["door", "literal_aliases", "load"]


def load(name: str) -> ModuleType:
    """``importlib.import_module(name)`` without importing ``importlib`` (and ``warnings``)."""
    __import__(name)
    return sys.modules[name]


def door(package: str, table: Mapping[str, str]) -> Callable[[str], Any]:
    """A module ``__getattr__`` for ``package`` that imports ``table[name]`` when ``name`` is
    first read, and keeps the value in the package's namespace."""

    def __getattr__(name: str) -> Any:
        module = table.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(load(module), name)
        setattr(load(package), name, value)
        return value

    return __getattr__


def literal_aliases(module: str, table: Mapping[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that builds ``typing.Literal[*table[name]]`` when ``name`` is first
    read at run time (type checkers read the module's own ``if TYPE_CHECKING:`` definitions)."""

    def __getattr__(name: str) -> Any:
        values = table.get(name)
        if values is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        from typing import Literal

        value = Literal.__getitem__(values)  # Literal["a", "b"] from ("a", "b")
        setattr(load(module), name, value)
        return value

    return __getattr__
