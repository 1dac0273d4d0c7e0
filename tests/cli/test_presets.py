"""``nvreq presets``: the preset table, --show and --json."""

from __future__ import annotations

import argparse
import json

import pytest

from nvreq.cli import presets
from nvreq.errors import ProfileError
from nvreq.host.profile import HostProfile
from nvreq.host.sources import list_presets, load_preset


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    presets.add_arguments(parser)
    return presets.run(parser.parse_args(argv))


def test_table_lists_every_preset(capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NVREQ_HOST", raising=False)
    assert _run([]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["PRESET", "GPUS", "DRIVER", "CUDA", "BRAND", "ARCH", "BASIS"]
    rows = {line.split()[0]: line for line in lines[1:] if line and not line.startswith("Use")}
    assert set(rows) == set(list_presets())
    assert "default" not in rows["h100-r550"]
    assert rows["t4-r470"].split()[1:6] == ["1", "470.82.01", "11.4", "Nvidia", "7.5"]
    assert rows["jetson-csv"].split()[1:6] == ["1", "unknown", "12.2", "unknown", "8.7"]


def test_show_prints_a_loadable_profile(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["--show", "a100-mig-r535"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert HostProfile.from_dict(shown) == load_preset("a100-mig-r535")
    assert shown["x-synthetic"] is True


def test_json_prints_all(capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(["--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "nvreq-presets/1" and set(doc["presets"]) == set(list_presets())


def test_show_unknown_is_a_profile_error() -> None:
    with pytest.raises(ProfileError, match="No preset named 'x100'"):
        _run(["--show", "x100"])


def test_registered_as_presets_only_with_no_alias_one_letter_from_host() -> None:
    from nvreq.cli.main import COMMANDS

    assert COMMANDS["presets"] == "nvreq.cli.presets"
    assert "hosts" not in COMMANDS
