"""This machine as a profile: NVML's facts plus the runtime configuration and toolkit version."""

from __future__ import annotations

from pathlib import Path

from nvreq.host.nvml import live_profile
from nvreq.host.packages import Runner, read_installed, toolkit_version
from nvreq.host.profile import HostProfile
from nvreq.host.runtime_files import read_runtime_files, with_runtime

__all__ = ["local_host", "with_local_runtime"]


def with_local_runtime(profile: HostProfile, root: str | Path = "/",
                       runner: Runner | None = None) -> HostProfile:
    """``profile`` with the ``runtime`` section read from the files under ``root``.

    The toolkit version comes from the installed packages (dpkg, or rpm through ``runner``).
    """
    installed = read_installed(root, runner)
    version = toolkit_version(installed[1]) if installed else None
    return with_runtime(profile, read_runtime_files(root).settings(version))


def local_host(root: str | Path = "/", runner: Runner | None = None) -> HostProfile:
    """The live host through NVML, with its runtime setup (``nvreq host``); raises ``NvmlError``.

    A caller that has no live host (no driver) gets an ``NvmlError`` whose text points to
    ``--host PRESET`` and ``--host FILE``.
    """
    return with_local_runtime(live_profile(root=root), root, runner)
