"""Build ``examples/cuda-12.4.1-layout``, a tiny OCI layout carrying a real CUDA image's Env.

Reproducible: fixed timestamps, owners and gzip header, compact JSON, so running it again gives
byte-identical blobs (``tests/images/test_example.py`` checks that). The image is a two-platform
index tagged ``12.4.1-base-ubuntu22.04`` whose configs carry the environment of
``nvidia/cuda:12.4.1-base-ubuntu22.04``: on amd64 its 31-term ``NVIDIA_REQUIRE_CUDA``
(``cuda>=12.4``
then branches 470, 525, 535 for the ten pre-12.5 brands, per the official images' Dockerfile; see
the project's cuda-driver-table §4), on arm64 (sbsa) ``cuda>=12.4`` alone. Its one layer holds a
single text file, not CUDA.

Usage: ``python examples/build_example_image.py [OUTDIR]``.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
import sys
import tarfile
from pathlib import Path

TAG = "12.4.1-base-ubuntu22.04"
OUT = Path(__file__).resolve().parent / "cuda-12.4.1-layout"
EPOCH = 1711929600  # 2024-04-01T00:00:00Z
BRANDS = ("tesla", "unknown", "nvidia", "nvidiartx", "geforce", "geforcertx", "quadro",
          "quadrortx", "titan", "titanrtx")
REQUIRE_AMD64 = "cuda>=12.4 " + " ".join(
    f"brand={b},driver>={n},driver<{n + 1}" for n in (470, 525, 535) for b in BRANDS)
PATH = ("/usr/local/nvidia/bin:/usr/local/cuda/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:"
        "/usr/bin:/sbin:/bin")


def env_for(arch: str) -> list[str]:
    """The config Env of the official image for ``arch`` (amd64 or arm64)."""
    return [
        f"PATH={PATH}",
        f"NVARCH={'x86_64' if arch == 'amd64' else 'sbsa'}",
        f"NVIDIA_REQUIRE_CUDA={REQUIRE_AMD64 if arch == 'amd64' else 'cuda>=12.4'}",
        "NV_CUDA_CUDART_VERSION=12.4.127-1",
        "CUDA_VERSION=12.4.1",
        "LD_LIBRARY_PATH=/usr/local/nvidia/lib:/usr/local/nvidia/lib64",
        "NVIDIA_VISIBLE_DEVICES=all",
        "NVIDIA_DRIVER_CAPABILITIES=compute,utility",
    ]


def _json(doc: object) -> bytes:
    return json.dumps(doc, separators=(",", ":")).encode()


def _layer() -> tuple[bytes, str]:
    """A gzip layer with one file; returns (blob, diff_id)."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        for name, data in (("etc/", None), ("etc/nvreq-example.txt",
                                            b"nvreq example image: CUDA 12.4.1 env, no CUDA\n")):
            info = tarfile.TarInfo(name.rstrip("/"))
            info.mtime, info.uid, info.gid, info.uname, info.gname = EPOCH, 0, 0, "", ""
            if data is None:
                info.type, info.mode = tarfile.DIRTYPE, 0o755
                tar.addfile(info)
            else:
                info.size, info.mode = len(data), 0o644
                tar.addfile(info, io.BytesIO(data))
    tar_bytes = raw.getvalue()
    packed = io.BytesIO()
    with gzip.GzipFile(fileobj=packed, mode="wb", mtime=0, compresslevel=9) as gz:
        gz.write(tar_bytes)
    return packed.getvalue(), "sha256:" + hashlib.sha256(tar_bytes).hexdigest()


def build(out: Path) -> str:
    """Write the layout into ``out`` (replacing it) and return the index digest."""
    if out.exists():
        shutil.rmtree(out)
    blobs = out / "blobs" / "sha256"
    blobs.mkdir(parents=True)

    def put(data: bytes, media_type: str, **extra: object) -> dict[str, object]:
        digest = hashlib.sha256(data).hexdigest()
        (blobs / digest).write_bytes(data)
        return {"mediaType": media_type, "digest": f"sha256:{digest}", "size": len(data), **extra}

    layer, diff_id = _layer()
    layer_desc = put(layer, "application/vnd.oci.image.layer.v1.tar+gzip")
    entries = []
    for arch in ("amd64", "arm64"):
        config = {"architecture": arch, "os": "linux", "created": "2024-04-01T00:00:00Z",
                  "config": {"Env": env_for(arch), "Cmd": ["/bin/sh"]},
                  "rootfs": {"type": "layers", "diff_ids": [diff_id]}}
        config_desc = put(_json(config), "application/vnd.oci.image.config.v1+json")
        manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                    "config": config_desc, "layers": [layer_desc]}
        platform = {"architecture": arch, "os": "linux", **({"variant": "v8"} if arch == "arm64"
                                                             else {})}
        entries.append(put(_json(manifest), "application/vnd.oci.image.manifest.v1+json",
                           platform=platform))
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json",
             "manifests": entries}
    index_desc = put(_json(index), "application/vnd.oci.image.index.v1+json",
                     annotations={"org.opencontainers.image.ref.name": TAG})
    (out / "oci-layout").write_bytes(_json({"imageLayoutVersion": "1.0.0"}))
    (out / "index.json").write_bytes(_json({"schemaVersion": 2, "manifests": [index_desc]}))
    return str(index_desc["digest"])


if __name__ == "__main__":
    assert len(REQUIRE_AMD64) == 1126 and len(REQUIRE_AMD64.split(" ")) == 31
    print(build(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT))
