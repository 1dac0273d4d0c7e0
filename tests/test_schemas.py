"""The JSON Schemas in docs/schema/ hold every document nvreq prints, named by its ``format``."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from nvreq.cli.main import main
from nvreq.host.profile import HostProfile
from nvreq.host.sources import list_presets, load_preset
from tests.golden.cases import CASES
from tests.host_strategies import host_profiles

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "docs" / "schema"
DATA = ROOT / "tests" / "data"
GOLDEN = ROOT / "tests" / "golden"
LAYOUT = f"oci:{ROOT / 'examples' / 'cuda-12.4.1-layout'}"


@cache
def _registry() -> Registry[Any]:
    resources = []
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        schema = json.loads(path.read_text("utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    return Registry().with_resources(resources)


def validator(fmt: str) -> Draft202012Validator:
    """The validator of the schema a ``format`` value names (``nvreq-KIND/N``)."""
    schema = json.loads((SCHEMAS / f"{fmt.replace('/', '-')}.schema.json").read_text("utf-8"))
    assert schema["$id"] == f"urn:nvreq:{fmt}"
    return Draft202012Validator(schema, registry=_registry())


def validate(doc: dict[str, Any]) -> None:
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
              for e in validator(doc["format"]).iter_errors(doc)]
    assert not errors, errors[:5]


@pytest.mark.parametrize("path", sorted(SCHEMAS.glob("*.schema.json")), ids=lambda p: p.name)
def test_each_schema_is_a_valid_2020_12_schema(path: Path) -> None:
    Draft202012Validator.check_schema(json.loads(path.read_text("utf-8")))


@pytest.mark.parametrize("name", list_presets())
def test_every_preset_is_a_valid_host_profile(name: str) -> None:
    validate(load_preset(name).to_dict())


@settings(max_examples=60, deadline=None)
@given(host_profiles())
def test_generated_profiles_are_valid_host_profiles(profile: HostProfile) -> None:
    validate(profile.to_dict())


def test_the_real_live_profile_is_valid() -> None:
    validate(json.loads((DATA / "h200-live-profile.json").read_text("utf-8")))


@pytest.mark.parametrize("bad", [
    {"gpus": [{"index": 0, "colour": "green"}]},
    {"gpus": [{"index": 0, "arch": "nine"}]},
    {"gpus": [], "runtime": {"mode": "fast"}},
    {"driver": "550.54.15"},
])
def test_profiles_the_reader_refuses_are_invalid(bad: dict[str, Any]) -> None:
    assert not validator("nvreq-host/1").is_valid({"format": "nvreq-host/1", **bad})


@pytest.mark.parametrize("name", sorted(n for n in CASES if n.endswith("-json")))
def test_golden_json_outputs_are_valid(name: str) -> None:
    text = (GOLDEN / f"{name}.txt").read_text("utf-8")
    validate(json.loads(text.split("--- stdout\n", 1)[1].split("--- stderr\n", 1)[0]))


@pytest.mark.parametrize("argv", [
    ["check", LAYOUT, "--host", "preset:a100-mig-r535", "--gpus", "all"],
    ["check", LAYOUT, "oci:/nonexistent", "--host", "preset:t4-r470"],
    ["check", "-e", "NVIDIA_REQUIRE_CUDA=cuda>=12.4 foo=1", "-e", "NVIDIA_VISIBLE_DEVICES=all",
     "--host", "preset:jetson-csv", "--semantics", "toolkit"],
    ["explain", "cuda>=12.4 brand=tesla,driver>=535", "--host", "preset:a100-r535"],
    ["lint", "cuda>=12.4 foo=1 brand>=tesla", "arch=8.0"],
    ["env", LAYOUT, "--platform", "linux/amd64", "--all"],
    ["presets"],
    ["host", "--from", str(DATA / "h200-nvidia-smi-q.xml")],
    ["fleet", LAYOUT, "--hosts", str(DATA / "nodelist-gfd.json")],
    ["doctor", "--root", str(DATA)],
])
def test_printed_documents_are_valid(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    main([*argv, "-o", "json"])
    validate(json.loads(capsys.readouterr().out))
