"""Registry mirrors and rewrites for air-gapped sites, as skopeo and podman read them.

``registries.conf`` (containers-registries.conf(5), version 2): each ``[[registry]]`` has a
``prefix`` (default: its ``location``; ``*.example.com`` matches subdomains), a ``location`` the
prefix is rewritten to, ``insecure``, ``blocked``, ``mirror-by-digest-only`` and
``[[registry.mirror]]`` entries (``location``, ``insecure``, ``pull-from-mirror`` = ``all``,
``digest-only`` or ``tag-only``). The longest matching prefix wins. Mirrors are tried in order,
then the registry itself. For ``docker.io`` without a ``[[registry]]`` entry, the
``registry-mirrors`` of docker's ``daemon.json`` are used the same way.

The file read is ``--registries-conf FILE``, else ``$CONTAINERS_REGISTRIES_CONF``, else
``~/.config/containers/registries.conf`` if it exists (with ``registries.conf.d/`` beside it),
else ``/etc/containers/registries.conf`` and ``/etc/containers/registries.conf.d/*.conf``; a
drop-in's ``[[registry]]`` replaces an earlier one with the same prefix.
"""

from __future__ import annotations

import os
import re

from nvreq.images.errors import ConfigFileError
from nvreq.images.reference import DOCKER_HUB, Reference
from nvreq.images.value import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Any

__all__ = ["Endpoint", "RegistriesConf", "RegistryEntry", "load_registries_conf",
           "pull_sources"]

SYSTEM_CONF = "/etc/containers/registries.conf"
DAEMON_JSON = "/etc/docker/daemon.json"
_MAX_FILE = 1 << 20
_PULL_FROM_MIRROR = ("", "all", "digest-only", "tag-only")
_REGISTRY_KEYS = {"prefix", "location", "insecure", "blocked", "mirror-by-digest-only", "mirror",
                  "pull-from-mirror"}
_MIRROR_KEYS = {"location", "insecure", "pull-from-mirror"}
#: files without these (search lists and short-name aliases only) are not parsed: nothing in them
#: changes where an image is read from, and reading every image stays free of a TOML parser
_REGISTRY_TABLES = r"(?m)^\s*(\[\[\s*registry[\s.\]]|\[\s*registries\s*[.\]]|registry\s*=)"


class Endpoint(Value):
    """A place to pull from: a registry ``location`` (``host[:port][/path]``), whether TLS is
    skipped, and the mirror rule (``all``, ``digest-only``, ``tag-only``; "" for the registry)."""

    __slots__ = _fields = ("location", "insecure", "pull_from_mirror")
    location: str
    insecure: bool
    pull_from_mirror: str

    def __init__(self, location: str, insecure: bool = False, pull_from_mirror: str = "") -> None:
        self._init(location, insecure, pull_from_mirror)


class RegistryEntry(Value):
    """One ``[[registry]]``: its prefix, its own endpoint, its mirrors and where it was written."""

    __slots__ = _fields = ("prefix", "endpoint", "mirrors", "blocked", "mirror_by_digest_only",
                           "source")
    _uncompared = ("source",)
    prefix: str
    endpoint: Endpoint
    mirrors: tuple[Endpoint, ...]
    blocked: bool
    mirror_by_digest_only: bool
    source: str

    def __init__(self, prefix: str, endpoint: Endpoint, mirrors: tuple[Endpoint, ...] = (),
                 blocked: bool = False, mirror_by_digest_only: bool = False,
                 source: str = "") -> None:
        self._init(prefix, endpoint, mirrors, blocked, mirror_by_digest_only, source)


class RegistriesConf(Value):
    """The registries read from ``registries.conf`` (and ``daemon.json``'s Docker Hub mirrors)."""

    __slots__ = _fields = ("registries", "files")
    registries: tuple[RegistryEntry, ...]
    files: tuple[str, ...]

    def __init__(self, registries: tuple[RegistryEntry, ...] = (),
                 files: tuple[str, ...] = ()) -> None:
        self._init(registries, files)

    def find(self, name: str) -> RegistryEntry | None:
        """The entry whose prefix matches ``name`` (``domain/path``) longest, if any."""
        best: RegistryEntry | None = None
        for entry in self.registries:
            if _match(name, entry.prefix) >= 0 and (best is None
                                                   or len(entry.prefix) > len(best.prefix)):
                best = entry
        return best


def load_registries_conf(path: str | None = None, *,
                         daemon_json: str | None = DAEMON_JSON) -> RegistriesConf:
    """Read the registries configuration (``path``, or the files of the module docstring), then
    ``daemon_json``'s ``registry-mirrors`` for ``docker.io`` if no entry covers it."""
    entries: dict[str, RegistryEntry] = {}
    files = []
    for file in _conf_files(path):
        files.append(file)
        for entry in _parse(file):
            entries[entry.prefix] = entry
    conf = RegistriesConf(tuple(entries.values()), tuple(files))
    if daemon_json and conf.find(f"{DOCKER_HUB}/library/x") is None:
        mirrors = _daemon_mirrors(daemon_json)
        if mirrors:
            hub = RegistryEntry(DOCKER_HUB, Endpoint(DOCKER_HUB), mirrors, source=daemon_json)
            conf = RegistriesConf((*conf.registries, hub), (*files, daemon_json))
    return conf


def pull_sources(ref: Reference, conf: RegistriesConf) -> tuple[list[tuple[Endpoint, Reference]],
                                                                   RegistryEntry | None]:
    """The endpoints to try for ``ref``, in order (mirrors first, the registry last), each with
    the reference rewritten for it; and the entry that matched. A blocked registry is an error."""
    entry = conf.find(ref.name)
    if entry is None:
        return [(Endpoint(ref.domain), ref)], None
    if entry.blocked:
        from nvreq.images.errors import BlockedRegistry

        raise BlockedRegistry(f"registry {entry.prefix} is blocked in {entry.source}")
    digested = ref.digest is not None
    chosen = []
    for mirror in entry.mirrors:
        if entry.mirror_by_digest_only and not digested:
            continue
        if (mirror.pull_from_mirror == "digest-only" and not digested) or (
                mirror.pull_from_mirror == "tag-only" and digested):
            continue
        chosen.append(mirror)
    chosen.append(entry.endpoint)
    return [(e, _rewrite(ref, entry, e)) for e in chosen], entry


def _rewrite(ref: Reference, entry: RegistryEntry, endpoint: Endpoint) -> Reference:
    if not endpoint.location:
        return ref
    name = endpoint.location + ref.name[_match(ref.name, entry.prefix):]
    domain, _, path = name.partition("/")
    if domain == DOCKER_HUB and "/" not in path:
        path = f"library/{path}"
    return Reference(domain, path, ref.tag, ref.digest, ref.ignored_tag)


def _match(name: str, prefix: str) -> int:
    """Where ``prefix`` ends in ``name``, or -1: containers/image's prefix rule."""
    if prefix.startswith("*."):
        at = name.find(prefix[1:])
        if at < 0 or "/" in name[:at]:
            return -1
        end = at + len(prefix) - 1
        return end if end == len(name) or name[end] in ":/@" else -1
    if name == prefix:
        return len(prefix)
    if name.startswith(prefix) and name[len(prefix)] in ":/@":
        return len(prefix)
    return -1


def _conf_files(path: str | None) -> Iterator[str]:
    path = path or os.environ.get("CONTAINERS_REGISTRIES_CONF")
    if path:
        if not os.path.isfile(path):
            raise ConfigFileError(f"cannot read registries configuration {path}: no such file")
        yield path
        return
    user = os.path.join(os.path.expanduser("~"), ".config", "containers", "registries.conf")
    main = user if os.path.isfile(user) else SYSTEM_CONF
    if os.path.isfile(main):
        yield main
    folder = main + ".d"
    try:
        names = sorted(n for n in os.listdir(folder) if n.endswith(".conf"))
    except OSError:
        names = []
    yield from (os.path.join(folder, n) for n in names)


def _read_text(file: str, what: str) -> str:
    from nvreq.errors import InputError
    from nvreq.files import read_capped

    try:
        data = read_capped(file, _MAX_FILE, what=what)
    except InputError as exc:
        raise ConfigFileError(str(exc)) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigFileError(f"{file} is not UTF-8 text (byte {exc.start})") from None


def _read_toml(file: str) -> tuple[dict[str, Any], str]:
    text = _read_text(file, "registries configuration")
    if not re.search(_REGISTRY_TABLES, text):
        return {}, text
    from nvreq.errors import ProfileError
    from nvreq.host.sources import parse_toml

    try:
        return parse_toml(text, file), text
    except ProfileError as exc:
        raise ConfigFileError(str(exc)) from None


def _parse(file: str) -> list[RegistryEntry]:
    doc, text = _read_toml(file)
    lines = [n + 1 for n, line in enumerate(text.splitlines())
             if line.strip().replace(" ", "").startswith("[[registry]]")]
    raw = doc.get("registry", [])
    if not isinstance(raw, list):
        raise ConfigFileError(f"{file}: 'registry' must be an array of tables ([[registry]])")
    out = [_entry(item, f"{file}, line {lines[i]}" if i < len(lines) else file)
           for i, item in enumerate(raw)]
    legacy = doc.get("registries")
    if isinstance(legacy, dict):
        out += _v1(legacy, file)
    return out


def _table(item: Any, keys: set[str], name: str, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise ConfigFileError(f"{where}: a {name} must be a table")
    unknown = sorted(set(item) - keys)
    if unknown:
        raise ConfigFileError(f"{where}: unknown key {unknown[0]!r} in {name}")
    return item


def _entry(raw: Any, where: str) -> RegistryEntry:
    item = _table(raw, _REGISTRY_KEYS, "[[registry]]", where)
    location = _location(item.get("location", ""), where)
    prefix = _location(item.get("prefix", ""), where) or location
    if not prefix:
        raise ConfigFileError(f"{where}: [[registry]] needs a location or a prefix")
    if not location and not prefix.startswith("*."):
        raise ConfigFileError(f"{where}: location is unset and prefix {prefix!r} is not of the "
                              "form *.example.com")
    if item.get("pull-from-mirror"):
        raise ConfigFileError(f"{where}: pull-from-mirror is for [[registry.mirror]] entries, "
                              f"not the registry {prefix}")
    by_digest = _bool(item, "mirror-by-digest-only", where)
    mirrors = item.get("mirror", [])
    if not isinstance(mirrors, list):
        raise ConfigFileError(f"{where}: 'mirror' must be an array of tables ([[registry.mirror]])")
    return RegistryEntry(prefix, Endpoint(location, _bool(item, "insecure", where)),
                         tuple(_mirror(m, where, by_digest) for m in mirrors),
                         _bool(item, "blocked", where), by_digest, where)


def _mirror(raw: Any, where: str, by_digest: bool) -> Endpoint:
    item = _table(raw, _MIRROR_KEYS, "[[registry.mirror]]", where)
    location = _location(item.get("location", ""), where)
    if not location:
        raise ConfigFileError(f"{where}: a [[registry.mirror]] has no location")
    rule = item.get("pull-from-mirror", "")
    if rule not in _PULL_FROM_MIRROR:
        raise ConfigFileError(f"{where}: pull-from-mirror {rule!r} for mirror {location}: "
                              "expected all, digest-only or tag-only")
    if rule and by_digest:
        raise ConfigFileError(f"{where}: mirror-by-digest-only and pull-from-mirror (mirror "
                              f"{location}) cannot both be set")
    return Endpoint(location, _bool(item, "insecure", where), rule)


def _v1(legacy: dict[str, Any], file: str) -> list[RegistryEntry]:
    """Version 1 files: ``[registries.insecure]`` and ``[registries.block]`` lists."""
    out: dict[str, RegistryEntry] = {}
    for kind in ("insecure", "block"):
        table = legacy.get(kind) or {}
        names = table.get("registries", []) if isinstance(table, dict) else None
        if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
            raise ConfigFileError(f"{file}: [registries.{kind}] registries must be a list of "
                                  "strings")
        for name in names:
            old = out.get(name) or RegistryEntry(name, Endpoint(name), source=file)
            out[name] = RegistryEntry(
                name, Endpoint(name, old.endpoint.insecure or kind == "insecure"),
                blocked=old.blocked or kind == "block", source=file)
    return list(out.values())


def _location(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise ConfigFileError(f"{where}: expected a string location, got {value!r}")
    if value.startswith(("http://", "https://")):
        raise ConfigFileError(f"{where}: invalid location {value!r}: URI schemes are not "
                              "supported (write host[:port][/path])")
    return value.rstrip("/")


def _bool(item: dict[str, Any], key: str, where: str) -> bool:
    value = item.get(key, False)
    if not isinstance(value, bool):
        raise ConfigFileError(f"{where}: {key} must be true or false, got {value!r}")
    return value


def _daemon_mirrors(path: str) -> tuple[Endpoint, ...]:
    if not os.path.exists(path):
        return ()
    import json  # only where docker is configured: reading an image never needs it otherwise

    try:
        doc = json.loads(_read_text(path, "docker daemon configuration"))
    except ValueError as exc:
        where = f", line {exc.lineno}, column {exc.colno}" if isinstance(
            exc, json.JSONDecodeError) else ""
        raise ConfigFileError(f"{path}{where}: invalid JSON") from None
    mirrors = doc.get("registry-mirrors", []) if isinstance(doc, dict) else []
    if not isinstance(mirrors, list) or not all(isinstance(m, str) for m in mirrors):
        raise ConfigFileError(f"{path}: registry-mirrors must be a list of URLs")
    out = []
    for url in mirrors:
        from urllib.parse import urlsplit

        parts = urlsplit(url if "://" in url else f"https://{url}")
        if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
            raise ConfigFileError(f"{path}: invalid registry mirror {url!r}: expected "
                                  "https://HOST[:PORT] (no path)")
        out.append(Endpoint(parts.netloc, insecure=parts.scheme == "http"))
    return tuple(out)
