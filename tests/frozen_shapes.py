"""Writes ``nvreq/_shapes.py``: the ``__init__`` of every shape nvreq's own value types have.

``@frozen`` makes a class's ``__init__`` from the code of its shape (each field's kind); the shapes
nvreq's own classes have are byte-code compiled ahead in ``nvreq._shapes``, so that a run does
not compile them. ``tests/test_frozen.py`` fails when the file is stale; regenerate it with
``python -m tests.frozen_shapes > nvreq/_shapes.py``.
"""

from __future__ import annotations

import importlib

from nvreq._frozen import shape_name, shape_of, shape_source
from tests.apidoc import module_names

_HEADER = '''"""The ``__init__`` code of the value types' shapes, compiled ahead (made by
``python -m tests.frozen_shapes``; do not edit).

``nvreq._frozen`` renames each function's fields and binds ``_set``, ``_MISSING`` and the
factories ``_f0``, ``_f1``, ... when it makes a class's ``__init__`` from it.
"""

# mypy: ignore-errors
# ruff: noqa: E501, F821
'''


def shapes() -> list[tuple[str, bool]]:
    """Every shape of a ``@frozen`` class defined in a module of nvreq, sorted."""
    found: set[tuple[str, bool]] = set()
    for name in module_names():
        module = importlib.import_module(name)
        for value in list(vars(module).values()):
            if isinstance(value, type) and value.__module__ == name:
                shape = shape_of(value)
                if shape is not None:
                    found.add(shape)
    return sorted(found, key=lambda s: (len(s[0]), s))


def render() -> str:
    """The module's text."""
    return _HEADER + "".join(f"\n\n{shape_source(k, p, shape_name(k, p)).rstrip()}\n"
                             for k, p in shapes())


if __name__ == "__main__":
    print(render(), end="")
