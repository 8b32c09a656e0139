"""Print sheets as an officer downloads them (issue 10 item 20): headed in the officer's language with the
institution, its BIN and the study group; a duplicate's caption marked; the file named by series, number range
and group, not `sheet-<uuid>.pdf`.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from support.caseflow import grant
from support.web import Issued, bearer, officer_token
from support.world import World

from verify.issue import code_caption
from verify.record import DuplicateOf, Record
from web.officer.service import content_disposition, sheet_filename

HEADINGS = {"kk": ("БСН", "топ G1", "100 % масштабта басыңыз"), "ru": ("БИН", "группа G1", "печатать в масштабе 100 %"),
            "en": ("BIN", "group G1", "print at 100 %")}
RECORD = Record.from_json(json.loads((Path(__file__).resolve().parents[2] / "examples" / "record.json").read_text()))
MARKS = {"kk": "№1 телнұсқа", "ru": "дубликат №1", "en": "duplicate No. 1"}


def pdf_text(body: bytes) -> str:
    return " ".join(" ".join((page.extract_text() or "").split()) for page in PdfReader(io.BytesIO(body)).pages)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_sheet_is_headed_in_the_officers_language_and_marks_the_duplicate(client: TestClient, world: World,
                                                                               issued: Issued, lang: str) -> None:
    token, _ = officer_token(world, world.uni_issuer)
    path = f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}"
    grant(client, path, "/duplicates", {"reason": "lost"}, bearer(token),
          bearer(officer_token(world, world.uni_head)[0]))
    sheet = client.get("/api/v1/officer/sheets", params={"group": "G1"},
                       headers={**bearer(token), "Accept-Language": lang})
    assert sheet.status_code == 200, sheet.text
    text = pdf_text(sheet.content)
    name = {"kk": world.uni.name_kk, "ru": world.uni.name_ru, "en": world.uni.name_en}[lang]
    assert name in text and world.uni.bin in text
    assert all(part in text for part in HEADINGS[lang]), text
    assert MARKS[lang] in text  # the original is void: only duplicate No. 1 is in force, and it says so
    disposition = sheet.headers["content-disposition"]
    assert "sheet" not in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "BD-0000002_G1.pdf"


def test_the_console_download_is_named_by_series_number_range_and_group() -> None:
    records = [replace(RECORD, number=number) for number in ("0000001", "0000030")]
    assert sheet_filename(records, "ИС-22-1") == "BD-0000001-0000030_ИС-22-1.pdf"
    assert sheet_filename(records[:1], None) == "BD-0000001.pdf"
    assert sheet_filename(records, "a/b c") == "BD-0000001-0000030_a_b_c.pdf"  # never a path
    header = content_disposition("attachment", "ТКБ-0100001-0100030_ИС-22-1.pdf")
    assert header.startswith('attachment; filename="___-0100001-0100030___-22-1.pdf"; filename*=UTF-8\'\'')
    assert header.isascii()
    assert unquote(header.split("filename*=UTF-8''")[1]) == "ТКБ-0100001-0100030_ИС-22-1.pdf"


def test_a_duplicates_caption_is_marked_in_each_language() -> None:
    duplicate = replace(RECORD, duplicate=DuplicateOf(duplicate_no=2, original_series="BD", original_number="0000041"))
    assert code_caption(duplicate, "kk").startswith("BD 0000042 · №2 телнұсқа — ")
    assert code_caption(duplicate, "ru").startswith("BD 0000042 · дубликат №2 — ")
    assert "·" not in code_caption(RECORD, "kk")
