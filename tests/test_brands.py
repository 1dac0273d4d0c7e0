"""Brand names: every input form of host.md §1.2 maps to libnvidia-container's name."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nvreq.brands import (
    BRAND_NAMES,
    brand_enum,
    brand_name,
    brand_name_pre_1_9,
    is_known_brand_token,
)

# host.md §1.2: enum, name, and the other accepted input spellings.
TABLE = [
    (0, "Unknown", ["unknown"]),
    (1, "Quadro", ["quadro"]),
    (2, "Tesla", ["tesla"]),
    (3, "NVS", ["nvs"]),
    (4, "GRID", ["grid", "Grid"]),
    (5, "GeForce", ["geforce"]),
    (6, "TITAN", ["titan", "Titan"]),
    (7, "VApps", ["vapps", "NvidiaVApps", "NVIDIA Virtual Applications"]),
    (8, "VPC", ["vpc", "NvidiaVPC", "NVIDIA Virtual PC"]),
    (9, "VCS", ["vcs", "NvidiaVCS", "NVIDIA Virtual Compute Server"]),
    (10, "VWS", ["vws", "NvidiaVWS", "NVIDIA RTX Virtual Workstation"]),
    (11, "CloudGaming", ["cloudgaming", "NvidiaCloudGaming", "NVIDIA Cloud Gaming"]),
    (12, "QuadroRTX", ["quadrortx", "Quadro RTX"]),
    (13, "NvidiaRTX", ["nvidiartx", "NVIDIA RTX"]),
    (14, "Nvidia", ["nvidia", "NVIDIA"]),
    (15, "GeForceRTX", ["geforcertx", "GeForce RTX"]),
    (16, "TitanRTX", ["titanrtx", "Titan RTX", "TITAN RTX"]),
]
FORMS = [(form, name) for _, name, forms in TABLE for form in [name, *forms]]


def test_seventeen_names_in_enum_order() -> None:
    assert [name for _, name, _ in TABLE] == list(BRAND_NAMES)


@pytest.mark.parametrize(("enum", "name"), [(e, n) for e, n, _ in TABLE])
def test_enum_integer_maps_to_name(enum: int, name: str) -> None:
    assert brand_name(enum) == name
    assert brand_name(str(enum)) == name


@pytest.mark.parametrize(("text", "name"), FORMS)
def test_every_text_form_maps_to_name(text: str, name: str) -> None:
    assert brand_name(text) == name
    assert brand_name(f" {text.upper()} ") == name


@pytest.mark.parametrize("enum", [17, 18, 19, 20, 999, -1])
def test_enums_outside_the_switch_are_unknown(enum: int) -> None:
    assert brand_name(enum) == "Unknown"


@pytest.mark.parametrize("text", ["Radeon", "", "NVIDIA Tesla", "Quadro-RTX", "v p c x"])
def test_unrecognised_text_is_none(text: str) -> None:
    assert brand_name(text) is None
    assert brand_enum(text) is None


def test_bool_is_not_an_enum() -> None:
    assert brand_name(True) is None


@pytest.mark.parametrize(("enum", "old"), [(e, n if e <= 6 else "Unknown") for e, n, _ in TABLE])
def test_pre_1_9_reports_unknown_from_7_up(enum: int, old: str) -> None:
    assert brand_name_pre_1_9(enum) == old
    assert brand_name_pre_1_9(BRAND_NAMES[enum]) == old


def test_pre_1_9_of_unrecognised_text_is_none() -> None:
    assert brand_name_pre_1_9("Radeon") is None


@pytest.mark.parametrize("token", [n.lower() for n in BRAND_NAMES] + ["TESLA", "NvidiaRTX"])
def test_known_tokens(token: str) -> None:
    assert is_known_brand_token(token)


@pytest.mark.parametrize("token", ["NVIDIA RTX", "nvidiavapps", "radeon", "", "geforce rtx"])
def test_unknown_tokens(token: str) -> None:
    assert not is_known_brand_token(token)


@given(st.one_of(st.integers(), st.text(max_size=40)))
def test_brand_name_is_a_name_or_none(value: int | str) -> None:
    name = brand_name(value)
    assert name is None or name in BRAND_NAMES
