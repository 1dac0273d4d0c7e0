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
