"""Host profile objects: validation with exact paths, normalisation, round-trips (host.md §2)."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from hypothesis import given, settings

from nvreq.errors import ProfileError
from nvreq.host.profile import Gpu, HostProfile, Mig, MigDevice, RuntimeSettings
from tests.host_strategies import host_profiles, json_values, profile_like_dicts

SPEC_EXAMPLE: dict[str, Any] = {
    "format": "nvreq-host/1",
    "name": "dgx-h100-a",
    "driver": "550.54.15",
    "cuda": "12.4",
    "gpus": [
        {"index": 0, "uuid": "GPU-8f3e0c4a-1b2d-4c5e-9f60-718293a4b5c6",
         "pci_bus_id": "00000000:3B:00.0", "name": "NVIDIA H100 80GB HBM3", "brand": "Nvidia",
         "arch": "9.0", "memory_mib": 81559,
         "mig": {"mode": "enabled", "devices": [
             {"index": 0, "uuid": "MIG-0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", "gi": 1, "ci": 0,
              "profile": "1g.10gb"}]}},
    ],
    "runtime": {"mode": "legacy", "toolkit_version": "1.17.4", "privileged": False,
                "config": {"accept-nvidia-visible-devices-envvar-when-unprivileged": True}},
}


def _gpus(*gpus: dict[str, Any]) -> dict[str, Any]:
    return {"gpus": list(gpus)}


def test_spec_example_reads_and_round_trips_exactly() -> None:
    profile = HostProfile.from_dict(SPEC_EXAMPLE)
    assert profile.gpus[0].mig.devices[0] == MigDevice(
        index=0, uuid="MIG-0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5", gi=1, ci=0, profile="1g.10gb")
    assert profile.to_dict() == SPEC_EXAMPLE


def test_minimal_profile_has_only_format_and_gpus() -> None:
    assert HostProfile.from_dict({"gpus": []}).to_dict() == {"format": "nvreq-host/1", "gpus": []}


def test_nulls_are_unknown() -> None:
    profile = HostProfile.from_dict({"driver": None, "gpus": [{"index": 0, "brand": None}]})
    assert profile.driver is None
    assert profile.gpus[0] == Gpu(index=0)


@pytest.mark.parametrize(("value", "text"), [(12040, "12.4"), (11080, "11.8"), (13000, "13.0"),
                                            ("12.4", "12.4")])
def test_cuda_integer_uses_libnvidia_container_formula(value: Any, text: str) -> None:
    assert HostProfile.from_dict({"cuda": value, "gpus": []}).cuda == text


@pytest.mark.parametrize(("value", "text"), [("9.0", "9.0"), ([8, 6], "8.6"), ("10.12", "10.12")])
def test_arch_forms(value: Any, text: str) -> None:
    assert HostProfile.from_dict(_gpus({"index": 0, "arch": value})).gpus[0].arch == text


@pytest.mark.parametrize(("value", "text"), [
    ("00000000:3b:00.0", "00000000:3B:00.0"),
    ("0000:3B:00.0", "00000000:3B:00.0"),
    ("3b:0.0", "00000000:3B:00.0"),
    ("1:a:1f.0", "00000001:0A:1F.0"),
])
def test_bus_id_is_normalised(value: str, text: str) -> None:
    profile = HostProfile.from_dict(_gpus({"index": 0, "pci_bus_id": value}))
    assert profile.gpus[0].pci_bus_id == text


@pytest.mark.parametrize(("value", "name"), [(14, "Nvidia"), ("NVIDIA RTX", "NvidiaRTX"),
                                             ("tesla", "Tesla"), (17, "Unknown")])
def test_brand_is_stored_as_the_name(value: Any, name: str) -> None:
    assert HostProfile.from_dict(_gpus({"index": 0, "brand": value})).gpus[0].brand == name


def test_unrecognised_brand_is_unknown_with_a_warning() -> None:
    profile = HostProfile.from_dict(_gpus({"index": 0}, {"index": 1, "brand": "Radeon"}))
    assert profile.gpus[1].brand is None
    assert profile.warnings == ("gpus[1].brand: unrecognised brand 'Radeon', left unknown",)


def test_driver_with_text_is_kept_with_a_warning() -> None:
    profile = HostProfile.from_dict({"driver": "550.54.15-beta", "gpus": []})
    assert profile.driver == "550.54.15-beta"
    assert "invalid expression" in profile.warnings[0]
    assert HostProfile.from_dict({"driver": "570.26", "gpus": []}).warnings == ()


def test_gpus_in_any_order_are_stored_by_index() -> None:
    profile = HostProfile.from_dict(_gpus({"index": 2}, {"index": 0}, {"index": 1}))
    assert [g.index for g in profile.gpus] == [0, 1, 2]


def test_mig_devices_stored_by_index_keeping_gaps() -> None:
    mig = {"mode": "enabled", "devices": [{"index": 3}, {"index": 0}]}
    profile = HostProfile.from_dict(_gpus({"index": 0, "mig": mig}))
    assert [d.index for d in profile.gpus[0].mig.devices] == [0, 3]


def test_x_keys_are_kept_everywhere() -> None:
    data = {"gpus": [{"index": 0, "x-slot": 3,
                      "mig": {"mode": "enabled", "x-m": 1, "devices": [{"index": 0, "x-d": [1]}]}}],
            "runtime": {"x-r": True}, "x-site": {"rack": "b7"}}
    profile = HostProfile.from_dict(data)
    assert profile.extra == {"x-site": {"rack": "b7"}}
    assert profile.gpus[0].extra == {"x-slot": 3}
    assert profile.to_dict() == {"format": "nvreq-host/1", **data}


ERRORS = [
    ({"gpus": [{"index": 0}, {"index": 1, "brnad": "x"}]}, "gpus[1].brnad",
     "unknown key 'brnad'; expected one of index, "),
    ({"gpu": []}, "gpu", "unknown key 'gpu'; expected one of format, "),
    ({}, "gpus", "Missing required key 'gpus'"),
    ({"gpus": None}, "gpus", "Missing required key 'gpus'"),
    ({"gpus": {}}, "gpus", "Expected a list, got an object"),
    ({"gpus": [{"uuid": "GPU-1"}]}, "gpus[0].index", "Missing required key 'index'"),
    ({"gpus": [{"index": -1}]}, "gpus[0].index", "Expected an integer >= 0"),
    ({"gpus": [{"index": True}]}, "gpus[0].index", "Expected an integer >= 0, got a boolean"),
    ({"gpus": [{"index": 0}, {"index": 0}]}, "gpus[1].index", "Duplicate GPU index 0"),
    ({"gpus": [{"index": 0}, {"index": 2}]}, "gpus",
     "GPU indexes must be exactly 0 to 1; missing 1"),
    ({"gpus": [{"index": 0, "uuid": "8f3e"}]}, "gpus[0].uuid", "Expected a UUID starting 'GPU-'"),
    ({"gpus": [{"index": 0, "pci_bus_id": "3b:00"}]}, "gpus[0].pci_bus_id", "Expected a PCI bus"),
    ({"gpus": [{"index": 0, "arch": "9"}]}, "gpus[0].arch", "Expected a compute capability"),
    ({"gpus": [{"index": 0, "arch": [9, 0, 1]}]}, "gpus[0].arch", "Expected a compute capability"),
    ({"gpus": [{"index": 0, "brand": 1.5}]}, "gpus[0].brand", "Expected a brand name"),
    ({"gpus": [{"index": 0, "memory_mib": "80GB"}]}, "gpus[0].memory_mib", "Expected an integer"),
    ({"gpus": [{"index": 0, "mig": {"mode": "on"}}]}, "gpus[0].mig.mode",
     "unknown MIG mode 'on'; expected one of enabled"),
    ({"gpus": [{"index": 0, "mig": {"mode": "disabled", "devices": [{"index": 0}]}}]},
     "gpus[0].mig.mode", "MIG devices are listed but mig.mode is disabled"),
    ({"gpus": [{"index": 0, "mig": {"mode": "enabled", "devices": [{"gi": 1}]}}]},
     "gpus[0].mig.devices[0].index", "Missing required key 'index'"),
    ({"gpus": [{"index": 0, "mig": {"mode": "enabled", "devices": [{"index": 0, "cii": 1}]}}]},
     "gpus[0].mig.devices[0].cii", "unknown key 'cii'; expected one of index, "),
    ({"gpus": [{"index": 0, "mig": {"mode": "enabled", "devices": [{"index": 1}, {"index": 1}]}}]},
     "gpus[0].mig.devices[1].index", "Duplicate MIG index 1"),
    ({"gpus": [{"index": 0, "mig": {"mode": "enabled",
                                    "devices": [{"index": 0, "uuid": "GPU-1"}]}}]},
     "gpus[0].mig.devices[0].uuid", "Expected a UUID starting 'MIG-'"),
    ({"gpus": [], "cuda": "12"}, "cuda", "Expected a CUDA version"),
    ({"gpus": [], "cuda": -1}, "cuda", "Expected a CUDA version"),
    ({"gpus": [], "driver": 550}, "driver", "Expected a string, got an integer"),
    ({"gpus": [], "format": "nvreq-host/2"}, "format", "Unsupported profile format"),
    ({"gpus": [], "platform": "amd64"}, "platform", "Expected a platform"),
    ({"gpus": [], "runtime": {"mode": "nvidia"}}, "runtime.mode",
     "unknown runtime mode 'nvidia'; expected one of legacy"),
    ({"gpus": [], "runtime": {"platform": "x"}}, "runtime.platform",
     "unknown platform 'x'; expected one of nvml"),
    ({"gpus": [], "runtime": {"privileged": "yes"}}, "runtime.privileged",
     "Expected true or false"),
    ({"gpus": [], "runtime": {"toolkit_version": "latest"}}, "runtime.toolkit_version",
     "Expected a toolkit version"),
    ({"gpus": [], "runtime": {"config": {"disable-require": "true"}}},
     "runtime.config.disable-require", "Expected true or false, got a string"),
    ({"gpus": [], "runtime": {"config": {"nvidia-container-runtime": {"mode": "x"}}}},
     "runtime.config.nvidia-container-runtime.mode", "unknown runtime mode 'x'; expected one of"),
    ({"gpus": [], "runtime": {"cdi_devices": ["gpu0"]}}, "runtime.cdi_devices[0]",
     "Expected a qualified CDI name"),
    ({"gpus": [], "runtime": {"docker": {"versoin": "1"}}}, "runtime.docker.versoin",
     "unknown key 'versoin'; expected one of"),
    ({"gpus": [], "source": {"kind": 1}}, "source.kind", "Expected a string"),
    ({"gpus": [], "name": "n" * 257}, "name", "String longer than 256 characters"),
    ({"gpus": [{"index": i} for i in range(257)]}, "gpus", "At most 256 entries"),
    ({"gpus": [{"index": 0, "mig": {"mode": "enabled",
                                    "devices": [{"index": j} for j in range(65)]}}]},
     "gpus[0].mig.devices", "At most 64 entries"),
    ({"gpus": [], "x-a": {"b": {"c": {"d": {"e": {"f": {"g": {"h": {}}}}}}}}},
     "x-a.b.c.d.e.f.g.h", "Nesting deeper than 8 levels"),
]


@pytest.mark.parametrize(("data", "path", "message"), ERRORS)
def test_validation_errors_name_the_path(data: dict[str, Any], path: str, message: str) -> None:
    with pytest.raises(ProfileError) as ctx:
        HostProfile.from_dict(data)
    assert ctx.value.path == path
    assert ctx.value.message.startswith(message)
    assert f"at '{path}'" in str(ctx.value)


def test_not_an_object() -> None:
    with pytest.raises(ProfileError, match="Expected an object, got a list"):
        HostProfile.from_dict([])  # type: ignore[arg-type]


def test_nesting_of_eight_is_allowed() -> None:
    data = {"gpus": [], "x-a": {"b": {"c": {"d": {"e": {"f": {"g": 1}}}}}}}
    assert HostProfile.from_dict(data).extra["x-a"]["b"]["c"]["d"]["e"]["f"] == {"g": 1}


def test_helpers_and_defaults() -> None:
    profile = HostProfile.from_dict(_gpus({"index": 0}, {"index": 1, "name": "b"}))
    assert profile.gpu(1).name == "b"
    with pytest.raises(IndexError):
        profile.gpu(2)
    assert profile.runtime_mode == "legacy"
    assert profile.toolkit_version is None
    assert profile.privileged is False
    assert profile.config_value("accept-nvidia-visible-devices-envvar-when-unprivileged") is True
    assert profile.config_value("nvidia-container-runtime.mode") == "legacy"  # the mode in effect
    kind = profile.config_value("nvidia-container-runtime.modes.cdi.default-kind")
    assert kind == "nvidia.com/gpu"
    assert profile.config_value("supported-driver-capabilities") == \
        "compat32,compute,display,graphics,ngx,utility,video"
    assert profile.config_value("no-such-key") is None


def test_config_values_and_mode_precedence() -> None:
    config = {"disable-require": True, "nvidia-container-runtime": {"mode": "cdi"}}
    stated = HostProfile.from_dict({"gpus": [], "runtime": {"config": config}})
    assert stated.config_value("disable-require") is True
    assert stated.runtime_mode == "cdi"
    overridden = HostProfile.from_dict({"gpus": [], "runtime": {"mode": "csv", "config": config}})
    assert overridden.runtime_mode == "csv"
    assert overridden.config_value("nvidia-container-runtime.mode") == "csv"


def test_profiles_are_hashable_and_warnings_do_not_count() -> None:
    a = HostProfile(gpus=(Gpu(0, mig=Mig("disabled")),), runtime=RuntimeSettings(config={"a": 1}))
    b = HostProfile(gpus=(Gpu(0, mig=Mig("disabled")),), runtime=RuntimeSettings(config={"a": 1}),
                    warnings=("w",))
    assert a == b
    assert hash(a) == hash(b)


@settings(max_examples=150, deadline=None)
@given(host_profiles())
def test_round_trip(profile: HostProfile) -> None:
    data = profile.to_dict()
    assert HostProfile.from_dict(data) == profile
    assert HostProfile.from_dict(json.loads(json.dumps(data))).to_dict() == data


@settings(max_examples=300, deadline=None)
@given(profile_like_dicts())
def test_arbitrary_objects_give_a_profile_or_profile_error(data: Any) -> None:
    try:
        profile = HostProfile.from_dict(data)
    except ProfileError:
        return
    assert HostProfile.from_dict(profile.to_dict()) == profile


@settings(max_examples=100, deadline=None)
@given(json_values)
def test_arbitrary_json_values_never_crash(data: Any) -> None:
    with contextlib.suppress(ProfileError):
        HostProfile.from_dict(data)
