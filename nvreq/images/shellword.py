"""Dockerfile word processing: quotes, escapes and ``$`` expansion as BuildKit does it.

Follows moby/buildkit frontend/dockerfile/shell/lex.go ``ProcessWord`` @ 73ed682 (Apache-2.0).
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping

__all__ = ["WordError", "process_word"]

_SPECIAL = frozenset("@*#?-$!0")


class WordError(ValueError):
    """A word that cannot be processed (unterminated quote, bad substitution, ``${X?}``)."""


def process_word(text: str, env: Mapping[str, str], escape: str = "\\",
                 unset: set[str] | None = None) -> str:
    """Remove quotes and escapes and expand variables; unset names used are added to ``unset``.

    >>> process_word('"a $B" \\'$C\\' ${D:-x}', {"B": "b"})
    'a b $C x'
    """
    return _Lexer(text, env, escape, unset).run(stop=None)


#: ${a:-${b:-…}} nested deeper than this is refused (Python's stack is not Go's)
_MAX_NESTING = 100


class _Lexer:
    def __init__(self, text: str, env: Mapping[str, str], escape: str,
                 unset: set[str] | None) -> None:
        self.text, self.env, self.escape = text, env, escape
        self.unset = unset if unset is not None else set()
        self.pos = 0
        self.stopped = ""
        self.depth = 0

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def next(self) -> str:
        ch = self.peek()
        self.pos += 1
        return ch

    def run(self, stop: str | None) -> str:
        out: list[str] = []
        while self.pos < len(self.text):
            ch = self.peek()
            if stop is not None and ch in stop:
                self.pos += 1
                self.stopped = ch
                return "".join(out)
            if ch == "'":
                out.append(self.single())
            elif ch == '"':
                out.append(self.double())
            elif ch == "$":
                out.append(self.dollar())
            else:
                self.pos += 1
                if ch == self.escape:
                    if self.pos >= len(self.text):
                        break
                    ch = self.next()
                out.append(ch)
        if stop is not None:
            raise WordError("bad substitution")
        return "".join(out)

    def single(self) -> str:
        self.pos += 1
        end = self.text.find("'", self.pos)
        if end < 0:
            raise WordError("unexpected end of statement while looking for matching "
                            "single-quote")
        value, self.pos = self.text[self.pos:end], end + 1
        return value

    def double(self) -> str:
        self.pos += 1
        out: list[str] = []
        while True:
            if self.pos >= len(self.text):
                raise WordError("unexpected end of statement while looking for matching "
                                "double-quote")
            ch = self.peek()
            if ch == '"':
                self.pos += 1
                return "".join(out)
            if ch == "$":
                out.append(self.dollar())
                continue
            self.pos += 1
            if ch == self.escape and self.peek() in ('"', "$", self.escape) and self.peek():
                ch = self.next()
            out.append(ch)

    def name(self) -> str:
        start = self.pos
        if self.peek().isdecimal():
            while self.peek().isdecimal():
                self.pos += 1
            return self.text[start:self.pos]
        if self.peek() in _SPECIAL and self.peek():
            self.pos += 1
            return self.text[start:self.pos]
        while self.peek() and (self.peek().isalnum() or self.peek() == "_"):
            self.pos += 1
        return self.text[start:self.pos]

    def lookup(self, name: str) -> str | None:
        value = self.env.get(name)
        if value is None:
            self.unset.add(name)
        return value

    def dollar(self) -> str:
        self.depth += 1
        try:
            return self._dollar()
        finally:
            self.depth -= 1

    def _dollar(self) -> str:
        if self.depth > _MAX_NESTING:
            raise WordError(f"substitutions nested deeper than {_MAX_NESTING} levels")
        self.pos += 1
        if self.peek() != "{":
            name = self.name()
            if not name:
                return "$"
            return self.lookup(name) or ""
        self.pos += 1
        name = self.name()
        if not name:
            raise WordError("bad substitution")
        op = self.next()
        if op == "}":
            return self.lookup(name) or ""
        doubled = op in ("#", "%", "/") and self.peek() == op
        if (op == ":" and self.peek() in ("-", "+", "?")) or doubled:
            op += self.next()
        elif op not in ("-", "+", "?", "#", "%", "/"):
            raise WordError("bad substitution")
        if op in ("/", "//"):
            pattern = self.run(stop="/}")
            replacement = self.run(stop="}") if self.stopped == "/" else ""
            return _replace(self.lookup(name) or "", pattern, replacement, op == "//")
        word = self.run(stop="}")
        value = self.lookup(name)
        if op in ("#", "##", "%", "%%"):
            return _trim(value or "", word, op)
        empty_counts = op.startswith(":")
        is_set = value is not None and (value != "" or not empty_counts)
        kind = op[-1]
        if kind == "-":
            return value if is_set and value is not None else word
        if kind == "+":
            return word if is_set else ""
        if is_set and value is not None:
            return value
        if word:
            raise WordError(f"{name}: {word}")
        why = "empty" if empty_counts and value == "" else "unset"
        raise WordError(f"{name}: is not allowed to be {why}")


def _glob(pattern: str) -> str:
    return fnmatch.translate(pattern).removeprefix("(?s:").removesuffix(")\\Z")


def _trim(value: str, pattern: str, op: str) -> str:
    regex = re.compile(f"(?s:{_glob(pattern)})")
    sizes = range(len(value) + 1)
    order = sizes if op in ("#", "%") else reversed(sizes)
    for n in order:
        if op.startswith("#") and regex.fullmatch(value[:n]):
            return value[n:]
        if op.startswith("%") and regex.fullmatch(value[len(value) - n:]):
            return value[:len(value) - n]
    return value


def _replace(value: str, pattern: str, replacement: str, every: bool) -> str:
    if not pattern:
        return value
    regex = re.compile(f"(?s:{_glob(pattern)})")
    return regex.sub(replacement.replace("\\", "\\\\"), value, count=0 if every else 1)
