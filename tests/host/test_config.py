"""The toolkit config keys nvreq reads: one table, one lookup, one rule for each type."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from nvreq.check.checker import check_env
from nvreq.doctor.checks import run_doctor
from nvreq.errors import ProfileError
from nvreq.host.config import (
    CONFIG_DEFAULTS,
    CONFIG_KEYS,
    ToolkitConfig,
    lookup_config,
    read_config_value,
    toolkit_setting,
)
from nvreq.host.profile import Gpu, HostProfile, RuntimeSettings


def test_defaults_are_the_toolkits() -> None:
    assert ToolkitConfig.from_host(HostProfile()) == ToolkitConfig()
    cfg = ToolkitConfig()
    assert (cfg.accept_envvar_unprivileged, cfg.accept_volume_mounts, cfg.swarm_resource,
            cfg.cdi_default_kind, cfg.cdi_annotation_prefixes, cfg.mode) == (
        True, False, (), "nvidia.com/gpu", ("cdi.k8s.io/",), None)


@pytest.mark.parametrize("config", [
    {"nvidia-container-runtime": {"modes": {"cdi": {"default-kind": "x.com/gpu"}}}},
    {"nvidia-container-runtime.modes.cdi.default-kind": "x.com/gpu"},
])
def test_nested_tables_and_dotted_keys(config: dict[str, Any]) -> None:
    host = HostProfile(runtime=RuntimeSettings(config=config))
    assert ToolkitConfig.from_host(host).cdi_default_kind == "x.com/gpu"


def test_given_config_overrides_the_profile_key_by_key() -> None:
    config = {"swarm-resource": "A", "disable-require": True}
    host = HostProfile(runtime=RuntimeSettings(config=config))
    cfg = ToolkitConfig.from_host(host, {"swarm-resource": "B,C"})
    assert (cfg.swarm_resource, cfg.disable_require) == (("B", "C"), True)
    assert toolkit_setting(host, "swarm-resource", {"swarm-resource": "B"}) == "B"


def test_explicit_mode_only_when_given() -> None:
    config = {"nvidia-container-runtime": {"mode": "cdi"}}
    host = HostProfile(runtime=RuntimeSettings(config=config))
    assert ToolkitConfig.from_host(host).mode == "cdi"
    assert ToolkitConfig.from_host(HostProfile()).mode is None
    assert toolkit_setting(None, "nvidia-container-runtime.mode") == "auto"


@pytest.mark.parametrize(("runtime", "mode"), [
    (RuntimeSettings(), "legacy"),
    (RuntimeSettings(config={"nvidia-container-runtime": {"mode": "cdi"}}), "cdi"),
    (RuntimeSettings(mode="csv", config={"nvidia-container-runtime.mode": "cdi"}), "csv"),
])
def test_the_mode_in_effect_is_one_answer(runtime: RuntimeSettings, mode: str) -> None:
    host = HostProfile(runtime=runtime)
    assert host.runtime_mode == host.config_value("nvidia-container-runtime.mode") == mode


@pytest.mark.parametrize(("config", "message", "path"), [
    ({"accept-nvidia-visible-devices-envvar-when-unprivileged": "maybe"},
     "Expected true or false, got a string",
     "runtime.config.accept-nvidia-visible-devices-envvar-when-unprivileged"),
    ({"swarm-resource": 3}, "Expected a string, got an integer", "runtime.config.swarm-resource"),
    ({"swarm-resource": ["A"]}, "Expected a string, got a list", "runtime.config.swarm-resource"),
    ({"nvidia-container-runtime.modes.cdi.annotation-prefixes": [1]},
     "Expected a string, got an integer",
     "runtime.config.nvidia-container-runtime.modes.cdi.annotation-prefixes[0]"),
    ({"nvidia-container-runtime": {"mode": "fast"}},
     "unknown runtime mode 'fast'; expected one of legacy, jit-cdi, cdi, csv, auto",
     "runtime.config.nvidia-container-runtime.mode"),
])
def test_bad_values_name_their_path(config: dict[str, Any], message: str, path: str) -> None:
    with pytest.raises(ProfileError) as ctx:
        ToolkitConfig.from_host(None, config)
    assert (ctx.value.message, ctx.value.path) == (message, path)


@pytest.mark.parametrize("value", ["true", "True", "1", "false", 1, 0, "yes"])
def test_a_config_boolean_is_a_toml_boolean_as_the_toolkit_decodes_it(value: object) -> None:
    # the toolkit decodes config.toml into Go bool fields: a string or a number is refused
    with pytest.raises(ProfileError, match=r"^Expected true or false"):
        read_config_value("disable-require", value)


@pytest.mark.parametrize("read", [
    lambda config: ToolkitConfig.from_host(None, config),
    lambda config: toolkit_setting(None, "disable-require", config),
    lambda config: check_env({"NVIDIA_VISIBLE_DEVICES": "all"}, HostProfile(), config=config),
    lambda config: HostProfile.from_dict({"gpus": [], "runtime": {"config": config}}),
])
def test_every_reader_refuses_a_string_boolean_alike(read: Any) -> None:
    with pytest.raises(ProfileError) as ctx:
        read({"disable-require": "true"})
    assert (ctx.value.message, ctx.value.path) == (
        "Expected true or false, got a string", "runtime.config.disable-require")


@pytest.mark.parametrize("value", [True, False])
def test_disable_require_from_the_config_argument_and_the_profile_agree(value: bool) -> None:
    env = {"NVIDIA_VISIBLE_DEVICES": "all", "NVIDIA_REQUIRE_CUDA": "cuda>=99.0"}
    plain = HostProfile(gpus=(Gpu(0),), driver="550.54.15", cuda="12.4")
    given = check_env(env, plain, config={"disable-require": value})
    host = replace(plain, runtime=RuntimeSettings(config={"disable-require": value}))
    assert given.verdict == check_env(env, host).verdict == (
        "not-checked" if value else "unsatisfied")


@pytest.mark.parametrize("key", CONFIG_KEYS, ids=lambda key: key.name)
def test_every_key_of_the_table_is_validated_read_and_doctored(key: Any,
                                                               tmp_path: Path) -> None:
    assert toolkit_setting(None, key.name) == CONFIG_DEFAULTS[key.name] == key.default
    with pytest.raises(ProfileError):
        HostProfile.from_dict({"gpus": [], "runtime": {"config": {key.name: {"x": 1}}}})
    changed = {"bool": not key.default, "string": "x", "mode": "cdi", "strings": ["x/"]}[key.type]
    *tables, leaf = key.name.split(".")
    text = (f"[{'.'.join(tables)}]\n" if tables else "") + f"{leaf} = {_toml(changed)}\n"
    (tmp_path / "etc/nvidia-container-runtime").mkdir(parents=True)
    (tmp_path / "etc/nvidia-container-runtime/config.toml").write_text(text)
    checks = {c.name: c for c in run_doctor(tmp_path, nvml=HostProfile).checks}
    assert key.effect in checks[f"config:{key.name}"].summary


def _toml(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return '["x/"]' if isinstance(value, list) else f'"{value}"'


def test_dotted_and_nested_lookups_are_one_rule() -> None:
    nested = {"nvidia-container-runtime": {"modes": {"cdi": {"default-kind": "a/b"}}}}
    flat = {"nvidia-container-runtime.modes.cdi.default-kind": "a/b"}
    key = "nvidia-container-runtime.modes.cdi.default-kind"
    assert lookup_config(nested, key) == lookup_config(flat, key) == "a/b"
    assert lookup_config(flat, key, flat=False) is None
