"""Observability (issue 14 item 8): request ids and traceparent kept and logged, /metrics behind a token with build,
process and trust-list gauges, OpenTelemetry spans that carry no personal data."""

from __future__ import annotations

import logging

import pytest
from hypothesis import given
from hypothesis import strategies as st
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from support.web import METRICS_HEADERS, SURNAME, Issued, MakeClient, assert_problem, digits

from web.http.logging import LOGGER_NAME
from web.http.observe import incoming_request_id, trace_id_of
from web.http.tracing import install_tracing, private_attributes

TRACEPARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"  # W3C Trace Context §3.2 example


def request_lines(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER_NAME and r.getMessage() == "request"]


def test_the_callers_request_id_and_trace_id_are_kept_and_logged(make_client: MakeClient,
                                                                caplog: pytest.LogCaptureFixture) -> None:
    client = make_client()
    logger = logging.getLogger(LOGGER_NAME)  # the service's logger does not propagate: listen on it directly
    logger.addHandler(caplog.handler)
    try:
        answer = client.get("/healthz", headers={"X-Request-ID": "gateway-7f3a.42", "traceparent": TRACEPARENT})
    finally:
        logger.removeHandler(caplog.handler)
    assert answer.headers["x-request-id"] == "gateway-7f3a.42"
    line = request_lines(caplog)[-1]
    assert line.request_id == "gateway-7f3a.42"  # type: ignore[attr-defined]
    assert line.trace_id == "4bf92f3577b34da6a3ce929d0e0e4736"  # type: ignore[attr-defined]


@pytest.mark.parametrize("request_id", ["", "x" * 129, "a b", "id\u0131", "-leading-dash",
                                        "order-040512600026", "ab/cd", "ид"])
def test_an_unsafe_request_id_is_replaced_by_a_new_one(make_client: MakeClient, request_id: str) -> None:
    """An IIN-shaped run of twelve digits, white space, non-ASCII, or too long: never kept, never logged."""
    answer = make_client().get("/healthz", headers={"X-Request-ID": request_id.encode("utf-8")})
    kept = answer.headers["x-request-id"]
    assert kept != request_id and len(kept) == 36  # a UUID of ours


@pytest.mark.parametrize(("header", "trace_id"), [
    (TRACEPARENT, "4bf92f3577b34da6a3ce929d0e0e4736"),
    ("01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-future", "4bf92f3577b34da6a3ce929d0e0e4736"),
    ("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", None),  # version ff is invalid
    ("00-00000000000000000000000000000000-00f067aa0ba902b7-01", None),  # all-zero trace id
    ("00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01", None),  # all-zero parent id
    ("00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01", None),  # upper case
    (TRACEPARENT + "-extra", None),  # version 00 has exactly four fields
    ("00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01", None),  # short trace id
    (None, None),
])
def test_traceparent_by_w3c_trace_context(header: str | None, trace_id: str | None) -> None:
    assert trace_id_of(header) == trace_id


@given(st.text(max_size=200))
def test_any_request_id_kept_is_a_plain_token_without_twelve_digits(value: str) -> None:
    kept = incoming_request_id(value)
    if kept is not None:
        assert kept == value and kept.isascii() and len(kept) <= 128
        assert not any(kept[i:i + 12].isdigit() for i in range(len(kept) - 11))


def test_metrics_need_the_token_and_carry_build_process_and_trust_list(make_client: MakeClient) -> None:
    client = make_client()
    assert_problem(client.get("/metrics"), 401, "unauthorized")
    assert_problem(client.get("/metrics", headers={"Authorization": "Bearer wrong"}), 401, "unauthorized")
    text = client.get("/metrics", headers=METRICS_HEADERS).text
    assert 'verify_build_info{python="' in text
    assert "process_cpu_seconds_total" in text and "process_resident_memory_bytes" in text
    assert "verify_trust_list_version 1.0" in text
    expiry = next(line for line in text.splitlines() if line.startswith("verify_trust_list_expiry_timestamp_seconds"))
    assert float(expiry.split()[1]) > 1.7e9


def test_production_without_a_token_does_not_serve_metrics(make_client: MakeClient) -> None:
    assert_problem(make_client(metrics_token=None).get("/metrics"), 404, "not-found")


def test_development_without_a_token_serves_metrics_to_the_developer(make_client: MakeClient) -> None:
    assert make_client(metrics_token=None, environment="development").get("/metrics").status_code == 200


def test_spans_of_a_qr_link_name_the_route_and_carry_no_personal_data(make_client: MakeClient,
                                                                       issued: Issued) -> None:
    client = make_client()
    app = client.app
    services, backoffice = app.state.services, app.state.backoffice  # type: ignore[attr-defined]
    exporter = InMemorySpanExporter()
    install_tracing(app, engines=[services.engine, services.status_engine, backoffice.engine],  # type: ignore[arg-type]
                    service_name="verify", exporter=exporter, batch=False)
    try:
        client.middleware_stack = None  # type: ignore[attr-defined]  # rebuilt with the tracing middleware
        app.middleware_stack = None  # type: ignore[attr-defined]
        answer = client.get(f"/V/{digits(issued)}", headers={"Accept": "application/json",
                                                              "traceparent": TRACEPARENT})
        assert answer.status_code == 200
        client.post("/api/v1/lookup", json={"series": issued.document.series, "number": issued.document.number,
                                            "surname": SURNAME})
    finally:
        SQLAlchemyInstrumentor().uninstrument()
        RedisInstrumentor().uninstrument()
    spans = exporter.get_finished_spans()
    server = [s for s in spans if s.attributes and s.attributes.get("http.route") == "/V/{digits}"]
    assert server and server[0].name == "GET /V/{digits}"
    assert format(server[0].context.trace_id, "032x") == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert any((s.attributes or {}).get("db.system") == "sqlite" for s in spans)
    for span in spans:
        text = span.name + repr(dict(span.attributes or {})) + repr(span.events)
        assert digits(issued) not in text and SURNAME not in text


def test_private_attributes_keep_sql_text_but_not_redis_commands_or_paths() -> None:
    assert private_attributes({"db.system": "postgresql", "db.statement": "SELECT 1 WHERE a = %(a)s",
                               "http.target": "/V/123"}) == {"db.system": "postgresql",
                                                              "db.statement": "SELECT 1 WHERE a = %(a)s"}
    assert private_attributes({"db.system": "redis", "db.statement": "EVALSHA key client"}) == {"db.system": "redis"}
    assert private_attributes({"url.path": "/V/1", "url.query": "q", "http.route": "/V/{digits}"}) == {
        "http.route": "/V/{digits}"}
