"""The one rule for secrets in image env, and every output that shows image env."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nvreq.cli.main import main
from nvreq.formats import redact
from nvreq.formats.redact import REDACTED, is_secret, redact_env
from tests.images.layouts import write_layout

SECRETS = [
    ("HF_TOKEN", "hf_abc"), ("GITHUB_TOKEN", "x"), ("DB_PASSWORD", "hunter2"),
    ("MY_SECRET_VALUE", "x"), ("API_KEY", "x"), ("AWS_ACCESS_KEY_ID", "AKIAXXXXXXXXXXXXXXXX"),
    ("AWS_SECRET_ACCESS_KEY", "x"), ("AWS_SESSION_TOKEN", "x"),
    ("PIP_INDEX_URL", "https://user:s3cret@pypi.example.com/simple"),
    ("SOMETHING", "ghp_" + "a" * 36), ("CERT", "-----BEGIN RSA PRIVATE KEY-----"),
    ("HEADER", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.sig"),
]
PLAIN = [("PATH", "/usr/local/bin"), ("CUDA_VERSION", "12.4.1"), ("PWD", "/"),
         ("NVIDIA_VISIBLE_DEVICES", "all"), ("NVIDIA_SECRET_TOKEN", "x"),
         ("PIP_INDEX_URL", "https://pypi.example.com/simple"), ("LANG", "C.UTF-8")]


@pytest.mark.parametrize(("name", "value"), SECRETS)
def test_secret_names_and_values_are_hidden(name: str, value: str) -> None:
    assert is_secret(name, value)
    assert redact_env([f"{name}={value}"]) == ([f"{name}={REDACTED}"], [name])


@pytest.mark.parametrize(("name", "value"), PLAIN)
def test_plain_and_nvidia_variables_are_shown(name: str, value: str) -> None:
    assert not is_secret(name, value)


def _by_patterns(name: str, value: str) -> bool:
    """The rule as the two patterns state it, with no shortcut."""
    if name.startswith("NVIDIA_") or name == "CUDA_VERSION":
        return False
    return bool(re.search(redact._NAME, name, re.IGNORECASE) or re.search(redact._VALUE, value))


_NAMES = st.one_of(st.from_regex(re.compile(redact._NAME, re.IGNORECASE)),
                   st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,20}", fullmatch=True), st.text())
_VALUES = st.one_of(st.from_regex(redact._VALUE), st.text(),
                    st.sampled_from([v for _, v in SECRETS]))


@given(_NAMES, _VALUES)
def test_the_shortcut_that_skips_the_patterns_never_changes_the_answer(name: str,
                                                                       value: str) -> None:
    # a name or value holding none of the words every match holds is decided without compiling
    # the patterns; names and values drawn from the patterns themselves must still be found
    assert is_secret(name, value) == _by_patterns(name, value)


ENV = ["NVIDIA_VISIBLE_DEVICES=all", "NVIDIA_REQUIRE_CUDA=cuda>=12.0", "HF_TOKEN=hf_live_value",
       "PATH=/usr/bin"]


@pytest.fixture
def image(tmp_path: Path) -> str:
    return write_layout(tmp_path / "layout", {"linux/amd64": ENV})


@pytest.mark.parametrize("argv", [
    ["check", "--host", "preset:h100-r550"], ["check", "--host", "preset:h100-r550", "--json"],
    ["env", "--all"], ["env", "--all", "--json"], ["env"], ["env", "--json"]])
def test_no_output_shows_a_secret(capsys: pytest.CaptureFixture[str], image: str,
                                  argv: list[str]) -> None:
    code = main([argv[0], image, *argv[1:], "--platform", "linux/amd64"])
    out, err = capsys.readouterr()
    assert code == 0 and "hf_live_value" not in out + err
    if "--all" in argv or argv[0] == "check":
        assert "HF_TOKEN" in out
        if "--json" in argv:
            data = json.loads(out)
            if argv[0] == "check":  # an nvreq-check/1 document: the one result's report
                data = data["results"][0]["report"]
            assert (data.get("image") or data)["redacted"] == ["HF_TOKEN"]
        else:
            assert "values hidden as secrets: HF_TOKEN" in out
