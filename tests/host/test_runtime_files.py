"""Runtime configuration: config.toml and daemon.json under a fake root, into runtime settings."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from nvreq.errors import ProfileError
from nvreq.host.profile import HostProfile, RuntimeSettings
from nvreq.host.runtime_files import read_runtime_files, with_runtime

# A config.toml as the toolkit ships it, with two keys changed.
CONFIG = """\
#accept-nvidia-visible-devices-as-volume-mounts = false
accept-nvidia-visible-devices-envvar-when-unprivileged = false
disable-require = true
supported-driver-capabilities = "compute,utility"

[nvidia-container-cli]
environment = []
ldconfig = "@/sbin/ldconfig.real"
load-kmods = true

[nvidia-container-runtime]
log-level = "info"
mode = "cdi"
runtimes = ["docker-runc", "runc", "crun"]

[nvidia-container-runtime.modes.cdi]
annotation-prefixes = ["cdi.k8s.io/"]
default-kind = "nvidia.com/gpu"
spec-dirs = ["/etc/cdi", "/var/run/cdi"]
"""


def _root(tmp_path: Path, config: str | None = None, daemon: Any = None) -> Path:
    if config is not None:
        (tmp_path / "etc/nvidia-container-runtime").mkdir(parents=True, exist_ok=True)
        (tmp_path / "etc/nvidia-container-runtime/config.toml").write_text(config)
    if daemon is not None:
        (tmp_path / "etc/docker").mkdir(parents=True, exist_ok=True)
        text = daemon if isinstance(daemon, str) else json.dumps(daemon)
        (tmp_path / "etc/docker/daemon.json").write_text(text)
    return tmp_path


NVIDIA_RUNTIME = {"nvidia": {"path": "nvidia-container-runtime", "runtimeArgs": []}}


def test_nothing_there(tmp_path: Path) -> None:
    files = read_runtime_files(tmp_path)
    assert (files.config, files.daemon) == (None, None)
    assert files.settings() == RuntimeSettings(config={})


def test_config_keys_that_change_verdicts(tmp_path: Path) -> None:
    settings = read_runtime_files(_root(tmp_path, CONFIG)).settings("1.17.4")
    assert settings.config == {
        "accept-nvidia-visible-devices-envvar-when-unprivileged": False,
        "disable-require": True,
        "supported-driver-capabilities": "compute,utility",
        "nvidia-container-runtime": {"mode": "cdi", "modes": {"cdi": {
            "annotation-prefixes": ["cdi.k8s.io/"], "default-kind": "nvidia.com/gpu"}}},
    }
    assert (settings.mode, settings.toolkit_version, settings.docker) == ("cdi", "1.17.4", None)
    profile = with_runtime(HostProfile(), settings)
    assert profile.config_value("disable-require") is True
    assert profile.config_value("accept-nvidia-visible-devices-as-volume-mounts") is False


@pytest.mark.parametrize(("daemon", "config", "mode"), [
    ({"runtimes": NVIDIA_RUNTIME, "default-runtime": "nvidia"}, CONFIG, "cdi"),
    ({"runtimes": NVIDIA_RUNTIME, "default-runtime": "nvidia"}, "", "auto"),
    ({"runtimes": NVIDIA_RUNTIME}, CONFIG, "legacy"),
    ({}, "", "legacy"),
])
def test_mode_follows_the_default_runtime(tmp_path: Path, daemon: dict[str, Any], config: str,
                                          mode: str) -> None:
    assert read_runtime_files(_root(tmp_path, config, daemon)).settings().mode == mode


def test_docker_section(tmp_path: Path) -> None:
    daemon = {"runtimes": NVIDIA_RUNTIME, "default-runtime": "nvidia", "features": {"cdi": True}}
    files = read_runtime_files(_root(tmp_path, None, daemon))
    assert files.docker_runtimes == ("nvidia",)
    assert files.default_runtime == "nvidia"
    assert files.settings().docker == {"cdi": True, "x-runtimes": ["nvidia"],
                                       "x-default-runtime": "nvidia"}


def test_empty_daemon_json_is_an_empty_object(tmp_path: Path) -> None:
    assert read_runtime_files(_root(tmp_path, None, "  \n")).daemon == {}


@pytest.mark.parametrize(("config", "daemon", "file", "line", "column"), [
    ("disable-require = \n", None, "config.toml", 1, 19),
    (None, '{\n  "runtimes": {,}\n}', "daemon.json", 2, 16),
])
def test_syntax_errors_name_file_line_column(tmp_path: Path, config: str | None,
                                             daemon: str | None, file: str, line: int,
                                             column: int) -> None:
    with pytest.raises(ProfileError) as ctx:
        read_runtime_files(_root(tmp_path, config, daemon))
    assert ctx.value.source is not None and ctx.value.source.endswith(file)
    assert (ctx.value.line, ctx.value.column) == (line, column)


def test_daemon_json_must_be_an_object(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="Expected a JSON object"):
        read_runtime_files(_root(tmp_path, None, "[]"))


def test_wrong_type_names_file_and_key(tmp_path: Path) -> None:
    files = read_runtime_files(_root(tmp_path, 'disable-require = "yes"\n'))
    with pytest.raises(ProfileError) as ctx:
        files.settings()
    assert ctx.value.path == "disable-require"
    assert ctx.value.source is not None and ctx.value.source.endswith("config.toml")


def test_with_runtime_keeps_profile_facts() -> None:
    profile = HostProfile(driver="550.54.15", runtime=RuntimeSettings(privileged=True))
    merged = with_runtime(profile, RuntimeSettings(mode="cdi", config={"disable-require": True}))
    assert merged.driver == "550.54.15"
    assert (merged.runtime.mode, merged.privileged) == ("cdi", True)
    assert merged.config_value("disable-require") is True
