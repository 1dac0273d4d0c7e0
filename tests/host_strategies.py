"""Hypothesis strategies for host profiles (valid ones, and arbitrary JSON-ish objects)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from nvreq.brands import BRAND_NAMES
from nvreq.host.profile import Gpu, HostProfile, Mig, MigDevice, RuntimeSettings

__all__ = ["host_profiles", "json_values", "profile_like_dicts"]

_small = st.integers(min_value=0, max_value=10**6)
_text = st.text(st.characters(codec="utf-8"), max_size=20)
_version = st.builds(lambda a, b: f"{a}.{b}", st.integers(0, 999), st.integers(0, 99))
_hex = st.text("0123456789abcdef", min_size=8, max_size=8)
_extra = st.dictionaries(st.builds(lambda s: "x-" + s, _text), st.one_of(st.none(), _small, _text),
                         max_size=2)


@st.composite
def _mig(draw: st.DrawFn) -> Mig:
    mode = draw(st.sampled_from([None, "enabled", "disabled", "unsupported"]))
    devices: tuple[MigDevice, ...] = ()
    if mode == "enabled":
        indexes = draw(st.lists(st.integers(0, 20), unique=True, max_size=4))
        devices = tuple(
            MigDevice(index=j,
                      uuid=draw(st.none() | _hex.map(lambda h: f"MIG-{h}")),
                      gi=draw(st.none() | st.integers(0, 14)),
                      ci=draw(st.none() | st.integers(0, 7)),
                      profile=draw(st.none() | st.sampled_from(["1g.5gb", "3g.40gb"])),
                      memory_mib=draw(st.none() | _small),
                      extra=draw(_extra))
            for j in sorted(indexes))
    return Mig(mode=mode, devices=devices, extra=draw(_extra))


@st.composite
def _gpu(draw: st.DrawFn, index: int) -> Gpu:
    bus = draw(st.none() | st.tuples(st.integers(0, 0xFFFF), st.integers(0, 255),
                                     st.integers(0, 31)))
    return Gpu(
        index=index,
        uuid=draw(st.none() | _hex.map(lambda h: f"GPU-{h}")),
        pci_bus_id=None if bus is None else f"{bus[0]:08X}:{bus[1]:02X}:{bus[2]:02X}.0",
        name=draw(st.none() | _text),
        brand=draw(st.none() | st.sampled_from(BRAND_NAMES)),
        arch=draw(st.none() | _version),
        memory_mib=draw(st.none() | _small),
        minor_number=draw(st.none() | st.integers(0, 255)),
        mig=draw(_mig()),
        extra=draw(_extra),
    )


@st.composite
def _runtime(draw: st.DrawFn) -> RuntimeSettings:
    config = draw(st.fixed_dictionaries({}, optional={
        "disable-require": st.booleans(),
        "swarm-resource": _text,
        "nvidia-container-runtime": st.fixed_dictionaries(
            {}, optional={"mode": st.sampled_from(["legacy", "cdi", "auto"])}),
    }))
    return RuntimeSettings(
        mode=draw(st.none() | st.sampled_from(["legacy", "jit-cdi", "cdi", "csv", "auto"])),
        platform=draw(st.none() | st.sampled_from(["nvml", "tegra"])),
        toolkit_version=draw(st.none() | st.sampled_from(["1.8.1", "1.17.4", "1.18.0-rc.1"])),
        privileged=draw(st.none() | st.booleans()),
        config=config,
        cdi_devices=draw(st.none() | st.lists(st.sampled_from(
            ["nvidia.com/gpu=0", "nvidia.com/gpu=all"]), max_size=2).map(tuple)),
        docker=draw(st.none() | st.fixed_dictionaries(
            {}, optional={"version": _version, "cdi": st.booleans()})),
        extra=draw(_extra),
    )


@st.composite
def host_profiles(draw: st.DrawFn, max_gpus: int = 4) -> HostProfile:
    """Valid host profiles, as ``from_dict`` would build them."""
    count = draw(st.integers(0, max_gpus))
    return HostProfile(
        gpus=tuple(draw(_gpu(i)) for i in range(count)),
        driver=draw(st.none() | st.sampled_from(["550.54.15", "470.82.01", "570.26"])),
        cuda=draw(st.none() | _version),
        name=draw(st.none() | _text),
        platform=draw(st.none() | st.sampled_from(["linux/amd64", "linux/arm64/v8"])),
        runtime=draw(_runtime()),
        extra=draw(_extra),
    )


json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | _text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=12,
)

_keys = st.sampled_from(["index", "uuid", "brand", "arch", "mig", "mode", "devices", "gpus",
                         "cuda", "driver", "runtime", "config", "pci_bus_id", "x-a", "brnad"])


def profile_like_dicts() -> st.SearchStrategy[Any]:
    """Arbitrary JSON-ish objects biased toward profile keys."""
    value = st.recursive(
        st.none() | st.booleans() | st.integers(-2, 20000) | _text
        | st.sampled_from(["12.4", "9.0", "GPU-1", "MIG-1", "enabled", "0000:3b:00.0", "Nvidia"]),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=4),
        max_leaves=15,
    )
    return st.dictionaries(_keys | _text, value, max_size=5)
