"""The worked examples of require.md §12 (cli semantics), row by row."""

from __future__ import annotations

import pytest

from nvreq.check.checker import check_env
from tests.hosts import HOSTS

HINT = ", please update your driver to a newer version, or use an earlier cuda container"
U = "requirement error: unsatisfied condition: "
INVALID = "requirement error: invalid expression"

# (row, env, host, verdict, message or None, diagnostic code expected or None)
ROWS = [
    (1, {"NVIDIA_REQUIRE_CUDA": "cuda>=12.4"}, "A", "satisfied", None, None),
    (2, {"NVIDIA_REQUIRE_CUDA": "cuda>=12.5"}, "A", "unsatisfied", U + "cuda>=12.5" + HINT, None),
    (3, {"NVIDIA_REQUIRE_CUDA": "cuda>=12.4 brand=tesla,driver>=535,driver<536"}, "B",
     "satisfied", None, None),
    (4, {"NVIDIA_REQUIRE_CUDA": "cuda>=12.4 brand=tesla,driver>=535,driver<536"}, "C",
     "unsatisfied", U + "cuda>=12.4" + HINT, None),
    (5, {"NVIDIA_REQUIRE_CUDA": "brand=tesla,driver>=535,driver<536 cuda>=12.4"}, "C",
     "unsatisfied", U + "brand=tesla,driver>=535,driver<536", None),
    (6, {"NVIDIA_REQUIRE_CUDA": "CUDA>=12.4"}, "A", "satisfied", None, "key-case"),
    (7, {"NVIDIA_REQUIRE_CUDA": "brand=TESLA"}, "B", "satisfied", None, None),
    (8, {"NVIDIA_REQUIRE_CUDA": "brand=nvidia"}, "A", "satisfied", None, None),
    (9, {"NVIDIA_REQUIRE_CUDA": "cuda>=12.4 foo=1"}, "A", "satisfied", None, "unknown-key"),
    (10, {"NVIDIA_REQUIRE_CUDA": "foo=1 cuda>=12.4"}, "A", "error", INVALID, "unknown-key"),
    (11, {"NVIDIA_REQUIRE_CUDA": "cuda>=99,foo=1"}, "A", "unsatisfied",
     U + "cuda>=99,foo=1" + HINT, "unknown-key"),
    (12, {"NVIDIA_REQUIRE_CUDA": "cuda>=10_0"}, "A", "error", INVALID, "bad-version"),
    (12, {"NVIDIA_REQUIRE_CUDA": "cuda==12.4"}, "A", "error", INVALID, "bad-operator"),
    (12, {"NVIDIA_REQUIRE_CUDA": "cuda=>12.4"}, "A", "error", INVALID, "bad-operator"),
    (13, {"NVIDIA_REQUIRE_CUDA": "cuda!12.4"}, "A", "unsatisfied", U + "cuda!12.4",
     "bang-operator"),
    (14, {"NVIDIA_REQUIRE_CUDA": "brand>=tesla"}, "A", "error", INVALID, "brand-ordering"),
    (14, {"NVIDIA_REQUIRE_CUDA": "brand="}, "A", "error", INVALID, "empty-value"),
    (15, {"NVIDIA_REQUIRE_CUDA": "brand>=tesla", "NVIDIA_VISIBLE_DEVICES": "none"}, "A",
     "satisfied", None, "brand-ordering"),
    (16, {"NVIDIA_REQUIRE_CUDA": "arch>=abc", "NVIDIA_VISIBLE_DEVICES": "none"}, "A",
     "satisfied", None, "bad-version"),
    (17, {"NVIDIA_REQUIRE_CUDA": "driver>=535.104.5"}, "B", "satisfied", None, None),
    (17, {"NVIDIA_REQUIRE_CUDA": "driver=535.104.5"}, "B", "satisfied", None, None),
    (18, {"NVIDIA_REQUIRE_CUDA": "driver>535.104"}, "B", "satisfied", None, None),
    (19, {"NVIDIA_REQUIRE_CUDA": "cuda>=12.4.0.0"}, "A", "satisfied", None, None),
    (19, {"NVIDIA_REQUIRE_CUDA": "cuda>12.4.0.0"}, "A", "unsatisfied", U + "cuda>12.4.0.0",
     None),
    (20, {"NVIDIA_REQUIRE_CUDA": "cuda>=12..4"}, "A", "satisfied", None, "version-portability"),
    (21, {"NVIDIA_REQUIRE_CUDA": "cuda>=.4"}, "A", "error", INVALID, "bad-version"),
    (21, {"NVIDIA_REQUIRE_CUDA": "cuda>=v12.4"}, "A", "error", INVALID, "bad-version"),
    (22, {"NVIDIA_REQUIRE_CUDA": "cuda>=12.40"}, "A", "unsatisfied", U + "cuda>=12.40" + HINT,
     None),
    (23, {"NVIDIA_REQUIRE_CUDA": "cuda<99999999999999999999999"}, "A", "error", INVALID,
     "bad-version"),
    (24, {"NVIDIA_REQUIRE_CUDA": "arch>=8.0"}, "D", "unsatisfied", U + "arch>=8.0", None),
    (25, {"NVIDIA_REQUIRE_CUDA": "arch>=8.0", "NVIDIA_VISIBLE_DEVICES": "0"}, "D", "satisfied",
     None, None),
    (26, {"NVIDIA_REQUIRE_CUDA": "cuda>=99 , cuda>=12.4"}, "A", "unsatisfied",
     U + "cuda>=99" + HINT, "comma-only-term"),
    (27, {"NVIDIA_REQUIRE_CUDA": ", cuda>=99"}, "A", "satisfied", None, "comma-only-term"),
    (28, {"NVIDIA_REQUIRE_CUDA": " cuda>=99"}, "A", "unsatisfied", U, "leading-space"),
    (29, {"NVIDIA_REQUIRE_CUDA": "cuda>=99,"}, "A", "unsatisfied", U + "cuda>=99," + HINT, None),
    (30, {"NVIDIA_REQUIRE_CUDA": "cuda>=12.4\t"}, "A", "error", INVALID, "whitespace"),
    (31, {"NVIDIA_REQUIRE_CUDA": "brand=" + "x" * 120}, "A", "error", INVALID, "long-clause"),
    (31, {"NVIDIA_REQUIRE_CUDA": "brand=" + "x" * 119}, "A", "unsatisfied",
     U + "brand=" + "x" * 119, "unknown-brand"),
    (32, {"NVIDIA_REQUIRE_CUDA": "cuda>=12.0", "NVIDIA_REQUIRE_ARCH": "arch>=8.0"}, "B",
     "unsatisfied", U + "arch>=8.0", None),
    (33, {"NVIDIA_REQUIRE_A": "foo=1", "NVIDIA_REQUIRE_B": "cuda>=99"}, "A", "error", INVALID,
     "unknown-key"),
    (35, {"NVIDIA_REQUIRE_CUDA": "cuda>=99", "NVIDIA_DISABLE_REQUIRE": "yes"}, "A", "unsatisfied",
     U + "cuda>=99" + HINT, "disable-not-true"),
    (35, {"NVIDIA_REQUIRE_CUDA": "cuda>=99", "NVIDIA_DISABLE_REQUIRES": "true"}, "A",
     "unsatisfied", U + "cuda>=99" + HINT, "disable-misspelled"),
    (36, {"CUDA_VERSION": "12.4.1"}, "B", "unsatisfied", U + "cuda>=12.4" + HINT,
     "legacy-requirement"),
    (36, {"CUDA_VERSION": "12.4.1", "NVIDIA_REQUIRE_CUDA": ""}, "B", "unsatisfied",
     U + "cuda>=12.4" + HINT, "legacy-requirement"),
    (37, {"CUDA_VERSION": "12.04.1"}, "A", "satisfied", None, "legacy-requirement"),
    (39, {"nvidia_require_cuda": "cuda>=99", "NVIDIA_REQUIRE_JETPACK": "csv-mounts=all"}, "A",
     "satisfied", None, "prefix-case"),
    (40, {f"NVIDIA_REQUIRE_R{i}": "cuda>=1" for i in range(33)}, "A", "error",
     "input error: too many requirements", "too-many-requirements"),
]


@pytest.mark.parametrize(("row", "env", "host", "verdict", "message", "code"), ROWS,
                         ids=[f"row{r[0]}-{i}" for i, r in enumerate(ROWS)])
def test_worked_example(row: int, env: dict[str, str], host: str, verdict: str,
                        message: str | None, code: str | None) -> None:
    full = {"NVIDIA_VISIBLE_DEVICES": "all", **env}
    report = check_env(full, HOSTS[host])
    assert report.verdict == verdict
    assert report.runtime_message == message
    if code is not None:
        assert code in {d.code for d in report.diagnostics}


def test_row33_order_dependent_lists_both_messages() -> None:
    env = {"NVIDIA_REQUIRE_A": "foo=1", "NVIDIA_REQUIRE_B": "cuda>=99",
           "NVIDIA_VISIBLE_DEVICES": "all"}
    report = check_env(env, HOSTS["A"])
    assert report.order_dependent
    assert report.runtime_messages == (INVALID, U + "cuda>=99" + HINT)


def test_row34_disabled_is_not_checked_but_says_what_it_would_be() -> None:
    env = {"NVIDIA_REQUIRE_CUDA": "cuda>=99", "NVIDIA_DISABLE_REQUIRE": "true",
           "NVIDIA_VISIBLE_DEVICES": "all"}
    report = check_env(env, HOSTS["A"])
    assert (report.verdict, report.reason, report.would_be) == ("not-checked", "disabled",
                                                                "unsatisfied")
    assert report.runtime_message is None
    assert bool(report)


@pytest.mark.parametrize("value", ["1", "t", "T", "TRUE", "true", "True"])
def test_exactly_six_spellings_disable(value: str) -> None:
    env = {"NVIDIA_REQUIRE_CUDA": "cuda>=99", "NVIDIA_DISABLE_REQUIRE": value,
           "NVIDIA_VISIBLE_DEVICES": "all"}
    assert check_env(env, HOSTS["A"]).reason == "disabled"


@pytest.mark.parametrize("value", ["yes", "on", "TrUe", " true", "", "false", "0"])
def test_other_spellings_do_not_disable(value: str) -> None:
    env = {"NVIDIA_REQUIRE_CUDA": "cuda>=99", "NVIDIA_DISABLE_REQUIRE": value,
           "NVIDIA_VISIBLE_DEVICES": "all"}
    report = check_env(env, HOSTS["A"])
    assert report.verdict == "unsatisfied"
    assert "disable-not-true" in {d.code for d in report.diagnostics}


def test_row38_void_is_not_checked() -> None:
    env = {"NVIDIA_REQUIRE_CUDA": "cuda>=99", "NVIDIA_VISIBLE_DEVICES": "void"}
    report = check_env(env, HOSTS["A"])
    assert (report.verdict, report.reason, report.would_be) == ("not-checked", "no-devices",
                                                                "unsatisfied")
    assert not report.gpu_container


def test_row37_cuda_version_leading_zero_is_an_error_on_toolkit_1_20() -> None:
    from dataclasses import replace

    host = replace(HOSTS["A"], runtime=replace(HOSTS["A"].runtime, toolkit_version="1.20.0"))
    report = check_env({"CUDA_VERSION": "12.04.1"}, host)
    assert report.verdict == "error"
    assert report.runtime_message is not None
    assert report.runtime_message.startswith(
        "failed to get requirements failed to get version: invalid CUDA version 12.04.1")


@pytest.mark.parametrize("value", ["foo", "9.0.116.50", "9.", "9..0", ".5.10", "-9", "+9",
                                   "9.4294967296"])
def test_invalid_cuda_version_is_an_error(value: str) -> None:
    report = check_env({"CUDA_VERSION": value}, HOSTS["A"])
    assert report.verdict == "error"
    assert report.runtime_message is not None
    assert report.runtime_message.startswith(
        f"failed to get requirements failed to get version: invalid CUDA version {value}")
    assert "invalid-cuda-version" in {d.code for d in report.diagnostics}


# The hook's own line, byte for byte (cmd/nvidia-container-runtime-hook/container_config.go:
# log.Panicln("failed to get requirements", err); internal/config/image/cuda_image.go of
# v1.20.0 (x/mod/semver) and of d34b304 (Masterminds); internal/modifier/csv.go for the toolkit).
_INNER = "failed to get version: invalid CUDA version"


@pytest.mark.parametrize(("value", "toolkit", "reason"), [
    ("foo", None, "invalid version string: invalid semantic version"),
    ("foo", "1.20.0", "invalid version string"),
    ("vv12.4", None, "invalid version string: invalid semantic version"),
    ("vv12.4", "1.20.0", "invalid version string"),
    ("12.04.1", "1.20.0", "invalid version string"),
    ("1.18446744073709551616", None, "invalid version string: error parsing version segment: "
     'strconv.ParseUint: parsing "18446744073709551616": value out of range'),
    ("1.18446744073709551616", "1.20.0", "invalid minor version"),
    ("9.4294967296", None, "invalid minor version"),
    ("4294967296.1", "1.20.0", "invalid major version"),
])
def test_invalid_cuda_version_message_per_toolkit_and_path(value: str, toolkit: str | None,
                                                           reason: str) -> None:
    from dataclasses import replace

    host = replace(HOSTS["A"], runtime=replace(HOSTS["A"].runtime, toolkit_version=toolkit))
    env = {"CUDA_VERSION": value, "NVIDIA_VISIBLE_DEVICES": "all"}
    inner = f"{_INNER} {value}: {reason}"
    assert check_env(env, host).runtime_message == f"failed to get requirements {inner}"
    assert check_env(env, host, semantics="toolkit").runtime_message == (
        f"requirements not met: failed to get image requirements: {inner}")


@pytest.mark.parametrize(("value", "requirement"), [
    ("12.4.1", "cuda>=12.4"), ("9.0.116", "cuda>=9.0"), ("8", "cuda>=8.0"),
    ("v12.4.1", "cuda>=12.4"),
])
def test_cuda_version_rule_synthesizes_major_minor(value: str, requirement: str) -> None:
    report = check_env({"CUDA_VERSION": value}, HOSTS["A"])
    assert [str(r.requirement) for r in report.requirements] == [requirement]
    assert report.requirements[-1].synthesized


def test_modern_image_without_visible_devices_is_not_a_gpu_container() -> None:
    report = check_env({"NVIDIA_REQUIRE_CUDA": "cuda>=99", "CUDA_VERSION": "12.4.1"}, HOSTS["A"])
    assert (report.verdict, report.reason) == ("not-checked", "no-devices")


def test_legacy_image_without_visible_devices_gets_all_gpus() -> None:
    report = check_env({"CUDA_VERSION": "12.4.1"}, HOSTS["D"])
    assert report.gpu_container and report.verdict == "satisfied"


def test_entry_without_equals_is_the_hooks_error() -> None:
    report = check_env(["NVIDIA_VISIBLE_DEVICES=all", "BROKEN"], HOSTS["A"])
    assert report.verdict == "error"
    assert report.runtime_message == "invalid environment variable: BROKEN"


def test_later_env_entry_wins() -> None:
    report = check_env(["NVIDIA_REQUIRE_CUDA=cuda>=99", "NVIDIA_REQUIRE_CUDA=cuda>=12.4",
                        "NVIDIA_VISIBLE_DEVICES=all"], HOSTS["A"])
    assert report.verdict == "satisfied"


def test_gpu_order_decides_the_message() -> None:
    from nvreq.host.profile import Gpu, HostProfile

    def host(*brands: str) -> HostProfile:
        return HostProfile(gpus=tuple(Gpu(i, brand=b, arch="9.0") for i, b in enumerate(brands)),
                           driver="550.54.15", cuda="12.4")

    env = {"NVIDIA_REQUIRE_CUDA": "brand=tesla,arch>=abc", "NVIDIA_VISIBLE_DEVICES": "all"}
    assert check_env(env, host("GeForce", "Tesla")).verdict == "unsatisfied"
    assert check_env(env, host("Tesla", "GeForce")).verdict == "error"


def test_unknown_facts_hold_and_are_marked_assumed() -> None:
    from nvreq.host.profile import Gpu, HostProfile

    host = HostProfile(gpus=(Gpu(0),))
    report = check_env({"NVIDIA_REQUIRE_CUDA": "cuda>=12.4 brand=tesla",
                        "NVIDIA_VISIBLE_DEVICES": "all"}, host)
    assert report.verdict == "satisfied" and report.assumed
    strict = check_env({"NVIDIA_REQUIRE_CUDA": "cuda>=12.4", "NVIDIA_VISIBLE_DEVICES": "all"},
                       host, unknown="fail")
    assert strict.verdict == "unsatisfied"


def test_brand_unknown_is_a_known_value() -> None:
    from nvreq.host.profile import Gpu, HostProfile

    host = HostProfile(gpus=(Gpu(0, brand="Unknown", arch="9.0"),), driver="550.54.15",
                       cuda="12.4")
    env = {"NVIDIA_REQUIRE_CUDA": "brand=unknown", "NVIDIA_VISIBLE_DEVICES": "all"}
    report = check_env(env, host)
    assert report.verdict == "satisfied" and not report.assumed


def test_brands_from_vapps_up_read_unknown_before_toolkit_1_9() -> None:
    from nvreq.host.profile import Gpu, HostProfile, RuntimeSettings

    host = HostProfile(gpus=(Gpu(0, brand="Nvidia", arch="9.0"),), driver="550.54.15",
                       cuda="12.4", runtime=RuntimeSettings(toolkit_version="1.8.1"))
    env = {"NVIDIA_REQUIRE_CUDA": "brand=unknown", "NVIDIA_VISIBLE_DEVICES": "all"}
    assert check_env(env, host).verdict == "satisfied"


def test_cdi_modes_do_not_enforce_but_still_compute() -> None:
    env = {"NVIDIA_REQUIRE_CUDA": "cuda>=99", "NVIDIA_VISIBLE_DEVICES": "all"}
    report = check_env(env, HOSTS["A"], mode="jit-cdi")
    assert report.verdict == "unsatisfied" and not report.enforced
    assert any("nobody checks NVIDIA_REQUIRE_*" in w for w in report.warnings)
