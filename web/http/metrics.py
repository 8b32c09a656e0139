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
| verify_build_info                           | gauge     | version, python         | 1, with the build's versions     |
| verify_replica_reads_total                  | counter   | target                  | public status reads: replica or  |
|                                             |           |                         | primary (with a replica set up)  |
| verify_replica_lag_seconds                  | gauge     |                         | the replica's staleness; -1 while|
|                                             |           |                         | reads go to the primary          |
| verify_trust_list_version                   | gauge     |                         | version of the trust list in use |
| verify_trust_list_expiry_timestamp_seconds  | gauge     |                         | its expiry, Unix seconds         |
| verify_status_list_version                  | gauge     | series                  | newest signed status list        |
| verify_status_list_expiry_timestamp_seconds | gauge     | series                  | its expiry, Unix seconds         |
| verify_webhook_pending_events               | gauge     | partner                 | outbox events a partner's webhook|
|                                             |           |                         | has not acknowledged yet         |
| verify_webhook_failed_attempts              | gauge     | partner                 | failed deliveries in a row       |
| process_*                                   | various   |                         | CPU, memory, open files (Linux)  |

`route` is the route template (`/V/{digits}`), never the path, so the label set stays small and no QR text
ends up in a time series; requests that match no route are counted under `<unmatched>`.

Each application has its own `CollectorRegistry` (several apps in one test process do not collide). With
several uvicorn workers, set PROMETHEUS_MULTIPROC_DIR (`verify serve --workers N` does) and `/metrics` adds up
the files of every worker (prometheus-client's multiprocess mode; the gauges use "livesum").

The trust-list gauges are read from the list in use when scraped (`add_collector`); `process_*` are the answering
worker's (prometheus-client's `ProcessCollector`; its multiprocess mode has no process metrics of its own).

Access (not to the public, issue 14 item 8): with `VERIFY_METRICS_TOKEN` set, `GET /metrics` needs
`Authorization: Bearer <token>` (compared in constant time); without it, production answers 404 and development
answers everyone (`MetricsAccess`).

Sources: prometheus-client documentation, "Multiprocess Mode", "Custom Collectors"; Prometheus naming
conventions (`_total`, `_seconds`, `_info`, `_timestamp_seconds`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import platform
from collections.abc import Iterable
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from typing import Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

UNMATCHED: Final = "<unmatched>"
_LATENCY_BUCKETS_S: Final = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)


@dataclass(frozen=True)
class MetricsAccess:
    """Who may read `GET /metrics`.

    Attributes:
        token_sha256: SHA-256 of the bearer token that grants access, or None for no token.
        public_without_token: without a token, whether everyone may read them (development) or nobody (production).
    """

    token_sha256: bytes | None = None
    public_without_token: bool = True

    @classmethod
    def from_token(cls, token: str | None, *, production: bool) -> MetricsAccess:
        """Access by `token` (None: none set) in production or development."""
        digest = None if not token else hashlib.sha256(token.encode("utf-8")).digest()
        return cls(token_sha256=digest, public_without_token=not production)

    def allows(self, authorization: str | None) -> bool | None:
        """True: serve; False: the token is missing or wrong (401); None: metrics are not served here (404)."""
        if self.token_sha256 is None:
            return True if self.public_without_token else None
        scheme, _, credentials = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not credentials:
            return False
        return hmac.compare_digest(hashlib.sha256(credentials.strip().encode("utf-8")).digest(), self.token_sha256)


def build_version() -> str:
    """The installed `verify` distribution's version, or "unknown" (a source tree that was not installed)."""
    try:
        return version("verify")
    except PackageNotFoundError:
        return "unknown"


class Metrics:
    """The service's metrics (see the module table).

    Args:
        access: who may read them (default: everyone, as in development).
    """

    def __init__(self, access: MetricsAccess | None = None) -> None:
        self.access = access or MetricsAccess()
        self.registry = CollectorRegistry(auto_describe=True)
        self._collectors: list[Collector] = []
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
        self.replica_reads = Counter("verify_replica_reads", "Public status reads by target (replica, primary).",
                                     ("target",), registry=self.registry)
        self.build_info = Gauge("verify_build_info", "1, labelled with the versions of this build.",
                                ("version", "python"), registry=self.registry, multiprocess_mode="max")
        self.build_info.labels(build_version(), platform.python_version()).set(1)
        ProcessCollector(registry=self.registry)

    def add_collector(self, collector: Collector) -> None:
        """Register a collector read at every scrape (values of this process, such as the trust list in use)."""
        self.registry.register(collector)
        self._collectors.append(collector)

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
            ProcessCollector(registry=registry)
            for collector in self._collectors:
                registry.register(collector)
            return generate_latest(registry), CONTENT_TYPE_LATEST
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


def gauge_family(name: str, documentation: str, value: float | None) -> Iterable[object]:
    """One unlabelled gauge sample for a custom collector's `collect()` (nothing when `value` is None)."""
    from prometheus_client.core import GaugeMetricFamily

    if value is not None:
        yield GaugeMetricFamily(name, documentation, value=value)
