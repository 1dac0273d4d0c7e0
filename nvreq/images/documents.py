"""Manifests, indexes and configs: typed, checked and read the way Go would."""

from __future__ import annotations

from nvreq.images.digest import DigestError, parse_digest
from nvreq.images.errors import (
    ContentTooLarge,
    InvalidImageConfig,
    PlatformMismatch,
    PlatformNotFound,
    UnsupportedImage,
)
from nvreq.images.jsondecode import JsonObject, check_fields, decode_json
from nvreq.images.platforms import Platform, rank
from nvreq.images.value import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = [
    "CONFIG_TYPES",
    "DOCKER_LIST",
    "DOCKER_MANIFEST",
    "INDEX_TYPES",
    "MANIFEST_TYPES",
    "MAX_DOCUMENT",
    "MAX_INDEX_ENTRIES",
    "OCI_INDEX",
    "OCI_MANIFEST",
    "Config",
    "Descriptor",
    "Document",
    "check_platform",
    "choose",
    "parse_config",
    "parse_descriptor",
    "parse_document",
]

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
INDEX_TYPES = frozenset({OCI_INDEX, DOCKER_LIST})
MANIFEST_TYPES = frozenset({OCI_MANIFEST, DOCKER_MANIFEST})
CONFIG_TYPES = frozenset(
    {"application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json"}
)
_SCHEMA1 = frozenset(
    {
        "application/vnd.docker.distribution.manifest.v1+json",
        "application/vnd.docker.distribution.manifest.v1+prettyjws",
    }
)
MAX_DOCUMENT = 4 << 20
MAX_INDEX_ENTRIES = 1000
_DOC_FIELDS = ("schemaVersion", "mediaType", "manifests", "config", "layers", "artifactType")
_DESC_FIELDS = ("mediaType", "digest", "size", "platform", "annotations", "artifactType")
_ATTESTATION = "attestation-manifest"


class Descriptor(Value):
    """A content descriptor: media type, validated digest, size and optional platform."""

    __slots__ = _fields = ("media_type", "digest", "size", "platform", "annotations",
                           "artifact_type")
    _unhashed = ("annotations",)
    media_type: str
    digest: str
    size: int
    platform: Platform | None
    annotations: Mapping[str, str]
    artifact_type: str | None

    def __init__(self, media_type: str, digest: str, size: int, platform: Platform | None = None,
                 annotations: Mapping[str, str] | None = None,
                 artifact_type: str | None = None) -> None:
        self._init(media_type, digest, size, platform, {} if annotations is None else annotations,
                   artifact_type)


class Document(Value):
    """An index (``manifests``) or an image manifest (``config``), with its media type."""

    __slots__ = _fields = ("media_type", "manifests", "config")
    media_type: str
    manifests: tuple[Descriptor, ...]
    config: Descriptor | None

    def __init__(self, media_type: str, manifests: tuple[Descriptor, ...] = (),
                 config: Descriptor | None = None) -> None:
        self._init(media_type, manifests, config)

    @property
    def is_index(self) -> bool:
        """Whether this is an OCI index or a Docker manifest list."""
        return self.media_type in INDEX_TYPES


class Config(Value):
    """What nvreq reads from an image config: its platform and its ``Env`` list."""

    __slots__ = _fields = ("os", "architecture", "variant", "env")
    os: str
    architecture: str
    variant: str
    env: tuple[str, ...]

    def __init__(self, os: str, architecture: str, variant: str, env: tuple[str, ...]) -> None:
        self._init(os, architecture, variant, env)

    @property
    def platform(self) -> Platform:
        """The config's own platform."""
        return Platform(self.os, self.architecture, self.variant)


def parse_descriptor(obj: object, where: str) -> Descriptor:
    """Read one descriptor; its digest is validated before anything uses it."""
    desc = check_fields(obj, _DESC_FIELDS, where, "manifest")
    media_type = desc.get("mediaType", "")
    digest, size = desc.get("digest"), desc.get("size")
    if not isinstance(media_type, str):
        raise InvalidImageConfig(f"invalid manifest: mediaType is not a string in '{where}'")
    if not isinstance(digest, str):
        raise InvalidImageConfig(f"invalid manifest: missing digest in '{where}'")
    try:
        parse_digest(digest)
    except DigestError as exc:
        cls = UnsupportedImage if exc.unsupported else InvalidImageConfig
        raise cls(f"{exc} in '{where}'") from None
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise InvalidImageConfig(
            f"invalid manifest: size is not a non-negative integer in '{where}'")
    platform = None
    if desc.get("platform") is not None:
        p = check_fields(desc["platform"], ("architecture", "os", "variant"), f"{where}.platform",
                         "manifest")
        values = [p.get(k, "") for k in ("os", "architecture", "variant")]
        if not all(isinstance(v, str) for v in values) or not values[0] or not values[1]:
            raise InvalidImageConfig(f"invalid manifest: bad platform in '{where}'")
        platform = Platform(*values)
    annotations = desc.get("annotations") or {}
    if not isinstance(annotations, dict):
        raise InvalidImageConfig(f"invalid manifest: annotations is not an object in '{where}'")
    artifact = desc.get("artifactType")
    return Descriptor(media_type, digest, size, platform, annotations,
                      artifact if isinstance(artifact, str) else None)


def parse_document(data: bytes, content_type: str | None = None) -> Document:
    """Read a manifest or index body, typed by ``Content-Type`` and checked against its keys."""
    obj = check_fields(decode_json(data, "manifest"), _DOC_FIELDS, "(top level)", "manifest")
    ct = (content_type or "").split(";", 1)[0].strip()
    version = obj.get("schemaVersion")
    if ct in _SCHEMA1 or (version == 1 and not isinstance(version, bool)):
        raise UnsupportedImage("Docker schema1 manifests are not supported")
    if type(version) is not int or version != 2:
        raise InvalidImageConfig("invalid manifest: schemaVersion must be the integer 2")
    body_type = obj.get("mediaType")
    if body_type is not None and not isinstance(body_type, str):
        raise InvalidImageConfig("invalid manifest: mediaType is not a string")
    known = INDEX_TYPES | MANIFEST_TYPES
    if ct in known:
        if body_type and body_type != ct:
            raise InvalidImageConfig(
                f"invalid manifest: Content-Type {ct} contradicts mediaType {body_type}")
        media_type = ct
    elif body_type:
        media_type = body_type
    elif "manifests" in obj:
        media_type = OCI_INDEX
    elif "config" in obj:
        media_type = OCI_MANIFEST
    else:
        raise InvalidImageConfig("invalid manifest: neither an index nor an image manifest")
    if media_type in _SCHEMA1:
        raise UnsupportedImage("Docker schema1 manifests are not supported")
    if media_type not in known:
        raise UnsupportedImage(f"unsupported manifest media type {media_type}")
    has_index_keys = "manifests" in obj
    has_manifest_keys = "config" in obj or "layers" in obj
    if (has_index_keys and has_manifest_keys) or (media_type in INDEX_TYPES) == has_manifest_keys:
        raise InvalidImageConfig(f"invalid manifest: keys contradict its type {media_type}")
    if media_type in INDEX_TYPES:
        return Document(media_type, manifests=_entries(obj, media_type))
    config = parse_descriptor(obj.get("config"), "config")
    if config.media_type not in CONFIG_TYPES:
        raise UnsupportedImage(f"not a container image (config media type {config.media_type})")
    if config.size > MAX_DOCUMENT:
        raise ContentTooLarge(f"config larger than 4 MiB (size {config.size})")
    return Document(media_type, config=config)


def _entries(obj: JsonObject, media_type: str) -> tuple[Descriptor, ...]:
    items = obj.get("manifests")
    if not isinstance(items, list):
        raise InvalidImageConfig("invalid manifest: 'manifests' is not a list")
    if len(items) > MAX_INDEX_ENTRIES:
        raise ContentTooLarge(f"index has {len(items)} entries (limit {MAX_INDEX_ENTRIES})")
    out = tuple(parse_descriptor(item, f"manifests[{i}]") for i, item in enumerate(items))
    if media_type == DOCKER_LIST:
        for i, d in enumerate(out):
            if d.platform is None and d.media_type in MANIFEST_TYPES | INDEX_TYPES:
                raise InvalidImageConfig(f"invalid manifest: no platform in 'manifests[{i}]'")
    return out


def _is_attestation(d: Descriptor) -> bool:
    if d.annotations.get("vnd.docker.reference.type") == _ATTESTATION or d.artifact_type:
        return True
    return d.platform is not None and (d.platform.os, d.platform.architecture) == ("unknown",
                                                                                   "unknown")


def choose(index: Document, target: Platform, index_digest: str) -> Descriptor:
    """The entry serving ``target``: best variant rank, earliest on ties, no fallback."""
    best: tuple[int, int, Descriptor] | None = None
    last_resort: Descriptor | None = None
    seen: list[str] = []
    for position, d in enumerate(index.manifests):
        if d.media_type not in INDEX_TYPES | MANIFEST_TYPES or _is_attestation(d):
            continue
        if d.platform is None:
            last_resort = last_resort or d
            continue
        seen.append(str(d.platform))
        score = rank(target, d.platform)
        if score is not None and (best is None or (score, position) < best[:2]):
            best = (score, position, d)
    if best is not None:
        return best[2]
    if last_resort is not None:
        return last_resort
    available = ", ".join(dict.fromkeys(seen)) or "none"
    raise PlatformNotFound(f"no image for {target} in index {index_digest}; available: {available}")


def parse_config(data: bytes) -> Config:
    """Read ``os``, ``architecture``, ``variant`` and ``config.Env`` from a config blob."""
    fields = ("architecture", "os", "variant", "config")
    top = check_fields(decode_json(data, "image config"), fields, "(top level)", "image config")
    values = {}
    for key in ("os", "architecture"):
        value = top.get(key)
        if not isinstance(value, str) or not value:
            raise InvalidImageConfig(f"invalid image config: missing '{key}'")
        values[key] = value
    variant = top.get("variant") or ""
    if not isinstance(variant, str):
        raise InvalidImageConfig("invalid image config: 'variant' is not a string")
    inner = top.get("config")
    env: Any = None
    if inner is not None:
        env = check_fields(inner, ("Env",), "config", "image config").get("Env")
    if env is None:
        env = []
    if not isinstance(env, list):
        raise InvalidImageConfig("invalid image config: expected a list of KEY=VALUE strings",
                                 context="config.Env")
    for i, entry in enumerate(env):
        if not isinstance(entry, str):
            raise InvalidImageConfig("invalid image config: expected a KEY=VALUE string",
                                     context=f"config.Env[{i}]")
        if "=" not in entry:
            raise InvalidImageConfig(f"invalid image config: invalid environment variable: "
                                     f"{entry[:80]}", context=f"config.Env[{i}]")
    return Config(values["os"], values["architecture"], variant, tuple(env))


def check_platform(config: Config, expected: Platform, source: str) -> None:
    """Refuse a config whose platform differs from ``expected``."""
    have, want = config.platform.normalized(), expected.normalized()
    same = (have.os, have.architecture) == (want.os, want.architecture)
    if same and (not have.variant or rank(want, have) is not None):
        return
    hint = "" if source == "--platform" else f"; pass --platform {config.platform} to read it"
    raise PlatformMismatch(f"image is {config.platform}, target is {expected} ({source}){hint}")
