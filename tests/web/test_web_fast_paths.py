"""The verification request's fast paths answer exactly as the general ones (issue 16, item 2).

`POST /api/v1/verify` (and `GET /api/v1/ping`, the benchmark's trivial answer) is routed by a plain Starlette route
put first in the routing table
(`web.public.api.DIRECT_ROUTES`), not by FastAPI's route, which stays for the OpenAPI document. Every answer of
the direct route is compared here with the answer FastAPI's route gives to the same request, on two apps of the
same registry.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Match, Route
from support.web import METRICS_HEADERS, Issued, MakeClient

import web.public.service
from web.public.api import DIRECT_ROUTES, router

AT = dt.datetime(2026, 9, 1, 12, 0, tzinfo=dt.UTC)

JSON = {"Content-Type": "application/json"}
REQUESTS: list[tuple[str, bytes, dict[str, str]]] = [
    ("POST", b'{"qr_text": "HTTPS://V.EDU.KZ/V/123"}', JSON),
    ("POST", b'{"qr_text": "' + b"1" * 2001 + b'"}', JSON),
    ("POST", b'{"qr_text": 5}', JSON),
    ("POST", b'{"qr_text": null}', JSON),
    ("POST", b'{"qr_text": "x", "iin": "1"}', JSON),
    ("POST", b"{}", JSON),
    ("POST", b"[]", JSON),
    ("POST", b'"qr_text"', JSON),
    ("POST", b"", JSON),
    ("POST", b'{"qr_text": "x"', JSON),
    ("POST", b'{"qr_text": "a\\u0000b"}', JSON),
    ("POST", b"[" * 40 + b"]" * 40, JSON),
    ("POST", b'{"qr_text": "\xff"}', JSON),
    ("POST", b'{"qr_text": "x"}', {"Content-Type": "text/plain"}),
    ("POST", b'{"qr_text": "x"}', {}),
    ("POST", b'{"qr_text": "x"}', {"Content-Type": "application/problem+json; charset=utf-8"}),
    ("PUT", b'{"qr_text": "x"}', JSON),
    ("GET", b"", {}),
    ("DELETE", b"", {}),
]


def _answer(client: TestClient, method: str, body: bytes, headers: dict[str, str]) -> tuple[Any, ...]:
    response = client.request(method, "/api/v1/verify", content=body, headers=headers)
    kept = {name: value for name, value in response.headers.items() if name not in ("x-request-id", "content-length")}
    document = response.json() if response.content else None
    if isinstance(document, dict):
        document.pop("instance", None)  # the request id
    return response.status_code, kept, document


@pytest.fixture
def twins(make_client: MakeClient, monkeypatch: pytest.MonkeyPatch) -> tuple[TestClient, TestClient]:
    """Two apps on the same registry: as served (the direct route), and without the direct route (FastAPI's)."""
    monkeypatch.setattr(web.public.service, "utcnow", lambda: AT)
    direct, general = make_client(), make_client()
    routes = general.app.router.routes
    routes[:] = [route for route in routes if route not in DIRECT_ROUTES]
    return direct, general


def test_the_direct_route_is_matched_first_for_a_post(client: TestClient) -> None:
    scope = {"type": "http", "method": "POST", "path": "/api/v1/verify", "root_path": ""}
    first = next(route for route in client.app.router.routes  # type: ignore[attr-defined]
                 if route.matches(scope)[0] is Match.FULL)
    assert first in DIRECT_ROUTES and type(first) is Route
    assert any(isinstance(route, APIRoute) and route.path == "/api/v1/verify" and route.methods == {"POST"}
               for route in router.routes)  # FastAPI's, for the OpenAPI document
    assert "/api/v1/verify" in client.get("/openapi.json").json()["paths"]


@pytest.mark.parametrize(("method", "body", "headers"), REQUESTS)
def test_the_direct_route_answers_as_fastapis_route(twins: tuple[TestClient, TestClient], method: str, body: bytes,
                                                    headers: dict[str, str]) -> None:
    direct, general = twins
    assert _answer(direct, method, body, headers) == _answer(general, method, body, headers)


def test_the_direct_route_answers_a_verification_as_fastapis_route(twins: tuple[TestClient, TestClient],
                                                                   issued: Issued) -> None:
    direct, general = twins
    body = json.dumps({"qr_text": issued.revision.qr_text}).encode()
    answer = _answer(direct, "POST", body, JSON)
    assert answer[0] == 200 and answer[2]["verdict"] == "VALID"
    assert answer == _answer(general, "POST", body, JSON)


def test_the_direct_route_counts_the_rate_limit_and_the_verdict_metric(make_client: MakeClient,
                                                                      issued: Issued) -> None:
    client = make_client(rate_verify="2/minute")
    body = {"qr_text": issued.revision.qr_text}
    assert [client.post("/api/v1/verify", json=body).status_code for _ in range(3)] == [200, 200, 429]
    metrics = client.get("/metrics", headers=METRICS_HEADERS).text
    assert 'verify_verdicts_total{source="api",verdict="VALID"} 2.0' in metrics


def _ping_answer(client: TestClient, method: str) -> tuple[Any, ...]:
    response = client.request(method, "/api/v1/ping")
    kept = {name: value for name, value in response.headers.items()
            if name not in ("x-request-id", "content-length", "allow")}
    document = response.json() if response.content else None
    if isinstance(document, dict):
        document.pop("instance", None)
    return response.status_code, kept, document


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "DELETE"])
def test_the_liveness_probe_takes_the_direct_route_and_answers_as_fastapis(twins: tuple[TestClient, TestClient],
                                                                          method: str) -> None:
    """The benchmark's trivial answer takes the same routing as the verification (their ratio compares the
    verification's own work); it answers as FastAPI's route did, but that a refused method's Allow now names HEAD."""
    direct, general = twins
    scope = {"type": "http", "method": "GET", "path": "/api/v1/ping", "root_path": ""}
    first = next(route for route in direct.app.router.routes  # type: ignore[attr-defined]
                 if route.matches(scope)[0] is Match.FULL)
    assert first in DIRECT_ROUTES
    assert _ping_answer(direct, method) == _ping_answer(general, method)
    if method != "GET":
        allow = direct.request(method, "/api/v1/ping").headers["allow"]
        assert {m.strip() for m in allow.split(",")} == {"GET", "HEAD"}
    else:
        assert direct.get("/api/v1/ping").json() == {"ok": True}


def test_the_liveness_probe_answers_head_without_a_body(client: TestClient) -> None:
    response = client.head("/api/v1/ping")
    assert response.status_code == 200 and response.content == b""
    assert "/api/v1/ping" in client.get("/openapi.json").json()["paths"]
