"""The two Go semver libraries the toolkit has used, as far as nvreq needs them (require.md §13.3).

``newest`` is Masterminds semver v3.5.0 ``NewVersion`` (after 36e8473); ``1.20`` is
``golang.org/x/mod/semver`` v0.38.0 (toolkit 1.20.x and older).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from nvreq.errors import InputError

__all__ = ["Behaviour", "GoVersion", "SemverError", "behaviour_for", "compare", "parse"]

Behaviour = Literal["newest", "1.20"]

_IDENT = r"[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*"
_MASTERMINDS = re.compile(
    rf"v?([0-9]+)(?:\.([0-9]+))?(?:\.([0-9]+))?(?:-({_IDENT}))?(?:\+({_IDENT}))?")
_NUM = r"(?:0|[1-9][0-9]*)"
_PRE_ID = rf"(?:{_NUM}|[0-9]*[A-Za-z-][0-9A-Za-z-]*)"
_XMOD = re.compile(
    rf"v({_NUM})(?:\.({_NUM})(?:\.({_NUM})(?:-({_PRE_ID}(?:\.{_PRE_ID})*))?"
    rf"(?:\+([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?)?)?")
_UINT64 = 2**64


class SemverError(InputError):
    """A version string the Go library refuses; ``reason`` is close to the library's text."""

    def __init__(self, value: str, reason: str) -> None:
        self.value = value
        self.reason = reason
        super().__init__(reason)


@dataclass(frozen=True, slots=True, order=False)
class GoVersion:
    """A parsed version: numbers, prerelease identifiers (build metadata is ignored)."""

    major: int
    minor: int
    patch: int
    prerelease: str = ""

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        return f"{text}-{self.prerelease}" if self.prerelease else text


def behaviour_for(toolkit_version: str | None) -> Behaviour:
    """``1.20`` for toolkit 1.20.x and older, ``newest`` for newer or unknown versions."""
    if not toolkit_version:
        return "newest"
    nums = re.findall(r"[0-9]+", toolkit_version)[:2]
    parts = tuple(int(n) for n in nums) + (0,) * (2 - len(nums))
    return "1.20" if parts <= (1, 20) else "newest"


def parse(text: str, behaviour: Behaviour = "newest") -> GoVersion:
    """Parse ``text`` as the toolkit's semver library of that era would.

    >>> str(parse("12.04.1")), str(parse("v12.4")), str(parse("12.4.0-rc1"))
    ('12.4.1', '12.4.0', '12.4.0-rc1')
    >>> parse("535.104.05", "1.20")
    Traceback (most recent call last):
    ...
    nvreq.gosemver.SemverError: invalid semantic version
    """
    if behaviour == "newest":
        m = _MASTERMINDS.fullmatch(text)
        if m is None:
            raise SemverError(text, "invalid semantic version")
        nums = [int(g) if g is not None else 0 for g in m.group(1, 2, 3)]
        if any(n >= _UINT64 for n in nums):
            raise SemverError(text, "invalid semantic version")
        return GoVersion(nums[0], nums[1], nums[2], m.group(4) or "")
    m = _XMOD.fullmatch(text if text.startswith("v") else "v" + text)
    if m is None:
        raise SemverError(text, "invalid semantic version")
    nums = [int(g) if g is not None else 0 for g in m.group(1, 2, 3)]
    return GoVersion(nums[0], nums[1], nums[2], m.group(4) or "")


def _compare_pre(a: str, b: str) -> int:
    if a == b:
        return 0
    if not a:
        return 1
    if not b:
        return -1
    for x, y in zip(a.split("."), b.split("."), strict=False):
        if x == y:
            continue
        xd, yd = x.isdigit(), y.isdigit()
        if xd and yd:
            return -1 if int(x) < int(y) else 1
        if xd != yd:
            return -1 if xd else 1
        return -1 if x < y else 1
    return (len(a.split(".")) > len(b.split("."))) - (len(a.split(".")) < len(b.split(".")))


def compare(a: GoVersion, b: GoVersion) -> int:
    """Semver precedence: -1, 0 or 1; a prerelease sorts below its release."""
    ta, tb = (a.major, a.minor, a.patch), (b.major, b.minor, b.patch)
    if ta != tb:
        return -1 if ta < tb else 1
    return _compare_pre(a.prerelease, b.prerelease)
