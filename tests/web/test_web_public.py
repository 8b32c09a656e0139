"""The public endpoints, each on its happy path and its documented refusals, against a real SQLite registry.

The document of `issued` is BD 0000001, signed by the TEST ONLY key store for https://v.edu.kz; every answer is
checked against the response models of the OpenAPI document (`web.public.schemas`), so the documentation cannot drift
from what the service sends.
"""

from __future__ import annotations

import io
import json
import unicodedata

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import create_engine
from support.web import METRICS_HEADERS, SURNAME, Issued, MakeClient, assert_problem, digits, issue, qr_png
from support.world import World, later

from verify.errors import SchemaError
from verify.registry.lifecycle import annul_document
from web.public.api import prefers_json
from web.public.schemas import HealthModel, ReportModel, ScanResultsModel


# ----------------------------------------------------------------------------- GET /V/{digits}
def test_the_qr_link_page_shows_the_verdict_first_then_the_printed_fields(client: TestClient, issued: Issued) -> None:
    response = client.get(f"/V/{digits(issued)}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src 'self';" in response.headers["content-security-policy"]  # web/static only, never inline
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["content-security-policy"].startswith("default-src 'none'")
    assert response.headers["vary"] == "Accept, Accept-Language, Cookie"
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["referrer-policy"] == "no-referrer"
    page = response.text
    assert page.index("Valid document") < page.index("Әбдірахманова Гүлнұр Серікқызы") < page.index("0000001")


def test_the_qr_link_answers_the_report_json_when_asked(client: TestClient, issued: Issued) -> None:
    response = client.get(f"/V/{digits(issued)}", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    report = ReportModel.model_validate(response.json())
    assert (report.verdict, report.status, report.authentic) == ("VALID", "ORIGINAL_VALID", True)
    assert report.record is not None and report.record.number == "0000001"
    assert [step.outcome for step in report.steps] == ["passed"] * 12  # 12: the log entry (issue 15)


def test_the_lower_case_link_path_is_the_same_page(client: TestClient, issued: Issued) -> None:
    upper = client.get(f"/V/{digits(issued)}", headers={"Accept": "application/json"}).json()
    lower = client.get(f"/v/{digits(issued)}", headers={"Accept": "application/json"}).json()
    assert upper["verdict"] == lower["verdict"] == "VALID" and upper["record"] == lower["record"]


@pytest.mark.parametrize(("accept", "json_wanted"), [
    (None, False), ("*/*", False), ("text/html", False), ("application/json", True),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", False),
    ("application/json;q=0.9, text/html;q=0.5", True), ("application/json;q=0.5, text/html", False),
    ("application/*", True), ("text/*;q=0.1, application/json;q=0.2", True), ("application/json;q=0", False),
])
def test_content_negotiation_prefers_the_page_unless_json_is_preferred(accept: str | None, json_wanted: bool) -> None:
    assert prefers_json(accept) is json_wanted


def test_a_link_of_garbage_digits_is_a_malformed_verdict_page_not_an_error(client: TestClient) -> None:
    response = client.get("/V/12345678901234567890", headers={"Accept": "application/json"})
    assert response.status_code == 200 and response.json()["verdict"] == "MALFORMED"
    page = client.get("/V/<img src=x onerror=alert(1)>")
    assert page.status_code == 200 and "<img" not in page.text and "Not a valid document" in page.text


def test_the_link_page_escapes_what_the_record_holds(client: TestClient, world: World) -> None:
    """Names are Cyrillic letters only, so markup cannot come from a record; the page escapes anyway."""
    doc = issue(world, surname="Омарова-Ли", name="Айым", patronymic=None)
    page = client.get(f"/V/{digits(doc)}").text
    assert "Омарова-Ли Айым</dd>" in page


def test_an_annulled_document_shows_annulled_with_its_basis(client: TestClient, world: World, issued: Issued) -> None:
    with world.session() as session:
        annul_document(session=session, officer=world.uni_head, series="BD", number="0000001",
                       basis="order No. 17 of the rector", at=later(5))
    report = client.get(f"/V/{digits(issued)}", headers={"Accept": "application/json"}).json()
    assert report["verdict"] == "ANNULLED" and report["registry"]["reason"] == "order No. 17 of the rector"
    assert "Annulled" in client.get(f"/V/{digits(issued)}").text


# ----------------------------------------------------------------------------- POST /api/v1/verify
def test_verify_answers_the_report_of_a_qr_text(client: TestClient, issued: Issued) -> None:
    response = client.post("/api/v1/verify", json={"qr_text": issued.revision.qr_text})
    assert response.status_code == 200
    report = ReportModel.model_validate(response.json())
    assert report.verdict == "VALID" and report.registry is not None and report.registry.code == "ORIGINAL_VALID"


def test_verify_accepts_the_prefix_in_any_case_and_a_trailing_newline(client: TestClient, issued: Issued) -> None:
    text = "https://v.edu.kz/V/" + digits(issued) + "\r\n"
    assert client.post("/api/v1/verify", json={"qr_text": text}).json()["verdict"] == "VALID"


def test_a_qr_text_naming_another_host_fails_step_1(client: TestClient, issued: Issued) -> None:
    report = client.post("/api/v1/verify", json={"qr_text": "HTTPS://EVIL.EXAMPLE/V/" + digits(issued)}).json()
    assert report["verdict"] == "MALFORMED" and report["steps"][0]["outcome"] == "failed"
    assert report["record"] is None


def test_verify_refuses_a_text_over_2000_characters_and_unknown_members(client: TestClient) -> None:
    body = assert_problem(client.post("/api/v1/verify", json={"qr_text": "1" * 2001}), 422, "invalid-request")
    assert body["errors"] == [{"loc": ["body", "qr_text"], "msg": "String should have at most 2000 characters",
                               "type": "string_too_long"}]
    assert_problem(client.post("/api/v1/verify", json={"qr_text": "x", "iin": "1"}), 422, "invalid-request")


def test_a_kilobyte_of_garbage_is_a_malformed_verdict(client: TestClient) -> None:
    garbage = "HTTPS://V.EDU.KZ/V/" + "9" * 1000
    assert client.post("/api/v1/verify", json={"qr_text": garbage}).json()["verdict"] == "MALFORMED"
    noise = "".join(chr(0x20 + (i * 7919) % 0x5E) for i in range(1024))
    assert client.post("/api/v1/verify", json={"qr_text": noise}).json()["verdict"] == "MALFORMED"


def test_a_registry_that_cannot_be_read_is_503_never_a_verdict(client: TestClient, issued: Issued,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The status is unknown, which is not NOT_IN_REGISTRY: 503 unavailable with Retry-After, on the event loop's
    lookup (POST /api/v1/verify) and on the blocking one (the QR link)."""
    services = client.app.state.services  # type: ignore[attr-defined]

    async def unreadable_async(**_: object) -> None:
        raise SchemaError("the registry cannot be read (OperationalError); status unknown")

    def unreadable(**_: object) -> None:
        raise SchemaError("the registry cannot be read (OperationalError); status unknown")

    monkeypatch.setattr(services.async_status, "lookup", unreadable_async)
    monkeypatch.setattr(services.status_lookup, "lookup", unreadable)
    for response in (client.post("/api/v1/verify", json={"qr_text": issued.revision.qr_text}),
                     client.get(f"/V/{digits(issued)}", headers={"Accept": "application/json"})):
        body = assert_problem(response, 503, "unavailable")
        assert response.headers["retry-after"] == "30" and "status is unknown" in body["detail"]
    garbage = client.post("/api/v1/verify", json={"qr_text": "HTTPS://V.EDU.KZ/V/12"})
    assert garbage.json()["verdict"] == "MALFORMED"  # no registry question, no 503


# ----------------------------------------------------------------------------- POST /api/v1/scan
def test_scan_verifies_every_code_in_a_picture_in_reading_order(client: TestClient, world: World,
                                                                issued: Issued) -> None:
    second = issue(world)
    first_png, second_png = Image.open(io.BytesIO(qr_png(issued))), Image.open(io.BytesIO(qr_png(second)))
    sheet = Image.new("L", (first_png.width * 2 + 40, first_png.height), 255)
    sheet.paste(first_png.convert("L"), (0, 0))
    sheet.paste(second_png.convert("L"), (first_png.width + 40, 0))
    buffer = io.BytesIO()
    sheet.save(buffer, "PNG")
    response = client.post("/api/v1/scan", files={"photo": ("sheet.png", buffer.getvalue(), "image/png")})
    assert response.status_code == 200, response.text
    results = ScanResultsModel.model_validate(response.json()).results
    assert [(r.verdict, r.record.number if r.record else None) for r in results] == [
        ("VALID", "0000001"), ("VALID", second.document.number)]


def test_scan_refuses_by_stage(client: TestClient, issued: Issued) -> None:
    png = qr_png(issued)
    assert_problem(client.post("/api/v1/scan", files={"photo": ("a.gif", b"GIF89a" + b"\0" * 64, "image/gif")}),
                   415, "unsupported-media-type")
    assert_problem(client.post("/api/v1/scan", files={"photo": ("a.png", png[: len(png) // 2], "image/png")}),
                   422, "unreadable-image")
    blank = io.BytesIO()
    Image.new("L", (400, 300), 255).save(blank, "PNG")
    assert_problem(client.post("/api/v1/scan", files={"photo": ("b.png", blank.getvalue(), "image/png")}),
                   422, "no-qr-code")
    assert_problem(client.post("/api/v1/scan", json={"photo": "x"}), 415, "unsupported-media-type")
    assert_problem(client.post("/api/v1/scan", files={"picture": ("a.png", png, "image/png")}), 422,
                   "invalid-request")


def test_scan_refuses_a_picture_over_the_pixel_cap_from_its_header(make_client: MakeClient) -> None:
    client = make_client(max_image_pixels=10_000)
    picture = io.BytesIO()
    Image.new("L", (200, 200), 255).save(picture, "PNG")
    body = assert_problem(client.post("/api/v1/scan", files={"photo": ("p.png", picture.getvalue(), "image/png")}),
                          413, "content-too-large")
    assert "200 x 200 pixels" in str(body["detail"])


# ----------------------------------------------------------------------------- POST /api/v1/lookup
def test_lookup_answers_the_report_of_the_current_signed_record(client: TestClient, issued: Issued) -> None:
    response = client.post("/api/v1/lookup", json={"series": "BD", "number": "0000001", "surname": SURNAME})
    assert response.status_code == 200
    report = ReportModel.model_validate(response.json())
    assert report.verdict == "VALID" and report.record is not None and report.record.holder.surname == SURNAME


@pytest.mark.parametrize("typed", [
    SURNAME.upper(), SURNAME.lower(), f"  {SURNAME} ", unicodedata.normalize("NFD", SURNAME)])
def test_lookup_compares_the_surname_without_case_and_in_nfc(client: TestClient, issued: Issued, typed: str) -> None:
    response = client.post("/api/v1/lookup", json={"series": "bd", "number": "1", "surname": typed})
    assert response.status_code == 200 and response.json()["verdict"] == "VALID"


def test_lookup_answers_a_wrong_surname_exactly_like_an_unknown_number(client: TestClient, issued: Issued) -> None:
    wrong_surname = client.post("/api/v1/lookup", json={"series": "BD", "number": "0000001", "surname": "Иванова"})
    unknown_number = client.post("/api/v1/lookup", json={"series": "BD", "number": "0999999", "surname": "Иванова"})
    unknown_series = client.post("/api/v1/lookup", json={"series": "MD", "number": "0000001", "surname": SURNAME})
    answers = [assert_problem(r, 404, "not-found") for r in (wrong_surname, unknown_number, unknown_series)]
    for answer in answers:
        answer.pop("instance")
    assert answers[0] == answers[1] == answers[2]
    headers = [{k: v for k, v in r.headers.items() if k not in ("x-request-id", "content-length")}
               for r in (wrong_surname, unknown_number, unknown_series)]
    assert headers[0] == headers[1] == headers[2]
    assert len(wrong_surname.content) == len(unknown_number.content)


def test_lookup_refuses_a_malformed_number_whatever_the_registry_holds(client: TestClient) -> None:
    body = assert_problem(client.post("/api/v1/lookup", json={"series": "BD", "number": "12345678", "surname": "A"}),
                          422, "invalid-request")
    assert "seven digits" in str(body["detail"])
    assert_problem(client.post("/api/v1/lookup", json={"series": "B1", "number": "0000001", "surname": "A"}),
                   422, "invalid-request")


# ----------------------------------------------------------------------------- trust list, health, metrics
def test_the_trust_list_is_served_as_stored_and_cacheable(client: TestClient, issued: Issued) -> None:
    response = client.get("/api/v1/trust-list")
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    assert response.headers["cache-control"] == "public, max-age=300"
    document = json.loads(response.content)
    assert document["payload"]["type"] == "verify-trust-list" and "signature" in document
    again = client.get("/api/v1/trust-list", headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_health_reports_the_database_and_the_trust_list(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    health = HealthModel.model_validate(response.json())
    assert health.trust_list.version == 1 and health.trust_list.environment == "test"
    assert health.scan_pool == {"workers": 2, "busy": 0, "waiting": 0}


def test_health_is_a_503_problem_when_the_database_is_unreachable(client: TestClient) -> None:
    services = client.app.state.services  # type: ignore[attr-defined]
    services.engine.dispose()
    services.engine = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none")  # nothing listens on port 1
    body = assert_problem(client.get("/healthz"), 503, "unavailable")
    assert body["checks"]["database"] == "unavailable" and body["checks"]["trust_list"]["version"] == 1


def test_metrics_count_requests_by_route_template_and_verdicts(client: TestClient, issued: Issued) -> None:
    client.get(f"/V/{digits(issued)}")
    client.post("/api/v1/verify", json={"qr_text": "HTTPS://V.EDU.KZ/V/1"})
    client.get("/no/such/page")
    text = client.get("/metrics", headers=METRICS_HEADERS).text
    assert 'verify_http_requests_total{method="GET",route="/V/{digits}",status="200"} 1.0' in text
    assert 'verify_http_requests_total{method="GET",route="<unmatched>",status="404"} 1.0' in text
    assert 'verify_verdicts_total{source="link",verdict="VALID"} 1.0' in text
    assert 'verify_verdicts_total{source="api",verdict="MALFORMED"} 1.0' in text
    assert "verify_scan_queue_depth 0.0" in text
    assert "verify_http_request_duration_seconds_bucket" in text
    assert digits(issued) not in text


def test_every_problem_type_is_described_at_its_uri(client: TestClient) -> None:
    body = client.get("/problems/busy").json()
    assert body["type"] == "/problems/busy" and body["status"] == 503 and "Retry-After" in body["description"]
    assert_problem(client.get("/problems/no-such-thing"), 404, "not-found")


def test_openapi_documents_every_public_endpoint_with_examples_and_problems(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    paths = document["paths"]
    public = {("/V/{digits}", "get"), ("/api/v1/verify", "post"), ("/api/v1/scan", "post"),
              ("/api/v1/lookup", "post"), ("/api/v1/trust-list", "get"), ("/healthz", "get"), ("/metrics", "get")}
    for path, method in public:
        operation = paths[path][method]
        success = operation["responses"]["200"]["content"]
        assert any("example" in media or "examples" in media for media in success.values()), (path, method)
        for status, answer in operation["responses"].items():
            if status >= "400":
                problems = answer["content"]["application/problem+json"]
                assert problems["schema"] == {"$ref": "#/components/schemas/ProblemModel"}
                assert problems["examples"], (path, method, status)
    for path, method, request_media in (("/api/v1/verify", "post", "application/json"),
                                        ("/api/v1/lookup", "post", "application/json")):
        schema_ref = paths[path][method]["requestBody"]["content"][request_media]["schema"]["$ref"]
        assert document["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]["examples"]
    assert "multipart/form-data" in paths["/api/v1/scan"]["post"]["requestBody"]["content"]
    assert {"429"} <= set(paths["/api/v1/lookup"]["post"]["responses"])
    assert {"413", "415", "422", "503"} <= set(paths["/api/v1/scan"]["post"]["responses"])
    assert "ProblemModel" in document["components"]["schemas"] and "ReportModel" in document["components"]["schemas"]


def _sheet(*pngs: bytes) -> bytes:
    """The codes side by side on one white picture."""
    images = [Image.open(io.BytesIO(png)).convert("L") for png in pngs]
    sheet = Image.new("L", (sum(image.width + 40 for image in images), max(image.height for image in images)), 255)
    x = 0
    for image in images:
        sheet.paste(image, (x, 0))
        x += image.width + 40
    buffer = io.BytesIO()
    sheet.save(buffer, "PNG")
    return buffer.getvalue()


def test_scan_caps_the_codes_of_one_picture_and_counts_each_against_the_verify_limit(
        make_client: MakeClient, world: World, issued: Issued) -> None:
    # Issue 10 item 14: a photo with 120 codes ran 110 verifications outside the verify rate limit.
    sheet = _sheet(qr_png(issued), qr_png(issue(world)), qr_png(issue(world)))
    capped = make_client(scan_max_codes=2)
    body = assert_problem(capped.post("/api/v1/scan", files={"photo": ("s.png", sheet, "image/png")},
                                      headers={"Accept-Language": "ru"}), 422, "too-many-codes")
    assert (body["codes"], body["max_codes"]) == (3, 2) and "по одному" in body["detail"]
    page = capped.post("/scan/photo", files={"photo": ("s.png", sheet, "image/png")},
                       headers={"Accept-Language": "en"})
    assert page.status_code == 422 and "one document at a time" in page.text
    limited = make_client(client=("198.51.100.20", 4000), rate_verify="4/minute")
    assert limited.post("/api/v1/scan", files={"photo": ("s.png", sheet, "image/png")}).status_code == 200
    refused = limited.post("/api/v1/scan", files={"photo": ("s.png", sheet, "image/png")})
    assert_problem(refused, 429, "rate-limited")
    assert int(refused.headers["retry-after"]) >= 1
    assert limited.get(f"/V/{digits(issued)}").status_code == 429  # one bucket with the links and the API
