"""YAML for JSON-shaped data that reads back unchanged with any YAML 1.1 or 1.2 loader.

A string is written plain only when no loader could take it for anything else (``Yes``, ``on``,
``~``, ``0x1F``, ``1e3`` and ``2001-01-01`` are quoted); everything else is double-quoted with
escapes for what YAML would fold or refuse (line breaks, control characters, a BOM).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["dump_yaml", "plain_safe", "quote", "scalar"]

_PLAIN = re.compile(r"[A-Za-z_][A-Za-z0-9_./-]*")
#: words YAML 1.1 loaders (PyYAML, go-yaml v2) read as booleans or null
_KEYWORDS = frozenset({"y", "yes", "n", "no", "true", "false", "on", "off", "null"})
#: simple keys longer than this must be written as explicit ``? key`` entries
_MAX_SIMPLE_KEY = 1000
_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r", "\0": "\\0"}


def plain_safe(text: str) -> bool:
    """Whether ``text`` reads back as this same string when written without quotes.

    >>> plain_safe("nvidia.com/gpu.product"), plain_safe("Yes"), plain_safe("0x1F")
    (True, False, False)
    """
    return bool(_PLAIN.fullmatch(text)) and text.lower() not in _KEYWORDS


def quote(text: str) -> str:
    """``text`` as a double-quoted YAML scalar.

    >>> print(quote('say "on"\\n'))
    "say \\"on\\"\\n"
    """
    return '"' + "".join(_escape(ch) for ch in text) + '"'


def _escape(ch: str) -> str:
    if ch in _ESCAPES:
        return _ESCAPES[ch]
    code = ord(ch)
    if 0x20 <= code <= 0x7E or (0xA0 <= code <= 0xFFFD and not 0xD800 <= code <= 0xDFFF
                                and ch not in "\u2028\u2029\ufeff") or code > 0xFFFF:
        return ch
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def scalar(value: Any) -> str:
    """One JSON leaf (string, number, boolean, null) as YAML.

    >>> scalar("On"), scalar(None), scalar(1e3), scalar("ok")
    ('"On"', 'null', '1000.0', 'ok')
    """
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    text = str(value)
    return text if plain_safe(text) else quote(text)


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    text = repr(value)
    if "." not in text:
        # YAML 1.1 floats need a dot: 1e-05 would read back as a string
        mantissa, _, exponent = text.partition("e")
        text = f"{mantissa}.0" + (f"e{exponent}" if exponent else "")
    return text


def dump_yaml(data: Any) -> str:
    """``data`` (dicts, lists and JSON leaves) as block-style YAML, ending in a newline.

    >>> print(dump_yaml({"verdict": "satisfied", "devices": ["GPU-0"], "why": None}), end="")
    verdict: satisfied
    devices:
    - GPU-0
    why: null
    """
    if _container(data):
        return "\n".join(_block(data, 0)) + "\n"
    return _leaf(data) + "\n"


def _container(value: Any) -> bool:
    return isinstance(value, (Mapping, list, tuple)) and len(value) > 0


def _leaf(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{}"
    if isinstance(value, (list, tuple)):
        return "[]"
    return scalar(value)


def _block(value: Mapping[Any, Any] | Sequence[Any], indent: int) -> list[str]:
    pad = " " * indent
    lines: list[str] = []
    if isinstance(value, Mapping):
        for key, item in value.items():
            text = scalar(key)
            head = f"{pad}{text}:" if len(text) <= _MAX_SIMPLE_KEY else f"{pad}? {text}\n{pad}:"
            if not _container(item):
                lines.append(f"{head} {_leaf(item)}")
            else:
                lines.append(head)
                lines += _block(item, indent + 2 if isinstance(item, Mapping) else indent)
        return lines
    for item in value:
        if _container(item):
            inner = _block(item, indent + 2)
            lines.append(f"{pad}- {inner[0][indent + 2:]}")
            lines += inner[1:]
        else:
            lines.append(f"{pad}- {_leaf(item)}")
    return lines
