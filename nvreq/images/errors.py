"""Image error classes (``images.md`` §5.5): every one is an ``nvreq.errors.ImageError``."""

from __future__ import annotations

from nvreq.errors import ImageError

__all__ = [
    "AccessDenied",
    "ArchiveError",
    "AuthenticationRequired",
    "BlockedRegistry",
    "ConfigFileError",
    "ContentTooLarge",
    "DaemonError",
    "DigestMismatch",
    "DockerfileError",
    "ImageError",
    "ImageNotFound",
    "InvalidImageConfig",
    "InvalidReference",
    "PlatformMismatch",
    "PlatformNotFound",
    "RateLimited",
    "RegistryError",
    "TransportError",
    "UnsupportedImage",
]


class InvalidReference(ImageError, ValueError):
    """An image argument that does not follow the reference grammar (§2.3)."""


class AuthenticationRequired(ImageError):
    """A 401 with no credentials, or credentials the registry rejected."""


class AccessDenied(ImageError):
    """A 403, or ``insufficient_scope`` after authenticating."""


class ImageNotFound(ImageError):
    """No such manifest, tag, layout entry, archive entry or daemon image."""


class PlatformNotFound(ImageError):
    """No index entry matches the target platform."""


class PlatformMismatch(ImageError):
    """The image read is for another platform than the target."""


class DigestMismatch(ImageError):
    """Content that does not hash to the digest it was fetched or announced by."""


class ContentTooLarge(ImageError):
    """A body, member or file over its size cap (§5.1)."""


class UnsupportedImage(ImageError):
    """Schema 1, an artifact, an unsupported digest algorithm or compression."""


class InvalidImageConfig(ImageError, ValueError):
    """A malformed config, manifest or index document (§1.2, §1.3)."""


class RateLimited(ImageError):
    """A 429 from the registry; nvreq never retries on its own."""


class RegistryError(ImageError):
    """Any other registry status, or a malformed registry answer."""


class TransportError(ImageError):
    """DNS, connection, TLS, timeout or a refused plain-http downgrade."""


class ArchiveError(ImageError):
    """A tar archive, OCI layout or ``docker save`` file that cannot be read (§2.4–§2.7)."""


class DaemonError(ImageError):
    """The Docker Engine API could not be reached or answered badly (§2.8)."""


class DockerfileError(ImageError, ValueError):
    """A Dockerfile that cannot be evaluated (§2.9); names ``FILE:LINE``."""


class ConfigFileError(ImageError, ValueError):
    """A malformed registries.conf, daemon.json, credentials file or certs.d directory; names the
    file, and the line where there is one."""


class BlockedRegistry(ImageError):
    """A registry that registries.conf marks ``blocked = true``."""
