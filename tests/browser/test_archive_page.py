"""The verification page of a closed institution's document, in a real browser (issue 13 item 4; seed 000, Rules
item 23): an employer opens the original's QR link after the university closed and its archive issued a duplicate,
and reads, in Kazakh, Russian and English, that the organisation closed on the day and which archive (name, BIN)
keeps its records. A phone (360 px) does not scroll sideways; a screenshot of each width goes with the others.

Its own registry and server (the session's `cases` registry stays as the other page tests expect it).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from support.world import BASE_URL, T0, World, build_world, issue_row, later, row

from browser.browsertools import Server, free_port, running_server
from verify.codec import split_qr_text
from verify.keystore import KeyStore
from verify.registry.db import upgrade_database
from verify.registry.institutions import close_institution
from verify.registry.lifecycle import issue_duplicate

LOCALES = {"kk": "kk-KZ", "ru": "ru-RU", "en": "en-US"}
CLOSED = {"kk": "Ұйым жабылды", "ru": "Организация закрыта", "en": "Organisation closed"}
KEPT = {"kk": "құжаттарын сақтайтын архив", "ru": "её документы хранит архив", "en": "its records are kept by"}
HEADLINE_REPLACED = {"kk": "Жарамсыз: орнына телнұсқа берілген", "ru": "Недействителен: взамен выдан дубликат",
                     "en": "Void: a duplicate replaced this document"}
WIDER_THAN_THE_SCREEN = """[...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5).length"""


@dataclass(frozen=True)
class Closed:
    """The registry of this module: the closed university's original (its QR digits) and the archive."""

    url: str
    keys_dir: Path
    digits: str
    archive_names: dict[str, str]
    archive_bin: str


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Closed:
    base = tmp_path_factory.mktemp("archive-page")
    store = KeyStore(base / "keys")
    store.init(at=T0 - dt.timedelta(days=1), environment="test")
    url = f"sqlite:///{base / 'verify.db'}"
    upgrade_database(url)
    world: World = build_world(url, signer=store.signer(), trust_list=store.trust_list())
    try:
        original, revision = issue_row(world, row(2))
        with world.session() as session:
            close_institution(session=session, bin=world.uni.bin, archive_bin=world.other.bin, closed_on=T0.date(),
                              at=later(5))
            issue_duplicate(session=session, officer=world.other_issuer, series=original.series,
                            number=original.number, reason="lost", signer=world.signer, base_url=BASE_URL,
                            at=later(10))
        names = {"kk": world.other.name_kk, "ru": world.other.name_ru, "en": world.other.name_en}
        return Closed(url=url, keys_dir=store.path, digits=split_qr_text(revision.qr_text)[1], archive_names=names,
                      archive_bin=world.other.bin)
    finally:
        world.dispose()


@pytest.fixture(scope="module")
def archive_server(closed: Closed, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    base = tmp_path_factory.mktemp("archive-server")
    environment = {**os.environ, "VERIFY_ENVIRONMENT": "production", "VERIFY_KEYS_DIR": str(closed.keys_dir),
                   "VERIFY_BASE_URL": BASE_URL, "VERIFY_DATABASE_URL": closed.url,
                   "VERIFY_DATA_DIR": str(base / "data"), "VERIFY_SCAN_WORKERS": "1"}
    with running_server(environment, base=base, port=free_port()) as started:
        yield started


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_originals_page_says_the_organisation_closed_and_names_the_archive(
        browser: Any, archive_server: Server, closed: Closed, screenshots: Path, lang: str) -> None:
    problems: list[str] = []
    for width, height in ((360, 780), (1280, 900)):
        context = browser.new_context(locale=LOCALES[lang], viewport={"width": width, "height": height},
                                      device_scale_factor=1)
        try:
            page = context.new_page()
            page.on("pageerror", lambda error: problems.append(str(error)))
            page.goto(f"{archive_server.url}/V/{closed.digits}")
            assert page.locator("html").get_attribute("lang") == lang
            assert page.locator("main h1").first.inner_text().strip() == HEADLINE_REPLACED[lang]
            fields = page.locator("dl.fields").first.inner_text()
            assert CLOSED[lang] in fields and KEPT[lang] in fields
            assert closed.archive_names[lang] in fields and closed.archive_bin in fields
            assert page.evaluate(WIDER_THAN_THE_SCREEN) == 0
            if lang == "en":
                page.locator("dl.fields").first.scroll_into_view_if_needed()
                shot = screenshots / f"verdict-closed-institution-{width}.png"
                page.screenshot(path=str(shot))
                assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        finally:
            context.close()
    assert problems == []  # no script error, no CSP violation
