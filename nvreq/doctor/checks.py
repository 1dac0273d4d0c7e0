"""``nvreq doctor``: is this host ready for GPU containers? NVIDIA's documented prerequisites.

Every input is injectable: ``root`` stands for ``/``, ``nvml`` gives the NVML profile and
``runner`` runs commands (``docker version``, ``nvidia-ctk --version``), so tests use a temporary
directory and fakes, never the machine's own files.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from nvreq._frozen import frozen
from nvreq.doctor.stack import inspect_stack
from nvreq.errors import NvreqError
from nvreq.host.config import CONFIG_KEYS
from nvreq.host.nvml import live_profile
from nvreq.host.packages import Package, Runner, read_installed
from nvreq.host.profile import HostProfile
from nvreq.host.runtime_files import RuntimeFiles, read_runtime_files
from nvreq.require.versions import version_at_least, version_tuple

__all__ = ["BINARIES", "Check", "DoctorReport", "run_doctor"]

PASS, WARN, FAIL = "pass", "warn", "fail"
MIN_DRIVER = "418.81.07"
_BIN_DIRS = ("usr/local/sbin", "usr/local/bin", "usr/sbin", "usr/bin", "sbin", "bin")
_VERSION = re.compile(r"([0-9]+\.[0-9]+(?:\.[0-9]+)?(?:[-~][0-9A-Za-z.]+)?)")
_CONFIGURE = "sudo nvidia-ctk runtime configure --runtime=docker"

#: The toolkit's binaries: name, whether it is required, the package that ships it.
BINARIES: tuple[tuple[str, bool, str], ...] = (
    ("nvidia-container-cli", True, "libnvidia-container-tools"),
    ("nvidia-container-runtime-hook", True, "nvidia-container-toolkit"),
    ("nvidia-container-runtime", False, "nvidia-container-toolkit-base"),
    ("nvidia-ctk", False, "nvidia-container-toolkit-base"),
)

@frozen
class Check:
    """One prerequisite: ``status`` is pass, warn or fail; ``fix`` is one line."""

    name: str
    status: str
    summary: str
    fix: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The check as a JSON-ready object."""
        out = {"name": self.name, "status": self.status, "summary": self.summary}
        return out | ({"fix": self.fix} if self.fix else {})


@frozen
class DoctorReport:
    """Every check; true when none fails."""

    checks: tuple[Check, ...]

    def __bool__(self) -> bool:
        return all(c.status != FAIL for c in self.checks)

    def to_dict(self) -> dict[str, Any]:
        """The report as a JSON-ready object."""
        return {"ok": bool(self), "checks": [c.to_dict() for c in self.checks]}


def _at_least(version: str, minimum: str) -> bool:
    """An unreadable version counts as too old here: the doctor asks for proof."""
    return version_at_least(version, *map(int, minimum.split(".")), unknown=False)


def run_doctor(root: str | Path = "/", *, nvml: Callable[[], HostProfile] | None = None,
               runner: Runner | None = None) -> DoctorReport:
    """Run every check against the host under ``root``; ``nvml`` defaults to the live NVML."""
    root = Path(root)
    run: Runner = runner or (lambda argv: None)
    found = read_installed(root, runner)
    packages = found[1] if found else {}
    checks = [_kernel(root), _docker(run, packages)]
    checks += _gpus(nvml or (lambda: live_profile(root=root)))
    checks += [_binary(root, run, packages, *spec) for spec in BINARIES]
    try:
        files: RuntimeFiles | None = read_runtime_files(root)
    except NvreqError as exc:
        checks.append(Check("runtime-files", FAIL, str(exc), "fix the file's syntax"))
        files = None
    if files is not None:
        checks += _docker_runtime(root, files) + _config(files)
    checks += _packages(found)
    return DoctorReport(tuple(checks))


def _kernel(root: Path) -> Check:
    try:
        release = (root / "proc/sys/kernel/osrelease").read_text("utf-8", "replace").strip()
    except OSError:
        return Check("kernel", WARN, "Linux kernel version unknown (no /proc/sys/kernel/osrelease)")
    version = (version_tuple(release) or ())[:2]
    if version > (3, 10):
        return Check("kernel", PASS, f"Linux kernel {release} (> 3.10)")
    if version == (3, 10):
        return Check("kernel", WARN, f"Linux kernel {release} is at the documented bound (> 3.10)",
                     "upgrade the kernel if containers fail to start")
    return Check("kernel", FAIL, f"Linux kernel {release or 'unknown'} is too old (needs > 3.10)",
                 "upgrade the kernel to a version above 3.10")


def _docker(run: Runner, packages: dict[str, Package]) -> Check:
    version = run(["docker", "version", "--format", "{{.Server.Version}}"])
    how = "docker version"
    if not version or version_tuple(version) is None:
        name = next((n for n in ("docker-ce", "docker.io", "moby-engine", "docker")
                     if n in packages), None)
        if name is None:
            return Check("docker", WARN, "Docker not found",
                         "install Docker >= 19.03 (ignore on containerd, CRI-O or podman hosts)")
        version, how = packages[name].version.split(":", 1)[-1], f"package {name}"
    version = version.strip()
    if _at_least(version, "19.03"):
        return Check("docker", PASS, f"Docker {version} ({how}) supports --gpus (>= 19.03)")
    if _at_least(version, "1.12"):
        return Check("docker", WARN, f"Docker {version} predates --gpus (19.03); GPUs need "
                     "--runtime=nvidia", "upgrade Docker to 19.03 or newer")
    return Check("docker", FAIL, f"Docker {version} is too old (minimum 1.12)",
                 "upgrade Docker to 19.03 or newer")


def _gpus(nvml: Callable[[], HostProfile]) -> list[Check]:
    try:
        profile = nvml()
    except NvreqError as exc:
        if getattr(exc, "bindings_missing", False):
            return [Check("driver", FAIL, f"NVML: {exc}",
                          "pip install 'nvreq[nvml]' (the driver itself may be fine)")]
        return [Check("driver", FAIL, f"NVML: {exc}",
                      f"install the NVIDIA driver (>= {MIN_DRIVER}) and load its kernel module")]
    checks = []
    if profile.driver is None:
        checks.append(Check("driver", WARN, "NVIDIA driver version unknown"))
    elif _at_least(profile.driver, MIN_DRIVER):
        checks.append(Check("driver", PASS, f"NVIDIA driver {profile.driver} (>= {MIN_DRIVER})"))
    else:
        checks.append(Check("driver", FAIL, f"NVIDIA driver {profile.driver} is older than "
                            f"{MIN_DRIVER}", f"install driver {MIN_DRIVER} or newer"))
    if not profile.gpus:
        checks.append(Check("gpu", FAIL, "NVML sees no GPU", "check the GPU and its driver"))
    for gpu in profile.gpus:
        label = f"GPU {gpu.index} ({gpu.name or 'unknown'})"
        if gpu.extra.get("x-gpu-lost"):
            checks.append(Check(f"gpu{gpu.index}", FAIL, f"{label} is lost (fell off the bus)",
                                "check the kernel log (Xid 79), then reset the GPU or reboot"))
        elif gpu.arch is None:
            checks.append(Check(f"gpu{gpu.index}", WARN, f"{label}: compute capability unknown"))
        elif _at_least(gpu.arch, "3.0"):
            checks.append(Check(f"gpu{gpu.index}", PASS,
                                f"{label}: compute capability {gpu.arch} (>= 3.0, Kepler)"))
        else:
            checks.append(Check(f"gpu{gpu.index}", FAIL, f"{label}: compute capability "
                                f"{gpu.arch} is older than Kepler (3.0)", "use a newer GPU"))
    return checks


def _which(root: Path, name: str) -> Path | None:
    if name.startswith("/"):
        path = root / name.lstrip("/")
        return path if path.is_file() else None
    return next((root / d / name for d in _BIN_DIRS if (root / d / name).is_file()), None)


def _binary(root: Path, run: Runner, packages: dict[str, Package], name: str, required: bool,
            package: str) -> Check:
    path = _which(root, name)
    if path is None:
        return Check(name, FAIL if required else WARN, f"{name} not found",
                     f"install the {package} package")
    shown = "/" + str(path.relative_to(root))
    output = run([str(path), "--version"])
    found = _VERSION.search(output or "")
    if found:
        return Check(name, PASS, f"{shown} version {found.group(1)}")
    if package in packages:
        return Check(name, PASS, f"{shown} (package {package} {packages[package].version})")
    return Check(name, PASS, f"{shown} (version unknown)")


def _docker_runtime(root: Path, files: RuntimeFiles) -> list[Check]:
    if files.daemon is None:
        return [Check("nvidia-runtime", WARN, f"no {files.daemon_path}: the nvidia runtime is not "
                      "registered (docker run --gpus still works through the hook)",
                      f"{_CONFIGURE} && sudo systemctl restart docker")]
    entry = files.daemon.get("runtimes", {}).get("nvidia") \
        if isinstance(files.daemon.get("runtimes"), dict) else None
    if not isinstance(entry, dict):
        checks = [Check("nvidia-runtime", WARN, "the nvidia runtime is not registered in "
                        "daemon.json (needed for --runtime=nvidia and Kubernetes)",
                        f"{_CONFIGURE} && sudo systemctl restart docker")]
    elif _which(root, str(entry.get("path", ""))) is None:
        checks = [Check("nvidia-runtime", FAIL, f"daemon.json registers the nvidia runtime at "
                        f"{entry.get('path')!r}, which does not exist",
                        "install nvidia-container-toolkit-base or fix the path in daemon.json")]
    else:
        checks = [Check("nvidia-runtime", PASS,
                        f"nvidia runtime registered in daemon.json ({entry.get('path')})")]
    if files.default_runtime == "nvidia":
        checks.append(Check("default-runtime", PASS, "nvidia is Docker's default runtime"))
    else:
        checks.append(Check("default-runtime", WARN, f"Docker's default runtime is "
                            f"{files.default_runtime or 'runc'}; Kubernetes setups need nvidia",
                            f"{_CONFIGURE} --set-as-default && sudo systemctl restart docker"))
    return checks


def _config(files: RuntimeFiles) -> list[Check]:
    if files.config is None:
        return [Check("config", PASS, f"no {files.config_path}: the toolkit defaults apply")]
    checks = []
    for key in CONFIG_KEYS:
        value, default = files.stated(key.name), key.default
        if value is None or value == default or (isinstance(default, tuple)
                                                 and value == list(default)):
            continue
        checks.append(Check(f"config:{key.name}", WARN, f"{key.name} = {value!r}: {key.effect}",
                            f"remove {key.name} from {files.config_path} to restore "
                            f"{default!r}"))
    return checks or [Check("config", PASS, "config.toml keeps the defaults of every setting "
                            "that changes verdicts")]


def _packages(found: tuple[str, dict[str, Package]] | None) -> list[Check]:
    if found is None:
        return [Check("packages", WARN, "no dpkg or rpm database found; packages not checked")]
    kind, packages = found
    state = inspect_stack(packages)
    checks = []
    for package in state.installed:
        links = [str(link) for link in state.missing_links if link.package == package.name]
        if package.configured and not links:
            checks.append(Check(f"package:{package.name}", PASS,
                                f"{package.name} {package.version}"))
        else:
            what = "installed" if package.configured else f"{package.state}, not configured"
            checks.append(Check(f"package:{package.name}", FAIL,
                                f"{package.name} {package.version} is {what}"
                                + (f"; {'; '.join(links)}" if links else "")))
    if state.install_order or state.unconfigured:
        command = "sudo dpkg -i NAME_*.deb" if kind == "dpkg" else "sudo rpm -i NAME-*.rpm"
        order = ", ".join(state.install_order)
        steps = [f"install in this order: {order} ({command})"] if order else []
        if kind == "dpkg" and state.unconfigured:
            steps.append("sudo dpkg --configure -a")
        missing = f"missing: {order}" if order else "packages left unconfigured"
        checks.append(Check("packages", FAIL, f"{kind}: the GPU container stack is incomplete "
                            f"({missing})", "; then ".join(steps)))
    else:
        checks.append(Check("packages", PASS, f"{kind}: the GPU container stack is complete"))
    return checks
