"""Version comparison: driver and CUDA versions exactly as libnvidia-container's evaluator
compares them, and the release thresholds of the toolkit and Docker that change behaviour."""

from __future__ import annotations

import re

from nvreq.formats.digits import saturating_uint, uint

__all__ = [
    "UINT64_OVERFLOW",
    "compare_versions",
    "cuda_from_nvml",
    "is_version_text",
    "utf8",
    "version_at_least",
    "version_key",
    "version_tuple",
]

#: strtoumax reports overflow at 2**64 - 1 (ULLONG_MAX); such a component is invalid.
UINT64_OVERFLOW = 2**64 - 1

_VERSION_CHARS = re.compile(r"[0-9.]*")
_NUMBER = re.compile(r"[0-9]+")
_RELEASE = re.compile(r"\s*v?([0-9]+(?:\.[0-9]+)*)")


def utf8(text: str) -> bytes:
    """The bytes the runtime sees; lone surrogates pass through instead of failing."""
    return text.encode("utf-8", "surrogatepass")


def is_version_text(text: str) -> bool:
    """True when ``text`` holds only digits and dots (step 1 of the comparison)."""
    return _VERSION_CHARS.fullmatch(text) is not None


def _remainder_nonzero(rest: str) -> bool:
    return any(c not in "0." for c in rest)


def compare_versions(host: str, required: str) -> int | None:
    """Compare two version strings the C way; -1, 0 or 1, or None when the clause is invalid.

    Components are read pairwise as unsigned numbers; the first difference decides and nothing after
    it is read. When one side runs out, the other side's remainder counts as zero unless it holds a
    non-zero digit.

    >>> compare_versions("535.104.05", "535.104.5"), compare_versions("12.4", "12.40")
    (0, -1)
    >>> compare_versions("12.4", "v12.4") is None
    True
    """
    if not is_version_text(host) or not is_version_text(required):
        return None
    i = j = 0
    nh, nr = len(host), len(required)
    while i < nh and j < nr:
        mh = _NUMBER.match(host, i)
        mr = _NUMBER.match(required, j)
        if mh is None or mr is None:
            return None  # a component must begin with a digit (".5")
        a, b = uint(mh.group(), UINT64_OVERFLOW - 1), uint(mr.group(), UINT64_OVERFLOW - 1)
        if a is None or b is None:
            return None
        if a != b:
            return -1 if a < b else 1
        i, j = mh.end(), mr.end()
        while i < nh and host[i] == ".":
            i += 1
        while j < nr and required[j] == ".":
            j += 1
    if _remainder_nonzero(host[i:]):
        return 1
    if _remainder_nonzero(required[j:]):
        return -1
    return 0


def version_key(text: str) -> tuple[int, ...] | None:
    """A tuple that orders like :func:`compare_versions`, or None where a tuple cannot stand in.

    Trailing zero components are dropped so that ``12.4 == 12.4.0``. None for invalid text and for
    text whose comparison depends on where the other side stops (overflowing components).

    >>> version_key("535.104.05"), version_key("12.4.0"), version_key("12..4")
    ((535, 104, 5), (12, 4), (12, 4))
    """
    if not text or not is_version_text(text) or text[0] == ".":
        return None
    values = [uint(p, UINT64_OVERFLOW - 1) for p in text.split(".") if p]
    parts = [p for p in values if p is not None]
    if len(parts) != len(values):
        return None
    while parts and parts[-1] == 0:
        parts.pop()
    return tuple(parts)


def cuda_from_nvml(value: int) -> str:
    """Format NVML's CUDA driver version integer as libnvidia-container does (12040 -> "12.4").

    >>> cuda_from_nvml(12040), cuda_from_nvml(11080), cuda_from_nvml(13000)
    ('12.4', '11.8', '13.0')
    """
    return f"{value // 1000}.{(value % 100) // 10}"


def version_tuple(text: str | None) -> tuple[int, ...] | None:
    """The leading numeric components of a release (``"v1.18.0-rc.1"`` -> ``(1, 18, 0)``), or None.

    A release candidate of 1.18 behaves as 1.18, and Docker's ``17.03.0-ce`` is readable: the
    numeric prefix decides, not PEP 440 ordering.

    >>> version_tuple("v1.17.4"), version_tuple("29.2"), version_tuple("latest")
    ((1, 17, 4), (29, 2), None)
    """
    if text is None:
        return None
    match = _RELEASE.match(text)
    if match is None:
        return None
    return tuple(saturating_uint(p, 2**64 - 1) for p in match.group(1).split("."))


def version_at_least(text: str | None, *minimum: int, unknown: bool = True) -> bool:
    """True if release ``text`` (a toolkit or Docker version) is at least ``minimum``; absent or
    unreadable gives ``unknown`` (by default: the newest)."""
    version = version_tuple(text)
    if version is None:
        return unknown
    width = max(len(version), len(minimum))
    return version + (0,) * (width - len(version)) >= minimum + (0,) * (width - len(minimum))
