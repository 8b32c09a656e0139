"""The employer's pages (web/public/pages.py, web/public/verdict.py, web/ui/i18n.py) through the app, in kk, ru and en.

The registry holds a document in every state (`support.pagestates.build_cases`): a valid original, a replaced
original and its duplicate, a corrected document (the QR of its first revision), an annulled one, a forged text and
a record the registry never stored. Each link page must say the right verdict with the right words in each language; the
expected words are written here, not taken from the catalogue, so that a wrong message id is caught.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import create_engine
from support.leaks import CORPUS
from support.pagestates import ANNUL_BASIS, CORRECTION_REASON, INSTITUTION_NAMES, Case, Cases, build_cases
from support.reports import report_of
from support.web import MakeClient
from support.world import T0, World, annul, duplicate, issue_row, row

from verify import render_record
from verify.codec import split_qr_text
from verify.errors import RecordError
from verify.identifiers import validate_iin
from verify.record import HolderName
from verify.registry.db import session_factory
from verify.registry.documents import get_document, get_revision, signed_record_of
from web.public.schemas import REPORT_EXAMPLE
from web.public.verdict import render_verdict
from web.ui.i18n import CATALOGUE, Translator, check_catalogue, negotiate, parse_accept_language
from web.ui.render import SCAN_PAGE_POLICY, STATIC_DIR

LANGS = ("kk", "ru", "en")
# The Kazakh names as seed 001 item 7 writes them (rows 1 and 3); the Russian and English ones are our translations.
DOC_TYPE_NAMES = {"BD": {"kk": "Бакалавр дәрежесі берілетін жоғары білім туралы диплом",
                         "ru": "Диплом о высшем образовании с присуждением степени бакалавра",
                         "en": "Higher education diploma with the degree of Bachelor"},
                  "MD": {"kk": "Магистр дәрежесі берілетін жоғары оқу орнынан кейінгі білім туралы диплом",
                         "ru": "Диплом о послевузовском образовании с присуждением степени магистра",
                         "en": "Postgraduate education diploma with the degree of Master"}}


# ----------------------------------------------------------------------------- reading pages
class Page(HTMLParser):
    """A page as a reader sees it: its text (entities decoded) and its elements with their attributes."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.html = html
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.inline_scripts = 0
        self._chunks: list[str] = []
        self._in_script = False
        self._main_depth = 0
        self._main_chunks: list[str] = []
        self.feed(html)
        self.close()
        self.text = " ".join(" ".join(self._chunks).split())
        self.main_text = " ".join(" ".join(self._main_chunks).split())

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        if tag == "script":
            self._in_script = True
        if tag == "main":
            self._main_depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
        if tag == "main":
            self._main_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts += 1
        self._chunks.append(data)
        if self._main_depth:
            self._main_chunks.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        """The attributes of every element with this tag name."""
        return [attrs for name, attrs in self.elements if name == tag]

    def position(self, words: str) -> int:
        """Where the words first occur in the text of <main> (ValueError when absent)."""
        return self.main_text.index(words)


def get_page(client: TestClient, path: str, lang: str | None = None, **headers: str) -> Page:
    """GET a page (in `lang` by its Accept-Language header); 200 and HTML."""
    if lang is not None:
        headers["Accept-Language"] = lang
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return Page(response.text)


@pytest.fixture
def cases(world: World) -> Cases:
    """A registry with a document in every state; its IINs join the corpus of the no-IIN check."""
    built = build_cases(world)
    CORPUS.iins.update(built.iins)
    return built


def link(case: Case) -> str:
    return f"/V/{case.digits}"


# ----------------------------------------------------------------------------- every verdict in every language
def expected_words(cases: Cases) -> dict[str, dict[str, list[str]]]:
    """Words each verdict page must show, by case and language."""
    replaced, duplicate = cases["replaced"], cases["duplicate"]
    original = f"{replaced.series} {replaced.number}"
    dup = f"{duplicate.series} {duplicate.number}"
    return {
        "valid": {"kk": ["Құжат жарамды", "Шынайы түпнұсқа"],
                  "ru": ["Документ действителен", "Подлинный оригинал"],
                  "en": ["Valid document", "Authentic original"]},
        "duplicate": {
            "kk": ["Құжат жарамды: № 1 телнұсқа", f"{original} түпнұсқасының орнына 2026 ж. 2 шілде берілген",
                   "Жоғарғы оң жақ бұрышында телнұсқа мөртаңбасы болуы тиіс: «Түпнұсқаның орнына берілген № 1 "
                   "телнұсқа» (орысша: «Дубликат № 1 выдан взамен оригинала»)"],
            "ru": ["Документ действителен: дубликат № 1", f"выданный 2 июля 2026 г. взамен оригинала {original}",
                   "В правом верхнем углу должен стоять штамп дубликата: «Дубликат № 1 выдан взамен оригинала» "
                   "(по-казахски: «Түпнұсқаның орнына берілген № 1 телнұсқа»)"],
            "en": ["Valid document: duplicate No. 1", f"issued on 2 July 2026 instead of the original {original}",
                   "The upper right corner must carry the duplicate's stamp: “Duplicate No. 1 issued instead of "
                   "the original” (in Kazakh: “Түпнұсқаның орнына берілген № 1 телнұсқа”; in Russian: “Дубликат № 1 "
                   "выдан взамен оригинала”)."]},
        "replaced": {
            "kk": ["Жарамсыз: орнына телнұсқа берілген", f"2026 ж. 2 шілде № 1 телнұсқа ({dup})", "Себебі: жоғалуы",
                   f"Иесінен № 1 телнұсқаны ({dup}) сұраңыз"],
            "ru": ["Недействителен: взамен выдан дубликат", f"2 июля 2026 г. взамен него выдан дубликат № 1 ({dup})",
                   "Причина: утеря", f"Попросите у владельца дубликат № 1 ({dup})"],
            "en": ["Void: a duplicate replaced this document", f"duplicate No. 1 ({dup}) was issued instead of it on "
                   "2 July 2026", "Reason: lost", f"Ask the holder for duplicate No. 1 ({dup})"]},
        "corrected": {
            "kk": ["Шынайы, бірақ деректері тізілімде түзетілген", "2026 ж. 3 шілде түзетілді: тегі, берілген күні",
                   f"Себебі: {CORRECTION_REASON}", "Осы кодта", "Қазір тізілімде", "Жумабекова", "Жұмабекова",
                   "2026 ж. 30 маусым", "2026 ж. 29 маусым"],
            "ru": ["Подлинный, но данные в реестре исправлены", "Исправлено 3 июля 2026 г.: фамилия, дата присуждения",
                   "В этом коде", "Сейчас в реестре", "Жумабекова", "Жұмабекова", "30 июня 2026 г.", "29 июня 2026 г."],
            "en": ["Authentic, but the registry has corrected it since",
                   "Corrected on 3 July 2026: surname, award date",
                   "On this code", "Now in the registry", "Жумабекова", "Жұмабекова", "30 June 2026", "29 June 2026"]},
        "annulled": {"kk": ["Күші жойылған", f"2026 ж. 4 шілде күші жойылды. Негіздеме: {ANNUL_BASIS}"],
                     "ru": ["Аннулирован", f"аннулирован 4 июля 2026 г.; основание: {ANNUL_BASIS}"],
                     "en": ["Annulled", f"annulled on 4 July 2026. Basis: {ANNUL_BASIS}"]},
        "forged": {"kk": ["Құжат расталмады", "Шынайы емес: қолтаңба сәйкес келмейді: код өзгертілген немесе жасанды"],
                   "ru": ["Документ не подтверждён", "Не подлинный: подпись не совпадает: код изменён или подделан"],
                   "en": ["Not a valid document",
                          "Not authentic: the signature does not match: the code was altered or forged"]},
        "not_in_registry": {"kk": ["Тізілімде жоқ: бұл құжат туралы хабарлаңыз"],
                            "ru": ["Нет в реестре: сообщите об этом документе"],
                            "en": ["Not in the registry: please report this document"]},
    }


@pytest.mark.parametrize("lang", LANGS)
def test_every_verdict_page_says_its_verdict_in_each_language(client: TestClient, cases: Cases, lang: str) -> None:
    words = expected_words(cases)
    for name, case in cases.by_name.items():
        page = get_page(client, link(case), lang)
        assert page.all("html")[0]["lang"] == lang
        assert page.all("article")[0]["data-verdict"] == case.verdict, name
        for expected in words[name][lang]:
            assert expected in page.text, f"{name} [{lang}]: {expected!r} not in {page.text[:600]!r}"
        headline = words[name][lang][0]
        receipt = f"{CATALOGUE['receipt_title'][lang]} · {CATALOGUE['site_name'][lang]} "  # printed only
        assert page.all("h1")[0]["id"] == "verdict-1" and page.position(headline) == len(receipt)  # verdict first
        if case.full_name:
            assert page.position(headline) < page.position(case.full_name), name


@pytest.mark.parametrize("lang", LANGS)
def test_the_fields_are_shown_as_printed_with_reference_names(client: TestClient, cases: Cases, lang: str) -> None:
    for name in ("valid", "duplicate", "corrected"):
        case = cases[name]
        page = get_page(client, link(case), lang)
        doc_type = "MD" if name == "corrected" else "BD"
        for expected in (case.full_name, DOC_TYPE_NAMES[doc_type][lang], f"{case.series} {case.number}",
                         INSTITUTION_NAMES[lang], Translator(lang)("bin_value", bin="")):
            assert expected in page.text, f"{name} [{lang}]: {expected!r}"
        fields = page.html.split('<dl class="fields">', 1)[1].split("</dl>", 1)[0]
        assert fields.count("<dt>") >= 7 and "<dd>" in fields  # a description list of the printed fields
    honours = {"kk": "Үздік иә", "ru": "С отличием да", "en": "With honours yes"}[lang]
    assert honours in get_page(client, link(cases["corrected"]), lang).text


def test_a_not_authentic_code_shows_no_fields_and_reads_nothing_from_the_registry(client: TestClient,
                                                                                   cases: Cases) -> None:
    page = get_page(client, link(cases["forged"]), "en")
    assert "Compare with the paper" not in page.text and INSTITUTION_NAMES["en"] not in page.text
    assert cases["valid"].full_name not in page.text
    assert "Do not accept the document as verified" in page.text


@pytest.mark.parametrize(("digits", "words"), [
    ("12345678901234567890", "the code is damaged or incomplete"),  # step 2: no 0x01 marker byte
    ("1" + "0" * 30, "the code is damaged or incomplete"),
])
def test_a_malformed_link_says_the_failed_step_in_plain_words(client: TestClient, digits: str, words: str) -> None:
    page = get_page(client, f"/V/{digits}", "en")
    assert "Not a valid document" in page.text and words in page.text


def test_the_technical_details_list_every_step_with_its_outcome(client: TestClient, cases: Cases) -> None:
    page = get_page(client, link(cases["forged"]), "ru")
    steps = page.html.split('<details class="steps">', 1)[1].split("</details>", 1)[0]
    assert steps.count("<li") == 11 and steps.count("step-failed") == 1
    assert re.search(r'<li class="step-failed"><span class="step-name">5\. Подпись</span>: не пройдена', page.html)


def test_the_dates_and_times_are_in_kazakhstan_time() -> None:
    t = Translator("ru")
    late = dt.datetime(2026, 7, 3, 20, 30, tzinfo=dt.UTC)  # 01:30 on 4 July in Astana
    assert t.datetime(late) == "4 июля 2026 г., 01:30 (UTC+5)"
    assert Translator("kk").date(dt.date(2026, 6, 30)) == "2026 ж. 30 маусым"
    assert Translator("en").date(dt.date(2026, 12, 1)) == "1 December 2026"


# ----------------------------------------------------------------------------- the language
def test_the_catalogue_has_every_message_in_three_languages_with_the_same_placeholders() -> None:
    assert check_catalogue() == []
    assert check_catalogue({"x": {"kk": "{a}", "ru": "{b}", "en": "{a}"}, "y": {"kk": "a", "en": "b"}}) == [
        "x: placeholders differ: {'kk': ['a'], 'ru': ['b'], 'en': ['a']}", "y: languages ['en', 'kk'], missing ['ru']"]


@pytest.mark.parametrize(("header", "lang"), [
    (None, None), ("", None), ("ru-RU,ru;q=0.9,en-US;q=0.8,en;q=0.7", "ru"), ("kk-KZ,kk;q=0.9,ru;q=0.8", "kk"),
    ("kz", "kk"), ("de-DE,de;q=0.9", None), ("de-DE,de;q=0.9,en;q=0.5,ru;q=0.6", "ru"), ("en;q=0.5, ru;q=0.9", "ru"),
    ("*", None), ("ru;q=0, en", "en"), ("ru;q=abc, kk;q=0.1", "kk"), ("EN-gb", "en"),
])
def test_accept_language_picks_the_best_of_the_three(header: str | None, lang: str | None) -> None:
    assert parse_accept_language(header) == lang


def test_the_switch_beats_the_cookie_which_beats_the_header_then_kazakh_or_english() -> None:
    assert negotiate(query="kk", cookie="ru", accept_language="en") == "kk"
    assert negotiate(query=None, cookie="ru", accept_language="en") == "ru"
    assert negotiate(query="xx", cookie="bogus", accept_language="kk-KZ") == "kk"
    assert negotiate(query=None, cookie=None, accept_language="fr-FR") == "en"  # a reader abroad
    for no_preference in (None, "", " ", "*", "*;q=0.5"):  # the state language (issue 10 item 20)
        assert negotiate(query=None, cookie=None, accept_language=no_preference) == "kk"
        # the JSON API's problem details, read by programs, stay English
        assert negotiate(query=None, cookie=None, accept_language=no_preference, default="en") == "en"


@pytest.mark.parametrize(("header", "lang"), [(None, "kk"), ("ru-KZ,ru;q=0.9", "ru"), ("kk-KZ", "kk"),
                                              ("fr-FR,fr;q=0.9", "en")])
@pytest.mark.parametrize("path", ["/", "/scan", "/console/login"])
def test_the_default_language_comes_from_accept_language_else_kazakh(client: TestClient, header: str | None,
                                                                     lang: str, path: str) -> None:
    client.headers.pop("accept-language")
    headers = {} if header is None else {"Accept-Language": header}
    response = client.get(path, headers=headers)
    assert response.headers["content-language"] == lang and f'<html lang="{lang}">' in response.text
    assert "lang=" not in response.headers.get("set-cookie", "")  # no switch was used
    page = Page(response.text)
    if path == "/":
        assert CATALOGUE["home_title"][lang] in page.text
    switch = [a for a in page.all("a") if "hreflang" in a]  # the switch is on the page, whatever the language
    assert [a["lang"] for a in switch] == ["kk", "ru", "en"]


def test_the_switch_sets_a_lax_cookie_that_stays(client: TestClient, cases: Cases) -> None:
    response = client.get("/?lang=kk", headers={"Accept-Language": "en"})
    assert '<html lang="kk">' in response.text
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("lang=kk;") and "samesite=lax" in cookie.lower() and "Path=/" in cookie
    assert "HttpOnly" in cookie and "Max-Age=31536000" in cookie
    # the client keeps the cookie: the next pages are Kazakh although the browser asks for English
    page = get_page(client, link(cases["valid"]), "en")
    assert page.all("html")[0]["lang"] == "kk" and "Құжат жарамды" in page.text
    assert get_page(client, "/scan", "en").all("html")[0]["lang"] == "kk"
    switched = client.get(link(cases["valid"]) + "?lang=ru")
    assert "Документ действителен" in switched.text and switched.headers["set-cookie"].startswith("lang=ru;")
    ignored = client.get("/?lang=xx")
    assert "set-cookie" not in ignored.headers and '<html lang="ru">' in ignored.text


def test_the_switch_links_keep_the_page_and_mark_the_current_language(client: TestClient, cases: Cases) -> None:
    page = get_page(client, link(cases["valid"]), "ru")
    switch = [a for a in page.all("a") if "hreflang" in a]
    assert [(a["href"], a["lang"]) for a in switch] == [("?lang=kk", "kk"), ("?lang=ru", "ru"), ("?lang=en", "en")]
    assert [a.get("aria-current") for a in switch] == [None, "true", None]
    lookup = client.post("/scan/lookup", data={"series": "BD", "number": "1", "surname": "Әбдірахманова"})
    assert next(a["href"] for a in Page(lookup.text).all("a") if "hreflang" in a) == "/scan?lang=kk"


# ----------------------------------------------------------------------------- never the IIN; escaping
def test_no_page_in_any_language_holds_an_iin(client: TestClient, cases: Cases) -> None:
    pages = [client.get(path, headers={"Accept-Language": lang}).text
             for lang in LANGS for path in ["/", "/scan", *(link(case) for case in cases.by_name.values())]]
    pages.append(client.post("/scan/lookup", data={"series": "BD", "number": "0000001",
                                                   "surname": "Әбдірахманова"}).text)
    assert len(pages) == 3 * 9 + 1
    for iin in cases.iins:
        assert not [page[:100] for page in pages if iin in page]
    twelve = {run for page in pages for run in re.findall(r"(?<![0-9])[0-9]{12}(?![0-9])", page)}
    assert twelve, "the pages show the institution's BIN"
    for run in twelve:  # BINs only: none passes the IIN check (tests/web/test_zz_no_iin_leak.py)
        with pytest.raises(RecordError):
            validate_iin(run)


def test_markup_in_a_record_is_refused_by_the_schema_and_escaped_by_the_page_anyway() -> None:
    with pytest.raises(RecordError):
        HolderName("<script>alert(1)</script>", "Айым")
    record = {**REPORT_EXAMPLE["record"], "holder": {"surname": "<script>alert(1)</script>", "name": "Айым"},
              "programme": '"><img src=x onerror=alert(2)>'}
    names = {"kk": "<b>k</b>", "ru": "<b>r</b>", "en": "<b>Uni</b>"}
    for lang in LANGS:
        html = render_verdict(report_of({**REPORT_EXAMPLE, "record": record, "warnings": ["<i>x</i>"]},
                                        institution=names), lang=lang)
        assert "<script>alert" not in html and "<img" not in html and "<b>" not in html and "<i>x" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt; Айым</dd>" in html and "&lt;i&gt;x&lt;/i&gt;" in html
        page = Page(html)
        assert page.inline_scripts == 0 and "<script>alert(1)</script> Айым" in page.text


# ----------------------------------------------------------------------------- the scan page and its forms
def test_the_home_page_links_to_the_scan_page(client: TestClient) -> None:
    page = get_page(client, "/", "en")
    assert {"/scan", "/scan#lookup"} <= {a["href"] for a in page.all("a")}
    assert page.all("main") and len(page.all("h1")) == 1


def test_the_scan_page_has_a_camera_an_upload_form_and_a_lookup_form_with_labels(client: TestClient) -> None:
    response = client.get("/scan", headers={"Accept-Language": "ru"})
    assert response.headers["permissions-policy"] == "camera=(self)"
    page = Page(response.text)
    forms = {form["action"]: form for form in page.all("form")}
    assert forms["/scan/photo"]["method"] == "post" and forms["/scan/photo"]["enctype"] == "multipart/form-data"
    assert forms["/scan/lookup"]["method"] == "post"
    inputs = page.all("input")
    assert {i["name"] for i in inputs} == {"photo", "series", "number", "surname"}
    labelled = {label["for"] for label in page.all("label")}
    assert all(i["id"] in labelled for i in inputs)
    camera = next(d for d in page.all("div") if d.get("id") == "camera-ui")
    assert "hidden" in camera
    app = next(d for d in page.all("div") if d.get("id") == "scan-app")
    assert app["data-prefix"] == "HTTPS://V.EDU.KZ/V/"
    assert app["data-s-camera_wait"] == "Слишком много запросов: продолжим через {seconds} с."
    assert app["data-s-device_checked"] == "Проверено на этом устройстве, статус на {time}."
    assert [(s["type"], s["src"].split("?")[0]) for s in page.all("script")] == [("module", "/static/scan-app.js")]
    assert "Для сканирования камерой нужен JavaScript" in page.html  # <noscript>


def photo_of(*pngs: bytes, angle: float = 3.0) -> bytes:
    """A JPEG 'photo': the QR codes on a white sheet, slightly rotated."""
    codes = [Image.open(io.BytesIO(png)).convert("L").resize((600, 600)) for png in pngs]
    sheet = Image.new("L", (700 * len(codes) + 200, 1000), 255)
    for i, code in enumerate(codes):
        sheet.paste(code, (150 + 700 * i, 200))
    buffer = io.BytesIO()
    sheet.rotate(angle, fillcolor=255, expand=True).convert("RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def png_of(world: World, case: Case) -> bytes:
    with world.session() as session:
        document = get_document(session=session, series=case.series, number=case.number)
        assert document is not None
        return render_record(signed_record_of(get_revision(session=session, document=document))).png


def test_the_upload_form_answers_the_verdict_page_of_every_code_in_the_photo(client: TestClient, world: World,
                                                                             cases: Cases) -> None:
    single = client.post("/scan/photo", files={"photo": ("a.jpg", photo_of(png_of(world, cases["duplicate"])),
                                                         "image/jpeg")}, headers={"Accept-Language": "kk"})
    assert single.status_code == 200, single.text
    page = Page(single.text)
    assert [a["data-verdict"] for a in page.all("article")] == ["VALID"]
    assert "Құжат жарамды: № 1 телнұсқа" in page.text and len(page.all("h1")) == 1
    both = client.post("/scan/photo", files={"photo": ("b.jpg", photo_of(png_of(world, cases["valid"]),
                                                                         png_of(world, cases["annulled"])),
                                                       "image/jpeg")}, headers={"Accept-Language": "en"})
    page = Page(both.text)
    assert [a["data-verdict"] for a in page.all("article")] == ["VALID", "ANNULLED"]
    assert "QR codes in the photo: 2" in page.text and len(page.all("h1")) == 1 and len(page.all("h2")) >= 2


@pytest.mark.parametrize(("upload", "status", "words"), [
    (None, 422, "Choose a photo."),
    (("a.gif", b"GIF89a" + b"\0" * 64, "image/gif"), 415, "This picture format is not supported"),
    (("a.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, "image/png"), 422, "The picture could not be read"),
])
def test_a_refused_upload_comes_back_as_the_scan_page_with_the_reason(client: TestClient, upload: tuple[str, bytes,
                                                                      str] | None, status: int, words: str) -> None:
    files = {"photo": upload} if upload else {"other": ("x.txt", b"x", "text/plain")}
    response = client.post("/scan/photo", files=files, headers={"Accept-Language": "en"})
    assert response.status_code == status and response.headers["content-type"].startswith("text/html")
    page = Page(response.text)
    assert words in page.text and page.all("form")
    assert next(p for p in page.all("p") if p.get("role") == "alert")["id"] == "upload-error"


def test_a_photo_without_a_code_says_so_in_russian(client: TestClient) -> None:
    blank = io.BytesIO()
    Image.new("RGB", (640, 480), "white").save(blank, "JPEG")
    response = client.post("/scan/photo", files={"photo": ("a.jpg", blank.getvalue(), "image/jpeg")},
                           headers={"Accept-Language": "ru"})
    assert response.status_code == 422 and "На фото не найден QR-код" in Page(response.text).text


def test_after_a_duplicate_of_a_duplicate_the_original_points_to_the_document_in_force(
        client: TestClient, world: World) -> None:
    """Issue 10 item 17: duplicate No. 1 is void too, so the original's page, JSON and the API name No. 2."""
    original, revision = issue_row(world, row(7), at=T0)
    first, _ = duplicate(world, original, reason="damaged", at=T0 + dt.timedelta(days=1))
    second, _ = duplicate(world, first, reason="lost", at=T0 + dt.timedelta(days=2))
    digits = split_qr_text(revision.qr_text)[1]
    expected = {"en": f"Ask the holder for the document in force: duplicate No. 2 ({second.series} {second.number})",
                "ru": f"Попросите у владельца действующий документ: дубликат № 2 ({second.series} {second.number})",
                "kk": f"Иесінен күшіндегі құжатты сұраңыз: № 2 телнұсқа ({second.series} {second.number})"}
    for lang, words in expected.items():
        page = get_page(client, f"/V/{digits}", lang)
        assert page.all("article")[0]["data-verdict"] == "REPLACED" and words in page.text
    as_json = client.get(f"/V/{digits}", headers={"Accept": "application/json"}).json()
    api = client.post("/api/v1/verify", json={"qr_text": revision.qr_text}).json()
    for answer in (as_json, api):
        assert answer["registry"]["replaced_by"]["number"] == first.number
        assert (answer["registry"]["in_force"]["number"], answer["registry"]["in_force"]["duplicate_no"]) == (
            second.number, 2)
        assert f"in force now: duplicate No. 2 {second.series} {second.number}" in answer["steps"][10]["detail"]
    annul(world, second, at=T0 + dt.timedelta(days=3), basis="TEST ONLY court decision")
    assert "the last duplicate was annulled" in get_page(client, f"/V/{digits}", "en").text


def test_the_lookup_form_gives_the_same_verdict_as_the_api(client: TestClient, cases: Cases) -> None:
    replaced = cases["replaced"]
    form = {"series": "bd", "number": replaced.number.lstrip("0"), "surname": "сәрсенбаев"}
    response = client.post("/scan/lookup", data=form, headers={"Accept-Language": "en"})
    assert response.status_code == 200
    page = Page(response.text)
    api = client.post("/api/v1/lookup", json=form).json()
    assert page.all("article")[0]["data-verdict"] == api["verdict"] == "REPLACED"
    assert "Void: a duplicate replaced this document" in page.text and replaced.full_name in page.text


def test_the_lookup_folds_letters_and_takes_grouped_numbers_on_the_page_and_the_api(
        client: TestClient, cases: Cases) -> None:
    """Issue 10 item 16: "сарсенбаев" typed for "Сәрсенбаев", a Cyrillic "ВД" for BD, "0000 002" for 0000002."""
    replaced = cases["replaced"]
    grouped = f"{replaced.number[:4]} {replaced.number[4:]}"
    for form in ({"series": "ВД", "number": grouped, "surname": "САРСЕНБАЕВ"},
                 {"series": "bd", "number": replaced.number.lstrip("0"), "surname": "Сарсенбаев"}):
        api = client.post("/api/v1/lookup", json=form)
        assert api.status_code == 200 and api.json()["verdict"] == "REPLACED", api.text
        page = Page(client.post("/scan/lookup", data=form, headers={"Accept-Language": "ru"}).text)
        assert page.all("article")[0]["data-verdict"] == "REPLACED"
    scan = get_page(client, "/scan", "en")
    number_input = next(a for a in scan.all("input") if a.get("id") == "number")
    assert "pattern" not in number_input and int(number_input["maxlength"]) >= 9
    offered = [a["value"] for a in scan.all("option")]
    assert {"BD", "MD", "PhD"} <= set(offered) and next(a for a in scan.all("input") if a.get("id") == "series")[
        "list"] == "series-choices"
    hints = {"en": "spaces between them and missing leading zeros are fine",
             "ru": "казахские буквы можно вводить русскими",
             "kk": "латын да, кирилл да әріптері жарайды"}
    for lang, words in hints.items():
        wrong = client.post("/scan/lookup", data={"series": "BD", "number": replaced.number, "surname": "Петров"},
                            headers={"Accept-Language": lang})
        unknown = client.post("/scan/lookup", data={"series": "BD", "number": "0999998", "surname": "Сәрсенбаев"},
                              headers={"Accept-Language": lang})
        assert wrong.status_code == unknown.status_code == 404
        assert words in Page(wrong.text).text and Page(wrong.text).text == Page(unknown.text).text.replace(
            "0999998", replaced.number).replace("Сәрсенбаев", "Петров")
    api_says = {"en": "check the series as printed", "ru": "проверьте серию, как напечатано",
                "kk": "басылғандай серияны"}
    for lang, words in api_says.items():
        answer = client.post("/api/v1/lookup", json={"series": "BD", "number": "0999998", "surname": "Петров"},
                             headers={"Accept-Language": lang})
        assert answer.status_code == 404 and words in answer.json()["detail"]
        assert answer.json()["type"] == "/problems/not-found"


def test_the_lookup_form_answers_an_unknown_number_and_a_wrong_surname_alike(client: TestClient, cases: Cases) -> None:
    valid = cases["valid"]
    wrong_surname = client.post("/scan/lookup", data={"series": "BD", "number": valid.number, "surname": "Петров"})
    unknown_number = client.post("/scan/lookup", data={"series": "BD", "number": "0999998", "surname": "Петров"})
    assert wrong_surname.status_code == unknown_number.status_code == 404
    assert "No document with this series, number and surname is in the registry" in Page(wrong_surname.text).text
    assert wrong_surname.text.replace(valid.number, "N") == unknown_number.text.replace("0999998", "N")
    assert valid.full_name not in wrong_surname.text
    kk = client.post("/scan/lookup", data={"series": "ZZ", "number": "1", "surname": "Петров"},
                     headers={"Accept-Language": "kk"})
    assert kk.status_code == 404 and "Бұл сериямен, нөмірмен және тегімен құжат тізілімде табылмады" in kk.text


def test_the_lookup_form_keeps_what_was_typed_and_asks_for_what_is_missing(client: TestClient) -> None:
    response = client.post("/scan/lookup", data={"series": "", "number": "12", "surname": "<Ли>"},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = Page(response.text)
    assert "Fill in the series, the seven-digit number and the surname." in page.text
    assert 'value="&lt;Ли&gt;"' in response.text and 'value="12"' in response.text
    form = next(f for f in page.all("form") if f["action"] == "/scan/lookup")
    assert form["aria-describedby"] == "lookup-lead lookup-error"


def test_the_forms_count_in_the_buckets_of_the_api_they_stand_for(make_client: MakeClient, cases: Cases) -> None:
    client = make_client(rate_lookup="2/minute", rate_scan="1/minute")
    form = {"series": "BD", "number": "1", "surname": "x"}
    assert [client.post("/scan/lookup", data=form).status_code for _ in range(2)] == [404, 404]
    assert client.post("/api/v1/lookup", json=form).status_code == 429
    gif = ("a.gif", b"GIF89a" + b"\0" * 16, "image/gif")
    assert client.post("/scan/photo", files={"photo": gif}).status_code == 415
    assert client.post("/api/v1/scan", files={"photo": gif}).status_code == 429
    assert client.get("/scan").status_code == 200  # the page itself is not limited


# ----------------------------------------------------------------------------- headers, assets, structure
def test_every_page_has_a_strict_csp_and_no_inline_code(client: TestClient, cases: Cases) -> None:
    responses = [client.get(path) for path in ("/", "/scan", link(cases["valid"]), link(cases["forged"]))]
    responses.append(client.post("/scan/lookup", data={"series": "BD", "number": "1", "surname": "x"}))
    for response in responses:
        csp = response.headers["content-security-policy"]
        if 'id="scan-app"' in response.text:  # the scan page: WebAssembly for the decoder, and nothing more
            assert csp == SCAN_PAGE_POLICY and "script-src 'self' 'wasm-unsafe-eval';" in csp
            csp = csp.replace(" 'wasm-unsafe-eval'", "")
        assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe" not in csp
        assert "frame-ancestors 'none'" in csp and "default-src 'none'" in csp
        page = Page(response.text)
        assert page.inline_scripts == 0 and not page.all("style")
        assert not [attrs for _, attrs in page.elements if "style" in attrs or any(a.startswith("on") for a in attrs)]
        assert response.headers["vary"] == "Accept, Accept-Language, Cookie"


def test_the_verdict_page_is_accessible_by_structure(client: TestClient, cases: Cases) -> None:
    for case in cases.by_name.values():
        page = get_page(client, link(case), "kk")
        assert len(page.all("main")) == 1 and len(page.all("h1")) == 1
        icon = page.all("svg")[0]
        assert icon["aria-hidden"] == "true" and icon["focusable"] == "false"  # the words carry the verdict
        tone = next(s["class"] for s in page.all("section") if s["class"].startswith("verdict"))
        assert tone.split()[1] in {"tone-ok", "tone-warn", "tone-bad", "tone-info"}
        assert page.all("a")[0]["href"] == "#main"  # skip link
        assert next(b for b in page.all("button") if b["id"] == "print-button")  # shown by verdict.js
        assert [s["src"].split("?")[0] for s in page.all("script")] == ["/static/verdict.js"]
        assert any(p.get("class") == "print-only receipt-title" for p in page.all("p"))


def test_static_files_are_cacheable_with_their_hash_in_the_url(client: TestClient) -> None:
    page = get_page(client, "/scan", "en")
    assets = [x["href"] for x in page.all("link") if x["rel"] == "stylesheet"] + [s["src"] for s in page.all("script")]
    assert len(assets) == 2
    for url in assets:
        response = client.get(url)
        assert response.status_code == 200 and response.headers["cache-control"] == "public, max-age=86400"
        assert url.split("?v=")[1] in response.headers["etag"]
        again = client.get(url, headers={"If-None-Match": response.headers["etag"]})
        assert again.status_code == 304 and not again.content
    assert client.get("/static/site.css").headers["content-type"] == "text/css; charset=utf-8"
    assert client.get("/static/scan-app.js").headers["content-type"] == "text/javascript; charset=utf-8"
    assert client.get("/static/zxing_reader.wasm").headers["content-type"] == "application/wasm"
    for missing in ("/static/nothing.css", "/static/..%2Fpages.py", "/static/%2e%2e%2fapp.py"):
        assert client.get(missing).status_code == 404


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    light, dark = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def test_every_colour_pair_of_the_stylesheet_has_a_contrast_of_at_least_4_5() -> None:
    css = (STATIC_DIR / "site.css").read_text()
    colours = dict(re.findall(r"--([a-z]+-(?:fg|bg)):\s*(#[0-9a-f]{6});", css))
    pairs = sorted({name.rsplit("-", 1)[0] for name in colours})
    assert {"page", "muted", "link", "ok", "warn", "bad", "info", "note", "alert", "button"} <= set(pairs)
    ratios = {pair: round(contrast(colours[f"{pair}-fg"], colours[f"{pair}-bg"]), 2) for pair in pairs}
    assert all(ratio >= 4.5 for ratio in ratios.values()), ratios
    assert round(contrast("#000000", "#ffffff"), 2) == 21.0


def test_the_stylesheet_prints_a_receipt_and_fits_a_phone() -> None:
    css = (STATIC_DIR / "site.css").read_text()
    printed = css.split("@media print", 1)[1]
    assert ".no-print" in printed and ".print-only { display: block; }" in printed
    assert "width=device-width" in Path(STATIC_DIR.parent / "templates" / "base.html").read_text()
    assert not re.search(r"(?<![-\w])width:\s*[4-9][0-9]{2}px", css)  # no fixed widths wider than a phone


def test_step_details_and_the_signer_are_in_the_pages_language(client: TestClient, cases: Cases) -> None:
    """Issue 10 item 15: the technical details and the signer row speak kk, ru or en, not English everywhere."""
    valid = cases["valid"]
    expected = {"kk": ("тізілімде бұл түпнұсқа бар және ол күшінде", "Құжаттарға қол қоюшы"),
                "ru": ("реестр содержит этот подлинник, и он в силе", "Подписант документов"),
                "en": ("the registry holds this original and it is in force", "Document signer")}
    for lang, (step, signer) in expected.items():
        page = get_page(client, link(valid), lang)
        assert step in page.text and signer in page.text
        details = [a for a in page.all("span") if "step-detail" in a.get("class", "")]
        assert details and not [a for a in details if a.get("lang") == "en"]
        if lang != "en":
            assert "in force" not in page.text and "signature verified" not in page.text
    forged = get_page(client, link(cases["forged"]), "ru")
    assert "не проверяется ни одним из подписантов-кандидатов" in forged.text


def test_the_scan_page_offers_the_fixed_series_when_the_registry_cannot_be_read(client: TestClient) -> None:
    """The series choice reads the registry; when it cannot, the page (and its photo form) still answers."""
    services = client.app.state.services  # type: ignore[attr-defined]
    services.sessions = session_factory(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    page = get_page(client, "/scan", "en")
    assert {a["value"] for a in page.all("option")} == {"BD", "BQ", "MD", "MBA", "DBA", "CMD", "CPR", "PhD", "PD",
                                                         "REG"}
