"""Node sources: a NodeList file read again when it changes, and the API server's list + watch
through the real ``kubernetes`` client, talking to a small stand-in API server on 127.0.0.1 (no
kube-apiserver can be installed on the test machines: it is in none of their package sources)."""

from __future__ import annotations

import base64
import json
import os
import shutil
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest

from nvreq.webhook.admission import Admission
from nvreq.webhook.cluster import Cluster
from nvreq.webhook.images import ImageCache
from nvreq.webhook.nodes import NodeFile, NodeWatch, PullSecrets, kube_api
from tests.images import world as w
from tests.webhook.kit import body, container, gfd_node, nodelist, pod

AUTHS = {"auths": {"registry.example": {"auth": base64.b64encode(b"u:p").decode()}}}


def _wait(predicate: Any, what: str) -> None:
    end = time.monotonic() + 15
    while not predicate():
        assert time.monotonic() < end, f"never happened: {what}"
        time.sleep(0.05)


def test_a_nodelist_file_is_read_again_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps(nodelist(gfd_node("a"))))
    source = NodeFile(str(path))
    first = source()
    assert first is not None and set(first.labels) == {"a"}
    path.write_text(json.dumps(nodelist(gfd_node("a"), gfd_node("b"))))
    later = time.time() + 5
    os.utime(path, (later, later))
    _wait(lambda: set(source().labels) == {"a", "b"}, "the new file read")  # type: ignore[union-attr]


def test_a_broken_nodelist_keeps_the_previous_nodes(tmp_path: Path) -> None:
    path = tmp_path / "nodes.json"
    path.write_text(json.dumps(nodelist(gfd_node("a"))))
    logged: list[str] = []
    source = NodeFile(str(path), log=logged.append)
    path.write_text("{broken")
    later = time.time() + 5
    os.utime(path, (later, later))
    _wait(lambda: source() is not None and logged, "a message")
    assert "keeping the previous nodes" in logged[0]
    cluster = source()
    assert cluster is not None and set(cluster.labels) == {"a"}


class _Api(BaseHTTPRequestHandler):
    """GET /api/v1/nodes (list, or ?watch=true streaming the queued events) and one secret."""

    protocol_version = "HTTP/1.1"
    nodes: ClassVar[dict[str, dict[str, Any]]] = {}
    events: ClassVar[list[dict[str, Any]]] = []
    auths: ClassVar[dict[str, Any]] = AUTHS

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _json(self, doc: Any) -> None:
        data = json.dumps(doc).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        if self.path.startswith("/api/v1/nodes") and "watch=" in self.path:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Connection", "close")
            self.end_headers()
            while _Api.events:
                event = _Api.events.pop(0)
                name = event["object"]["metadata"]["name"]
                if event["type"] == "DELETED":
                    _Api.nodes.pop(name, None)
                else:
                    _Api.nodes[name] = event["object"]
                self.wfile.write(json.dumps(event).encode() + b"\n")
                self.wfile.flush()
            time.sleep(0.5)
            self.close_connection = True
        elif self.path.startswith("/api/v1/nodes"):
            self._json({"kind": "NodeList", "apiVersion": "v1",
                        "metadata": {"resourceVersion": "7"},
                        "items": list(_Api.nodes.values())})
        elif self.path.startswith("/api/v1/namespaces/ml/secrets/pull"):
            self._json({"kind": "Secret", "apiVersion": "v1", "metadata": {"name": "pull"},
                        "type": "kubernetes.io/dockerconfigjson", "data": {
                            ".dockerconfigjson": base64.b64encode(
                                json.dumps(_Api.auths).encode()).decode()}})
        else:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()


@pytest.fixture
def kubeconfig(tmp_path: Path) -> Iterator[Path]:
    _Api.nodes = {"a": gfd_node("a"), "b": gfd_node("b")}
    _Api.events = []
    _Api.auths = AUTHS
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Api)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    path = tmp_path / "kubeconfig"
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "t",
        "clusters": [{"name": "t", "cluster": {
            "server": f"http://127.0.0.1:{server.server_address[1]}"}}],
        "users": [{"name": "t", "user": {"token": "test-token"}}],
        "contexts": [{"name": "t", "context": {"cluster": "t", "user": "t"}}]}))
    try:
        yield path
    finally:
        server.shutdown()
        server.server_close()


def test_nodes_are_listed_then_watched_through_the_kubernetes_client(kubeconfig: Path) -> None:
    _Api.events = [{"type": "ADDED", "object": gfd_node("c", cuda="12.8")},
                   {"type": "DELETED", "object": gfd_node("a")}]
    watch = NodeWatch(kube_api(str(kubeconfig))).start()
    try:
        _wait(lambda: watch() is not None and set(watch().labels) == {"b", "c"},  # type: ignore[union-attr]
              "the watched events applied")
    finally:
        watch.stop()


def test_image_pull_secrets_become_a_private_docker_config(kubeconfig: Path) -> None:
    secrets = PullSecrets(kube_api(str(kubeconfig)))
    path = secrets("ml", ["pull", "missing"])
    assert path is not None and json.loads(Path(path).read_text()) == AUTHS
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert secrets("ml", ["missing"]) is None


def test_a_kubeconfig_that_does_not_load_is_named(tmp_path: Path) -> None:
    from nvreq.errors import InputError

    (tmp_path / "kc").write_text("{}")
    with pytest.raises(InputError, match="cannot configure the Kubernetes client from"):
        kube_api(str(tmp_path / "kc"))


@pytest.mark.registry
def test_a_private_image_is_read_with_the_pods_pull_secret(kubeconfig: Path,
                                                           tmp_path: Path) -> None:
    if w.missing_tools(("docker-registry",)):
        pytest.skip("needs docker-registry on PATH (apt-get install docker-registry)")
    os.environ.update(w.LOOPBACK_ENV)
    world = w.World(tmp_path)
    try:
        open_port, open_root = world.registry("open")
        config = w.config_json(["NVIDIA_REQUIRE_CUDA=cuda>=12.4", "NVIDIA_VISIBLE_DEVICES=all"])
        w.push_raw(open_port, "private/cuda", "12.4", w.manifest_json(config), w.OCI_MANIFEST,
                   [config])
        locked_root = tmp_path / "locked"
        shutil.copytree(open_root / "data", locked_root / "data")
        (locked_root / "htpasswd").write_text(w.HTPASSWD)
        port, _ = world.registry("locked", f"auth:\n  htpasswd:\n    realm: test-realm\n"
                                           f"    path: {locked_root}/htpasswd\n")
        secret = base64.b64encode(f"{w.USER}:{w.PASSWORD}".encode()).decode()
        _Api.auths = {"auths": {f"127.0.0.1:{port}": {"auth": secret}}}
        cluster = Cluster.from_nodelist(nodelist(gfd_node("new"), gfd_node("old", cuda="12.2")))
        images = ImageCache()
        admission = Admission(lambda: cluster, images,
                              pull_auth=PullSecrets(kube_api(str(kubeconfig))))
        image = f"127.0.0.1:{port}/private/cuda:12.4"
        answer, decision = admission.review(
            body(pod(container("c", image), pull_secrets=["pull"])), "validate")
        assert decision.outcome == "warned", decision
        assert answer["response"]["warnings"] == ["nvreq: runs on 1 of 2 GPU nodes"]
        _, refused = admission.review(body(pod(container("c", image))), "validate")
        assert refused.outcome == "failure-ignored"
        assert "cannot read the image" in refused.warnings[0]
        images.close()
    finally:
        world.stop()
