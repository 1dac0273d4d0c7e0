"""Whole-process start-up of ``nvreq check`` and ``nvreq env`` against ``skopeo inspect --config``.

Run: ``python benchmarks/bench_startup.py`` (``--rounds N``, ``--host PRESET``, ``--clock cpu``,
``--json``).

Workload (issue #10, point 4): the example image ``examples/cuda-12.4.1-layout`` (the environment
of nvidia/cuda:12.4.1-base-ubuntu22.04) read from four places: a loopback ``docker-registry``
(pushed with ``skopeo copy --all``), the same behind the test token server (anonymous pulls get a
bearer token), the OCI layout itself, and a ``docker save`` archive (``skopeo copy`` to
``docker-archive:``). Per place, every round runs ``skopeo inspect --config``,
``nvreq env IMAGE`` and ``nvreq check IMAGE --host preset:h100-r550`` once each, in turn, as
whole processes, with three floors: the interpreter alone, plus the console script's
``import re``, plus ``argparse`` and ``json`` (what any argparse command reading JSON loads);
and, per command, a process that only imports every module that command loads (listed from one
run of it first) and runs nothing: what the command's code costs to load, before it does any
work; and the same for check with nvreq's byte-code loaded from one file (no lookup or read per
module: about the least any layout of nvreq's code as Python modules could cost). Baseline:
skopeo, measured in the same rounds. Goals: check <= 3x, env <= 2x.

``--against TREE`` also times ``nvreq env`` and ``nvreq check`` of another checkout (say the
commit before a change) in the same rounds, run as ``python -c`` with that tree first on the path:
a before/after comparison that a load change on the machine cannot skew.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._rounds import (  # noqa: E402
    Stats,
    compiled_env,
    interleave,
    nvreq_command,
    process_sampler,
    table,
)
from tests.images import world as w  # noqa: E402

LAYOUT = ROOT / "examples" / "cuda-12.4.1-layout"
TAG = "12.4.1-base-ubuntu22.04"
#: what every ``nvreq`` run costs before nvreq's code: the interpreter (with ``site``), the
#: console script's own ``import re``, and the standard modules every command needs
FLOORS = {"floor: python -c pass": (sys.executable, "-c", "pass"),
          "floor: python -c 'import re'": (sys.executable, "-c", "import re"),
          "floor: python -c 'import argparse, json'": (sys.executable, "-c",
                                                       "import argparse, json")}


def images(world: w.World, work: Path) -> dict[str, tuple[str, list[str]]]:
    """Place -> (image reference, extra skopeo flags), the registries and archive set up here."""
    port, _ = world.registry("plain")
    plain = f"docker://127.0.0.1:{port}/cuda:{TAG}"
    w.skopeo_copy(f"oci:{LAYOUT}:{TAG}", plain, "--all")
    token_port, token_dir = world.token_server()
    port, _ = world.registry("token", w.token_config(token_port, token_dir / "cert.pem"))
    token = f"docker://127.0.0.1:{port}/cuda:{TAG}"
    w.skopeo_copy(f"oci:{LAYOUT}:{TAG}", token, "--all", f"--dest-creds={w.USER}:{w.PASSWORD}")
    archive = work / "image.tar"
    w.run(["skopeo", "copy", "-q", f"oci:{LAYOUT}:{TAG}", f"docker-archive:{archive}:cuda:{TAG}"])
    return {"loopback registry": (plain, ["--tls-verify=false"]),
            "loopback registry, anonymous bearer token": (token, ["--tls-verify=false"]),
            "oci layout": (f"oci:{LAYOUT}:{TAG}", []),
            "docker-archive": (f"docker-archive:{archive}", [])}


def _loaded(argv: list[str], env: dict[str, str]) -> list[str]:
    """Every module ``nvreq ARGV`` loads, in the order it loads them."""
    code = ("import io, json, sys\n"
            "from nvreq.cli.main import main\n"
            "out, sys.stdout = sys.stdout, io.StringIO()\n"
            f"main({argv!r})\n"
            "sys.stdout = out\n"
            "print(json.dumps(list(sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          check=True)
    return [n for n in json.loads(done.stdout.splitlines()[-1])
            if n != "__main__" and not n.startswith("_frozen_importlib")]


def imports_of(argv: list[str], env: dict[str, str]) -> tuple[str, ...]:
    """A process that imports every module ``nvreq ARGV`` loads, in the order it loads them."""
    return (sys.executable, "-c", "import re\nimport " + ", ".join(_loaded(argv, env)))


#: loads the standard modules as usual and nvreq's from one file of their byte-code
_BUNDLE_LOADER = """\
import re, marshal, sys
from importlib.machinery import ModuleSpec
others, mine = marshal.loads(open(sys.argv[1], "rb").read())
class OneFile:
    @staticmethod
    def find_spec(name, path=None, target=None):
        found = mine.get(name)
        return None if found is None else ModuleSpec(name, OneFile, origin=found[0],
                                                     is_package=found[1])
    @staticmethod
    def create_module(spec):
        return None
    @staticmethod
    def exec_module(module):
        origin, package, code = mine[module.__name__]
        module.__file__ = origin
        if package:
            module.__path__ = [origin.rpartition("/")[0]]
        exec(code, module.__dict__)
sys.meta_path.insert(0, OneFile)
for name in others + list(mine):
    __import__(name)
"""


def bundled_imports_of(argv: list[str], env: dict[str, str], work: Path) -> tuple[str, ...]:
    """A process that loads the same modules, nvreq's byte-code all from one file: no lookup,
    stat or read per module (what no packaging of nvreq as separate modules can beat)."""
    import importlib.util
    import marshal

    names = _loaded(argv, env)
    mine = {}
    for name in (n for n in names if n == "nvreq" or n.startswith("nvreq.")):
        spec = importlib.util.find_spec(name)
        assert spec is not None and spec.origin is not None and spec.loader is not None
        mine[name] = (spec.origin, spec.submodule_search_locations is not None,
                      spec.loader.get_code(name))  # type: ignore[attr-defined]
    others = [n for n in names if n not in mine]
    blob = work / f"bundle-{len(list(work.glob('bundle-*.bin')))}.bin"
    blob.write_bytes(marshal.dumps((others, mine)))
    loader = work / "bundle-loader.py"
    loader.write_text(_BUNDLE_LOADER)
    return (sys.executable, str(loader), str(blob))


def launcher(tree: Path) -> list[str]:
    """``nvreq`` from the checkout ``tree``: what its console script does, that tree first."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree / "nvreq")], check=True,
                   capture_output=True)
    return [sys.executable, "-c", f"import sys; sys.path.insert(0, {str(tree)!r}); import re; "
            "sys.argv[0] = 'nvreq'; from nvreq.cli.main import entry; entry()"]


def measure(rounds: int, host: str, clock: str = "wall",
            against: Path | None = None) -> dict[str, dict[str, Stats]]:
    """Per place, the interleaved figures of skopeo, nvreq env and nvreq check (and those of the
    checkout ``against``)."""
    missing = w.missing_tools(("docker-registry", "skopeo", "openssl"))
    if missing:
        raise SystemExit(f"needs {', '.join(missing)}")
    env = compiled_env(w.LOOPBACK_ENV)
    nvreq = nvreq_command()
    work = Path(tempfile.mkdtemp(prefix="nvreq-bench-"))
    world = w.World(work)
    try:
        results = {}
        for place, (image, flags) in images(world, work).items():
            commands = {
                "skopeo": ["skopeo", "inspect", *flags, "--config", image],
                **{name: [*argv] for name, argv in FLOORS.items()},
                "floor: the imports of nvreq env": [*imports_of(["env", image], env)],
                "nvreq env": [*nvreq, "env", image],
                "floor: the imports of nvreq check": [
                    *imports_of(["check", image, "--host", host], env)],
                "floor: the same, from one file": [
                    *bundled_imports_of(["check", image, "--host", host], env, work)],
                "nvreq check": [*nvreq, "check", image, "--host", host],
            }
            if against is not None:
                other = launcher(against)
                commands |= {f"nvreq env ({against})": [*other, "env", image],
                             f"nvreq check ({against})": [*other, "check", image, "--host", host]}
            cases = {name: process_sampler(argv, env, clock=clock)
                     for name, argv in commands.items()}
            results[place] = interleave(cases, rounds, warmups=2, baseline="skopeo")
        return results
    finally:
        world.stop()
        shutil.rmtree(work, ignore_errors=True)


def _version(tool: str) -> str:
    return subprocess.run([tool, "--version"], capture_output=True, text=True).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--host", default="preset:h100-r550")
    parser.add_argument("--clock", choices=("wall", "cpu"), default="wall",
                        help="wall: elapsed time (default); cpu: each process's user + system "
                        "time, steadier on a busy machine")
    parser.add_argument("--against", type=Path, metavar="TREE",
                        help="also time nvreq env and check of this other checkout")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    against = args.against.resolve() if args.against else None
    results = measure(args.rounds, args.host, args.clock, against)
    machine = {"cpus": os.cpu_count(), "load": [round(x, 2) for x in os.getloadavg()],
               "python": platform.python_version(), "skopeo": _version("skopeo"),
               "nvreq": " ".join(nvreq_command()), "rounds": args.rounds,
               "clock": args.clock}
    if args.json:
        json.dump({"machine": machine,
                   "results": {place: {name: s.to_dict(1e-3) for name, s in r.items()}
                               for place, r in results.items()}}, sys.stdout, indent=2)
        print()
        return 0
    print(f"machine: {machine}")
    for place, r in results.items():
        print(f"\n{place}: median ms [q1–q3], ratio to skopeo per round [q1–q3]")
        print(table(r, 1e-3, "ms", baseline="skopeo"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
