"""Mutations of text seeds toward what broke nvreq before: huge numbers, deep nesting, digits of
other scripts, lone surrogates, BOMs, odd line breaks, NULs and splices of other seeds."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence

__all__ = ["HOSTILE_CHARS", "mutate"]

HOSTILE_CHARS = ("0", "9", "1", ".", ",", "=", " ", "\t", "\n", "\r", "\r\n", "\x00", "\x85",
                 "\u2028", "\ufeff", "\udcff", "₇", "²", "١", "٣", "_", "-", "+", '"', "'",
                 "\\", "[", "]", "{", "}", ":", "<", ">", "!", "&", "*", "$", "/", "@", "#",
                 "é", "\U0001f600", "a", "Z")


def _token(rng: random.Random) -> str:
    n = rng.choice((1, 2, 20, 21, 150, 400, 4301, 5000))
    return rng.choice((
        lambda: "9" * n, lambda: "1" * n, lambda: "[" * n, lambda: "{\"a\":" * min(n, 400),
        lambda: "-" + "9" * n, lambda: "0" * n + "1", lambda: "18446744073709551616",
        lambda: "9223372036854775807", lambda: "4294967296", lambda: "2147483647",
        lambda: "-1", lambda: "NaN", lambda: "1e999", lambda: "\ufeff", lambda: "\r\n" * 3,
        lambda: "\udcff\udcfe", lambda: "&lol;", lambda: "*a", lambda: "&a [x]",
        lambda: "\\\n", lambda: "${A:-${B}}", lambda: "%s%n", lambda: "all", lambda: "void",
    ))()


def _ops(rng: random.Random, seeds: Sequence[str]) -> list[Callable[[str], str]]:
    def at(text: str) -> int:
        return rng.randint(0, len(text))

    def insert_char(text: str) -> str:
        i = at(text)
        return text[:i] + rng.choice(HOSTILE_CHARS) + text[i:]

    def replace_char(text: str) -> str:
        if not text:
            return rng.choice(HOSTILE_CHARS)
        i = rng.randrange(len(text))
        return text[:i] + rng.choice(HOSTILE_CHARS) + text[i + 1:]

    def insert_token(text: str) -> str:
        i = at(text)
        return text[:i] + _token(rng) + text[i:]

    def replace_digits(text: str) -> str:
        spots = [i for i, c in enumerate(text) if c.isdigit()]
        if not spots:
            return insert_token(text)
        i = rng.choice(spots)
        return text[:i] + _token(rng) + text[i + 1:]

    def delete(text: str) -> str:
        i, j = sorted((at(text), at(text)))
        return text[:i] + text[j:]

    def duplicate(text: str) -> str:
        i, j = sorted((at(text), at(text)))
        return text[:j] + text[i:j] * rng.randint(1, 50) + text[j:]

    def splice(text: str) -> str:
        other = rng.choice(seeds)
        i, j = at(text), rng.randint(0, len(other))
        return text[:i] + other[j:]

    def swap_case(text: str) -> str:
        return text.swapcase() if rng.random() < 0.5 else text.upper()

    return [insert_char, replace_char, insert_token, replace_digits, delete, duplicate, splice,
            swap_case]


def mutate(rng: random.Random, seeds: Sequence[str], limit: int = 1 << 20) -> str:
    """A seed with one to eight mutations, cut at ``limit`` characters after each."""
    text = rng.choice(seeds)
    ops = _ops(rng, seeds)
    for _ in range(rng.randint(1, 8)):
        text = rng.choice(ops)(text)[:limit]  # cut after each step: duplication compounds
    return text
