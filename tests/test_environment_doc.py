"""docs/environment.md lists every environment variable nvreq's code reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
READS = re.compile(r"""environ(?:\.get)?\(\s*["']([A-Za-z_]+)["']|environ\[["']([A-Za-z_]+)["']\]"""
                   r"""|getenv\(["']([A-Za-z_]+)["']|["']((?:HTTPS?|NO)_PROXY|(?:https?|no)_proxy)["']""")


def _read_names() -> set[str]:
    names: set[str] = set()
    for path in (ROOT / "nvreq").rglob("*.py"):
        for match in READS.finditer(path.read_text("utf-8")):
            names.update(g for g in match.groups() if g)
    return names


def test_every_variable_the_code_reads_is_documented() -> None:
    page = (ROOT / "docs" / "environment.md").read_text("utf-8")
    names = _read_names()
    assert {"NVREQ_HOST", "REGISTRY_AUTH_FILE", "CONTAINERS_REGISTRIES_CONF"} <= names
    assert sorted(n for n in names if f"`{n}`" not in page) == []
