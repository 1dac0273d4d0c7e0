"""One ``.deb`` of a bundle: its file and the control fields that decide its install."""

from __future__ import annotations

from dataclasses import dataclass

from nvreq.bundle.control import parse_control
from nvreq.bundle.deb import read_control
from nvreq.bundle.relations import Relations, parse_relations

__all__ = ["RELATION_FIELDS", "BundlePackage", "package_from_control", "read_package"]

#: the relation fields read from each control file, as attribute names of ``BundlePackage``
RELATION_FIELDS = ("Pre-Depends", "Depends", "Conflicts", "Breaks", "Provides", "Replaces")


@dataclass(frozen=True, slots=True)
class BundlePackage:
    """A package file of the bundle, with its name, version, architecture and relations."""

    file: str
    name: str
    version: str
    architecture: str
    multi_arch: str = "no"
    pre_depends: Relations = ()
    depends: Relations = ()
    conflicts: Relations = ()
    breaks: Relations = ()
    provides: Relations = ()
    replaces: Relations = ()

    def __str__(self) -> str:
        return f"{self.name} {self.version} ({self.architecture})"

    def to_dict(self) -> dict[str, object]:
        """The package as JSON: file, name, version, architecture and each relation field."""
        out: dict[str, object] = {"file": self.file, "name": self.name, "version": self.version,
                                  "architecture": self.architecture}
        for name in RELATION_FIELDS:
            groups = getattr(self, _attr(name))
            if groups:
                out[name.lower()] = ", ".join(" | ".join(map(str, g)) for g in groups)
        return out


def _attr(field_name: str) -> str:
    return field_name.lower().replace("-", "_")


def package_from_control(text: str, file: str) -> BundlePackage:
    """A ``BundlePackage`` from a control file's text (``DebError`` naming ``file``).

    >>> package_from_control("Package: nvidia-docker2\\nVersion: 2.14.0-1\\nArchitecture: all\\n"
    ...                      "Depends: nvidia-container-toolkit (>= 1.14.0-1)\\n", "d.deb").depends
    ((<Relation 'nvidia-container-toolkit (>= 1.14.0-1)'>,),)
    """
    fields = parse_control(text, source=file)
    relations = {_attr(name): parse_relations(fields.get(name.lower(), ""), field_name=name,
                                              source=file) for name in RELATION_FIELDS}
    return BundlePackage(file, fields["package"], fields["version"], fields["architecture"],
                         fields.get("multi-arch", "no"), **relations)


def read_package(path: str) -> BundlePackage:
    """Read the ``.deb`` at ``path`` without extracting anything (``DebError`` when unreadable)."""
    return package_from_control(read_control(path), path)
