"""Per-registry TLS files from ``certs.d``, read as docker and the containers tools read them.

For a registry ``HOST[:PORT]`` the first existing directory of ``~/.config/containers/certs.d/``,
``/etc/containers/certs.d/`` and ``/etc/docker/certs.d/`` (each followed by ``HOST[:PORT]``) is
used: ``*.crt`` files are extra certificate authorities, and each ``NAME.cert`` with its
``NAME.key`` is a client certificate for registries that ask for one.
"""

from __future__ import annotations

import os

from nvreq.images.errors import ConfigFileError
from nvreq.images.value import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    import ssl

__all__ = ["CertFiles", "cert_dirs", "cert_files", "load_certs"]


class CertFiles(Value):
    """The TLS files of one registry: its directory, CA files and (certificate, key) pairs."""

    __slots__ = _fields = ("directory", "authorities", "client_pairs")
    directory: str | None
    authorities: tuple[str, ...]
    client_pairs: tuple[tuple[str, str], ...]

    def __init__(self, directory: str | None = None, authorities: tuple[str, ...] = (),
                 client_pairs: tuple[tuple[str, str], ...] = ()) -> None:
        self._init(directory, authorities, client_pairs)

    def __bool__(self) -> bool:
        return bool(self.authorities or self.client_pairs)


def cert_dirs() -> tuple[str, ...]:
    """The ``certs.d`` directories, in the order they are looked at (containers/image's: the
    home directory's ``.config``, not ``$XDG_CONFIG_HOME``)."""
    return (os.path.join(os.path.expanduser("~"), ".config", "containers", "certs.d"),
            "/etc/containers/certs.d", "/etc/docker/certs.d")


def cert_files(hostport: str | None) -> CertFiles:
    """The TLS files for ``hostport``; a ``.cert`` without its ``.key`` (or the reverse) is an
    error naming both files, as in docker and skopeo."""
    if not hostport:
        return CertFiles()
    for base in cert_dirs():
        folder = os.path.join(base, hostport)
        try:
            names = sorted(os.listdir(folder))
        except FileNotFoundError:
            continue
        except NotADirectoryError:
            raise ConfigFileError(f"{folder} is not a directory (certs.d entries are directories "
                                  "named HOST[:PORT])") from None
        except PermissionError:
            continue
        return _read_folder(folder, names)
    return CertFiles()


def _read_folder(folder: str, names: list[str]) -> CertFiles:
    authorities = tuple(os.path.join(folder, n) for n in names if n.endswith(".crt"))
    pairs = []
    for name in names:
        if name.endswith(".cert"):
            key = name.removesuffix(".cert") + ".key"
            if key not in names:
                raise ConfigFileError(f"{folder}: missing key {key} for client certificate "
                                      f"{name}; certificate authorities end in .crt")
            pairs.append((os.path.join(folder, name), os.path.join(folder, key)))
        elif name.endswith(".key") and name.removesuffix(".key") + ".cert" not in names:
            raise ConfigFileError(f"{folder}: missing client certificate "
                                  f"{name.removesuffix('.key')}.cert for key {name}")
    return CertFiles(folder, authorities, tuple(pairs))


def load_certs(ctx: ssl.SSLContext, files: CertFiles, *, authorities: bool = True) -> None:
    """Load ``files`` into ``ctx`` (the authorities only when ``authorities``); a file ssl cannot
    use is an error naming it (a key's contents never appear)."""
    import ssl

    for crt in files.authorities if authorities else ():
        try:
            ctx.load_verify_locations(cafile=crt)
        except (ssl.SSLError, OSError) as exc:
            raise ConfigFileError(f"cannot use certificate authority {crt}: {_why(exc)}") from None
    for cert, key in files.client_pairs:
        try:
            ctx.load_cert_chain(cert, key)
        except (ssl.SSLError, OSError) as exc:
            raise ConfigFileError(f"cannot use client certificate {cert} with key {key}: "
                                  f"{_why(exc)}") from None


def _why(exc: BaseException) -> str:
    reason = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or "unusable"
    return str(reason).lower().replace("_", " ")
