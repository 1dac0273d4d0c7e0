"""``check_bundle``: read every ``.deb`` of an offline bundle, resolve it against the target and
give the report; an unreadable file is reported with the rest, never raised."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from nvreq.bundle.checksums import verify_checksums
from nvreq.bundle.package import BundlePackage, read_package
from nvreq.bundle.release import release_problem
from nvreq.bundle.report import BundleReport, Problem
from nvreq.bundle.solve import resolve
from nvreq.bundle.stack import stack_notes
from nvreq.bundle.target import Target, read_target
from nvreq.errors import DebError
from nvreq.host.packages import Runner

__all__ = ["MAX_FILES", "check_bundle"]

#: the most ``.deb`` files one check reads
MAX_FILES = 10_000


def check_bundle(paths: Iterable[str | Path], root: str | Path = "/", *, arch: str | None = None,
                 runner: Runner | None = None, target: Target | None = None) -> BundleReport:
    """Check the ``.deb`` files in ``paths`` (a directory means every ``.deb`` in it) against the
    target at ``root`` (or ``target``); ``arch`` overrides the target's dpkg architecture.

    >>> report = check_bundle(["/nonexistent.deb"], root="/nonexistent", arch="amd64")
    >>> bool(report), report.bad_input, report.problems[0].kind
    (False, True, 'unreadable')
    """
    if target is None:
        target = read_target(root, arch=arch, runner=runner)
    files, problems, notes = _collect([str(p) for p in paths])
    packages: list[BundlePackage] = []
    for path in files:
        try:
            packages.append(read_package(path))
        except DebError as exc:
            problems.append(Problem(os.path.basename(path), "unreadable", exc.message,
                                    "download the file again, or remove it from the bundle",
                                    file=path))
    resolution = resolve(packages, target)
    problems += resolution.problems
    problems += [p for p in (release_problem(pkg, target) for pkg in packages) if p is not None]
    for directory in dict.fromkeys(os.path.dirname(f) or "." for f in files):
        found, said = verify_checksums(directory, [f for f in files
                                                   if (os.path.dirname(f) or ".") == directory])
        problems += found
        notes += said
    notes += resolution.notes
    notes += stack_notes([p for p in packages if target.can_install(p.architecture)],
                         target.installed)
    return BundleReport(target, tuple(packages), tuple(problems), resolution.steps, tuple(notes))


def _collect(paths: list[str]) -> tuple[list[str], list[Problem], list[str]]:
    """The ``.deb`` files named (directories listed), problems for paths that cannot be read."""
    files: list[str] = []
    problems: list[Problem] = []
    notes: list[str] = []
    for path in paths:
        if not os.path.isdir(path):
            if os.path.isfile(path):
                files.append(path)
            else:
                why = "not a regular file" if os.path.exists(path) else "no such file or directory"
                problems.append(Problem(os.path.basename(path) or path, "unreadable", why,
                                        file=path))
            continue
        try:
            names = sorted(os.listdir(path))
        except OSError as exc:
            problems.append(Problem(path, "unreadable", f"cannot list: {exc.strerror or exc}",
                                    file=path))
            continue
        debs = [n for n in names if n.endswith(".deb") and
                os.path.isfile(os.path.join(path, n))]
        skipped = [n for n in names if n not in debs and n not in ("SHA256SUMS", "Packages")]
        if skipped:
            shown = ", ".join(skipped[:5]) + (", …" if len(skipped) > 5 else "")
            notes.append(f"{path}: {len(skipped)} entries that are not .deb files were skipped "
                         f"({shown})")
        files += [os.path.join(path, n) for n in debs]
    if len(files) > MAX_FILES:
        problems.append(Problem(f"{len(files)} files", "unreadable",
                                f"more than {MAX_FILES} package files; only the first "
                                f"{MAX_FILES} are read", "check the bundle in parts"))
        files = files[:MAX_FILES]
    return files, problems, notes
