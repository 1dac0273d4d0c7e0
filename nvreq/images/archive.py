"""``docker save`` archives, legacy and docker >= 25 shapes, read via ``manifest.json``."""

from __future__ import annotations

import re
from collections.abc import Sequence

from nvreq.formats.digits import is_digits, uint
from nvreq.images.digest import compute, matches
from nvreq.images.documents import MAX_DOCUMENT, check_platform, parse_config
from nvreq.images.errors import ArchiveError, DigestMismatch, ImageNotFound, InvalidReference
from nvreq.images.info import ImageInfo
from nvreq.images.jsondecode import check_fields, decode_json
from nvreq.images.platforms import Platform
from nvreq.images.reference import parse_reference
from nvreq.images.resolve import env_warnings
from nvreq.images.tar import TarIndex

__all__ = ["MAX_ARCHIVE_MANIFEST", "read_docker_archive"]

MAX_ARCHIVE_MANIFEST = 1 << 20
_LEGACY_CONFIG = re.compile(r"([0-9a-f]{64})\.json")
_BLOB_CONFIG = re.compile(r"blobs/(sha256|sha512)/([0-9a-f]+)")
_FIELDS = ("Config", "RepoTags", "Layers", "Parent", "LayerSources")


def read_docker_archive(tar: TarIndex, given: str, resolved: str, selector: str | None,
                        target: Platform, source: str) -> ImageInfo:
    """Read the entry chosen by ``selector`` (``repo:tag``, ``@N`` or None for the only one)."""
    label = tar.label
    doc = decode_json(tar.read("manifest.json", MAX_ARCHIVE_MANIFEST), "manifest.json")
    if not isinstance(doc, list):
        raise ArchiveError("manifest.json is not a list")
    entries = [check_fields(e, _FIELDS, f"manifest.json[{i}]", "manifest.json")
               for i, e in enumerate(doc)]
    index = _choose(entries, selector, label)
    entry = entries[index]
    config_name = entry.get("Config")
    if not isinstance(config_name, str) or not config_name:
        raise ArchiveError(f"manifest.json[{index}] has no Config")
    data = tar.read(config_name, MAX_DOCUMENT)
    digest = _digest_of(config_name.removeprefix("./"))
    warnings = []
    if digest is None:
        warnings.append("config not digest-addressed; not verified")
        digest = compute(data)
    elif not matches(data, digest):
        raise DigestMismatch(f"config {digest}: content has digest "
                             f"{compute(data, digest.partition(':')[0])}")
    config = parse_config(data)
    check_platform(config, target, source)
    return ImageInfo(
        reference=given, resolved=resolved, digest=digest, platform=str(config.platform),
        env=config.env, transport="docker-archive", config_digest=digest,
        platform_source=source, verified=not warnings,
        warnings=tuple(warnings + env_warnings(config.env)),
    )


def _choose(entries: Sequence[dict[str, object]], selector: str | None, label: str) -> int:
    if selector is None:
        if len(entries) == 1:
            return 0
        if not entries:
            raise ImageNotFound("the archive holds no image")
        choices = []
        for i, e in enumerate(entries):
            tags = _tags(e)
            choices.append(f"docker-archive:{label}:{tags[0]}" if tags else
                           f"docker-archive:{label}:@{i}")
        raise ArchiveError(f"archive holds {len(entries)} images; choose one: "
                           + ", ".join(choices))
    if selector.startswith("@"):
        text = selector[1:]
        if not is_digits(text):
            raise InvalidReference(f"invalid image index {selector[:40]!r}: expected @N, "
                                   "N >= 0")
        index = uint(text, len(entries) - 1) if entries else None
        if index is None:
            raise ImageNotFound(f"no image @{text[:40]}; the archive holds {len(entries)}")
        return index
    try:
        wanted = parse_reference(selector)
    except InvalidReference as exc:
        raise InvalidReference(f"{exc}") from None
    if wanted.digest or ":" not in selector.rsplit("/", 1)[-1]:
        raise InvalidReference(f"{selector!r} must be a reference with a tag")
    for i, e in enumerate(entries):
        for tag in _tags(e):
            try:
                if str(parse_reference(tag)) == str(wanted):
                    return i
            except InvalidReference:
                continue
    names = ", ".join(t for e in entries for t in _tags(e)) or "none"
    raise ImageNotFound(f"no image tagged {selector!r} in {label}; available: {names}")


def _tags(entry: dict[str, object]) -> list[str]:
    tags = entry.get("RepoTags")
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _digest_of(name: str) -> str | None:
    m = _LEGACY_CONFIG.fullmatch(name)
    if m:
        return f"sha256:{m.group(1)}"
    m = _BLOB_CONFIG.fullmatch(name)
    if m and len(m.group(2)) == (64 if m.group(1) == "sha256" else 128):
        return f"{m.group(1)}:{m.group(2)}"
    return None
