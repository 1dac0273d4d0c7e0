"""Write small OCI image layouts for tests: one tag, one config per platform."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path

from tests.images.world import OCI_INDEX, OCI_MANIFEST, config_json, index_json, manifest_json, sha

__all__ = ["write_layout"]


def _blob(root: Path, data: bytes) -> None:
    path = root / "blobs" / "sha256" / sha(data).split(":", 1)[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def write_layout(root: Path, envs: Mapping[str, list[str]], tag: str = "1") -> str:
    """An OCI layout at ``root`` whose ``tag`` is an index of one image per platform
    (``{"linux/amd64": [env…]}``); returns its ``oci:DIR:TAG`` reference."""
    entries: list[tuple[bytes, dict[str, str] | None, dict[str, str] | None, str]] = []
    for platform, env in envs.items():
        os_name, arch = platform.split("/")[:2]
        config = config_json(env, arch=arch)
        manifest = manifest_json(config)
        _blob(root, config)
        _blob(root, manifest)
        entries.append((manifest, {"os": os_name, "architecture": arch}, None, OCI_MANIFEST))
    index = index_json(entries)
    _blob(root, index)
    top = {"schemaVersion": 2, "mediaType": OCI_INDEX, "manifests": [
        {"mediaType": OCI_INDEX, "digest": sha(index), "size": len(index),
         "annotations": {"org.opencontainers.image.ref.name": tag}}]}
    (root / "index.json").write_text(json.dumps(top))
    (root / "oci-layout").write_text('{"imageLayoutVersion": "1.0.0"}')
    return f"oci:{root}:{tag}"
