"""The YAML writer: whatever JSON-shaped value it writes, PyYAML reads back unchanged."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.formats.yaml_text import dump_yaml, plain_safe, scalar

#: strings YAML loaders are known to read as something else when written bare
TRICKY = ["Yes", "No", "On", "Off", "Null", "NULL", "True", "y", "n", "~", "0x1F", "0o17", "017",
          "1e3", "1_000", "1:20", ".inf", "-.Inf", ".NaN", "2001-12-14", "-", "- ", ": ", "a: b",
          "#x", "x #y", " lead", "trail ", "", "'", '"', "@x", "`x", "!tag", "&a", "*a", "%x",
          "|", ">", "? x", "[a]", "{a}", "a,b", "é", "日本", "\u2028", "\x85", "\ufeff", "\x7f",
          "\t", "line\nbreak", "\\", "<<", "=", "+1", "-1", "1.", ".5", "0b101"]

leaves = st.one_of(st.none(), st.booleans(), st.integers(),
                   st.floats(allow_nan=False), st.sampled_from(TRICKY), st.text())
keys = st.one_of(st.sampled_from(TRICKY), st.text())
values = st.recursive(leaves, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)), max_leaves=20)


@settings(max_examples=300)
@given(values)
def test_dump_reads_back_unchanged_with_pyyaml(value: Any) -> None:
    assert yaml.safe_load(dump_yaml(value)) == value


@pytest.mark.parametrize("text", TRICKY)
def test_tricky_strings_read_back_as_strings(text: str) -> None:
    assert yaml.safe_load(f"key: {scalar(text)}\n") == {"key": text}


@pytest.mark.parametrize(("text", "plain"), [
    ("nvidia.com/gpu.product", True), ("satisfied", True), ("GPU-0", True),
    ("Yes", False), ("on", False), ("null", False), ("1e3", False), ("_x", True),
])
def test_only_unambiguous_words_are_written_plain(text: str, plain: bool) -> None:
    assert plain_safe(text) is plain


def test_a_very_long_key_is_written_as_an_explicit_key() -> None:
    data = {"k" * 2000: ["v"], "x": {"y" * 1500: 1}}
    assert yaml.safe_load(dump_yaml(data)) == data
