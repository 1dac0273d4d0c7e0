"""Go's text conventions that docker and the NVIDIA toolkit apply to user input.

``encoding/csv`` record reading (docker's ``--gpus`` grammar), ``strconv.Quote`` (``%q`` in their
messages), ``strconv.Atoi``, ``strconv.ParseBool`` and the blanks ``strings.TrimSpace`` trims;
each mirrors the Go standard library closely enough to reproduce its results, positions and error
texts.
"""

from __future__ import annotations

import re

from nvreq.formats.digits import is_digits, uint

__all__ = [
    "GO_SPACE",
    "GoCsvError",
    "atoi",
    "csv_field",
    "go_quote",
    "parse_bool",
    "read_csv_record",
]

_INT64 = 2**63

#: what Go's ``strings.TrimSpace`` trims (``unicode.IsSpace``); Python's ``str.strip`` would also
#: drop ``\x1c``-``\x1f``.
GO_SPACE = ("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
            "\u2009\u200a\u2028\u2029\u202f\u205f\u3000")

_TRUE = frozenset(("1", "t", "T", "TRUE", "true", "True"))
_FALSE = frozenset(("0", "f", "F", "FALSE", "false", "False"))


def parse_bool(value: str) -> bool | None:
    """Go's ``strconv.ParseBool``: True, False, or None when it refuses the text.

    >>> parse_bool("T"), parse_bool("yes"), parse_bool("False")
    (True, None, False)
    """
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


def go_quote(text: str) -> str:
    """Go's ``%q`` (strconv.Quote) for valid UTF-8 text, as docker and the toolkit print values.

    >>> print(go_quote('device="1,2"'))
    "device=\\"1,2\\""
    """
    escapes = {"\a": r"\a", "\b": r"\b", "\f": r"\f", "\n": r"\n", "\r": r"\r", "\t": r"\t",
               "\v": r"\v", "\\": "\\\\", '"': '\\"'}
    out = []
    for ch in text:
        if ch in escapes:
            out.append(escapes[ch])
        elif ch == " " or ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}")
    return '"' + "".join(out) + '"'


class GoCsvError(Exception):
    """An ``encoding/csv`` error; ``str()`` is Go's text (``EOF``, ``parse error on line …``)."""


class _Lines:
    """Go csv's ``readLine``: lines end at LF; CRLF reads as LF; a final CR is dropped."""

    def __init__(self, data: bytes) -> None:
        self.raw = [ln for ln in re.split(b"(?<=\n)", data) if ln]
        self.next = 0
        self.number = 0

    def read(self) -> bytes | None:
        if self.next >= len(self.raw):
            return None
        line = self.raw[self.next]
        self.next += 1
        self.number += 1
        if line.endswith(b"\r\n"):
            return line[:-2] + b"\n"
        return line[:-1] if line.endswith(b"\r") and self.next == len(self.raw) else line

    def rest(self) -> str:
        return b"".join(self.raw[self.next:]).decode("utf-8", "surrogateescape")


def read_csv_record(text: str) -> tuple[list[str], str]:
    """The first record of ``text`` as Go's ``encoding/csv`` reads it, and the unread rest."""
    lines = _Lines(text.encode("utf-8", "surrogateescape"))
    line = lines.read()
    while line is not None and line in (b"", b"\n"):
        line = lines.read()
    if line is None:
        raise GoCsvError("EOF")
    start = lines.number

    def fail(number: int, column: int, msg: str) -> GoCsvError:
        where = f"record on line {start}; " if number != start else ""
        return GoCsvError(f"{where}parse error on line {number}, column {column}: {msg}")

    fields: list[str] = []
    pos_line, col = start, 1
    while True:
        if not line.startswith(b'"'):
            i = line.find(b",")
            fld = line[:i] if i >= 0 else line.removesuffix(b"\n")
            if (j := fld.find(b'"')) >= 0:
                raise fail(lines.number, col + j, 'bare " in non-quoted-field')
            fields.append(fld.decode("utf-8", "surrogateescape"))
            if i < 0:
                return fields, lines.rest()
            line, col = line[i + 1:], col + i + 1
            continue
        buf = bytearray()
        line, col = line[1:], col + 1
        while True:
            i = line.find(b'"')
            if i >= 0:
                buf += line[:i]
                line, col = line[i + 1:], col + i + 1
                if line.startswith(b'"'):
                    buf += b'"'
                    line, col = line[1:], col + 1
                    continue
                if line.startswith(b","):
                    line, col = line[1:], col + 1
                    fields.append(buf.decode("utf-8", "surrogateescape"))
                    break
                if line in (b"", b"\n"):
                    fields.append(buf.decode("utf-8", "surrogateescape"))
                    return fields, lines.rest()
                raise fail(lines.number, col - 1, 'extraneous or missing " in quoted-field')
            if not line:
                raise fail(pos_line, col, 'extraneous or missing " in quoted-field')
            buf += line
            col += len(line)
            line = lines.read() or b""
            if line:
                pos_line, col = pos_line + 1, 1


def atoi(text: str) -> int:
    """Go ``strconv.Atoi`` on a 64-bit platform; raises ValueError with Go's reason."""
    digits = text[1:] if text[:1] in "+-" else text
    if not is_digits(digits):
        raise ValueError("invalid syntax")
    size = uint(digits, _INT64 if text[0] == "-" else _INT64 - 1)
    if size is None:
        raise ValueError("value out of range")
    return -size if text[0] == "-" else size


def csv_field(text: str, *, alone: bool = False) -> str:
    """``text`` as one CSV field that reads back unchanged (quoted when it must be)."""
    if any(c in text for c in ',"\r\n') or (alone and not text):
        return '"' + text.replace('"', '""') + '"'
    return text
