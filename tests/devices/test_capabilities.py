"""NVIDIA_DRIVER_CAPABILITIES (capabilities.md): §7 worked examples, history, diagnostics,
properties."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.devices.capabilities import ALL_CAPABILITIES, resolve_capabilities
from nvreq.errors import InputError

ALL7 = "compat32,compute,display,graphics,ngx,utility,video"


def caps(value: str | None, *, legacy_image: bool = False, **kw: Any) -> str:
    env = {} if value is None else {"NVIDIA_DRIVER_CAPABILITIES": value}
    result = resolve_capabilities(env, legacy_image=legacy_image, **kw)
    return f"error: {result.error}" if result.error else str(result)


# capabilities.md §7 (legacy mode, toolkit >= 1.14, default config).
@pytest.mark.parametrize(("example", "value", "kw", "expected"), [
    (1, None, {}, "compute,utility"),
    (2, None, {"legacy_image": True}, ALL7),
    (3, "", {"legacy_image": True}, "compute,utility"),
    (4, "all", {}, ALL7),
    (5, "utility, compute", {}, "compute,utility"),
    (6, "compute,compute,video", {}, "compute,video"),
    (7, "all,foo", {}, ALL7),
    (8, "compute,foo", {},
     "error: unsupported capabilities found in 'compute,foo' (allowed 'compute')"),
    (9, "Compute", {}, "error: unsupported capabilities found in 'Compute' (allowed '')"),
    (10, "none", {}, "error: unsupported capabilities found in 'none' (allowed '')"),
    (11, " ", {}, ""),
    (11, ",", {}, ""),
    (12, "graphics,utility", {"supported": "compute,utility"},
     "error: unsupported capabilities found in 'graphics,utility' (allowed 'utility')"),
    (13, "compute, graphics", {}, "compute,graphics"),
    (15, "runtime.nvidia.com/gpu=all", {},
     "error: unsupported capabilities found in 'runtime.nvidia.com/gpu=all' (allowed '')"),
])
def test_worked_example(example: int, value: str | None, kw: dict[str, Any],
                        expected: str) -> None:
    assert caps(value, **kw) == expected


def test_example_1_flags() -> None:
    assert resolve_capabilities({}, legacy_image=False).flags == ("--compute", "--utility")


def test_example_5_is_an_error_in_toolkit_1_7_to_1_13() -> None:
    assert caps("utility, compute", toolkit_version="1.13.0") == (
        "error: unsupported capabilities found in 'utility, compute' (allowed 'utility,compute')")


def test_example_13_graphics_modifier_does_not_trigger_on_a_blank() -> None:
    blank = resolve_capabilities({"NVIDIA_DRIVER_CAPABILITIES": "compute, graphics"},
                                 legacy_image=False)
    assert not blank.graphics_modifier
    exact = resolve_capabilities({"NVIDIA_DRIVER_CAPABILITIES": "compute,graphics"},
                                 legacy_image=False)
    assert exact.graphics_modifier


def test_example_14_not_enforced_in_jit_cdi() -> None:
    result = resolve_capabilities({"NVIDIA_DRIVER_CAPABILITIES": "foo"}, legacy_image=False,
                                  mode="jit-cdi")
    assert (result.outcome, result.enforced) == ("not-enforced", False)
    assert result.error == "unsupported capabilities found in 'foo' (allowed '')"


@pytest.mark.parametrize(("version", "value", "expected"), [
    ("1.3.0", None, "utility"),
    ("1.5.0", "compute, utility", "error: unknown driver capability:  utility"),
    ("1.5.0", "all,compute", "error: unknown driver capability: all"),
    ("1.5.0", "video,compute", "video,compute"),
    ("1.5.0", "all", ALL7),
    ("1.7.0", "compute,compute", "compute,compute"),
    ("1.7.0", "all", ALL7),
    ("1.7.0", "all,compute", "error: unsupported capabilities found in 'all,compute' "
     "(allowed 'compute')"),
    ("1.7.0", "compute,,utility", "error: unsupported capabilities found in 'compute,,utility' "
     "(allowed 'compute,utility')"),
    ("1.14.0", "all,compute", ALL7),
])
def test_history(version: str, value: str | None, expected: str) -> None:
    assert caps(value, toolkit_version=version) == expected


@pytest.mark.parametrize(("supported", "expected"), [
    ("all", ALL7), ("", ""), (["utility", "compute"], "compute,utility"),
    ("compute,bogus", "error: Invalid value for config option 'supported-driver-capabilities'; "
     f"compute,bogus (supported: {ALL7})"),
])
def test_supported_set(supported: str | list[str], expected: str) -> None:
    assert caps("all", supported=supported) == expected


def test_default_is_filtered_by_the_supported_set() -> None:
    assert caps(None, supported="utility,video") == "utility"


@pytest.mark.parametrize(("value", "codes"), [
    ("compute,foo", [("unknown-capability", "foo", 8)]),
    ("Compute", [("capability-case", "Compute", 0)]),
    ("compute, utility", [("capability-blank", "utility", 8)]),
    (" ", [("capabilities-empty-set", " ", 0)]),
    ("none", [("capability-none", "none", 0)]),
    ("runtime.nvidia.com/gpu=all", [("cdi-name-as-capability", "runtime.nvidia.com/gpu=all", 0)]),
    ("all,foo", [("unknown-capability", "foo", 4)]),
    ("compute,utility", []),
])
def test_diagnostics(value: str, codes: list[tuple[str, str, int]]) -> None:
    result = resolve_capabilities({"NVIDIA_DRIVER_CAPABILITIES": value}, legacy_image=False)
    assert [(d.code, d.item, d.start) for d in result.diagnostics] == codes


def test_not_supported_diagnostic() -> None:
    result = resolve_capabilities({"NVIDIA_DRIVER_CAPABILITIES": "video"}, legacy_image=False,
                                  supported="compute")
    assert [d.code for d in result.diagnostics] == ["capability-not-supported"]


def test_unknown_mode_is_an_input_error() -> None:
    with pytest.raises(InputError):
        resolve_capabilities({}, legacy_image=False, mode="auto")


def test_to_dict() -> None:
    env = {"NVIDIA_DRIVER_CAPABILITIES": "video"}
    data = resolve_capabilities(env, legacy_image=False).to_dict()
    assert (data["capabilities"], data["flags"], data["outcome"]) == (["video"], ["--video"], "ok")


ITEMS = st.sampled_from([*ALL_CAPABILITIES, "all", "none", "Compute", "foo", "", " ", " video"])


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=40), st.lists(ITEMS, max_size=6).map(",".join)),
       st.sampled_from([None, "1.3.0", "1.6.3", "1.10.0", "1.14.0"]),
       st.one_of(st.none(), st.text(max_size=20), st.lists(ITEMS, max_size=3)))
def test_never_raises_and_stays_within_the_supported_set(value: str, version: str | None,
                                                         supported: str | list[str] | None) -> None:
    result = resolve_capabilities({"NVIDIA_DRIVER_CAPABILITIES": value}, legacy_image=False,
                                  supported=supported, toolkit_version=version)
    assert set(result.capabilities) <= set(result.supported) <= set(ALL_CAPABILITIES)
    if version in (None, "1.14.0") and result.error is None:
        assert list(result.capabilities) == sorted(set(result.capabilities))


@settings(max_examples=200, deadline=None)
@given(st.lists(ITEMS, max_size=6))
def test_set_semantics_ignore_order_and_repetition(items: list[str]) -> None:
    def run(seq: list[str]) -> tuple[tuple[str, ...], str | None]:
        r = resolve_capabilities({"NVIDIA_DRIVER_CAPABILITIES": ",".join(seq)}, legacy_image=False)
        return r.capabilities, r.error

    if ",".join(items) == "":
        return  # "" is the default, not an empty list of items
    assert run(items) == run(list(reversed(items))) == run(items + items)
    requested = {i.strip() for i in items if i.strip()}
    assert (run(items)[1] is None) == ("all" in requested or requested <= set(ALL_CAPABILITIES))
