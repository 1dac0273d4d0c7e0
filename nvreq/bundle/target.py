"""The machine a bundle will be installed on: its installed packages (the dpkg status database),
its dpkg architectures and its distribution release (``etc/os-release``)."""

from __future__ import annotations

import platform
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from nvreq.host.packages import Package, Runner, read_dpkg_status

__all__ = ["Target", "read_os_release", "read_target"]

#: ``platform.machine()`` -> dpkg architecture, for a root with no dpkg to ask
_MACHINES = {"x86_64": "amd64", "aarch64": "arm64", "ppc64le": "ppc64el", "i686": "i386",
             "armv7l": "armhf", "s390x": "s390x", "riscv64": "riscv64"}


@dataclass(frozen=True, slots=True)
class Target:
    """The target's dpkg architectures, installed packages and release."""

    arch: str
    foreign: tuple[str, ...] = ()
    installed: Mapping[str, Package] = field(default_factory=dict)
    os_id: str = ""
    version_id: str = ""
    codename: str = ""
    root: str = "/"
    has_database: bool = True

    def can_install(self, arch: str) -> bool:
        """Whether dpkg on the target accepts a package built for ``arch``."""
        return arch in ("all", self.arch) or arch in self.foreign

    @property
    def release(self) -> str:
        """``ubuntu 22.04 (jammy)``, or what is known of it."""
        text = " ".join(p for p in (self.os_id, self.version_id) if p)
        return f"{text} ({self.codename})" if self.codename else text or "unknown release"

    def to_dict(self) -> dict[str, object]:
        """The target as JSON."""
        return {"root": self.root, "architecture": self.arch, "foreign_architectures":
                list(self.foreign), "os_id": self.os_id, "version_id": self.version_id,
                "codename": self.codename, "installed_packages": len(self.installed),
                "dpkg_database": self.has_database}


def read_os_release(root: str | Path) -> dict[str, str]:
    """The ``KEY=value`` pairs of ``ROOT/etc/os-release`` (or ``usr/lib/os-release``)."""
    for name in ("etc/os-release", "usr/lib/os-release"):
        try:
            text = (Path(root) / name).read_text(encoding="utf-8", errors="replace")[:65536]
        except OSError:
            continue
        pairs = {}
        for line in text.splitlines():
            key, eq, value = line.partition("=")
            if eq and key.strip().isidentifier():
                pairs[key.strip()] = value.strip().strip("\"'")
        return pairs
    return {}


def read_target(root: str | Path = "/", *, arch: str | None = None,
                runner: Runner | None = None) -> Target:
    """The target at ``root``; ``arch`` overrides its dpkg architecture, ``runner`` asks the live
    dpkg (``dpkg --print-architecture``) when ``root`` is ``/``.

    >>> read_target("/nonexistent", arch="arm64").can_install("amd64")
    False
    """
    installed = read_dpkg_status(root)
    listed = _arch_file(root)
    live = runner is not None and Path(root).resolve() == Path("/")
    native = arch or (_ask(runner, "--print-architecture") if live else None)
    if not native:
        native = listed[0] if listed else _MACHINES.get(platform.machine(), platform.machine())
    foreign = (_ask(runner, "--print-foreign-architectures") or "").split() if live else []
    foreign = sorted({a for a in [*foreign, *listed[1:]] if a != native})
    release = read_os_release(root)
    return Target(native, tuple(foreign), installed or {}, release.get("ID", ""),
                  release.get("VERSION_ID", ""),
                  release.get("VERSION_CODENAME") or release.get("UBUNTU_CODENAME", ""),
                  str(root), installed is not None)


def _ask(runner: Runner | None, option: str) -> str | None:
    out = runner(["dpkg", option]) if runner is not None else None
    return out.strip() if out and out.strip() else None


def _arch_file(root: str | Path) -> list[str]:
    """``var/lib/dpkg/arch``: the native architecture first, then the foreign ones."""
    try:
        text = (Path(root) / "var/lib/dpkg/arch").read_text(encoding="ascii", errors="replace")
    except OSError:
        return []
    return [line.strip() for line in text.splitlines()[:64] if line.strip()]
