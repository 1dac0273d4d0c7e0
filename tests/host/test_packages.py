"""Package databases: dpkg status parsing, Debian version order, rpm through a runner."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from nvreq.host.packages import (
    Dependency,
    Package,
    compare_debian_versions,
    read_dpkg_status,
    read_installed,
    satisfies,
    toolkit_version,
)

STATUS = """\
Package: libnvidia-container1
Status: install ok installed
Architecture: amd64
Version: 1.17.4-1

Package: nvidia-container-toolkit
Status: install ok unpacked
Version: 1.17.4-1
Depends: libnvidia-container-tools (>= 1.17.4-1), libnvidia-container-tools (<< 2.0.0),
 nvidia-container-toolkit-base (= 1.17.4-1)
Description: NVIDIA Container toolkit
 Provides tools and utilities.

Package: removed-thing
Status: deinstall ok config-files
Version: 1.0

Package: gone
Status: purge ok not-installed
"""


def test_dpkg_status(tmp_path: Path) -> None:
    (tmp_path / "var/lib/dpkg").mkdir(parents=True)
    (tmp_path / "var/lib/dpkg/status").write_text(STATUS)
    packages = read_dpkg_status(tmp_path)
    assert packages is not None
    assert set(packages) == {"libnvidia-container1", "nvidia-container-toolkit", "removed-thing"}
    toolkit = packages["nvidia-container-toolkit"]
    assert (toolkit.state, toolkit.configured) == ("unpacked", False)
    assert toolkit.depends == (
        (Dependency("libnvidia-container-tools", ">=", "1.17.4-1"),),
        (Dependency("libnvidia-container-tools", "<<", "2.0.0"),),
        (Dependency("nvidia-container-toolkit-base", "=", "1.17.4-1"),))
    assert packages["removed-thing"].state == "config-files"
    assert toolkit_version(packages) == "1.17.4"
    assert read_installed(tmp_path) == ("dpkg", packages)


def test_no_database(tmp_path: Path) -> None:
    assert read_dpkg_status(tmp_path) is None
    assert read_installed(tmp_path) is None


def test_rpm_through_the_runner(tmp_path: Path) -> None:
    (tmp_path / "var/lib/rpm").mkdir(parents=True)
    seen: list[Sequence[str]] = []

    def runner(argv: Sequence[str]) -> str:
        seen.append(argv)
        return ("nvidia-container-toolkit\t1.17.4-1\tlibnvidia-container-tools,"
                "nvidia-container-toolkit-base,\nlibnvidia-container1\t1.17.4-1\t\n")

    kind, packages = read_installed(tmp_path, runner) or ("", {})
    assert kind == "rpm"
    assert seen[0][:3] == ["rpm", "--root", str(tmp_path)]
    assert [g[0].name for g in packages["nvidia-container-toolkit"].depends] == [
        "libnvidia-container-tools", "nvidia-container-toolkit-base"]


@pytest.mark.parametrize(("a", "b", "order"), [
    ("1.17.4-1", "1.17.4-1", 0),
    ("1.17.4-1", "1.17.3-1", 1),
    ("1.17.10-1", "1.17.9-1", 1),
    ("1.18.0~rc.1-1", "1.18.0-1", -1),
    ("1:1.0", "2.0", 1),
    ("1.0", "1.0-0", 0),
    ("1.0a", "1.0", 1),
    ("1.0+b1", "1.0", 1),
    ("5:24.0.7-1~ubuntu.22.04~jammy", "5:24.0.7-1~ubuntu.20.04~focal", 1),
])
def test_debian_version_order(a: str, b: str, order: int) -> None:
    assert compare_debian_versions(a, b) == order
    assert compare_debian_versions(b, a) == -order


@pytest.mark.parametrize(("version", "dep", "ok"), [
    ("1.17.4-1", Dependency("x", ">=", "1.17.4-1"), True),
    ("1.12.0-1", Dependency("x", ">=", "1.17.4-1"), False),
    ("1.17.4-1", Dependency("x", "<<", "2.0.0"), True),
    ("1.17.4-1", Dependency("x", "=", "1.17.4-1"), True),
    ("1.17.4-1", Dependency("x"), True),
])
def test_satisfies(version: str, dep: Dependency, ok: bool) -> None:
    assert satisfies(Package("x", version), dep) is ok
    assert not satisfies(Package("y", version), dep)


def test_provides_meets_unversioned_dependencies() -> None:
    docker = Package("docker.io", "24.0.7-0ubuntu2", provides=("docker", "docker-engine"))
    assert satisfies(docker, Dependency("docker-engine"))
    assert not satisfies(docker, Dependency("docker-engine", ">=", "1.0"))
