"""Which distribution release a package was built for, when its version says so
(``5:27.3.1-1~ubuntu.22.04~jammy``, ``5:19.03.6~3-0~ubuntu-bionic``), against the target's."""

from __future__ import annotations

import re

from nvreq.bundle.package import BundlePackage
from nvreq.bundle.report import Problem
from nvreq.bundle.target import Target
from nvreq.formats.digits import is_digits

__all__ = ["CODENAMES", "built_for", "release_problem"]

#: release codenames and their version numbers
CODENAMES = {
    "ubuntu": {"xenial": "16.04", "bionic": "18.04", "focal": "20.04", "jammy": "22.04",
               "noble": "24.04", "oracular": "24.10", "plucky": "25.04", "questing": "25.10"},
    "debian": {"stretch": "9", "buster": "10", "bullseye": "11", "bookworm": "12",
               "trixie": "13", "forky": "14"},
}
_DISTRO = re.compile(r"(ubuntu|debian)[.-]([0-9]+(?:\.[0-9]+)?|[a-z]+)")
_WORD = re.compile(r"[a-z]+")


def built_for(version: str) -> tuple[str, str] | None:
    """``(distribution, release number)`` named in ``version``, or None.

    >>> built_for("5:27.3.1-1~ubuntu.22.04~jammy"), built_for("5:19.03.6~3-0~ubuntu-bionic")
    (('ubuntu', '22.04'), ('ubuntu', '18.04'))
    >>> built_for("1.17.8-1") is None
    True
    """
    text = version.lower()
    match = _DISTRO.search(text)
    if match is not None:
        distro, release = match.groups()
        release = CODENAMES[distro].get(release, release)
        if is_digits(release[:1]):
            return distro, release
    for word in _WORD.findall(text):
        for distro, names in CODENAMES.items():
            if word in names:
                return distro, names[word]
    return None


def release_problem(package: BundlePackage, target: Target) -> Problem | None:
    """A warning when ``package`` says it was built for another release than the target's."""
    found = built_for(package.version)
    if found is None or not target.os_id:
        return None
    distro, release = found
    target_release = target.version_id or CODENAMES.get(target.os_id, {}).get(target.codename,
                                                                              "")
    if distro == target.os_id and (not target_release or release == target_release):
        return None
    return Problem(package.name, "release",
                   f"version {package.version} is built for {distro} {release}; the target is "
                   f"{target.release}",
                   f"download the build of {package.name} for {target.release}",
                   "warning", package.file)
