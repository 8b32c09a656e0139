"""The console's case pages (web/officer/console_cases.py) through a TestClient: register an application, take each
step of the case on its page, the head's approval queue, the decision letter; overdue and due-soon cases first and
marked; another institution's case is the 404 page a missing one gets; a refused form writes nothing.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from support.leaks import CORPUS
from support.web import STAFF_SETTINGS, Issued, MakeClient, give_password, https, issue
from support.world import World, make_iin
from test_console import Html, page, registry_state, sign_in

from verify.registry.models import Officer
from verify.workdays import WorkCalendar

KZ = dt.timezone(dt.timedelta(hours=5))


@pytest.fixture
def desk(make_client: MakeClient, world: World) -> Any:
    """`desk(officer)` -> (a client signed in as the officer through the form, its CSRF token)."""

    def opened(officer: Officer) -> tuple[TestClient, str]:
        give_password(world, officer)
        client = https(make_client(**STAFF_SETTINGS))
        client.headers["Accept-Language"] = "en"
        return client, sign_in(client, officer.username)

    return opened


def _today() -> dt.date:
    return dt.datetime.now(KZ).date()


def _register(client: TestClient, csrf: str, document: Any, **fields: Any) -> str:
    """Register an application through the form; the case page's path."""
    data = {"kind": "duplicate", "series": document.series, "number": document.number,
            "received_on": _today().isoformat(), "channel": "in_person",
            "presented": ["application", "identity_document", "loss_announcement"], "reason": "lost",
            "csrf_token": csrf, **fields}
    answer = client.post("/console/cases", data=data, follow_redirects=False)
    assert answer.status_code == 303, answer.text[:3000]
    location: str = answer.headers["location"]
    assert location.endswith("?done=registered")
    return location.split("?", 1)[0]


def _step(client: TestClient, csrf: str, case: str, step: str, status: int = 200, **data: Any) -> Html:
    return page(client.post(f"{case}/{step}", data={**data, "csrf_token": csrf}), status)


def test_a_refused_correction_step_by_step_and_its_letter(desk: Any, world: World, issued: Issued) -> None:
    registrar, csrf = desk(world.uni_issuer)
    document = page(registrar.get(f"/console/documents/BD/{issued.document.number}"))
    register = next(a["href"] for a in document.all("a") if a.get("href", "").startswith("/console/cases/new?"))
    assert page(registrar.get(register)).field("number") == issued.document.number
    form = page(registrar.get(f"/console/cases/new?series=BD&number={issued.document.number}&kind=correction"))
    assert form.field("series") == "BD" and form.field("number") == issued.document.number
    before = registry_state(world)
    refused = page(registrar.post("/console/cases", data={"kind": "correction", "series": "BD",
                                                          "number": issued.document.number,
                                                          "received_on": _today().isoformat(), "channel": "egov",
                                                          "csrf_token": csrf}), 422)
    assert "presented" in refused.text and refused.all("form")
    assert registry_state(world) == before
    case = _register(registrar, csrf, issued.document, kind="correction", reason="", channel="egov",
                     presented=["application", "digital_identity_document"], programme="6B06102",
                     explanation="the programme code was typed wrong")
    shown = page(registrar.get(f"{case}?done=registered"))
    assert "The application is registered." in shown.text and "registered" in shown.text
    assert "e-gov portal" in shown.text and "identity document from the digital documents service" in shown.text
    calendar = WorkCalendar()
    due = calendar.add_working_days(calendar.registration_day(_today()), 15)
    assert "15 working days" in shown.text and f"{due.day} " in shown.text.split("due by", 1)[1][:30]
    assert not [a for a in shown.all("a") if "/letter" in a.get("href", "")]
    assert [a["href"] for a in shown.all("a") if a.get("href", "").startswith("/console/documents/")] == [
        f"/console/documents/BD/{issued.document.number}"]

    _step(registrar, csrf, case, "review")
    empty = _step(registrar, csrf, case, "notice", 422, text="")
    assert "A notice needs its grounds and its text." in empty.text
    noticed = _step(registrar, csrf, case, "notice", reasons=["documents_not_compliant"],
                    text="The order on the programme is not presented.")
    assert "The refusal notice is sent." in noticed.text and "hearing until" in noticed.text
    heard = _step(registrar, csrf, case, "hearing", statement="The applicant has no order to present.")
    assert "heard" in heard.text
    assert "A refusal needs at least one ground." in _step(registrar, csrf, case, "proposal", 422,
                                                           decision="refuse").text
    proposed = _step(registrar, csrf, case, "proposal", decision="refuse", reasons=["documents_not_compliant"],
                     text="The order on the programme was not presented.")
    assert "Awaiting the approval of a head who did not prepare it." in proposed.text
    # the registrar has no approval form, and posting one is refused
    assert not [f for f in proposed.all("form") if f.get("action", "").endswith("/approve")]
    assert _step(registrar, csrf, case, "approve", 403, confirm="yes").all("form")  # the page again, 403

    head, head_csrf = desk(world.uni_head)
    queue = page(head.get("/console/cases/queue"))
    assert case.rsplit("/", 1)[1] in queue.text
    assert "Tick the confirmation box." in _step(head, head_csrf, case, "approve", 422).text
    decided = _step(head, head_csrf, case, "approve", confirm="yes")
    assert "refused" in decided.text and "the documents do not meet the requirements" in decided.text
    timeline = decided.text.split("Timeline", 1)[1]
    for words in ("registered", "review started", "refusal notice sent", "hearing recorded", "decision proposed",
                  "approved by the head", world.uni_head.username, world.uni_issuer.username):
        assert words in timeline, words
    assert "No applications" not in page(head.get("/console/cases")).text
    assert "Nothing awaits your approval." in page(head.get("/console/cases/queue")).text
    for lang, words in (("kk", "қанағаттандырылмады"), ("ru", "отказано")):
        letter = registrar.get(f"{case}/letter", params={"lang": lang})
        assert letter.status_code == 200 and letter.headers["content-type"] == "application/pdf"
        printed = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(letter.content)).pages)
        assert case.rsplit("/", 1)[1] in printed and words in printed


def test_overdue_and_due_soon_cases_are_listed_first_and_marked(desk: Any, world: World) -> None:
    registrar, csrf = desk(world.uni_issuer)
    calendar, today = WorkCalendar(), _today()
    fresh = _register(registrar, csrf, issue(world, surname="Ким").document)
    late = _register(registrar, csrf, issue(world, surname="Омарова").document,
                     received_on=(today - dt.timedelta(days=60)).isoformat())
    soon = _register(registrar, csrf, issue(world, surname="Жұмабаев").document,
                     received_on=calendar.subtract_working_days(calendar.registration_day(today), 13).isoformat())
    listed = page(registrar.get("/console/cases"))
    order = [path.rsplit("/", 1)[1] for path in (late, soon, fresh)]
    positions = [listed.text.index(number) for number in order]
    assert positions == sorted(positions)
    assert [r["class"] for r in listed.all("tr") if r.get("class")] == ["due-overdue", "due-soon"]
    assert "overdue" in listed.text and "due soon" in listed.text
    only = page(registrar.get("/console/cases", params={"due": "overdue"}))
    assert order[0] in only.text and order[1] not in only.text and order[2] not in only.text
    assert order[2] in page(registrar.get("/console/cases", params={"state": "registered",
                                                                    "kind": "duplicate"})).text
    assert order[0] not in page(registrar.get("/console/cases", params={"kind": "annulment"})).text


def test_another_institutions_case_is_missing_and_a_viewer_only_reads(desk: Any, world: World,
                                                                      issued: Issued) -> None:
    registrar, csrf = desk(world.uni_issuer)
    case = _register(registrar, csrf, issued.document)
    outsider, outsider_csrf = desk(world.other_issuer)
    missing = case[:-1] + ("1" if case[-1] != "1" else "2")
    theirs, nobodys = page(outsider.get(case), 404), page(outsider.get(missing), 404)
    number, other = case.rsplit("/", 1)[1], missing.rsplit("/", 1)[1]
    assert theirs.text.replace(number, "N") == nobodys.text.replace(other, "N")
    viewer, viewer_csrf = desk(world.uni_viewer)
    before = registry_state(world)
    _step(outsider, outsider_csrf, case, "review", 404)
    assert page(outsider.get("/console/cases/not-a-number"), 404)
    assert "Start the review" not in page(viewer.get(case)).text
    _step(viewer, viewer_csrf, case, "review", 403)
    assert registry_state(world) == before
    assert page(registrar.get(f"{case}/letter"), 409)


def test_the_heads_queue_leaves_out_what_the_head_prepared(desk: Any, world: World, issued: Issued) -> None:
    registrar, csrf = desk(world.uni_issuer)
    theirs = registrar.post(f"/console/documents/BD/{issued.document.number}/duplicate",
                            data={"reason": "lost", "confirm": "yes", "csrf_token": csrf}, follow_redirects=False)
    head, head_csrf = desk(world.uni_head)
    other = issue(world, surname="Сейітқали").document
    own = head.post(f"/console/documents/{other.series}/{other.number}/duplicate",
                    data={"reason": "damaged", "confirm": "yes", "csrf_token": head_csrf}, follow_redirects=False)
    number_theirs = theirs.headers["location"].split("?", 1)[0].rsplit("/", 1)[1]
    number_own = own.headers["location"].split("?", 1)[0].rsplit("/", 1)[1]
    queue = page(head.get("/console/cases/queue"))
    assert number_theirs in queue.text and number_own not in queue.text
    mine = page(head.get(own.headers["location"]))
    assert "Awaiting the approval of a head who did not prepare it." in mine.text
    assert not [f for f in mine.all("form") if f.get("action", "").endswith("/approve")]


def test_an_iin_in_the_applicants_statement_is_refused_and_not_shown_again(desk: Any, world: World,
                                                                          issued: Issued) -> None:
    registrar, csrf = desk(world.uni_issuer)
    iin = make_iin(dt.date(1991, 3, 8), serial=778)
    CORPUS.iins.add(iin)
    before = registry_state(world)
    refused = page(registrar.post("/console/cases", data={
        "kind": "annulment", "series": "BD", "number": issued.document.number, "received_on": _today().isoformat(),
        "channel": "in_person", "presented": ["application"], "explanation": f"order on {iin}",
        "csrf_token": csrf}), 422)
    assert iin not in refused.text and refused.all("form")
    assert registry_state(world) == before
