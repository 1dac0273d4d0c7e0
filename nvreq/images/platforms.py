"""Platforms as containerd spells them: parsing, normalisation and variant compatibility."""

from __future__ import annotations

import os
import re

from nvreq.formats.digits import uint
from nvreq.images.value import Value

__all__ = ["Platform", "machine_platform", "parse_platform", "rank"]

_ARCH_ALIASES = {"x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "i386": "386"}
#: aliases that also fix the variant (Debian's names for the ARM ABIs)
_ARM_ABIS = {"armhf": "v7", "armel": "v6"}
#: variants containerd folds away, or spells with a leading ``v``
_VARIANTS = {("amd64", "v1"): "", ("arm64", "8"): "", ("arm64", "v8"): "", ("arm64", "v8.0"): "",
             ("arm64", "9"): "v9", ("arm64", "9.0"): "v9", ("arm64", "v9.0"): "v9",
             ("arm", ""): "v7", ("arm", "5"): "v5", ("arm", "6"): "v6", ("arm", "7"): "v7",
             ("arm", "8"): "v8", ("386", "v1"): ""}
_KNOWN_OS = frozenset({"linux", "windows", "darwin", "freebsd", "netbsd", "openbsd", "solaris",
                       "illumos", "aix", "android", "ios", "plan9", "js", "wasip1"})
_TEXT = re.compile(r"[A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+){0,2}")


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
        """As containerd normalises: lower case, ``x86_64``/``aarch64``/``armhf``/``armel``/``i386``
        aliases, ``arm`` meaning ``arm/v7``, and ``amd64/v1``, ``arm64/v8`` folded."""
        arch, variant = self.architecture.lower(), self.variant.lower()
        if arch in _ARM_ABIS:
            arch, variant = "arm", _ARM_ABIS[arch]
        arch = _ARCH_ALIASES.get(arch, arch)
        variant = _VARIANTS.get((arch, variant), variant)
        return Platform(self.os.lower(), arch, variant)


def parse_platform(text: str) -> Platform:
    """Parse ``os/arch[/variant]``, ``arch`` alone (OS linux) or ``os`` alone (this machine's
    architecture), as ``docker --platform`` and containerd do.

    >>> parse_platform("linux/arm64/v8").normalized()
    <Platform('linux/arm64')>
    >>> parse_platform("armhf").normalized()
    <Platform('linux/arm/v7')>
    """
    if not _TEXT.fullmatch(text):
        raise ValueError(f"invalid platform {text!r}: expected OS/ARCH[/VARIANT] or ARCH, "
                         "e.g. linux/arm64 or arm64")
    parts = text.split("/")
    if len(parts) == 1:
        if text.lower() in _KNOWN_OS:
            return Platform(text, machine_platform().architecture)
        return Platform("linux", text)
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
