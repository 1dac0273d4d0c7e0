"""The one rule for reading digits: ASCII only, compared by length before conversion.

The C and Go code nvreq predicts read ``0-9`` (and ``a-f`` in hexadecimal) only, and a number of
any length is a number to them, too large or not. Python's ``str.isdigit`` accepts ``'²'`` and
other scripts' digits, ``int`` accepts those, ``_`` and blanks, and refuses strings over 4,300
digits: nothing in nvreq calls them on text it did not check with this module first.
"""

from __future__ import annotations

__all__ = ["digits_key", "is_digits", "saturating_uint", "uint"]

_DIGITS = {10: frozenset("0123456789"), 16: frozenset("0123456789abcdefABCDEF"),
           8: frozenset("01234567")}


def is_digits(text: str, base: int = 10) -> bool:
    """True when ``text`` is one or more ASCII digits of ``base`` (10, 16 or 8).

    >>> is_digits("0042"), is_digits("4²"), is_digits("١٢"), is_digits("1_0"), is_digits("")
    (True, False, False, False, False)
    >>> is_digits("ff", 16)
    True
    """
    return bool(text) and _DIGITS[base].issuperset(text)


def digits_key(text: str) -> tuple[int, str]:
    """A key that orders ASCII digit strings by value, any length (empty counts as 0).

    >>> sorted(["10", "9", "0009", "", "1" * 5000], key=digits_key)[:4]
    ['', '9', '0009', '10']
    """
    significant = text.lstrip("0")
    return len(significant), significant


def _width(limit: int, base: int) -> int:
    width = 1
    while limit >= base ** width:
        width += 1
    return width


def uint(text: str, limit: int, base: int = 10) -> int | None:
    """The value of the ASCII digits ``text`` when at most ``limit``; None when larger or when
    ``text`` is not digits of ``base``. Any length is fine: the length is compared first.

    >>> uint("0018446744073709551615", 2**64 - 1), uint("9" * 5000, 2**64 - 1), uint("1²", 99)
    (18446744073709551615, None, None)
    """
    if not is_digits(text, base):
        return None
    significant = text.lstrip("0") or "0"
    if len(significant) > _width(limit, base):
        return None
    value = int(significant, base)
    return value if value <= limit else None


def saturating_uint(text: str, limit: int, base: int = 10) -> int:
    """C ``strtoul``'s answer for ASCII digits: the value, or ``limit`` when larger.

    >>> saturating_uint("9" * 5000, 2**64 - 1) == 2**64 - 1
    True
    """
    if not is_digits(text, base):
        raise ValueError(f"not {base}-base digits: {text[:40]!r}")
    value = uint(text, limit, base)
    return limit if value is None else value
