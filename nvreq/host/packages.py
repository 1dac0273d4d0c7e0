"""Installed packages from the dpkg status database (or rpm where present), for ``nvreq doctor``.

Offline GPU hosts are often set up from ``.deb`` files; a package whose dependency was not
installed first stays ``unpacked`` or ``half-configured`` in dpkg's status file.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from nvreq._frozen import frozen
from nvreq.formats.digits import digits_key, is_digits, saturating_uint

__all__ = [
    "Dependency",
    "Package",
    "Runner",
    "compare_debian_versions",
    "read_dpkg_status",
    "read_installed",
    "run_command",
    "satisfies",
    "toolkit_version",
]

#: Runs a command (argv) and gives its standard output, or None when it cannot run or fails.
Runner = Callable[[Sequence[str]], "str | None"]

_DEP = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9.+-]*)(?::\S+)?\s*(?:\(\s*(<<|<=|=|>=|>>|<|>)\s*"
                  r"([^)\s]+)\s*\))?\s*")
_MAX_STATUS_BYTES = 64 << 20


@frozen
class Dependency:
    """One alternative of a ``Depends`` entry: a package and an optional version relation."""

    name: str
    op: str | None = None
    version: str | None = None

    def __str__(self) -> str:
        return self.name if self.op is None else f"{self.name} ({self.op} {self.version})"


@frozen
class Package:
    """An installed (or partly installed) package; ``depends``, ``conflicts`` and ``breaks`` are
    lists of alternatives groups."""

    name: str
    version: str
    state: str = "installed"
    depends: tuple[tuple[Dependency, ...], ...] = ()
    provides: tuple[str, ...] = ()
    conflicts: tuple[tuple[Dependency, ...], ...] = ()
    breaks: tuple[tuple[Dependency, ...], ...] = ()

    @property
    def configured(self) -> bool:
        """Whether the package is fully installed."""
        return self.state == "installed"


def run_command(argv: Sequence[str]) -> str | None:
    """Run a command with a 10 s limit; its stdout, or None if it is missing or fails."""
    import subprocess

    try:
        done = subprocess.run(list(argv), capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


def read_dpkg_status(root: str | Path) -> dict[str, Package] | None:
    """The packages in ``ROOT/var/lib/dpkg/status``; None if there is no such file."""
    path = Path(root) / "var/lib/dpkg/status"
    try:
        with path.open("rb") as handle:
            text = handle.read(_MAX_STATUS_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    packages: dict[str, Package] = {}
    for paragraph in re.split(r"\n\s*\n", text):
        fields = _fields(paragraph)
        name, status = fields.get("package"), fields.get("status", "").split()
        if not name or len(status) < 3 or status[2] == "not-installed":
            continue
        depends = ", ".join(v for k in ("pre-depends", "depends") if (v := fields.get(k)))
        provides = tuple(d[0].name for d in _depends(fields.get("provides", "")))
        packages[name] = Package(name, fields.get("version", ""), status[2], _depends(depends),
                                 provides, _depends(fields.get("conflicts", "")),
                                 _depends(fields.get("breaks", "")))
    return packages


def read_installed(root: str | Path, runner: Runner | None = None
                   ) -> tuple[str, dict[str, Package]] | None:
    """``("dpkg", packages)`` or ``("rpm", packages)``; None when neither database is readable."""
    found = read_dpkg_status(root)
    if found is not None:
        return "dpkg", found
    if runner is None or not (Path(root) / "var/lib/rpm").is_dir():
        return None
    out = runner(["rpm", "--root", str(root), "-qa", "--qf",
                  "%{NAME}\\t%{VERSION}-%{RELEASE}\\t[%{REQUIRENAME},]\\n"])
    if out is None:
        return None
    packages = {}
    for line in out.splitlines():
        parts = line.split("\t")
        if len(parts) == 3:
            requires = tuple((Dependency(r),) for r in parts[2].split(",") if _DEP.fullmatch(r))
            packages[parts[0]] = Package(parts[0], parts[1], "installed", requires)
    return "rpm", packages


def toolkit_version(packages: Mapping[str, Package]) -> str | None:
    """The NVIDIA Container Toolkit version the packages imply (``1.17.4-1`` → ``1.17.4``).

    >>> toolkit_version({"nvidia-container-toolkit": Package("nvidia-container-toolkit",
    ...                                                      "1.18.0~rc.1-1")})
    '1.18.0-rc.1'
    """
    for name in ("nvidia-container-toolkit", "nvidia-container-toolkit-base",
                 "libnvidia-container-tools", "libnvidia-container1"):
        package = packages.get(name)
        if package is not None and package.version:
            upstream = package.version.split(":", 1)[-1].rsplit("-", 1)[0]
            return upstream.replace("~", "-")
    return None


def _fields(paragraph: str) -> dict[str, str]:
    fields: dict[str, str] = {}
    key = None
    for line in paragraph.splitlines():
        if line[:1] in (" ", "\t") and key:
            fields[key] += " " + line.strip()
        elif ":" in line:
            key, _, value = line.partition(":")
            key = key.strip().lower()
            fields[key] = value.strip()
    return fields


def _depends(text: str) -> tuple[tuple[Dependency, ...], ...]:
    groups = []
    for entry in text.split(","):
        alternatives = []
        for alternative in entry.split("|"):
            match = _DEP.fullmatch(alternative)
            if match:
                alternatives.append(Dependency(*match.groups()))
        if alternatives:
            groups.append(tuple(alternatives))
    return tuple(groups)


def satisfies(package: Package, dependency: Dependency) -> bool:
    """Whether an installed package meets one dependency alternative (name and version).

    A package that ``Provides`` the name meets an unversioned dependency.
    """
    if package.name != dependency.name:
        return dependency.op is None and dependency.name in package.provides
    if dependency.op is None or dependency.version is None:
        return True
    order = compare_debian_versions(package.version, dependency.version)
    return {"<<": order < 0, "<": order <= 0, "<=": order <= 0, "=": order == 0,
            ">=": order >= 0, ">": order >= 0, ">>": order > 0}[dependency.op]


def _order(char: str) -> int:
    if char == "~":
        return -1
    if char.isalpha():
        return ord(char)
    return ord(char) + 256 if char else 0


def _lead(text: str, digits: bool) -> str:
    return "".join(itertools.takewhile(lambda c: (c in "0123456789") == digits, text))


def _compare_part(a: str, b: str) -> int:
    while a or b:
        a_text, b_text = _lead(a, False), _lead(b, False)
        for i in range(max(len(a_text), len(b_text))):
            x, y = _order(a_text[i:i + 1]), _order(b_text[i:i + 1])
            if x != y:
                return -1 if x < y else 1
        a, b = a[len(a_text):], b[len(b_text):]
        a_num, b_num = _lead(a, True), _lead(b, True)
        a_key, b_key = digits_key(a_num), digits_key(b_num)
        if a_key != b_key:
            return -1 if a_key < b_key else 1
        a, b = a[len(a_num):], b[len(b_num):]
    return 0


def compare_debian_versions(a: str, b: str) -> int:
    """Compare two Debian versions (``epoch:upstream-revision``, ``~`` sorting first): -1, 0, 1.

    >>> compare_debian_versions("1.17.4-1", "1.17.4~rc.1-1"), compare_debian_versions("1:1", "2")
    (1, 1)
    """
    def split(version: str) -> tuple[int, str, str]:
        epoch, _, rest = version.partition(":") if ":" in version else ("0", "", version)
        upstream, _, revision = rest.rpartition("-") if "-" in rest else (rest, "", "0")
        return saturating_uint(epoch, 2**64 - 1) if is_digits(epoch) else 0, upstream, revision

    ea, ua, ra = split(a)
    eb, ub, rb = split(b)
    if ea != eb:
        return -1 if ea < eb else 1
    return _compare_part(ua, ub) or _compare_part(ra, rb)
