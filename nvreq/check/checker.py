"""``check_env``: an environment against a host, as the runtime would judge it, explained.

Data takes one road: env -> collect -> devices -> evaluate per GPU -> Report.
"""

from __future__ import annotations

from collections.abc import Mapping

from nvreq._frozen import frozen, replace
from nvreq._lazy import literal_aliases
from nvreq._memo import Deferred, Memo
from nvreq.check.advice import Advice, advise, forward_compatibility_notes
from nvreq.check.collection import (
    LEGACY_VARIABLE,
    MAX_REQUIREMENTS,
    TOO_MANY,
    Collected,
    collect,
    environment,
    is_legacy_image,
)
from nvreq.check.report import Details, Report, RequirementResult
from nvreq.devices.capabilities import CapabilityResult, resolve_capabilities
from nvreq.devices.select import (
    HOOK_CDI_ERROR,
    DeviceSelection,
    resolve_devices,
)
from nvreq.errors import InputError, unknown_choice
from nvreq.host.config import ToolkitConfig
from nvreq.host.profile import HostProfile
from nvreq.require.compiled import CompiledRequirement, Result, compiled_for, context_key
from nvreq.require.gosemver import behaviour_for
from nvreq.require.semantics import (
    INVALID_EXPRESSION,
    Context,
    Verdict,
    evaluate,
    unsatisfied_message,
)
from nvreq.require.syntax import Requirement

__all__ = ["Gate", "check_env", "contexts_for", "gate"]

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from collections.abc import Hashable, Iterable, Sequence
    from typing import Any, Literal

    from nvreq.check.report import VerdictName
    from nvreq.require.gosemver import Behaviour
    from nvreq.require.semantics import Unknown

    #: a verdict: the outcome had the runtime checked, the GPU it failed on, the runtime's messages
    _Decision = tuple[VerdictName, str | None, tuple[str, ...]]

    Semantics = Literal["cli", "toolkit"]
else:
    __getattr__ = literal_aliases(__name__, {"Semantics": ("cli", "toolkit")})
#: errors nvidia-container-cli reports itself (after its argument checks), not the hook's
_CLI_ERRORS = ("device error", "mig-config error", "mig-monitor error")


def contexts_for(host: HostProfile, selection: DeviceSelection | None,
                 unknown: Unknown = "assume") -> list[Context]:
    """The evaluation contexts: each selected GPU, then each MIG device's parent; else none.

    With ``selection`` None, every GPU of the host (what the verdict would be with ``all``).
    """
    tv = host.runtime.toolkit_version
    if selection is None:
        order = [(str(g.index), g) for g in host.gpus]
    else:
        order = list(selection.evaluation_order())
    if not order:
        return [Context(host.cuda, host.driver, unknown=unknown)]
    return [Context.for_gpu(host.cuda, host.driver, g.arch, g.brand, gpu=label, unknown=unknown,
                            toolkit_version=tv) for label, g in order]


def _evaluate_all(requirements: Sequence[tuple[str, Requirement]],
                  contexts: Sequence[Context]) -> tuple[list[list[Verdict]], int | None]:
    """Verdicts per requirement per context, and the index of the first failing context."""
    per_req: list[list[Verdict]] = [[] for _ in requirements]
    first_fail = None
    seen: dict[tuple[int, Context], Verdict] = {}
    for ci, ctx in enumerate(contexts):
        facts = replace(ctx, gpu=None)  # GPUs with the same facts share one evaluation
        for ri, (_, req) in enumerate(requirements):
            known = seen.get((ri, facts))
            if known is None:
                known = seen[(ri, facts)] = evaluate(req, ctx)
            verdict = known if known.context == ctx else replace(known, context=ctx)
            per_req[ri].append(verdict)
            if not verdict and first_fail is None:
                first_fail = ci
    return per_req, first_fail


def _gpus_env(env: Mapping[str, str] | Iterable[str], gpus: str | Sequence[str],
              host: HostProfile) -> tuple[list[str], bool, tuple[str, ...]]:
    """The env after docker's ``--gpus``, whether the hook runs, and the daemon's notes."""
    from nvreq.devices.gpus_flag import plan_gpus_flags

    entries = [f"{k}={v}" for k, v in env.items()] if isinstance(env, Mapping) else list(env)
    plan = plan_gpus_flags(entries, gpus, docker=host.runtime.docker)
    return list(plan.env), plan.hook, plan.notes


@frozen
class Gate:
    """What the runtime decides before it evaluates any requirement (shared with ``Fleet``)."""

    env: dict[str, str]
    collected: Collected
    selection: DeviceSelection
    capabilities: CapabilityResult | None
    semantics: Semantics
    behaviour: Behaviour
    disabled: bool
    error: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def checked(self) -> bool:
        """The runtime evaluates the requirements: a GPU container, and the check not disabled."""
        return self.selection.gpu_container and not self.disabled

    @property
    def enforced(self) -> bool:
        """The mode checks requirements at all (``legacy`` and ``csv`` do)."""
        return self.selection.enforces_requirements


def gate(env: Mapping[str, str] | Iterable[str], host: HostProfile, *,
         semantics: Semantics | None = None, mode: str | None = None,
         privileged: bool | None = None, mounts: Sequence[Mapping[str, str]] = (),
         annotations: Mapping[str, str] | None = None, config: Mapping[str, Any] | None = None,
         gpus: str | Sequence[str] | None = None,
         collected: Collected | None = None) -> Gate:
    """Collect, select devices and capabilities, and find the first error the runtime raises
    before requirements, in its order: an env entry without ``=``; the hook's own errors (MIG
    variables unprivileged, unsupported capabilities, an invalid ``CUDA_VERSION``); then
    nvidia-container-cli's (too many requirements, an unknown device). ``collected`` may be given
    when the same env was collected already for this toolkit behaviour."""
    notes: tuple[str, ...] = ()
    hook = True
    if gpus is not None:
        env, hook, notes = _gpus_env(env, gpus, host)
        mode = mode or "legacy"
    env_map, env_error = environment(env)
    behaviour = behaviour_for(host.runtime.toolkit_version)
    legacy = is_legacy_image(env_map)
    settings = ToolkitConfig.from_host(host, config)  # read once, for every step below
    selection = resolve_devices(env_map, host, legacy_image=legacy, mode=mode,
                                privileged=privileged, mounts=mounts, annotations=annotations,
                                config=settings, via_hook=gpus is not None)
    if not hook:
        selection = replace(selection, gpu_container=False, gpus=(), mig_devices=(), error=None)
    if semantics is None:
        semantics = "toolkit" if selection.mode == "csv" else "cli"
    if semantics not in ("cli", "toolkit"):
        raise InputError(unknown_choice("semantics", semantics, ("cli", "toolkit")))
    if collected is None:
        collected = collect(env_map, behaviour=behaviour)
    # the config key disables the check on the hook path only, not in CSV mode
    disabled = collected.disabled or (
        semantics == "cli" and settings.disable_require)
    capabilities = _capabilities(env_map, host, selection, legacy, settings)
    error = env_error
    if error is None and selection.gpu_container:
        error = _hook_error(selection, capabilities, collected.error
                            if not disabled and semantics == "cli" else None)
        if error is None and semantics == "cli" and not disabled:
            if len(collected.requirements) > MAX_REQUIREMENTS:
                error = TOO_MANY
            elif selection.error:
                error = selection.error
    return Gate(env_map, collected, selection, capabilities, semantics, behaviour, disabled,
                error, notes)


def check_env(env: Mapping[str, str] | Iterable[str], host: HostProfile, *,
              semantics: Semantics | None = None, unknown: Unknown = "assume",
              mode: str | None = None, privileged: bool | None = None,
              mounts: Sequence[Mapping[str, str]] = (),
              annotations: Mapping[str, str] | None = None,
              config: Mapping[str, Any] | None = None,
              gpus: str | Sequence[str] | None = None) -> Report:
    """Check a container environment (a mapping, or ``KEY=VALUE`` entries) against ``host``.

    ``gpus`` applies docker's ``--gpus`` value(s) as the daemon would (its variables are appended
    after the image's, and the hook is then called directly: mode ``legacy``).

    The verdict and the runtime's messages are decided here, on the compiled evaluator; the
    explanation (per-clause trace, diagnostics, advice) is worked out when first read. Invalid
    input raises here, never later.

    >>> from nvreq.host.profile import Gpu, HostProfile
    >>> host = HostProfile(gpus=(Gpu(0, brand="Nvidia", arch="9.0"),), driver="550.54.15",
    ...                    cuda="12.4")
    >>> report = check_env({"NVIDIA_REQUIRE_CUDA": "cuda>=12.5",
    ...                     "NVIDIA_VISIBLE_DEVICES": "all"}, host)
    >>> report.verdict, bool(report)
    ('unsatisfied', False)
    >>> print(report.runtime_message)  # doctest: +ELLIPSIS
    requirement error: unsatisfied condition: cuda>=12.5, please update your driver ...
    """
    if not isinstance(env, Mapping):
        env = list(env)
    key = None
    if not (mounts or annotations or config):
        key = _memo_key(env, host, semantics, mode, privileged, gpus)
    basis = None if key is None else _BASES.get(key)
    if basis is None or basis.host is not host:
        basis = _Basis(host, gate(env, host, semantics=semantics, mode=mode,
                                  privileged=privileged, mounts=mounts, annotations=annotations,
                                  config=config, gpus=gpus))
        if key is not None:
            _BASES.put(key, basis)
    return basis.report(unknown)


def _memo_key(env: Mapping[str, str] | list[str], host: HostProfile, *options: object
              ) -> Hashable | None:
    """What a check depends on, when every part of it is plain text (else None: not memoised)."""
    entries: tuple[object, ...]
    if isinstance(env, Mapping):
        items = tuple(env.items())
        plain = all(type(k) is str and type(v) is str for k, v in items)
        entries = items
    else:
        entries = tuple(env)
        plain = all(type(e) is str for e in entries)
    semantics, mode, privileged, gpus = options
    if isinstance(gpus, list | tuple):
        gpus = tuple(gpus)
        plain = plain and all(type(g) is str for g in gpus)
    elif gpus is not None and type(gpus) is not str:
        return None
    if not plain or (privileged is not None and type(privileged) is not bool):
        return None
    key = (isinstance(env, Mapping), entries, id(host), semantics, mode, privileged, gpus)
    try:
        hash(key)
    except TypeError:
        return None
    return key


class _Basis:
    """One gate's outcome on one host, and the report made from it per ``unknown`` rule: reports
    are immutable, so a check asked again is answered with the same report."""

    __slots__ = ("_reports", "base", "compiled", "gate", "host")

    def __init__(self, host: HostProfile, g: Gate) -> None:
        self.host = host
        self.gate = g
        selection, caps = g.selection, g.capabilities
        warnings = [f"{w.code}: {w.message}" for w in selection.warnings]
        warnings += [f"--gpus: {n}" for n in g.notes]
        warnings += list(selection.explanation)
        #: what every report from this gate says, whatever the verdict
        self.base = Report(
            "error", host, enforced=g.enforced, semantics=g.semantics,
            toolkit_behaviour=g.behaviour, mode=selection.mode,
            gpu_container=selection.gpu_container, requested=selection.requested,
            devices=selection.devices, capabilities=caps.capabilities if caps else None,
            warnings=tuple(warnings), selection=selection, capability_details=caps,
            details=Deferred(self._unexplained))
        self.compiled = tuple(compiled_for(r) for _, r in g.collected.requirements)
        self._reports: dict[Unknown, Report] = {}

    def report(self, unknown: Unknown) -> Report:
        found = self._reports.get(unknown)
        if found is None:
            found = self._reports[unknown] = self._make(unknown)
        return found

    def _make(self, unknown: Unknown) -> Report:
        g = self.gate
        if g.error:
            return replace(self.base, runtime_message=g.error, runtime_messages=(g.error,))
        if g.semantics == "toolkit":
            return self._toolkit()
        outcome, failed_gpu, messages = _decide(self.host, g, self.compiled, unknown)
        return replace(self.base, verdict=outcome, failed_gpu=failed_gpu,
                       runtime_message=messages[0] if messages else None,
                       runtime_messages=messages, order_dependent=len(messages) > 1,
                       details=Deferred(lambda: self._explained(unknown)),
                       ).unless_unchecked(disabled=g.disabled)

    def _toolkit(self) -> Report:
        from nvreq.check.toolkit_report import OUTSIDE_CSV, check_toolkit

        g = self.gate
        found = check_toolkit(g.collected, self.host, g.selection, g.behaviour)
        warnings = self.base.warnings
        if g.selection.mode != "csv":
            warnings = (*warnings, OUTSIDE_CSV)
        return replace(self.base, verdict=found.outcome, runtime_message=found.runtime_message,
                       runtime_messages=found.runtime_messages,
                       order_dependent=len(found.runtime_messages) > 1, warnings=warnings,
                       disagreements=found.disagreements, toolkit=found.trace,
                       ).unless_unchecked(disabled=g.collected.disabled)

    def _results(self) -> tuple[RequirementResult, ...]:
        return tuple(RequirementResult(n, r, n == LEGACY_VARIABLE)
                     for n, r in self.gate.collected.requirements)

    def _unexplained(self) -> Details:
        return Details(self._results(), self.gate.collected.diagnostics)

    def _explained(self, unknown: Unknown) -> Details:
        """The explaining evaluator's trace per requirement per GPU, and the advice."""
        g = self.gate
        requirements = g.collected.requirements
        contexts = _contexts(self.host, g.selection, unknown)
        per_req, first_fail = _evaluate_all(requirements, contexts)
        results = tuple(replace(r, verdicts=tuple(vs))
                        for r, vs in zip(self._results(), per_req, strict=True))
        all_verdicts = [v for vs in per_req for v in vs]
        advice: list[Advice]
        if first_fail is not None:
            advice = advise(requirements, contexts[first_fail], all_verdicts)
        else:
            advice = forward_compatibility_notes(all_verdicts)
        return Details(results, g.collected.diagnostics, tuple(advice),
                       any(v.assumed for v in all_verdicts))


#: gate outcomes per distinct input (text, host, options): images are checked again and again.
#: Each may hold an explanation of some 100 kB for a long text on a host of many GPU kinds.
_BASES: Memo[Hashable, _Basis] = Memo(256)


def _contexts(host: HostProfile, selection: DeviceSelection, unknown: Unknown) -> list[Context]:
    return contexts_for(host, selection if selection.gpu_container else None, unknown)


def _decide(host: HostProfile, g: Gate, compiled: Sequence[CompiledRequirement],
            unknown: Unknown) -> _Decision:
    """The first failing requirement on the first failing GPU decides; on that GPU every failing
    requirement's message is one the runtime may print (it collects them in random order)."""
    contexts = _contexts(host, g.selection, unknown)
    for ctx in contexts:
        key = context_key(ctx)
        results = [c.evaluate_key(key) for c in compiled]
        failing = [(c, r) for c, r in zip(compiled, results, strict=True)
                   if r is not Result.SATISFIED]
        if not failing:
            continue
        messages: list[str] = []
        for c, r in failing:
            message = INVALID_EXPRESSION if r is Result.ERROR else unsatisfied_message(
                c.requirement)
            if message not in messages:
                messages.append(message)
        outcome: VerdictName = "error" if failing[0][1] is Result.ERROR else "unsatisfied"
        return outcome, ctx.gpu, tuple(messages)
    return "satisfied", None, ()


def _capabilities(env: Mapping[str, str], host: HostProfile, selection: DeviceSelection,
                  legacy: bool, settings: ToolkitConfig) -> CapabilityResult | None:
    if not selection.gpu_container:
        return None
    supported = settings.supported_driver_capabilities
    mode = selection.mode if selection.mode in ("legacy", "jit-cdi", "cdi", "csv") else "legacy"
    return resolve_capabilities(env, legacy_image=legacy, supported=supported, mode=mode,
                                toolkit_version=host.runtime.toolkit_version)


def _hook_error(selection: DeviceSelection, capabilities: CapabilityResult | None,
                collection_error: str | None) -> str | None:
    """The first error the hook itself raises, before it calls nvidia-container-cli."""
    if not selection.gpu_container:
        return None
    error = selection.error
    if error and (error == HOOK_CDI_ERROR or not error.startswith(_CLI_ERRORS)) and \
            selection.mode == "legacy":
        return error
    if capabilities is not None and capabilities.enforced and capabilities.error:
        return capabilities.error
    if error and selection.mode != "legacy":
        return error
    return collection_error
