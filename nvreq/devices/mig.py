"""``NVIDIA_MIG_CONFIG_DEVICES`` and ``NVIDIA_MIG_MONITOR_DEVICES``.

Only the legacy hook reads them, and only for a GPU container. A non-empty value needs privilege
(the hook aborts first); nvidia-container-cli then accepts only ``all`` (any case), and not while
specific MIG devices are selected. Sources: container_config.go @ d34b304; libnvidia-container
common.c @ 1aea987.
"""

from __future__ import annotations

from collections.abc import Mapping

from nvreq._frozen import frozen
from nvreq.devices.resolution import DeviceWarning, Resolution
from nvreq.host.profile import HostProfile

__all__ = ["MIG_CONFIG", "MIG_MONITOR", "MigAccess", "resolve_mig_access"]

MIG_CONFIG = "NVIDIA_MIG_CONFIG_DEVICES"
MIG_MONITOR = "NVIDIA_MIG_MONITOR_DEVICES"
_FLAGS = ((MIG_CONFIG, "MIG_CONFIG_DEVICES", "mig-config"),
          (MIG_MONITOR, "MIG_MONITOR_DEVICES", "mig-monitor"))


@frozen
class MigAccess:
    """Which selected GPUs get MIG config / monitor access, and the errors on the way.

    ``hook_error`` comes from the hook (before nvidia-container-cli runs), ``cli_error`` from the
    CLI (after device errors, before requirement errors).
    """

    config: tuple[int, ...] = ()
    monitor: tuple[int, ...] = ()
    hook_error: str | None = None
    cli_error: str | None = None
    warnings: tuple[DeviceWarning, ...] = ()


def _granted(host: HostProfile, selection: Resolution) -> tuple[int, ...]:
    indexes = [g.index for g in selection.gpus if g.mig.mode != "unsupported"]
    indexes += [g.index for g, _ in selection.mig_devices]
    return tuple(dict.fromkeys(indexes))


def resolve_mig_access(env: Mapping[str, str], host: HostProfile, selection: Resolution, *,
                       privileged: bool, mode: str, gpu_container: bool) -> MigAccess:
    """Apply the MIG variables to a device selection as the legacy hook and CLI would.

    >>> from nvreq.host.profile import Gpu
    >>> resolve_mig_access({MIG_CONFIG: "all"}, HostProfile(gpus=(Gpu(0),)), Resolution(),
    ...                    privileged=False, mode="legacy", gpu_container=True).hook_error
    'cannot set MIG_CONFIG_DEVICES in non privileged container'
    """
    present = [(var, env[var]) for var, _, _ in _FLAGS if env.get(var)]
    if not present:
        return MigAccess()
    if mode != "legacy" or not gpu_container:
        why = (f"mode {mode} never reads them" if mode != "legacy"
               else "the container is not a GPU container")
        return MigAccess(warnings=(DeviceWarning(
            "mig-vars-ignored", f"{', '.join(v for v, _ in present)} ignored: {why}"),))
    for var, short_name, _ in _FLAGS:
        if env.get(var) and not privileged:
            return MigAccess(hook_error=f"cannot set {short_name} in non privileged container")
    warnings: list[DeviceWarning] = []
    granted: dict[str, tuple[int, ...]] = {}
    for var, _, flag in _FLAGS:
        tokens = [t for t in env.get(var, "").split(",") if t]
        for token in tokens:
            if token.lower() != "all":
                return MigAccess(cli_error=f"{flag} error: {token}: only 'all' devices are "
                                 "currently supported")
            if selection.mig_devices and not selection.via_all:
                return MigAccess(cli_error=f"{flag} error: {token}: cannot enable {flag} with "
                                 "specific MIG devices selected")
        granted[flag] = _granted(host, selection) if tokens else ()
    if not any(g.mig.mode != "unsupported" for g in host.gpus):
        warnings.append(DeviceWarning(
            "mig-vars-no-effect", "no GPU on the host is MIG-capable: the MIG variables have no "
            "effect (allowed since libnvidia-container 1.2.0-rc.2)"))
    return MigAccess(granted["mig-config"], granted["mig-monitor"], warnings=tuple(warnings))
