"""``nvreq webhook serve|manifests``: the admission webhook and its deployment manifests."""

from __future__ import annotations

import argparse
import sys
from typing import Any

__all__ = ["HELP", "add_arguments", "run"]

HELP = ("a Kubernetes admission webhook that adds nvreq's node affinity to GPU pods (/mutate) and "
        "refuses pods no node can run (/validate); `manifests` prints its deployment")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``nvreq webhook``: the ``serve`` and ``manifests`` actions."""
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    serve = sub.add_parser("serve", help="answer AdmissionReviews over HTTPS",
                           description="Answer admission.k8s.io/v1 AdmissionReviews for Pod "
                           "CREATE on /mutate and /validate; /healthz, /readyz, /metrics.")
    serve.add_argument("--tls-cert", metavar="FILE", required=True,
                       help="PEM certificate (chain); loaded again when the file changes")
    serve.add_argument("--tls-key", metavar="FILE", required=True, help="PEM private key")
    nodes = serve.add_mutually_exclusive_group()
    nodes.add_argument("--nodes", metavar="NODELIST.json",
                       help="nodes from `kubectl get nodes -o json` (read again when it changes)")
    nodes.add_argument("--kubeconfig", metavar="FILE",
                       help="watch nodes through this kubeconfig (default: in-cluster)")
    serve.add_argument("--listen", metavar="HOST:PORT", default="0.0.0.0:8443",
                       help="address to listen on (default 0.0.0.0:8443)")
    serve.add_argument("--failure-policy", choices=("Ignore", "Fail"), default="Ignore",
                       help="when a pod cannot be evaluated (image unreadable in time, bad "
                       "request): allow it with a warning (Ignore, default) or deny it (Fail)")
    serve.add_argument("--image-budget", type=float, default=8.0, metavar="SECONDS",
                       help="time allowed for reading a pod's images, below the webhook's "
                       "timeoutSeconds (default 8)")
    serve.add_argument("--gpu-resource", action="append", metavar="NAME",
                       help="an extended resource that gives GPUs; a trailing * matches a prefix "
                       "(default nvidia.com/gpu and nvidia.com/mig-*); repeatable")
    serve.add_argument("--exclude-namespace", action="append", metavar="NS",
                       help="pods of this namespace pass unchanged (default kube-system, "
                       "kube-public, kube-node-lease); repeatable")
    serve.add_argument("--pull-secrets", action="store_true",
                       help="read pods' imagePullSecrets from the API server (needs get on "
                       "secrets); otherwise the mounted docker config is used")
    serve.add_argument("--insecure-registry", action="append", default=[], metavar="HOST[:PORT]",
                       help="a registry reached without TLS verification; repeatable")
    serve.add_argument("--brand-label", metavar="KEY",
                       help="the node label holding the brand token (nodes and affinity)")
    serve.add_argument("--brand-map", metavar="FILE",
                       help="JSON object of nvidia.com/gpu.product value -> brand")
    serve.add_argument("--mode", choices=("legacy", "jit-cdi", "cdi", "csv", "auto"),
                       help="the runtime mode of the nodes (default legacy)")
    man = sub.add_parser("manifests", help="print the deployment manifests (YAML)",
                         description="Print ServiceAccount, RBAC, Service, Deployment and the "
                         "Mutating/ValidatingWebhookConfiguration for a namespace and image.")
    man.add_argument("--namespace", required=True, metavar="NS", help="where the webhook runs")
    man.add_argument("--image", required=True, metavar="IMAGE", help="an image with nvreq")
    man.add_argument("--failure-policy", choices=("Ignore", "Fail"), default="Ignore",
                     help="the webhooks' failurePolicy (default Ignore)")
    man.add_argument("--timeout-seconds", type=int, default=10, metavar="N",
                     help="the webhooks' timeoutSeconds, 1-30 (default 10)")
    man.add_argument("--pull-secrets", action="store_true",
                     help="let the webhook read imagePullSecrets (adds get on secrets)")
    ca = man.add_mutually_exclusive_group()
    ca.add_argument("--ca-bundle", metavar="FILE",
                    help="PEM CA that signed the serving certificate (written as caBundle)")
    ca.add_argument("--cert-manager", action="store_true",
                    help="add a cert-manager Issuer and Certificate, and inject the CA")


def _listen(text: str) -> tuple[str, int]:
    from nvreq.errors import InputError
    from nvreq.formats.digits import uint

    host, _, port = text.rpartition(":")
    number = uint(port, 65535)
    if not host or number is None:
        raise InputError(f"--listen {text!r}: expected HOST:PORT")
    return host.strip("[]"), number


def _log(message: str) -> None:
    print(f"nvreq webhook: {message}", file=sys.stderr, flush=True)


def _serve(args: argparse.Namespace) -> int:
    import signal
    import threading

    from nvreq.fleet.inputs import load_brand_map
    from nvreq.webhook.admission import Admission, Settings
    from nvreq.webhook.images import ImageCache
    from nvreq.webhook.nodes import NodeFile, NodeWatch, PullSecrets, kube_api
    from nvreq.webhook.pods import DEFAULT_GPU_RESOURCES
    from nvreq.webhook.server import TlsFiles, WebhookServer

    address = _listen(args.listen)
    tls = TlsFiles(args.tls_cert, args.tls_key, log=_log)
    brand_map = load_brand_map(args.brand_map) if args.brand_map else None
    node_options: dict[str, Any] = {"brand_label": args.brand_label, "brand_map": brand_map,
                                    "mode": args.mode, "log": _log}
    affinity: dict[str, Any] = {}
    if args.brand_label:
        affinity = {"brand_policy": "label", "brand_label": args.brand_label}
    elif brand_map:
        affinity = {"brand_policy": "product-map", "brand_map": brand_map}
    api = None
    if args.nodes:
        cluster: Any = NodeFile(args.nodes, **node_options)
    else:
        api = kube_api(args.kubeconfig)
        cluster = NodeWatch(api, **node_options).start()
    if args.pull_secrets and api is None:
        api = kube_api(args.kubeconfig)
    settings = Settings(
        failure_policy=args.failure_policy,
        gpu_resources=tuple(args.gpu_resource or DEFAULT_GPU_RESOURCES),
        excluded_namespaces=frozenset(args.exclude_namespace) if args.exclude_namespace
        else Settings().excluded_namespaces,
        image_budget=args.image_budget, affinity=affinity)
    images = ImageCache(insecure_registries=tuple(args.insecure_registry))
    admission = Admission(cluster, images, settings,
                          pull_auth=PullSecrets(api, log=_log) if args.pull_secrets else None)
    server = WebhookServer(address, admission, tls, ready=lambda: cluster() is not None,
                           log=_log)

    def stop(_signum: int, _frame: Any) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    print(f"nvreq webhook: serving https://{args.listen} (failure policy "
          f"{args.failure_policy})", file=sys.stderr)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        images.close()
    return 0


def _manifests(args: argparse.Namespace) -> int:
    from nvreq.files import read_capped
    from nvreq.webhook.deploy import manifests, to_yaml

    ca = read_capped(args.ca_bundle, 1 << 20, what="--ca-bundle") if args.ca_bundle else None
    print(to_yaml(manifests(args.namespace, args.image, failure_policy=args.failure_policy,
                            timeout_seconds=args.timeout_seconds, pull_secrets=args.pull_secrets,
                            ca_bundle=ca, cert_manager=args.cert_manager)), end="")
    return 0


def run(args: argparse.Namespace) -> int:
    """Serve, or print the manifests."""
    return _serve(args) if args.action == "serve" else _manifests(args)
