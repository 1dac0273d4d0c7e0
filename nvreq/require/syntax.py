"""The ``NVIDIA_REQUIRE_*`` language: AST, parser and the static checks of each clause.

The Lark grammar in ``grammar/require.lark`` is the definition of the language. A hand-written front
end that splits on the same bytes builds the same tree much faster; a property test holds the two
equal. Only this module knows that Lark exists.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from types import MappingProxyType

from nvreq._frozen import field, frozen
from nvreq._lazy import literal_aliases
from nvreq.errors import InvalidRequirement, unknown_choice
from nvreq.formats.digits import is_digits, uint
from nvreq.require.versions import UINT64_OVERFLOW, is_version_text, utf8

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from typing import Literal

    from lark import Lark

    from nvreq.require.compiled import CompiledRequirement

__all__ = [
    "INVALID_ANYWHERE",
    "KEYS",
    "MAX_CLAUSES",
    "MAX_SEGMENTS",
    "MAX_VALUE_BYTES",
    "OPERATORS",
    "PROBLEM_MESSAGES",
    "Alternative",
    "Clause",
    "Requirement",
    "ascii_lower",
    "clause_problem",
    "grammar_text",
    "is_long_clause",
    "parse_requirement",
    "problem_message",
    "split_piece",
]

#: the keys the runtime knows, each compared with one host fact
KEYS = ("cuda", "driver", "arch", "brand")
VERSION_KEYS = frozenset(("cuda", "driver", "arch"))
#: operator runs libnvidia-container accepts; a lone "!" prefix-matches "!="
OPERATORS = ("=", "!=", "<", "<=", ">", ">=")
CANONICAL_OP = {"=": "=", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">=", "!": "!="}
#: input limits
MAX_VALUE_BYTES = 64 * 1024
MAX_SEGMENTS = 1024
MAX_CLAUSES = 4096
#: len(key) + len(op) + len(value) at or over this makes a false clause invalid
LONG_CLAUSE_BYTES = 126

_OPCHARS = re.compile(r"[<>=!]+")
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def ascii_lower(text: str) -> str:
    """Lower-case ASCII letters only, as the runtime's strcasecmp does."""
    return text.translate(_ASCII_LOWER)
_WHITESPACE = re.compile(r"\s")

if TYPE_CHECKING:
    Problem = Literal[
        "empty-key", "missing-operator", "bad-operator", "unknown-key", "empty-value",
        "bad-version", "brand-ordering",
    ]
else:
    __getattr__ = literal_aliases(__name__, {"Problem": (
        "empty-key", "missing-operator", "bad-operator", "unknown-key", "empty-value",
        "bad-version", "brand-ordering")})
#: the problems that make a clause invalid whatever the host; ``bad-version`` and
#: ``brand-ordering`` show only where a host value is compared (a known fact, a selected GPU)
INVALID_ANYWHERE: frozenset[Problem] = frozenset(
    ("missing-operator", "empty-key", "bad-operator", "unknown-key", "empty-value"))


def clause_problem(key: str, op: str, value: str) -> Problem | None:
    """The problem rules of a clause written ``key op value`` (``op`` the whole operator run),
    shared by ``Clause.problem`` and the compiled evaluator.

    >>> clause_problem("cuda", ">=", "12.4"), clause_problem("foo", "=", "1")
    (None, 'unknown-key')
    """
    if not op:
        return "missing-operator"
    if not key:
        return "empty-key"
    operator = CANONICAL_OP.get(op)
    if operator is None:
        return "bad-operator"
    name = ascii_lower(key)
    if name not in KEYS:
        return "unknown-key"
    if not value:
        return "empty-value"
    if name in VERSION_KEYS:
        if not is_version_text(value) or value.startswith("."):
            return "bad-version"
    elif operator not in ("=", "!="):
        return "brand-ordering"
    return None


def is_long_clause(key: str, operator: str, value: str) -> bool:
    """True when the runtime could not format the clause (``operator`` as it reads it), so a
    false outcome is invalid."""
    return len(utf8(key)) + len(operator) + len(utf8(value)) >= LONG_CLAUSE_BYTES


@frozen
class Clause:
    """``key operator value`` exactly as written; ``op`` is the whole run of ``<>=!``."""

    key: str
    op: str
    value: str
    span: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)

    def __str__(self) -> str:
        return f"{self.key}{self.op}{self.value}"

    @property
    def name(self) -> str:
        """The key in lower case, as the runtime matches it."""
        return ascii_lower(self.key)

    @property
    def operator(self) -> str | None:
        """The operator the runtime reads (``!`` is ``!=``), or None when it reads none."""
        return CANONICAL_OP.get(self.op)

    @property
    def problem(self) -> Problem | None:
        """Why the runtime would call this clause invalid whatever the host, in its order of checks.

        Version values that overflow and long false clauses depend on the host and are left to
        evaluation; ``bad-version`` here covers text that is not digits and dots or starts with '.'.
        """
        return clause_problem(self.key, self.op, self.value)

    @property
    def overflows(self) -> bool:
        """True when a version component is too large for ``strtoumax``."""
        return self.name in VERSION_KEYS and any(
            uint(p, UINT64_OVERFLOW - 1) is None for p in self.value.split(".") if is_digits(p)
        )

    @property
    def is_long(self) -> bool:
        """True when the runtime could not format this clause, so a false outcome is invalid."""
        return is_long_clause(self.key, self.operator or self.op, self.value)

    @property
    def has_whitespace(self) -> bool:
        """True when a tab, newline or other whitespace byte sits inside the clause."""
        return _WHITESPACE.search(str(self)) is not None


@frozen
class Alternative:
    """One space-separated segment: its comma-separated pieces, ``None`` for an empty piece."""

    pieces: tuple[Clause | None, ...]
    span: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)

    def __str__(self) -> str:
        return ",".join("" if p is None else str(p) for p in self.pieces)

    @property
    def clauses(self) -> tuple[Clause, ...]:
        """The non-empty pieces."""
        return tuple(p for p in self.pieces if p is not None)

    @property
    def is_empty(self) -> bool:
        """An empty segment (from leading, trailing or repeated spaces): skipped."""
        return self.pieces == (None,)

    @property
    def is_comma_only(self) -> bool:
        """A segment of commas only, which ends the runtime's evaluation."""
        return len(self.pieces) > 1 and all(p is None for p in self.pieces)


@frozen
class Requirement:
    """One ``NVIDIA_REQUIRE_*`` value: any alternative may hold (space = OR, comma = AND).

    The text is kept verbatim (spaces and commas change the runtime's verdict and message); the tree
    of alternatives and clauses is built from it on first use, so that a scheduler which only
    evaluates never pays for clauses the evaluation does not reach.
    """

    text: str
    _tree: list[tuple[Alternative, ...]] = field(
        default_factory=list, init=False, compare=False, repr=False, hash=False)

    @classmethod
    def from_alternatives(cls, alternatives: tuple[Alternative, ...]) -> Requirement:
        """Build a requirement from its tree; the text is the tree's canonical text."""
        req = cls(" ".join(map(str, alternatives)))
        req._tree.append(_fast(req.text))
        return req

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"<Requirement({self.text!r})>"

    @property
    def alternatives(self) -> tuple[Alternative, ...]:
        """The space-separated segments, in order, empty and comma-only ones included."""
        if not self._tree:
            self._tree.append(_fast(self.text))
        return self._tree[0]

    @property
    def clauses(self) -> tuple[Clause, ...]:
        """Every clause, in order."""
        return tuple(c for a in self.alternatives for c in a.clauses)

    @property
    def failure_text(self) -> str:
        """What the runtime prints as the unsatisfied condition: the text up to the first space."""
        return self.text.split(" ", 1)[0]

    def compile(self) -> CompiledRequirement:
        """A fast evaluator of this requirement, callable with a host (``require.compiled``)."""
        from nvreq.require.compiled import CompiledRequirement

        return CompiledRequirement(self)


def grammar_text() -> str:
    """The Lark grammar, from the installed package or from the source tree."""
    from importlib import resources
    from pathlib import Path

    packaged = resources.files("nvreq").joinpath("_grammar/require.lark")
    if packaged.is_file():
        return packaged.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parents[2] / "grammar" / "require.lark").read_text(
        encoding="utf-8"
    )


@functools.cache
def _lark() -> Lark:
    from lark import Lark, Token, Transformer

    class _ToAst(Transformer[Token, tuple[Alternative, ...]]):
        def clause(self, items: list[Token | None]) -> Clause:
            tokens = [t for t in items if t is not None]
            key = tokens[0] if tokens[0].type == "KEY" else None
            rest = tokens[1:] if key is not None else tokens
            op = rest[0] if rest else None
            value = rest[1] if len(rest) > 1 else None
            start = tokens[0].start_pos or 0
            end = tokens[-1].end_pos or start
            return Clause(str(key or ""), str(op or ""), str(value or ""), (start, end))

        def piece(self, items: list[Clause]) -> Clause | None:
            return items[0] if items else None

        def segment(self, items: list[Clause | None]) -> tuple[Clause | None, ...]:
            return tuple(items)

        def start(self, items: list[tuple[Clause | None, ...]]) -> tuple[Alternative, ...]:
            return tuple(Alternative(p) for p in items)

    return Lark(grammar_text(), parser="lalr", transformer=_ToAst(), maybe_placeholders=True)


def _check_limits(text: str, variable: str | None) -> None:
    nul = text.find("\0")
    if nul >= 0:
        raise InvalidRequirement("NUL byte in requirement", text, nul, variable=variable)
    size = len(utf8(text))
    if size > MAX_VALUE_BYTES:
        raise InvalidRequirement(
            f"requirement is {size} bytes, over the limit of {MAX_VALUE_BYTES}", text, 0,
            variable=variable)


def _spans(tree: tuple[Alternative, ...]) -> tuple[Alternative, ...]:
    """Recompute positions from the tree's own text, as the fast front end assigns them."""
    alternatives = []
    pos = 0
    for alt in tree:
        seg_start = pos
        pieces: list[Clause | None] = []
        for piece in alt.pieces:
            if piece is None:
                pieces.append(None)
                pos += 1
                continue
            length = len(piece.key) + len(piece.op) + len(piece.value)
            pieces.append(Clause(piece.key, piece.op, piece.value, (pos, pos + length)))
            pos += length + 1
        pos = seg_start + len(str(alt))
        alternatives.append(Alternative(tuple(pieces), (seg_start, pos)))
        pos += 1
    return tuple(alternatives)


def split_piece(piece: str) -> tuple[str, str, str]:
    """One comma-separated piece as (key, operator run, value): the front end's splitter, which
    the compiled evaluator shares.

    >>> split_piece("cuda>=12.4"), split_piece("cuda 12.4")
    (('cuda', '>=', '12.4'), ('cuda 12.4', '', ''))
    """
    m = _OPCHARS.search(piece)
    if m is None:
        return piece, "", ""
    return piece[: m.start()], m.group(), piece[m.end():]


def _fast(text: str) -> tuple[Alternative, ...]:
    alternatives: list[Alternative] = []
    pos = 0
    for segment in text.split(" "):
        pieces: list[Clause | None] = []
        p = pos
        for piece in segment.split(","):
            pieces.append(Clause(*split_piece(piece), (p, p + len(piece))) if piece else None)
            p += len(piece) + 1
        alternatives.append(Alternative(tuple(pieces), (pos, pos + len(segment))))
        pos += len(segment) + 1
    return tuple(alternatives)


def parse_requirement(text: str, *, variable: str | None = None,
                      parser: Literal["fast", "lark"] = "fast",
                      strict: bool = False) -> Requirement:
    """Parse one ``NVIDIA_REQUIRE_*`` value.

    Every text without NUL parses, because the runtime rejects a bad clause only when its evaluation
    reaches it; with ``strict=True`` the first clause the runtime would reject raises instead.

    >>> parse_requirement("cuda>=12.4 brand=tesla,driver>=470")
    <Requirement('cuda>=12.4 brand=tesla,driver>=470')>
    >>> parse_requirement("cuda 12.4", strict=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    nvreq.errors.InvalidRequirement: Expected an operator (=, !=, <, <=, >, >=) after the key ...
        cuda 12.4
        ^^^^
    """
    if not isinstance(text, str):
        raise InvalidRequirement(f"expected text, got {type(text).__name__}", repr(text), 0,
                                 variable=variable)
    _check_limits(text, variable)
    segments = text.count(" ") + 1
    if segments > MAX_SEGMENTS:
        raise InvalidRequirement(
            f"{segments} alternatives, over the limit of {MAX_SEGMENTS}", text, 0,
            variable=variable)
    clauses = segments + text.count(",")
    if clauses > MAX_CLAUSES:
        raise InvalidRequirement(
            f"{clauses} clauses, over the limit of {MAX_CLAUSES}", text, 0, variable=variable)
    if parser == "lark":
        from lark.exceptions import LarkError, UnexpectedInput

        try:
            tree: tuple[Alternative, ...] = _lark().parse(text)  # type: ignore[assignment]
        except UnexpectedInput as exc:
            raise InvalidRequirement("Unexpected character", text, exc.pos_in_stream or 0,
                                     variable=variable) from None
        except LarkError as exc:  # the grammar accepts every string; this is a safety net
            raise InvalidRequirement(f"cannot parse: {exc}", text, 0, variable=variable) from None
        req = Requirement(text)
        req._tree.append(_spans(tree))
    else:
        req = Requirement(text)
    if strict:
        for clause in req.clauses:
            if clause.problem is not None:
                start, end = clause.span
                message = problem_message(clause) or ""
                if clause.problem == "missing-operator":
                    end = start + len(clause.key)
                raise InvalidRequirement(message, text, start, end, variable=variable)
    return req


#: what each static problem of a clause is, in words; strict parsing and lint both say it so
#: (``{clause}``, ``{key}``, ``{op}`` and ``{value}`` are the clause's parts)
PROBLEM_MESSAGES: Mapping[str, str] = MappingProxyType({
    "missing-operator": "Expected an operator (=, !=, <, <=, >, >=) after the key in '{clause}'",
    "empty-key": "Expected a key (cuda, driver, arch or brand) before the operator",
    "bad-operator": unknown_choice("operator", "{op}", OPERATORS),
    "unknown-key": unknown_choice("key", "{key}", KEYS),
    "empty-value": "Expected a value after the operator",
    "bad-version": "'{value}' is not a version of digits and dots",
    "brand-ordering": "'{op}' on brand: only = and != compare brands",
})


def problem_message(clause: Clause) -> str | None:
    """What is wrong with ``clause`` (None: nothing the runtime rejects whatever the host).

    >>> problem_message(Requirement("foo=1").clauses[0])
    "unknown key 'foo'; expected one of cuda, driver, arch, brand"
    """
    problem = clause.problem
    if problem is None:
        return None
    return PROBLEM_MESSAGES[problem].format(clause=clause, key=clause.key, op=clause.op,
                                            value=clause.value)
