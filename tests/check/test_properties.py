"""check_env on arbitrary environments: a verdict or an NvreqError, never anything else."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from nvreq.check.checker import check_env
from nvreq.errors import NvreqError
from nvreq.host.profile import Gpu, HostProfile

NAMES = st.one_of(
    st.sampled_from(["NVIDIA_REQUIRE_CUDA", "NVIDIA_REQUIRE_ARCH", "NVIDIA_REQUIRE_",
                     "CUDA_VERSION", "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DISABLE_REQUIRE",
                     "NVIDIA_DISABLE_REQUIRES",
                     "nvidia_require_x", "NVIDIA_REQUIRE_JETPACK", "NVIDIA_DRIVER_CAPABILITIES"]),
    st.text(max_size=20),
)
VALUES = st.one_of(
    st.sampled_from(["all", "none", "void", "0", "1", "0,1", "cuda>=12.4", "12.4.1", "true",
                     "brand=tesla,driver>=535 cuda>=99", ",", " ", "", "12.04.1", "foo"]),
    st.text(max_size=30),
)
HOSTS = [
    HostProfile(gpus=(Gpu(0, brand="Nvidia", arch="9.0", uuid="GPU-1"),), driver="550.54.15",
                cuda="12.4"),
    HostProfile(),
    HostProfile(gpus=(Gpu(0), Gpu(1, brand="Tesla")), driver="abc"),
]


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(NAMES, VALUES, max_size=6), st.sampled_from(HOSTS),
       st.sampled_from(["cli", "toolkit"]))
def test_any_env_mapping_gives_a_verdict_or_a_clear_error(env: dict[str, str], host: HostProfile,
                                                          semantics: str) -> None:
    try:
        report = check_env(env, host, semantics=semantics)  # type: ignore[arg-type]
    except NvreqError as exc:
        assert str(exc)
        return
    assert report.verdict in ("satisfied", "unsatisfied", "error", "not-checked")
    assert report.to_json()
    assert report.explain()
    if report.verdict in ("unsatisfied", "error"):
        assert report.runtime_message


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=30), max_size=6), st.sampled_from(HOSTS))
def test_any_env_list_gives_a_verdict_or_a_clear_error(env: list[str], host: HostProfile) -> None:
    try:
        report = check_env(env, host)
    except NvreqError:
        return
    assert report.exit_code in (0, 1, 2)
