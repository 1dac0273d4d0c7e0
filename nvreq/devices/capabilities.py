"""``NVIDIA_DRIVER_CAPABILITIES``: which parts of the driver a container gets (``capabilities.md``).

Only the legacy hook reads the variable; in ``jit-cdi``, ``cdi`` and ``csv`` modes nvreq still
computes what the hook would have produced and marks it not enforced (Decision 4).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nvreq._frozen import frozen
from nvreq._memo import Memo
from nvreq.devices.cdi_names import is_qualified_name
from nvreq.errors import InputError, unknown_choice
from nvreq.formats.go_text import GO_SPACE
from nvreq.require.versions import version_at_least

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from collections.abc import Hashable
    from typing import Any

__all__ = [
    "ALL_CAPABILITIES",
    "DEFAULT_CAPABILITIES",
    "VARIABLE",
    "CapabilityDiagnostic",
    "CapabilityResult",
    "resolve_capabilities",
]

VARIABLE = "NVIDIA_DRIVER_CAPABILITIES"
#: every capability, sorted as the toolkit prints the full set.
ALL_CAPABILITIES: tuple[str, ...] = (
    "compat32", "compute", "display", "graphics", "ngx", "utility", "video")
#: the default when the variable is unset or empty (toolkit >= 1.4.0).
DEFAULT_CAPABILITIES: tuple[str, ...] = ("compute", "utility")
_MODES = ("legacy", "jit-cdi", "cdi", "csv")


@frozen
class CapabilityDiagnostic:
    """A problem in the value, naming the item and its character offset."""

    code: str
    message: str
    item: str = ""
    start: int = 0

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@frozen
class CapabilityResult:
    """What the legacy hook makes of ``NVIDIA_DRIVER_CAPABILITIES`` on one host configuration.

    ``capabilities`` is the hook's list (sorted with toolkit >= 1.14; empty when it fails),
    ``error`` the hook's exact message, ``origin`` where the list came from (``value``, ``all``,
    ``default``, ``empty-default`` or ``legacy-default``).
    """

    value: str | None
    capabilities: tuple[str, ...]
    origin: str
    mode: str = "legacy"
    error: str | None = None
    diagnostics: tuple[CapabilityDiagnostic, ...] = ()
    supported: tuple[str, ...] = ALL_CAPABILITIES
    graphics_modifier: bool = False

    @property
    def enforced(self) -> bool:
        """True in ``legacy`` mode, the only one whose hook reads the variable."""
        return self.mode == "legacy"

    @property
    def outcome(self) -> str:
        """``error``, ``not-enforced`` or ``ok``."""
        if not self.enforced:
            return "not-enforced"
        return "error" if self.error else "ok"

    @property
    def flags(self) -> tuple[str, ...]:
        """The nvidia-container-cli flags (``--compute`` …) the hook passes."""
        return () if self.error else tuple(f"--{cap}" for cap in self.capabilities)

    def __str__(self) -> str:
        return ",".join(self.capabilities)

    def __repr__(self) -> str:
        return f"<CapabilityResult({self.outcome}: {str(self)!r})>"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "value": self.value, "capabilities": list(self.capabilities), "origin": self.origin,
            "mode": self.mode, "enforced": self.enforced, "outcome": self.outcome,
            "error": self.error, "flags": list(self.flags), "supported": list(self.supported),
            "graphics_modifier": self.graphics_modifier,
            "diagnostics": [{"code": d.code, "message": d.message, "item": d.item,
                             "start": d.start} for d in self.diagnostics],
        }


def _items(value: str) -> list[tuple[str, str, int]]:
    """(raw item, trimmed item, offset) for each comma-separated item."""
    out, start = [], 0
    for raw in value.split(","):
        out.append((raw, raw.strip(GO_SPACE), start))
        start += len(raw) + 1
    return out


def _supported(supported: str | Sequence[str] | None) -> tuple[tuple[str, ...], str | None]:
    if supported is None or supported == "all":
        return ALL_CAPABILITIES, None
    text = supported if isinstance(supported, str) else ",".join(supported)
    items = {item for _, item, _ in _items(text) if item}
    if not items <= set(ALL_CAPABILITIES):
        return (), (f"Invalid value for config option 'supported-driver-capabilities'; {text} "
                    f"(supported: {','.join(ALL_CAPABILITIES)})")
    return tuple(sorted(items)), None


def _diagnose(value: str, supported: tuple[str, ...]) -> list[CapabilityDiagnostic]:
    diags, items = [], _items(value)
    for raw, item, start in items:
        if not item:
            continue
        if raw != item:
            diags.append(CapabilityDiagnostic(
                "capability-blank", f"blanks around {item!r}: accepted since toolkit 1.14, an "
                "error in 1.7-1.13", item, start))
        if item == "all":
            continue
        if item in ALL_CAPABILITIES:
            if item not in supported:
                diags.append(CapabilityDiagnostic(
                    "capability-not-supported", f"{item!r} is outside the configured "
                    f"supported-driver-capabilities ({','.join(supported)})", item, start))
        elif item == "none":
            diags.append(CapabilityDiagnostic(
                "capability-none", "'none' is not a capability; use ' ' for no capabilities",
                item, start))
        elif is_qualified_name(item):
            diags.append(CapabilityDiagnostic(
                "cdi-name-as-capability", f"{item!r} is a CDI device name, not a capability; "
                "it belongs in NVIDIA_VISIBLE_DEVICES", item, start))
        elif item.lower() in (*ALL_CAPABILITIES, "all"):
            diags.append(CapabilityDiagnostic(
                "capability-case", f"{item!r}: capabilities are case-sensitive; write "
                f"{item.lower()!r}", item, start))
        else:
            diags.append(CapabilityDiagnostic(
                "unknown-capability", f"{item!r} is not a capability (known: "
                f"{','.join(ALL_CAPABILITIES)})", item, start))
    if value and not any(item for _, item, _ in items):
        diags.append(CapabilityDiagnostic(
            "capabilities-empty-set", f"{value!r} is not empty: it gives no capabilities at all "
            "(unset it, or set it to '', for the default compute,utility)", value, 0))
    return diags


def _set_based(value: str, supported: tuple[str, ...]) -> tuple[tuple[str, ...], str, str | None]:
    requested = {item for _, item, _ in _items(value) if item}
    if "all" in requested:
        return supported, "all", None
    kept = requested & set(supported)
    error = None
    if kept != requested:
        error = (f"unsupported capabilities found in '{','.join(sorted(requested))}' "
                 f"(allowed '{','.join(sorted(kept))}')")
    return tuple(sorted(kept)), "value", error


def _string_based(value: str, supported: tuple[str, ...]
                  ) -> tuple[tuple[str, ...], str, str | None]:
    if value == "all":
        return supported, "all", None
    kept = tuple(item for _, item, _ in _items(value) if item in supported)
    if ",".join(kept) != value:
        allowed = ",".join(kept)
        return (), "value", f"unsupported capabilities found in '{value}' (allowed '{allowed}')"
    return kept, "value", None


def _verbatim(value: str) -> tuple[tuple[str, ...], str, str | None]:
    if value == "all":
        return ALL_CAPABILITIES, "all", None
    items = value.split(",")
    for item in items:
        if item not in ALL_CAPABILITIES:
            return (), "value", f"unknown driver capability: {item}"
    return tuple(items), "value", None


def resolve_capabilities(env: Mapping[str, str], *, legacy_image: bool,
                         supported: str | Sequence[str] | None = None, mode: str = "legacy",
                         toolkit_version: str | None = None) -> CapabilityResult:
    """Resolve ``NVIDIA_DRIVER_CAPABILITIES`` as the hook of ``toolkit_version`` would.

    ``toolkit_version`` None means the newest. ``supported`` is the
    ``supported-driver-capabilities`` config value (``"all"`` or None: every
    capability). ``mode`` is the resolved runtime mode; only ``legacy`` enforces the result.

    >>> resolve_capabilities({"NVIDIA_DRIVER_CAPABILITIES": "utility, compute"}, legacy_image=False)
    <CapabilityResult(ok: 'compute,utility')>
    >>> env = {"NVIDIA_DRIVER_CAPABILITIES": "compute,foo"}
    >>> resolve_capabilities(env, legacy_image=False).error
    "unsupported capabilities found in 'compute,foo' (allowed 'compute')"
    """
    if mode not in _MODES:
        raise InputError(unknown_choice("runtime mode for capabilities", mode, _MODES))
    value = env.get(VARIABLE)
    # a pure function of these; a fleet asks it once per host, so the (immutable) answer is kept
    key = (value, legacy_image, supported if isinstance(supported, str | None) else tuple(
        supported), mode, toolkit_version)
    return _RESOLVED.remember(key, lambda: _resolve(value, legacy_image, supported, mode,
                                                    toolkit_version))


_RESOLVED: Memo[Hashable, CapabilityResult] = Memo(1024)


def _resolve(value: str | None, legacy_image: bool, supported: str | Sequence[str] | None,
             mode: str, toolkit_version: str | None) -> CapabilityResult:
    modern, configurable = version_at_least(toolkit_version, 1, 14), version_at_least(
        toolkit_version, 1, 7)
    allowed, config_error = _supported(supported) if configurable else (ALL_CAPABILITIES, None)
    default = DEFAULT_CAPABILITIES if version_at_least(toolkit_version, 1, 4) else ("utility",)
    default = tuple(cap for cap in default if cap in allowed)
    error: str | None = config_error
    if value is None:
        caps, origin = (allowed, "legacy-default") if legacy_image else (default, "default")
    elif value == "":
        caps, origin = default, "empty-default"
    elif modern:
        caps, origin, error = _set_based(value, allowed)
    elif configurable:
        caps, origin, error = _string_based(value, allowed)
    else:
        caps, origin, error = _verbatim(value)
    error = config_error or error
    graphics = (mode == "legacy" and value is not None
                and any(item in ("graphics", "display", "all") for item in value.split(",")))
    return CapabilityResult(
        value=value, capabilities=() if error else caps, origin=origin, mode=mode, error=error,
        diagnostics=tuple(_diagnose(value, allowed)) if value else (), supported=allowed,
        graphics_modifier=graphics)
