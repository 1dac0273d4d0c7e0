"""A real host: the profile nvreq read through NVML on an H200, and that machine's own env.

The runtime accepted this environment on this host (the container started), so nvreq must say so.
"""

from __future__ import annotations

from pathlib import Path

from nvreq.check.checker import check_env
from nvreq.cli._common import read_env_file
from nvreq.host.profile import HostProfile

DATA = Path(__file__).parents[1] / "data"


def test_live_h200_profile_loads_and_round_trips() -> None:
    host = HostProfile.load(DATA / "h200-live-profile.json")
    assert (host.driver, host.cuda) == ("580.159.04", "13.0")
    (gpu,) = host.gpus
    assert (gpu.brand, gpu.arch, gpu.memory_mib) == ("Nvidia", "9.0", 143771)
    assert HostProfile.from_dict(host.to_dict()) == host


def test_the_machines_own_environment_is_satisfied_there() -> None:
    host = HostProfile.load(DATA / "h200-live-profile.json")
    env = read_env_file(str(DATA / "h200-device-env.txt"))
    report = check_env(env, host)
    assert report.verdict == "satisfied"
    assert report.devices == ("GPU-d060a882-66f2-cfa5-0d7f-a63faa68f799",)
    assert report.capabilities == ("compute", "graphics", "utility")
    first = report.requirements[0].verdicts[0].alternatives[0]
    assert (str(first.alternative), first.status, first.kind) == ("cuda>=13.0", "satisfied",
                                                                  "native")


def test_the_same_image_runs_on_r550_through_forward_compatibility() -> None:
    env = read_env_file(str(DATA / "h200-device-env.txt"))
    report = check_env(env, HostProfile.preset("h100-r550"))
    assert report.verdict == "satisfied"
    assert [a.code for a in report.advice] == ["forward-compatibility"]


def test_the_same_image_on_r470_is_refused_with_the_branch_advice() -> None:
    env = read_env_file(str(DATA / "h200-device-env.txt"))
    report = check_env(env, HostProfile.preset("t4-r470"))
    assert report.verdict == "unsatisfied"
    assert report.runtime_message is not None
    assert report.runtime_message.startswith("requirement error: unsatisfied condition: cuda>=13.0")
    advice = {a.code: dict(a.facts) for a in report.advice}
    assert advice["oldest-branch"]["branch"] == "R535"
