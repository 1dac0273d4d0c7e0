"""Image error classes: every one is an ``nvreq.errors.ImageError``."""

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
    """An image argument that does not follow the reference grammar."""


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
    """A body, member or file over its size cap."""


class UnsupportedImage(ImageError):
    """Schema 1, an artifact, an unsupported digest algorithm or compression."""


class InvalidImageConfig(ImageError, ValueError):
    """A malformed config, manifest or index document."""


class RateLimited(ImageError):
    """A 429 from the registry; nvreq never retries on its own."""


class RegistryError(ImageError):
    """Any other registry status, or a malformed registry answer."""


class TransportError(ImageError):
    """DNS, connection, TLS, timeout or a refused plain-http downgrade."""


class ArchiveError(ImageError):
    """A tar archive, OCI layout or ``docker save`` file that cannot be read."""


class DaemonError(ImageError):
    """The Docker Engine API could not be reached or answered badly."""


class DockerfileError(ImageError, ValueError):
    """A Dockerfile that cannot be evaluated; names ``FILE:LINE``."""


class ConfigFileError(ImageError, ValueError):
    """A malformed registries.conf, daemon.json, credentials file or certs.d directory; names the
    file, and the line where there is one."""


class BlockedRegistry(ImageError):
    """A registry that registries.conf marks ``blocked = true``."""
