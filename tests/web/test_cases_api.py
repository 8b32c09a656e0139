"""The officers' case API (web/officer/cases_api.py): applications from registration to the head's decision.

The whole path of a lost-diploma duplicate (register -> review -> propose -> the head approves -> the original is
replaced, the letter is printed) runs on SQLite and on PostgreSQL; a refused correction goes through the
preliminary notice and the hearing (seed 000 item 58). A registrar cannot make anything take effect, nor a head who
prepared it; another institution's cases are answered 404 like missing ones; the list puts overdue and due-soon cases
first and `/metrics` counts them.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from support.caseflow import APPLICATIONS, apply_for, approve
from support.web import (
    METRICS_HEADERS,
    STAFF_SETTINGS,
    Issued,
    MakeClient,
    RecordingClient,
    assert_problem,
    bearer,
    https,
    issue,
    officer_token,
    web_settings,
)
from support.world import Keys, World, build_world, postgres_database

from verify.registry.db import upgrade_database
from verify.workdays import WorkCalendar
from web.app import create_app
from web.officer.cases_schemas import ApplicationModel, ApplicationsModel

KZ = dt.timezone(dt.timedelta(hours=5))


@pytest.fixture
def api(make_client: MakeClient) -> TestClient:
    """A started app with cheap password hashing."""
    return https(make_client(**STAFF_SETTINGS))


@pytest.fixture
def registrar(world: World) -> dict[str, str]:
    """The university registrar's bearer header."""
    return bearer(officer_token(world, world.uni_issuer)[0])


@pytest.fixture
def head(world: World) -> dict[str, str]:
    """The university head's bearer header."""
    return bearer(officer_token(world, world.uni_head)[0])


def _today() -> dt.date:
    return dt.datetime.now(KZ).date()


def _register(client: TestClient, headers: dict[str, str], document: Any, **fields: Any) -> dict[str, Any]:
    body = {"kind": "duplicate", "series": document.series, "number": document.number,
            "received_on": _today().isoformat(), "channel": "in_person",
            "presented": ["application", "identity_document", "loss_announcement"], "reason": "lost", **fields}
    answer = client.post(APPLICATIONS, json=body, headers=headers)
    assert answer.status_code == 201, answer.text
    application: dict[str, Any] = answer.json()
    ApplicationModel.model_validate(application)
    return application


def _pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def duplicate_path(client: TestClient, world: World, issued: Issued, registrar: dict[str, str],
                   head: dict[str, str]) -> None:
    """A lost diploma: registered, reviewed, proposed by the registrar, approved by the head; the letter."""
    document = issued.document
    application = _register(client, registrar, document)
    number = application["number"]
    assert number.startswith(f"{world.uni.bin}-{_today().year}-")
    assert application["state"] == "registered" and application["term"] == "duplicate"
    calendar = WorkCalendar()
    assert application["due_on"] == calendar.add_working_days(calendar.registration_day(_today()), 15).isoformat()
    assert application["presented"] == ["application", "identity_document", "loss_announcement"]
    url = f"{APPLICATIONS}/{number}"
    # the letter exists only with the decision
    assert_problem(client.get(f"{url}/letter", headers=registrar), 409, "document-state")
    assert client.post(f"{url}/review", headers=registrar).json()["state"] == "under_review"
    assert_problem(client.post(f"{url}/review", headers=registrar), 409, "document-state")
    proposed = client.post(f"{url}/proposal", json={"decision": "grant"}, headers=registrar).json()
    assert proposed["state"] == "awaiting_approval" and proposed["prepared_by"] == world.uni_issuer.username
    # the registrar cannot make it take effect; the original is still in force
    assert_problem(client.post(f"{url}/approve", headers=registrar), 403, "forbidden")
    original = f"/api/v1/officer/documents/{document.series}/{document.number}"
    assert client.get(original, headers=registrar).json()["state"] == "valid"
    granted = approve(client, number, head)
    assert granted["state"] == "granted" and granted["approved_by"] == world.uni_head.username
    assert granted["result_document"] is not None
    assert client.get(original, headers=registrar).json()["state"] == "replaced"
    actions = [step["action"] for step in granted["timeline"]]
    assert actions == ["register", "review", "propose", "approve"]
    # the audit log names both officers
    audit = client.get("/api/v1/officer/audit", params={"action": "application.approve"}, headers=head).json()
    event = audit["events"][0]
    assert event["actor"] == world.uni_head.username and event["object_ref"] == number
    assert world.uni_issuer.username in str(event)
    # the letter, in Kazakh and Russian, names the application, the institution and the duplicate
    for lang, words in (("kk", "телнұсқасы берілді"), ("ru", "выдан дубликат")):
        letter = client.get(f"{url}/letter", params={"lang": lang}, headers=registrar)
        assert letter.status_code == 200 and letter.headers["content-type"] == "application/pdf"
        assert f"decision-{number}-{lang}.pdf" in letter.headers["content-disposition"]
        printed = _pdf_text(letter.content)
        assert number in printed and world.uni.bin in printed and words in printed
        assert world.uni_head.full_name in printed  # the head who approved it, by name
        assert granted["result_document"]["number"] in printed
    assert_problem(client.get(f"{url}/letter", params={"lang": "en"}, headers=registrar), 422, "invalid-request")


def test_a_lost_diploma_duplicate_on_sqlite(api: TestClient, world: World, issued: Issued,
                                            registrar: dict[str, str], head: dict[str, str]) -> None:
    duplicate_path(api, world, issued, registrar, head)


@pytest.mark.postgres
def test_a_lost_diploma_duplicate_on_postgresql(keys: Keys, tmp_path: Path) -> None:
    with postgres_database() as url:
        upgrade_database(url)
        world = build_world(url, signer=keys.store.signer(), trust_list=keys.store.trust_list())
        try:
            (tmp_path / "data").mkdir()
            with RecordingClient(create_app(web_settings(world, keys, tmp_path, **STAFF_SETTINGS))) as client:
                duplicate_path(https(client), world, issue(world), bearer(officer_token(world, world.uni_issuer)[0]),
                               bearer(officer_token(world, world.uni_head)[0]))
        finally:
            world.dispose()


def test_a_correction_refused_after_the_notice_and_the_hearing(api: TestClient, world: World, issued: Issued,
                                                               registrar: dict[str, str],
                                                               head: dict[str, str]) -> None:
    document = issued.document
    application = _register(api, registrar, document, kind="correction", reason=None,
                            presented=["application", "digital_identity_document"],
                            changes={"programme": "6B06102"}, explanation="the programme code was typed wrong")
    assert application["term"] == "correction-he"
    url = f"{APPLICATIONS}/{application['number']}"
    api.post(f"{url}/review", headers=registrar)
    # a refusal needs the notice first, and the notice needs its grounds
    assert_problem(api.post(f"{url}/proposal", json={"decision": "refuse", "reasons": ["documents_not_compliant"]},
                            headers=registrar), 409, "document-state")
    assert_problem(api.post(f"{url}/notice", json={"reasons": [], "text": "x"}, headers=registrar), 422,
                   "invalid-request")
    noticed = api.post(f"{url}/notice", json={"reasons": ["documents_not_compliant"],
                                              "text": "The order on the programme is not presented."},
                       headers=registrar)
    assert noticed.status_code == 200, noticed.text
    assert noticed.json()["state"] == "refusal_notice" and noticed.json()["hearing_until"]
    heard = api.post(f"{url}/hearing", json={"statement": "The applicant has no order to present."},
                     headers=registrar)
    assert heard.json()["state"] == "hearing"
    refused = api.post(f"{url}/proposal", json={"decision": "refuse", "reasons": ["documents_not_compliant"],
                                                "text": "The order on the programme was not presented."},
                       headers=registrar)
    assert refused.json()["proposal"] == "refuse"
    decided = approve(api, application["number"], head)
    assert decided["state"] == "refused" and decided["refusal_reasons"] == ["documents_not_compliant"]
    detail = api.get(f"/api/v1/officer/documents/{document.series}/{document.number}", headers=registrar).json()
    assert detail["current_revision"] == 1  # nothing was corrected
    letter = api.get(f"{url}/letter", params={"lang": "ru"}, headers=registrar)
    printed = _pdf_text(letter.content)
    assert "отказано" in printed and "несоответствие документов" in printed
    assert "The order on the programme was not presented." in printed


def test_the_head_returns_a_case_and_cannot_approve_what_they_prepared(api: TestClient, world: World,
                                                                       issued: Issued, registrar: dict[str, str],
                                                                       head: dict[str, str]) -> None:
    path = f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}"
    application = apply_for(api, path, "/duplicates", {"reason": "damaged"}, registrar)
    url = f"{APPLICATIONS}/{application['number']}"
    assert_problem(api.post(f"{url}/return", json={"comment": "x"}, headers=registrar), 403, "forbidden")
    returned = api.post(f"{url}/return", json={"comment": "Check the damaged original."}, headers=head).json()
    assert returned["state"] == "under_review" and returned["timeline"][-1]["details"]["comment"]
    # the head proposes it now: the head may not approve it
    api.post(f"{url}/proposal", json={"decision": "grant"}, headers=head)
    assert_problem(api.post(f"{url}/approve", headers=head), 403, "forbidden")
    queue = api.get(APPLICATIONS, params={"state": "awaiting_approval"}, headers=head).json()
    assert [a["number"] for a in queue["applications"]] == [application["number"]]
    # an annulment proposed through the document route by the head waits for another head, too
    other = issue(world, surname="Сейітқали")
    doc = f"/api/v1/officer/documents/{other.document.series}/{other.document.number}"
    annulment = apply_for(api, doc, "/annulment", {"basis": "order No. 41"}, head)
    assert annulment["kind"] == "annulment" and annulment["term"] is None
    assert_problem(api.post(f"{APPLICATIONS}/{annulment['number']}/approve", headers=head), 403, "forbidden")
    assert api.get(doc, headers=head).json()["state"] == "valid"


def test_another_institutions_cases_are_missing_and_bad_numbers_are_refused(
        api: TestClient, world: World, issued: Issued, registrar: dict[str, str]) -> None:
    application = _register(api, registrar, issued.document)
    outsider = bearer(officer_token(world, world.other_issuer)[0])
    url = f"{APPLICATIONS}/{application['number']}"
    assert_problem(api.get(url, headers=outsider), 404, "not-found")
    assert_problem(api.post(f"{url}/review", headers=outsider), 404, "not-found")
    assert_problem(api.get(f"{url}/letter", headers=outsider), 404, "not-found")
    assert api.get(APPLICATIONS, headers=outsider).json()["applications"] == []
    body = {"kind": "duplicate", "series": issued.document.series, "number": issued.document.number,
            "received_on": _today().isoformat(), "channel": "egov", "presented": ["application"], "reason": "lost"}
    assert_problem(api.post(APPLICATIONS, json=body, headers=outsider), 404, "not-found")
    assert api.get(url, headers=registrar).json()["state"] == "registered"  # nothing changed
    assert_problem(api.get(f"{APPLICATIONS}/42", headers=registrar), 422, "invalid-request")
    assert_problem(api.post(APPLICATIONS, json={**body, "presented": []}, headers=registrar), 422, "invalid-request")
    assert_problem(api.post(APPLICATIONS, json={**body, "received_on": (_today() + dt.timedelta(days=2)).isoformat()},
                            headers=registrar), 422, "invalid-data")
    viewer = bearer(officer_token(world, world.uni_viewer, scopes=("officer:read",))[0])
    assert_problem(api.post(f"{url}/review", headers=viewer), 403, "forbidden")


def test_overdue_and_due_soon_cases_come_first_and_are_counted(api: TestClient, world: World,
                                                               registrar: dict[str, str]) -> None:
    calendar, today = WorkCalendar(), _today()
    late = issue(world, surname="Омарова")
    soon = issue(world, surname="Жұмабаев")
    fresh = issue(world, surname="Ким")
    received = {"fresh": today, "late": today - dt.timedelta(days=60),
                "soon": calendar.subtract_working_days(calendar.registration_day(today), 13)}
    numbers = {}
    for name, issued in (("fresh", fresh), ("late", late), ("soon", soon)):
        numbers[name] = _register(api, registrar, issued.document, received_on=received[name].isoformat())["number"]
    listed = ApplicationsModel.model_validate(api.get(APPLICATIONS, headers=registrar).json())
    assert [a.number for a in listed.applications] == [numbers["late"], numbers["soon"], numbers["fresh"]]
    assert [a.due for a in listed.applications] == ["overdue", "soon", None]
    only = api.get(APPLICATIONS, params={"due": "overdue"}, headers=registrar).json()["applications"]
    assert [a["number"] for a in only] == [numbers["late"]]
    assert_problem(api.get(APPLICATIONS, params={"due": "later"}, headers=registrar), 422, "invalid-request")
    metrics = api.get("/metrics", headers=METRICS_HEADERS).text
    assert "verify_cases_overdue 1.0" in metrics and "verify_cases_due_soon 1.0" in metrics


def test_a_correction_that_changes_nothing_is_refused_at_the_approval_and_the_case_waits(
        api: TestClient, world: World, issued: Issued, registrar: dict[str, str], head: dict[str, str]) -> None:
    path = f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}"
    application = apply_for(api, path, "/corrections", {"changes": {"programme": "6B06101"}, "reason": "same"},
                            registrar)
    assert_problem(api.post(f"{APPLICATIONS}/{application['number']}/approve", headers=head), 422, "invalid-data")
    assert api.get(f"{APPLICATIONS}/{application['number']}", headers=head).json()["state"] == "awaiting_approval"
    assert api.get(path, headers=head).json()["current_revision"] == 1
