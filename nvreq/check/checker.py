"""``check_env``: an environment against a host, as the runtime would judge it, explained.

Data takes one road: env -> collect -> devices -> evaluate per GPU -> Report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

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
from nvreq.check.report import Report, RequirementResult, VerdictName
from nvreq.devices.capabilities import CapabilityResult, resolve_capabilities
from nvreq.devices.select import (
    HOOK_CDI_ERROR,
    DeviceSelection,
    render_device_table,
    resolve_devices,
)
from nvreq.errors import InputError, unknown_choice
from nvreq.host.config import ToolkitConfig
from nvreq.host.profile import HostProfile
from nvreq.require.gosemver import Behaviour, behaviour_for
from nvreq.require.semantics import Context, Unknown, Verdict, evaluate
from nvreq.require.syntax import Requirement

__all__ = ["Gate", "check_env", "contexts_for", "gate"]

Semantics = Literal["cli", "toolkit"]
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


@dataclass(frozen=True, slots=True)
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
    g = gate(env, host, semantics=semantics, mode=mode, privileged=privileged, mounts=mounts,
             annotations=annotations, config=config, gpus=gpus)
    selection, collected = g.selection, g.collected
    warnings = [f"{w.code}: {w.message}" for w in selection.warnings]
    warnings += [f"--gpus: {n}" for n in g.notes]
    warnings += list(selection.explanation)
    common: dict[str, Any] = {
        "host": host, "semantics": g.semantics, "toolkit_behaviour": g.behaviour,
        "mode": selection.mode, "enforced": g.enforced, "diagnostics": collected.diagnostics,
        "gpu_container": selection.gpu_container, "requested": selection.requested,
        "devices": selection.devices, "warnings": tuple(warnings),
        "capabilities": g.capabilities.capabilities if g.capabilities else None,
        "device_table": tuple(render_device_table(host, selection)),
        "extra": {"selection": selection.to_dict(),
                  "capability_details": g.capabilities.to_dict() if g.capabilities else None},
    }
    results = tuple(RequirementResult(n, r, n == LEGACY_VARIABLE)
                    for n, r in collected.requirements)
    if g.error:
        return Report("error", runtime_message=g.error, runtime_messages=(g.error,),
                      requirements=results, **common)
    if g.semantics == "toolkit":
        from nvreq.check.toolkit_report import check_toolkit

        return check_toolkit(collected, host, selection, common)
    return _evaluated(collected.requirements, host, selection, g.disabled, unknown, common)


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


def _evaluated(requirements: Sequence[tuple[str, Requirement]], host: HostProfile,
               selection: DeviceSelection, disabled: bool, unknown: Unknown,
               common: dict[str, Any]) -> Report:
    contexts = contexts_for(host, selection if selection.gpu_container else None, unknown)
    per_req, first_fail = _evaluate_all(requirements, contexts)
    results = tuple(RequirementResult(name, req, name == LEGACY_VARIABLE, tuple(verdicts))
                    for (name, req), verdicts in zip(requirements, per_req, strict=True))
    messages: list[str] = []
    outcome: VerdictName = "satisfied"
    if first_fail is not None:
        for verdicts in per_req:
            v = verdicts[first_fail]
            if not v and v.message and v.message not in messages:
                messages.append(v.message)
        first = next(vs[first_fail] for vs in per_req if not vs[first_fail])
        outcome = "error" if first.result == "error" else "unsatisfied"
    all_verdicts = [v for vs in per_req for v in vs]
    advice: list[Advice]
    if first_fail is not None:
        advice = advise(requirements, contexts[first_fail], all_verdicts)
    else:
        advice = forward_compatibility_notes(all_verdicts)
    fields: dict[str, Any] = {
        **common, "requirements": results, "assumed": any(v.assumed for v in all_verdicts),
        "advice": tuple(advice),
        "failed_gpu": contexts[first_fail].gpu if first_fail is not None else None,
        "runtime_message": messages[0] if messages else None,
        "runtime_messages": tuple(messages), "order_dependent": len(messages) > 1,
    }
    return Report.decided(outcome, disabled=disabled, **fields)
