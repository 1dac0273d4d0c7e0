"""Users do not have nvreq's specification: nothing they read cites it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nvreq.cli.main import COMMANDS, main

ROOT = Path(__file__).resolve().parent.parent
CITATION = re.compile(r"§|\b(require|host|images|devices|kubernetes|capabilities)\.md §")


def _user_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md")),
            *sorted((ROOT / "nvreq").rglob("*.py"))]


@pytest.mark.parametrize("path", _user_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_file_users_read_cites_the_specification(path: Path) -> None:
    assert not CITATION.search(path.read_text("utf-8"))


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_no_help_text_cites_the_specification(capsys: pytest.CaptureFixture[str],
                                             command: str | None) -> None:
    with pytest.raises(SystemExit):
        main([*([command] if command else []), "--help"])
    assert not CITATION.search(capsys.readouterr().out)
