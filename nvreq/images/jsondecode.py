"""Decode JSON the way Go's ``encoding/json`` would, refusing where the two differ."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from nvreq.formats import jsontext
from nvreq.images.errors import InvalidImageConfig

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

__all__ = ["JsonObject", "check_fields", "decode_json"]

_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


class JsonObject(dict[str, "Any"]):  # a string: typing is not imported at run time
    """A decoded JSON object that remembers every key it had, duplicates included, in order."""

    __slots__ = ("keys_seen",)

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.keys_seen: tuple[str, ...] = tuple(k for k, _ in pairs)


def decode_json(data: bytes, what: str) -> Any:
    """Strict UTF-8, no NaN/Infinity, no lone surrogates, no BOM; ``what`` names the document.

    >>> decode_json(b'{"a": [1, "x"]}', "manifest")
    {'a': [1, 'x']}
    >>> decode_json(b'[NaN]', "config")
    Traceback (most recent call last):
    ...
    nvreq.images.errors.InvalidImageConfig: invalid config: NaN is not valid JSON
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidImageConfig(f"invalid {what}: not UTF-8 (byte {exc.start})") from None
    try:
        value = jsontext.loads(text, object_pairs_hook=JsonObject,
                               parse_constant=_no_constant)
    except _Constant as exc:
        raise InvalidImageConfig(f"invalid {what}: {exc.args[0]} is not valid JSON") from None
    except json.JSONDecodeError as exc:
        raise InvalidImageConfig(
            f"invalid {what}: malformed JSON ({exc.msg} at {exc.pos})") from None
    except jsontext.JsonTooDeep:
        raise InvalidImageConfig(f"invalid {what}: malformed JSON (nested too deeply)") from None
    if _SURROGATE_ESCAPE.search(text) and _has_lone_surrogate(value):
        raise InvalidImageConfig(f"invalid {what}: string with a lone UTF-16 surrogate")
    return value


def check_fields(obj: object, fields: Iterable[str], where: str, what: str) -> JsonObject:
    """Require a JSON object whose keys cannot match ``fields`` differently in Go.

    Go matches object keys to struct fields case-insensitively and keeps the last; nvreq refuses
    keys that fold together, and keys that fold to a field but are spelled otherwise.
    """
    if not isinstance(obj, JsonObject):
        raise InvalidImageConfig(f"invalid {what}: expected an object in '{where}'")
    wanted = {f.casefold(): f for f in fields}
    seen: dict[str, str] = {}
    for key in obj.keys_seen:
        folded = key.casefold()
        if folded in seen:
            first = seen[folded]
            raise InvalidImageConfig(
                f'invalid {what}: keys "{first}" and "{key}" both present in \'{where}\'; '
                f'a Go runtime reads the last one ("{key}")'
            )
        seen[folded] = key
        field = wanted.get(folded)
        if field is not None and field != key:
            raise InvalidImageConfig(
                f'invalid {what}: key "{key}" in \'{where}\' is read as "{field}" by a Go runtime; '
                "refusing the ambiguous spelling"
            )
    return obj


class _Constant(ValueError):
    pass


def _no_constant(name: str) -> Any:
    raise _Constant(name)


def _has_lone_surrogate(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if any("\ud800" <= c <= "\udfff" for c in item):
                return True
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False
