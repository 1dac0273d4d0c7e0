"""``check_bundle`` with dpkg as the oracle: a bundle nvreq calls ready installs with
``dpkg -i`` in nvreq's order; for each problem nvreq reports, dpkg fails too (or leaves the
package unconfigured)."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from nvreq.bundle.check import check_bundle
from nvreq.bundle.package import read_package
from nvreq.bundle.report import BundleReport
from nvreq.host.packages import read_dpkg_status
from tests.bundle.debs import STACK, Deb, build, by_name, dpkg_install, make_root, needs_dpkg

pytestmark = needs_dpkg


def _install(root: Path, report: BundleReport) -> list[subprocess.CompletedProcess[str]]:
    """Run nvreq's ``dpkg -i`` steps in order, stopping at the first that fails."""
    done = []
    for step in report.steps:
        done.append(dpkg_install(root, *step))
        if done[-1].returncode:
            break
    return done


def _states(root: Path) -> dict[str, str]:
    return {name: p.state for name, p in (read_dpkg_status(root) or {}).items()}


@pytest.mark.parametrize("compression", ["zstd", "xz"])
def test_a_complete_bundle_installs_in_nvreqs_order(tmp_path: Path, compression: str) -> None:
    build(STACK, tmp_path / "bundle", compression=compression)
    root = make_root(tmp_path / "root")
    report = check_bundle([tmp_path / "bundle"], root)
    assert report, report.explain()
    assert [read_package(f).name for f in report.install_order] == [d.name for d in STACK]
    assert all(r.returncode == 0 for r in _install(root, report))
    states = _states(root)
    assert all(states[d.name] == "installed" for d in STACK)
    after = check_bundle([tmp_path / "bundle"], root)
    assert after, after.explain()


def test_the_reverse_order_is_what_dpkg_refuses(tmp_path: Path) -> None:
    [toolkit] = build([by_name("nvidia-container-toolkit")], tmp_path / "bundle")
    root = make_root(tmp_path / "root")
    assert dpkg_install(root, toolkit).returncode != 0
    assert _states(root)["nvidia-container-toolkit"] == "unpacked"


def _problem_case(tmp_path: Path, debs: list[Deb], installed: dict[str, str] | None = None
                  ) -> tuple[BundleReport, Path]:
    build(debs, tmp_path / "bundle")
    root = make_root(tmp_path / "root", installed)
    return check_bundle([tmp_path / "bundle"], root), root


def _without(*names: str) -> list[Deb]:
    return [d for d in STACK if d.name not in names]


def _dpkg_fails(root: Path, report: BundleReport) -> None:
    """dpkg, run in nvreq's order, fails, or leaves a package not configured."""
    results = _install(root, report)
    states = _states(root)
    assert any(r.returncode for r in results) or any(
        s != "installed" for s in states.values()), states


def test_missing_dependency(tmp_path: Path) -> None:
    report, root = _problem_case(tmp_path, _without("nvidia-container-toolkit-base"))
    assert [(p.package, p.kind) for p in report.problems] == [
        ("nvidia-container-toolkit", "missing")]
    assert "nvidia-container-toolkit-base (= 1.17.8-1) for amd64" in report.problems[0].fix
    _dpkg_fails(root, report)
    assert _states(root)["nvidia-container-toolkit"] != "installed"


def test_too_old_dependency(tmp_path: Path) -> None:
    old_tools = Deb("libnvidia-container-tools", "1.12.0-1", fields=(
        ("Depends", "libnvidia-container1 (>= 1.12.0-1)"),))
    report, root = _problem_case(tmp_path, [*_without("libnvidia-container-tools"), old_tools])
    assert [(p.kind, p.message.rsplit("; ", 1)[-1]) for p in report.problems] == [
        ("version", "the bundle has libnvidia-container-tools 1.12.0-1, too old")]
    _dpkg_fails(root, report)


def test_too_old_installed_library(tmp_path: Path) -> None:
    report, root = _problem_case(tmp_path, [by_name("containerd.io")],
                                 {"libc6": "2.31-0ubuntu9.16", "libseccomp2": "2.5.3-2ubuntu2"})
    assert [(p.package, p.kind) for p in report.problems] == [("containerd.io", "version")]
    assert "the target has libc6 2.31-0ubuntu9.16, too old" in report.problems[0].message
    _dpkg_fails(root, report)


def test_wrong_architecture(tmp_path: Path) -> None:
    arm = Deb("libnvidia-container1", "1.17.8-1", "arm64", by_name("libnvidia-container1").fields)
    report, root = _problem_case(tmp_path, [arm])
    assert [p.kind for p in report.problems] == ["architecture"]
    result = dpkg_install(root, tmp_path / "bundle" / arm.file_name)
    assert result.returncode != 0
    assert "architecture" in result.stderr


def test_conflict_inside_the_bundle(tmp_path: Path) -> None:
    docker_io = Deb("docker.io", "24.0.7-0ubuntu2~22.04.1")
    report, root = _problem_case(tmp_path, [docker_io, by_name("docker-ce-cli")])
    assert [(p.package, p.kind) for p in report.problems] == [("docker-ce-cli", "conflict")]
    _dpkg_fails(root, report)


def test_breaks_an_installed_package(tmp_path: Path) -> None:
    installed = {"nvidia-container-runtime": "3.4.0-1"}
    report, root = _problem_case(tmp_path, [by_name("nvidia-container-toolkit-base"),
                                            by_name("libnvidia-container1"),
                                            by_name("libnvidia-container-tools"),
                                            by_name("nvidia-container-toolkit")],
                                 {**installed, "libc6": "2.35-0ubuntu3.8"})
    assert [(p.package, p.kind, p.severity) for p in report.problems] == [
        ("nvidia-container-toolkit", "conflict", "error")]
    _dpkg_fails(root, report)


def test_an_installed_package_that_conflicts_with_a_bundled_one(tmp_path: Path) -> None:
    build([by_name("docker-ce-cli")], tmp_path / "bundle")
    root = make_root(tmp_path / "root")
    with (root / "var/lib/dpkg/status").open("a") as status:
        status.write("Package: podman-docker\nStatus: install ok installed\nArchitecture: all\n"
                     "Maintainer: x <x@x.invalid>\nVersion: 4.3.1+ds1-8\n"
                     "Conflicts: docker-ce-cli\nDescription: scratch\n\n")
    (root / "var/lib/dpkg/info/podman-docker.list").write_text("")
    report = check_bundle([tmp_path / "bundle"], root)
    assert [(p.package, p.kind, p.severity) for p in report.problems] == [
        ("docker-ce-cli", "conflict", "error")]
    assert report.problems[0].message == ("the target has podman-docker 4.3.1+ds1-8 installed, "
                                         "which Conflicts: docker-ce-cli")
    _dpkg_fails(root, report)


def test_conflict_with_replaces_is_a_warning_and_dpkg_removes_the_old_one(
        tmp_path: Path) -> None:
    installed = {"containerd": "1.7.12-0ubuntu2~22.04.1", "libc6": "2.35-0ubuntu3.8",
                 "libseccomp2": "2.5.3-2ubuntu2"}
    report, root = _problem_case(tmp_path, [by_name("containerd.io")], installed)
    assert report
    assert [(p.kind, p.severity) for p in report.problems] == [("conflict", "warning")]
    assert all(r.returncode == 0 for r in _install(root, report))
    assert _states(root).get("containerd") in (None, "config-files", "not-installed")


def test_pre_depends_cycle(tmp_path: Path) -> None:
    a = Deb("cycle-a", "1.0", fields=(("Pre-Depends", "cycle-b"),))
    b = Deb("cycle-b", "1.0", fields=(("Pre-Depends", "cycle-a"),))
    report, root = _problem_case(tmp_path, [a, b], {})
    assert [p.kind for p in report.problems] == ["cycle"]
    _dpkg_fails(root, report)


def test_a_depends_cycle_installs_in_one_step(tmp_path: Path) -> None:
    a = Deb("cycle-a", "1.0", fields=(("Depends", "cycle-b"),))
    b = Deb("cycle-b", "1.0", fields=(("Depends", "cycle-a"),))
    report, root = _problem_case(tmp_path, [a, b], {})
    assert report
    assert len(report.steps) == 1 and len(report.steps[0]) == 2
    assert "depend on each other" in " ".join(report.notes)
    assert dpkg_install(root, report.steps[0][0]).returncode != 0
    assert dpkg_install(root, *report.steps[0]).returncode == 0


def test_a_corrupt_file_is_reported_with_the_rest(tmp_path: Path) -> None:
    build(STACK, tmp_path / "bundle")
    broken = tmp_path / "bundle" / "nvidia-docker2_2.14.0-1_all.deb"
    broken.write_bytes(broken.read_bytes()[:300])
    (tmp_path / "bundle" / "notes.txt.deb").write_text("not a package\n")
    root = make_root(tmp_path / "root")
    report = check_bundle([tmp_path / "bundle"], root)
    assert report.bad_input
    unreadable = {p.package: p.message for p in report.problems if p.kind == "unreadable"}
    assert set(unreadable) == {"nvidia-docker2_2.14.0-1_all.deb", "notes.txt.deb"}
    assert len(report.packages) == len(STACK) - 1
    assert dpkg_install(root, broken).returncode != 0


def test_built_for_another_release_is_a_warning(tmp_path: Path) -> None:
    focal = 'ID=ubuntu\nVERSION_ID="20.04"\nVERSION_CODENAME=focal\n'
    build([by_name("docker-ce-cli")], tmp_path / "bundle")
    root = make_root(tmp_path / "root", os_release=focal)
    report = check_bundle([tmp_path / "bundle"], root)
    assert report
    [problem] = report.problems
    assert (problem.kind, problem.severity) == ("release", "warning")
    assert problem.message.endswith("is built for ubuntu 22.04; the target is ubuntu 20.04 "
                                    "(focal)")


def test_two_versions_in_the_bundle(tmp_path: Path) -> None:
    report, _ = _problem_case(tmp_path, [by_name("nvidia-container-toolkit-base"),
                                         Deb("nvidia-container-toolkit-base", "1.16.2-1")])
    assert [(p.kind, p.severity) for p in report.problems] == [("duplicate", "error")]
    assert report.problems[0].fix.startswith("remove ")
    assert "1.16.2-1" in report.problems[0].fix


def test_thousands_of_other_files_are_skipped(tmp_path: Path) -> None:
    build(STACK, tmp_path / "bundle")
    for i in range(3000):
        (tmp_path / "bundle" / f"readme-{i:04}.txt").write_text("x")
    report = check_bundle([tmp_path / "bundle"], make_root(tmp_path / "root"))
    assert report
    assert len(report.packages) == len(STACK)
    assert any("3000 entries that are not .deb files were skipped" in n for n in report.notes)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_checksums_from_sha256sums(tmp_path: Path) -> None:
    files = build(STACK[:3], tmp_path / "bundle")
    (tmp_path / "bundle" / "SHA256SUMS").write_text(
        "".join(f"{_sha256(f)}  {f.name}\n" for f in files))
    root = make_root(tmp_path / "root")
    assert check_bundle([tmp_path / "bundle"], root)
    damaged = bytearray(files[0].read_bytes())
    damaged[-2] ^= 1  # inside data.tar: the control data still reads
    files[0].write_bytes(bytes(damaged))
    report = check_bundle([tmp_path / "bundle"], root)
    assert [(p.package, p.kind) for p in report.problems] == [(files[0].name, "checksum")]


def test_checksums_from_a_packages_index(tmp_path: Path) -> None:
    files = build(STACK[3:5], tmp_path / "bundle")
    (tmp_path / "bundle" / "Packages").write_text("\n".join(
        f"Package: {read_package(str(f)).name}\nFilename: ./{f.name}\nSHA256: "
        f"{'0' * 64 if i else _sha256(f)}\n" for i, f in enumerate(files)))
    report = check_bundle([tmp_path / "bundle"], make_root(tmp_path / "root"))
    assert [(p.package, p.kind) for p in report.problems] == [(files[1].name, "checksum")]
    assert any("2 of 2 files" in n for n in report.notes)


REAL = ["hello", "libc6", "libgcc-s1", "gcc-12-base"]


@pytest.fixture(scope="module")
def debian_packages(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Real packages from Debian's archive through ``apt-get download``; skips when offline."""
    if shutil.which("apt-get") is None:
        pytest.skip("apt-get is not installed")
    directory = tmp_path_factory.mktemp("debian")
    try:
        done = subprocess.run(["apt-get", "download", "-q", *REAL], cwd=directory,
                              capture_output=True, text=True, timeout=300, check=False)
    except subprocess.TimeoutExpired:
        pytest.skip("apt-get download timed out")
    files = sorted(directory.glob("*.deb"))
    if done.returncode or len(files) != len(REAL):
        pytest.skip(f"apt-get download is not possible here: {done.stderr.strip()[-200:]}")
    os.chmod(directory, 0o755)
    return files


def test_real_debian_packages_read_as_dpkg_deb_shows_them(debian_packages: list[Path]) -> None:
    for path in debian_packages:
        package = read_package(str(path))
        fields = {k: subprocess.run(["dpkg-deb", "-f", str(path), k], capture_output=True,
                                    text=True, check=True).stdout.strip()
                  for k in ("Package", "Version", "Architecture", "Depends", "Pre-Depends")}
        assert (package.name, package.version, package.architecture) == (
            fields["Package"], fields["Version"], fields["Architecture"])
        for name, groups in (("Depends", package.depends), ("Pre-Depends", package.pre_depends)):
            text = ", ".join(" | ".join(map(str, g)) for g in groups)
            assert text.replace(" ", "") == fields[name].replace(" ", "")


def test_real_debian_packages_order_with_their_cycle(debian_packages: list[Path],
                                                     tmp_path: Path) -> None:
    root = make_root(tmp_path / "root", {}, os_release="ID=debian\nVERSION_ID=\"12\"\n")
    report = check_bundle(debian_packages, root)
    assert report, report.explain()
    names = [tuple(read_package(f).name for f in step) for step in report.steps]
    assert names.index(("hello",)) == len(names) - 1
    assert any({"libc6", "libgcc-s1"} <= set(step) for step in names)


def test_a_package_cut_short_in_its_data_is_unreadable_as_dpkg_finds(tmp_path: Path) -> None:
    [path] = build([by_name("nvidia-container-toolkit-base")], tmp_path / "bundle")
    path.write_bytes(path.read_bytes()[:-100])
    root = make_root(tmp_path / "root")
    report = check_bundle([path], root)
    [problem] = report.problems
    assert problem.kind == "unreadable"
    assert problem.message.startswith("truncated archive: data.tar.xz is cut short")
    assert dpkg_install(root, path).returncode != 0


def test_a_fifo_is_refused_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.deb"
    os.mkfifo(fifo)
    report = check_bundle([fifo], root=tmp_path, arch="amd64")
    assert [(p.package, p.kind, p.message) for p in report.problems] == [
        ("pipe.deb", "unreadable", "not a regular file")]
