"""Add a multi-platform OCI index to a layout: ``mkindex.py LAYOUT TAG ARCH[/VARIANT]...``.

The per-arch images must already be tagged ``ARCH`` in the layout (images.md §7.4). Prints the
index digest.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

REF = "org.opencontainers.image.ref.name"
INDEX = "application/vnd.oci.image.index.v1+json"


def add_index(layout: Path, tag: str, platforms: list[str]) -> str:
    """Write the index blob, add it to ``index.json`` under ``tag``, and return its digest."""
    top = json.loads((layout / "index.json").read_text())
    by_tag = {d.get("annotations", {}).get(REF): d for d in top["manifests"]}
    entries = []
    for spec in platforms:
        arch, _, variant = spec.partition("/")
        desc = by_tag[arch]
        platform = {"architecture": arch, "os": "linux"}
        if variant:
            platform["variant"] = variant
        media_type = desc.get("mediaType", "application/vnd.oci.image.manifest.v1+json")
        entries.append({"mediaType": media_type, "digest": desc["digest"], "size": desc["size"],
                        "platform": platform})
    body = json.dumps({"schemaVersion": 2, "mediaType": INDEX, "manifests": entries},
                      separators=(",", ":")).encode()
    digest = hashlib.sha256(body).hexdigest()
    (layout / "blobs" / "sha256" / digest).write_bytes(body)
    top["manifests"].append({"mediaType": INDEX, "digest": f"sha256:{digest}", "size": len(body),
                             "annotations": {REF: tag}})
    (layout / "index.json").write_text(json.dumps(top, separators=(",", ":")))
    return f"sha256:{digest}"


if __name__ == "__main__":
    print(add_index(Path(sys.argv[1]), sys.argv[2], sys.argv[3:]))
