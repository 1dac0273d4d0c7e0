"""``ImageInfo``: what every transport produces."""

from __future__ import annotations

from nvreq.images.value import Value

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Mapping
    from typing import Any

__all__ = ["ImageInfo"]


class ImageInfo(Value):
    """An image's identity and its config ``Env`` list, exactly as stored.

    ``digest`` is the platform image's manifest digest (the config digest where there is no
    manifest: ``docker-daemon:`` and legacy archives; None for ``dockerfile:``). ``origins``
    (by default empty) takes no part in ``==`` and ``hash()``.
    """

    __slots__ = _fields = ("reference", "resolved", "digest", "platform", "env", "transport",
                           "index_digest", "manifest_digest", "config_digest", "platform_source",
                           "verified", "warnings", "origins", "endpoint")
    _uncompared = ("origins", "endpoint")
    reference: str
    resolved: str
    digest: str | None
    platform: str
    env: tuple[str, ...]
    transport: str
    index_digest: str | None
    manifest_digest: str | None
    config_digest: str | None
    platform_source: str
    verified: bool
    warnings: tuple[str, ...]
    origins: Mapping[str, str]
    endpoint: str | None

    def __init__(self, reference: str, resolved: str, digest: str | None, platform: str,
                 env: tuple[str, ...], transport: str = "docker",
                 index_digest: str | None = None, manifest_digest: str | None = None,
                 config_digest: str | None = None, platform_source: str = "this machine",
                 verified: bool = True, warnings: tuple[str, ...] = (),
                 origins: Mapping[str, str] | None = None, endpoint: str | None = None) -> None:
        self._init(reference, resolved, digest, platform, env, transport, index_digest,
                   manifest_digest, config_digest, platform_source, verified, warnings,
                   {} if origins is None else origins, endpoint)

    def __repr__(self) -> str:
        return f"<ImageInfo({self.resolved!r}, {self.platform!r}, {len(self.env)} env)>"

    def to_dict(self) -> dict[str, Any]:
        """``{reference, digest, platform, env}`` for reports, secret values redacted; then
        ``redacted``, the names of the variables whose values were hidden, when there are any, and
        ``endpoint`` (registry images) the repository that served it."""
        from nvreq.formats.redact import redact_env

        env, redacted = redact_env(self.env)
        out: dict[str, Any] = {"reference": self.reference, "digest": self.digest,
                               "platform": self.platform, "env": env}
        if redacted:
            out["redacted"] = redacted
        if self.endpoint is not None:
            out["endpoint"] = self.endpoint
        return out

    def details(self) -> dict[str, Any]:
        """Every field, for ``nvreq env --json`` and debugging."""
        out = self.to_dict()
        out.update(resolved=self.resolved, transport=self.transport,
                   index_digest=self.index_digest, manifest_digest=self.manifest_digest,
                   config_digest=self.config_digest, platform_source=self.platform_source,
                   verified=self.verified, warnings=list(self.warnings))
        if self.origins:
            out["origins"] = dict(self.origins)
        return out

    @property
    def env_map(self) -> dict[str, str]:
        """The Env as a mapping; a later entry with the same key wins, as in the toolkit."""
        return dict(e.split("=", 1) for e in self.env if "=" in e)
