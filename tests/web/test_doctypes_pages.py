"""The document types of issue 13 item 6 and the Latin names of issue 17 item 2 on the public pages and the partner
API (SQLite registry of the web tests).

* the English verdict page shows the holder's name in Latin letters (`verify.translit`, ICAO Doc 9303) beside the
  Cyrillic one; the Kazakh and Russian pages do not; the lookup still matches only the Cyrillic surname;
* the certificate for one who did not finish (анықтама, seed 000 appendix 37) shows its registration number and
  issue date, not a series and an award, and is found by the lookup form by that number;
* the partner API gives `holder_latin` beside the signed record;
* the officer's console imports an анықтама's row with why studies ended and names its registration number;
* a programme reads "6B06101 — Information systems" in the page's language.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest
from fastapi.testclient import TestClient
from support.appendixdata import typical_items
from support.leaks import CORPUS
from support.web import PASSWORD, STAFF_SETTINGS, MakeClient, bearer, give_password, https, partner_token
from support.world import BASE_URL, World, graduate_id_of, issue_row, later, row

from verify.doctypes import get_document_type
from verify.registry.appendices import store_appendices
from verify.registry.documents import get_revision, issue_document
from web.partner.schemas import PartnerDocumentsModel

LATIN = "ABDIRAKHMANOVA GULNUR SERIKKYZY"  # Әбдірахманова Гүлнұр Серікқызы: Ә->A, і->I, х->KH, ү->U, ұ->U, қ->K, ы->Y
LABELS = {"kk": "Тіркеу нөмірі", "ru": "Регистрационный номер", "en": "Registration No."}


def _page(client: TestClient, path: str, lang: str) -> str:
    response = client.get(path, headers={"Accept-Language": lang})
    assert response.status_code == 200, response.text
    return response.text


def _link(qr_text: str) -> str:
    return "/V/" + qr_text.split("/V/", 1)[1]


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_only_the_english_page_shows_the_latin_name(client: TestClient, world: World, lang: str) -> None:
    graduate = row(2)
    CORPUS.iins.add(graduate.iin)
    _, revision = issue_row(world, graduate)
    page = _page(client, _link(revision.qr_text), lang)
    assert "Әбдірахманова Гүлнұр Серікқызы" in page
    if lang == "en":
        assert f"<dt>Name in Latin letters (as in a passport)</dt><dd>{LATIN}" in page
        assert "ICAO Doc 9303" in page
    else:
        assert LATIN not in page


def test_the_latin_name_is_never_used_for_matching(client: TestClient, world: World) -> None:
    graduate = row(2)
    CORPUS.iins.add(graduate.iin)
    document, _ = issue_row(world, graduate)
    by_cyrillic = client.post("/api/v1/lookup", json={"series": "BD", "number": document.number,
                                                      "surname": "Әбдірахманова"})
    by_latin = client.post("/api/v1/lookup", json={"series": "BD", "number": document.number,
                                                   "surname": "ABDIRAKHMANOVA"})
    assert by_cyrillic.status_code == 200 and by_cyrillic.json()["verdict"] == "VALID"
    assert by_latin.status_code == 404, by_latin.text


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_certificate_of_incomplete_studies_shows_its_registration_number(client: TestClient, world: World,
                                                                             lang: str) -> None:
    graduate = row(2, doc_type="INCOMPLETE", programme="06130100", group="ПО-21")
    CORPUS.iins.add(graduate.iin)
    document, revision = issue_row(world, graduate, officer=world.col_issuer, institution=world.college)
    assert (document.series, document.number) == ("REG", "0000001")
    page = _page(client, _link(revision.qr_text), lang)
    doc_type = get_document_type("INCOMPLETE")
    assert doc_type is not None
    issued = {"kk": "Берілген күні", "ru": "Дата выдачи", "en": "Issued on"}[lang]
    series_label = {"kk": "Сериясы және нөмірі", "ru": "Серия и номер", "en": "Series and number"}[lang]
    honours_label = {"kk": "Үздік", "ru": "С отличием", "en": "With honours"}[lang]
    assert 'data-verdict="VALID"' in page
    assert doc_type.names[lang] in page
    assert f"<dt>{LABELS[lang]}</dt><dd>0000001" in page and f"<dt>{issued}</dt>" in page
    assert f"<dt>{series_label}</dt>" not in page and f"<dt>{honours_label}</dt>" not in page
    look = {"kk": "Тегі, аты, әкесінің аты, тіркеу нөмірі, ұйым мен берілген күні",
            "ru": "ФИО, регистрационный номер, организация и дата выдачи",
            "en": "The full name, registration number, institution and date of issue"}[lang]
    assert look in page.split('<ul class="look">', 1)[1].split("</ul>", 1)[0]


def test_the_lookup_finds_the_certificate_by_its_registration_number(client: TestClient, world: World) -> None:
    graduate = row(2, doc_type="INCOMPLETE", programme="6B06101", group="ИС-1")
    CORPUS.iins.add(graduate.iin)
    issue_row(world, graduate)
    answer = client.post("/api/v1/lookup", json={"series": "REG", "number": "1", "surname": "Әбдірахманова"})
    assert answer.status_code == 200, answer.text
    assert answer.json()["verdict"] == "VALID"
    assert answer.json()["record"]["doc_type"] == "INCOMPLETE"


def test_the_partner_api_gives_the_latin_name(make_client: MakeClient, world: World) -> None:
    api = https(make_client(**STAFF_SETTINGS))
    graduate = row(2)
    CORPUS.iins.add(graduate.iin)
    issue_row(world, graduate)
    response = api.post("/api/v1/partner/documents", json={"iin": graduate.iin},
                        headers=bearer(partner_token(world)[0]))
    assert response.status_code == 200, response.text
    (document,) = PartnerDocumentsModel.model_validate(response.json()).documents
    assert document.holder_latin.model_dump() == {"surname": "ABDIRAKHMANOVA", "name": "GULNUR",
                                                  "patronymic": "SERIKKYZY", "full_name": LATIN}
    assert document.record["holder"]["surname"] == "Әбдірахманова"  # the signed record keeps the Cyrillic


@pytest.mark.parametrize(("lang", "programme"), [("kk", "6B06101 — Ақпараттық жүйелер"),
                                                 ("ru", "6B06101 — Информационные системы"),
                                                 ("en", "6B06101 — Information systems")])
def test_the_programme_is_shown_with_its_classifier_name_in_the_page_s_language(client: TestClient, world: World,
                                                                                lang: str, programme: str) -> None:
    graduate = row(2)
    CORPUS.iins.add(graduate.iin)
    _, revision = issue_row(world, graduate)
    assert f"<dd>{programme}</dd>" in _page(client, _link(revision.qr_text), lang)


@pytest.mark.parametrize(("lang", "hint"), [
    ("kk", "REG деп жазып, оның тіркеу нөмірін енгізіңіз"),
    ("ru", "введите REG и её регистрационный номер"),
    ("en", "type REG and its registration number"),
])
def test_the_lookup_form_tells_how_to_find_a_certificate_without_a_series(client: TestClient, lang: str,
                                                                          hint: str) -> None:
    page = _page(client, "/scan", lang)
    assert hint in page.split('id="lookup-incomplete"', 1)[1].split("</p>", 1)[0]


def _hidden(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html) or re.search(rf'value="([^"]+)" name="{name}"', html)
    assert found is not None, f"no {name} in the page"
    return found.group(1)


def test_the_console_imports_the_certificate_and_names_its_registration_number(make_client: MakeClient,
                                                                               world: World) -> None:
    """Through the officer's console: an import file with the анықтама's columns (docs/IMPORT.md), then its page
    says "Регистрационный номер" (seed 000 appendix 37: "Тіркеу нөмірі"), not a series and number."""
    give_password(world, world.col_issuer)
    client = https(make_client(**STAFF_SETTINGS))
    token = _hidden(client.get("/console/login").text, "login_token")
    signed_in = client.post("/console/session", data={"username": world.col_issuer.username, "password": PASSWORD,
                                                      "login_token": token}, follow_redirects=False)
    assert signed_in.status_code == 303, signed_in.text
    csrf = _hidden(client.get("/console").text, "csrf_token")
    graduate = row(2, doc_type="INCOMPLETE", programme="06130100", group="ПО-21")
    CORPUS.iins.add(graduate.iin)
    header = ("iin,surname,name,patronymic,birth_date,doc_type,programme,group,award_date,studies_ended_reason,"
              "Номер приказа,Бұйрықтың күні,studied_from\n")
    line = (f"{graduate.iin},{graduate.surname},{graduate.name},{graduate.patronymic},{graduate.birth_date},"
            "INCOMPLETE,06130100,ПО-21,2026-03-02,по собственному желанию,45-к,27.02.2026,2024-09-01\n")
    answer = client.post("/console/import", data={"csrf_token": csrf},
                         files={"file": ("graduates.csv", (header + line).encode(), "text/csv")})
    assert answer.status_code == 200 and 'id="import-result"' in answer.text, answer.text[:3000]
    stored = world.scalar("SELECT studies_ended_reason || ' ' || studies_ended_order FROM graduates "
                          "WHERE doc_type = 'INCOMPLETE'")
    assert stored == "по собственному желанию 45-к"
    with world.session() as session:
        document = issue_document(session=session, officer=world.col_issuer,
                                  graduate_id=graduate_id_of(world, graduate, world.college), signer=world.signer,
                                  base_url=BASE_URL, at=later(1))
        session.commit()
    shown = client.get(f"/console/documents/REG/{document.number}", headers={"Accept-Language": "ru"})
    assert shown.status_code == 200, shown.text[:2000]
    assert f"<dt>Регистрационный номер</dt><dd>{document.number}</dd>" in shown.text


@pytest.mark.parametrize(("lang", "words"), [
    ("kk", ["Оқудан шығарылды", "өз қалауы бойынша; 2026 ж. 27 ақпан № 45-к бұйрық", "Оқыған кезеңі"]),
    ("ru", ["Отчислен(а)", "өз қалауы бойынша; приказ № 45-к от 27 февраля 2026 г.", "Период обучения"]),
    ("en", ["Studies ended", "өз қалауы бойынша; order No. 45-к of 27 February 2026",
            "Period of study", "1 September 2024 – 27 February 2026"]),
])
def test_the_certificate_s_annex_shows_why_studies_ended(client: TestClient, world: World, lang: str,
                                                         words: list[str]) -> None:
    """Under a VALID анықтама, its signed annex (seed 000 appendix 37) shows the grades and why studies ended."""
    graduate = dataclasses.replace(
        row(2, doc_type="INCOMPLETE", programme="06130100", group="ПО-21"), studies_ended_reason="өз қалауы бойынша",
        studies_ended_order="45-к", studies_ended_order_date=dt.date(2026, 2, 27), studied_from=dt.date(2024, 9, 1),
        studied_until=dt.date(2026, 2, 27))
    CORPUS.iins.add(graduate.iin)
    world.import_rows((graduate,), officer=world.col_issuer, institution=world.college)
    with world.session() as session:
        assert store_appendices(session=session, institution=world.college, officer=world.col_issuer,
                                items={graduate.iin: typical_items()[:4]}, at=later(0)) == []
        document = issue_document(session=session, officer=world.col_issuer,
                                  graduate_id=graduate_id_of(world, graduate, world.college), signer=world.signer,
                                  base_url=BASE_URL, at=later(1))
        revision = get_revision(session=session, document=document)
        session.commit()
    page = _page(client, _link(revision.qr_text), lang)
    assert 'data-verdict="VALID"' in page
    text_ = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    for expected in words:
        assert expected in text_, f"{expected!r} [{lang}]"
