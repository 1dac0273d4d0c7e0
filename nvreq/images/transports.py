"""Which transport an image argument names, and sniffing local paths."""

from __future__ import annotations

import os
import re

from nvreq.images.errors import ArchiveError, ImageError, InvalidReference, UnsupportedImage

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["LOCAL_PREFIXES", "classify", "dockerfile_text", "sniff_file"]

LOCAL_PREFIXES = ("oci-archive", "oci", "docker-archive", "docker-daemon", "dockerfile")
_TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz")
_DOCKERFILE_NAMES = ("Dockerfile", "Containerfile", "*.Dockerfile", "Dockerfile.*",
                     "*.Containerfile", "Containerfile.*")
#: compiled on first use (re caches them), not at import: transport prefixes need neither
_SCHEME = r"([A-Za-z][A-Za-z0-9+.-]*)://"
_INSTRUCTION = r"\s*([A-Za-z]+)(\s|$)"
#: the containers/image transports nvreq does not read, and ``NAME:/path`` (never a reference)
_OTHER_TRANSPORT = r"(dir|ostree|sif|tarball|[A-Za-z][A-Za-z0-9+.-]*(?=:/)):"


def classify(arg: str) -> tuple[str, str]:
    """``(transport, rest)``; ``local`` means a path to sniff.

    >>> classify("oci:5000/x"), classify("docker://oci:5000/x"), classify("ubuntu")
    (('oci', '5000/x'), ('docker', 'oci:5000/x'), ('docker', 'ubuntu'))
    """
    if arg.startswith("docker://"):
        return "docker", arg[len("docker://"):]
    for prefix in LOCAL_PREFIXES:
        if arg.startswith(prefix + ":"):
            return prefix, arg[len(prefix) + 1:]
    if arg.startswith("containers-storage:"):
        raise UnsupportedImage("containers-storage: is not supported; read the image through "
                               "podman's Docker-compatible socket with docker-daemon:")
    m = re.match(_SCHEME, arg) or re.match(_OTHER_TRANSPORT, arg)
    if m:
        raise InvalidReference(f'unknown transport "{m.group(1)}"; use docker://, oci:, '
                               "oci-archive:, docker-archive:, docker-daemon: or dockerfile:")
    if arg in (".", "..") or arg.startswith(("/", "./", "../", "~/")):
        if not os.path.exists(os.path.expanduser(arg)):
            raise ImageError("no such file or directory")
        return "local", arg
    if os.path.exists(arg):
        import fnmatch  # a path that exists only

        from nvreq.images.reference import is_reference

        name = os.path.basename(arg)
        if (not is_reference(arg) or arg.endswith(_TAR_SUFFIXES)
                or any(fnmatch.fnmatchcase(name, p) for p in _DOCKERFILE_NAMES)):
            return "local", arg
    return "docker", arg


def sniff_file(path: Path) -> str:
    """``tar`` (possibly compressed) or ``dockerfile`` from a file's first bytes."""
    try:
        with open(path, "rb") as f:
            head = f.read(512)
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc.strerror}") from None
    from nvreq.images.tar import compression

    kind = compression(head)
    if kind == "zstd":
        raise UnsupportedImage(f"zstd-compressed archives are not supported; decompress {path} "
                               "first")
    if kind is not None or head[257:262] == b"ustar":
        return "tar"
    if dockerfile_text(head):
        return "dockerfile"
    raise ImageError(f"cannot tell what {path} is; use oci:, oci-archive:, docker-archive: or "
                     "dockerfile:")


def dockerfile_text(head: bytes) -> bool:
    """Whether text starts (after comments and blank lines) with ``FROM`` or ``ARG``."""
    text = head.decode("utf-8", "ignore").lstrip("\ufeff")
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        m = re.match(_INSTRUCTION, stripped)
        return bool(m) and m is not None and m.group(1).upper() in ("FROM", "ARG")
    return False

