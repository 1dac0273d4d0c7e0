"""What ``nvreq env`` and ``nvreq check`` import (images.md §6.3, §6.4): a behaviour, not a timing.

Each case runs the CLI in a fresh interpreter and lists the modules it loaded. The image comes from
the bundled example layout, or from a small stdlib registry serving that layout on 127.0.0.1 (the
protocol itself is tested against a real registry in ``test_images_registry.py``).
"""

from __future__ import annotations

import hashlib
import http.server
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LAYOUT = ROOT / "examples" / "cuda-12.4.1-layout"
TAG = "12.4.1-base-ubuntu22.04"

#: never on these paths: the network stack nvreq does not use, and the grammar library
NEVER = {"lark", "ssl", "email", "http.client", "urllib.request", "tarfile"}
#: start-up costs the image readers avoid (dataclasses brings inspect, ast, dis, tokenize)
READER_AVOIDS = {"typing", "dataclasses", "inspect", "pathlib", "shutil", "importlib.resources",
                 "fnmatch"}
#: what checking against a preset does not need: each a deferred import of the check's road
#: (the toolkit evaluator for CSV mode, --gpus, the importers, the local host) or another
#: command's package
CHECK_AVOIDS = {"importlib.resources", "tomllib", "xml.etree", "pathlib", "shutil", "pynvml",
                "nvreq.host.nvml", "nvreq.host.importers", "nvreq.require.toolkit",
                "nvreq.check.toolkit_report", "nvreq.devices.gpus_flag", "nvreq.host.local",
                "nvreq.host.runtime_files", "nvreq.fleet", "nvreq.doctor",
                "nvreq.devices.jitcdi", "nvreq.devices.cdi_mode", "threading",
                "nvreq.check.renderable", "fnmatch"}
#: what no command on these paths needs: ``dataclasses`` (with ``inspect``, ``ast``, ``dis``,
#: ``tokenize``) and ``typing`` (with ``contextlib``): value types come from ``nvreq._frozen``,
#: type aliases on first read
NO_DATACLASSES = {"dataclasses", "inspect", "ast", "dis", "tokenize", "typing", "contextlib"}
#: the modules of the other commands: a command builds only its own parser
OTHER_COMMANDS = {"nvreq.cli.explain", "nvreq.cli.lint", "nvreq.cli.presets", "nvreq.cli.host",
                  "nvreq.cli.doctor", "nvreq.cli.fleet", "nvreq.cli.affinity", "nvreq.cli.bundle",
                  "nvreq.cli.webhook"}
#: what ``nvreq check`` loads, the check package and the core below it: value types by
#: ``nvreq._frozen``, aliases on first use, so neither ``dataclasses`` (with ``inspect``, ``ast``,
#: ``dis``) nor ``typing``
CORE = ("nvreq.host.sources", "nvreq.host.schema", "nvreq.host.config", "nvreq.require.syntax",
        "nvreq.require.semantics", "nvreq.require.lint", "nvreq.require.compiled",
        "nvreq.require.gosemver", "nvreq.devices.select", "nvreq.devices.capabilities",
        "nvreq.check.cuda_table", "nvreq.check.collection", "nvreq.check.advice",
        "nvreq.check.report", "nvreq.check.checker", "nvreq.check.text", "nvreq._memo")


def modules_after(argv: list[str]) -> tuple[int, set[str]]:
    """Exit code of ``nvreq ARGV`` run in a fresh interpreter, and every module it imported."""
    code = ("import io, json, sys\n"
            "from nvreq.cli.main import main\n"
            "out, sys.stdout = sys.stdout, io.StringIO()\n"
            f"rc = main({argv!r})\n"
            "sys.stdout = out\n"
            "print(json.dumps([rc, sorted(sys.modules)]))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "NO_PROXY": "127.0.0.1",
           "no_proxy": "127.0.0.1"}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    rc, names = json.loads(done.stdout.splitlines()[-1])
    return rc, set(names)


def loaded(names: set[str], wanted: set[str]) -> set[str]:
    """The members of ``wanted`` that were imported, themselves or any submodule."""
    return {w for w in wanted if any(n == w or n.startswith(w + ".") for n in names)}


class _Layout(http.server.BaseHTTPRequestHandler):
    """``GET /v2/cuda/manifests/{TAG|DIGEST}`` and ``/v2/cuda/blobs/DIGEST`` from the layout."""

    def do_GET(self) -> None:
        kind, _, ref = self.path.removeprefix("/v2/cuda/").partition("/")
        if ref == TAG:
            ref = json.loads((LAYOUT / "index.json").read_text())["manifests"][0]["digest"]
        blob = LAYOUT / "blobs" / "sha256" / ref.removeprefix("sha256:")
        if kind not in ("manifests", "blobs") or not ref.startswith("sha256:") or not blob.exists():
            self.send_error(404)
            return
        data = blob.read_bytes()
        self.send_response(200)
        if kind == "manifests":
            self.send_header("Content-Type", json.loads(data)["mediaType"])
        self.send_header("Docker-Content-Digest", "sha256:" + hashlib.sha256(data).hexdigest())
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def registry() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Layout)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_env_of_a_layout_imports_neither_network_nor_typing() -> None:
    rc, names = modules_after(["env", f"oci:{LAYOUT}", "--platform", "linux/amd64"])
    assert rc == 0
    assert loaded(names, NEVER | READER_AVOIDS | NO_DATACLASSES | OTHER_COMMANDS
                  | {"nvreq.cli.check"}) == set()
    assert "importlib" not in names  # the package (its frozen _bootstrap always loads)
    assert "nvreq._frozen" not in names  # the image values have their own cheaper base
    assert loaded(names, {"socket", "urllib", "nvreq.images.registry", "nvreq.images.tar"}) == set()


def test_env_of_a_registry_image_imports_only_the_plain_http_path(registry: str) -> None:
    rc, names = modules_after(["env", f"docker://{registry}/cuda:{TAG}", "--platform",
                               "linux/amd64"])
    assert rc == 0 and "nvreq.images.registry" in names
    # an anonymous pull needs no auth or credentials code, no URL library, no idna codec
    avoided = {"nvreq.images.auth", "nvreq.images.credentials", "urllib", "encodings.idna",
               "threading", "base64"}
    assert loaded(names, NEVER | READER_AVOIDS | NO_DATACLASSES | avoided) == set()


@pytest.mark.parametrize("image", [f"oci:{LAYOUT}", "registry"])
def test_check_against_a_preset_imports_no_profile_importers_or_resources(
        image: str, request: pytest.FixtureRequest) -> None:
    local = image != "registry"
    if not local:
        image = f"docker://{request.getfixturevalue('registry')}/cuda:{TAG}"
    rc, names = modules_after(["check", image, "--host", "preset:h100-r550"])
    assert rc in (0, 1) and "nvreq.check.checker" in names and "nvreq.check.text" in names
    assert loaded(names, NEVER | CHECK_AVOIDS | OTHER_COMMANDS | NO_DATACLASSES) == set()
    # reading a profile needs ``math`` only for a float; the network path has it from selectors
    assert "math" not in names or not local


def test_the_check_package_and_the_core_import_neither_dataclasses_nor_typing() -> None:
    code = f"import json, sys\nimport {', '.join(CORE)}\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT, timeout=60)
    assert done.returncode == 0, done.stderr
    names = set(json.loads(done.stdout))
    assert loaded(names, NO_DATACLASSES | CHECK_AVOIDS) == set()
