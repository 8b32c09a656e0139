"""Every error is an RFC 9457 problem: 400, 404, 405, 413, 415, 422, 429, 500, 503; and what the logs keep.

Each case checks the whole shape (type, title, status, detail, instance = the request id) and that nothing of
the request or of a stack trace comes back.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from fastapi.testclient import TestClient
from support.leaks import CORPUS
from support.web import MakeClient, assert_problem
from support.world import make_iin

from web.problems.catalogue import PROBLEM_TYPES


def test_404_for_an_unknown_path(client: TestClient) -> None:
    body = assert_problem(client.get("/api/v1/nothing-here?name=Иванова"), 404, "not-found")
    assert "Иванова" not in json.dumps(body, ensure_ascii=False)


def test_405_names_the_allowed_methods(client: TestClient) -> None:
    response = client.put("/api/v1/verify", json={"qr_text": "x"})
    assert_problem(response, 405, "method-not-allowed")
    assert response.headers["allow"] == "POST"


def test_413_by_content_length_before_the_body_is_read(make_client: MakeClient) -> None:
    client = make_client(max_json_bytes=1024)
    response = client.post("/api/v1/verify", content=b'{"qr_text": "' + b"1" * 2000 + b'"}',
                           headers={"Content-Type": "application/json"})
    body = assert_problem(response, 413, "content-too-large")
    assert body["detail"] == "the request body is over the cap of 1024 bytes"


def test_413_by_counting_a_body_without_a_length(make_client: MakeClient) -> None:
    client = make_client(max_json_bytes=1024)

    def chunks() -> Iterator[bytes]:
        for _ in range(64):
            yield b" " * 512

    response = client.post("/api/v1/verify", content=chunks(), headers={"Content-Type": "application/json"})
    assert "content-length" not in {k.lower() for k in response.request.headers}
    assert_problem(response, 413, "content-too-large")


def test_413_for_an_upload_over_its_cap_and_a_picture_over_the_byte_cap(make_client: MakeClient) -> None:
    client = make_client(max_upload_bytes=2048)
    too_big = b"\x89PNG\r\n\x1a\n" + b"\0" * 100_000
    assert_problem(client.post("/api/v1/scan", files={"photo": ("a.png", too_big, "image/png")}), 413,
                   "content-too-large")
    over_picture_cap = b"\x89PNG\r\n\x1a\n" + b"\0" * 4000  # under the body cap (2048 + 64 KiB), over 2048
    body = assert_problem(client.post("/api/v1/scan", files={"photo": ("a.png", over_picture_cap, "image/png")}),
                          413, "content-too-large")
    assert "over the cap of 2048 bytes" in body["detail"]


def test_415_for_a_body_that_is_not_json(client: TestClient) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", ""):
        response = client.post("/api/v1/verify", content=b'{"qr_text": "x"}', headers={"Content-Type": content_type})
        assert_problem(response, 415, "unsupported-media-type")
    ok = client.post("/api/v1/verify", content=b'{"qr_text": "x"}',
                     headers={"Content-Type": "application/json; charset=utf-8"})
    assert ok.status_code == 200


def test_422_lists_where_but_never_what(client: TestClient) -> None:
    iin = make_iin()
    CORPUS.iins.add(iin)
    response = client.post("/api/v1/lookup", json={"series": "BD", "number": "0000001", "surname": 5, "iin": iin})
    body = assert_problem(response, 422, "invalid-request")
    assert {tuple(error["loc"]) for error in body["errors"]} == {("body", "surname"), ("body", "iin")}
    assert iin not in response.text and set(body["errors"][0]) == {"loc", "msg", "type"}


def test_400_for_json_nested_too_deeply_and_422_for_broken_json(client: TestClient) -> None:
    nested = b"[" * 60_000 + b"]" * 60_000
    response = client.post("/api/v1/verify", content=nested[:65_000], headers={"Content-Type": "application/json"})
    assert_problem(response, 400, "bad-request")
    deep_object = b'{"a":' * 10_000 + b"1" + b"}" * 10_000
    assert_problem(client.post("/api/v1/verify", content=deep_object, headers={"Content-Type": "application/json"}),
                   400, "bad-request")
    broken = client.post("/api/v1/verify", content=b'{"qr_text": ', headers={"Content-Type": "application/json"})
    assert_problem(broken, 422, "invalid-request")


def test_429_with_retry_after(make_client: MakeClient) -> None:
    client = make_client(rate_verify="2/minute")
    for _ in range(2):
        assert client.post("/api/v1/verify", json={"qr_text": "x"}).status_code == 200
    response = client.post("/api/v1/verify", json={"qr_text": "x"})
    assert_problem(response, 429, "rate-limited")
    assert 1 <= int(response.headers["retry-after"]) <= 60
    assert client.get("/V/1").status_code == 429  # the link and the API share the "verify" bucket
    assert client.get("/api/v1/trust-list").status_code == 200  # other buckets are unaffected
    assert client.get("/healthz").status_code == 200  # not limited


def test_500_is_generic_and_logged_without_the_request(client: TestClient) -> None:
    secret = make_iin()
    CORPUS.iins.add(secret)

    class BrokenTrust:
        def current(self) -> object:
            raise RuntimeError(f"a failure whose message quotes {secret}")

    client.app.state.services.trust = BrokenTrust()  # type: ignore[attr-defined]
    lines_before = len(CORPUS.lines)
    response = client.get("/api/v1/trust-list?surname=Иванова")
    body = assert_problem(response, 500, "internal-error")
    assert secret not in response.text and "RuntimeError" not in response.text
    logged = [json.loads(line) for line in CORPUS.lines[lines_before:]]
    error = next(line for line in logged if line["event"] == "unhandled exception")
    assert error["error"] == "RuntimeError" and error["request_id"] == body["instance"].removeprefix("urn:uuid:")
    assert "[12 digits]" in error["exc"] and secret not in error["exc"]
    access = next(line for line in logged if line["event"] == "request")
    assert (access["route"], access["status"]) == ("/api/v1/trust-list", 500)
    assert "Иванова" not in json.dumps(logged, ensure_ascii=False)


def test_every_problem_type_has_a_title_a_description_and_an_error_status() -> None:
    for slug, problem in PROBLEM_TYPES.items():
        assert problem.uri == f"/problems/{slug}" and problem.title and len(problem.description) > 40
        assert 400 <= problem.status <= 599


def test_the_access_log_has_the_allowlisted_fields_only(client: TestClient) -> None:
    lines_before = len(CORPUS.lines)
    client.get("/V/9081726354?token=secret-value", headers={"X-Forwarded-For": "198.51.100.1", "Cookie": "a=b"})
    logged = [json.loads(line) for line in CORPUS.lines[lines_before:]]
    assert len(logged) == 1
    line = logged[0]
    assert set(line) == {"ts", "level", "logger", "event", "method", "route", "status", "duration_ms", "client",
                         "request_id"}
    assert line["route"] == "/V/{digits}" and line["status"] == 200 and len(line["client"]) == 16
    text = json.dumps(line)
    assert "9081726354" not in text and "secret-value" not in text and "203.0.113.7" not in text
