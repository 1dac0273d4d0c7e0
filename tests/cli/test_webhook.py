"""``nvreq webhook manifests`` prints loadable YAML; ``serve`` reports bad input as exit 2."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from nvreq.cli.main import main

yaml: Any = pytest.importorskip("yaml")


def test_manifests_prints_the_objects_for_a_namespace_and_image(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["webhook", "manifests", "--namespace", "gpu", "--image", "r.io/nvreq:1",
                 "--cert-manager"]) == 0
    docs = list(yaml.safe_load_all(capsys.readouterr().out))
    assert [d["kind"] for d in docs] == [
        "Issuer", "Certificate", "ServiceAccount", "ClusterRole", "ClusterRoleBinding",
        "Service", "Deployment", "MutatingWebhookConfiguration",
        "ValidatingWebhookConfiguration"]
    deployment = docs[6]["spec"]["template"]["spec"]["containers"][0]
    assert deployment["image"] == "r.io/nvreq:1"


@pytest.mark.parametrize(("extra", "message"), [
    (["--nodes", "nodes.json"], "cannot load the TLS certificate"),
    (["--nodes", "nodes.json", "--listen", "nowhere"], "--listen 'nowhere': expected HOST:PORT"),
])
def test_serve_reports_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                 extra: list[str], message: str) -> None:
    (tmp_path / "c.pem").write_text("not a certificate")
    argv = ["webhook", "serve", "--tls-cert", str(tmp_path / "c.pem"), "--tls-key",
            str(tmp_path / "c.pem"), *[str(tmp_path / a) if a.endswith(".json") else a
                                       for a in extra]]
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_serve_answers_over_https_until_sigterm(tmp_path: Path) -> None:
    import http.client
    import json
    import os
    import signal
    import ssl
    import subprocess
    import sys
    import time

    import trustme

    from tests.images.world import free_port
    from tests.webhook.kit import FLEET, body, container, pod

    ca = trustme.CA()
    issued = ca.issue_cert("127.0.0.1")
    issued.private_key_pem.write_to_path(str(tmp_path / "tls.key"))
    issued.cert_chain_pems[0].write_to_path(str(tmp_path / "tls.crt"))
    (tmp_path / "nodes.json").write_text(json.dumps(FLEET))
    port = free_port()
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.Popen(
        [sys.executable, "-m", "nvreq", "webhook", "serve", "--tls-cert",
         str(tmp_path / "tls.crt"), "--tls-key", str(tmp_path / "tls.key"), "--nodes",
         str(tmp_path / "nodes.json"), "--listen", f"127.0.0.1:{port}", "--image-budget", "3"],
        cwd=root, env={**os.environ, "PYTHONPATH": str(root)}, stderr=subprocess.PIPE,
        text=True)
    context = ssl.create_default_context()
    ca.configure_trust(context)
    try:
        end = time.monotonic() + 30
        while True:
            try:
                conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=5)
                conn.request("GET", "/readyz")
                ready = conn.getresponse()
                ready.read()
                assert ready.status == 200
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < end, "the server never came up"
                time.sleep(0.1)
        # nothing listens on port 1: the image cannot be read, so the failure policy answers
        conn.request("POST", "/validate", body=body(pod(container("c", "127.0.0.1:1/x:1")),
                                                    uid="cli-1"))
        answer = json.loads(conn.getresponse().read())
        conn.close()
        assert answer["response"]["uid"] == "cli-1" and answer["response"]["allowed"] is True
        assert "failure policy Ignore" in answer["response"]["warnings"][0]
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert f"serving https://127.0.0.1:{port}" in err


def test_manifests_import_neither_the_server_nor_the_kubernetes_client() -> None:
    from tests.cli.test_import_path import loaded, modules_after

    rc, names = modules_after(["webhook", "manifests", "--namespace", "n", "--image", "i:1"])
    assert rc == 0
    assert loaded(names, {"kubernetes", "http.server", "ssl", "nvreq.webhook.server",
                          "nvreq.images.registry", "lark"}) == set()
