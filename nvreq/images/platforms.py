"""Platforms: parsing, normalisation and variant compatibility (§3.6.1, §3.6.2, §3.6.3)."""

from __future__ import annotations

import os
import re

from nvreq.digits import uint
from nvreq.images.value import Value

__all__ = ["Platform", "machine_platform", "parse_platform", "rank"]

_ARCH_ALIASES = {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64"}
_TEXT = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+){1,2}")


class Platform(Value):
    """``os/architecture[/variant]`` as written; compare with :func:`rank`, not ``==``."""

    __slots__ = _fields = ("os", "architecture", "variant")
    os: str
    architecture: str
    variant: str

    def __init__(self, os: str, architecture: str, variant: str = "") -> None:
        self._init(os, architecture, variant)

    def __str__(self) -> str:
        text = f"{self.os}/{self.architecture}"
        return f"{text}/{self.variant}" if self.variant else text

    def __repr__(self) -> str:
        return f"<Platform({str(self)!r})>"

    def normalized(self) -> Platform:
        """Lower-case OS, ``x86_64``/``aarch64`` aliases, and ``amd64/v1``, ``arm64/v8`` folded."""
        arch = _ARCH_ALIASES.get(self.architecture.lower(), self.architecture.lower())
        variant = self.variant.lower()
        if (arch, variant) in {("amd64", "v1"), ("arm64", "v8"), ("arm64", "v8.0")}:
            variant = ""
        return Platform(self.os.lower(), arch, variant)


def parse_platform(text: str) -> Platform:
    """Parse ``os/arch[/variant]``.

    >>> parse_platform("linux/arm64/v8").normalized()
    <Platform('linux/arm64')>
    """
    if not _TEXT.fullmatch(text):
        raise ValueError(f"invalid platform {text!r}: expected OS/ARCH[/VARIANT], e.g. linux/arm64")
    parts = text.split("/")
    return Platform(parts[0], parts[1], parts[2] if len(parts) == 3 else "")


def machine_platform() -> Platform:
    """The platform of the machine running nvreq (GPU containers are Linux images)."""
    return Platform("linux", os.uname().machine).normalized()


def rank(wanted: Platform, offered: Platform) -> int | None:
    """How well ``offered`` serves ``wanted``: 0 is exact, higher is worse, None is incompatible.

    >>> rank(parse_platform("linux/amd64/v3"), parse_platform("linux/amd64/v2"))
    1
    >>> rank(parse_platform("linux/arm64"), parse_platform("linux/arm64/v8"))
    0
    >>> rank(parse_platform("linux/amd64"), parse_platform("linux/amd64/v2")) is None
    True
    """
    want, have = wanted.normalized(), offered.normalized()
    if want.os != have.os or want.architecture != have.architecture:
        return None
    order = _accepted(want)
    return order.index(have.variant) if have.variant in order else None


def _accepted(want: Platform) -> list[str]:
    variant = want.variant
    if want.architecture == "amd64":
        level = _level(variant.removeprefix("v")) if variant.startswith("v") else None
        if variant and level is None:
            return [variant]
        top = level or 1
        return [f"v{n}" if n > 1 else "" for n in range(top, 0, -1)]
    arm = not variant or re.fullmatch(r"v[89](\.[0-9]{1,2})?", variant)
    if want.architecture == "arm64" and arm:
        major, _, minor_text = (variant or "v8").removeprefix("v").partition(".")
        minor = int(minor_text or 0)
        if major == "9":
            nines = [f"v9.{m}" if m else "v9" for m in range(minor, -1, -1)]
            return nines + [f"v8.{m}" if m else "" for m in range(minor + 5, -1, -1)]
        return [f"v8.{m}" if m else "" for m in range(minor, -1, -1)]
    return [variant]


def _level(text: str) -> int | None:
    level = uint(text, 99)
    return level if level else None
