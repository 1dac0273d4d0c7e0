"""Test packages built with the real ``dpkg-deb``, a scratch target root, and dpkg as the oracle.

``STACK`` carries the control fields of the real packages of the offline install guide: NVIDIA's
(``packaging/debian/control`` of nvidia-container-toolkit, ``pkg/deb/control`` of
libnvidia-container, as built for 1.17.8) and Docker's (``apt show`` of docker-ce 28.0.4,
docker-ce-cli and containerd.io on Ubuntu 22.04). ``JAMMY`` is the part of an Ubuntu 22.04 dpkg
status database those packages depend on.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

__all__ = ["JAMMY", "STACK", "Deb", "ar_archive", "build", "by_name", "dpkg_install", "make_root",
           "needs_dpkg", "tar_bytes"]

needs_dpkg = pytest.mark.skipif(shutil.which("dpkg-deb") is None or shutil.which("dpkg") is None,
                                reason="dpkg and dpkg-deb are not installed")

_DOCKER = "5:28.0.4-1~ubuntu.22.04~jammy"


@dataclass(frozen=True)
class Deb:
    """A package to build: its control fields (``Package``, ``Version``, ``Architecture`` first)."""

    name: str
    version: str
    arch: str = "amd64"
    fields: tuple[tuple[str, str], ...] = ()

    @property
    def file_name(self) -> str:
        return f"{self.name}_{self.version.split(':')[-1]}_{self.arch}.deb"

    def with_fields(self, **changes: str) -> Deb:
        """The same package with fields replaced (``Pre_Depends=…`` for ``Pre-Depends``)."""
        fields = dict(self.fields)
        fields.update({k.replace("_", "-"): v for k, v in changes.items()})
        return Deb(self.name, self.version, self.arch, tuple(fields.items()))

    def control(self) -> str:
        lines = [f"Package: {self.name}", f"Version: {self.version}",
                 f"Architecture: {self.arch}", "Maintainer: nvreq tests <tests@nvreq.invalid>"]
        lines += [f"{k}: {v}" for k, v in self.fields if v]
        lines.append(f"Description: {self.name} (nvreq test package)")
        return "\n".join(lines) + "\n"


STACK = (
    Deb("containerd.io", "1.7.27-1", fields=(
        ("Depends", "libc6 (>= 2.34), libseccomp2 (>= 2.5.0)"),
        ("Conflicts", "containerd, runc"), ("Replaces", "containerd, runc"),
        ("Provides", "containerd, runc"))),
    Deb("docker-ce-cli", _DOCKER, fields=(
        ("Depends", "libc6 (>= 2.34)"),
        ("Conflicts", "docker (<< 1.5~), docker-engine, docker.io"),
        ("Breaks", "docker-ce (<< 5:0)"), ("Replaces", "docker-ce (<< 5:0)"))),
    Deb("docker-ce", _DOCKER, fields=(
        ("Pre-Depends", "init-system-helpers (>= 1.54~)"),
        ("Depends", "containerd.io (>= 1.7.27), docker-ce-cli, iptables, libseccomp2 (>= 2.3.0), "
                    "libc6 (>= 2.34), libsystemd0"),
        ("Conflicts", "docker (<< 1.5~), docker-engine, docker.io"),
        ("Replaces", "docker-ce-cli (<< 5:28.0.0), docker-engine"))),
    Deb("libnvidia-container1", "1.17.8-1", fields=(
        ("Multi-Arch", "same"), ("Depends", "libc6 (>= 2.34)"))),
    Deb("libnvidia-container-tools", "1.17.8-1", fields=(
        ("Depends", "libnvidia-container1 (>= 1.17.8-1), libc6 (>= 2.34)"),)),
    Deb("nvidia-container-toolkit-base", "1.17.8-1"),
    Deb("nvidia-container-toolkit", "1.17.8-1", fields=(
        ("Depends", "nvidia-container-toolkit-base (= 1.17.8-1), libnvidia-container-tools "
                    "(>= 1.17.8-1), libnvidia-container-tools (<< 2.0.0)"),
        ("Breaks", "nvidia-container-runtime (<= 3.5.0-1), nvidia-container-runtime-hook"),
        ("Replaces", "nvidia-container-runtime (<= 3.5.0-1), nvidia-container-runtime-hook"))),
    Deb("nvidia-container-runtime", "3.14.0-1", "all", fields=(
        ("Depends", "nvidia-container-toolkit (>= 1.14.0-1), nvidia-container-toolkit "
                    "(<< 2.0.0)"),)),
    Deb("nvidia-docker2", "2.14.0-1", "all", fields=(
        ("Depends", "nvidia-container-toolkit (>= 1.14.0-1)"),
        ("Breaks", "nvidia-docker (<< 2.0.0)"), ("Replaces", "nvidia-docker (<< 2.0.0)"))),
)

JAMMY = {
    "libc6": "2.35-0ubuntu3.8",
    "libseccomp2": "2.5.3-2ubuntu2",
    "iptables": "1.8.7-1ubuntu5.2",
    "libsystemd0": "249.11-0ubuntu3.12",
    "init-system-helpers": "1.62",
}


def by_name(name: str) -> Deb:
    """The ``STACK`` package called ``name``."""
    return next(d for d in STACK if d.name == name)


def build(debs: list[Deb] | tuple[Deb, ...], directory: Path, *,
          compression: str = "xz") -> list[Path]:
    """Build each package with ``dpkg-deb -b`` into ``directory``; their paths."""
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for deb in debs:
        tree = directory / f".tree-{deb.name}-{deb.arch}"
        (tree / "DEBIAN").mkdir(parents=True, exist_ok=True)
        (tree / "DEBIAN/control").write_text(deb.control())
        target = directory / deb.file_name
        subprocess.run(["dpkg-deb", f"-Z{compression}", "--root-owner-group", "-b", str(tree),
                        str(target)], check=True, capture_output=True, timeout=60)
        shutil.rmtree(tree)
        out.append(target)
    return out


def make_root(root: Path, installed: dict[str, str] | None = None, *, arch: str = "amd64",
              os_release: str = "ID=ubuntu\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\n"
              ) -> Path:
    """A scratch target: an initialised dpkg database holding ``installed`` (default ``JAMMY``),
    its architecture and an os-release."""
    admin = root / "var/lib/dpkg"
    for sub in ("info", "updates", "triggers"):
        (admin / sub).mkdir(parents=True, exist_ok=True)
    packages = JAMMY if installed is None else installed
    (admin / "status").write_text("".join(
        f"Package: {name}\nStatus: install ok installed\nPriority: optional\n"
        f"Architecture: {arch}\nMaintainer: x <x@x.invalid>\nVersion: {version}\n"
        "Description: scratch\n\n" for name, version in packages.items()))
    for name in packages:
        (admin / "info" / f"{name}.list").write_text("")
    (admin / "available").write_text("")
    (admin / "arch").write_text(f"{arch}\n")
    (root / "etc").mkdir(exist_ok=True)
    (root / "etc/os-release").write_text(os_release)
    return root


def dpkg_install(root: Path, *files: str | Path) -> subprocess.CompletedProcess[str]:
    """``dpkg --root=ROOT -i FILE…`` as the offline guide runs it, in the scratch root."""
    env = {**os.environ, "PATH": os.environ.get("PATH", "") + ":/usr/sbin:/sbin"}
    return subprocess.run(
        ["dpkg", f"--root={root}", "--force-script-chrootless", "--force-not-root",
         "--force-unsafe-io", "--log=/dev/null", "-i", *map(str, files)],
        capture_output=True, text=True, timeout=120, env=env, check=False)


def ar_archive(members: list[tuple[str, bytes]]) -> bytes:
    """An ``ar`` archive of ``members`` as dpkg-deb writes one (common format, even padding)."""
    out = [b"!<arch>\n"]
    for name, data in members:
        header = (f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}").encode() + b"`\n"
        out += [header, data, b"\n" if len(data) % 2 else b""]
    return b"".join(out)


def tar_bytes(members: dict[str, bytes], mode: str = "w") -> bytes:
    """A tar archive (``mode`` ``w``, ``w:gz`` or ``w:xz``) of ``members``."""
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as tar:  # type: ignore[call-overload]
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
