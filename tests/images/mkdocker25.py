"""Write the docker >= 25 ``docker save`` shape: ``mkdocker25.py LAYOUT TAG OUTDIR NAME`` (§7.6)."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

REF = "org.opencontainers.image.ref.name"


def familiar(name: str) -> str:
    """``docker.io/library/x:t`` -> ``x:t``; ``docker.io/a/b:t`` -> ``a/b:t``."""
    name = name.removeprefix("docker.io/")
    return name.removeprefix("library/") if name.count("/") == 1 else name


def make(layout: Path, tag: str, out: Path, name: str) -> None:
    """Copy one tagged image of ``layout`` into ``out`` in the docker >= 25 shape."""
    top = json.loads((layout / "index.json").read_text())
    desc = next(d for d in top["manifests"] if d.get("annotations", {}).get(REF) == tag)
    blobs = out / "blobs" / "sha256"
    blobs.mkdir(parents=True, exist_ok=True)

    def copy(digest: str) -> str:
        hexpart = digest.split(":", 1)[1]
        shutil.copyfile(layout / "blobs" / "sha256" / hexpart, blobs / hexpart)
        return f"blobs/sha256/{hexpart}"

    copy(desc["digest"])
    manifest = json.loads((layout / "blobs" / "sha256" / desc["digest"].split(":")[1]).read_text())
    config = copy(manifest["config"]["digest"])
    layers = [copy(layer["digest"]) for layer in manifest["layers"]]
    (out / "oci-layout").write_text('{"imageLayoutVersion":"1.0.0"}')
    entry = {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": desc["digest"],
             "size": desc["size"],
             "annotations": {"io.containerd.image.name": name, REF: name.rsplit(":", 1)[1]}}
    (out / "index.json").write_text(json.dumps({"schemaVersion": 2, "manifests": [entry]}))
    short = familiar(name)
    (out / "manifest.json").write_text(json.dumps(
        [{"Config": config, "RepoTags": [short], "Layers": layers}]))
    repo, _, tagname = short.rpartition(":")
    last = layers[-1].rsplit("/", 1)[1] if layers else ""
    (out / "repositories").write_text(json.dumps({repo: {tagname: last}}))


if __name__ == "__main__":
    make(Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3]), sys.argv[4])
