"""Applications in a real browser (Chromium) against the real app (uvicorn): the whole path of a lost-diploma
duplicate and of a refused correction (issue 13 item 8).

Duplicate: the registrar registers the application on the form (documents presented, reason lost), starts the
review and proposes to grant it; the head finds it in the approval queue and approves it; the original's public
link /V/... then says it was replaced. Correction: registered, reviewed, a preliminary refusal notice with its
ground, the hearing, the refusal proposed and approved by the head; the decision letter (PDF, Russian) downloads
and names the application and the ground. The case list (overdue and due-soon cases first, marked) and a case page
are photographed at 1280 px and 360 px; at 360 px nothing reaches past the right edge; no page breaks its CSP.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from support.world import BASE_URL, T0, World, build_world, issue_row, row

from browser.browsertools import Server, free_port, running_server
from browser.test_employer_pages import WIDER_THAN_THE_SCREEN
from verify.keystore import KeyStore
from verify.registry.accounts import PasswordHashing, set_officer_password
from verify.registry.cases import register_application
from verify.registry.db import upgrade_database
from verify.workdays import WorkCalendar

PASSWORD = "correct horse battery staple"
KZ = dt.timezone(dt.timedelta(hours=5))


@dataclass(frozen=True)
class Office:
    """The running app and what the tests need of its registry."""

    server: Server
    registrar: str
    head: str
    documents: dict[str, tuple[str, str]]


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Office]:
    """A fresh registry: the university's registrar and head (with passwords), four documents, and two earlier
    applications (one overdue, one due soon) so that the list shows its marks; served by uvicorn on 127.0.0.1."""
    base = tmp_path_factory.mktemp("cases")
    store = KeyStore(base / "keys")
    store.init(at=T0 - dt.timedelta(days=1), environment="test")
    url = f"sqlite:///{base / 'verify.db'}"
    upgrade_database(url)
    world: World = build_world(url, signer=store.signer(), trust_list=store.trust_list())
    documents: dict[str, tuple[str, str]] = {}
    try:
        with world.session() as session:
            for officer in (world.uni_issuer, world.uni_head):
                set_officer_password(session=session, officer=officer, password=PASSWORD,
                                     hashing=PasswordHashing(time_cost=1, memory_kib=8, parallelism=1),
                                     at=dt.datetime.now(dt.UTC))
        for n, (name, surname) in enumerate((("lost", "Әбдірахманова"), ("wrong", "Сейітқали"),
                                             ("late", "Омарова"), ("soon", "Жұмабаев"))):
            document, _ = issue_row(world, row(n + 2, group="ИС-22-1", surname=surname))
            documents[name] = (document.series, document.number)
        now = dt.datetime.now(dt.UTC)
        today, calendar = now.astimezone(KZ).date(), WorkCalendar()
        received = {"late": today - dt.timedelta(days=40),
                    "soon": calendar.subtract_working_days(calendar.registration_day(today), 13)}
        with world.session() as session:
            for name, day in received.items():
                register_application(session, world.uni_issuer, kind="duplicate", series=documents[name][0],
                                     number=documents[name][1], received_on=day, channel="egov",
                                     presented=["application", "digital_identity_document"], reason="damaged",
                                     at=now)
    finally:
        world.dispose()
    environment = {
        **os.environ, "VERIFY_ENVIRONMENT": "production", "VERIFY_KEYS_DIR": str(store.path),
        "VERIFY_BASE_URL": BASE_URL, "VERIFY_DATABASE_URL": url, "VERIFY_DATA_DIR": str(base / "data"),
        "VERIFY_RATE_VERIFY": "100000/minute", "VERIFY_RATE_LOGIN": "1000/minute", "VERIFY_SCAN_WORKERS": "1",
        "VERIFY_PASSWORD_TIME_COST": "1", "VERIFY_PASSWORD_MEMORY_KIB": "8", "VERIFY_PASSWORD_PARALLELISM": "1",
    }
    with running_server(environment, base=base, port=free_port()) as started:
        yield Office(server=started, registrar=world.uni_issuer.username, head=world.uni_head.username,
                     documents=documents)


class Desk:
    """One browser context at the console, its errors collected (CSP violations, script errors)."""

    def __init__(self, browser: Any, office: Office) -> None:
        self.context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800},
                                           device_scale_factor=1, accept_downloads=True)
        self.page = self.context.new_page()
        self.base = office.server.url
        self.problems: list[str] = []
        self.page.on("console", lambda m: self.problems.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))

    def sign_in(self, username: str) -> None:
        """Sign in through the form (after signing out whoever was signed in)."""
        page = self.page
        if page.get_by_role("button", name="Sign out").count():
            page.get_by_role("button", name="Sign out").click()
        page.goto(self.base + "/console/login")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(self.base + "/console")

    def register(self, kind: str, document: tuple[str, str], *, presented: tuple[str, ...]) -> None:
        """Open the registration form and fill in the kind, the document and the documents presented."""
        page = self.page
        page.get_by_role("link", name="Applications").click()
        page.get_by_role("link", name="Register an application").click()
        page.get_by_label(kind, exact=True).check()
        page.get_by_label("Document series").fill(document[0])
        page.get_by_label("Document number").fill(document[1])
        for label in presented:
            page.get_by_label(label, exact=True).check()

    def submit_registration(self) -> str:
        """Send the registration form; the case page's URL (without the query)."""
        page = self.page
        page.get_by_role("button", name="Register", exact=True).click()
        page.wait_for_url("**?done=registered")
        assert "The application is registered." in page.locator(".notice").inner_text()
        return page.url.split("?", 1)[0]

    def close(self) -> None:
        self.context.close()


def _fits_a_phone(desk: Desk, paths: list[str]) -> None:
    desk.page.set_viewport_size({"width": 360, "height": 780})
    for path in paths:
        desk.page.goto(path if path.startswith("http") else desk.base + path)
        assert desk.page.evaluate(WIDER_THAN_THE_SCREEN) == [], path
    desk.page.set_viewport_size({"width": 1280, "height": 800})


def test_a_lost_diploma_duplicate_from_the_application_to_the_replaced_original(
        browser: Any, office: Office, screenshots: Path) -> None:
    desk = Desk(browser, office)
    page = desk.page
    try:
        desk.sign_in(office.registrar)
        desk.register("Duplicate", office.documents["lost"],
                      presented=("application", "identity document", "announcement of the loss"))
        page.get_by_label("The document was lost").check()
        case = desk.submit_registration()
        assert "15 working days" in page.locator("#case-fields").inner_text()
        assert page.locator("#presented li").count() == 3
        page.get_by_role("button", name="Start the review").click()
        page.wait_for_url("**?done=review")
        page.locator("#proposal-form").get_by_label("grant").check()
        page.get_by_role("button", name="Send for the head's approval").click()
        page.wait_for_url("**?done=proposal")
        assert "Awaiting the approval of a head who did not prepare it." in page.locator("#awaiting-head").inner_text()

        # the list: the overdue case first, then the one due soon, each marked; then this one
        page.get_by_role("link", name="Applications").click()
        rows = page.locator("#cases tbody tr")
        assert rows.count() == 3
        assert "overdue" in rows.nth(0).inner_text() and "due soon" in rows.nth(1).inner_text()
        assert case.rsplit("/", 1)[1] in rows.nth(2).inner_text()
        page.screenshot(path=str(screenshots / "console-cases-1280.png"), full_page=True)
        page.set_viewport_size({"width": 360, "height": 780})
        assert page.evaluate(WIDER_THAN_THE_SCREEN) == []
        page.screenshot(path=str(screenshots / "console-cases-360.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})

        # the head approves it from the queue
        desk.sign_in(office.head)
        page.get_by_role("link", name="Applications").click()
        page.get_by_role("link", name="Awaiting approval").click()
        page.get_by_role("link", name=case.rsplit("/", 1)[1]).click()
        page.get_by_label("I approve the decision").check()
        page.get_by_role("button", name="Approve", exact=True).click()
        page.wait_for_url("**?done=approve")
        assert "granted" in page.locator(".state-line").inner_text()
        timeline = page.locator("#timeline").inner_text()
        assert office.registrar in timeline and office.head in timeline and "approved by the head" in timeline
        page.screenshot(path=str(screenshots / "console-case-1280.png"), full_page=True)
        page.set_viewport_size({"width": 360, "height": 780})
        assert page.evaluate(WIDER_THAN_THE_SCREEN) == []
        page.screenshot(path=str(screenshots / "console-case-360.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})

        # the original's public page says a duplicate replaced it
        series, number = office.documents["lost"]
        page.goto(f"{desk.base}/console/documents/{series}/{number}")
        public = page.locator("#public-link").get_attribute("href")
        assert public is not None
        page.goto(desk.base + public)
        assert page.get_by_role("heading", level=1).inner_text() == "Void: a duplicate replaced this document"
        _fits_a_phone(desk, ["/console/cases", "/console/cases/new", "/console/cases/queue", case,
                             f"{case}?lang=kk", "/console/cases?lang=kk", "/console/cases/new?lang=kk",
                             f"{case}?lang=ru", "/console/cases?lang=ru", "/console/cases/new?lang=ru"])
        assert desk.problems == []
    finally:
        desk.close()


def test_a_correction_refused_after_the_notice_and_the_hearing_and_its_letter(
        browser: Any, office: Office) -> None:
    desk = Desk(browser, office)
    page = desk.page
    try:
        desk.sign_in(office.registrar)
        desk.register("Correction", office.documents["wrong"], presented=("application", "identity document"))
        page.get_by_label("Programme").fill("6B06102")
        page.get_by_label("Applicant's statement (an annulment: its basis)").fill("the programme code is wrong")
        case = desk.submit_registration()
        number = case.rsplit("/", 1)[1]
        page.get_by_role("button", name="Start the review").click()
        page.wait_for_url("**?done=review")
        notice = page.locator("#notice-form")
        notice.get_by_label("the documents do not meet the requirements").check()
        notice.get_by_label("Text of the refusal").fill("The order on the programme is not presented.")
        page.get_by_role("button", name="Send the notice").click()
        page.wait_for_url("**?done=notice")
        page.get_by_label("The applicant's position").fill("The applicant has no order to present.")
        page.get_by_role("button", name="Record the hearing").click()
        page.wait_for_url("**?done=hearing")
        proposal = page.locator("#proposal-form")
        proposal.get_by_label("refuse").check()
        proposal.get_by_label("the documents do not meet the requirements").check()
        proposal.get_by_label("Text of the refusal").fill("The order on the programme was not presented.")
        page.get_by_role("button", name="Send for the head's approval").click()
        page.wait_for_url("**?done=proposal")

        desk.sign_in(office.head)
        page.goto(case)
        page.get_by_label("I approve the decision").check()
        page.get_by_role("button", name="Approve", exact=True).click()
        page.wait_for_url("**?done=approve")
        assert "refused" in page.locator(".state-line").inner_text()
        with page.expect_download() as downloading:
            page.get_by_role("link", name="Decision letter in Russian (PDF)").click()
        assert downloading.value.suggested_filename == f"decision-{number}-ru.pdf"
        letter = PdfReader(io.BytesIO(Path(downloading.value.path()).read_bytes()))
        printed = "\n".join(p.extract_text() for p in letter.pages)
        assert number in printed and "отказано" in printed and "несоответствие документов" in printed
        series, doc_number = office.documents["wrong"]
        page.goto(f"{desk.base}/console/documents/{series}/{doc_number}")
        assert page.locator("#revisions tbody tr").count() == 1  # nothing was corrected
        assert desk.problems == []
    finally:
        desk.close()
