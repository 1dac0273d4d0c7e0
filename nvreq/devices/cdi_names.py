"""Container Device Interface names: ``vendor/class=name``.

The rules are those of cncf-tags/container-device-interface: pkg/parser/parser.go @ 05ae4b5.
"""

from __future__ import annotations

import re

from nvreq._frozen import frozen

__all__ = ["AUTOMATIC_KIND", "CdiName", "is_qualified_name", "parse_qualified_name", "qualify"]

#: the kind whose names the ``nvidia`` runtime generates in memory (jit-cdi, toolkit >= 1.15).
AUTOMATIC_KIND = "runtime.nvidia.com/gpu"

# Vendor and class: letters, digits, '_', '-', '.'; start with a letter, end with a letter or digit.
_PART = r"[A-Za-z](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?"
# Name: also ':'; starts and ends with a letter or digit.
_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9_.:-]*[A-Za-z0-9])?"
#: compiled on first use (re caches it), not at import
_QUALIFIED = rf"({_PART})/({_PART})=({_NAME})"


@frozen
class CdiName:
    """A fully-qualified CDI device name."""

    vendor: str
    device_class: str
    name: str

    @property
    def kind(self) -> str:
        """``vendor/class``."""
        return f"{self.vendor}/{self.device_class}"

    def __str__(self) -> str:
        return f"{self.kind}={self.name}"

    def __repr__(self) -> str:
        return f"<CdiName({str(self)!r})>"


def parse_qualified_name(text: str) -> CdiName | None:
    """The parts of a qualified CDI name, or None if ``text`` is not one.

    >>> parse_qualified_name("nvidia.com/gpu=0:1")
    <CdiName('nvidia.com/gpu=0:1')>
    >>> parse_qualified_name("nvidia.com/gpu=") is None
    True
    """
    match = re.fullmatch(_QUALIFIED, text)
    return CdiName(*match.groups()) if match else None


def is_qualified_name(text: str) -> bool:
    """True if ``text`` is a valid fully-qualified CDI name."""
    return re.fullmatch(_QUALIFIED, text) is not None


def qualify(device: str, kind: str) -> str:
    """``device`` if already qualified, else ``kind=device`` (the runtime's default-kind rule).

    >>> qualify("0", "nvidia.com/gpu"), qualify("vendor.com/x=y", "nvidia.com/gpu")
    ('nvidia.com/gpu=0', 'vendor.com/x=y')
    """
    return device if is_qualified_name(device) else f"{kind}={device}"
