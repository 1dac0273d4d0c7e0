"""The one error hierarchy of nvreq: every error a user can cause is an ``NvreqError``."""

from __future__ import annotations

from collections.abc import Iterable

__all__ = [
    "DebError",
    "FrozenInstanceError",
    "ImageError",
    "InputError",
    "InvalidRequirement",
    "NvreqError",
    "ProfileError",
    "caret",
    "unknown_choice",
]


def unknown_choice(what: str, value: object, choices: Iterable[str]) -> str:
    """The one wording for a value outside a fixed set.

    >>> unknown_choice("runtime mode", "fast", ("legacy", "cdi"))
    "unknown runtime mode 'fast'; expected one of legacy, cdi"
    """
    return f"unknown {what} '{value}'; expected one of {', '.join(choices)}"


def caret(text: str, start: int, end: int | None = None, *, indent: str = "    ") -> str:
    """Render ``text`` with a caret line under ``[start, end)`` (character offsets).

    >>> print(caret("cuda 12.4", 4, 5))
        cuda 12.4
            ^
    """
    shown = text.replace("\t", " ").replace("\n", " ").replace("\r", " ")
    if len(shown) > 120:
        lo = max(0, start - 40)
        hi = min(len(shown), lo + 100)
        prefix = "..." if lo else ""
        shown = prefix + shown[lo:hi] + ("..." if hi < len(text) else "")
        start = start - lo + len(prefix)
        end = None if end is None else end - lo + len(prefix)
    width = max(1, min((end if end is not None else start + 1), len(shown)) - start)
    return f"{indent}{shown}\n{indent}{' ' * start}{'^' * width}"


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen value (as ``dataclasses.FrozenInstanceError``).

    A programming error, not a problem with nvreq's input, so not an ``NvreqError``.
    """


class NvreqError(Exception):
    """Root of every error nvreq raises on bad input."""


class InputError(NvreqError, ValueError):
    """Input that nvreq refuses: too large, malformed, or not what the option expects."""


class InvalidRequirement(NvreqError, ValueError):
    """A ``NVIDIA_REQUIRE_*`` value that cannot be read; carries the position and a caret."""

    def __init__(self, message: str, text: str, start: int, end: int | None = None,
                 *, variable: str | None = None) -> None:
        self.message = message
        self.text = text
        self.start = start
        self.end = start + 1 if end is None else end
        self.variable = variable
        super().__init__(str(self))

    @property
    def column(self) -> int:
        """0-based character offset of the problem."""
        return self.start

    def __str__(self) -> str:
        where = f" in {self.variable}" if self.variable else ""
        pointer = caret(self.text, self.start, self.end)
        return f"{self.message}{where} at column {self.start}\n{pointer}"


class ProfileError(NvreqError, ValueError):
    """A host profile that is malformed; names the path inside it (``gpus[1].brand``)."""

    def __init__(self, message: str, path: str = "", *, source: str | None = None,
                 line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.path = path
        self.source = source
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.source:
            where.append(self.source)
        if self.line is not None:
            where.append(f"line {self.line}" + (f", column {self.column}" if self.column else ""))
        if self.path:
            where.append(f"at '{self.path}'")
        return self.message + (f" ({', '.join(where)})" if where else "")


class ImageError(NvreqError):
    """An image could not be read; names the reference and, where known, the place inside it."""

    def __init__(self, message: str, *, reference: str | None = None,
                 context: str | None = None) -> None:
        self.message = message
        self.reference = reference
        self.context = context
        super().__init__(str(self))

    def __str__(self) -> str:
        text = self.message
        if self.context:
            text += f" in '{self.context}'"
        if self.reference:
            text = f"{self.reference}: {text}"
        return text


class DebError(InputError):
    """A ``.deb`` file (or its control data) that cannot be read; names the file."""

    def __init__(self, message: str, *, file: str) -> None:
        self.message = message
        self.file = file
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message
