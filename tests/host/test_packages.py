"""Package databases: dpkg status parsing, Debian version order, rpm through a runner."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    ("1:2:3-1", "2:1-1", -1),
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


_PIECE = st.text(alphabet="0129ab.+~", max_size=6)
debian_versions = st.builds(
    lambda epoch, head, upstream, revision: f"{epoch}{head}{upstream}{revision}",
    st.sampled_from(["", "", "0:", "1:", "10:"]), st.sampled_from("0129"), _PIECE,
    st.one_of(st.just(""), _PIECE.filter(lambda r: "-" not in r).map(lambda r: f"-{r or '0'}"),
              st.builds(lambda a, b: f"-{a}-{b or '1'}", _PIECE, _PIECE)))


def _dpkg_orders(pairs: list[tuple[str, str]]) -> list[int]:
    """``dpkg --compare-versions`` on every pair, in one shell: -1, 0 or 1 each."""
    script = "".join(
        f"if dpkg --compare-versions {shlex.quote(a)} lt {shlex.quote(b)}; then echo -1; "
        f"elif dpkg --compare-versions {shlex.quote(a)} eq {shlex.quote(b)}; then echo 0; "
        "else echo 1; fi\n" for a, b in pairs)
    done = subprocess.run(["sh", "-s"], input=script, capture_output=True, text=True,
                          timeout=300, check=True)
    return [int(line) for line in done.stdout.split()]


@pytest.mark.skipif(shutil.which("dpkg") is None, reason="dpkg is not installed")
@settings(max_examples=5)
@given(st.lists(st.tuples(debian_versions, debian_versions), min_size=30, max_size=40))
def test_version_order_is_dpkgs(pairs: list[tuple[str, str]]) -> None:
    # near pairs too: the same version with its epoch, tildes or revision changed
    pairs += [(a, b) for a, _ in pairs[:10] for b in {a.replace("~", "."), a.split(":")[-1],
                                                      a.rsplit("-", 1)[0]} if b and b != a]
    assert [compare_debian_versions(a, b) for a, b in pairs] == _dpkg_orders(pairs)
