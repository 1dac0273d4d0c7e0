"""Where the webhook's nodes come from: a NodeList file, or the API server (watched).

Both keep the latest ``Cluster`` and build it again only when a node's labels or capacity
change. The API server is reached through the ``kubernetes`` client (``nvreq[kubernetes]``),
imported only here and only when used.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from nvreq.errors import InputError
from nvreq.files import read_capped
from nvreq.fleet.inputs import MAX_FLEET_BYTES
from nvreq.formats import jsontext
from nvreq.webhook.cluster import Cluster

Log = Callable[[str], None]


def _quiet(_message: str) -> None:
    """Drop a message (the command line passes a function that prints)."""


__all__ = ["NodeFile", "NodeWatch", "PullSecrets", "docker_auths", "kube_api"]


class NodeFile:
    """Nodes from a ``kubectl get nodes -o json`` file, read again when it changes."""

    def __init__(self, path: str, *, log: Log = _quiet, **options: Any) -> None:
        self.path = path
        self.log = log
        self.options = options
        self._stamp: int | None = None
        self._cluster: Cluster | None = None
        self._lock = threading.Lock()
        self._checked = 0.0
        self._load()

    def _load(self) -> None:
        stamp = os.stat(self.path).st_mtime_ns
        try:
            data = jsontext.loads(read_capped(self.path, MAX_FLEET_BYTES, what="NodeList"))
        except ValueError as exc:
            raise InputError(f"{self.path}: not a JSON NodeList: {exc}") from None
        if not isinstance(data, dict):
            raise InputError(f"{self.path}: expected a NodeList object")
        self._cluster = Cluster.from_nodelist(data, source=self.path, **self.options)
        self._stamp = stamp

    def __call__(self) -> Cluster | None:
        """The current view (the previous one while a changed file does not read)."""
        now = time.monotonic()
        if now - self._checked >= 2.0:
            with self._lock:
                self._checked = now
                try:
                    if os.stat(self.path).st_mtime_ns != self._stamp:
                        self._load()
                except (OSError, InputError) as exc:
                    self.log(f"{exc}; keeping the previous nodes")
        return self._cluster


def kube_api(kubeconfig: str | None = None) -> Any:
    """A ``CoreV1Api`` from ``kubeconfig``, or the in-cluster service account."""
    try:
        from kubernetes import client
        from kubernetes import config as _config
    except ImportError:
        raise InputError("reading nodes from the API server needs the kubernetes client: "
                         "pip install 'nvreq[kubernetes]' (or give --nodes FILE)") from None
    config: Any = _config  # untyped client
    try:
        if kubeconfig:
            config.load_kube_config(config_file=kubeconfig)
        else:
            config.load_incluster_config()
    except Exception as exc:  # the client raises its own ConfigException and OSError
        where = kubeconfig or "the in-cluster service account"
        raise InputError(f"cannot configure the Kubernetes client from {where}: {exc}") from None
    return client.CoreV1Api()


def _facts(node: Mapping[str, Any]) -> tuple[str, str]:
    meta = node.get("metadata") or {}
    status = node.get("status") or {}
    return (json.dumps(meta.get("labels") or {}, sort_keys=True),
            json.dumps(status.get("capacity") or {}, sort_keys=True))


class NodeWatch:
    """Nodes listed then watched from the API server on a daemon thread."""

    def __init__(self, api: Any, *, log: Log = _quiet, **options: Any) -> None:
        self.api = api
        self.log = log
        self.options = options
        self._nodes: dict[str, dict[str, Any]] = {}
        self._facts: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()
        self._cluster: Cluster | None = None
        self._dirty = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="nvreq-nodes", daemon=True)

    def start(self) -> NodeWatch:
        """Begin listing and watching."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Ask the watch to end (it ends at its next event or timeout)."""
        self._stop.set()

    def __call__(self) -> Cluster | None:
        """The current view; None until the first list has arrived."""
        with self._lock:
            if self._dirty:
                items = list(self._nodes.values())
                try:
                    self._cluster = Cluster.from_nodelist({"items": items}, source="API server",
                                                          **self.options)
                except InputError as exc:
                    self.log(f"{exc}; keeping the previous nodes")
                self._dirty = False
            return self._cluster

    def _set(self, node: dict[str, Any], deleted: bool = False) -> None:
        name = (node.get("metadata") or {}).get("name")
        if not isinstance(name, str):
            return
        with self._lock:
            if deleted:
                self._dirty |= self._nodes.pop(name, None) is not None
                self._facts.pop(name, None)
                return
            facts = _facts(node)
            self._nodes[name] = node
            if self._facts.get(name) != facts:
                self._facts[name] = facts
                self._dirty = True

    def _run(self) -> None:
        from kubernetes import watch as _watch

        watch: Any = _watch  # untyped client
        stream_of = watch.Watch().stream
        serialize = self.api.api_client.sanitize_for_serialization
        delay = 1.0
        while not self._stop.is_set():
            try:
                listed = self.api.list_node(_request_timeout=30)
                with self._lock:
                    self._nodes.clear()
                    self._facts.clear()
                for node in listed.items:
                    self._set(serialize(node))
                with self._lock:
                    self._dirty = True
                delay = 1.0
                stream = stream_of(self.api.list_node, timeout_seconds=300,
                                              resource_version=listed.metadata.resource_version)
                for event in stream:
                    if self._stop.is_set():
                        return
                    self._set(serialize(event["object"]), event.get("type") == "DELETED")
            except Exception as exc:  # the API server went away: list again, backing off
                self.log(f"watching nodes: {type(exc).__name__}: {exc}")
                self._stop.wait(delay)
                delay = min(delay * 2, 30.0)


class PullSecrets:
    """A pod's ``imagePullSecrets`` read from the API server, as a docker config file.

    The files live in a private directory, named by a hash of their content; lookups are
    remembered for ``ttl`` seconds.
    """

    def __init__(self, api: Any, ttl: float = 60.0, *, log: Log = _quiet) -> None:
        self.api = api
        self.log = log
        self.ttl = ttl
        self._dir = tempfile.mkdtemp(prefix="nvreq-pull-")
        self._seen: dict[tuple[str, tuple[str, ...]], tuple[str | None, float]] = {}
        self._lock = threading.Lock()

    def __call__(self, namespace: str, names: Sequence[str]) -> str | None:
        """The path of a docker config holding the secrets' credentials, or None."""
        key = (namespace, tuple(names))
        now = time.monotonic()
        with self._lock:
            hit = self._seen.get(key)
        if hit is not None and hit[1] > now:
            return hit[0]
        auths: dict[str, Any] = {}
        for name in names:
            try:
                secret = self.api.read_namespaced_secret(name, namespace, _request_timeout=5)
            except Exception as exc:  # a missing secret: the image may still be public
                self.log(f"pull secret {namespace}/{name}: {type(exc).__name__}")
                continue
            auths.update(docker_auths(secret.type, secret.data or {}))
        path = self._write(auths) if auths else None
        with self._lock:
            self._seen[key] = (path, now + self.ttl)
        return path

    def _write(self, auths: dict[str, Any]) -> str:
        text = json.dumps({"auths": auths}, sort_keys=True)
        path = os.path.join(self._dir, hashlib.sha256(text.encode()).hexdigest()[:32] + ".json")
        if not os.path.exists(path):
            fd = os.open(path + ".tmp", os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as out:
                out.write(text)
            os.replace(path + ".tmp", path)
        return path


def docker_auths(kind: str | None, data: Mapping[str, str]) -> dict[str, Any]:
    """The ``auths`` table of a ``kubernetes.io/dockerconfigjson`` or ``dockercfg`` secret.

    >>> doc = base64.b64encode(b'{"auths": {"r.io": {"auth": "dTpw"}}}').decode()
    >>> docker_auths("kubernetes.io/dockerconfigjson", {".dockerconfigjson": doc})
    {'r.io': {'auth': 'dTpw'}}
    """
    field = {"kubernetes.io/dockerconfigjson": ".dockerconfigjson",
             "kubernetes.io/dockercfg": ".dockercfg"}.get(kind or "")
    if field is None or field not in data:
        return {}
    try:
        doc = jsontext.loads(base64.b64decode(data[field]))
    except ValueError:
        return {}
    table = doc.get("auths", doc) if field == ".dockerconfigjson" else doc
    return dict(table) if isinstance(table, dict) else {}
