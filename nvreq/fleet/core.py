"""The scheduler API: register hosts once, then ask which of them can run an image.

Hosts with the same facts (names and ``x-`` keys aside) share one group and one evaluation, so an
image against a million nodes drawn from fifty kinds costs fifty evaluations. Each evaluation takes
the road of ``check_env`` (collect, select devices, evaluate per GPU) with compiled requirements,
memoised per distinct set of host facts; a property test holds its verdicts equal to
``check_env``'s. ``unknown="fail"`` is the default: a clause on a fact a profile
does not know fails, and the verdict says so.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from nvreq._frozen import frozen, replace
from nvreq.check.checker import check_env, contexts_for, gate
from nvreq.check.collection import Collected, collect, environment
from nvreq.check.report import Report, VerdictName
from nvreq.errors import InputError, NvreqError, unknown_choice
from nvreq.host.profile import HostProfile
from nvreq.require.compiled import CompiledRequirement, CompiledResult, context_key
from nvreq.require.gosemver import behaviour_for
from nvreq.require.semantics import INVALID_EXPRESSION, Unknown, unsatisfied_message
from nvreq.require.syntax import parse_requirement

__all__ = ["Fleet", "FleetResult", "HostVerdict", "Outcome"]

Env = Mapping[str, str] | Iterable[str]
UNKNOWN_NOTE = ("decided by facts the profile does not know (unknown=fail): it would be "
                "satisfied if they allowed it")


@frozen
class Outcome:
    """What the runtime would decide on one group of identical hosts (fields as in ``Report``)."""

    verdict: VerdictName
    message: str | None = None
    reason: str | None = None
    would_be: str | None = None
    enforced: bool = True
    failed_gpu: str | None = None
    unknown_decides: bool = False

    def __bool__(self) -> bool:
        return self.verdict in ("satisfied", "not-checked")


@frozen
class HostVerdict:
    """One host's outcome (the host by the name it was registered with), with what is
    approximate about its profile."""

    name: str
    outcome: Outcome
    notes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.outcome)

    @property
    def host(self) -> str:
        """The earlier name of ``name``, kept for callers."""
        return self.name

    @property
    def verdict(self) -> VerdictName:
        """``satisfied``, ``unsatisfied``, ``error`` or ``not-checked``."""
        return self.outcome.verdict

    @property
    def reasons(self) -> tuple[str, ...]:
        """Why: the runtime's message, what decided it, then the notes on the profile."""
        o = self.outcome
        head = [o.message] if o.message else []
        if o.reason:
            head.append(f"not checked ({o.reason}); would be {o.would_be}")
        if o.unknown_decides:
            head.append(UNKNOWN_NOTE)
        if not o.enforced:
            head.append("the runtime mode does not enforce requirements")
        return (*head, *self.notes)


@frozen
class _Snapshot:
    """The registry at one moment: hosts added later have a sequence number >= ``size``."""

    profiles: tuple[HostProfile, ...]
    members: tuple[list[str], ...]
    counts: tuple[int, ...]
    index: Mapping[str, tuple[int, int]]
    notes: Mapping[str, tuple[str, ...]]
    size: int


class FleetResult:
    """One image against the fleet: an outcome per group, and per host on demand."""

    __slots__ = ("_env", "_per_platform", "_snapshot", "_unknown", "label", "outcomes")

    def __init__(self, label: str, outcomes: tuple[Outcome, ...], snapshot: _Snapshot,
                 env: Env, unknown: Unknown,
                 per_platform: Mapping[str, Env | NvreqError] | None = None) -> None:
        self.label = label
        self.outcomes = outcomes
        self._snapshot = snapshot
        self._env = env
        self._unknown = unknown
        self._per_platform = per_platform or {}

    def __len__(self) -> int:
        return self._snapshot.size

    def __bool__(self) -> bool:
        """True when every host can run the image."""
        return all(self.outcomes[g] for g, n in enumerate(self._snapshot.counts) if n)

    def __getitem__(self, name: str) -> HostVerdict:
        entry = self._snapshot.index.get(name)
        if entry is None or entry[1] >= self._snapshot.size:
            raise KeyError(name)
        return HostVerdict(name, self.outcomes[entry[0]], self._snapshot.notes.get(name, ()))

    def __iter__(self) -> Iterator[HostVerdict]:
        notes = self._snapshot.notes
        for g, outcome in enumerate(self.outcomes):
            for name in self._snapshot.members[g][: self._snapshot.counts[g]]:
                yield HostVerdict(name, outcome, notes.get(name, ()))

    def items(self) -> Iterator[tuple[str, Outcome]]:
        """Every host's name with its outcome, cheaply (no notes)."""
        for g, outcome in enumerate(self.outcomes):
            for name in self._snapshot.members[g][: self._snapshot.counts[g]]:
                yield name, outcome

    def groups(self) -> Iterator[tuple[Outcome, HostProfile, list[str]]]:
        """Each group of identical hosts: its outcome, its profile and its hosts."""
        s = self._snapshot
        for g, outcome in enumerate(self.outcomes):
            if s.counts[g]:
                yield outcome, s.profiles[g], s.members[g][: s.counts[g]]

    def counts(self) -> dict[str, int]:
        """Hosts per verdict."""
        out: dict[str, int] = {}
        for g, outcome in enumerate(self.outcomes):
            out[outcome.verdict] = out.get(outcome.verdict, 0) + self._snapshot.counts[g]
        return {k: v for k, v in out.items() if v}

    def runnable(self) -> list[str]:
        """The hosts that can run the image (satisfied or not checked)."""
        return [n for outcome, _, names in self.groups() if outcome for n in names]

    def report(self, name: str) -> Report:
        """The full explanation for the host ``name``, from ``check_env`` (the explaining
        evaluator)."""
        entry = self._snapshot.index.get(name)
        if entry is None or entry[1] >= self._snapshot.size:
            raise KeyError(name)
        profile = self._snapshot.profiles[entry[0]]
        env = self._per_platform.get(profile.platform or "", self._env)
        if isinstance(env, NvreqError):
            raise env
        return check_env(env, profile, unknown=self._unknown)

    def to_dict(self) -> dict[str, Any]:
        """JSON form: counts, and per host its verdict and reasons."""
        return {"image": self.label, "counts": self.counts(),
                "hosts": [{"host": v.name, "verdict": v.verdict, "would_be":
                           v.outcome.would_be, "message": v.outcome.message,
                           "reasons": list(v.reasons)} for v in self]}


class _Plan:
    """One environment, read once: its collected requirements per toolkit behaviour."""

    def __init__(self, env: Env, compile_: Callable[[str], CompiledRequirement]) -> None:
        self.env = env
        self.env_map, self.env_error = environment(env)
        self._compile = compile_
        self._collected: dict[str, tuple[Collected, tuple[CompiledRequirement, ...]]] = {}

    def collected(self, behaviour: str) -> tuple[Collected, tuple[CompiledRequirement, ...]]:
        entry = self._collected.get(behaviour)
        if entry is None:
            c = collect(self.env_map, behaviour=behaviour)  # type: ignore[arg-type]
            entry = (c, tuple(self._compile(r.text) for _, r in c.requirements))
            self._collected[behaviour] = entry
        return entry


def _facts(profile: HostProfile) -> HostProfile:
    """The profile without what does not change a verdict: its name and ``x-`` keys."""
    if profile.name is None and not profile.extra and not any(g.extra for g in profile.gpus):
        return profile
    return replace(profile, name=None, extra={},
                   gpus=tuple(replace(g, extra={}) for g in profile.gpus))


class Fleet:
    """Hosts registered by name; ``evaluate`` gives every host's verdict on one environment.

    >>> fleet = Fleet({"a": HostProfile.preset("h100-r550"), "b": HostProfile.preset("t4-r470")})
    >>> result = fleet.evaluate(["NVIDIA_REQUIRE_CUDA=cuda>=12.4", "NVIDIA_VISIBLE_DEVICES=all"])
    >>> result["a"].verdict, result["b"].verdict, result.runnable()
    ('satisfied', 'unsatisfied', ['a'])
    """

    def __init__(self, hosts: Mapping[str, HostProfile] | Iterable[tuple[str, HostProfile]] = (),
                 *, unknown: Unknown = "fail",
                 notes: Mapping[str, tuple[str, ...]] | None = None) -> None:
        if unknown not in ("assume", "fail"):
            raise InputError(unknown_choice("value for unknown", unknown, ("assume", "fail")))
        self.unknown: Unknown = unknown
        self._lock = threading.RLock()
        self._groups: dict[HostProfile, int] = {}
        self._by_id: dict[int, tuple[HostProfile, int]] = {}
        self._profiles: list[HostProfile] = []
        self._members: list[list[str]] = []
        self._index: dict[str, tuple[int, int]] = {}
        self._notes: dict[str, tuple[str, ...]] = {}
        self._compiled: dict[str, CompiledRequirement] = {}
        self._snapshot: _Snapshot | None = None
        self.extend(hosts.items() if isinstance(hosts, Mapping) else hosts, notes)

    def __len__(self) -> int:
        return len(self._index)

    def __contains__(self, name: object) -> bool:
        return name in self._index

    @property
    def group_count(self) -> int:
        """How many distinct profiles the hosts have."""
        return sum(1 for m in self._members if m)

    def add(self, name: str, profile: HostProfile, notes: tuple[str, ...] = ()) -> None:
        """Register one host by its name; a name may be registered once."""
        with self._lock:
            if name in self._index:
                raise InputError(f"host {name!r} is already registered")
            cached = self._by_id.get(id(profile))
            if cached is not None and cached[0] is profile:
                group = cached[1]
            else:
                key = _facts(profile)
                group = self._groups.get(key, -1)
                if group < 0:
                    group = len(self._profiles)
                    self._groups[key] = group
                    self._profiles.append(profile)
                    self._members.append([])
                self._by_id[id(profile)] = (profile, group)
            self._members[group].append(name)
            self._index[name] = (group, len(self._index))
            if notes:
                self._notes[name] = notes
            self._snapshot = None

    def extend(self, hosts: Iterable[tuple[str, HostProfile]],
               notes: Mapping[str, tuple[str, ...]] | None = None) -> None:
        """Register several hosts, with optional notes per host."""
        notes = notes or {}
        with self._lock:
            for name, profile in hosts:
                self.add(name, profile, notes.get(name, ()))

    def remove(self, name: str) -> None:
        """Unregister the host ``name`` (results already returned keep it)."""
        with self._lock:
            if name not in self._index:
                raise KeyError(name)
            group = self._index[name][0]
            self._members = [list(m) for m in self._members]
            self._members[group].remove(name)
            order = sorted(self._index.items(), key=lambda kv: kv[1][1])
            self._index = {h: (g, i) for i, (h, (g, _)) in enumerate(
                kv for kv in order if kv[0] != name)}
            self._notes = {h: n for h, n in self._notes.items() if h != name}
            self._snapshot = None

    def profile(self, name: str) -> HostProfile:
        """The profile the host ``name`` was registered with (its group's, equal in every fact)."""
        return self._profiles[self._index[name][0]]

    def _compile(self, text: str) -> CompiledRequirement:
        with self._lock:
            compiled = self._compiled.get(text)
            if compiled is None:
                compiled = parse_requirement(text).compile()
                if len(self._compiled) >= 4096:  # images share requirement texts; bound the rest
                    self._compiled.clear()
                self._compiled[text] = compiled
        return compiled

    def _snap(self) -> _Snapshot:
        with self._lock:
            if self._snapshot is None:
                self._snapshot = _Snapshot(tuple(self._profiles), tuple(self._members),
                                           tuple(len(m) for m in self._members), self._index,
                                           self._notes, len(self._index))
            return self._snapshot

    def evaluate(self, env: Env, *, label: str = "env",
                 progress: Callable[[int, int], None] | None = None,
                 per_platform: Mapping[str, Env | NvreqError] | None = None) -> FleetResult:
        """Every host's verdict on a container environment (mapping or ``KEY=VALUE`` entries).

        ``per_platform`` gives a multi-platform image's environment for each host platform
        (``linux/arm64``), or the error reading that platform gave (an ``error`` verdict on
        those hosts); hosts of other platforms, or of none, get ``env``.
        """
        snapshot = self._snap()
        plan = _Plan(env, self._compile)
        plans: dict[str, _Plan | NvreqError] = {
            key: value if isinstance(value, NvreqError) else _Plan(value, self._compile)
            for key, value in (per_platform or {}).items()}
        outcomes = []
        total = len(snapshot.profiles)
        for g, profile in enumerate(snapshot.profiles):
            chosen = plans.get(profile.platform or "", plan)
            if not snapshot.counts[g]:
                outcomes.append(Outcome("not-checked"))
            elif isinstance(chosen, NvreqError):
                outcomes.append(Outcome("error", str(chosen)))
            else:
                outcomes.append(self._outcome(chosen, profile))
            if progress is not None:
                progress(g + 1, total)
        return FleetResult(label, tuple(outcomes), snapshot, env, self.unknown, per_platform)

    def evaluate_many(self, envs: Mapping[str, Env]) -> dict[str, FleetResult]:
        """``evaluate`` for each labelled environment."""
        return {label: self.evaluate(env, label=label) for label, env in envs.items()}

    def _outcome(self, plan: _Plan, host: HostProfile) -> Outcome:
        """``check_env``'s verdict, from compiled requirements (held equal by a property test)."""
        collected, compiled = plan.collected(behaviour_for(host.runtime.toolkit_version))
        g = gate(plan.env_map if plan.env_error is None else plan.env, host, collected=collected)
        if g.semantics == "toolkit":  # no compiled form: ask the explainer
            return _from_report(_explained(plan.env, host, self.unknown))
        if g.error:
            return Outcome("error", g.error, enforced=g.enforced)
        selection = g.selection
        contexts = contexts_for(host, selection if selection.gpu_container else None,
                                self.unknown)
        verdict, message, failed, unknown_decides = _run(compiled, contexts, self.unknown)
        if not g.checked:
            reason = "disabled" if g.disabled else "no-devices"
            return Outcome("not-checked", reason=reason, would_be=verdict, enforced=g.enforced,
                           failed_gpu=failed)
        return Outcome(verdict, message, enforced=g.enforced, failed_gpu=failed,
                       unknown_decides=unknown_decides)


def _run(compiled: tuple[CompiledRequirement, ...], contexts: list[Any],
         unknown: Unknown) -> tuple[VerdictName, str | None, str | None, bool]:
    """The first failing requirement on the first failing GPU decides."""
    for ctx in contexts:
        key = context_key(ctx)
        for c in compiled:
            result = c.evaluate_key(key)
            if result is not CompiledResult.SATISFIED:
                error = result is CompiledResult.ERROR
                message = INVALID_EXPRESSION if error else unsatisfied_message(c.requirement)
                decides = unknown == "fail" and not error and all(
                    c2.evaluate(replace(x, unknown="assume")) is CompiledResult.SATISFIED
                    for x in contexts for c2 in compiled)
                return ("error" if error else "unsatisfied"), message, ctx.gpu, decides
    return "satisfied", None, None, False


def _explained(env: Env, host: HostProfile, unknown: Unknown) -> Report:
    return check_env(env, host, unknown=unknown)


def _from_report(report: Report) -> Outcome:
    return Outcome(report.verdict, report.runtime_message, report.reason, report.would_be,
                   report.enforced, report.failed_gpu, False)
