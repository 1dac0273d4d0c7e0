"""Admission reviews per second and latency of the real HTTPS server, images cached.

Run: ``python benchmarks/bench_webhook.py`` (``--requests N``, ``--clients K``, ``--nodes N``,
``--json``).

The server runs in its own process pinned to one CPU (where the OS allows), on 127.0.0.1 with a
throw-away CA (``trustme``), over a NodeList of 200 nodes (``--nodes``) of five kinds; every
image is in the cache after the warm-up. Clients in this process keep their HTTPS connections
open, as the API server does, and send real AdmissionReview bodies: a GPU pod to /mutate and
/validate in turn. Goals: >= 200 reviews/s and p99 <= 50 ms. Baseline, same run and same
connections: ``GET /healthz``.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import ssl
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

KINDS = (("12.4", "550.54.15", "9.0"), ("12.8", "570.124.06", "9.0"), ("12.2", "535.104.05", "8.0"),
         ("11.4", "470.82.01", "7.5"), ("13.0", "580.65.06", "10.0"))


def _serve(port_file: str, cert: str, key: str, cpu: int | None, count: int) -> None:
    """The server process: bind a free port, write it to ``port_file``, serve until killed."""
    if cpu is not None and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {cpu})
    from nvreq.webhook.admission import Admission
    from nvreq.webhook.cluster import Cluster
    from nvreq.webhook.images import ImageCache
    from nvreq.webhook.server import TlsFiles, WebhookServer
    from tests.webhook.kit import CUDA_12_4, FakeRegistry, gfd_node, nodelist

    nodes = nodelist(*(gfd_node(f"node-{i}", cuda=KINDS[i % 5][0], driver=KINDS[i % 5][1],
                                compute=KINDS[i % 5][2]) for i in range(count)))
    cluster = Cluster.from_nodelist(nodes)
    reader = FakeRegistry({"nvcr.io/nvidia/cuda:12.4.1": [
        f"NVIDIA_REQUIRE_CUDA={CUDA_12_4}", "NVIDIA_VISIBLE_DEVICES=all", "CUDA_VERSION=12.4.1"]})
    admission = Admission(lambda: cluster, ImageCache(reader=reader))
    server = WebhookServer(("127.0.0.1", 0), admission, TlsFiles(cert, key))
    Path(port_file + ".tmp").write_text(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    server.serve_forever()


def _drive(port: int, context: ssl.SSLContext, requests: list[tuple[str, str, bytes | None]],
           clients: int) -> tuple[float, list[float]]:
    """Send ``requests`` over ``clients`` kept-alive connections; (wall seconds, latencies)."""
    latencies: list[float] = []
    lock = threading.Lock()
    shares = [requests[i::clients] for i in range(clients)]

    def run(share: list[tuple[str, str, bytes | None]]) -> None:
        conn = http.client.HTTPSConnection("127.0.0.1", port, context=context, timeout=30)
        mine = []
        for method, path, data in share:
            start = time.perf_counter()
            conn.request(method, path, body=data, headers={"Content-Type": "application/json"})
            resp = conn.getresponse()
            payload = resp.read()
            mine.append(time.perf_counter() - start)
            if resp.status != 200 or (data and b'"uid"' not in payload):
                raise RuntimeError(f"{path}: {resp.status} {payload[:200]!r}")
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=run, args=(s,)) for s in shares]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - start, latencies


def _p(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 \
        else values[0]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=3000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--nodes", type=int, default=200)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--serve", nargs=5, metavar=("PORTFILE", "CERT", "KEY", "CPU", "NODES"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        port_file, cert, key, cpu, count = args.serve
        _serve(port_file, cert, key, None if cpu == "-" else int(cpu), int(count))
        return 0
    import trustme

    from tests.webhook.kit import body, container, pod

    ca = trustme.CA()
    work = Path(tempfile.mkdtemp(prefix="bench-webhook-"))
    issued = ca.issue_cert("127.0.0.1")
    issued.private_key_pem.write_to_path(str(work / "key.pem"))
    issued.cert_chain_pems[0].write_to_path(str(work / "cert.pem"))
    cpus = sorted(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else []
    server_cpu = str(cpus[-1]) if cpus else "-"
    if len(cpus) > 1 and hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, set(cpus[:-1]))  # the clients stay off the server's CPU
    port_file = work / "port"
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port_file),
                             str(work / "cert.pem"), str(work / "key.pem"), server_cpu,
                             str(args.nodes)])
    try:
        end = time.monotonic() + 60
        while not port_file.exists():
            if time.monotonic() > end or proc.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.05)
        port = int(port_file.read_text())
        context = ssl.create_default_context()
        ca.configure_trust(context)
        review = body(pod(container("train", "nvcr.io/nvidia/cuda:12.4.1")))
        reviews = [("POST", "/mutate" if i % 2 else "/validate", review)
                   for i in range(args.requests)]
        health: list[tuple[str, str, bytes | None]] = [("GET", "/healthz", None)] * args.requests
        _drive(port, context, reviews[:200], args.clients)  # warm: image cache, evaluations
        results: dict[str, Any] = {}
        for name, work_list in (("healthz", health), ("reviews", reviews)):
            wall, lat = _drive(port, context, work_list, args.clients)
            results[name] = {"per_s": len(work_list) / wall, "p50_ms": _p(lat, 50) * 1e3,
                             "p99_ms": _p(lat, 99) * 1e3}
    finally:
        proc.terminate()
        proc.wait(10)
    results["ratio_reviews_to_healthz"] = results["reviews"]["per_s"] / results["healthz"]["per_s"]
    results["server_cpu"] = server_cpu
    results["requests"], results["clients"], results["nodes"] = (args.requests, args.clients,
                                                                 args.nodes)
    if args.json:
        print(json.dumps(results, indent=2))
    else:
        for name in ("healthz", "reviews"):
            r = results[name]
            print(f"{name:8} {r['per_s']:8.0f}/s  p50 {r['p50_ms']:6.2f} ms  "
                  f"p99 {r['p99_ms']:6.2f} ms")
        print(f"reviews/healthz throughput ratio {results['ratio_reviews_to_healthz']:.2f} "
              f"({args.nodes} nodes, {args.clients} clients, server pinned to CPU "
              f"{server_cpu}; goals: >= 200/s, p99 <= 50 ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
