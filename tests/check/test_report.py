"""The Report: typed parts, one JSON schema documented key by key, rendered as text apart."""

from __future__ import annotations

import copy
import pickle
import re
from dataclasses import replace
from pathlib import Path

import grimp

from nvreq.check.checker import check_env
from nvreq.host.profile import HostProfile
from nvreq.images.info import ImageInfo

DOCS = Path(__file__).resolve().parents[2] / "docs" / "check.md"
H100 = HostProfile.preset("h100-r550")
JETSON = HostProfile.preset("jetson-csv")
ENV = ["NVIDIA_REQUIRE_CUDA=cuda>=12.8 brand=Tesla", "NVIDIA_VISIBLE_DEVICES=all"]


def _documented_keys() -> set[str]:
    text = DOCS.read_text(encoding="utf-8")
    table = text[text.index("| field | meaning |"):]
    rows = [line for line in table.splitlines() if line.startswith("| `")]
    return {key for row in rows for key in re.findall(r"`([a-z_]+)`", row.split("|")[1])}


def test_every_json_key_is_documented() -> None:
    image = ImageInfo("img", "img", "sha256:" + "0" * 64, "linux/amd64", tuple(ENV))
    reports = [replace(check_env(ENV, H100), image=image), check_env(ENV, JETSON),
               check_env(ENV, H100, semantics="toolkit"), check_env(["CUDA_VERSION=x"], H100)]
    emitted = {key for report in reports for key in report.to_dict()}
    assert {"image", "toolkit", "disagreements", "selection"} <= emitted
    assert emitted <= _documented_keys()


def test_typed_parts_are_in_the_json_as_their_own_forms() -> None:
    report = check_env(ENV, JETSON)
    out = report.to_dict()
    assert report.selection is not None and out["selection"] == report.selection.to_dict()
    assert report.toolkit is not None and out["toolkit"]["result"] == report.toolkit.result
    assert [d["row"] for d in out["disagreements"]] == [d.row for d in report.disagreements or ()]
    assert "image" not in out and "toolkit" not in check_env(ENV, H100).to_dict()


def test_the_text_renderer_draws_the_device_table_from_the_selection() -> None:
    text = check_env(["NVIDIA_VISIBLE_DEVICES=1,3"], H100).explain()
    marked = [line.split()[1] for line in text.splitlines() if line.startswith("  * ")]
    assert marked == ["1", "3"]


def test_report_and_text_renderer_do_not_import_each_other() -> None:
    graph = grimp.build_graph("nvreq")
    assert graph.chain_exists("nvreq.check.report", "nvreq.check.text")
    assert not graph.chain_exists("nvreq.check.text", "nvreq.check.report")


def test_a_report_copies_and_pickles_with_its_explanation() -> None:
    report = check_env(ENV, HostProfile.preset("t4-r470"))
    for twin in (copy.deepcopy(report), pickle.loads(pickle.dumps(report))):
        assert twin == report and twin.to_dict() == report.to_dict()
