"""Control fields (``Package: …`` paragraphs, as in a ``.deb``'s control file or a ``Packages``
index), read strictly: a duplicate field, a line that is no field, or a missing field is an error
that names the line."""

from __future__ import annotations

import re

from nvreq.errors import DebError
from nvreq.formats.digits import is_digits

__all__ = ["REQUIRED", "parse_control", "parse_paragraphs", "valid_version"]

#: the fields dpkg needs in a binary package's control file
REQUIRED = ("Package", "Version", "Architecture")

_FIELD = re.compile(r"([!-9;-~][!-9;-~]*)[ \t]*:(.*)")
_NAME = re.compile(r"[a-z0-9][a-z0-9.+-]*")
_UPSTREAM = re.compile(r"[0-9][A-Za-z0-9.+~:-]*")
_REVISION = re.compile(r"[A-Za-z0-9.+~]+")


def parse_paragraphs(text: str, *, source: str) -> list[dict[str, str]]:
    """Every paragraph of ``text``; field names keep their case, lookups use ``field()``.

    >>> parse_paragraphs("Package: a\\nDepends: b,\\n c\\n\\nPackage: d\\n", source="x")
    [{'Package': 'a', 'Depends': 'b,\\nc'}, {'Package': 'd'}]
    """
    paragraphs: list[dict[str, str]] = []
    fields: dict[str, str] = {}
    seen: set[str] = set()
    key = ""
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            if fields:
                paragraphs.append(fields)
            fields, seen, key = {}, set(), ""
            continue
        if line.startswith("#"):
            continue
        if line[0] in " \t":
            if not key:
                raise DebError(f"line {number}: a continuation line with no field before it",
                               file=source)
            fields[key] += "\n" + line.strip()
            continue
        match = _FIELD.fullmatch(line)
        if match is None:
            raise DebError(f"line {number}: expected 'Field: value', got {line[:60]!r}",
                           file=source)
        key = match.group(1)
        if key.lower() in seen:
            raise DebError(f"line {number}: duplicate field {key!r}", file=source)
        seen.add(key.lower())
        fields[key] = match.group(2).strip()
    if fields:
        paragraphs.append(fields)
    return paragraphs


def parse_control(text: str, *, source: str) -> dict[str, str]:
    """The one paragraph of a binary package's control file, keys lower-cased, with
    ``Package``, ``Version`` and ``Architecture`` present and well-formed.

    >>> parse_control("Package: nvidia-docker2\\nVersion: 2.14.0-1\\nArchitecture: all\\n",
    ...               source="nvidia-docker2.deb")["version"]
    '2.14.0-1'
    """
    paragraphs = parse_paragraphs(text, source=source)
    if len(paragraphs) != 1:
        raise DebError(f"the control file holds {len(paragraphs)} paragraphs, expected one",
                       file=source)
    fields = {key.lower(): value for key, value in paragraphs[0].items()}
    for name in REQUIRED:
        if not fields.get(name.lower()):
            raise DebError(f"the control file has no {name} field", file=source)
    if not _NAME.fullmatch(fields["package"]):
        raise DebError(f"invalid package name {fields['package']!r}", file=source)
    if not valid_version(fields["version"]):
        raise DebError(f"invalid version {fields['version']!r}", file=source)
    return fields


def valid_version(version: str) -> bool:
    """Whether dpkg accepts ``version``: an optional numeric epoch, an upstream part that starts
    with a digit, and an optional non-empty revision after the last hyphen.

    >>> valid_version("5:27.3.1-1~ubuntu.22.04~jammy"), valid_version("v1.0")
    (True, False)
    """
    epoch, colon, rest = version.partition(":")
    if not colon:
        epoch, rest = "0", version
    upstream, hyphen, revision = rest.rpartition("-") if "-" in rest else (rest, "", "")
    return (is_digits(epoch) and _UPSTREAM.fullmatch(upstream) is not None
            and (not hyphen or _REVISION.fullmatch(revision) is not None))
