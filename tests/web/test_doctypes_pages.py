"""The document types of issue 13 item 6 and the Latin names of issue 17 item 2 on the public pages and the partner
API (SQLite registry of the web tests).

* the English verdict page shows the holder's name in Latin letters (`verify.translit`, ICAO Doc 9303) beside the
  Cyrillic one; the Kazakh and Russian pages do not; the lookup still matches only the Cyrillic surname;
* the certificate for one who did not finish (анықтама, seed 000 appendix 37) shows its registration number and
  issue date, not a series and an award, and is found by the lookup form by that number;
* the partner API gives `holder_latin` beside the signed record.
"""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from support.leaks import CORPUS
from support.web import STAFF_SETTINGS, MakeClient, bearer, https, partner_token
from support.world import World, issue_row, row

from verify.doctypes import get_document_type
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
