"""The compiled form of a requirement: fast, memoised, and equal to ``semantics.evaluate``.

Schedulers evaluate one requirement against many hosts. ``CompiledRequirement`` reads the text once,
prepares each clause the first time evaluation reaches it (so a never-seen string costs only what
the runtime would read), and remembers the result per distinct set of host facts. A property test
holds it equal to the explaining evaluator on generated requirements and hosts.
"""

from __future__ import annotations

from _thread import allocate_lock  # threading.Lock itself, without importing threading
from enum import Enum

from nvreq._memo import Memo
from nvreq.require.semantics import OPERATOR_TABLE, Context
from nvreq.require.syntax import (
    CANONICAL_OP,
    INVALID_ANYWHERE,
    ascii_lower,
    clause_problem,
    is_long_clause,
    split_piece,
)
from nvreq.require.versions import compare_versions, is_version_text, utf8, version_key

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:

    from nvreq.host.profile import HostProfile
    from nvreq.require.semantics import Unknown
    from nvreq.require.syntax import Requirement

__all__ = ["CompiledRequirement", "CompiledResult", "Result", "compiled_for", "host_contexts"]


class CompiledResult(Enum):
    """The outcome of a compiled evaluation; truthy only when satisfied."""

    SATISFIED = "satisfied"
    UNSATISFIED = "unsatisfied"
    ERROR = "error"

    def __bool__(self) -> bool:
        return self is CompiledResult.SATISFIED


#: the earlier name of ``CompiledResult``, kept for callers
Result = CompiledResult


_INVALID = -1
_TRUE = 1
_FALSE = 0
#: a prepared clause: (key, the operator's row of OPERATOR_TABLE, brand operator, raw value,
#: value as tuple or None, long, invalid whatever the host)
_Prepared = tuple[str, "tuple[bool, bool, bool]", bool, str, "tuple[int, ...] | None", bool, bool]
_INVALID_PREPARED: _Prepared = ("", OPERATOR_TABLE["="], True, "", None, False, True)
#: a context key: (cuda, cuda tuple, driver, driver tuple, device, arch, arch tuple, brand, unknown)
ContextKey = tuple[object, ...]


def _prepare(piece: str) -> _Prepared:
    """A clause read by the AST's own splitter and judged by its problem rules."""
    key, run, value = split_piece(piece)
    if clause_problem(key, run, value) in INVALID_ANYWHERE:
        return _INVALID_PREPARED
    op, name = CANONICAL_OP[run], ascii_lower(key)
    return (name, OPERATOR_TABLE[op], op in ("=", "!="), value,
            version_key(value) if name != "brand" else None, is_long_clause(key, op, value), False)


#: prepared clauses by their text: official images share most clauses, so a never-seen
#: requirement mostly reads clauses already prepared
_PREPARED: dict[str, _Prepared] = {}


def _prepare_cached(piece: str) -> _Prepared:
    prepared = _prepare(piece)
    if len(_PREPARED) > 65536:
        _PREPARED.clear()
    _PREPARED[piece] = prepared
    return prepared


def _tuple_cmp(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    return (a > b) - (a < b)


def _clause(p: _Prepared, ctx: ContextKey) -> int:
    key, holds, unordered, value, vkey, long, invalid = p
    if invalid:
        return _INVALID
    if key == "cuda":
        host, hkey = ctx[0], ctx[1]
    elif key == "driver":
        host, hkey = ctx[2], ctx[3]
    elif not ctx[4]:
        return _TRUE
    elif key == "arch":
        host, hkey = ctx[5], ctx[6]
    else:
        brand = ctx[7]
        if brand is None:
            return _TRUE if ctx[8] == "assume" else _FALSE
        if not unordered:
            return _INVALID
        return _TRUE if holds[1 if brand == utf8(value).lower() else 0] else (
            _INVALID if long else _FALSE)
    if host is None:
        return _TRUE if ctx[8] == "assume" else _FALSE
    if vkey is not None and hkey is not None:
        cmp = _tuple_cmp(hkey, vkey)  # type: ignore[arg-type]
    else:
        exact = compare_versions(host, value)  # type: ignore[arg-type]
        if exact is None:
            return _INVALID
        cmp = exact
    if holds[cmp + 1]:
        return _TRUE
    return _INVALID if long else _FALSE


_VERSION_KEYS: Memo[str, tuple[int, ...] | None] = Memo(4096)


def _vk(v: str | None) -> tuple[int, ...] | None:
    """:func:`version_key` of a host fact, memoised: a fleet repeats a few dozen versions."""
    if v is None:
        return None
    return _VERSION_KEYS.remember(v, lambda: version_key(v) if is_version_text(v) else None)


def context_key(ctx: Context) -> ContextKey:
    """The hashable facts of a context, with versions pre-parsed for fast comparison."""
    vk = _vk
    return (ctx.cuda, vk(ctx.cuda), ctx.driver, vk(ctx.driver), ctx.device, ctx.arch,
            vk(ctx.arch), None if ctx.brand is None else utf8(ctx.brand).lower(), ctx.unknown)


_HOST_CACHE: dict[tuple[int, str], tuple[object, tuple[ContextKey, ...]]] = {}


def host_contexts(host: HostProfile, unknown: Unknown = "assume") -> tuple[ContextKey, ...]:
    """The distinct contexts of a host with every GPU selected (the global pass with none).

    Cached by identity (the host is kept alive with its entry, so an id is never reused).
    """
    entry = _HOST_CACHE.get((id(host), unknown))
    if entry is not None and entry[0] is host:
        return entry[1]
    tv = host.runtime.toolkit_version
    keys: dict[ContextKey, None] = {}
    for gpu in host.gpus:
        keys[context_key(Context.for_gpu(host.cuda, host.driver, gpu.arch, gpu.brand,
                                         unknown=unknown, toolkit_version=tv))] = None
    if not keys:
        keys[context_key(Context(host.cuda, host.driver, unknown=unknown))] = None
    result = tuple(keys)
    if len(_HOST_CACHE) > 65536:
        _HOST_CACHE.clear()
    _HOST_CACHE[(id(host), unknown)] = (host, result)
    return result


class CompiledRequirement:
    """A requirement prepared for repeated evaluation; call it with a host or a context."""

    __slots__ = ("_lock", "_memo", "_segments", "requirement")

    def __init__(self, requirement: Requirement) -> None:
        self.requirement = requirement
        self._segments = requirement.text.split(" ")
        self._memo: dict[ContextKey, CompiledResult] = {}
        self._lock = allocate_lock()

    def __repr__(self) -> str:
        return f"<CompiledRequirement({self.requirement.text!r})>"

    def evaluate_key(self, ctx: ContextKey) -> CompiledResult:
        """Evaluate in one context given by :func:`context_key`; remembered per context."""
        result = self._memo.get(ctx)
        if result is None:
            result = self._run(ctx)
            with self._lock:
                if len(self._memo) > 4096:
                    self._memo.clear()
                self._memo[ctx] = result
        return result

    def _run(self, ctx: ContextKey) -> CompiledResult:
        # the runtime's order, reading each piece only when evaluation reaches it
        last = True
        cache = _PREPARED
        for seg in self._segments:
            if not seg:
                continue
            failed = False
            rest = seg
            while rest:
                head, _, rest = rest.partition(",")
                if not head:
                    continue
                prepared = cache.get(head)
                if prepared is None:
                    prepared = _prepare_cached(head)
                r = _clause(prepared, ctx)
                if r == _INVALID:
                    return CompiledResult.ERROR
                if r == _FALSE:
                    last = False
                    failed = True
                    break
                last = True
            if not failed:
                return CompiledResult.SATISFIED if last else CompiledResult.UNSATISFIED
        return CompiledResult.SATISFIED if last else CompiledResult.UNSATISFIED

    def evaluate(self, ctx: Context) -> CompiledResult:
        """Evaluate in one :class:`~nvreq.require.semantics.Context`."""
        return self.evaluate_key(context_key(ctx))

    def __call__(self, host: HostProfile, *, unknown: Unknown = "assume") -> CompiledResult:
        """The verdict on ``host`` with every GPU selected: the first failing GPU decides."""
        for ctx in host_contexts(host, unknown):
            result = self._memo.get(ctx)
            if result is None:
                result = self.evaluate_key(ctx)
            if result is not CompiledResult.SATISFIED:
                return result
        return CompiledResult.SATISFIED


_BY_TEXT: dict[str, CompiledRequirement] = {}


def compiled_for(requirement: Requirement) -> CompiledRequirement:
    """The compiled form of ``requirement``, shared by every caller with the same text (so its
    memo of results per host serves them all)."""
    found = _BY_TEXT.get(requirement.text)
    if found is None:
        if len(_BY_TEXT) >= 4096:
            _BY_TEXT.clear()
        found = _BY_TEXT[requirement.text] = CompiledRequirement(requirement)
    return found
