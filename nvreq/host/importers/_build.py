"""Shared tail of the importers: drop unknowns, validate, keep the importer's warnings."""

from __future__ import annotations

from typing import Any

from nvreq._frozen import replace
from nvreq.errors import ProfileError
from nvreq.host.profile import HostProfile

__all__ = ["build_profile"]


def _prune(value: Any) -> Any:
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v is not None and v != {}}
    if isinstance(value, list):
        return [_prune(v) for v in value]
    return value


def build_profile(data: dict[str, Any], source: str | None, warnings: list[str]) -> HostProfile:
    """Validate an importer's object (unknown facts as None) into a profile, naming the source."""
    try:
        profile = HostProfile.from_dict(_prune(data))
    except ProfileError as exc:
        raise ProfileError(exc.message, exc.path, source=source) from None
    return replace(profile, warnings=(*warnings, *profile.warnings))
