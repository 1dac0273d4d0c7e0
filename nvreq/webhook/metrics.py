"""Prometheus text-format counters for the webhook: requests, decisions, latency, cache hits."""

from __future__ import annotations

import bisect
import threading
from collections.abc import Callable

__all__ = ["BUCKETS", "Metrics"]

#: latency histogram bucket bounds in seconds
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class Metrics:
    """Thread-safe counters, rendered by ``text()`` in the Prometheus exposition format.

    >>> m = Metrics()
    >>> m.observe("validate", "allowed", 0.003)
    >>> 'nvreq_webhook_decisions_total{endpoint="validate",outcome="allowed"} 1' in m.text()
    True
    """

    def __init__(self, cache: Callable[[], tuple[int, int]] = lambda: (0, 0)) -> None:
        self._lock = threading.Lock()
        self._requests: dict[tuple[str, int], int] = {}
        self._decisions: dict[tuple[str, str], int] = {}
        self._buckets: dict[str, list[int]] = {}
        self._sum: dict[str, float] = {}
        self._cache = cache

    def request(self, path: str, code: int) -> None:
        """Count one HTTP request."""
        with self._lock:
            self._requests[(path, code)] = self._requests.get((path, code), 0) + 1

    def observe(self, endpoint: str, outcome: str, seconds: float) -> None:
        """Count one admission decision and its latency."""
        with self._lock:
            self._decisions[(endpoint, outcome)] = self._decisions.get((endpoint, outcome),
                                                                       0) + 1
            counts = self._buckets.setdefault(endpoint, [0] * (len(BUCKETS) + 1))
            counts[bisect.bisect_left(BUCKETS, seconds)] += 1
            self._sum[endpoint] = self._sum.get(endpoint, 0.0) + seconds

    def text(self) -> str:
        """The exposition text."""
        hits, misses = self._cache()
        out = ["# HELP nvreq_webhook_requests_total HTTP requests by path and status code.",
               "# TYPE nvreq_webhook_requests_total counter"]
        with self._lock:
            out += [f'nvreq_webhook_requests_total{{path="{p}",code="{c}"}} {n}'
                    for (p, c), n in sorted(self._requests.items())]
            out += ["# HELP nvreq_webhook_decisions_total Admission decisions by endpoint and "
                    "outcome.", "# TYPE nvreq_webhook_decisions_total counter"]
            out += [f'nvreq_webhook_decisions_total{{endpoint="{e}",outcome="{o}"}} {n}'
                    for (e, o), n in sorted(self._decisions.items())]
            out += ["# HELP nvreq_webhook_review_seconds Time to answer an admission review.",
                    "# TYPE nvreq_webhook_review_seconds histogram"]
            for endpoint, counts in sorted(self._buckets.items()):
                total = 0
                for bound, n in zip((*BUCKETS, float("inf")), counts, strict=True):
                    total += n
                    le = "+Inf" if bound == float("inf") else repr(bound)
                    out.append(f'nvreq_webhook_review_seconds_bucket{{endpoint="{endpoint}",'
                               f'le="{le}"}} {total}')
                out.append(f'nvreq_webhook_review_seconds_sum{{endpoint="{endpoint}"}} '
                           f"{self._sum[endpoint]:.6f}")
                out.append(f'nvreq_webhook_review_seconds_count{{endpoint="{endpoint}"}} {total}')
        out += ["# HELP nvreq_webhook_image_cache_hits_total Image reads answered from memory.",
                "# TYPE nvreq_webhook_image_cache_hits_total counter",
                f"nvreq_webhook_image_cache_hits_total {hits}",
                "# HELP nvreq_webhook_image_cache_misses_total Image reads that went to a "
                "registry.", "# TYPE nvreq_webhook_image_cache_misses_total counter",
                f"nvreq_webhook_image_cache_misses_total {misses}"]
        return "\n".join(out) + "\n"
