"""The two Go semver libraries the toolkit has used, as far as nvreq needs them.

``newest`` is Masterminds semver v3.5.0 ``NewVersion`` with its default ``CoerceNewVersion`` (after
36e8473): a loose pattern, leading zeros coerced, each number a uint64. ``1.20`` is
``golang.org/x/mod/semver`` v0.38.0 (toolkit 1.20.x and older): strict numbers of any size, with an
optional leading ``v`` added the way the toolkit adds it.
"""

from __future__ import annotations

import re

from nvreq._frozen import field, frozen
from nvreq._lazy import literal_aliases
from nvreq.errors import InputError
from nvreq.formats.digits import is_digits, saturating_uint, uint

__all__ = [
    "INVALID_SEMVER",
    "Behaviour",
    "GoVersion",
    "SemverError",
    "behaviour_for",
    "compare",
    "is_valid",
    "parse",
]

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from typing import Literal, TypeVar

    Behaviour = Literal["newest", "1.20"]
    _T = TypeVar("_T", int, str)
else:
    __getattr__ = literal_aliases(__name__, {"Behaviour": ("newest", "1.20")})

#: Masterminds' ErrInvalidSemVer text; nvreq also uses it for x/mod, which has no error text.
INVALID_SEMVER = "invalid semantic version"
_SEGMENT_STARTS_ZERO = "version segment starts with 0"

_IDS = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
#: Masterminds' looseSemVerRegex, anchored as Go's ^…$ (fullmatch); the patterns here are
#: compiled on first use (re caches them), not at import
_LOOSE = rf"v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-({_IDS}))?(?:\+({_IDS}))?"
_NUM = r"(?:0|[1-9][0-9]*)"
_PRE_ID = r"(?:0|[1-9][0-9]*|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
#: x/mod/semver's hand-written parse, as one pattern: prerelease and build only on the long form
_XMOD = (
    rf"v({_NUM})(?:\.({_NUM})(?:\.({_NUM})(?:-({_PRE_ID}(?:\.{_PRE_ID})*))?(?:\+({_IDS}))?)?)?")
_UINT64_MAX = 2**64 - 1


class SemverError(InputError):
    """A version string the Go library refuses; ``reason`` is the library's error text."""

    def __init__(self, value: str, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(reason)


@frozen
class GoVersion:
    """A parsed version. ``build`` never counts toward equality or order, as in both libraries."""

    major: int
    minor: int
    patch: int
    prerelease: str = ""
    build: str = field(default="", compare=False)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += f"-{self.prerelease}"
        return f"{text}+{self.build}" if self.build else text


def behaviour_for(toolkit_version: str | None) -> Behaviour:
    """``1.20`` for toolkit 1.20.x and older, ``newest`` for newer or unknown versions.

    >>> [behaviour_for(v) for v in ("1.20.0", "v1.17.4", "1.21.0-rc.1", None)]
    ['1.20', '1.20', 'newest', 'newest']
    """
    if not toolkit_version:
        return "newest"
    nums = re.findall(r"[0-9]+", toolkit_version)[:2]
    parts = tuple(saturating_uint(n, _UINT64_MAX) for n in nums) + (0,) * (2 - len(nums))
    return "1.20" if parts <= (1, 20) else "newest"


def _parse_uint64(digits: str, value: str) -> int:
    number = uint(digits, _UINT64_MAX)
    if number is None:
        raise SemverError(value, "error parsing version segment: strconv.ParseUint: "
                                 f'parsing "{digits}": value out of range')
    return number


def _parse_newest(text: str) -> GoVersion:
    m = re.fullmatch(_LOOSE, text)
    if m is None:
        raise SemverError(text, INVALID_SEMVER)
    major = _parse_uint64(m.group(1), text)
    minor = _parse_uint64(m.group(2), text) if m.group(2) is not None else 0
    patch = _parse_uint64(m.group(3), text) if m.group(3) is not None else 0
    pre = m.group(4) or ""
    # validatePrerelease: the pattern already forbids empty or odd identifiers; what is left is a
    # numeric identifier with a leading zero
    if any(is_digits(p) and len(p) > 1 and p[0] == "0" for p in pre.split(".") if pre):
        raise SemverError(text, _SEGMENT_STARTS_ZERO)
    return GoVersion(major, minor, patch, pre, m.group(5) or "")


def _parse_xmod(text: str) -> GoVersion:
    m = re.fullmatch(_XMOD, text if text.startswith("v") else "v" + text)
    if m is None:
        raise SemverError(text, INVALID_SEMVER)
    nums = [saturating_uint(g, _UINT64_MAX) if g is not None else 0 for g in m.group(1, 2, 3)]
    return GoVersion(nums[0], nums[1], nums[2], m.group(4) or "", m.group(5) or "")


def parse(text: str, behaviour: Behaviour = "newest") -> GoVersion:
    """Parse ``text`` as the toolkit's semver library of that era would.

    >>> str(parse("12.04.1")), str(parse("v12.4-rc1+b7"))
    ('12.4.1', '12.4.0-rc1+b7')
    >>> parse("535.104.05", "1.20")
    Traceback (most recent call last):
    ...
    nvreq.require.gosemver.SemverError: invalid semantic version
    >>> parse("1.18446744073709551616")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nvreq.require.gosemver.SemverError: error parsing version segment: strconv.ParseUint: ...
    """
    return _parse_newest(text) if behaviour == "newest" else _parse_xmod(text)


def is_valid(text: str, behaviour: Behaviour = "newest") -> bool:
    """True when :func:`parse` accepts ``text``."""
    try:
        parse(text, behaviour)
    except SemverError:
        return False
    return True




def _cmp(a: _T, b: _T) -> int:
    return (a > b) - (a < b)


def _pre_part_masterminds(s: str, o: str) -> int:
    """comparePrePart: an identifier is a number only when strconv.ParseUint accepts it."""
    if s == o:
        return 0
    if not s:
        return -1
    if not o:
        return 1
    s_value, o_value = uint(s, _UINT64_MAX), uint(o, _UINT64_MAX)
    s_num, o_num = s_value is not None, o_value is not None
    if s_value is not None and o_value is not None:
        return _cmp(s_value, o_value)
    if s_num != o_num:
        return -1 if s_num else 1
    return _cmp(s, o)


def _pre_part_xmod(x: str, y: str) -> int:
    if x == y:
        return 0
    xn, yn = is_digits(x), is_digits(y)
    if xn != yn:
        return -1 if xn else 1
    if xn and len(x) != len(y):
        return _cmp(len(x), len(y))
    return _cmp(x, y)


def _compare_pre(a: str, b: str, behaviour: Behaviour) -> int:
    if a == b:
        return 0
    if not a:
        return 1
    if not b:
        return -1
    xs, ys = a.split("."), b.split(".")
    if behaviour == "newest":
        for i in range(max(len(xs), len(ys))):
            d = _pre_part_masterminds(xs[i] if i < len(xs) else "", ys[i] if i < len(ys) else "")
            if d:
                return d
        return 0
    for x, y in zip(xs, ys, strict=False):
        d = _pre_part_xmod(x, y)
        if d:
            return d
    return _cmp(len(xs), len(ys))


def compare(a: GoVersion, b: GoVersion, behaviour: Behaviour = "newest") -> int:
    """Precedence as the library compares: -1, 0 or 1; a prerelease sorts below its release.

    The two libraries differ only on prerelease numbers over uint64, which Masterminds compares as
    text.

    >>> compare(parse("12.4.0-rc1"), parse("12.4")), compare(parse("535.104.05"), parse("535.104"))
    (-1, 1)
    """
    ta, tb = (a.major, a.minor, a.patch), (b.major, b.minor, b.patch)
    if ta != tb:
        return -1 if ta < tb else 1
    return _compare_pre(a.prerelease, b.prerelease, behaviour)
