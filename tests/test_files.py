"""The one capped reader of files a user names (nvreq/files.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nvreq.errors import InputError
from nvreq.files import read_capped, read_head


def test_a_file_at_the_cap_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 8)
    assert read_capped(str(path), 8) == b"x" * 8
    assert read_head(str(path), 4) == b"xxxxx"


def test_a_file_over_the_cap_is_an_error_naming_it(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(b"x" * 9)
    with pytest.raises(InputError) as ctx:
        read_capped(str(path), 8, what="env file")
    assert str(ctx.value) == f"env file {path} is larger than 8 bytes"


def test_read_head_leaves_the_wording_to_its_caller(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_head(str(tmp_path / "missing"), 8)
