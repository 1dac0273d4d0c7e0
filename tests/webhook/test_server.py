"""The real HTTPS server on 127.0.0.1 with a test CA (``trustme``): TLS 1.2+, certificate
rotation, health, metrics, capped bodies; images from a loopback ``docker-registry``, and a
registry that never answers, which the failure policy must cover within the time budget."""

from __future__ import annotations

import http.client
import json
import os
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import trustme

from nvreq.webhook.admission import Admission, FailurePolicy, Settings
from nvreq.webhook.cluster import Cluster
from nvreq.webhook.images import ImageCache
from nvreq.webhook.server import TlsFiles, WebhookServer
from tests.images import world as w
from tests.webhook.kit import CUDA_12_4, FLEET, FakeRegistry, body, container, patched, pod

IMAGES = {"nvcr.io/nvidia/cuda:12.4.1": [f"NVIDIA_REQUIRE_CUDA={CUDA_12_4}",
                                         "NVIDIA_VISIBLE_DEVICES=all"]}


def _issue(ca: trustme.CA, directory: Path) -> tuple[Path, Path]:
    cert = ca.issue_cert("127.0.0.1", "localhost")
    cert_path, key_path = directory / "tls.crt", directory / "tls.key"
    cert.private_key_pem.write_to_path(str(key_path))
    cert.cert_chain_pems[0].write_to_path(str(cert_path))
    return cert_path, key_path


class Running:
    """A server on a free loopback port, served from a thread."""

    def __init__(self, server: WebhookServer, ca: trustme.CA) -> None:
        self.server = server
        self.port = server.server_address[1]
        self.client = ssl.create_default_context()
        ca.configure_trust(self.client)
        self.thread = threading.Thread(target=server.serve_forever, daemon=True)
        self.thread.start()

    def connect(self, timeout: float = 20.0) -> http.client.HTTPSConnection:
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=self.client,
                                           timeout=timeout)

    def post(self, path: str, data: bytes, timeout: float = 20.0) -> tuple[int, Any]:
        conn = self.connect(timeout)
        try:
            conn.request("POST", path, body=data, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            raw = resp.read()
            return resp.status, json.loads(raw) if resp.getheader(
                "Content-Type") == "application/json" else raw.decode()
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, str]:
        conn = self.connect()
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            return resp.status, resp.read().decode()
        finally:
            conn.close()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)


def start(tmp: Path, admission: Admission, **kw: Any) -> tuple[Running, trustme.CA, TlsFiles]:
    ca = trustme.CA()
    cert, key = _issue(ca, tmp)
    tls = TlsFiles(str(cert), str(key))
    server = WebhookServer(("127.0.0.1", 0), admission, tls, **kw)
    return Running(server, ca), ca, tls


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Running, trustme.CA, TlsFiles]]:
    cluster = Cluster.from_nodelist(FLEET)
    admission = Admission(lambda: cluster, ImageCache(reader=FakeRegistry(IMAGES)))
    running, ca, tls = start(tmp_path, admission, max_body=1 << 20)
    yield running, ca, tls
    running.stop()


def test_mutate_over_https_returns_a_patch_for_the_same_uid(served: Any) -> None:
    running, _, _ = served
    obj = pod(container("c", "nvcr.io/nvidia/cuda:12.4.1"))
    status, answer = running.post("/mutate", body(obj, uid="uid-https-1"))
    assert status == 200 and answer["response"]["uid"] == "uid-https-1"
    assert "nodeAffinity" in patched(obj, answer)["spec"]["affinity"]


def test_health_readiness_and_metrics(served: Any) -> None:
    running, _, _ = served
    running.post("/validate", body(pod(container("c", "nvcr.io/nvidia/cuda:12.4.1"))))
    running.post("/validate", body(pod(container("c", "nvcr.io/nvidia/cuda:12.4.1"))))
    assert running.get("/healthz") == (200, "ok\n")
    assert running.get("/readyz") == (200, "ok\n")
    status, text = running.get("/metrics")
    assert status == 200
    assert 'nvreq_webhook_decisions_total{endpoint="validate",outcome="warned"} 2' in text
    assert 'nvreq_webhook_review_seconds_count{endpoint="validate"} 2' in text
    assert "nvreq_webhook_image_cache_hits_total 1" in text
    assert 'nvreq_webhook_requests_total{path="/validate",code="200"} 2' in text


def test_unknown_paths_are_404(served: Any) -> None:
    running, _, _ = served
    assert running.get("/nope")[0] == 404
    assert running.post("/nope", b"{}")[0] == 404
    assert 'nvreq_webhook_requests_total{path="other",code="404"} 2' in running.get("/metrics")[1]


def test_a_body_over_the_cap_gets_a_policy_answer_with_its_uid(served: Any) -> None:
    running, _, _ = served
    obj = pod(container("c", "nvcr.io/nvidia/cuda:12.4.1"),
              annotations={"pad": "x" * (2 << 20)})
    status, answer = running.post("/validate", body(obj, uid="uid-huge"))
    assert status == 200 and answer["response"]["uid"] == "uid-huge"
    assert answer["response"]["allowed"] is True
    assert "over the limit of 1048576" in answer["response"]["warnings"][0]


def test_the_server_speaks_tls_1_2_and_later_only(served: Any) -> None:
    running, ca, tls = served
    assert tls.context().minimum_version == ssl.TLSVersion.TLSv1_2
    for top in (ssl.TLSVersion.TLSv1_2, ssl.TLSVersion.TLSv1_3):
        client = ssl.create_default_context()
        ca.configure_trust(client)
        client.maximum_version = top
        with socket.create_connection(("127.0.0.1", running.port), timeout=10) as raw, \
                client.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
            assert sock.version() == top.name.replace("v1_", "v1.")


def _served_pem(running: Running) -> str:
    with socket.create_connection(("127.0.0.1", running.port), timeout=10) as raw, \
            running.client.wrap_socket(raw, server_hostname="127.0.0.1") as sock:
        der = sock.getpeercert(binary_form=True)
    assert der is not None
    return "".join(ssl.DER_cert_to_PEM_cert(der).split())


def test_a_rotated_certificate_is_served_without_a_restart(served: Any,
                                                           tmp_path: Path) -> None:
    running, _, tls = served
    assert running.get("/healthz")[0] == 200
    new_ca = trustme.CA()
    staging = tmp_path / "new"
    staging.mkdir()
    cert, key = _issue(new_ca, staging)
    os.replace(key, tls.key)
    os.replace(cert, tls.cert)
    future = time.time() + 5
    os.utime(tls.cert, (future, future))
    os.utime(tls.key, (future, future))
    new_ca.configure_trust(running.client)
    wanted = "".join(Path(tls.cert).read_text().split())
    end = time.monotonic() + 15
    while True:  # the server looks at the files at most once a second
        if _served_pem(running) == wanted:
            break
        assert time.monotonic() < end, "the new certificate was never served"
        time.sleep(0.3)


def test_a_registry_that_never_answers_gets_the_failure_policy_within_the_budget(
        tmp_path: Path) -> None:
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)  # accepts connections, never answers
    port = silent.getsockname()[1]
    cluster = Cluster.from_nodelist(FLEET)
    try:
        policies: tuple[tuple[FailurePolicy, bool], ...] = (("Ignore", True), ("Fail", False))
        for policy, allowed in policies:
            admission = Admission(lambda: cluster, ImageCache(read_timeout=60),
                                  Settings(failure_policy=policy, image_budget=1.0))
            running, _, _ = start(tmp_path, admission)
            try:
                obj = pod(container("c", f"127.0.0.1:{port}/cuda:hang"))
                # the client gives up long before Kubernetes' 10 s would; a hang fails here
                status, answer = running.post("/validate", body(obj, uid=policy), timeout=6)
            finally:
                running.stop()
            assert status == 200 and answer["response"]["allowed"] is allowed
            text = json.dumps(answer["response"])
            assert "did not answer within 1.0 s" in text
    finally:
        silent.close()


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    missing = w.missing_tools(("docker-registry",))
    if missing:
        pytest.skip("needs docker-registry on PATH (apt-get install docker-registry)")
    os.environ.update(w.LOOPBACK_ENV)
    world = w.World(tmp_path_factory.mktemp("webhook-registry"))
    try:
        port, _ = world.registry("reg")
        for tag, env in (("12.4.1", IMAGES["nvcr.io/nvidia/cuda:12.4.1"]),
                         ("13.0", ["NVIDIA_REQUIRE_CUDA=cuda>=13.0",
                                   "NVIDIA_VISIBLE_DEVICES=all"])):
            config = w.config_json(env)
            w.push_raw(port, "cuda", tag, w.manifest_json(config), w.OCI_MANIFEST, [config])
        yield port
    finally:
        world.stop()


@pytest.mark.registry
def test_images_from_a_real_registry_are_read_once_then_cached(registry: int,
                                                               tmp_path: Path) -> None:
    cluster = Cluster.from_nodelist(FLEET)
    images = ImageCache()
    running, _, _ = start(tmp_path, Admission(lambda: cluster, images))
    try:
        obj = pod(container("c", f"127.0.0.1:{registry}/cuda:12.4.1"))
        for _ in range(3):
            status, answer = running.post("/mutate", body(obj))
            assert status == 200
        used = json.loads(patched(obj, answer)["metadata"]["annotations"]["nvreq.dev/images"])
        assert used[0]["digest"].startswith("sha256:")
        assert (images.misses, images.hits) == (1, 2)
        status, answer = running.post(
            "/validate", body(pod(container("c", f"127.0.0.1:{registry}/cuda:13.0"))))
        assert answer["response"]["allowed"] is False
        assert "unsatisfied condition: cuda>=13.0" in answer["response"]["status"]["message"]
    finally:
        running.stop()
        images.close()
