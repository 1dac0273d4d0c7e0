"""``check_env``: an environment against a host, as the runtime would judge it, explained.

Data takes one road: env -> collect -> devices -> evaluate per GPU -> Report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Literal

from nvreq.advice import Advice, advise, forward_compatibility_notes
from nvreq.collect import LEGACY_VARIABLE, MAX_REQUIREMENTS, TOO_MANY, collect, environment
from nvreq.devices import DeviceSelection, resolve_devices
from nvreq.errors import InputError
from nvreq.gosemver import behaviour_for
from nvreq.host import HostProfile
from nvreq.report import Report, RequirementResult, VerdictName
from nvreq.requirements import Requirement
from nvreq.semantics import Context, Unknown, Verdict, evaluate

__all__ = ["check_env", "contexts_for"]

Semantics = Literal["cli", "toolkit"]
_MODES = ("legacy", "jit-cdi", "cdi", "csv", "auto")


def contexts_for(host: HostProfile, selection: DeviceSelection | None,
                 unknown: Unknown = "assume") -> list[Context]:
    """The evaluation contexts: each selected GPU, then each MIG device's parent; else none."""
    tv = host.runtime.toolkit_version
    if selection is None:
        gpus = [(g, str(g.index)) for g in host.gpus]
    else:
        gpus = [(g, str(g.index)) for g in selection.gpus]
        gpus += [(p, f"{p.index}:{m.index}") for p, m in selection.mig_devices]
    if not gpus:
        return [Context(host.cuda, host.driver, unknown=unknown)]
    return [Context.for_gpu(host.cuda, host.driver, g.arch, g.brand, gpu=label, unknown=unknown,
                            toolkit_version=tv) for g, label in gpus]


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


def _resolve_mode(mode: str | None, host: HostProfile) -> str:
    chosen = mode or host.runtime.mode or "legacy"
    if chosen not in _MODES:
        raise InputError(f"unknown runtime mode {chosen!r}; expected one of {', '.join(_MODES)}")
    return chosen


def check_env(env: Mapping[str, str] | Iterable[str], host: HostProfile, *,
              semantics: Semantics | None = None, unknown: Unknown = "assume",
              mode: str | None = None, privileged: bool | None = None,
              mounts: Sequence[Mapping[str, str]] = (),
              annotations: Mapping[str, str] | None = None,
              config: Mapping[str, Any] | None = None) -> Report:
    """Check a container environment (a mapping, or ``KEY=VALUE`` entries) against ``host``.

    >>> from nvreq.host import Gpu, HostProfile
    >>> host = HostProfile(gpus=(Gpu(0, brand="Nvidia", arch="9.0"),), driver="550.54.15",
    ...                    cuda="12.4")
    >>> report = check_env({"NVIDIA_REQUIRE_CUDA": "cuda>=12.5",
    ...                     "NVIDIA_VISIBLE_DEVICES": "all"}, host)
    >>> report.verdict, bool(report)
    ('unsatisfied', False)
    >>> print(report.runtime_message)  # doctest: +ELLIPSIS
    requirement error: unsatisfied condition: cuda>=12.5, please update your driver ...
    """
    run_mode = _resolve_mode(mode, host)
    if semantics is None:
        semantics = "toolkit" if run_mode == "csv" else "cli"
    if semantics not in ("cli", "toolkit"):
        raise InputError(f"unknown semantics {semantics!r}; expected 'cli' or 'toolkit'")
    behaviour = behaviour_for(host.runtime.toolkit_version)
    env_map, env_error = environment(env)
    merged_config = {**dict(host.runtime.config), **dict(config or {})}
    config_disable = semantics == "cli" and merged_config.get("disable-require") is True
    collected = collect(env_map, behaviour=behaviour, config_disable=config_disable)
    is_privileged = privileged if privileged is not None else bool(host.runtime.privileged)
    selection = resolve_devices(env_map, host, mode=run_mode, privileged=is_privileged,
                                mounts=mounts, annotations=annotations, config=merged_config,
                                legacy_image=collected.legacy)
    enforced = selection.enforces_requirements and run_mode not in ("cdi", "jit-cdi")
    common: dict[str, Any] = {
        "host": host, "semantics": semantics, "toolkit_behaviour": behaviour, "mode": run_mode,
        "enforced": enforced, "diagnostics": collected.diagnostics,
        "gpu_container": selection.gpu_container, "requested": selection.requested,
        "devices": selection.devices, "warnings": selection.warnings,
    }
    if not enforced:
        common["warnings"] = (*selection.warnings, f"mode {run_mode}: the runtime does not check "
                              "NVIDIA_REQUIRE_* or NVIDIA_DRIVER_CAPABILITIES; the verdict says "
                              "what the image needs, not what the runtime enforces")
    if env_error or collected.error:
        message = env_error or collected.error
        return Report("error", runtime_message=message, runtime_messages=(message or "",),
                      **common)
    if semantics == "toolkit":
        from nvreq.toolkit_check import check_toolkit

        return check_toolkit(collected, host, selection, common)
    requirements = collected.requirements
    if len(requirements) > MAX_REQUIREMENTS and selection.gpu_container and not collected.disabled:
        return Report("error", runtime_message=TOO_MANY, runtime_messages=(TOO_MANY,),
                      requirements=tuple(RequirementResult(n, r, n == LEGACY_VARIABLE)
                                         for n, r in requirements), **common)
    if selection.error and selection.gpu_container and not collected.disabled:
        return Report("error", runtime_message=selection.error,
                      runtime_messages=(selection.error,), **common)
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
    assumed = any(v.assumed for vs in per_req for v in vs)
    advice: list[Advice] = []
    all_verdicts = [v for vs in per_req for v in vs]
    if first_fail is not None:
        advice = advise(requirements, contexts[first_fail], all_verdicts)
    else:
        advice = forward_compatibility_notes(all_verdicts)
    fields: dict[str, Any] = {
        **common, "requirements": results, "assumed": assumed, "advice": tuple(advice),
        "failed_gpu": contexts[first_fail].gpu if first_fail is not None else None,
        "runtime_message": messages[0] if messages else None,
        "runtime_messages": tuple(messages), "order_dependent": len(messages) > 1,
    }
    if collected.disabled or not selection.gpu_container:
        # the runtime prints nothing; runtime_messages keeps what it would have printed
        fields["runtime_message"] = None
        reason = "disabled" if collected.disabled else "no-devices"
        return Report("not-checked", reason=reason, would_be=outcome, **fields)
    return Report(outcome, **fields)
