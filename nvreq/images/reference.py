"""Registry references, parsed and normalised as distribution/reference does.

Grammar and normalisation follow distribution/reference normalize.go and reference.go @ 0965666
(Apache-2.0).
"""

from __future__ import annotations

import re

from nvreq.images.digest import DigestError, parse_digest
from nvreq.images.errors import InvalidReference, UnsupportedImage
from nvreq.images.value import Value

__all__ = ["DOCKER_HUB", "Reference", "api_host", "is_reference", "parse_reference"]

DOCKER_HUB = "docker.io"
_LEGACY_HUB = "index.docker.io"
_HUB_API = "registry-1.docker.io"

_ALNUM = r"[a-z0-9]+"
_SEP = r"(?:[._]|__|[-]+)"
_COMPONENT = rf"{_ALNUM}(?:{_SEP}{_ALNUM})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_DOMAIN = rf"{_HOST}(?::[0-9]+)?"
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9A-Fa-f]{32,}"
_REFERENCE = re.compile(
    rf"(?P<name>(?:(?P<domain>{_DOMAIN})/)?(?P<path>{_COMPONENT}(?:/{_COMPONENT})*))"
    rf"(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?",
    re.ASCII,
)
_HEX64 = re.compile(r"[a-f0-9]{64}")
_NAME_MAX = 255


class Reference(Value):
    """A normalised registry reference; ``str()`` is its canonical form."""

    __slots__ = _fields = ("domain", "path", "tag", "digest", "ignored_tag")
    domain: str
    path: str
    tag: str | None
    digest: str | None
    ignored_tag: str | None

    def __init__(self, domain: str, path: str, tag: str | None = None, digest: str | None = None,
                 ignored_tag: str | None = None) -> None:
        self._init(domain, path, tag, digest, ignored_tag)

    def __str__(self) -> str:
        text = f"{self.domain}/{self.path}"
        if self.digest:
            return f"{text}@{self.digest}"
        return f"{text}:{self.tag}" if self.tag else text

    def __repr__(self) -> str:
        return f"<Reference({str(self)!r})>"

    @property
    def name(self) -> str:
        """``domain/path`` without tag or digest."""
        return f"{self.domain}/{self.path}"

    @property
    def selector(self) -> str:
        """What goes after ``/manifests/``: the digest when present, else the tag."""
        return self.digest or self.tag or "latest"

    @property
    def familiar(self) -> str:
        """The short form docker prints: ``ubuntu:22.04``, ``nvidia/cuda:12.4.1``."""
        path = self.path
        if self.domain == DOCKER_HUB:
            path = path.removeprefix("library/") if path.count("/") == 1 else path
            text = path
        else:
            text = f"{self.domain}/{path}"
        if self.digest:
            return f"{text}@{self.digest}"
        return f"{text}:{self.tag}" if self.tag else text


def api_host(domain: str) -> str:
    """The host to contact for ``domain``: Docker Hub's API host is ``registry-1.docker.io``."""
    return _HUB_API if domain == DOCKER_HUB else domain


def parse_reference(text: str) -> Reference:
    """Parse and normalise a registry reference as docker does.

    >>> str(parse_reference("ubuntu"))
    'docker.io/library/ubuntu:latest'
    >>> str(parse_reference("index.docker.io/nvidia/cuda"))
    'docker.io/nvidia/cuda:latest'
    >>> try:
    ...     parse_reference("Ubuntu")
    ... except InvalidReference as exc:
    ...     print(exc)
    invalid image reference "Ubuntu": repository name must be lowercase
    """
    if _HEX64.fullmatch(text):
        raise _invalid(text, "cannot specify 64-byte hexadecimal strings")
    domain, remainder = _split_domain(text)
    remote = remainder.split(":", 1)[0].split("@", 1)[0]
    if remote.lower() != remote:
        raise _invalid(text, "repository name must be lowercase")
    match = _REFERENCE.fullmatch(f"{domain}/{remainder}")
    if not match:
        raise _invalid(text, "invalid reference format")
    name = match["name"]
    if len(name) > _NAME_MAX:
        raise _invalid(text, f"repository name must not be more than {_NAME_MAX} characters")
    tag, digest = match["tag"], match["digest"]
    if digest is not None:
        try:
            parse_digest(digest)
        except DigestError as exc:
            cls = UnsupportedImage if exc.unsupported else InvalidReference
            raise cls(f"invalid image reference {_quote(text)}: {exc}") from None
        return Reference(match["domain"] or domain, match["path"], None, digest, ignored_tag=tag)
    return Reference(match["domain"] or domain, match["path"], tag or "latest")


def is_reference(text: str) -> bool:
    """Whether ``text`` parses as a registry reference."""
    try:
        parse_reference(text)
    except (InvalidReference, UnsupportedImage):
        return False
    return True


def _split_domain(text: str) -> tuple[str, str]:
    first, slash, rest = text.partition("/")
    if not slash or (
        not any(c in first for c in ".:") and first != "localhost" and first.lower() == first
    ):
        domain, remainder = DOCKER_HUB, text
    else:
        domain, remainder = first, rest
    if domain == _LEGACY_HUB:
        domain = DOCKER_HUB
    if domain == DOCKER_HUB and "/" not in remainder:
        remainder = "library/" + remainder
    return domain, remainder


def _quote(text: str) -> str:
    return '"' + (text if len(text) <= 120 else text[:117] + "...") + '"'


def _invalid(text: str, why: str) -> InvalidReference:
    return InvalidReference(f"invalid image reference {_quote(text)}: {why}")
