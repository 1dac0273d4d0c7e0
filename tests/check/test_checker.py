"""check_env: the verdict on the compiled evaluator, the explanation when first read, equal to the
explaining evaluator's; errors raised in check_env itself; results remembered per distinct input."""

from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nvreq._memo import Deferred
from nvreq.check.checker import check_env, contexts_for, gate
from nvreq.check.cuda_table import BRANCHES
from nvreq.check.report import Details, Report
from nvreq.errors import InputError, InvalidRequirement, NvreqError
from nvreq.host.profile import Gpu, HostProfile
from nvreq.require.semantics import Context, Unknown, evaluate
from tests.host_strategies import host_profiles
from tests.hosts import CUDA_12_4_1
from tests.strategies import environments

H100 = HostProfile.preset("h100-r550")
T4 = HostProfile.preset("t4-r470")
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _fresh(host: HostProfile) -> HostProfile:
    """An equal profile that is another object, so that nothing remembered for ``host`` serves."""
    return replace(host)


def _explained(env: list[str], host: HostProfile, unknown: Unknown) -> dict[str, object] | None:
    """What the explaining evaluator alone decides (the eager road), or None off the cli road."""
    g = gate(env, host)
    if g.error or g.semantics == "toolkit":
        return None
    contexts = contexts_for(host, g.selection if g.selection.gpu_container else None, unknown)
    per_req = [[evaluate(req, ctx) for ctx in contexts] for _, req in g.collected.requirements]
    fail = next((i for i in range(len(contexts)) if any(not vs[i] for vs in per_req)), None)
    messages: list[str] = []
    outcome = "satisfied"
    branch = None
    if fail is not None:
        failing = [vs[fail] for vs in per_req if not vs[fail]]
        for v in failing:
            if v.message and v.message not in messages:
                messages.append(v.message)
        outcome = failing[0].result
        ctx = contexts[fail]
        branch = next((b.name for b in BRANCHES if all(
            evaluate(req, Context(b.cuda, b.first_driver, ctx.device, ctx.arch, ctx.brand,
                                  ctx.gpu, ctx.unknown))
            for _, req in g.collected.requirements)), None)
    return {"outcome": outcome, "messages": tuple(messages),
            "failed_gpu": contexts[fail].gpu if fail is not None else None,
            "verdicts": [tuple(vs) for vs in per_req],
            "assumed": any(v.assumed for vs in per_req for v in vs), "branch": branch}


@FAST
@given(env=environments(), host=host_profiles(max_gpus=3),
       unknown=st.sampled_from(["assume", "fail"]))
def test_the_compiled_verdict_and_the_lazy_explanation_equal_the_explaining_evaluator(
        env: list[str], host: HostProfile, unknown: Unknown) -> None:
    try:
        report = check_env(env, host, unknown=unknown)
    except NvreqError:
        return
    expected = _explained(env, host, unknown)
    if expected is None:
        return
    assert not report.details.computed
    decided = report.would_be if report.verdict == "not-checked" else report.verdict
    assert (decided, report.runtime_messages, report.failed_gpu) == (
        expected["outcome"], expected["messages"], expected["failed_gpu"])
    assert [r.verdicts for r in report.requirements] == expected["verdicts"]
    assert report.assumed == expected["assumed"]
    codes = {a.code: dict(a.facts) for a in report.advice}
    if expected["outcome"] != "satisfied":
        assert codes.get("oldest-branch", {}).get("branch") == expected["branch"]
        assert ("no-branch" in codes) == (expected["branch"] is None)


@FAST
@given(env=environments(), host=host_profiles(max_gpus=3),
       semantics=st.sampled_from([None, "toolkit"]))
def test_what_is_read_first_does_not_change_the_report(env: list[str], host: HostProfile,
                                                       semantics: str | None) -> None:
    try:
        first = check_env(env, host, semantics=semantics)  # type: ignore[arg-type]
    except NvreqError:
        return
    verdict = (bool(first), first.verdict, first.runtime_message)
    second = check_env(env, _fresh(host), semantics=semantics)  # type: ignore[arg-type]
    as_dict, text = second.to_dict(), second.explain()
    assert (bool(second), second.verdict, second.runtime_message) == verdict
    assert first.to_dict() == as_dict and first.explain() == text
    assert first == second


def test_a_remembered_check_is_the_same_check() -> None:
    env = [f"NVIDIA_REQUIRE_CUDA={CUDA_12_4_1}", "NVIDIA_VISIBLE_DEVICES=all"]
    first = check_env(env, T4)
    again = check_env(env, T4)
    assert again == first and again.to_dict() == first.to_dict()
    assert again.to_dict() is not again.to_dict()
    assert check_env(dict(e.split("=", 1) for e in env), _fresh(T4)) == first


def test_a_changed_environment_is_checked_anew() -> None:
    env = {"NVIDIA_REQUIRE_CUDA": "cuda>=12.4", "NVIDIA_VISIBLE_DEVICES": "all"}
    assert check_env(env, H100).verdict == "satisfied"
    env["NVIDIA_REQUIRE_CUDA"] = "cuda>=12.8"
    assert check_env(env, H100).verdict == "unsatisfied"
    env["NVIDIA_DISABLE_REQUIRE"] = "true"
    assert check_env(env, H100).verdict == "not-checked"


@pytest.mark.parametrize(("env", "options", "error", "message"), [
    (["NVIDIA_REQUIRE_CUDA=cuda>=12.4\0"], {}, InvalidRequirement, "NUL byte"),
    ([f"NVIDIA_REQUIRE_CUDA={'cuda>=1 ' * 1100}"], {}, InvalidRequirement, "alternatives"),
    (["NVIDIA_REQUIRE_CUDA=cuda>=12.4"], {"semantics": "go"}, InputError, "unknown semantics"),
    (["NVIDIA_VISIBLE_DEVICES=all"], {"mode": "fast"}, InputError, "unknown runtime mode"),
])
def test_invalid_input_fails_inside_check_env_every_time(
        env: list[str], options: dict[str, str], error: type[Exception], message: str) -> None:
    for _ in range(2):
        with pytest.raises(error, match=message):
            check_env(env, H100, **options)  # type: ignore[arg-type]


def test_the_verdict_path_leaves_the_explanation_unread() -> None:
    host = HostProfile(gpus=(Gpu(0, brand="Nvidia", arch="9.0"),), driver="545.23.06",
                       cuda="12.3")
    report = check_env([f"NVIDIA_REQUIRE_CUDA={CUDA_12_4_1}", "NVIDIA_VISIBLE_DEVICES=all"], host)
    assert (report.verdict, report.failed_gpu) == ("unsatisfied", "0")
    assert report.runtime_message is not None and not report.details.computed
    assert [a.code for a in report.advice] == ["min-driver", "oldest-branch",
                                               "minor-version-compatibility"]
    assert report.details.computed


def test_options_that_are_not_plain_text_are_checked_without_memo() -> None:
    host = HostProfile(gpus=(Gpu(0, uuid="GPU-a"),), driver="550.54.15", cuda="12.4")
    env = {"NVIDIA_REQUIRE_CUDA": "cuda>=12.8", "NVIDIA_VISIBLE_DEVICES": "all"}
    assert check_env(env, host, config={"disable-require": True}).verdict == "not-checked"
    assert check_env(env, host).verdict == "unsatisfied"
    assert check_env(env, host, privileged=1).verdict == "unsatisfied"  # type: ignore[arg-type]


def test_reports_compare_by_their_explanation_too() -> None:
    report = check_env(["NVIDIA_REQUIRE_CUDA=cuda>=12.4 foo=1", "NVIDIA_VISIBLE_DEVICES=all"], H100)
    bare = replace(report, details=Deferred.of(Details()))
    assert isinstance(bare, Report) and bare.verdict == report.verdict
    assert bare != report and bare.diagnostics == () and report.diagnostics
