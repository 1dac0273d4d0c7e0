"""The verdict on a bundle: its packages, the problems found (each with a fix), the install
steps as ``dpkg -i`` commands, and notes; true when it is ready to install."""

from __future__ import annotations

import shlex
from dataclasses import dataclass

from nvreq.bundle.package import BundlePackage
from nvreq.bundle.target import Target

__all__ = ["KINDS", "BundleReport", "Problem"]

#: every problem kind, with what it means
KINDS = {
    "unreadable": "a file that is not a readable .deb",
    "missing": "a dependency met by nothing in the bundle or on the target",
    "version": "a dependency whose package is there, but in a version that does not fit",
    "architecture": "a package built for an architecture the target cannot install",
    "duplicate": "two files of one package",
    "conflict": "a Conflicts or Breaks with a bundled or installed package",
    "release": "a package built for another distribution release than the target's",
    "checksum": "a file whose SHA-256 differs from the bundle's SHA256SUMS or Packages index",
    "cycle": "packages that pre-depend on each other, which dpkg cannot install",
}


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem: which package (or file), its kind, what is wrong and how to fix it."""

    package: str
    kind: str
    message: str
    fix: str = ""
    severity: str = "error"
    file: str | None = None

    def __str__(self) -> str:
        return f"{self.package}: {self.message}"

    def to_dict(self) -> dict[str, object]:
        """The problem as JSON."""
        return {"package": self.package, "kind": self.kind, "severity": self.severity,
                "message": self.message, "fix": self.fix, "file": self.file}


@dataclass(frozen=True, slots=True)
class BundleReport:
    """Packages, problems and install steps of a bundle against a target."""

    target: Target
    packages: tuple[BundlePackage, ...]
    problems: tuple[Problem, ...]
    steps: tuple[tuple[str, ...], ...]
    notes: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return not self.errors

    @property
    def errors(self) -> tuple[Problem, ...]:
        """The problems that stop the install (warnings left out)."""
        return tuple(p for p in self.problems if p.severity == "error")

    @property
    def bad_input(self) -> bool:
        """Whether a file given could not be read as a package."""
        return any(p.kind == "unreadable" for p in self.problems)

    @property
    def install_order(self) -> tuple[str, ...]:
        """The package files in install order."""
        return tuple(file for step in self.steps for file in step)

    @property
    def commands(self) -> tuple[str, ...]:
        """The ``dpkg -i`` commands to run, one per step."""
        return tuple("sudo dpkg -i " + " ".join(map(shlex.quote, step)) for step in self.steps)

    def to_dict(self) -> dict[str, object]:
        """The report as JSON: ``ready``, ``install_order``, ``steps``, ``commands``,
        ``packages``, ``problems``, ``notes`` and ``target``."""
        return {"ready": bool(self), "install_order": list(self.install_order),
                "steps": [list(s) for s in self.steps], "commands": list(self.commands),
                "packages": [p.to_dict() for p in self.packages],
                "problems": [p.to_dict() for p in self.problems], "notes": list(self.notes),
                "target": self.target.to_dict()}

    def explain(self) -> str:
        """The report as text: a summary line, the problems with fixes, the commands, notes."""
        errors, warnings = len(self.errors), len(self.problems) - len(self.errors)
        lines = [f"bundle: {_count(len(self.packages), 'package')} for {self.target.arch} "
                 f"({self.target.release}): {'ready' if self else 'not ready'}, "
                 f"{_count(errors, 'problem')}, {_count(warnings, 'warning')}"]
        if self.problems:
            lines.append("")
        for problem in self.problems:
            mark = "FAIL" if problem.severity == "error" else "warn"
            lines.append(f"[{mark}] {problem.kind}: {problem}")
            if problem.fix:
                lines.append(f"       fix: {problem.fix}")
        if self.steps:
            lines += ["", "install in this order:" if self else
                      "install order (once the problems are fixed):"]
            lines += [f"  {command}" for command in self.commands]
        if self.notes:
            lines.append("")
            lines += [f"note: {note}" for note in self.notes]
        return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"
