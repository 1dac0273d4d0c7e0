"""Where a container's device request comes from, and how the toolkit tokenises it.

The first source that yields at least one id wins: CDI
annotations (``cdi`` mode only), volume mounts (when accepted), swarm variables, then
``NVIDIA_VISIBLE_DEVICES``. Env-var requests of unprivileged
containers are dropped when ``accept-nvidia-visible-devices-envvar-when-unprivileged`` is false.
Source: NVIDIA/nvidia-container-toolkit internal/config/image/cuda_image.go, devices.go @ d34b304.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nvreq._frozen import frozen
from nvreq._memo import Memo
from nvreq.devices.cdi_names import is_qualified_name
from nvreq.devices.resolution import DeviceWarning
from nvreq.formats.go_text import GO_SPACE
from nvreq.host.config import ToolkitConfig
from nvreq.require.versions import version_at_least

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from collections.abc import Hashable
    from typing import Any

__all__ = ["MOUNT_ROOT", "VISIBLE_DEVICES", "Request", "RequestSource", "gather_request"]

VISIBLE_DEVICES = "NVIDIA_VISIBLE_DEVICES"
MOUNT_ROOT = "/var/run/nvidia-container-devices"


@frozen
class RequestSource:
    """Where a request came from.

    ``kind`` is ``annotations``, ``mounts``, ``swarm``, ``env``, ``legacy-image`` or ``none``;
    ``names`` are the annotation keys or variable names read.
    """

    kind: str
    names: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.kind == "annotations":
            return "annotations " + ", ".join(self.names)
        if self.kind == "mounts":
            return f"volume mounts under {MOUNT_ROOT}"
        if self.kind == "legacy-image":
            return f"legacy image default ({VISIBLE_DEVICES} unset, CUDA_VERSION set)"
        return ", ".join(self.names) if self.names else "nothing"


@frozen
class Request:
    """A tokenised request. ``kind``: ``void``, ``dropped``, ``none``, ``all`` or ``ids``.

    ``ids`` is de-duplicated keeping first occurrences (the report's ``requested``);
    ``runtime_list`` is what the toolkit passes on, where a duplicate leaves an empty slot.
    """

    source: RequestSource
    kind: str
    ids: tuple[str, ...] = ()
    runtime_list: tuple[str, ...] = ()
    duplicates: tuple[str, ...] = ()
    warnings: tuple[DeviceWarning, ...] = ()

    @property
    def gpu_container(self) -> bool:
        """False for *void* and for dropped unprivileged requests."""
        return self.kind not in ("void", "dropped")


def _go_clean(path: str) -> str:
    """Go's ``filepath.Clean`` on a slash path."""
    rooted, parts = path.startswith("/"), list[str]()
    for seg in path.split("/"):
        if seg == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
        elif seg not in ("", "."):
            parts.append(seg)
    out = "/".join(parts)
    return "/" + out if rooted else out or "."


def _mount_ids(mounts: Sequence[Mapping[str, Any]], warnings: list[DeviceWarning]
               ) -> tuple[list[str], list[str]]:
    plain, cdi, seen = [], [], set()
    for mount in mounts:
        source, dest = mount.get("source"), mount.get("destination")
        if not isinstance(source, str) or not isinstance(dest, str):
            continue
        dest = _go_clean(dest)
        if _go_clean(source) != "/dev/null" or not dest.startswith(MOUNT_ROOT) or dest in seen:
            continue
        seen.add(dest)
        device = dest[len(MOUNT_ROOT):].strip("/")
        if device.startswith("cdi/"):
            rest = device[4:]
            name = rest if "=" in rest else "{}/{}={}".format(*rest.split("/", 2), "", "")
            if is_qualified_name(name):
                cdi.append(name)
            else:
                warnings.append(DeviceWarning("invalid-cdi-mount", f"mount {dest!r} is not a "
                                              "valid CDI request; the runtime skips it"))
        elif device.startswith("imex/"):
            warnings.append(DeviceWarning("imex-mount", f"mount {dest!r} requests an IMEX "
                                          "channel, not a device"))
        elif device:
            plain.append(device)
    return plain, cdi


def _literal(source: RequestSource, ids: Sequence[str], warnings: list[DeviceWarning],
             shadowed: Sequence[str]) -> Request:
    if shadowed:
        warnings.append(DeviceWarning("env-request-ignored", f"{', '.join(shadowed)} ignored: "
                                      f"the request comes from {source}"))
    unique = tuple(dict.fromkeys(ids))
    dups = tuple(d for d in unique if ids.count(d) > 1)
    return Request(source, "ids", unique, tuple(ids), dups, tuple(warnings))


def _env_vars(env: Mapping[str, str], swarm: Sequence[str], version: str | None) -> list[str]:
    """The variables read, in order."""
    if version_at_least(version, 1, 12):
        present = [n for n in swarm if n in env]
        return present or ([VISIBLE_DEVICES] if VISIBLE_DEVICES in env else [])
    order = [*swarm, VISIBLE_DEVICES] if version_at_least(version, 1, 5, 1) else [
        VISIBLE_DEVICES, *swarm]
    return [n for n in order if n in env][:1]


def _tokenise(source: RequestSource, values: list[str], modern: bool,
              warnings: list[DeviceWarning]) -> Request:
    if not modern:
        value = values[0]
        if value in ("", "void"):
            return Request(source, "void", warnings=tuple(warnings))
        if value == "none":
            return Request(source, "none", runtime_list=("",), warnings=tuple(warnings))
        tokens = value.split(",")
        unique = tuple(dict.fromkeys(t for t in tokens if t))
        dups = tuple(t for t in unique if tokens.count(t) > 1)
        return Request(source, "ids", unique, tuple(tokens), dups, tuple(warnings))
    tokens = [t.strip(GO_SPACE) for v in values for t in v.split(",")]
    tokens = [t for t in tokens if t]
    if not tokens or "void" in tokens:
        others = [t for t in tokens if t != "void"]
        if others:
            warnings.append(DeviceWarning("void-in-list", "'void' anywhere in the list means no "
                                          "GPU container; ignored: " + ", ".join(others)))
        return Request(source, "void", warnings=tuple(warnings))
    for i, token in enumerate(tokens):
        if token in ("all", "none"):
            others = [t for t in tokens[:i] + tokens[i + 1:] if t != token]
            if others:
                warnings.append(DeviceWarning("ignored-ids", f"'{token}' wins over the other ids, "
                                              "which are never checked: " + ", ".join(others)))
            if token == "all" and VISIBLE_DEVICES in source.names:
                warnings.append(DeviceWarning("visible-devices-all", f"{VISIBLE_DEVICES}=all "
                                              "exposes every GPU on the host; under Kubernetes it "
                                              "bypasses the device plugin's accounting"))
            return Request(source, token, ("all",) if token == "all" else (),
                           ("all",) if token == "all" else ("",), warnings=tuple(warnings))
    last = {t: i for i, t in enumerate(tokens)}
    runtime = tuple(t if last[t] == i else "" for i, t in enumerate(tokens))
    unique = tuple(dict.fromkeys(tokens))
    dups = tuple(t for t in unique if tokens.count(t) > 1)
    return Request(source, "ids", unique, runtime, dups, tuple(warnings))


def gather_request(env: Mapping[str, str], *, config: ToolkitConfig, privileged: bool,
                   legacy_image: bool, cdi_mode: bool,
                   annotations: Mapping[str, str] | None = None,
                   mounts: Sequence[Mapping[str, Any]] = (),
                   toolkit_version: str | None = None) -> Request:
    """Find and tokenise the device request as the toolkit's ``VisibleDevices()`` does.

    ``cdi_mode``: whether annotations and CDI mount requests count (only ``cdi`` mode reads them).

    >>> gather_request({"NVIDIA_VISIBLE_DEVICES": "0,1,0"}, config=ToolkitConfig(),
    ...                privileged=False, legacy_image=False, cdi_mode=False).runtime_list
    ('', '1', '0')
    """
    if annotations or mounts:
        return _gather(env, config, privileged, legacy_image, cdi_mode, annotations, mounts,
                       toolkit_version)
    # Without annotations or mounts the request reads only these variables: a fleet asks the
    # same question for every host, so the answer (immutable) is kept.
    key = (tuple(env.get(n) for n in (*config.swarm_resource, VISIBLE_DEVICES)), config,
           privileged, legacy_image, cdi_mode, toolkit_version)
    return _REQUESTS.remember(key, lambda: _gather(env, config, privileged, legacy_image,
                                                   cdi_mode, None, (), toolkit_version))


_REQUESTS: Memo[Hashable, Request] = Memo(1024)


def _gather(env: Mapping[str, str], config: ToolkitConfig, privileged: bool, legacy_image: bool,
            cdi_mode: bool, annotations: Mapping[str, str] | None,
            mounts: Sequence[Mapping[str, Any]], toolkit_version: str | None) -> Request:
    warnings: list[DeviceWarning] = []
    shadowed = [n for n in (*config.swarm_resource, VISIBLE_DEVICES) if n in env]
    keys = sorted(k for k in (annotations or {})
                  if any(k.startswith(p) for p in config.cdi_annotation_prefixes))
    if keys and cdi_mode:
        names = [n for k in keys for n in (annotations or {})[k].split(",")]
        if names:
            return _literal(RequestSource("annotations", tuple(keys)), names, warnings, shadowed)
    elif keys:
        warnings.append(DeviceWarning("annotations-ignored", "CDI annotations are read only in "
                                      "cdi mode; ignored: " + ", ".join(keys)))
    plain, cdi = _mount_ids(mounts, warnings)
    if config.accept_volume_mounts:
        if cdi and not cdi_mode:
            warnings.append(DeviceWarning("cdi-mounts-ignored", "CDI requests in volume mounts "
                                          "are read only in cdi mode: " + ", ".join(cdi)))
        ids = plain + (cdi if cdi_mode else [])
        if ids:
            return _literal(RequestSource("mounts"), ids, warnings, shadowed)
    elif plain or cdi:
        warnings.append(DeviceWarning("mounts-ignored", "device requests in volume mounts are "
                                      "ignored: accept-nvidia-visible-devices-as-volume-mounts "
                                      "is false"))
    names = _env_vars(env, config.swarm_resource, toolkit_version)
    if VISIBLE_DEVICES in env and VISIBLE_DEVICES not in names and names:
        warnings.append(DeviceWarning("swarm-wins", f"{VISIBLE_DEVICES} is ignored: the swarm "
                                      f"variable(s) {', '.join(names)} are present"))
    if names:
        kind = "env" if names == [VISIBLE_DEVICES] else "swarm"
        request = _tokenise(RequestSource(kind, tuple(names)), [env[n] for n in names],
                            version_at_least(toolkit_version, 1, 12), warnings)
    elif legacy_image:
        request = Request(RequestSource("legacy-image", (VISIBLE_DEVICES,)), "all", ("all",),
                          ("all",), warnings=tuple(warnings))
    else:
        return Request(RequestSource("none"), "void", warnings=tuple(warnings))
    if request.kind == "void" or privileged or config.accept_envvar_unprivileged:
        return request
    visible = names or [VISIBLE_DEVICES]
    return Request(request.source, "dropped", warnings=(*request.warnings, DeviceWarning(
        "unprivileged-envvar-ignored", "Ignoring devices requested by environment variable(s) in "
        f"unprivileged container: [{' '.join(visible)}]")))
