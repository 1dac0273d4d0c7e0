"""Walk from a manifest or index to the config, the same way for registries and layouts."""

from __future__ import annotations

from collections.abc import Callable

from nvreq.images.documents import (
    Config,
    Descriptor,
    Document,
    check_platform,
    choose,
    parse_config,
    parse_document,
)
from nvreq.images.errors import InvalidImageConfig, RegistryError
from nvreq.images.platforms import Platform
from nvreq.images.value import Value

__all__ = ["MAX_DEPTH", "Resolved", "env_warnings", "resolve"]

MAX_DEPTH = 4

#: fetch a child manifest by its descriptor: verified bytes and the Content-Type seen, if any.
FetchManifest = Callable[[Descriptor], tuple[bytes, "str | None"]]
#: fetch a config blob by its descriptor: verified bytes.
FetchBlob = Callable[[Descriptor], bytes]


class Resolved(Value):
    """Where the walk ended: digests on the way, and the config read."""

    __slots__ = _fields = ("index_digest", "manifest_digest", "config_digest", "config")
    index_digest: str | None
    manifest_digest: str
    config_digest: str
    config: Config

    def __init__(self, index_digest: str | None, manifest_digest: str, config_digest: str,
                 config: Config) -> None:
        self._init(index_digest, manifest_digest, config_digest, config)


def resolve(top: Document, top_digest: str, target: Platform, source: str,
            fetch_manifest: FetchManifest, fetch_blob: FetchBlob) -> Resolved:
    """From ``top`` (already verified) to the config serving ``target``."""
    doc, digest, index_digest = top, top_digest, None
    chosen: Descriptor | None = None
    depth = 0
    while doc.is_index:
        depth += 1
        if depth > MAX_DEPTH:
            raise RegistryError(f"indexes nested deeper than {MAX_DEPTH}")
        index_digest = index_digest or digest
        chosen = choose(doc, target, digest)
        body, content_type = fetch_manifest(chosen)
        doc = parse_document(body, content_type or chosen.media_type or None)
        if chosen.media_type and doc.media_type != chosen.media_type:
            raise InvalidImageConfig(f"invalid manifest: {chosen.digest} is {doc.media_type}, "
                                     f"its descriptor says {chosen.media_type}")
        digest = chosen.digest
    assert doc.config is not None
    config = parse_config(fetch_blob(doc.config))
    if chosen is not None and chosen.platform is not None:
        check_platform(config, chosen.platform, f"index entry for {target}")
    else:
        check_platform(config, target, source)
    return Resolved(index_digest, digest, doc.config.digest, config)


def env_warnings(env: tuple[str, ...]) -> list[str]:
    """A warning for each key that a later entry overrides."""
    first: dict[str, int] = {}
    out = []
    for i, entry in enumerate(env):
        key = entry.split("=", 1)[0]
        if key in first:
            out.append(f"config.Env[{i}] overrides config.Env[{first[key]}] ({key})")
        first[key] = i
    return out
