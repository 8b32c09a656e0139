"""OpenTelemetry traces of the service: FastAPI, SQLAlchemy and Redis spans, off unless configured.

`install_tracing` instruments one application (OpenTelemetry's FastAPI instrumentation, with W3C Trace Context
propagation: an incoming `traceparent` makes our spans children of the caller's), the registry's engines
(SQLAlchemy instrumentation) and the Redis client of the rate limits (Redis instrumentation), and exports
the spans in batches over OTLP/HTTP to `VERIFY_OTEL_ENDPOINT` (for example `http://collector:4318/v1/traces`).
Without that setting nothing is instrumented and the packages (the `otel` extra) need not be installed.

Privacy: a QR link's path carries the holder's signed record, and Redis commands carry rate-limit keys. Spans leave
the process only through `PrivateSpanExporter`, which keeps an allowlist of attributes (`SAFE_ATTRIBUTES`: method,
route template, status, database system and SQL text with placeholders, server address) and names a span by its
route template, never by its path; SQL parameters are never recorded by the SQLAlchemy instrumentation.

Sources: OpenTelemetry Python instrumentation documentation (FastAPIInstrumentor.instrument_app,
SQLAlchemyInstrumentor, RedisInstrumentor); OpenTelemetry semantic conventions for HTTP and databases;
W3C Trace Context (Recommendation, 2021) for `traceparent`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from fastapi import FastAPI
from sqlalchemy.engine import Engine

SAFE_ATTRIBUTES: Final = frozenset({
    "http.method", "http.request.method", "http.route", "http.status_code", "http.response.status_code",
    "http.scheme", "url.scheme", "network.protocol.version", "http.flavor",
    "db.system", "db.system.name", "db.name", "db.namespace", "db.operation", "db.operation.name",
    "server.address", "server.port", "net.peer.name", "net.peer.port",
})
"""Span attributes that may leave the process (everything else is dropped by `PrivateSpanExporter`)."""

SQL_SYSTEMS: Final = frozenset({"postgresql", "sqlite"})
"""Databases whose `db.statement` is SQL text with placeholders (kept); Redis commands carry keys (dropped)."""


@dataclass
class Tracing:
    """What `install_tracing` set up: the tracer provider (flush and shut down at the end of the lifespan)."""

    provider: Any

    def shutdown(self) -> None:
        """Export what is buffered and stop the exporter."""
        self.provider.shutdown()


def private_attributes(attributes: Any) -> dict[str, Any]:
    """The allowlisted attributes of a span (`SAFE_ATTRIBUTES`, and `db.statement` of SQL databases only)."""
    kept = {key: value for key, value in dict(attributes or {}).items() if key in SAFE_ATTRIBUTES}
    system = kept.get("db.system") or kept.get("db.system.name")
    if system in SQL_SYSTEMS:
        for key in ("db.statement", "db.query.text"):
            if key in dict(attributes or {}):
                kept[key] = attributes[key]
    return kept


def private_exporter(inner: Any) -> Any:
    """A `SpanExporter` that hands `inner` copies of the spans with only `private_attributes`, no events (they
    may carry exception messages that quote input) and names without paths ("GET /V/{digits}").

    Args:
        inner: an OpenTelemetry `SpanExporter` (OTLP in production, in-memory in tests).
    """
    from opentelemetry.sdk.trace import ReadableSpan
    from opentelemetry.sdk.trace.export import SpanExporter, SpanExportResult

    class PrivateSpanExporter(SpanExporter):
        def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
            clean = []
            for span in spans:
                attributes = private_attributes(span.attributes)
                name = span.name
                if "http.route" in attributes:
                    method = attributes.get("http.request.method") or attributes.get("http.method") or ""
                    name = f"{method} {attributes['http.route']}".strip()
                elif span.name.startswith(("GET /", "POST /", "PUT /", "PATCH /", "DELETE /")):
                    name = span.name.split(" ", 1)[0]
                clean.append(ReadableSpan(
                    name=name, context=span.context, parent=span.parent, resource=span.resource,
                    attributes=attributes, events=(), links=(), kind=span.kind, status=span.status,
                    start_time=span.start_time, end_time=span.end_time,
                    instrumentation_scope=span.instrumentation_scope))
            return inner.export(clean)  # type: ignore[no-any-return]

        def shutdown(self) -> None:
            inner.shutdown()

        def force_flush(self, timeout_millis: int = 30000) -> bool:
            return bool(inner.force_flush(timeout_millis))

    return PrivateSpanExporter()


def install_tracing(app: FastAPI, *, engines: Sequence[Engine], service_name: str, endpoint: str | None = None,
                    exporter: Any = None, batch: bool = True) -> Tracing:
    """Instrument `app`, `engines` and the Redis client; export through `PrivateSpanExporter`.

    Args:
        app: the application (its routes' templates name the spans).
        engines: the registry engines whose statements become spans.
        service_name: `service.name` of the resource ("verify").
        endpoint: OTLP/HTTP traces URL; used when `exporter` is None.
        exporter: a `SpanExporter` to use instead (tests: `InMemorySpanExporter`).
        batch: export in a background batch (production) or at the end of each span (tests).

    Raises:
        ValueError: neither `endpoint` nor `exporter` given.
        ModuleNotFoundError: the `otel` extra is not installed.
    """
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    if exporter is None:
        if not endpoint:
            raise ValueError("tracing needs an OTLP endpoint or an exporter")
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        exporter = OTLPSpanExporter(endpoint=endpoint)
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    processor = BatchSpanProcessor if batch else SimpleSpanProcessor
    provider.add_span_processor(processor(private_exporter(exporter)))
    FastAPIInstrumentor.instrument_app(app, tracer_provider=provider, exclude_spans=["receive", "send"])
    # The instrumentation declares SQLAlchemy < 2.1 but hooks only the engine events 2.1 keeps (checked by
    # tests/web/test_observability.py): skip its version check rather than instrument nothing.
    SQLAlchemyInstrumentor().instrument(engines=list(engines), tracer_provider=provider, skip_dep_check=True)
    redis = RedisInstrumentor()
    if not redis.is_instrumented_by_opentelemetry:
        redis.instrument(tracer_provider=provider)
    return Tracing(provider=provider)
