"""Checksums a bundle carries: a ``SHA256SUMS`` file (``sha256sum`` output) or a ``Packages``
index (its ``Filename`` and ``SHA256`` fields), checked against the ``.deb`` files beside them."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence

from nvreq.bundle.control import parse_paragraphs
from nvreq.bundle.report import Problem
from nvreq.errors import DebError
from nvreq.files import read_capped

__all__ = ["INDEX_FILES", "verify_checksums"]

#: the checksum files looked for in a bundle directory
INDEX_FILES = ("SHA256SUMS", "Packages")
_MAX_INDEX_BYTES = 64 << 20


def _expected(directory: str) -> tuple[dict[str, str], list[str], list[Problem]]:
    """``{file name: sha256}`` from the directory's checksum files, which were read, problems."""
    expected: dict[str, str] = {}
    used: list[str] = []
    problems: list[Problem] = []
    for name in INDEX_FILES:
        path = os.path.join(directory, name)
        if not os.path.isfile(path):
            continue
        try:
            text = read_capped(path, _MAX_INDEX_BYTES, what="checksum file").decode(
                "utf-8", "replace")
            if name == "SHA256SUMS":
                for line in text.splitlines():
                    digest, _, file = line.strip().partition(" ")
                    if len(digest) == 64 and file.strip():
                        expected[os.path.basename(file.strip().lstrip("*"))] = digest.lower()
            else:
                for paragraph in parse_paragraphs(text, source=path):
                    if "Filename" in paragraph and "SHA256" in paragraph:
                        expected[os.path.basename(paragraph["Filename"])] = \
                            paragraph["SHA256"].lower()
        except (DebError, OSError, ValueError) as exc:
            problems.append(Problem(name, "unreadable", str(exc), "", "warning", path))
            continue
        used.append(path)
    return expected, used, problems


def _sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify_checksums(directory: str, files: Sequence[str]) -> tuple[list[Problem], list[str]]:
    """Problems for the ``files`` of ``directory`` whose SHA-256 differs, and notes."""
    expected, used, problems = _expected(directory)
    if not used:
        return problems, []
    checked = 0
    for path in files:
        want = expected.get(os.path.basename(path))
        if want is None:
            continue
        try:
            got = _sha256(path)
        except OSError as exc:
            problems.append(Problem(os.path.basename(path), "unreadable",
                                    f"cannot read: {exc.strerror or exc}", file=path))
            continue
        checked += 1
        if got != want:
            problems.append(Problem(
                os.path.basename(path), "checksum",
                f"SHA-256 {got} differs from {want} in the bundle's checksums",
                "download the file again: it is damaged or not the one listed", file=path))
    return problems, [f"checksums: {checked} of {len(files)} files in {directory} checked "
                      f"against {', '.join(os.path.basename(u) for u in used)}"]
