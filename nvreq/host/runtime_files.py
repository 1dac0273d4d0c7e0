"""The host's container-runtime setup: the toolkit's ``config.toml`` and Docker's ``daemon.json``.

Both change verdicts (the runtime mode, the ``accept-*`` keys, ``disable-require``, the supported
capabilities), so ``nvreq host`` reads them into the profile's ``runtime`` section.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from nvreq._frozen import field, field_names, frozen, replace
from nvreq.errors import ProfileError
from nvreq.files import read_head
from nvreq.formats import jsontext
from nvreq.host.config import CONFIG_KEYS, MODE_KEY, lookup_config
from nvreq.host.profile import HostProfile, RuntimeSettings
from nvreq.host.sources import parse_toml

__all__ = [
    "DAEMON_JSON",
    "TOOLKIT_CONFIG",
    "RuntimeFiles",
    "read_runtime_files",
    "with_runtime",
]

#: Where the files live, relative to the root directory.
TOOLKIT_CONFIG = "etc/nvidia-container-runtime/config.toml"
DAEMON_JSON = "etc/docker/daemon.json"

_MAX_BYTES = 1 << 20


@frozen
class RuntimeFiles:
    """What the two files say; ``None`` for a file that is not there."""

    config: Mapping[str, Any] | None = field(default=None, hash=False)
    daemon: Mapping[str, Any] | None = field(default=None, hash=False)
    config_path: str = "/" + TOOLKIT_CONFIG
    daemon_path: str = "/" + DAEMON_JSON

    @property
    def docker_runtimes(self) -> tuple[str, ...]:
        """The runtime names registered in ``daemon.json``."""
        runtimes = (self.daemon or {}).get("runtimes")
        return tuple(runtimes) if isinstance(runtimes, Mapping) else ()

    @property
    def default_runtime(self) -> str | None:
        """Docker's ``default-runtime`` (None: Docker's own default, runc)."""
        value = (self.daemon or {}).get("default-runtime")
        return value if isinstance(value, str) else None

    def stated(self, key: str) -> Any:
        """A ``config.toml`` value by dotted key, or None when the file does not state it."""
        return lookup_config(self.config or {}, key, flat=False)

    def settings(self, toolkit_version: str | None = None) -> RuntimeSettings:
        """The ``runtime`` section these files imply (validated like a profile).

        The mode is the toolkit's ``nvidia-container-runtime.mode`` (default ``auto``) when
        Docker's default runtime is ``nvidia``; with a ``daemon.json`` that does not make it the
        default, ``docker run --gpus`` calls the hook directly, which always resolves ``legacy``.
        """
        config: dict[str, Any] = {}
        for key in CONFIG_KEYS:
            value = self.stated(key.name)
            if value is not None:
                node = config
                *parents, leaf = key.name.split(".")
                for part in parents:
                    node = node.setdefault(part, {})
                node[leaf] = value
        mode = self.stated(MODE_KEY)
        if self.daemon is not None:
            mode = (mode or "auto") if self.default_runtime == "nvidia" else "legacy"
        section: dict[str, Any] = {"config": config, "mode": mode,
                                   "toolkit_version": toolkit_version}
        if self.daemon is not None:
            features = self.daemon.get("features")
            cdi = features.get("cdi") if isinstance(features, Mapping) else None
            docker = {"cdi": cdi, "x-runtimes": list(self.docker_runtimes),
                      "x-default-runtime": self.default_runtime}
            section["docker"] = {k: v for k, v in docker.items() if v is not None}
        try:
            profile = HostProfile.from_dict({"gpus": [], "runtime": section})
        except ProfileError as exc:
            where = self.config_path if ".config" in exc.path else self.daemon_path
            path = exc.path.split(".config.", 1)[-1] if ".config." in exc.path else exc.path
            raise ProfileError(exc.message, path, source=where) from None
        return profile.runtime


def read_runtime_files(root: str | Path = "/") -> RuntimeFiles:
    """Read ``ROOT/etc/nvidia-container-runtime/config.toml`` and ``ROOT/etc/docker/daemon.json``.

    Syntax errors raise ``ProfileError`` with the file, line and column.
    """
    root = Path(root)
    config_path, daemon_path = root / TOOLKIT_CONFIG, root / DAEMON_JSON
    config_text, daemon_text = _read(config_path), _read(daemon_path)
    config = daemon = None
    if config_text is not None:
        config = parse_toml(config_text, str(config_path))
    if daemon_text is not None:
        try:
            daemon = jsontext.loads(daemon_text) if daemon_text.strip() else {}
        except json.JSONDecodeError as exc:
            raise ProfileError(f"Invalid JSON: {exc.msg}", source=str(daemon_path),
                               line=exc.lineno, column=exc.colno) from None
        except jsontext.JsonTooDeep:
            raise ProfileError("Invalid JSON: nested too deeply", source=str(daemon_path)) from None
        if not isinstance(daemon, dict):
            raise ProfileError("Expected a JSON object", source=str(daemon_path))
    return RuntimeFiles(config, daemon, str(config_path), str(daemon_path))


def with_runtime(profile: HostProfile, settings: RuntimeSettings) -> HostProfile:
    """``profile`` with every runtime field that ``settings`` states taking its place."""
    merged = {n: getattr(settings, n) or getattr(profile.runtime, n)
              for n in field_names(RuntimeSettings)}
    return replace(profile, runtime=RuntimeSettings(**merged))


def _read(path: Path) -> str | None:
    try:
        data = read_head(str(path), _MAX_BYTES)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ProfileError(f"Cannot read: {exc.strerror or exc}", source=str(path)) from None
    if len(data) > _MAX_BYTES:
        raise ProfileError("File is larger than 1 MiB", source=str(path))
    return data.decode("utf-8", "replace")
