"""``nvreq webhook``: a Kubernetes admission webhook that places GPU pods where their images run."""

from __future__ import annotations

from nvreq._lazy import door

TYPE_CHECKING = False
if TYPE_CHECKING:
    from nvreq.webhook.admission import Admission as Admission
    from nvreq.webhook.admission import Decision as Decision
    from nvreq.webhook.admission import Settings as Settings
    from nvreq.webhook.cluster import Cluster as Cluster
    from nvreq.webhook.deploy import manifests as manifests
    from nvreq.webhook.images import ImageCache as ImageCache
    from nvreq.webhook.server import WebhookServer as WebhookServer

__all__ = ["Admission", "Cluster", "Decision", "ImageCache", "Settings", "WebhookServer",
           "manifests"]

__getattr__ = door(__name__, {
    "Admission": "nvreq.webhook.admission",
    "Decision": "nvreq.webhook.admission",
    "Settings": "nvreq.webhook.admission",
    "Cluster": "nvreq.webhook.cluster",
    "ImageCache": "nvreq.webhook.images",
    "manifests": "nvreq.webhook.deploy",
    "WebhookServer": "nvreq.webhook.server",
})
