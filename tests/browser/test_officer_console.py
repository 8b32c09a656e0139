"""An officer in a real browser (Chromium) against the real app (uvicorn): the console from sign-in to a duplicate.

The officer signs in with the keyboard, imports a CSV file in the registry's documented columns (docs/IMPORT.md),
issues the group as a batch and watches it finish (static/console.js polls the status), downloads the print sheet
(a PDF with one 30 mm code per document), opens a document, issues a duplicate for it, and then the original's
public link /V/... says it was replaced, in the page's language. The document page is photographed at 1280 px
and at 360 px; at 360 px nothing on any console page may reach past the right edge (a phone would scroll
sideways), and no page may break its Content-Security-Policy.

The app runs on its own fresh registry (the session's `cases` registry is the employer's), started like
`conftest.server`.
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
from support.printed import code_squares, pdf_boxes
from support.world import BASE_URL, T0, World, build_world, row

from browser.browsertools import Server, free_port, running_server
from browser.test_employer_pages import WIDER_THAN_THE_SCREEN
from verify.keystore import KeyStore
from verify.registry.accounts import PasswordHashing, set_officer_password
from verify.registry.db import upgrade_database
from verify.registry.imports.parse import GraduateRow

GROUP = "ИС-22-1"
PASSWORD = "correct horse battery staple"
HEADER = "iin,surname,name,patronymic,birth_date,doc_type,programme,qualification,honours,award_date,group"
"""The columns of docs/IMPORT.md (and examples/graduates-*.csv), in that order."""
SURNAMES = ("Әбдірахманова", "Сейітқали", "Омарова", "Жұмабаев", "Ким")


@dataclass(frozen=True)
class Console:
    """The running app and what the test needs of its registry."""

    server: Server
    username: str
    head: str
    graduates: tuple[GraduateRow, ...]


def _graduates_csv(path: Path, graduates: tuple[GraduateRow, ...]) -> None:
    lines = [HEADER] + [",".join((g.iin, g.surname, g.name, g.patronymic or "", g.birth_date.isoformat(), g.doc_type,
                                  g.programme, g.qualification or "", "yes" if g.honours else "no",
                                  g.award_date.isoformat(), g.group)) for g in graduates]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture(scope="module")
def console_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    """A fresh registry with a university and its issuer (who has a password), served by uvicorn on 127.0.0.1."""
    base = tmp_path_factory.mktemp("console")
    store = KeyStore(base / "keys")
    store.init(at=T0 - dt.timedelta(days=1), environment="test")
    url = f"sqlite:///{base / 'verify.db'}"
    upgrade_database(url)
    world: World = build_world(url, signer=store.signer(), trust_list=store.trust_list())
    try:
        with world.session() as session:
            for officer in (world.uni_issuer, world.uni_head):
                set_officer_password(session=session, officer=officer, password=PASSWORD,
                                     hashing=PasswordHashing(time_cost=1, memory_kib=8, parallelism=1),
                                     at=dt.datetime.now(dt.UTC))
    finally:
        world.dispose()
    graduates = tuple(row(n + 2, group=GROUP, surname=surname) for n, surname in enumerate(SURNAMES))
    port = free_port()
    environment = {
        **os.environ, "VERIFY_ENVIRONMENT": "production", "VERIFY_KEYS_DIR": str(store.path),
        "VERIFY_BASE_URL": BASE_URL, "VERIFY_DATABASE_URL": url, "VERIFY_DATA_DIR": str(base / "data"),
        "VERIFY_RATE_VERIFY": "100000/minute", "VERIFY_RATE_LOGIN": "1000/minute", "VERIFY_SCAN_WORKERS": "1",
        "VERIFY_PASSWORD_TIME_COST": "1", "VERIFY_PASSWORD_MEMORY_KIB": "8", "VERIFY_PASSWORD_PARALLELISM": "1",
    }
    with running_server(environment, base=base, port=port) as started:
        yield Console(server=started, username=world.uni_issuer.username, head=world.uni_head.username,
                      graduates=graduates)


def test_an_officer_imports_issues_a_batch_prints_it_and_replaces_a_document(
        browser: Any, console_app: Console, screenshots: Path, tmp_path: Path) -> None:
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 800}, device_scale_factor=1,
                                  accept_downloads=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    base = console_app.server.url
    try:
        # sign in with the keyboard only
        page.goto(base + "/console")
        assert page.url == base + "/console/login"
        page.get_by_label("Username").focus()
        page.keyboard.type(console_app.username)
        page.keyboard.press("Tab")
        page.keyboard.type(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url(base + "/console")
        assert page.get_by_role("heading", level=1).inner_text() == "Study groups"

        # import the CSV: the row report, then the group is there
        csv = tmp_path / "graduates.csv"
        _graduates_csv(csv, console_app.graduates)
        page.get_by_role("link", name="Import graduates").first.click()
        page.get_by_label("Graduates file (CSV or XLSX)").set_input_files(str(csv))
        page.get_by_role("button", name="Check and import").click()
        assert "The file is imported: 5 rows." in page.locator("#import-result").inner_text()

        # issue the group as a batch and watch it finish
        page.get_by_role("link", name="Go to the groups").click()
        page.get_by_role("link", name="Issue for the group").click()
        assert page.get_by_label("Group").input_value() == GROUP
        page.get_by_role("button", name="Issue the documents").click()
        page.wait_for_url("**/console/batch?key=*")
        status = page.locator("#batch-status")
        status.filter(has_text="Finished: all 5 graduates have their document.").wait_for(timeout=30_000)
        assert page.locator("#batch-documents tbody tr").count() == 5

        # the print sheet: a PDF with the five codes, each 30 x 30 mm
        with page.expect_download() as downloading:
            page.get_by_role("link", name="Print sheet (PDF)").click()
        sheet = PdfReader(io.BytesIO(Path(downloading.value.path()).read_bytes()))
        assert len(sheet.pages) == 1 and len(code_squares(pdf_boxes(sheet, 0))) == 5
        numbers = [page.locator("#batch-documents tbody th").nth(i).inner_text() for i in range(5)]
        assert all(number in sheet.pages[0].extract_text() for number in numbers)

        # a document's page, at 1280 px and on a phone
        page.locator("#batch-documents tbody th a").first.click()
        original = page.url
        assert page.locator("#revisions tbody tr").count() == 1 and "in force" in page.locator(".state").inner_text()
        public = page.locator("#public-link").get_attribute("href")
        assert public is not None and public.startswith("/V/")
        page.screenshot(path=str(screenshots / "console-document-1280.png"), full_page=True)
        page.set_viewport_size({"width": 360, "height": 780})
        assert page.evaluate(WIDER_THAN_THE_SCREEN) == []
        page.screenshot(path=str(screenshots / "console-document-360.png"), full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})

        # a duplicate instead of it: the confirmation box is required; the application waits for the head
        page.get_by_role("link", name="Issue a duplicate").click()
        page.get_by_label("The document was lost").check()
        page.get_by_role("button", name="Send for approval").click()
        assert page.url.endswith("/duplicate")  # the browser refuses the form without the box
        page.get_by_label("I confirm the application for a duplicate").check()
        page.get_by_role("button", name="Send for approval").click()
        page.wait_for_url("**?done=proposed")
        assert "sent for the head's approval" in page.locator(".notice").inner_text()
        case = page.url.split("?", 1)[0]
        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url(base + "/console/login")
        page.get_by_label("Username").fill(console_app.head)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(base + "/console")
        page.goto(case)
        page.get_by_label("I approve the decision").check()
        page.get_by_role("button", name="Approve", exact=True).click()
        page.wait_for_url("**?done=approve")
        duplicate = page.locator("#decision a").last.get_attribute("href") or ""
        assert duplicate.startswith("/console/documents/")
        page.goto(original)
        assert "replaced" in page.locator(".state-line").inner_text()

        # every console page fits a phone
        page.set_viewport_size({"width": 360, "height": 780})
        for path in ("/console", "/console/graduates", "/console/import", "/console/documents", "/console/blanks",
                     duplicate, f"{duplicate}/duplicate", f"{duplicate}/correction"):
            page.goto(base + path)
            assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], path
        page.set_viewport_size({"width": 1280, "height": 800})

        # the original's public link now says it was replaced, in the page's language
        page.goto(base + public)
        assert page.get_by_role("heading", level=1).inner_text() == "Void: a duplicate replaced this document"
        page.goto(base + public + "?lang=kk")
        assert page.get_by_role("heading", level=1).inner_text() == "Жарамсыз: орнына телнұсқа берілген"
        assert problems == []  # no CSP violation, no script error
    finally:
        context.close()
