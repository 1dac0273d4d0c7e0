"""Platforms as containerd spells them: short forms, aliases, variants, and the mismatch message."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nvreq.images.documents import Config, check_platform
from nvreq.images.errors import PlatformMismatch
from nvreq.images.platforms import machine_platform, parse_platform, rank


@pytest.mark.parametrize(("text", "normal"), [
    ("arm64", "linux/arm64"),
    ("linux/arm64", "linux/arm64"),
    ("linux/arm64/v8", "linux/arm64"),
    ("linux/aarch64", "linux/arm64"),
    ("aarch64", "linux/arm64"),
    ("x86_64", "linux/amd64"),
    ("linux/x86-64", "linux/amd64"),
    ("linux/amd64/v1", "linux/amd64"),
    ("armhf", "linux/arm/v7"),
    ("armel", "linux/arm/v6"),
    ("linux/arm", "linux/arm/v7"),
    ("linux/arm/7", "linux/arm/v7"),
    ("i386", "linux/386"),
    ("Linux/ARM64", "linux/arm64"),
    ("linux/arm64/9", "linux/arm64/v9"),
])
def test_platform_spellings_normalise_as_containerd_does(text: str, normal: str) -> None:
    assert str(parse_platform(text).normalized()) == normal


def test_an_os_alone_takes_this_machines_architecture() -> None:
    assert parse_platform("linux").normalized() == machine_platform()


@pytest.mark.parametrize("text", ["", "linux/", "/arm64", "a/b/c/d", "linux arm64"])
def test_malformed_platforms_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="expected OS/ARCH"):
        parse_platform(text)


def test_mismatch_after_platform_flag_does_not_suggest_the_flag() -> None:
    config = Config("linux", "amd64", "", ())
    with pytest.raises(PlatformMismatch) as ctx:
        check_platform(config, parse_platform("arm64"), "--platform")
    assert "--platform" not in str(ctx.value).split("(--platform)", 1)[1]


def test_mismatch_from_the_host_names_the_flag_with_the_image_platform() -> None:
    config = Config("linux", "amd64", "", ())
    with pytest.raises(PlatformMismatch, match="pass --platform linux/amd64 to read it"):
        check_platform(config, parse_platform("linux/arm64"), "host profile")


@given(st.text(max_size=30))
def test_any_text_parses_or_is_a_value_error(text: str) -> None:
    try:
        platform = parse_platform(text)
    except ValueError as exc:
        assert "expected OS/ARCH" in str(exc)
        return
    normal = platform.normalized()
    assert normal.normalized() == normal
    assert rank(normal, normal) == 0
