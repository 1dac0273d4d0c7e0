"""The one JSON decoder nvreq uses on input: nesting capped before parsing, numbers of any size.

Python's decoder recurses once per ``[``/``{`` (so 200,000 of them are a ``RecursionError``) and
its ``int`` refuses more than 4,300 digits; here the depth is counted first and a longer integer
becomes a float (``inf`` when out of range), as Go reads a number it stores untyped.
"""

from __future__ import annotations

import json
import re

from nvreq.errors import InputError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["MAX_DEPTH", "JsonTooDeep", "loads", "too_deep"]

MAX_DEPTH = 200
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_INT_DIGITS = 4000


class JsonTooDeep(InputError):
    """A JSON document nested deeper than ``MAX_DEPTH`` arrays and objects."""


def too_deep(text: str | bytes, limit: int = MAX_DEPTH) -> bool:
    """True when ``text`` nests arrays and objects more than ``limit`` deep.

    >>> too_deep('{"a": [1, {"b": "[[["}]}', 2), too_deep('{"a": [1, {"b": "[[["}]}', 3)
    (True, False)
    """
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                return True
        elif token in "]}":
            depth -= 1
    return False


def _number(text: str) -> int | float:
    return int(text) if len(text) <= _INT_DIGITS else float(text)


def loads(text: str | bytes, *, what: str = "JSON", **options: Any) -> Any:
    """``json.loads(text, **options)`` after refusing nesting deeper than ``MAX_DEPTH``
    (``JsonTooDeep`` names ``what``); integers of any length decode.

    >>> loads('[' * 300 + ']' * 300, what="env file deep.json")
    Traceback (most recent call last):
    ...
    nvreq.formats.jsontext.JsonTooDeep: env file deep.json: JSON nested deeper than 200 levels
    >>> loads("1" * 5000) == float("inf")
    True
    """
    if too_deep(text):
        raise JsonTooDeep(f"{what}: JSON nested deeper than {MAX_DEPTH} levels")
    options.setdefault("parse_int", _number)
    return json.loads(text, **options)
