"""Control fields read strictly: duplicates, stray lines and missing fields name the line."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nvreq.bundle.control import parse_control, parse_paragraphs, valid_version
from nvreq.errors import DebError

GOOD = "Package: nvidia-docker2\nVersion: 2.14.0-1\nArchitecture: all\n"


def test_continuation_lines_join_the_field() -> None:
    fields = parse_control(GOOD + "Depends: a,\n b (>= 1)\nDescription: x\n more\n .\n", source="f")
    assert fields["depends"] == "a,\nb (>= 1)"
    assert fields["package"] == "nvidia-docker2"


@pytest.mark.parametrize(("text", "message"), [
    (GOOD + "Version: 2.0\n", "line 4: duplicate field 'Version'"),
    (GOOD + "version: 2.0\n", "line 4: duplicate field 'version'"),
    (GOOD + "this is not a field\n", "line 4: expected 'Field: value'"),
    (" leading continuation\n" + GOOD, "line 1: a continuation line with no field"),
    ("Package: x\nVersion: 1\n", "no Architecture field"),
    ("Package: x\nVersion: \nArchitecture: all\n", "no Version field"),
    ("Package: X_y\nVersion: 1\nArchitecture: all\n", "invalid package name 'X_y'"),
    ("Package: x\nVersion: v1\nArchitecture: all\n", "invalid version 'v1'"),
    (GOOD + "\nPackage: other\n", "holds 2 paragraphs"),
    ("", "holds 0 paragraphs"),
])
def test_malformed_control_files(text: str, message: str) -> None:
    with pytest.raises(DebError, match=message) as caught:
        parse_control(text, source="pkg.deb")
    assert str(caught.value).startswith("pkg.deb: ")


def test_paragraphs_of_an_index() -> None:
    text = "Package: a\nFilename: pool/a.deb\nSHA256: 00\n\n\nPackage: b\n"
    assert [p["Package"] for p in parse_paragraphs(text, source="Packages")] == ["a", "b"]


@pytest.mark.parametrize(("version", "valid"), [
    ("1.0", True), ("1:1.0", True), ("5:28.0.4-1~ubuntu.22.04~jammy", True), ("0.1~rc", True),
    ("1:2:3-4", True), ("1.0-1-2", True), ("a:1", False), ("1.0-", False), ("v1.0", False),
    ("", False), ("1.0 2", False), ("1.0-a:b", False), (":1.0", False),
])
def test_versions_dpkg_accepts(version: str, valid: bool) -> None:
    assert valid_version(version) is valid


@given(st.text(max_size=200))
def test_any_text_parses_or_raises_deb_error(text: str) -> None:
    with contextlib.suppress(DebError):
        parse_control(text, source="fuzz")
