"""docker --gpus (gpus-flag.md): CLI grammar, DeviceRequest, daemon env, §7 examples end to end."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.devices.gpus_flag import (
    DeviceRequest,
    GpusFlagError,
    apply_gpus_flag,
    parse_gpus_flag,
    plan_gpus_flags,
)
from nvreq.devices.select import resolve_devices
from nvreq.errors import InputError
from nvreq.formats.go_text import go_quote
from nvreq.host.profile import Gpu, HostProfile

HOST = HostProfile(gpus=(Gpu(0), Gpu(1)))
UUID = "GPU-3a23c669-1f69-c64e-cf85-44e9b07e7a2a"


def request(value: str) -> dict[str, Any]:
    return parse_gpus_flag(value).to_dict()


# gpus-flag.md §3.
@pytest.mark.parametrize(("value", "count", "ids", "caps", "driver", "options"), [
    ("all", -1, None, [["gpu"]], "", {}),
    ("-1", -1, None, [["gpu"]], "", {}),
    ("count=all", -1, None, [["gpu"]], "", {}),
    ("count=-1", -1, None, [["gpu"]], "", {}),
    ("2", 2, None, [["gpu"]], "", {}),
    ("+2", 2, None, [["gpu"]], "", {}),
    ('"device=0,2"', 0, ["0", "2"], [["gpu"]], "", {}),
    ("device=0,2", 2, ["0"], [["gpu"]], "", {}),
    ("device=", 0, [""], [["gpu"]], "", {}),
    ("device= 0", 0, [" 0"], [["gpu"]], "", {}),
    ('driver=nvidia,"capabilities=compute,utility","options=foo=bar,baz=qux"', 1, None,
     [["compute", "utility", "gpu"]], "nvidia", {"foo": "bar", "baz": "qux"}),
    ("options=a", 1, None, [["gpu"]], "", {"a": ""}),
])
def test_device_request(value: str, count: int, ids: list[str] | None, caps: list[list[str]],
                        driver: str, options: dict[str, str]) -> None:
    assert request(value) == {"Driver": driver, "Count": count, "DeviceIDs": ids,
                              "Capabilities": caps, "Options": options}


@pytest.mark.parametrize(("value", "error"), [
    ("", "EOF"),
    ("\n\n", "EOF"),
    ('device="1,2"', 'parse error on line 1, column 8: bare " in non-quoted-field'),
    ('"device=1,2', 'parse error on line 1, column 12: extraneous or missing " in quoted-field'),
    ('"device"x', 'parse error on line 1, column 8: extraneous or missing " in quoted-field'),
    ('"a\nb"c', 'record on line 1; parse error on line 2, column 2: extraneous or missing " in '
     "quoted-field"),
    ("capabilities=compute,utility",
     'invalid count (utility): value must be either "all" or an integer: invalid syntax'),
    ("count=x", 'invalid count (x): value must be either "all" or an integer: invalid syntax'),
    ("count=9223372036854775808",
     'invalid count (9223372036854775808): value must be either "all" or an integer: value out of '
     "range"),
    ("count= 1", 'invalid count ( 1): value must be either "all" or an integer: invalid syntax'),
    ("1,count=2", "gpu request key 'count' can be specified only once"),
    ("1,1", "gpu request key '1' can be specified only once"),
    ("driver=a,driver=b", "gpu request key 'driver' can be specified only once"),
    ("foo=bar", "unexpected key 'foo' in 'foo=bar'"),
    ("Device=0", "unexpected key 'Device' in 'Device=0'"),
    ("options=", "failed to read gpu options: EOF"),
    ('options=a"b', 'parse error on line 1, column 10: bare " in non-quoted-field'),
    ('"options=a""b"', 'failed to read gpu options: parse error on line 1, column 2: bare " in '
     "non-quoted-field"),
])
def test_docker_cli_errors(value: str, error: str) -> None:
    with pytest.raises(GpusFlagError) as ctx:
        parse_gpus_flag(value)
    assert ctx.value.reason == error
    assert str(ctx.value) == f'invalid argument {go_quote(value)} for "--gpus" flag: {error}'
    assert ctx.value.stage == "cli"


def test_example_19_old_count_error_text() -> None:
    with pytest.raises(GpusFlagError) as ctx:
        parse_gpus_flag("count=x", cli_version="27.5.1")
    assert ctx.value.reason == 'count must be an integer: strconv.Atoi: parsing "x": invalid syntax'


def test_repeated_counts() -> None:
    assert parse_gpus_flag("count=2,1").count == 1
    assert parse_gpus_flag("1,2").count == 2


def test_go_quote() -> None:
    assert go_quote('a"b\\c\n\x01é\u200b') == '"a\\"b\\\\c\\n\\x01é\\u200b"'


def test_input_limits() -> None:
    with pytest.raises(InputError, match="4096"):
        parse_gpus_flag("1" * 5000)
    with pytest.raises(InputError, match="64 fields"):
        parse_gpus_flag(",".join(["options=a"] * 65))
    with pytest.raises(InputError, match="16 --gpus"):
        plan_gpus_flags([], ["1"] * 17)


# gpus-flag.md §7, hook path: flag -> env -> legacy resolution on a two-GPU host.
@pytest.mark.parametrize(("flags", "env", "outcome"), [
    (["all"], {"NVIDIA_VISIBLE_DEVICES": "all"}, "0,1"),
    (["2"], {"NVIDIA_VISIBLE_DEVICES": "0,1"}, "0,1"),
    (['"device=0,2"'], {"NVIDIA_VISIBLE_DEVICES": "0,2"}, "device error: 2: unknown device"),
    ([f"device={UUID}"], {"NVIDIA_VISIBLE_DEVICES": UUID}, f"unresolved {UUID}"),
    (["count=3"], {"NVIDIA_VISIBLE_DEVICES": "0,1,2"}, "device error: 2: unknown device"),
    (['driver=nvidia,"capabilities=compute,utility"'],
     {"NVIDIA_VISIBLE_DEVICES": "0", "NVIDIA_DRIVER_CAPABILITIES": "compute,utility"}, "0"),
    (['"capabilities=utility,compute"'],
     {"NVIDIA_VISIBLE_DEVICES": "0", "NVIDIA_DRIVER_CAPABILITIES": "utility,compute"}, "0"),
    (["count=2,1"], {"NVIDIA_VISIBLE_DEVICES": "0"}, "0"),
    (["1,2"], {"NVIDIA_VISIBLE_DEVICES": "0,1"}, "0,1"),
    (["device="], {"NVIDIA_VISIBLE_DEVICES": ""}, "no GPU container"),
    (["device=0", "device=1"], {"NVIDIA_VISIBLE_DEVICES": "1"}, "1"),
])
def test_flag_to_env_to_devices(flags: list[str], env: dict[str, str], outcome: str) -> None:
    image_env = ["PATH=/usr/bin", "NVIDIA_VISIBLE_DEVICES=all", "NVIDIA_REQUIRE_CUDA=cuda>=12.4"]
    final = apply_gpus_flag(image_env, flags)
    assert final[:3] == image_env
    merged = dict(e.split("=", 1) for e in final)
    assert {k: merged[k] for k in env} == env
    if "NVIDIA_DRIVER_CAPABILITIES" not in env:
        assert "NVIDIA_DRIVER_CAPABILITIES" not in merged
    sel = resolve_devices(merged, HOST, mode="legacy", via_hook=True, legacy_image=False)
    if not sel.gpu_container:
        got = "no GPU container"
    elif sel.unresolved:
        got = "unresolved " + ",".join(sel.unresolved)
    else:
        got = sel.error or ",".join(str(g.index) for g in sel.gpus)
    assert got == outcome


@pytest.mark.parametrize(("value", "error"), [
    ("device=0,2", "cannot set both Count and DeviceIDs on device request"),
    ("capabilities=ngx", 'could not select device driver "" with capabilities: [[ngx gpu]]'),
    ("driver=foo", 'could not select device driver "foo" with capabilities: [[gpu]]'),
    ('"capabilities=,compute"', 'could not select device driver "" with capabilities: '
     "[[ compute gpu]]"),
])
def test_daemon_errors(value: str, error: str) -> None:
    with pytest.raises(GpusFlagError) as ctx:
        apply_gpus_flag([], value)
    assert (str(ctx.value), ctx.value.stage) == (error, "daemon")


def test_explicit_nvidia_driver_is_used_without_a_matching_capability_list() -> None:
    assert parse_gpus_flag("driver=nvidia,capabilities=ngx").to_env() == {
        "NVIDIA_VISIBLE_DEVICES": "0"}


@pytest.mark.parametrize(("version", "added", "hook", "outcome"), [
    ("27.5.1", (), True, "0,1"),           # the image's own NVIDIA_VISIBLE_DEVICES=all decides
    ("28.0.0", ("NVIDIA_VISIBLE_DEVICES=void",), True, "no GPU container"),
    ("29.1.9", ("NVIDIA_VISIBLE_DEVICES=void",), True, "no GPU container"),
    ("29.2.0", (), False, "no hook"),
    (None, (), False, "no hook"),
])
def test_example_7_gpus_0_across_daemon_versions(version: str | None, added: tuple[str, ...],
                                                 hook: bool, outcome: str) -> None:
    plan = plan_gpus_flags(["NVIDIA_VISIBLE_DEVICES=all"], "0",
                           docker={"version": version} if version else None)
    assert (plan.added, plan.hook) == (added, hook)
    assert any("--gpus 0" in note for note in plan.notes)
    if hook:
        sel = resolve_devices(dict(e.split("=", 1) for e in plan.env), HOST, legacy_image=False)
        assert (",".join(str(g.index) for g in sel.gpus) if sel.gpu_container
                else "no GPU container") == outcome


def test_gpus_0_keeps_capabilities_before_29_2_only() -> None:
    req = parse_gpus_flag('0,"capabilities=video"')
    assert req.to_env(docker="27.0.0") == {"NVIDIA_DRIVER_CAPABILITIES": "video"}
    assert req.to_env(docker="29.2.0") == {}


@pytest.mark.parametrize(("value", "names"), [
    ("all", ("nvidia.com/gpu=all",)),
    ("2", ("nvidia.com/gpu=0", "nvidia.com/gpu=1")),
    ('"device=0,2"', ("nvidia.com/gpu=0", "nvidia.com/gpu=2")),
    (f"device={UUID}", (f"nvidia.com/gpu={UUID}",)),
    ("device=vendor.com/x=1", ("vendor.com/x=1",)),
    ('driver=nvidia,"capabilities=compute,utility"', ("nvidia.com/gpu=0",)),
    ("count=3", ("nvidia.com/gpu=0", "nvidia.com/gpu=1", "nvidia.com/gpu=2")),
    ("device=", ("nvidia.com/gpu=",)),
    ("0", ()),
])
def test_cdi_path(value: str, names: tuple[str, ...]) -> None:
    plan = plan_gpus_flags([], value, docker={"version": "29.2.0", "cdi": True})
    assert plan.cdi_names == names
    assert plan.path == ("cdi" if names else "hook")
    assert not plan.hook


def test_cdi_path_falls_back_when_names_are_unresolvable() -> None:
    plan = plan_gpus_flags([], '"device=0,2"', docker={"version": "29.2.0", "cdi": True})
    sel = resolve_devices({"NVIDIA_VISIBLE_DEVICES": ",".join(plan.cdi_names)}, HOST, mode="cdi",
                          legacy_image=False)
    assert sel.error == "unresolvable CDI devices nvidia.com/gpu=2"
    fallback = dict(e.split("=", 1) for e in plan.env)
    assert fallback["NVIDIA_VISIBLE_DEVICES"] == "0,2"


def test_example_20_two_flags_on_the_cdi_path_inject_both() -> None:
    plan = plan_gpus_flags([], ["device=0", "device=1"], docker={"version": "29.2.0", "cdi": True})
    assert plan.cdi_names == ("nvidia.com/gpu=0", "nvidia.com/gpu=1")


def test_cdi_path_needs_a_new_daemon() -> None:
    plan = plan_gpus_flags([], "all", docker={"version": "29.1.0", "cdi": True})
    assert (plan.path, plan.hook, plan.cdi_names) == ("hook", True, ())


def test_several_flags_warn_and_mappings_are_accepted() -> None:
    plan = plan_gpus_flags({"A": "1"}, ["device=0", "device=1"])
    assert plan.env == ("A=1", "NVIDIA_VISIBLE_DEVICES=0", "NVIDIA_VISIBLE_DEVICES=1")
    assert any("several --gpus flags" in note for note in plan.notes)
    assert len(plan.to_dict()["requests"]) == 2


def test_text_after_the_first_line_is_noted() -> None:
    plan = plan_gpus_flags([], "1\ndevice=0")
    assert plan.requests[0].count == 1
    assert any("first line" in note for note in plan.notes)


@pytest.mark.parametrize(("value", "canonical"), [
    ("all", "count=-1"), ("device=0,2", "count=2,device=0"), ('"device=0,2"', '"device=0,2"'),
    ("device=", "device="),
    ('driver=nvidia,"capabilities=compute,utility"', 'count=1,"capabilities=compute,utility",'
     "driver=nvidia"),
    ('"options=""a,b=c"""', 'count=1,"options=""a,b=c"""'),
])
def test_str_is_canonical(value: str, canonical: str) -> None:
    assert str(parse_gpus_flag(value)) == canonical


FIELD = st.one_of(
    st.sampled_from(["all", "0", "1", "-1", "+2", "x", ""]),
    st.builds(lambda k, v: f"{k}={v}", st.sampled_from(
        ["count", "device", "capabilities", "driver", "options", "foo"]), st.text(max_size=12)),
)
VALUES = st.one_of(st.text(max_size=60), st.lists(FIELD, min_size=1, max_size=5).map(",".join),
                   st.lists(FIELD, min_size=1, max_size=4).map(
                       lambda fs: ",".join('"' + f.replace('"', '""') + '"' for f in fs)))


@settings(max_examples=400, deadline=None)
@given(VALUES)
def test_parse_never_raises_unexpectedly_and_round_trips(value: str) -> None:
    try:
        req = parse_gpus_flag(value)
    except GpusFlagError as exc:
        assert str(exc).startswith("invalid argument ")
        return
    assert isinstance(req, DeviceRequest)
    again = parse_gpus_flag(str(req))
    assert again == req
    try:
        env = req.to_env()
    except GpusFlagError as exc:
        assert exc.stage == "daemon"
        return
    assert set(env) <= {"NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES"}
