"""Resolving a bundle against a target: each problem kind, and the order property."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from nvreq.bundle.package import BundlePackage, package_from_control
from nvreq.bundle.relations import version_matches
from nvreq.bundle.solve import resolve
from nvreq.bundle.target import Target
from nvreq.host.packages import Package

JAMMY = Target("amd64", (), {"libc6": Package("libc6", "2.35-0ubuntu3.8")}, "ubuntu", "22.04",
               "jammy")


def pkg(name: str, version: str = "1.0-1", arch: str = "amd64", **fields: str) -> BundlePackage:
    text = f"Package: {name}\nVersion: {version}\nArchitecture: {arch}\n" + "".join(
        f"{k.replace('_', '-')}: {v}\n" for k, v in fields.items())
    return package_from_control(text, f"{name}_{version}_{arch}.deb")


def kinds(*packages: BundlePackage, target: Target = JAMMY) -> list[tuple[str, str, str]]:
    return [(p.package, p.kind, p.severity) for p in resolve(packages, target).problems]


def test_a_complete_chain_orders_dependencies_first() -> None:
    lib = pkg("libnvidia-container1", "1.17.8-1", Depends="libc6 (>= 2.34)")
    tools = pkg("libnvidia-container-tools", "1.17.8-1",
                Depends="libnvidia-container1 (>= 1.17.8-1)")
    resolution = resolve([tools, lib], JAMMY)
    assert resolution.problems == ()
    assert resolution.steps == ((lib.file,), (tools.file,))


def test_missing_names_what_to_download() -> None:
    toolkit = pkg("nvidia-container-toolkit", "1.17.8-1",
                  Depends="nvidia-container-toolkit-base (= 1.17.8-1)")
    [problem] = resolve([toolkit], JAMMY).problems
    assert (problem.kind, problem.package) == ("missing", "nvidia-container-toolkit")
    assert problem.message == ("Depends: nvidia-container-toolkit-base (= 1.17.8-1); neither in "
                               "the bundle nor installed on the target")
    assert "download nvidia-container-toolkit-base (= 1.17.8-1) for amd64" in problem.fix


def test_too_old_and_too_new_show_both_versions() -> None:
    toolkit = pkg("nvidia-container-toolkit", "1.17.8-1",
                  Depends="libnvidia-container-tools (>= 1.17.8-1), "
                          "libnvidia-container-tools (<< 2.0.0)")
    old = resolve([toolkit, pkg("libnvidia-container-tools", "1.12.0-1")], JAMMY).problems
    new = resolve([toolkit, pkg("libnvidia-container-tools", "2.1.0-1")], JAMMY).problems
    assert [(p.kind, p.message.rsplit("; ", 1)[1]) for p in old] == [
        ("version", "the bundle has libnvidia-container-tools 1.12.0-1, too old")]
    assert [(p.kind, p.message.rsplit("; ", 1)[1]) for p in new] == [
        ("version", "the bundle has libnvidia-container-tools 2.1.0-1, too new")]


def test_installed_packages_meet_dependencies_and_can_be_too_old() -> None:
    wants = pkg("a", Depends="libc6 (>= 2.34)")
    assert kinds(wants) == []
    old = Target("amd64", (), {"libc6": Package("libc6", "2.31-0ubuntu9")})
    [problem] = resolve([wants], old).problems
    assert problem.message.endswith("the target has libc6 2.31-0ubuntu9, too old")


def test_an_unconfigured_installed_package_does_not_count() -> None:
    target = Target("amd64", (), {"b": Package("b", "1.0", "unpacked")})
    [problem] = resolve([pkg("a", Depends="b")], target).problems
    assert "b 1.0 unpacked, not configured" in problem.message


def test_alternatives_and_virtual_packages() -> None:
    docker = pkg("docker-ce", Depends="containerd | containerd.io")
    containerd = pkg("containerd.io", "1.7.27-1", Provides="containerd, runc")
    resolution = resolve([docker, containerd], JAMMY)
    assert resolution.problems == ()
    assert resolution.steps == ((containerd.file,), (docker.file,))
    assert kinds(pkg("x", Depends="containerd (>= 1.0)"), containerd) == [("x", "missing",
                                                                           "error")]
    versioned = pkg("containerd.io", "1.7.27-1", Provides="containerd (= 1.7.27)")
    assert kinds(pkg("x", Depends="containerd (>= 1.0)"), versioned) == []


def test_architecture_qualifiers_and_all() -> None:
    runtime = pkg("nvidia-container-runtime", "3.14.0-1", "all",
                  Depends="nvidia-container-toolkit (>= 1.14.0-1)")
    toolkit = pkg("nvidia-container-toolkit", "1.17.8-1")
    assert kinds(runtime, toolkit) == []
    python = pkg("python3", arch="arm64", Multi_Arch="allowed")
    assert kinds(pkg("a", Depends="python3:any"), python,
                 target=Target("amd64", ("arm64",))) == []
    assert kinds(pkg("a", Depends="python3"), python,
                 target=Target("amd64", ("arm64",))) == [("a", "architecture", "error")]
    assert kinds(pkg("a", Depends="b:native"), pkg("b")) == []


def test_an_architecture_the_target_cannot_install() -> None:
    [problem] = resolve([pkg("libnvidia-container1", arch="arm64")], JAMMY).problems
    assert problem.kind == "architecture"
    assert problem.message == "built for arm64; the target installs amd64"
    assert "dpkg --add-architecture arm64" in problem.fix


def test_two_versions_of_one_package() -> None:
    assert kinds(pkg("a", "1.0"), pkg("a", "2.0")) == [("a", "duplicate", "error")]
    assert kinds(pkg("a", "1.0"), pkg("a", "1.0")) == [("a", "duplicate", "warning")]
    same = [pkg("lib", arch=a, Multi_Arch="same") for a in ("amd64", "i386")]
    assert kinds(*same, target=Target("amd64", ("i386",))) == []


def test_conflicts_and_breaks() -> None:
    cli = pkg("docker-ce-cli", Conflicts="docker.io")
    assert kinds(cli, pkg("docker.io")) == [("docker-ce-cli", "conflict", "error")]
    installed = Target("amd64", (), {"docker.io": Package("docker.io", "24.0.7")})
    assert kinds(cli, target=installed) == [("docker-ce-cli", "conflict", "error")]
    replacing = pkg("containerd.io", Conflicts="containerd", Replaces="containerd",
                    Provides="containerd")
    with_containerd = Target("amd64", (), {"containerd": Package("containerd", "1.7.12")})
    assert kinds(replacing, target=with_containerd) == [("containerd.io", "conflict", "warning")]
    breaks = pkg("nvidia-container-toolkit", Breaks="nvidia-container-runtime (<= 3.5.0-1)")
    old_runtime = Target("amd64", (), {"nvidia-container-runtime": Package(
        "nvidia-container-runtime", "3.4.0-1")})
    assert kinds(breaks, target=old_runtime) == [("nvidia-container-toolkit", "conflict",
                                                  "error")]
    assert kinds(breaks, pkg("nvidia-container-runtime", "3.14.0-1", "all")) == []


def test_a_depends_cycle_is_one_step_and_said_so() -> None:
    a, b = pkg("libc6", Depends="libgcc-s1"), pkg("libgcc-s1", Depends="libc6")
    resolution = resolve([a, b], Target("amd64"))
    assert resolution.steps == ((a.file, b.file),)
    assert resolution.problems == ()
    assert "libc6, libgcc-s1 depend on each other" in resolution.notes[0]


def test_a_pre_depends_cycle_is_a_problem() -> None:
    a, b = pkg("a", Pre_Depends="b"), pkg("b", Pre_Depends="a")
    assert kinds(a, b, target=Target("amd64")) == [("a", "cycle", "error")]


@st.composite
def bundles(draw: st.DrawFn) -> list[BundlePackage]:
    """A few packages depending on each other (and on names not in the bundle)."""
    count = draw(st.integers(min_value=1, max_value=12))
    versions = [draw(st.sampled_from(["1.0", "1.1", "2.0"])) for _ in range(count)]
    packages = []
    for i in range(count):
        groups = []
        for _ in range(draw(st.integers(min_value=0, max_value=3))):
            alternatives = []
            for _ in range(draw(st.integers(min_value=1, max_value=2))):
                target = draw(st.integers(min_value=0, max_value=count + 1))
                op = draw(st.sampled_from(["", " (>= 1.1)", " (<< 2.0)", " (= 1.0)"]))
                alternatives.append(f"p{target}{op}")
            groups.append(" | ".join(alternatives))
        field = draw(st.sampled_from(["Depends", "Pre_Depends"]))
        packages.append(pkg(f"p{i}", versions[i], **({field: ", ".join(groups)}
                                                     if groups else {})))
    return packages


@given(bundles())
def test_every_package_comes_after_what_it_depends_on_or_a_problem_is_reported(
        packages: list[BundlePackage]) -> None:
    resolution = resolve(packages, Target("amd64"))
    step_of = {file: i for i, step in enumerate(resolution.steps) for file in step}
    assert sorted(step_of) == sorted(p.file for p in packages)
    troubled = {p.package for p in resolution.problems}
    by_name = {p.name: p for p in packages}
    for package in packages:
        for group in package.pre_depends + package.depends:
            met = [by_name[r.name] for r in group if r.name in by_name and
                   version_matches(by_name[r.name].version, r.op, r.version)]
            if not met:
                assert package.name in troubled
                continue
            assert any(step_of[m.file] < step_of[package.file] or m is package or
                       (step_of[m.file] == step_of[package.file] and
                        len(resolution.steps[step_of[package.file]]) > 1) for m in met)


def test_an_installed_package_that_conflicts_with_or_breaks_a_bundled_one() -> None:
    from nvreq.host.packages import Dependency

    podman = Package("podman-docker", "4.3.1", conflicts=((Dependency("docker-ce-cli"),),))
    assert kinds(pkg("docker-ce-cli"), target=Target("amd64", (), {podman.name: podman})) == [
        ("docker-ce-cli", "conflict", "error")]
    old = Package("old-hook", "1.0", breaks=((Dependency("nvidia-container-toolkit", "<<",
                                                         "1.10"),),))
    target = Target("amd64", (), {old.name: old})
    assert kinds(pkg("nvidia-container-toolkit", "1.17.8-1"), target=target) == []
    assert kinds(pkg("nvidia-container-toolkit", "1.9.0-1"), target=target) == [
        ("nvidia-container-toolkit", "conflict", "error")]
    replaced = pkg("docker-ce-cli", Replaces="podman-docker")
    assert kinds(replaced, target=Target("amd64", (), {podman.name: podman})) == [
        ("docker-ce-cli", "conflict", "warning")]


def test_a_dependency_on_a_package_of_the_wrong_architecture_says_so() -> None:
    toolkit = pkg("nvidia-container-toolkit", "1.17.8-1", "arm64")
    runtime = pkg("nvidia-container-runtime", "3.14.0-1", "all",
                  Depends="nvidia-container-toolkit (>= 1.14.0-1)")
    resolution = resolve([runtime, toolkit], JAMMY)
    assert [(p.package, p.kind) for p in resolution.problems] == [
        ("nvidia-container-toolkit", "architecture"), ("nvidia-container-runtime", "architecture")]
    assert resolution.problems[1].message.endswith(
        "the bundle's nvidia-container-toolkit 1.17.8-1 is built for arm64, which the target "
        "cannot install")
    assert resolution.problems[1].fix == "download nvidia-container-toolkit (>= 1.14.0-1) for amd64"
    assert resolution.steps == ((toolkit.file,), (runtime.file,))


def test_conflict_messages_and_fixes() -> None:
    cli = pkg("docker-ce-cli", "5:28.0.4-1", Conflicts="docker.io")
    installed = Target("amd64", (), {"docker.io": Package("docker.io", "24.0.7")})
    [problem] = resolve([cli], installed).problems
    assert problem.message == "Conflicts: docker.io; the target has docker.io 24.0.7 installed"
    assert problem.fix == ("remove docker.io first (`sudo dpkg -r docker.io`) or bundle a "
                           "version of it that goes with docker-ce-cli 5:28.0.4-1")
    replacing = pkg("containerd.io", Conflicts="containerd", Replaces="containerd")
    with_containerd = Target("amd64", (), {"containerd": Package("containerd", "1.7.12")})
    [warning] = resolve([replacing], with_containerd).problems
    assert warning.message == ("Conflicts: containerd; the target has containerd 1.7.12 "
                               "installed (dpkg removes it, as containerd.io also Replaces it)")
