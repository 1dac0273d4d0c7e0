"""The toolkit config keys nvreq reads (host.md §2.1 runtime.config), and version comparison."""

from __future__ import annotations

from typing import Any

import pytest

from nvreq.errors import ProfileError
from nvreq.host.config import ToolkitConfig, toolkit_setting, version_at_least, version_tuple
from nvreq.host.profile import HostProfile, RuntimeSettings


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
    assert toolkit_setting(None, "nvidia-container-runtime.mode") == "auto"


@pytest.mark.parametrize(("config", "path"), [
    ({"accept-nvidia-visible-devices-envvar-when-unprivileged": "maybe"},
     "runtime.config.accept-nvidia-visible-devices-envvar-when-unprivileged"),
    ({"swarm-resource": 3}, "runtime.config.swarm-resource"),
    ({"nvidia-container-runtime.modes.cdi.annotation-prefixes": [1]},
     "runtime.config.nvidia-container-runtime.modes.cdi.annotation-prefixes"),
])
def test_bad_values_name_their_path(config: dict[str, Any], path: str) -> None:
    with pytest.raises(ProfileError) as ctx:
        ToolkitConfig.from_host(None, config)
    assert ctx.value.path == path


def test_string_booleans_are_accepted() -> None:
    cfg = ToolkitConfig.from_host(None, {
        "accept-nvidia-visible-devices-envvar-when-unprivileged": "False"})
    assert not cfg.accept_envvar_unprivileged


@pytest.mark.parametrize(("text", "minimum", "expected"), [
    ("1.18.0", (1, 18), True), ("1.17.9", (1, 18), False), ("v1.18.0-rc.1", (1, 18), True),
    ("1.5", (1, 5, 1), False), ("2", (1, 18), True), (None, (9, 9), True), ("dev", (1,), True),
])
def test_version_at_least(text: str | None, minimum: tuple[int, ...], expected: bool) -> None:
    assert version_at_least(text, *minimum) is expected


def test_version_tuple() -> None:
    assert version_tuple(" v29.2.0+dirty") == (29, 2, 0)
