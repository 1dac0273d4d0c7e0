"""The legacy resolver: nvidia-container-cli's token rules and C parsing quirks (devices.md §6)."""

from __future__ import annotations

import pytest

from nvreq.devices.legacy import match_legacy_id, resolve_legacy, why_unknown
from nvreq.host.profile import Gpu, HostProfile, Mig, MigDevice
from tests.hosts import U0, U1, P

V0 = "MIG-aaaaaaaa-aaaa-aaaa-aaaa-aaaaaaaaaaaa"
V1 = "MIG-bbbbbbbb-bbbb-bbbb-bbbb-bbbbbbbbbbbb"
V2 = "MIG-cccccccc-cccc-cccc-cccc-cccccccccccc"
M = HostProfile(gpus=(
    Gpu(0, uuid="GPU-33333333-3333-3333-3333-333333333333", pci_bus_id="00000000:3B:00.0",
        mig=Mig("enabled", (MigDevice(0, V0, gi=1, ci=0), MigDevice(1, V1, gi=2, ci=0)))),
    Gpu(1, uuid="GPU-44444444-4444-4444-4444-444444444444", pci_bus_id="00000000:86:00.0",
        mig=Mig("disabled"))))
# MIG devices at NVML indexes 0 and 2: the CLI's list stops at the empty slot 1.
GAP = HostProfile(gpus=(Gpu(0, mig=Mig("enabled", (MigDevice(0, V0), MigDevice(2, V2)))),))
# A Kubernetes-like profile: no UUIDs, no bus ids, MIG mode unknown.
K8S = HostProfile(gpus=(Gpu(0), Gpu(1)))


def picked(tokens: list[str], host: HostProfile = P) -> list[str]:
    res = resolve_legacy(tokens, host)
    assert res.error is None, res.error
    return [str(g.index) for g in res.gpus] + [f"{g.index}:{m.index}" for g, m in res.mig_devices]


@pytest.mark.parametrize(("token", "expected"), [
    ("1", ["1"]),
    ("01", ["1"]),          # strtoumax: leading zeros
    ("-0", ["0"]),          # strtoumax: -0 reads as 0
    (" 1", ["1"]),          # strtoumax: leading blanks (untrimmed paths: mounts, toolkit < 1.12)
    ("+1", ["1"]),
    (U1, ["1"]),
    (U1.lower(), ["1"]),    # UUIDs compare case-insensitively
    ("gpu-22222222-2222-2222-2222-222222222222", ["1"]),
    ("00000000:86:00.0", ["1"]),
    ("0:86:0.0", ["1"]),    # leading zeros optional
    ("0:86:00.7", ["1"]),   # scanf never checks the ".0" suffix (derived)
    ("0000:3b:00.0", ["0"]),
    (" 0: 86: 0.0", ["1"]),  # %x skips blanks before each number
    ("aLl", ["0", "1"]),
])
def test_gpu_tokens(token: str, expected: list[str]) -> None:
    assert picked([token]) == expected


@pytest.mark.parametrize(("token", "expected"), [
    ("0:1", ["0", "0:1"]),
    ("0:1x", ["0", "0:1"]),     # %lu:%lu ignores trailing text (derived)
    ("0: 1", ["0", "0:1"]),     # %lu skips blanks
    ("+0:+1", ["0", "0:1"]),
    (V1, ["0", "0:1"]),
    (V1.upper().replace("MIG-", "mig-"), ["0", "0:1"]),
])
def test_mig_tokens(token: str, expected: list[str]) -> None:
    assert picked([token], M) == expected


def test_pci_shaped_token_falls_through_to_mig_index() -> None:
    # 0:01:0.0 matches no bus id on M, so it is tried as MIG 0:1 on its first two numbers.
    assert picked(["0:01:0.0"], M) == ["0", "0:1"]
    assert resolve_legacy(["0:3c:0.0"], M).error == "device error: 0:3c:0.0: unknown device"
    assert picked(["0:3b:0.0"], M) == ["0"]


@pytest.mark.parametrize("token", [
    "2", "-1", "18446744073709551616", "1 ", "GPU-22222222", "GPU-", "0:2", "1:0",
    "nvidia.com/gpu=0",
    f"MIG-GPU-{U0}/1/0", "none", "0x1", "",
])
def test_unknown_devices(token: str) -> None:
    res = resolve_legacy([token, "0"], P) if token else resolve_legacy([token], P)
    if token:
        assert res.error == f"device error: {token}: unknown device"
        assert res.gpus == ()
    else:
        assert res.error is None and res.gpus == ()


def test_first_occurrence_wins_and_nothing_is_selected_twice() -> None:
    assert picked(["1", "0", "1", "01"]) == ["1", "0"]
    assert picked(["0:1", "0", V1], M) == ["0", "0:1"]


def test_all_selects_gpus_then_migs_and_stops() -> None:
    res = resolve_legacy(["1", "ALL", "bogus"], M)
    assert [g.index for g in res.gpus] == [1, 0]
    assert [(g.index, m.index) for g, m in res.mig_devices] == [(0, 0), (0, 1)]
    assert res.via_all and res.error is None
    assert {w.code for w in res.warnings} == {"all-case", "ignored-after-all"}


def test_parent_is_pulled_in_and_reported() -> None:
    res = resolve_legacy(["0:1"], M)
    assert [g.index for g in res.gpus] == [0] and res.parents == (0,)
    explicit = resolve_legacy(["0:1", "0"], M)
    assert explicit.parents == ()


def test_mig_gap_hides_devices_after_it() -> None:
    assert picked(["0:0"], GAP) == ["0", "0:0"]
    assert resolve_legacy(["0:1"], GAP).error == "device error: 0:1: unknown device"
    assert resolve_legacy([V2], GAP).error == f"device error: {V2}: unknown device"
    res = resolve_legacy(["all"], GAP)
    assert [(g.index, m.index) for g, m in res.mig_devices] == [(0, 0)]
    assert "mig-gap" in {w.code for w in res.warnings}


def test_zero_gpu_host_accepts_anything() -> None:
    res = resolve_legacy(["5", "bogus"], HostProfile())
    assert (res.error, res.gpus) == (None, ())
    assert [w.code for w in res.warnings] == ["no-gpus"]


@pytest.mark.parametrize("token", [U1, "00000000:86:00.0"])
def test_profile_without_identifiers_leaves_ids_unresolved(token: str) -> None:
    res = resolve_legacy([token, "1"], K8S)
    assert res.error is None
    assert res.unresolved == (token,)
    assert [g.index for g in res.gpus] == [1]


def test_unknown_mig_uuids_leave_mig_uuids_unresolved() -> None:
    host = HostProfile(gpus=(Gpu(0, mig=Mig("enabled", (MigDevice(0),))),))
    assert resolve_legacy([V1], host).unresolved == (V1,)


def test_unknown_mig_mode_is_assumed_disabled_with_a_warning() -> None:
    res = resolve_legacy(["0:1"], K8S)
    assert res.error == "device error: 0:1: unknown device"
    assert "mig-mode-assumed" in {w.code for w in res.warnings}


def test_uuid_prefix_on_a_profile_without_uuids_is_still_unknown() -> None:
    res = resolve_legacy(["GPU-22222222"], K8S)
    assert res.error == "device error: GPU-22222222: unknown device"


@pytest.mark.parametrize(("token", "code"), [
    ("+1", "non-canonical-index"), (U1.lower(), "uuid-case"), ("0:86:0.0", "pci-bus-id")])
def test_forms_only_legacy_accepts_are_flagged(token: str, code: str) -> None:
    match = match_legacy_id(token, P)
    assert match is not None and match.note is not None and match.note[0] == code


@pytest.mark.parametrize(("token", "phrase"), [
    ("GPU-2222", "prefix of GPU 1's UUID"),
    ("nvidia.com/gpu=1", "CDI device name"),
    ("/var/run/nvidia-container-devices", "volume-mounts"),
    ("7", "index 7 is out of range: GPU indexes are 0 to 1"),
    ("0 ", "surrounding blanks"),
    ("none", "'none' is special only"),
])
def test_why_unknown(token: str, phrase: str) -> None:
    why = why_unknown(token, P)
    assert any(phrase in line for line in why), why
    assert why[-1].startswith("The host has 2 GPUs")


def test_why_unknown_names_the_old_mig_uuid_form() -> None:
    why = why_unknown("MIG-GPU-33333333-3333-3333-3333-333333333333/2/0", M)
    assert any("R450/R460 form of MIG device 0:1" in line for line in why)


def test_why_unknown_for_a_mig_index_on_a_non_mig_gpu() -> None:
    why = why_unknown("1:0", M)
    assert any("GPU 1 has MIG disabled" in line for line in why)
