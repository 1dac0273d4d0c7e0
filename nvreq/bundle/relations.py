"""Package relations (``Depends``, ``Pre-Depends``, ``Conflicts``, ``Breaks``, ``Provides``,
``Replaces``): comma-separated groups of ``|`` alternatives, each a package name with an optional
architecture qualifier and version relation, ``libc6:any (>= 2.34)``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from nvreq.bundle.control import valid_version
from nvreq.errors import DebError
from nvreq.host.packages import compare_debian_versions

__all__ = ["OPERATORS", "Relation", "Relations", "parse_relations", "provides", "targets",
           "version_matches"]

#: version operators; ``<`` and ``>`` are the obsolete spellings of ``<=`` and ``>=``
OPERATORS = ("<<", "<=", "=", ">=", ">>", "<", ">")

_RELATION = re.compile(
    r"\s*(?P<name>[a-z0-9][a-z0-9.+-]*)(?::(?P<arch>[a-z0-9-]+))?"
    r"\s*(?:\(\s*(?P<op><<|<=|=|>=|>>|<|>)\s*(?P<version>[0-9A-Za-z][^\s()]*)\s*\))?"
    r"\s*")


@dataclass(frozen=True, slots=True)
class Relation:
    """One alternative: ``name[:arch] [(op version)]``; ``str()`` is its control-file text."""

    name: str
    arch: str | None = None
    op: str | None = None
    version: str | None = None
    span: tuple[int, int] = field(default=(0, 0), compare=False, repr=False)

    def __str__(self) -> str:
        name = self.name if self.arch is None else f"{self.name}:{self.arch}"
        return name if self.op is None else f"{name} ({self.op} {self.version})"

    def __repr__(self) -> str:
        return f"<Relation {str(self)!r}>"


#: a field's value: every group must hold; within a group, any alternative may
Relations = tuple[tuple[Relation, ...], ...]


def parse_relations(text: str, *, field_name: str = "Depends", source: str = "") -> Relations:
    """Parse a relation field; ``DebError`` names the field, the file and the column.

    >>> parse_relations("libnvidia-container-tools (>= 1.17.8-1), docker-ce | docker.io")
    ((<Relation 'libnvidia-container-tools (>= 1.17.8-1)'>,), (<Relation 'docker-ce'>, \
<Relation 'docker.io'>))
    """
    groups: list[tuple[Relation, ...]] = []
    if not text.strip():
        return ()
    offset = 0
    for entry in text.split(","):
        alternatives = []
        start = offset
        for alternative in entry.split("|"):
            match = _RELATION.fullmatch(alternative)
            if match is None or (match["version"] and not valid_version(match["version"])):
                raise DebError(f"{field_name}: cannot read {alternative.strip()!r} at column "
                               f"{start} (expected 'name (op version)')", file=source)
            alternatives.append(Relation(match["name"], match["arch"], match["op"],
                                         match["version"], (start, start + len(alternative))))
            start += len(alternative) + 1
        groups.append(tuple(alternatives))
        offset += len(entry) + 1
    return tuple(groups)


def version_matches(version: str, op: str | None, wanted: str | None) -> bool:
    """Whether ``version`` meets ``(op wanted)``; no operator always matches.

    >>> version_matches("1.17.8-1", ">=", "1.17.4-1"), version_matches("2.0", "<<", "2.0")
    (True, False)
    """
    if op is None or wanted is None:
        return True
    order = compare_debian_versions(version, wanted)
    return {"<<": order < 0, "<=": order <= 0, "<": order <= 0, "=": order == 0,
            ">=": order >= 0, ">": order >= 0, ">>": order > 0}[op]


def provides(provided: Relation, relation: Relation) -> bool:
    """Whether a ``Provides`` entry meets ``relation``: any entry of that name an unversioned
    one, only an ``(= version)`` entry that fits a versioned one.

    >>> provides(Relation("containerd"), Relation("containerd", op=">=", version="1.7"))
    False
    """
    if provided.name != relation.name:
        return False
    if relation.op is None:
        return True
    return provided.op == "=" and provided.version is not None and \
        version_matches(provided.version, relation.op, relation.version)


def targets(relation: Relation, name: str, version: str, provided: Relations) -> bool:
    """Whether ``relation`` names the package ``name`` at ``version`` providing ``provided``
    (as ``Conflicts`` and ``Breaks`` do)."""
    if name == relation.name:
        return version_matches(version, relation.op, relation.version)
    return any(provides(p, relation) for group in provided for p in group)
