"""Lazy type aliases: what a module builds at run time is what its type-checking branch says."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import typing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _modules_with_lazy_aliases() -> list[str]:
    names = []
    for path in sorted((ROOT / "nvreq").rglob("*.py")):
        if "literal_aliases(__name__" in path.read_text(encoding="utf-8"):
            names.append(".".join(path.relative_to(ROOT).with_suffix("").parts))
    return names


def _checked_literals(module: str) -> dict[str, tuple[str, ...]]:
    """``Name = Literal[...]`` assignments inside the module's ``if TYPE_CHECKING:`` blocks."""
    path = ROOT / Path(*module.split(".")).with_suffix(".py")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = {}
    for node in tree.body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            for stmt in node.body:
                if (isinstance(stmt, ast.Assign) and isinstance(stmt.value, ast.Subscript)
                        and ast.unparse(stmt.value.value) == "Literal"):
                    values = ast.literal_eval(stmt.value.slice)
                    name = stmt.targets[0]
                    assert isinstance(name, ast.Name)
                    out[name.id] = values if isinstance(values, tuple) else (values,)
    return out


MODULES = _modules_with_lazy_aliases()


def test_some_modules_use_lazy_aliases() -> None:
    assert "nvreq.require.semantics" in MODULES


@pytest.mark.parametrize("module", MODULES)
def test_runtime_alias_equals_the_type_checking_definition(module: str) -> None:
    checked = _checked_literals(module)
    assert checked
    mod = importlib.import_module(module)
    for name, values in checked.items():
        alias = getattr(mod, name)
        assert typing.get_origin(alias) is typing.Literal
        assert typing.get_args(alias) == values, name


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    mod = importlib.import_module("nvreq.require.semantics")
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        mod.Nope  # noqa: B018


def test_importing_the_evaluator_does_not_import_typing() -> None:
    code = ("import sys\nimport nvreq.require.semantics, nvreq.require.lint, "
            "nvreq.require.gosemver, nvreq.host.schema\nprint('typing' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=ROOT, check=True)
    assert done.stdout.strip() == "False"
