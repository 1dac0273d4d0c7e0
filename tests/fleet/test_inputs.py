"""Fleet inputs: NodeLists become approximate profiles; directories and JSON lists of profiles."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.errors import InputError, NvreqError, ProfileError
from nvreq.fleet.inputs import hosts_from_data, hosts_from_nodelist, load_brand_map, read_hosts
from nvreq.fleet.node_labels import profile_from_labels
from nvreq.host.profile import HostProfile

DATA = Path(__file__).parents[1] / "data"
NODELIST = str(DATA / "nodelist-gfd.json")


@pytest.fixture(scope="module")
def fleet() -> Any:
    return read_hosts(NODELIST)


def _host(fleet: Any, name: str) -> HostProfile:
    profile: HostProfile = dict(fleet.hosts)[name]
    return profile


@pytest.mark.parametrize(("node", "driver", "cuda", "gpus", "arch", "name"), [
    ("h100-a", "550.54.15", "12.4", 8, "9.0", "NVIDIA-H100-80GB-HBM3"),
    ("a100-r535", "535.104.05", "12.2", 4, "8.0", "NVIDIA-A100-SXM4-40GB"),
    ("t4-old", "470.82.01", "11.4", 1, "7.5", "Tesla-T4"),  # deprecated label names only
    ("rtx-shared", "570.26", "12.8", 1, "8.9", "NVIDIA-GeForce-RTX-4090"),  # -SHARED stripped
])
def test_gfd_labels_become_profiles(fleet: Any, node: str, driver: str, cuda: str, gpus: int,
                                    arch: str, name: str) -> None:
    host = _host(fleet, node)
    assert (host.driver, host.cuda, len(host.gpus)) == (driver, cuda, gpus)
    assert {(g.arch, g.name, g.brand, g.uuid) for g in host.gpus} == {(arch, name, None, None)}
    assert host.source == {"kind": "kubernetes", "approximate": True, "node": node}
    assert host.platform == "linux/amd64" and host.runtime.mode == "legacy"
    assert any("brand" in n and "unknown" in n for n in fleet.notes[node])


def test_mig_single_strategy(fleet: Any) -> None:
    host = _host(fleet, "a100-mig")
    (gpu,) = host.gpus
    assert gpu.mig.mode == "enabled" and len(gpu.mig.devices) == 14
    assert {d.profile for d in gpu.mig.devices} == {"1g.5gb"}
    assert gpu.name == "NVIDIA-A100-SXM4-40GB"
    assert any("MIG single" in n for n in fleet.notes["a100-mig"])


def test_nfd_labels_give_the_brand(fleet: Any) -> None:
    host = _host(fleet, "h100-nfd")
    assert {g.brand for g in host.gpus} == {"Nvidia"}
    assert "brand: from label feature.node.kubernetes.io/gpu-brand" in fleet.notes["h100-nfd"]


def test_gpu_nodes_without_gfd_have_unknown_facts(fleet: Any) -> None:
    host = _host(fleet, "plugin-only")
    assert len(host.gpus) == 2 and host.driver is None and host.gpus[0].arch is None
    assert "driver: no label, so it is unknown" in fleet.notes["plugin-only"]


def test_cpu_nodes_are_listed_not_evaluated(fleet: Any) -> None:
    assert fleet.non_gpu == (("cpu-1", "no GPU Feature Discovery labels and no nvidia.com/gpu "
                                       "capacity"),)
    assert "cpu-1" not in dict(fleet.hosts)


def test_brand_map_fills_brands_by_product() -> None:
    data = json.loads(Path(NODELIST).read_text())
    result = hosts_from_nodelist(data, brand_map={"Tesla-T4": "tesla"})
    assert {g.brand for g in dict(result.hosts)["t4-old"].gpus} == {"Tesla"}


def _labels(**extra: str) -> dict[str, str]:
    return {"nvidia.com/gpu.count": "1", **{k.replace("_", "."): v for k, v in extra.items()}}


@pytest.mark.parametrize(("labels", "message"), [
    ({"nvidia.com/cuda.driver-version.major": "5x0", "nvidia.com/gpu.count": "1"},
     "label nvidia.com/cuda.driver-version.major='5x0' is not a non-negative integer"),
    ({"nvidia.com/cuda.runtime-version.major": "12", "nvidia.com/gpu.count": "1"},
     "label nvidia.com/cuda.runtime-version.minor is missing while "
     "nvidia.com/cuda.runtime-version.major is present"),
    ({"nvidia.com/gpu.count": "-1"}, "is not a non-negative integer"),
    ({"nvidia.com/gpu.count": "300"}, "300 GPUs, over the limit of 256"),
    ({"nvidia.com/cuda.driver-version.full": "550.54.15-open", "nvidia.com/gpu.count": "1"},
     "is not a version"),
    ({"nvidia.com/gpu.count": "1", "feature.node.kubernetes.io/gpu-archs": "sm90"},
     "is not a list of compute capabilities"),
])
def test_bad_labels_make_a_node_unreadable(labels: dict[str, str], message: str) -> None:
    data = {"kind": "NodeList", "items": [{"metadata": {"name": "n", "labels": labels}}]}
    result = hosts_from_nodelist(data)
    assert not result.hosts
    ((node, why),) = result.problems
    assert node == "n" and why.startswith("node n: ") and message in why


def test_zero_gpus_is_a_non_gpu_node() -> None:
    data = {"items": [{"metadata": {"name": "n", "labels": {"nvidia.com/gpu.count": "0"}}}]}
    assert hosts_from_nodelist(data).non_gpu == (("n", "its labels count 0 GPUs"),)


@pytest.mark.parametrize(("data", "message"), [
    ({"kind": "NodeList", "items": {}}, "needs 'items', a list of nodes"),
    ({"kind": "NodeList", "items": [3]}, "items[0] is not an object"),
    ({"kind": "NodeList", "items": [{"metadata": {}}]}, "items[0].metadata.name is missing"),
    ({"kind": "NodeList", "items": [{"metadata": {"name": "n", "labels": {"a": 1}}}]},
     "items[0].metadata.labels is not an object of strings"),
    ({"kind": "NodeList", "items": [{"metadata": {"name": "n"}, "status": {"capacity": []}}]},
     "items[0].status.capacity is not an object"),
    ({"kind": "NodeList", "items": [{"metadata": {"name": "n"}}, {"metadata": {"name": "n"}}]},
     "node name 'n' appears twice"),
    (42, "expected a NodeList"),
])
def test_malformed_nodelists(data: Any, message: str) -> None:
    with pytest.raises(InputError) as exc:
        hosts_from_data(data, source="nodes.json")
    assert message in str(exc.value) and str(exc.value).startswith("nodes.json")


def test_nodelist_limits() -> None:
    data = {"kind": "NodeList", "items": [{"metadata": {"name": f"n{i}"}} for i in range(10001)]}
    with pytest.raises(InputError, match="10001 nodes, over the limit of 10000"):
        hosts_from_nodelist(data)


def test_directory_and_json_list_of_profiles(tmp_path: Path) -> None:
    h100 = {k: v for k, v in HostProfile.preset("h100-r550").to_dict().items() if k != "name"}
    (tmp_path / "a.json").write_text(json.dumps(h100))
    (tmp_path / "b.toml").write_text('name = "bee"\ndriver = "470.82.01"\ngpus = []\n')
    (tmp_path / "notes.txt").write_text("ignored")
    hosts = read_hosts(str(tmp_path))
    assert [n for n, _ in hosts.hosts] == ["a", "bee"]
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps([h100, {**h100, "name": "x"}]))
    assert [n for n, _ in read_hosts(str(listing)).hosts] == ["host0", "x"]
    named = tmp_path / "named.json"
    named.write_text(json.dumps({"p": h100, "q": h100}))
    assert [n for n, _ in read_hosts(str(named)).hosts] == ["p", "q"]
    assert read_hosts("preset:t4-r470").hosts[0][0] == "preset:t4-r470"


def test_profile_errors_name_the_entry(tmp_path: Path) -> None:
    listing = tmp_path / "list.json"
    listing.write_text(json.dumps([{"gpus": [{"index": 0, "brnad": "x"}]}]))
    with pytest.raises(ProfileError, match=r"at '\[0\]\.gpus\[0\]\.brnad'"):
        read_hosts(str(listing))
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(InputError, match="invalid JSON at line 1"):
        read_hosts(str(tmp_path / "bad.json"))
    with pytest.raises(InputError, match="cannot read"):
        read_hosts(str(tmp_path / "missing.json"))
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no host profiles"):
        read_hosts(str(tmp_path / "empty"))


def test_sources_add_and_refuse_duplicate_names() -> None:
    a = read_hosts("preset:t4-r470")
    assert len((a + read_hosts("preset:h100-r550")).hosts) == 2
    with pytest.raises(InputError, match="appears in both"):
        a + a


def test_brand_map_file(tmp_path: Path) -> None:
    path = tmp_path / "map.json"
    path.write_text('{"Tesla-T4": "tesla"}')
    assert load_brand_map(str(path)) == {"Tesla-T4": "tesla"}
    path.write_text('["x"]')
    with pytest.raises(InputError, match="expected a JSON object"):
        load_brand_map(str(path))


LABEL_KEYS = st.sampled_from([
    "nvidia.com/gpu.count", "nvidia.com/cuda.driver-version.major",
    "nvidia.com/cuda.driver-version.minor", "nvidia.com/cuda.driver-version.revision",
    "nvidia.com/cuda.driver-version.full", "nvidia.com/cuda.runtime-version.full",
    "nvidia.com/cuda.runtime-version.major", "nvidia.com/cuda.runtime-version.minor",
    "nvidia.com/gpu.compute.major", "nvidia.com/gpu.compute.minor", "nvidia.com/gpu.product",
    "nvidia.com/mig.strategy", "nvidia.com/mig.capable", "nvidia.com/mig-1g.5gb.count",
    "nvidia.com/gpu.memory", "feature.node.kubernetes.io/gpu-brand",
    "feature.node.kubernetes.io/gpu-archs", "kubernetes.io/os", "kubernetes.io/arch"])
LABEL_VALUES = st.one_of(st.sampled_from(["0", "1", "12", "05", "", "single", "mixed", "true",
                                          "9.0_7.5", "x-MIG-1g.5gb", "tesla", "550.54.15"]),
                         st.text(max_size=8))


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(LABEL_KEYS, LABEL_VALUES, max_size=10))
def test_any_labels_give_a_profile_or_a_clear_error(labels: dict[str, str]) -> None:
    try:
        profile, notes = profile_from_labels("n", labels)
    except NvreqError as exc:
        assert str(exc).startswith("node n: ")
        return
    assert HostProfile.from_dict(profile.to_dict()) == profile
    assert notes


def test_a_mig_count_of_18_digits_is_compared_not_enumerated() -> None:
    labels = {"nvidia.com/gpu.count": "1", "nvidia.com/mig.strategy": "mixed",
              "nvidia.com/mig-1g.5gb.count": "9" * 18, "nvidia.com/gpu.compute.major": "8",
              "nvidia.com/gpu.compute.minor": "0"}
    profile, _ = profile_from_labels("big", labels, {})
    assert len(profile.gpus[-1].mig.devices) == 64
