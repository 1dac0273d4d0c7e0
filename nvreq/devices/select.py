"""Which GPUs and MIG devices a container gets, as the runtime in a given mode decides.

:func:`resolve_devices` is a pure function of (env, host, options): it finds the request
(``devices_request``), resolves the runtime mode, and hands the ids to the mode's resolver
(``devices_legacy``, ``devices_jitcdi``, ``devices_cdi``), then applies the MIG variables
(``mig_config``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from nvreq._frozen import frozen, replace
from nvreq.devices.cdi_names import AUTOMATIC_KIND, is_qualified_name, qualify
from nvreq.devices.legacy import resolve_legacy
from nvreq.devices.mig import resolve_mig_access
from nvreq.devices.request import Request, RequestSource, gather_request
from nvreq.devices.resolution import DeviceWarning, Resolution, gpu_label, mig_label, nvml_mig_list
from nvreq.errors import InputError, unknown_choice
from nvreq.host.config import RUNTIME_MODES, ToolkitConfig
from nvreq.host.profile import Gpu, HostProfile, MigDevice
from nvreq.require.versions import version_at_least

TYPE_CHECKING = False  # typing itself costs start-up; mypy reads any TYPE_CHECKING as true
if TYPE_CHECKING:
    from typing import Any

__all__ = [
    "HOOK_CDI_ERROR",
    "MODES",
    "DeviceSelection",
    "DeviceWarning",
    "RequestSource",
    "render_device_table",
    "resolve_devices",
]

MODES = RUNTIME_MODES
#: the hook's refusal when called directly (docker --gpus) with CDI names only (hook_config.go).
HOOK_CDI_ERROR = (
    "invoking the NVIDIA Container Runtime Hook directly (e.g. specifying the docker --gpus flag) "
    "is not supported. Please use the NVIDIA Container Runtime (e.g. specify the --runtime=nvidia "
    "flag) instead")
_NOT_ENFORCED = ("In {mode} mode nobody checks NVIDIA_REQUIRE_* or NVIDIA_DRIVER_CAPABILITIES: "
                 "nvreq still computes the verdict, because the image still needs what it declares")


@frozen
class DeviceSelection:
    """What the container gets. ``gpus`` and ``mig_devices`` are in selection order; ``parents`` are
    GPU indexes exposed only as a selected MIG device's parent; ``requested`` are the ids after
    precedence and tokenising (de-duplicated, first kept); ``error`` is the runtime's exact text."""

    gpu_container: bool
    source: RequestSource
    requested: tuple[str, ...]
    mode: str
    mode_reason: str
    enforces_requirements: bool
    gpus: tuple[Gpu, ...] = ()
    mig_devices: tuple[tuple[Gpu, MigDevice], ...] = ()
    parents: tuple[int, ...] = ()
    unresolved: tuple[str, ...] = ()
    warnings: tuple[DeviceWarning, ...] = ()
    error: str | None = None
    explanation: tuple[str, ...] = ()
    cdi_names: tuple[str, ...] = ()
    mig_config: tuple[int, ...] = ()
    mig_monitor: tuple[int, ...] = ()

    def _exposed(self) -> list[int]:
        return sorted({g.index for g in self.gpus} | set(self.parents))

    @property
    def devices(self) -> tuple[str, ...]:
        """Exposed GPUs then MIG devices in host order, by UUID (by index id when unknown).

        A MIG device's parent counts as a GPU device in legacy mode only: the CDI edits of the
        other modes hold the parent's device node, not the GPU as a device.
        """
        by_index = {g.index: g for g in self.gpus}
        by_index.update({g.index: g for g, _ in self.mig_devices})
        exposed = self._exposed() if self.mode == "legacy" else sorted(g.index for g in self.gpus)
        gpus = [by_index[i].uuid or str(i) for i in exposed]
        migs = sorted(self.mig_devices, key=lambda p: (p[0].index, p[1].index))
        return (*gpus, *(m.uuid or mig_label(g, m) for g, m in migs))

    @property
    def selection_order(self) -> tuple[str, ...]:
        """GPU and MIG ids in the order requirements are evaluated."""
        return (*(gpu_label(g) for g in self.gpus), *(mig_label(g, m) for g, m in self.mig_devices))

    def evaluation_order(self) -> tuple[tuple[str, Gpu], ...]:
        """(id, GPU to evaluate on): each selected GPU, then each MIG device through its parent."""
        return (*((gpu_label(g), g) for g in self.gpus),
                *((mig_label(g, m), g) for g, m in self.mig_devices))

    @property
    def container_index(self) -> tuple[tuple[str, int], ...]:
        """(host GPU id, index in the container): exposed GPUs re-indexed from 0 in host order."""
        return tuple((str(index), n) for n, index in enumerate(self._exposed()))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        return {
            "gpu_container": self.gpu_container,
            "source": {"kind": self.source.kind, "names": list(self.source.names),
                       "text": str(self.source)},
            "requested": list(self.requested), "mode": self.mode, "mode_reason": self.mode_reason,
            "enforces_requirements": self.enforces_requirements, "devices": list(self.devices),
            "gpus": [{"index": g.index, "uuid": g.uuid, "pci_bus_id": g.pci_bus_id}
                     for g in self.gpus],
            "mig_devices": [{"gpu": g.index, "index": m.index, "uuid": m.uuid, "gi": m.gi,
                             "ci": m.ci, "profile": m.profile} for g, m in self.mig_devices],
            "parents": list(self.parents), "selection_order": list(self.selection_order),
            "container_index": dict(self.container_index), "unresolved": list(self.unresolved),
            "cdi_names": list(self.cdi_names), "mig_config": list(self.mig_config),
            "mig_monitor": list(self.mig_monitor),
            "warnings": [{"code": w.code, "message": w.message} for w in self.warnings],
            "error": self.error, "explanation": list(self.explanation),
        }


def _chosen_mode(mode: str | None, host: HostProfile, cfg: ToolkitConfig) -> tuple[str, str]:
    if mode is not None:
        chosen, reason = mode, "given"
    elif host.runtime.mode is not None:
        chosen, reason = host.runtime.mode, "profile runtime.mode"
    elif cfg.mode is not None:
        chosen, reason = cfg.mode, "config nvidia-container-runtime.mode"
    else:
        chosen = "legacy"
        reason = "default: the hook path (docker --gpus), as the profile names no mode"
    if chosen not in MODES:
        raise InputError(unknown_choice("runtime mode", chosen, MODES))
    return chosen, reason


def _auto(request: Request, host: HostProfile) -> tuple[str, str]:
    version = host.runtime.toolkit_version
    stated = f"toolkit {version}" if version else "toolkit version unknown, newest assumed"
    ids = request.runtime_list
    if version_at_least(version, 1, 14) and ids and all(is_qualified_name(i) for i in ids):
        return "cdi", f"auto: every requested device is a CDI name ({stated})"
    if (host.runtime.platform or "nvml") == "tegra":
        return "csv", "auto: Tegra host without NVML"
    if version_at_least(version, 1, 18):
        return "jit-cdi", f"auto: jit-cdi is the nvidia runtime's default since 1.18 ({stated})"
    return "legacy", f"auto: legacy before toolkit 1.18 ({stated})"


def _cdi_dispatch(names: list[str], host: HostProfile, version: str | None) -> Resolution:
    unique = list(dict.fromkeys(names))
    automatic = [n for n in unique if n.startswith(AUTOMATIC_KIND + "=")]
    if automatic and len(automatic) < len(unique):
        return Resolution(cdi_names=tuple(unique), error=(
            "requesting a CDI device with vendor 'runtime.nvidia.com' is not supported when "
            "requesting other CDI devices"), explanation=(
            "Automatic runtime.nvidia.com/gpu names cannot be mixed with other CDI names: give "
            "every device as a CDI name, or none.",))
    # the CDI resolvers load only when a CDI mode is in play (legacy mode is the common road)
    if automatic:
        from nvreq.devices.jitcdi import resolve_jitcdi

        res = resolve_jitcdi([n.partition("=")[2] for n in automatic], host)
        if not version_at_least(version, 1, 15):
            res = _add_warning(res, DeviceWarning(
                "mode-unavailable", "runtime.nvidia.com/gpu names need toolkit >= 1.15"))
    else:
        from nvreq.devices.cdi_mode import resolve_cdi

        res = resolve_cdi(unique, host)
    return replace(res, cdi_names=tuple(unique))


def _add_warning(res: Resolution, *warnings: DeviceWarning) -> Resolution:
    return replace(res, warnings=(*res.warnings, *warnings))


def _resolve(request: Request, mode: str, host: HostProfile, cfg: ToolkitConfig,
             via_hook: bool) -> Resolution:
    version = host.runtime.toolkit_version
    ids = list(request.runtime_list)
    if mode == "legacy":
        if via_hook and request.ids and all(is_qualified_name(i) for i in request.ids):
            return Resolution(error=HOOK_CDI_ERROR, explanation=(
                "CDI names need the nvidia runtime (--runtime=nvidia) in cdi mode.",))
        return resolve_legacy(",".join(ids).split(","), host)
    if mode == "jit-cdi":
        return _cdi_dispatch([i if is_qualified_name(i) else f"{AUTOMATIC_KIND}={i or 'none'}"
                              for i in ids], host, version)
    if mode == "cdi":
        res = _cdi_dispatch([qualify(i, cfg.cdi_default_kind) for i in ids], host, version)
        if not version_at_least(version, 1, 11):
            res = _add_warning(res, DeviceWarning("mode-unavailable",
                                                  "cdi mode needs toolkit >= 1.11"))
        return res
    gpus = () if request.kind == "none" else tuple(sorted(host.gpus, key=lambda g: g.index))
    return Resolution(gpus=gpus, warnings=(DeviceWarning(
        "csv-mode", "csv mode mounts what the host's CSV files list; ids are not resolved, so "
                    "nvreq takes every GPU of the (Tegra) host"),))


def _explain(request: Request, mode: str, enforces: bool) -> list[str]:
    lines = []
    if request.kind == "dropped":
        lines.append("The container is unprivileged and accept-nvidia-visible-devices-envvar-when-"
                     "unprivileged is false: the request is ignored, the container gets no GPU "
                     "and requirements are not checked.")
    elif request.kind == "void":
        what = ("nothing requests a device" if request.source.kind == "none"
                else f"{request.source} is empty or void")
        lines.append(f"Not a GPU container: {what}, so the hook does nothing and requirements "
                     "are not checked.")
    elif request.kind == "none":
        lines.append("'none': a GPU container with the driver files but no GPU; requirements "
                     "are evaluated once without a device.")
    if not enforces:
        lines.append(_NOT_ENFORCED.format(mode=mode) + ".")
    return lines


def resolve_devices(env: Mapping[str, str], host: HostProfile, *, legacy_image: bool,
                    mode: str | None = None, privileged: bool | None = None,
                    mounts: Sequence[Mapping[str, Any]] = (),
                    annotations: Mapping[str, str] | None = None,
                    config: Mapping[str, Any] | ToolkitConfig | None = None,
                    via_hook: bool = False) -> DeviceSelection:
    """Resolve the container's devices on ``host`` as the runtime in ``mode`` would.

    ``mode`` defaults to the profile's ``runtime.mode``, else ``legacy``; ``privileged`` to
    ``runtime.privileged``; ``config`` keys override the profile's ``runtime.config`` (a
    ``ToolkitConfig`` already read is taken as it is). ``via_hook`` means the hook is invoked
    directly (docker ``--gpus`` without the ``nvidia`` runtime).

    >>> from nvreq.host.profile import Gpu
    >>> host = HostProfile(gpus=(Gpu(0, uuid="GPU-a"), Gpu(1, uuid="GPU-b")))
    >>> resolve_devices({"NVIDIA_VISIBLE_DEVICES": "1"}, host, legacy_image=False).devices
    ('GPU-b',)
    """
    cfg = config if isinstance(config, ToolkitConfig) else ToolkitConfig.from_host(host, config)
    chosen, reason = _chosen_mode(mode, host, cfg)
    priv = bool(host.runtime.privileged) if privileged is None else privileged
    version = host.runtime.toolkit_version

    def gather(cdi_mode: bool) -> Request:
        return gather_request(env, config=cfg, privileged=priv, legacy_image=legacy_image,
                              cdi_mode=cdi_mode, annotations=annotations, mounts=mounts,
                              toolkit_version=version)

    request = gather(chosen in ("cdi", "auto"))
    resolved = chosen
    if chosen == "auto":
        resolved, reason = _auto(request, host)
        if resolved != "cdi":
            request = gather(False)
    enforces = resolved in ("legacy", "csv")
    res = (_resolve(request, resolved, host, cfg, via_hook) if request.gpu_container
           else Resolution())
    warnings = list(request.warnings)
    for dup in request.duplicates:
        warnings.append(DeviceWarning("duplicate-device", f"{dup!r} is requested more than once; "
                                      "nvreq keeps the first occurrence"))
    if request.duplicates and resolved == "jit-cdi" and request.source.kind in ("env", "swarm"):
        warnings.append(DeviceWarning("jit-cdi-duplicate", "in jit-cdi mode a duplicated id leaves "
                                      "an empty slot that becomes runtime.nvidia.com/gpu=none: the "
                                      "container gets the driver files and no GPU (derived)"))
    warnings += res.warnings
    access = resolve_mig_access(env, host, res, privileged=priv, mode=resolved,
                                gpu_container=request.gpu_container)
    warnings += access.warnings
    # The hook's own errors come before nvidia-container-cli's device, then MIG errors.
    hook_error = res.error if res.error == HOOK_CDI_ERROR else access.hook_error
    error = hook_error or res.error or access.cli_error
    return DeviceSelection(
        gpu_container=request.gpu_container, source=request.source, requested=request.ids,
        mode=resolved, mode_reason=reason, enforces_requirements=enforces, gpus=res.gpus,
        mig_devices=res.mig_devices, parents=res.parents, unresolved=res.unresolved,
        warnings=tuple(dict.fromkeys(warnings)), error=error,
        explanation=(*_explain(request, resolved, enforces), *res.explanation),
        cdi_names=res.cdi_names, mig_config=access.config, mig_monitor=access.monitor)


def render_device_table(host: HostProfile, selection: DeviceSelection) -> list[tuple[str, ...]]:
    """Rows (header first) of the host's devices: ``*`` selected, ``+`` pulled in as a parent.

    >>> from nvreq.host.profile import Gpu
    >>> host = HostProfile(gpus=(Gpu(0, uuid="GPU-a"), Gpu(1, uuid="GPU-b")))
    >>> sel = resolve_devices({"NVIDIA_VISIBLE_DEVICES": "1"}, host, legacy_image=False)
    >>> render_device_table(host, sel)[1:]
    [('', '0', 'GPU-a', '', '', ''), ('*', '1', 'GPU-b', '', '', '0')]
    """
    chosen = {g.index for g in selection.gpus}
    migs = {(g.index, m.index) for g, m in selection.mig_devices}
    inside = dict(selection.container_index)
    rows: list[tuple[str, ...]] = [("", "device", "uuid", "pci bus id / MIG", "name", "container")]
    for gpu in sorted(host.gpus, key=lambda g: g.index):
        mark = "*" if gpu.index in chosen else "+" if gpu.index in selection.parents else ""
        rows.append((mark, str(gpu.index), gpu.uuid or "", gpu.pci_bus_id or "", gpu.name or "",
                     str(inside[str(gpu.index)]) if str(gpu.index) in inside else ""))
        for mig in nvml_mig_list(gpu):
            slot = f"GI {mig.gi} CI {mig.ci}" if mig.gi is not None else ""
            rows.append(("*" if (gpu.index, mig.index) in migs else "", mig_label(gpu, mig),
                         mig.uuid or "", slot, mig.profile or "", ""))
    return rows
