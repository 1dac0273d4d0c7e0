"""Latency of ``nvreq env`` (and ``nvreq check``) against ``skopeo inspect --config`` (§6.4).

Starts loopback registries (no auth, and bearer tokens), pushes the two-platform test image,
then runs 2 warm-up and 25 interleaved rounds of every command through ``subprocess.run`` and
reports medians and ratios to skopeo from the same run. A benchmark, not a test: it never fails
on timings.

    python benchmarks/bench_images.py [--rounds 25] [--check-args "check --host FILE"] [--json]

nvreq runs through the venv's console script when installed (``BIN/nvreq``), else as
``sys.executable -m nvreq``; never through a shim.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.images import world as w  # noqa: E402


def nvreq_command() -> list[str]:
    """The console script next to this interpreter, else ``python -m nvreq``."""
    script = Path(sys.executable).with_name("nvreq")
    return [str(script)] if script.exists() else [sys.executable, "-m", "nvreq"]


def measure(commands: dict[str, list[str]], rounds: int, warmups: int = 2) -> dict[str, float]:
    """Median wall time in ms of each command, interleaved round by round.

    Byte-code is compiled first and ``PYTHONDONTWRITEBYTECODE`` dropped, as for an installed
    wheel: compiling nvreq's sources on every start would measure the compiler, not nvreq.
    """
    env = {**os.environ, **w.LOOPBACK_ENV, "PYTHONPATH": str(ROOT)}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "nvreq")], env=env,
                   check=True, capture_output=True)
    times: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(warmups + rounds):
        for name, argv in commands.items():
            start = time.perf_counter()
            done = subprocess.run(argv, capture_output=True, env=env, check=False)
            elapsed = (time.perf_counter() - start) * 1000
            if done.returncode not in (0, 1):
                tail = done.stderr.decode()[-500:]
                raise SystemExit(f"{name} failed ({done.returncode}): {tail}")
            if i >= warmups:
                times[name].append(elapsed)
    return {name: statistics.median(values) for name, values in times.items()}


def main() -> None:
    """Set up registries, measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=25)
    parser.add_argument("--check-args", help="nvreq check arguments after the image, e.g. "
                                             "'--host profile.json' (omitted: no check row)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    missing = w.missing_tools()
    if missing:
        raise SystemExit(f"needs {', '.join(missing)}")
    work = Path(tempfile.mkdtemp(prefix="nvreq-bench-"))
    world = w.World(work)
    try:
        layout = w.build_layout(work)
        port, _ = world.registry("plain")
        plain = f"127.0.0.1:{port}"
        w.skopeo_copy(f"oci:{layout}:multi", f"docker://{plain}/test/cuda:multi", "--all")
        token_port, token_dir = world.token_server()
        port, _ = world.registry("token", w.token_config(token_port, token_dir / "cert.pem"))
        token = f"127.0.0.1:{port}"
        w.skopeo_copy(f"oci:{layout}:multi", f"docker://{token}/test/cuda:multi", "--all",
                      f"--dest-creds={w.USER}:{w.PASSWORD}")
        nvreq = nvreq_command()
        results = {}
        for label, registry in (("no auth", plain), ("bearer", token)):
            image = f"docker://{registry}/test/cuda:multi"
            commands = {
                "skopeo": ["skopeo", "inspect", "--tls-verify=false", "--config", image],
                "nvreq env": [*nvreq, "env", image],
            }
            if args.check_args:
                commands["nvreq check"] = [*nvreq, "check", image, *shlex.split(args.check_args)]
            medians = measure(commands, args.rounds)
            results[label] = {name: {"median_ms": round(ms, 1),
                                     "ratio": round(ms / medians["skopeo"], 2)}
                              for name, ms in medians.items()}
        archive = work / "image.tar"
        w.run(["skopeo", "copy", "-q", f"oci:{layout}:amd64",
               f"docker-archive:{archive}:test/cuda:single"])
        for label, image in (("oci layout", f"oci:{layout}:multi"),
                             ("docker-archive", f"docker-archive:{archive}")):
            commands = {"skopeo": ["skopeo", "inspect", "--config", image],
                        "nvreq env": [*nvreq, "env", image, "--platform", "linux/amd64"]}
            medians = measure(commands, args.rounds)
            results[label] = {name: {"median_ms": round(ms, 1),
                                     "ratio": round(ms / medians["skopeo"], 2)}
                              for name, ms in medians.items()}
    finally:
        world.stop()
        shutil.rmtree(work, ignore_errors=True)
    skopeo_version = subprocess.run(["skopeo", "--version"], capture_output=True,
                                    text=True).stdout.strip()
    registry_version = subprocess.run(["docker-registry", "--version"], capture_output=True,
                                      text=True).stdout.strip()
    machine = {"cpus": os.cpu_count(), "load": [round(x, 2) for x in os.getloadavg()],
               "python": platform.python_version(), "skopeo": skopeo_version,
               "registry": registry_version, "nvreq": " ".join(nvreq), "rounds": args.rounds}
    if args.json:
        print(json.dumps({"machine": machine, "results": results}, indent=2))
        return
    print(f"machine: {machine}")
    for label, rows in results.items():
        print(f"\n{label}")
        for name, row in rows.items():
            print(f"  {name:<12} {row['median_ms']:>7.1f} ms   {row['ratio']:.2f}x skopeo")


if __name__ == "__main__":
    main()
