"""Profile files and presets: JSON/TOML loading, syntax errors with places, the preset table."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nvreq.errors import ProfileError
from nvreq.host.profile import HostProfile
from nvreq.host.sources import (
    DEFAULT_PRESET,
    list_presets,
    load_preset,
    load_profile,
    parse_profile_text,
    resolve_host,
)

# host.md §7, one row per preset: GPUs, name, brand, arch, driver, cuda.
PRESETS = [
    ("h100-r550", 8, "NVIDIA H100 80GB HBM3", "Nvidia", "9.0", "550.54.15", "12.4"),
    ("h100-r570", 8, "NVIDIA H100 80GB HBM3", "Nvidia", "9.0", "570.124.06", "12.8"),
    ("h100-r580", 8, "NVIDIA H100 80GB HBM3", "Nvidia", "9.0", "580.65.06", "13.0"),
    ("h200-r580", 1, "NVIDIA H200", "Nvidia", "9.0", "580.159.04", "13.0"),
    ("a100-r535", 8, "NVIDIA A100-SXM4-40GB", "Nvidia", "8.0", "535.104.05", "12.2"),
    ("a100-mig-r535", 1, "NVIDIA A100-SXM4-40GB", "Nvidia", "8.0", "535.104.05", "12.2"),
    ("t4-r470", 1, "Tesla T4", "Nvidia", "7.5", "470.82.01", "11.4"),
    ("rtx4090-r550", 1, "NVIDIA GeForce RTX 4090", "GeForce", "8.9", "550.54.15", "12.4"),
    ("jetson-csv", 1, None, None, "8.7", None, "12.2"),
]
SYNTHETIC_UUID = re.compile(r"GPU-00000000-0000-4000-8000-00000000000\d")


def test_the_nine_presets_exist_and_default_is_h100_r550() -> None:
    assert sorted(row[0] for row in PRESETS) == list(list_presets())
    assert DEFAULT_PRESET == "h100-r550"


@pytest.mark.parametrize(("name", "count", "product", "brand", "arch", "driver", "cuda"), PRESETS)
def test_preset_matches_spec_table(name: str, count: int, product: str | None, brand: str | None,
                                   arch: str, driver: str | None, cuda: str) -> None:
    profile = load_preset(name)
    assert (len(profile.gpus), profile.driver, profile.cuda) == (count, driver, cuda)
    for i, gpu in enumerate(profile.gpus):
        assert gpu.index == i
        assert gpu.brand == brand
        assert gpu.arch == arch
        if product is not None:
            assert gpu.name == product
        assert gpu.uuid is not None and SYNTHETIC_UUID.fullmatch(gpu.uuid)
    assert profile.extra["x-synthetic"] is True
    assert profile.warnings == ()
    assert HostProfile.preset(name) == profile


@pytest.mark.parametrize("name", [row[0] for row in PRESETS])
def test_preset_modes_and_toolkit(name: str) -> None:
    profile = load_preset(name)
    if name == "jetson-csv":
        assert (profile.runtime.mode, profile.runtime.platform) == ("csv", "tegra")
        assert profile.toolkit_version is not None
    else:
        assert profile.runtime_mode == "legacy"
        assert profile.toolkit_version is None


def test_memory_of_h100_and_h200_presets() -> None:
    assert {g.memory_mib for g in load_preset("h100-r550").gpus} == {81559}
    assert load_preset("h200-r580").gpus[0].memory_mib == 143771


def test_a100_mig_preset_has_two_1g_5gb_devices() -> None:
    mig = load_preset("a100-mig-r535").gpus[0].mig
    assert mig.mode == "enabled"
    assert [d.profile for d in mig.devices] == ["1g.5gb", "1g.5gb"]
    assert len({d.uuid for d in mig.devices}) == 2
    assert all(d.uuid and d.uuid.startswith("MIG-") for d in mig.devices)


def test_unknown_preset_lists_the_presets() -> None:
    with pytest.raises(ProfileError, match=r"No preset named 'h999'.*h100-r550"):
        load_preset("h999")
    with pytest.raises(ProfileError, match="No preset named"):
        load_preset("../h100-r550")


def test_load_json_and_toml(tmp_path: Path) -> None:
    data = load_preset("a100-mig-r535").to_dict()
    json_file = tmp_path / "host.json"
    json_file.write_text(json.dumps(data))
    toml_file = tmp_path / "host.toml"
    toml_file.write_text(
        'driver = "535.104.05"\ncuda = 12020\n[[gpus]]\nindex = 0\narch = [8, 0]\n'
        '[runtime.config]\ndisable-require = true\n'
        '[runtime.config.nvidia-container-runtime]\nmode = "cdi"\n'
        '[runtime.config.nvidia-container-cli]\nldconfig = "@/sbin/ldconfig"\n')
    assert load_profile(json_file) == load_preset("a100-mig-r535")
    toml = load_profile(toml_file)
    assert (toml.cuda, toml.gpus[0].arch, toml.runtime_mode) == ("12.2", "8.0", "cdi")
    assert toml.config_value("disable-require") is True
    assert toml.source == {"kind": "file"}


def test_other_suffix_is_read_as_json(tmp_path: Path) -> None:
    path = tmp_path / "host.profile"
    path.write_text('{"gpus": []}')
    assert load_profile(path).gpus == ()


@pytest.mark.parametrize(("name", "text", "line", "column", "message"), [
    ("h.json", '{\n  "gpus": [,]\n}', 2, 12, "Invalid JSON: Expecting value"),
    ("h.json", '{"gpus": [], "gpus": []}', None, None, "Duplicate key 'gpus'"),
    ("h.json", '{"gpus": [], "x-n": NaN}', None, None, "Invalid JSON: NaN is not allowed"),
    ("h.toml", 'gpus = []\ndriver = \n', 2, 10, "Invalid TOML: Invalid value"),
    ("h.toml", 'gpus = []\nx-t = 1979-05-27\n', None, None, "Expected a JSON value, got date"),
])
def test_syntax_errors_name_file_line_and_column(tmp_path: Path, name: str, text: str,
                                                 line: int | None, column: int | None,
                                                 message: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ProfileError) as ctx:
        load_profile(path)
    assert (ctx.value.line, ctx.value.column) == (line, column)
    assert ctx.value.message.startswith(message)
    assert str(path) in str(ctx.value)


def test_validation_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "h.json"
    path.write_text('{"gpus": [{"index": 0, "brnad": "x"}]}')
    with pytest.raises(ProfileError) as ctx:
        load_profile(path)
    assert str(ctx.value) == f"unknown key 'brnad'; expected one of index, uuid, pci_bus_id, " \
        f"name, brand, arch, memory_mib, minor_number, mig; keys starting with x- are kept for " \
        f"users ({path}, at 'gpus[0].brnad')"


def test_file_size_cap(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text('{"gpus": [], "x-pad": "' + " " * (1 << 20) + '"}')
    with pytest.raises(ProfileError, match="larger than 1 MiB"):
        load_profile(path)


def test_deep_json_is_an_error_not_a_crash() -> None:
    with pytest.raises(ProfileError):
        parse_profile_text("[" * 100_000 + "]" * 100_000)


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="Cannot read host profile"):
        load_profile(tmp_path / "missing.json")
    path = tmp_path / "latin.json"
    path.write_bytes(b'{"name": "\xe9"}')
    with pytest.raises(ProfileError, match="not UTF-8"):
        load_profile(path)


def test_resolve_host_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert resolve_host("preset:t4-r470") == load_preset("t4-r470")
    assert resolve_host("t4-r470") == load_preset("t4-r470")
    (tmp_path / "t4-r470").write_text('{"gpus": [], "name": "a file"}')
    assert resolve_host("t4-r470").name == "a file"
    assert resolve_host("preset:t4-r470").name == "t4-r470"
    with pytest.raises(ProfileError, match="No host profile file or preset named 'nope'"):
        resolve_host("nope")
    with pytest.raises(ProfileError, match="not a regular file"):
        resolve_host(str(tmp_path))


@pytest.mark.parametrize(("text", "what"), [
    ('{"apiVersion": "v1", "kind": "List", "items": []}', "a Kubernetes object"),
    ('[{"gpus": []}]', "a list"),
])
def test_a_node_list_or_many_profiles_point_to_fleet(tmp_path: Path, text: str,
                                                     what: str) -> None:
    path = tmp_path / "nodes.json"
    path.write_text(text)
    with pytest.raises(ProfileError, match=f"this is {what}, .*use `nvreq fleet --hosts FILE`"):
        load_profile(path)
