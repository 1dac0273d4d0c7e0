"""The target: dpkg architectures (live or under a root), installed packages, os-release."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from nvreq.bundle.release import built_for, release_problem
from nvreq.bundle.solve import resolve
from nvreq.bundle.stack import stack_notes
from nvreq.bundle.target import Target, read_os_release, read_target
from tests.bundle.debs import make_root
from tests.bundle.test_solve import pkg


def test_a_root_gives_its_architectures_packages_and_release(tmp_path: Path) -> None:
    root = make_root(tmp_path, {"libc6": "2.35-0ubuntu3.8"}, arch="arm64")
    (root / "var/lib/dpkg/arch").write_text("arm64\narmhf\n")
    target = read_target(root)
    assert (target.arch, target.foreign) == ("arm64", ("armhf",))
    assert target.installed["libc6"].version == "2.35-0ubuntu3.8"
    assert target.release == "ubuntu 22.04 (jammy)"
    assert target.can_install("armhf") and target.can_install("all")
    assert not target.can_install("amd64")
    assert read_target(root, arch="amd64").foreign == ("armhf",)


def test_the_live_host_asks_dpkg(tmp_path: Path) -> None:
    asked: list[Sequence[str]] = []

    def runner(argv: Sequence[str]) -> str | None:
        asked.append(argv)
        return {"--print-architecture": "amd64\n",
                "--print-foreign-architectures": "i386\n"}[argv[1]]

    target = read_target("/", runner=runner)
    assert (target.arch, target.foreign) == ("amd64", ("i386",))
    assert [a[1] for a in asked] == ["--print-architecture", "--print-foreign-architectures"]


def test_no_database_is_said(tmp_path: Path) -> None:
    target = read_target(tmp_path, arch="amd64")
    assert not target.has_database
    assert "no dpkg status database" in resolve([], target).notes[0]


def test_os_release_quotes_and_fallback(tmp_path: Path) -> None:
    (tmp_path / "usr/lib").mkdir(parents=True)
    (tmp_path / "usr/lib/os-release").write_text('ID=debian\nVERSION_ID="12"\n# c\nbad line\n')
    assert read_os_release(tmp_path) == {"ID": "debian", "VERSION_ID": "12"}


def test_releases_named_in_versions() -> None:
    assert built_for("5:19.03.6~3-0~ubuntu-bionic") == ("ubuntu", "18.04")
    assert built_for("5:20.10.9~3-0~debian-buster") == ("debian", "10")
    assert built_for("5:28.0.4-1~debian.12~bookworm") == ("debian", "12")
    assert built_for("1.2-0ubuntu1~22.04.1") is None
    jammy = Target("amd64", os_id="ubuntu", version_id="22.04", codename="jammy")
    assert release_problem(pkg("docker-ce", "5:19.03.6~3-0~ubuntu-bionic"), jammy) is not None
    assert release_problem(pkg("docker-ce", "5:28.0.4-1~ubuntu.22.04~jammy"), jammy) is None
    assert release_problem(pkg("docker-ce", "5:28.0.4-1~ubuntu.22.04~jammy"), Target("amd64")) \
        is None


def test_stack_notes_name_what_each_mode_needs() -> None:
    assert stack_notes([pkg("hello")], {}) == []
    notes = stack_notes([pkg("nvidia-container-toolkit", "1.17.8-1")], {})
    assert notes[0] == ("docker run --gpus (Docker >= 19.03): also needs libnvidia-container1, "
                        "libnvidia-container-tools")
    assert "nvidia-ctk runtime configure --runtime=docker" in notes[1]
    with_docker2 = stack_notes([pkg("nvidia-docker2", "2.14.0-1", "all"),
                                pkg("docker-ce", "5:18.09.1~3-0~ubuntu-bionic")], {})
    assert any("older than 19.03" in n for n in with_docker2)
    assert any("nvidia-docker2 registers the nvidia runtime" in n for n in with_docker2)
