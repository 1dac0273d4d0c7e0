"""The Go semver libraries the toolkit used: Masterminds v3.5.0 (newest) and x/mod (<= 1.20.x)."""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.require.gosemver import (
    INVALID_SEMVER,
    Behaviour,
    GoVersion,
    SemverError,
    behaviour_for,
    compare,
    is_valid,
    parse,
)

OUT_OF_RANGE = 'error parsing version segment: strconv.ParseUint: parsing "{}": value out of range'


@pytest.mark.parametrize(("text", "expected"), [
    ("12.4", GoVersion(12, 4, 0)),
    ("12", GoVersion(12, 0, 0)),
    ("v12.4.1", GoVersion(12, 4, 1)),
    ("12.04.1", GoVersion(12, 4, 1)),  # leading zeros coerced
    ("535.104.05", GoVersion(535, 104, 5)),
    ("0012", GoVersion(12, 0, 0)),
    ("12.4-rc1", GoVersion(12, 4, 0, "rc1")),
    ("12.4.0-rc.1+build.7", GoVersion(12, 4, 0, "rc.1", "build.7")),
    ("1.2.3-0a.-", GoVersion(1, 2, 3, "0a.-")),
    ("1.2.3+001", GoVersion(1, 2, 3)),
    ("18446744073709551615", GoVersion(2**64 - 1, 0, 0)),
])
def test_newest_accepts(text: str, expected: GoVersion) -> None:
    assert parse(text) == expected and is_valid(text)


@pytest.mark.parametrize(("text", "reason"), [
    ("", INVALID_SEMVER),
    ("12.", INVALID_SEMVER),
    ("12..4", INVALID_SEMVER),
    (".5", INVALID_SEMVER),
    ("12.4.0.0", INVALID_SEMVER),
    ("V12.4", INVALID_SEMVER),
    ("vv12", INVALID_SEMVER),
    (" 12.4", INVALID_SEMVER),
    ("12.4\n", INVALID_SEMVER),
    ("12.4-", INVALID_SEMVER),
    ("12.4+", INVALID_SEMVER),
    ("12.4-a..b", INVALID_SEMVER),
    ("12.4-a_b", INVALID_SEMVER),
    ("١٢.٤", INVALID_SEMVER),  # only ASCII digits
    ("1.2.3-01", "version segment starts with 0"),
    ("1.2.3-rc.00", "version segment starts with 0"),
    ("18446744073709551616", OUT_OF_RANGE.format("18446744073709551616")),
    ("1.99999999999999999999999", OUT_OF_RANGE.format("99999999999999999999999")),
    ("1.2.000000000000000000018446744073709551616",
     OUT_OF_RANGE.format("000000000000000000018446744073709551616")),
])
def test_newest_rejects_with_the_library_text(text: str, reason: str) -> None:
    with pytest.raises(SemverError) as ctx:
        parse(text)
    assert ctx.value.reason == reason and ctx.value.value == text


@pytest.mark.parametrize(("text", "valid"), [
    ("12", True), ("12.4", True), ("12.4.1", True), ("v12.4", True),
    ("12.4.0-rc1", True), ("12.4.0-rc.1+b.01", True), ("1.2.3-0a", True),
    ("99999999999999999999999", True),
    ("535.104.05", False), ("470.82.01", False), ("012", False), ("1.2.3-01", False),
    ("12.4-rc1", False), ("12-rc1", False), ("12.4+b", False), ("12.", False), ("12..4", False),
    ("12.4.0.0", False), ("", False), ("v", False), ("vv12", False), ("1.2.3-", False),
])
def test_xmod_validity(text: str, valid: bool) -> None:
    assert is_valid(text, "1.20") is valid


@pytest.mark.parametrize(("a", "b", "newest", "old"), [
    ("1.0.0-100000000000000000000", "1.0.0-99999999999999999999", -1, 1),
    ("1.0.0-18446744073709551616", "1.0.0--", 1, -1),
    ("1.0.0-18446744073709551615", "1.0.0-2", 1, 1),
    ("1.0.0-rc.2", "1.0.0-rc.11", -1, -1),
])
def test_libraries_differ_only_on_huge_prerelease_numbers(a: str, b: str, newest: int,
                                                         old: int) -> None:
    assert compare(parse(a, "1.20"), parse(b, "1.20"), "newest") == newest
    assert compare(parse(a, "1.20"), parse(b, "1.20"), "1.20") == old


def test_semver_spec_example_order() -> None:
    chain = ["1.0.0-alpha", "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta", "1.0.0-beta.2",
             "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0", "1.0.1", "1.1", "2"]
    behaviours: tuple[Behaviour, ...] = ("newest", "1.20")
    for behaviour in behaviours:
        versions = [parse(v, behaviour) for v in chain]
        for (i, a), (j, b) in itertools.product(enumerate(versions), repeat=2):
            assert compare(a, b, behaviour) == (i > j) - (i < j)


@pytest.mark.parametrize(("version", "behaviour"), [
    ("1.20.0", "1.20"), ("1.20.9", "1.20"), ("1.17.4", "1.20"), ("v1.10.0-rc.2", "1.20"),
    ("1", "1.20"), ("1.21.0", "newest"), ("2.0", "newest"), ("", "newest"), (None, "newest"),
])
def test_behaviour_for(version: str | None, behaviour: str) -> None:
    assert behaviour_for(version) == behaviour


_SMALL = st.integers(0, 2**64 - 1) | st.integers(0, 20)
_IDENT = st.from_regex(r"[0-9A-Za-z-]{1,6}", fullmatch=True).filter(
    lambda s: not (s.isdigit() and len(s) > 1 and s[0] == "0"))
_PRE = st.lists(_IDENT | st.integers(0, 2**64 - 1).map(str), max_size=3).map(".".join)
_BUILD = st.lists(st.from_regex(r"[0-9A-Za-z-]{1,4}", fullmatch=True), max_size=2).map(".".join)
_VERSIONS = st.builds(GoVersion, _SMALL, _SMALL, _SMALL, _PRE, _BUILD)
_BEHAVIOURS = st.sampled_from(["newest", "1.20"])


def _semver_key(v: GoVersion) -> tuple[object, ...]:
    """Semver 2.0.0 precedence as a sort key, independent of either library's code."""
    if not v.prerelease:
        return (v.major, v.minor, v.patch, 1, ())
    ids = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in v.prerelease.split("."))
    return (v.major, v.minor, v.patch, 0, ids)


@settings(max_examples=300)
@given(_VERSIONS, _BEHAVIOURS)
def test_str_round_trips(version: GoVersion, behaviour: Behaviour) -> None:
    parsed = parse(str(version), behaviour)
    assert parsed == version and str(parsed) == str(version)


@settings(max_examples=300)
@given(_VERSIONS, _VERSIONS, _VERSIONS, _BEHAVIOURS)
def test_compare_is_a_total_order_matching_semver(a: GoVersion, b: GoVersion, c: GoVersion,
                                                  behaviour: Behaviour) -> None:
    assert compare(a, a, behaviour) == 0
    ab, bc, ac = compare(a, b, behaviour), compare(b, c, behaviour), compare(a, c, behaviour)
    assert ab == -compare(b, a, behaviour)
    if ab <= 0 and bc <= 0:
        assert ac <= 0
    ka, kb = _semver_key(a), _semver_key(b)
    assert ab == (ka > kb) - (ka < kb)


@settings(max_examples=500)
@given(st.text(alphabet="0123456789.v-+aZ ", max_size=14) | st.text(max_size=10), _BEHAVIOURS)
def test_parse_never_fails_unexpectedly(text: str, behaviour: Behaviour) -> None:
    try:
        version = parse(text, behaviour)
    except SemverError as exc:
        assert exc.reason and not is_valid(text, behaviour)
    else:
        assert parse(str(version), behaviour) == version
