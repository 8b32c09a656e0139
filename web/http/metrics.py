"""Prometheus metrics of the service (prometheus-client), exposed at `GET /metrics` in the text format.

| metric                                      | type      | labels                  | meaning                          |
|---------------------------------------------|-----------|-------------------------|----------------------------------|
| verify_http_requests_total                  | counter   | method, route, status   | answers, by route template       |
| verify_http_request_duration_seconds        | histogram | method, route           | time to answer, seconds          |
| verify_verdicts_total                       | counter   | source, verdict         | verdicts (source: link, api,     |
|                                             |           |                         | scan, lookup)                    |
| verify_rate_limited_total                   | counter   | bucket                  | requests refused with 429        |
| verify_scan_queue_depth                     | gauge     |                         | pictures waiting for a decoder   |
| verify_scan_busy                            | gauge     |                         | pictures being decoded           |
| verify_scans_total                          | counter   | outcome                 | decodings: ok or the stage error |

`route` is the route template (`/V/{digits}`), never the path, so the label set stays small and no QR text
ends up in a time series; requests that match no route are counted under `<unmatched>`.

Each application has its own `CollectorRegistry` (several apps in one test process do not collide). With
several uvicorn workers, set PROMETHEUS_MULTIPROC_DIR (`verify serve --workers N` does) and `/metrics` adds up
the files of every worker (prometheus-client's multiprocess mode; the gauges use "livesum").

Sources: prometheus-client documentation, "Multiprocess Mode"; Prometheus naming conventions (`_total`,
`_seconds`).
"""

from __future__ import annotations

import os
from typing import Final

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

UNMATCHED: Final = "<unmatched>"
_LATENCY_BUCKETS_S: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


class Metrics:
    """The service's metrics (see the module table)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter("verify_http_requests", "HTTP answers by method, route template and status.",
                                ("method", "route", "status"), registry=self.registry)
        self.latency = Histogram("verify_http_request_duration_seconds", "Time to answer, in seconds.",
                                 ("method", "route"), buckets=_LATENCY_BUCKETS_S, registry=self.registry)
        self.verdicts = Counter("verify_verdicts", "Verification verdicts by source (link, api, scan, lookup).",
                                ("source", "verdict"), registry=self.registry)
        self.rate_limited = Counter("verify_rate_limited", "Requests refused with 429, by bucket.", ("bucket",),
                                    registry=self.registry)
        self.scan_queue_depth = Gauge("verify_scan_queue_depth", "Pictures waiting for a decoding process.",
                                      registry=self.registry, multiprocess_mode="livesum")
        self.scan_busy = Gauge("verify_scan_busy", "Pictures being decoded.", registry=self.registry,
                               multiprocess_mode="livesum")
        self.scans = Counter("verify_scans", "Picture decodings by outcome (ok or the stage error code).",
                             ("outcome",), registry=self.registry)

    def observe_request(self, *, method: str, route: str, status: int, duration_s: float) -> None:
        """Count one answer and its duration (seconds)."""
        self.requests.labels(method, route, str(status)).inc()
        self.latency.labels(method, route).observe(duration_s)

    def count_verdict(self, source: str, verdict: str) -> None:
        """Count one verdict (`VERDICTS` value) from a source (link, api, scan, lookup)."""
        self.verdicts.labels(source, verdict).inc()

    def count_rate_limited(self, bucket: str) -> None:
        """Count one request refused with 429."""
        self.rate_limited.labels(bucket).inc()

    def set_scan_pool(self, waiting: int, busy: int) -> None:
        """Record the decoding pool's queue depth and busy processes."""
        self.scan_queue_depth.set(waiting)
        self.scan_busy.set(busy)

    def count_scan(self, outcome: str) -> None:
        """Count one decoding by outcome ("ok", or a stage error code such as NO_QR_CODE)."""
        self.scans.labels(outcome).inc()

    def render(self) -> tuple[bytes, str]:
        """The exposition text and its media type; every worker's values in multiprocess mode."""
        if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
            registry = CollectorRegistry()
            MultiProcessCollector(registry)  # type: ignore[no-untyped-call]  # untyped in prometheus-client
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
