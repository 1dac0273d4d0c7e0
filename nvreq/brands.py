"""GPU brands: NVML's brand enum and libnvidia-container's names for it.

A profile stores a brand as libnvidia-container's name (``Nvidia``). On input nvreq also takes the
enum integer, the lowercase image token, go-nvlib's spelling and ``nvidia-smi``'s display text.
"""

from __future__ import annotations

from nvreq.formats.digits import is_digits, saturating_uint

__all__ = [
    "BRAND_NAMES",
    "UNKNOWN_BRAND",
    "brand_enum",
    "brand_name",
    "brand_name_pre_1_9",
    "is_known_brand_token",
]

#: The names libnvidia-container >= 1.9.0 reports, indexed by NVML enum value (0-16).
BRAND_NAMES: tuple[str, ...] = (
    "Unknown",
    "Quadro",
    "Tesla",
    "NVS",
    "GRID",
    "GeForce",
    "TITAN",
    "VApps",
    "VPC",
    "VCS",
    "VWS",
    "CloudGaming",
    "QuadroRTX",
    "NvidiaRTX",
    "Nvidia",
    "GeForceRTX",
    "TitanRTX",
)

#: The name of NVML brand 0, and of every enum value libnvidia-container's switch does not list.
UNKNOWN_BRAND = "Unknown"

# libnvidia-container before 1.9.0 had cases only for the enum values up to TITAN (6).
_LAST_PRE_1_9 = 6

# Extra spellings, keyed as matched (lowercase, spaces removed): go-nvlib's names and the
# nvidia-smi display texts of the vGPU brands (assumed, not checked against real output).
_ALIASES: dict[str, int] = {
    "nvidiavapps": 7,
    "nvidiavirtualapplications": 7,
    "nvidiavpc": 8,
    "nvidiavirtualpc": 8,
    "nvidiavcs": 9,
    "nvidiavirtualcomputeserver": 9,
    "nvidiavws": 10,
    "nvidiartxvirtualworkstation": 10,
    "nvidiacloudgaming": 11,
}

_BY_KEY: dict[str, int] = {name.lower(): enum for enum, name in enumerate(BRAND_NAMES)}
_BY_KEY.update(_ALIASES)

_TOKENS = frozenset(name.lower() for name in BRAND_NAMES)


def _key(text: str) -> str:
    return "".join(text.split()).lower()


def brand_enum(value: int | str) -> int | None:
    """The NVML enum value for ``value`` (any accepted form), or None if it is not recognised.

    >>> brand_enum("NVIDIA RTX"), brand_enum("tesla"), brand_enum(14)
    (13, 2, 14)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = value.strip()
    if is_digits(text):
        return saturating_uint(text, 2**63 - 1)
    return _BY_KEY.get(_key(text))


def brand_name(value: int | str) -> str | None:
    """The name libnvidia-container >= 1.9.0 reports for ``value``; None for unrecognised text.

    Integers are NVML enum values: those outside 0-16 map to ``Unknown``, as in the runtime's
    switch. Text is matched case-insensitively with spaces removed.

    >>> brand_name(14), brand_name("GeForce RTX"), brand_name("NvidiaVPC"), brand_name(18)
    ('Nvidia', 'GeForceRTX', 'VPC', 'Unknown')
    >>> brand_name("Radeon") is None
    True
    """
    enum = brand_enum(value)
    if enum is None:
        return None
    return BRAND_NAMES[enum] if 0 <= enum < len(BRAND_NAMES) else UNKNOWN_BRAND


def brand_name_pre_1_9(value: int | str) -> str | None:
    """The name libnvidia-container < 1.9.0 reports: ``Unknown`` for every enum value from 7 up.

    >>> brand_name_pre_1_9(14), brand_name_pre_1_9("Tesla")
    ('Unknown', 'Tesla')
    """
    enum = brand_enum(value)
    if enum is None:
        return None
    return BRAND_NAMES[enum] if 0 <= enum <= _LAST_PRE_1_9 else UNKNOWN_BRAND


def is_known_brand_token(text: str) -> bool:
    """Whether an image's ``brand=`` token names a brand the runtime can report (case-insensitive).

    >>> is_known_brand_token("nvidiartx"), is_known_brand_token("NVIDIA RTX")
    (True, False)
    """
    return text.lower() in _TOKENS
