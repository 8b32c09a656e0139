"""The appendix on the web (issue 17 item 1): imported through the officer API with the graduates (a second file),
signed at issue, shown under the verdict on the /V/ page in kk, ru and en after its own check against the diploma
(a tampered appendix is shown as failed, never as grades), and given to the partner with its grades as data for
admission scoring (seed 002 items 12, 54-55, 61)."""

from __future__ import annotations

import base64
import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlmodel import select
from support.appendixdata import appendix_csv, typical_items
from support.web import (
    STAFF_SETTINGS,
    MakeClient,
    bearer,
    graduates_csv,
    https,
    issue,
    officer_token,
    partner_token,
)
from support.world import World, row

from verify.appendixcheck import check_appendix
from verify.appendixcodec import encode_appendix_payload, parse_appendix_cose, protected_header
from verify.codec import encode_sign1, split_qr_text
from verify.grades import Grade
from verify.registry.appendixsigning import appendix_of
from verify.registry.models import DocumentAppendix


@pytest.fixture
def api(make_client: MakeClient) -> TestClient:
    return https(make_client(**STAFF_SETTINGS))


def _issued(api: TestClient, world: World) -> tuple[str, str, dict[str, str]]:
    """Import one graduate with the typical appendix, issue the diploma; (IIN, QR digits, officer headers)."""
    graduate = row(2)
    headers = bearer(officer_token(world, world.uni_issuer)[0])
    files = {"file": ("graduates.csv", graduates_csv([graduate]), "text/csv"),
             "appendix": ("appendix.csv", appendix_csv({graduate.iin: typical_items()}), "text/csv")}
    imported = api.post("/api/v1/officer/imports", files=files, headers=headers)
    assert imported.status_code == 200, imported.text
    graduate_id = api.get("/api/v1/officer/graduates", headers=headers).json()["graduates"][0]["id"]
    issued = api.post("/api/v1/officer/documents", json={"graduate_id": graduate_id}, headers=headers)
    assert issued.status_code == 201, issued.text
    qr_text = issued.json()["revisions"][0]["qr_text"]
    return graduate.iin, split_qr_text(qr_text)[1], headers


@pytest.mark.parametrize(("lang", "subject", "grade", "average"), [
    ("kk", "Философия", "A- · 3.67 · 94 % · 5 (өте жақсы)", "Орташа баға (бес балдық шкала)"),
    ("ru", "Современная история Казахстана", "A · 4.00 · 100 % · 5 (отлично)", "Средний балл (пятибалльная шкала)"),
    ("en", "Modern history of Kazakhstan", "A · 4.00 · 100 % · 5 (excellent)", "Average grade (five-point)"),
])
def test_the_verdict_page_shows_the_grades_in_the_readers_language(api: TestClient, world: World, lang: str,
                                                                    subject: str, grade: str, average: str) -> None:
    _, digits, _ = _issued(api, world)
    page = api.get(f"/V/{digits}?lang={lang}")
    assert page.status_code == 200 and 'data-verdict="VALID"' in page.text
    section = page.text.split('class="appendix"', 1)[1]
    assert subject in section and grade in section and average in section, section[:2000]
    assert section.count("<tr>") == len(typical_items()) + 1  # the rows and the header


def test_a_tampered_appendix_is_shown_as_failed_and_its_grades_are_not(api: TestClient, world: World) -> None:
    _, digits, _ = _issued(api, world)
    with world.session() as session:
        stored = session.exec(select(DocumentAppendix)).one()
        appendix = appendix_of(stored)
        first = appendix.items[0]
        changed = type(appendix)(diploma=appendix.diploma, institution_bin=appendix.institution_bin,
                                 items=(type(first)(first.kind, first.names, Grade(letter="C"), first.hours,
                                                    first.credits, first.code), *appendix.items[1:]))
        sign1 = parse_appendix_cose(stored.cose)
        stored.cose = encode_sign1(protected_header(sign1.alg, sign1.kid),
                                   encode_appendix_payload(changed, stored.signed_at), sign1.signature)
        session.add(stored)
        session.commit()
    page = api.get(f"/V/{digits}?lang=en")
    assert page.status_code == 200 and 'data-verdict="VALID"' in page.text  # the diploma itself is authentic
    section = page.text.split('class="appendix"', 1)[1]
    assert "does not verify with this diploma" in section and "appendix-table" not in section


def test_the_partner_gets_the_grades_as_data_and_the_signed_appendix(api: TestClient, world: World) -> None:
    iin, _, _ = _issued(api, world)
    answer = api.post("/api/v1/partner/documents", json={"iin": iin}, headers=bearer(partner_token(world)[0]))
    assert answer.status_code == 200, answer.text
    (document,) = answer.json()["documents"]
    appendix = document["appendix"]
    assert len(appendix["items"]) == len(typical_items()) and appendix["revision"] == 1
    assert appendix["five_point_average"] is not None and 0 < appendix["gpa"] <= 4
    assert appendix["items"][0]["grade"]["letter"] == "A"
    checked = check_appendix(base64.b64decode(appendix["cose_base64"]), diploma_text=document["qr_text"],
                             trust_list=world.trust_list, at=dt.datetime.now(dt.UTC))
    assert checked.verdict == "VALID"


def test_a_bad_appendix_row_rejects_the_whole_import(api: TestClient, world: World) -> None:
    graduate = row(2)
    headers = bearer(officer_token(world, world.uni_issuer)[0])
    bad = appendix_csv({graduate.iin: typical_items()[:2]}) + f"{graduate.iin},lecture,,А,Б,,1,,A,,,,\n".encode()
    files = {"file": ("graduates.csv", graduates_csv([graduate]), "text/csv"),
             "appendix": ("appendix.csv", bad, "text/csv")}
    refused = api.post("/api/v1/officer/imports", files=files, headers={**headers, "Accept-Language": "ru"})
    assert refused.status_code == 422
    (problem,) = refused.json()["rows"]
    assert problem["row"] == 4 and problem["column"] == "appendix:kind" and problem["code"] == "v_apx_kind"
    assert "вид строки" in problem["reason"]
    assert api.get("/api/v1/officer/graduates", headers=headers).json()["total"] == 0


def test_the_appendix_is_printed_with_the_diploma_in_kazakh_and_russian(api: TestClient, world: World) -> None:
    """Seed 000, Rules items 10-14: the appendix printed like the blank, Kazakh and Russian; not valid without the
    diploma, whose number it names."""
    _, _, headers = _issued(api, world)
    series, number = world.scalar("SELECT series FROM documents"), world.scalar("SELECT number FROM documents")
    printed = api.get(f"/api/v1/officer/documents/{series}/{number}/appendix.pdf", headers=headers)
    assert printed.status_code == 200 and printed.headers["content-type"] == "application/pdf"
    pages = PdfReader(io.BytesIO(printed.content)).pages
    words = " ".join(page.extract_text() for page in pages)
    assert f"{series} № {number} дипломсыз жарамсыз" in words and "Философия" in words
    assert "Современная история Казахстана" in words and "Барлығы кредит / Всего кредитов" in words
    assert len(pages) >= 2  # 42 rows: the table goes on, its heading repeated
    other = bearer(officer_token(world, world.other_issuer)[0])
    assert api.get(f"/api/v1/officer/documents/{series}/{number}/appendix.pdf", headers=other).status_code == 404


def test_a_document_without_an_appendix_has_none_to_print(api: TestClient, world: World) -> None:
    issued = issue(world)
    headers = bearer(officer_token(world, world.uni_issuer)[0])
    response = api.get(f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}/appendix.pdf",
                       headers=headers)
    assert response.status_code == 404 and response.json()["code"] == "NOT_FOUND"
