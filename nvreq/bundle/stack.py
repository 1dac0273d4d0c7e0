"""What a bundle of the NVIDIA container stack gives a Docker or Kubernetes host: which pieces
``docker run --gpus`` needs, which ``--runtime=nvidia`` needs, and what ``nvreq doctor`` checks."""

from __future__ import annotations

from collections.abc import Collection, Mapping

from nvreq.bundle.package import BundlePackage
from nvreq.doctor.stack import STACK
from nvreq.host.packages import Package, compare_debian_versions

__all__ = ["GPUS_FLAG", "stack_notes"]

#: what ``docker run --gpus`` (Docker >= 19.03) needs: the hook and the library it calls
GPUS_FLAG = ("libnvidia-container1", "libnvidia-container-tools", "nvidia-container-toolkit")
_NVIDIA = {name for name, _ in STACK if "nvidia" in name}


def stack_notes(bundled: Collection[BundlePackage], installed: Mapping[str, Package]
                ) -> list[str]:
    """Notes on the NVIDIA container stack, when the bundle holds part of it."""
    names = {p.name: p.version for p in bundled}
    if not _NVIDIA & names.keys():
        return []
    have = {**{n: p.version for n, p in installed.items()}, **names}
    lacking = [n for n in GPUS_FLAG if n not in have]
    notes = [("docker run --gpus (Docker >= 19.03): "
              + (f"also needs {', '.join(lacking)}" if lacking else
                 "the bundle and the target hold all it needs (" + ", ".join(GPUS_FLAG) + ")"))]
    docker = have.get("docker-ce")
    if docker is not None and compare_debian_versions(docker.split(":", 1)[-1], "19.03") < 0:
        notes.append(f"docker-ce {docker} is older than 19.03: it has no --gpus; use "
                     "--runtime=nvidia (nvidia-docker2)")
    if "nvidia-docker2" in have:
        runtime = "nvidia-docker2 registers the nvidia runtime in /etc/docker/daemon.json"
    else:
        runtime = ("without nvidia-docker2, register it after the install with "
                   "`sudo nvidia-ctk runtime configure --runtime=docker` (or "
                   "`--runtime=containerd` for Kubernetes) and restart the daemon")
    notes.append("docker run --runtime=nvidia and Kubernetes need the nvidia runtime "
                 f"(nvidia-container-runtime, from nvidia-container-toolkit) registered: {runtime}")
    notes.append("after the install, `nvreq doctor` checks the driver, Docker, the toolkit's "
                 "binaries, the runtime registration and that every package is configured")
    return notes
