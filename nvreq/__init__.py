"""nvreq: will this GPU container image run on that host, and if not, exactly why not."""

from __future__ import annotations

from nvreq.errors import ImageError, InputError, InvalidRequirement, NvreqError, ProfileError
from nvreq.host import Gpu, HostProfile, Mig, MigDevice, RuntimeSettings

__all__ = [
    "Gpu",
    "HostProfile",
    "ImageError",
    "InputError",
    "InvalidRequirement",
    "Mig",
    "MigDevice",
    "NvreqError",
    "ProfileError",
    "RuntimeSettings",
]
__version__ = "0.1.0"
