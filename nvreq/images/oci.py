"""OCI image layouts, as directories (``oci:``) or tars (``oci-archive:``)."""

from __future__ import annotations

import os

from nvreq.images.digest import compute, matches
from nvreq.images.documents import MAX_DOCUMENT, Descriptor, parse_document
from nvreq.images.errors import (
    ArchiveError,
    ContentTooLarge,
    DigestMismatch,
    ImageError,
    ImageNotFound,
    InvalidReference,
)
from nvreq.images.info import ImageInfo
from nvreq.images.jsondecode import decode_json
from nvreq.images.platforms import Platform
from nvreq.images.resolve import env_warnings, resolve

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Protocol

    from nvreq.images.tar import TarIndex
else:
    Protocol = object  # Store is a protocol for the type checker only: typing costs start-up

__all__ = ["DirStore", "Store", "TarStore", "read_layout"]

REF_NAME = "org.opencontainers.image.ref.name"
CONTAINERD_NAME = "io.containerd.image.name"


class Store(Protocol):
    """Files of a layout or archive, read by relative name with a size cap."""

    label: str

    def read(self, name: str, cap: int) -> bytes:
        """The bytes of ``name``; errors name the store."""

    def has(self, name: str) -> bool:
        """Whether ``name`` exists."""


class DirStore:
    """A directory; every path is confined to it after resolving symlinks."""

    def __init__(self, root: str | os.PathLike[str], label: str) -> None:
        self.root = os.path.realpath(root)
        self.label = label

    def has(self, name: str) -> bool:
        """Whether ``name`` exists."""
        return os.path.exists(os.path.join(self.root, name))

    def read(self, name: str, cap: int) -> bytes:
        """Read ``name``, refusing anything outside the directory or not a regular file."""
        path = os.path.realpath(os.path.join(self.root, name))
        if os.path.commonpath((self.root, path)) != self.root:
            raise ArchiveError(f"{name} points outside the layout")
        try:
            if not os.path.isfile(path):
                raise ArchiveError(f"{name} is missing or not a regular file")
            if os.stat(path).st_size > cap:
                raise ContentTooLarge(f"{name} is larger than {cap >> 20} MiB")
            with open(path, "rb") as f:
                return f.read(cap + 1)
        except OSError as exc:
            raise ArchiveError(f"cannot read {name}: {exc.strerror}") from None


class TarStore:
    """The members of a tar archive."""

    def __init__(self, index: TarIndex) -> None:
        self.index = index
        self.label = index.label

    def has(self, name: str) -> bool:
        """Whether a member ``name`` exists."""
        return self.index.has(name)

    def read(self, name: str, cap: int) -> bytes:
        """Read member ``name``."""
        return self.index.read(name, cap)


def read_layout(store: Store, given: str, resolved: str, refname: str | None, target: Platform,
                source: str, transport: str) -> ImageInfo:
    """Read the image named ``refname`` (or the only one) from a layout in ``store``."""
    marker = decode_json(store.read("oci-layout", MAX_DOCUMENT), "oci-layout")
    if not isinstance(marker, dict) or marker.get("imageLayoutVersion") != "1.0.0":
        raise ArchiveError("unsupported OCI layout version")
    index = parse_document(store.read("index.json", MAX_DOCUMENT))
    if not index.is_index:
        raise ArchiveError("index.json is not an image index")
    chosen = _select(index.manifests, refname, store.label, transport)

    def blob(desc: Descriptor) -> bytes:
        algorithm, _, hexpart = desc.digest.partition(":")
        if desc.size > MAX_DOCUMENT:
            raise ContentTooLarge(f"blob {desc.digest} larger than 4 MiB")
        data = store.read(f"blobs/{algorithm}/{hexpart}", MAX_DOCUMENT)
        if len(data) != desc.size:
            raise DigestMismatch(f"blob {desc.digest}: {len(data)} bytes, descriptor says "
                                 f"{desc.size}")
        if not matches(data, desc.digest):
            raise DigestMismatch(f"blob {desc.digest}: content has digest "
                                 f"{compute(data, algorithm)}")
        return data

    top = parse_document(blob(chosen), chosen.media_type or None)
    found = resolve(top, chosen.digest, target, source, lambda d: (blob(d), None), blob)
    config = found.config
    return ImageInfo(
        reference=given, resolved=resolved, digest=found.manifest_digest,
        platform=str(config.platform), env=config.env, transport=transport,
        index_digest=found.index_digest, manifest_digest=found.manifest_digest,
        config_digest=found.config_digest, platform_source=source, verified=True,
        warnings=tuple(env_warnings(config.env)),
    )


def _select(entries: tuple[Descriptor, ...], refname: str | None, label: str,
            transport: str) -> Descriptor:
    if refname is None:
        if len(entries) == 1:
            return entries[0]
        if not entries:
            raise ImageNotFound("the layout holds no image")
        names = [d.annotations.get(REF_NAME) for d in entries]
        choices = ", ".join(f"{transport}:{label}:{n}" for n in names if n) or "(untagged)"
        raise ImageError(f"more than one image in {label}; choose one: {choices}")
    hits = [d for d in entries if d.annotations.get(REF_NAME) == refname]
    if not hits:
        wanted = _canonical(refname)
        hits = [d for d in entries if wanted and _canonical(d.annotations.get(CONTAINERD_NAME))
                == wanted]
    if len(hits) > 1:
        raise ImageError(f"two images are named {refname!r}")
    if not hits:
        listed = ", ".join(str(d.annotations.get(REF_NAME)) for d in entries
                           if d.annotations.get(REF_NAME)) or "none"
        raise ImageNotFound(f"no image named {refname!r} in {label}; available: {listed}")
    return hits[0]


def _canonical(name: object) -> str | None:
    if not isinstance(name, str):
        return None
    from nvreq.images.reference import parse_reference

    try:
        return str(parse_reference(name))
    except (InvalidReference, ImageError):
        return None
