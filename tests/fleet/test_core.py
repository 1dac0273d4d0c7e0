"""The scheduler API: grouping, verdicts and reasons per host, threads, equality with check_env."""

from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from nvreq.check.checker import check_env
from nvreq.errors import InputError
from nvreq.fleet.core import UNKNOWN_NOTE, Fleet
from nvreq.host.profile import Gpu, HostProfile, RuntimeSettings
from tests.host_strategies import host_profiles
from tests.hosts import CUDA_12_4_1
from tests.strategies import environments

H100 = HostProfile.preset("h100-r550")
T4 = HostProfile.preset("t4-r470")
ENV = ["NVIDIA_REQUIRE_CUDA=cuda>=12.4", "NVIDIA_VISIBLE_DEVICES=all"]


def test_hosts_with_the_same_facts_share_one_evaluation() -> None:
    fleet = Fleet()
    for i in range(100):
        fleet.add(f"h{i}", replace(H100, name=f"h{i}") if i % 2 else T4)
    assert len(fleet) == 100 and fleet.group_count == 2
    result = fleet.evaluate(ENV)
    assert len(result.outcomes) == 2
    assert result.counts() == {"satisfied": 50, "unsatisfied": 50}
    assert result["h1"].verdict == "satisfied" and not result["h0"]
    assert sorted(result.runnable()) == sorted(f"h{i}" for i in range(1, 100, 2))
    assert [v.name for v in result][:2] == ["h0", "h2"]


def test_verdicts_carry_the_runtime_message_and_notes() -> None:
    fleet = Fleet({"t4": T4}, notes={"t4": ("brand: from a label",)})
    verdict = fleet.evaluate(ENV)["t4"]
    assert verdict.outcome.message is not None
    assert verdict.outcome.message.startswith(
        "requirement error: unsatisfied condition: cuda>=12.4")
    assert verdict.reasons[-1] == "brand: from a label"
    assert verdict.outcome.failed_gpu == "0"


def test_unknown_facts_fail_by_default_and_say_so() -> None:
    no_brand = HostProfile(gpus=(Gpu(0, arch="8.0"),), driver="535.104.05", cuda="12.2")
    env = ["NVIDIA_REQUIRE_CUDA=cuda>=12.4 brand=nvidia,driver>=535,driver<536",
           "NVIDIA_VISIBLE_DEVICES=all"]
    failing = Fleet({"a": no_brand}).evaluate(env)["a"]
    assert failing.verdict == "unsatisfied" and UNKNOWN_NOTE in failing.reasons
    assert Fleet({"a": no_brand}, unknown="assume").evaluate(env)["a"].verdict == "satisfied"
    with pytest.raises(InputError):
        Fleet(unknown="maybe")  # type: ignore[arg-type]


def test_not_checked_and_error_outcomes() -> None:
    fleet = Fleet({"h": H100})
    off = fleet.evaluate(["NVIDIA_REQUIRE_CUDA=cuda>=99", "NVIDIA_DISABLE_REQUIRE=true",
                          "NVIDIA_VISIBLE_DEVICES=all"])["h"]
    assert off and off.verdict == "not-checked" and off.outcome.would_be == "unsatisfied"
    bad = fleet.evaluate(["CUDA_VERSION=foo"])["h"]
    assert bad.verdict == "error" and "invalid CUDA version foo" in (bad.outcome.message or "")


def test_registration_errors_and_removal() -> None:
    fleet = Fleet({"a": H100, "b": T4})
    with pytest.raises(InputError, match="already registered"):
        fleet.add("a", T4)
    before = fleet.evaluate(ENV)
    fleet.remove("a")
    fleet.add("c", H100)
    after = fleet.evaluate(ENV)
    assert [v.name for v in before] == ["a", "b"] and "c" not in [v.name for v in before]
    assert sorted(v.name for v in after) == ["b", "c"]
    with pytest.raises(KeyError):
        before["c"]
    with pytest.raises(KeyError):
        fleet.remove("zz")
    assert fleet.profile("c") == H100 and "a" not in fleet


def test_report_explains_one_host() -> None:
    # the official 12.4.1 string admits the T4 host through its R470 forward-compatibility term
    result = Fleet({"t4": T4}).evaluate(["NVIDIA_REQUIRE_CUDA=" + CUDA_12_4_1,
                                         "NVIDIA_VISIBLE_DEVICES=all"])
    report = result.report("t4")
    assert result["t4"].verdict == report.verdict == "satisfied"
    assert report.requirements[0].verdicts[0].alternatives[3].kind == "driver-branch"


def test_evaluation_is_thread_safe_while_hosts_are_added() -> None:
    fleet = Fleet({f"a{i}": H100 for i in range(200)})
    errors: list[BaseException] = []

    def evaluate() -> None:
        try:
            for _ in range(50):
                result = fleet.evaluate(ENV)
                counts = result.counts()
                assert sum(counts.values()) == len(result)
                assert all(v.verdict == ("satisfied" if v.name.startswith("a") else
                                         "unsatisfied") for v in result)
        except BaseException as exc:  # reported below
            errors.append(exc)

    def add() -> None:
        for i in range(500):
            fleet.add(f"t{i}", T4)

    threads = [threading.Thread(target=evaluate) for _ in range(3)] + [threading.Thread(
        target=add)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert fleet.evaluate(ENV).counts() == {"satisfied": 200, "unsatisfied": 500}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(env=environments(), host=host_profiles(max_gpus=3),
       unknown=st.sampled_from(["fail", "assume"]))
def test_fleet_verdicts_equal_check_env(env: list[str], host: HostProfile, unknown: str) -> None:
    assume(host.runtime.mode != "csv")  # the toolkit semantics goes through check_env itself
    report = check_env(env, host, unknown=unknown)  # type: ignore[arg-type]
    outcome = Fleet({"h": host}, unknown=unknown).evaluate(env)["h"].outcome  # type: ignore[arg-type]
    assert (outcome.verdict, outcome.message, outcome.reason, outcome.would_be, outcome.enforced,
            outcome.failed_gpu) == (report.verdict, report.runtime_message, report.reason,
                                    report.would_be, report.enforced, report.failed_gpu)


def test_runtime_settings_split_groups() -> None:
    cdi = replace(H100, runtime=RuntimeSettings(mode="cdi"))
    fleet = Fleet({"a": H100, "b": cdi})
    assert fleet.group_count == 2
    assert not fleet.evaluate(ENV)["b"].outcome.enforced
