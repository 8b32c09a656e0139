"""An employer in a real browser (Chromium) against the real app (uvicorn): links, languages, photo, camera, print.

Every verdict page is opened at its QR link in Kazakh, Russian and English (the browser's language, then the
switch), read as a person reads it, and photographed at 360 px (a phone) and 1280 px wide into docs/screenshots/.
A phone must not scroll sideways. A photo of a diploma is uploaded; the fake camera films another diploma; the
lookup form is filled in with the keyboard; the Print button prints. No page may break its Content-Security-Policy
or show an IIN.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from support.pagestates import INSTITUTION_NAMES, Cases

from browser.browsertools import Server, diploma_photo, qr_png
from verify.qr import encode_qr, render_png

HEADLINES = {
    "valid": {"kk": "Құжат жарамды", "ru": "Документ действителен", "en": "Valid document"},
    "duplicate": {"kk": "Құжат жарамды: № 1 телнұсқа", "ru": "Документ действителен: дубликат № 1",
                  "en": "Valid document: duplicate No. 1"},
    "replaced": {"kk": "Жарамсыз: орнына телнұсқа берілген", "ru": "Недействителен: взамен выдан дубликат",
                 "en": "Void: a duplicate replaced this document"},
    "corrected": {"kk": "Шынайы, бірақ деректері тізілімде түзетілген",
                  "ru": "Подлинный, но данные в реестре исправлены",
                  "en": "Authentic, but the registry has corrected it since"},
    "annulled": {"kk": "Күші жойылған", "ru": "Аннулирован", "en": "Annulled"},
    "forged": {"kk": "Құжат расталмады", "ru": "Документ не подтверждён", "en": "Not a valid document"},
    "not_in_registry": {"kk": "Тізілімде жоқ: бұл құжат туралы хабарлаңыз",
                        "ru": "Нет в реестре: сообщите об этом документе",
                        "en": "Not in the registry: please report this document"},
}
SUMMARIES = {  # a phrase of each verdict's explanation, in English
    "valid": "Authentic original", "duplicate": "instead of the original", "replaced": "Reason: lost",
    "corrected": "surname, award date", "annulled": "Basis:",
    "forged": "the signature does not match: the code was altered or forged",
    "not_in_registry": "the registry does not hold this record",
}
LOCALES = {"kk": "kk-KZ", "ru": "ru-RU", "en": "en-US"}
MAX_SCREENSHOT_BYTES = 150 * 1024
WIDER_THAN_THE_SCREEN = """[...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)
    .map(e => e.tagName + "." + e.className + ": " + e.textContent.slice(0, 40))"""
"""Every element that reaches past the right edge of the screen (a phone would scroll sideways)."""


class Visit:
    """A browser context (one visitor) whose pages must not break the CSP."""

    def __init__(self, browser: Any, *, locale: str = "en-US", width: int = 1280, height: int = 800) -> None:
        self.context = browser.new_context(locale=locale, viewport={"width": width, "height": height},
                                           device_scale_factor=1)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.page.on("console", lambda message: self.problems.append(message.text)
                     if message.type == "error" and "Failed to load resource" not in message.text else None)
        self.page.on("pageerror", lambda error: self.problems.append(str(error)))

    def close(self) -> None:
        self.context.close()
        assert self.problems == [], self.problems  # no CSP violation, no script error (4xx pages aside)


@pytest.fixture
def visit(browser: Any) -> Iterator[Any]:
    """`visit(locale=..., width=...)` -> a `Visit`; each is closed (and checked) afterwards."""
    opened: list[Visit] = []

    def open_visit(**kwargs: Any) -> Visit:
        opened.append(Visit(browser, **kwargs))
        return opened[-1]

    yield open_visit
    for one in opened:
        one.close()


def headline(page: Any) -> str:
    return str(page.locator("main h1").first.inner_text()).strip()


def link(server: Server, cases: Cases, name: str) -> str:
    return f"{server.url}/V/{cases[name].digits}"


# ----------------------------------------------------------------------------- every link, every language
@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_the_employer_reads_each_verdict_in_the_browsers_language(visit: Any, server: Server,
                                                                  cases: tuple[Cases, str, Path], lang: str) -> None:
    built, _, _ = cases
    page = visit(locale=LOCALES[lang], width=360, height=740).page
    for name in HEADLINES:
        page.goto(link(server, built, name))
        assert page.locator("html").get_attribute("lang") == lang
        assert headline(page) == HEADLINES[name][lang], name
        assert page.locator("article").get_attribute("data-verdict") == built[name].verdict
        if name in ("valid", "duplicate", "corrected"):
            assert INSTITUTION_NAMES[lang] in page.locator("dl.fields").first.inner_text()
        text = page.locator("body").inner_text()
        assert not [iin for iin in built.iins if iin in text]
        # a phone never scrolls sideways
        assert page.evaluate(WIDER_THAN_THE_SCREEN) == [], name


def test_the_switch_changes_the_language_and_it_stays(visit: Any, server: Server,
                                                      cases: tuple[Cases, str, Path]) -> None:
    built, _, _ = cases
    page = visit(locale="en-US").page
    page.goto(link(server, built, "duplicate"))
    assert headline(page) == HEADLINES["duplicate"]["en"]
    page.get_by_role("link", name="Русский").click()
    page.wait_for_url(re.compile(r"\?lang=ru$"))
    assert headline(page) == HEADLINES["duplicate"]["ru"]
    assert "«Дубликат № 1 выдан взамен оригинала»" in page.locator("ul.look").inner_text()
    cookie = next(c for c in page.context.cookies() if c["name"] == "lang")
    assert (cookie["value"], cookie["sameSite"], cookie["httpOnly"]) == ("ru", "Lax", True)
    page.goto(link(server, built, "annulled"))  # a new page, the browser still asks for English
    assert headline(page) == HEADLINES["annulled"]["ru"]
    page.get_by_role("link", name="Қазақша").click()
    page.wait_for_url(re.compile(r"\?lang=kk$"))
    assert headline(page) == HEADLINES["annulled"]["kk"]
    assert page.locator("a[aria-current=true]").inner_text() == "Қазақша"


def test_screenshots_of_each_verdict_at_360_and_1280_px(visit: Any, server: Server, cases: tuple[Cases, str, Path],
                                                         screenshots: Path) -> None:
    built, _, _ = cases
    shots = []
    for width, height in ((360, 780), (1280, 900)):
        page = visit(locale="en-US", width=width, height=height).page
        for name in HEADLINES:
            page.goto(link(server, built, name))
            assert SUMMARIES[name] in page.locator(".verdict").inner_text()
            shots.append(screenshots / f"verdict-{name.replace('_', '-')}-{width}.png")
            page.screenshot(path=str(shots[-1]))
    for lang in ("kk", "ru"):
        page = visit(locale=LOCALES[lang], width=360, height=780).page
        page.goto(link(server, built, "duplicate"))
        page.locator("ul.look").scroll_into_view_if_needed()  # the stamp to look for on the paper
        shots.append(screenshots / f"verdict-duplicate-stamp-{lang}-360.png")
        page.screenshot(path=str(shots[-1]))
    page = visit(locale="en-US", width=360, height=780).page
    page.goto(f"{server.url}/scan")
    shots.append(screenshots / "scan-360.png")
    page.screenshot(path=str(shots[-1]))
    assert len(shots) == 2 * len(HEADLINES) + 3
    for shot in shots:
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size <= MAX_SCREENSHOT_BYTES, shot


# ----------------------------------------------------------------------------- photo, camera, lookup
def test_the_employer_uploads_a_photo_of_a_diploma(visit: Any, server: Server, cases: tuple[Cases, str, Path],
                                                   tmp_path: Path) -> None:
    built, url, _ = cases
    duplicate = built["duplicate"]
    photo = tmp_path / "diploma.jpg"
    photo.write_bytes(diploma_photo(qr_png(url, duplicate.series, duplicate.number),
                                    stamp="Түпнұсқаның орнына берілген № 1 телнұсқа"))
    page = visit(locale="kk-KZ", width=360, height=740).page
    uploads: list[str] = []
    page.on("request", lambda request: uploads.append(request.url) if request.method == "POST" else None)
    page.goto(f"{server.url}/scan")
    page.get_by_label(re.compile("QR-кодтың фотосуреті")).set_input_files(str(photo))
    page.get_by_role("button", name="Фотосуретті тексеру").click()
    result = page.locator("#device-result article")  # decoded and verified on the phone: nothing uploaded
    result.wait_for(timeout=30_000)
    assert result.get_attribute("data-verdict") == "VALID" and uploads == []
    assert result.locator("h2").inner_text() == HEADLINES["duplicate"]["kk"]
    assert duplicate.full_name in result.locator("dl.fields").inner_text()
    assert "Осы құрылғыда тексерілді, мәртебе" in result.inner_text()
    result.get_by_role("link").click()  # the online page for the latest status
    page.wait_for_url(f"{server.url}/V/{duplicate.digits}")
    assert headline(page) == HEADLINES["duplicate"]["kk"]
    assert "Түпнұсқаның орнына берілген № 1 телнұсқа" in page.locator("ul.look").inner_text()


def test_the_upload_form_works_without_javascript(browser: Any, server: Server, cases: tuple[Cases, str, Path],
                                                  tmp_path: Path) -> None:
    built, url, _ = cases
    valid = built["valid"]
    photo = tmp_path / "diploma.jpg"
    photo.write_bytes(diploma_photo(qr_png(url, valid.series, valid.number), angle=-3.0))
    context = browser.new_context(java_script_enabled=False, locale="ru-RU")
    try:
        page = context.new_page()
        page.goto(f"{server.url}/scan")
        assert page.locator("#camera-ui").is_hidden()  # the camera needs the script; the forms do not
        assert "нужен JavaScript" in page.locator("#camera").inner_text()
        page.locator("#photo").set_input_files(str(photo))
        page.get_by_role("button", name="Проверить фото").click()
        assert headline(page) == HEADLINES["valid"]["ru"]
        assert page.locator("#print-button").is_hidden()  # printing is the browser's menu then
    finally:
        context.close()


def test_the_camera_decodes_frames_on_the_phone_and_shows_the_verdict(visit: Any, server: Server) -> None:
    page = visit(locale="en-US", width=360, height=740).page
    posts: list[str] = []
    page.on("request", lambda request: posts.append(request.url) if request.method != "GET" else None)
    page.goto(f"{server.url}/scan")
    page.get_by_role("button", name="Start the camera").click()
    result = page.locator("#device-result article")
    result.wait_for(timeout=30_000)
    assert result.locator("h2").inner_text() == HEADLINES["annulled"]["en"]
    assert result.get_attribute("data-verdict") == "ANNULLED"
    assert posts == []  # no frame left the phone: the decoder runs there
    assert page.locator("#camera-video").is_hidden()  # the camera is stopped


def test_a_forged_code_is_refused_on_the_phone_with_the_failed_step(visit: Any, server: Server,
                                                                    cases: tuple[Cases, str, Path],
                                                                    tmp_path: Path) -> None:
    forged = cases[0]["forged"]
    photo = tmp_path / "forged.jpg"
    photo.write_bytes(diploma_photo(render_png(encode_qr(forged.qr_text)), angle=2.0))
    page = visit(locale="ru-RU", width=360, height=740).page
    page.goto(f"{server.url}/scan")
    page.locator("#photo").set_input_files(str(photo))
    page.get_by_role("button", name="Проверить фото").click()
    result = page.locator("#device-result article")
    result.wait_for(timeout=30_000)
    assert result.get_attribute("data-verdict") == "BAD_SIGNATURE"
    assert result.locator("h2").inner_text() == HEADLINES["forged"]["ru"]
    assert result.locator("#device-as-of").inner_text() == "Проверено на этом устройстве."
    assert not result.locator("dl.fields").count()  # nothing of a forged record is shown as if it were true


def test_a_photo_the_phone_cannot_read_goes_to_the_server(visit: Any, server: Server, tmp_path: Path) -> None:
    photo = tmp_path / "blank.jpg"
    Image.new("RGB", (800, 600), (240, 238, 230)).save(photo, "JPEG")
    page = visit(locale="en-US").page
    page.goto(f"{server.url}/scan")
    page.locator("#photo").set_input_files(str(photo))
    page.get_by_role("button", name="Check the photo").click()
    page.wait_for_url(f"{server.url}/scan/photo")  # the server's decoder, with every pass, had its turn
    assert page.locator("#upload-error").is_visible()


def test_without_the_decoder_the_camera_sends_frames_to_the_server(visit: Any, server: Server) -> None:
    one = visit(locale="en-US", width=360, height=740)
    one.context.route("**/zxing_reader.wasm*", lambda route: route.abort())  # as a browser without WebAssembly
    page = one.page
    page.goto(f"{server.url}/scan")
    page.get_by_role("button", name="Start the camera").click()
    page.wait_for_url(f"{server.url}/scan/photo", timeout=30_000)  # frames to /api/v1/scan, then the form
    assert headline(page) == HEADLINES["annulled"]["en"]
    # the decoder's loader says it could not fetch its .wasm: expected here, and nothing else may be said
    one.problems[:] = [text for text in one.problems if "wasm" not in text and "ArrayBuffer instantiation" not in text]


def test_the_lookup_form_with_the_keyboard(visit: Any, server: Server, cases: tuple[Cases, str, Path]) -> None:
    built, _, _ = cases
    corrected = built["corrected"]
    page = visit(locale="en-US").page
    page.goto(f"{server.url}/scan")
    page.get_by_label("Series", exact=True).focus()
    page.keyboard.type(corrected.series)
    page.keyboard.press("Tab")
    page.keyboard.type(corrected.number.lstrip("0"))
    page.keyboard.press("Tab")
    page.keyboard.type("жұмабекова")  # the surname as corrected: the lookup finds the current record
    page.keyboard.press("Enter")
    page.wait_for_url(f"{server.url}/scan/lookup")
    assert headline(page) == HEADLINES["valid"]["en"]  # its current revision is in force
    assert "Жұмабекова Айгерім Болатқызы" in page.locator("dl.fields").first.inner_text()
    page.goto(f"{server.url}/scan")
    page.get_by_label("Series", exact=True).fill(corrected.series)
    page.get_by_label("Number (7 digits)").fill(corrected.number)
    page.get_by_label("Holder's surname").fill("Петров")
    page.get_by_role("button", name="Find").click()
    assert "No document with this series, number and surname" in page.get_by_role("alert").inner_text()


# ----------------------------------------------------------------------------- keyboard, focus, print
def test_the_keyboard_reaches_everything_and_focus_is_visible(visit: Any, server: Server,
                                                              cases: tuple[Cases, str, Path]) -> None:
    built, _, _ = cases
    page = visit(locale="en-US").page
    page.goto(link(server, built, "replaced"))
    page.keyboard.press("Tab")
    focused = page.evaluate("[document.activeElement.className, getComputedStyle(document.activeElement).outlineStyle,"
                            " document.activeElement.getBoundingClientRect().top]")
    assert focused[0] == "skip" and focused[1] == "solid" and focused[2] >= 0  # the skip link shows when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    reached = []
    for _ in range(12):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
    assert "Technical details" in reached and "print-button" in reached and "Check another document" in reached


def test_the_print_button_prints_a_receipt(visit: Any, server: Server, cases: tuple[Cases, str, Path]) -> None:
    built, _, _ = cases
    one = visit(locale="en-US")
    one.page.add_init_script("window.print = () => { window.printed = (window.printed || 0) + 1; };")
    one.page.goto(link(server, built, "valid"))
    one.page.get_by_role("button", name="Print").click()
    assert one.page.evaluate("window.printed") == 1
    one.page.emulate_media(media="print")
    assert one.page.locator(".receipt-title").is_visible() and one.page.locator(".langs").is_hidden()
    assert one.page.locator("#print-button").is_hidden()
    assert one.page.locator(".verdict").evaluate("e => getComputedStyle(e).color") == "rgb(0, 0, 0)"
    pdf = one.page.pdf(format="A4")
    assert pdf[:5] == b"%PDF-" and len(pdf) > 10_000


# ----------------------------------------------------------------------------- the API reference
def test_the_api_reference_renders_from_this_origin_under_the_csp(visit: Any, server: Server) -> None:
    # Issue 10 item 13: /docs loaded Swagger UI from a CDN with an inline script and no CSP.
    one = visit()
    requested: list[str] = []
    one.page.on("request", lambda request: requested.append(request.url))
    response = one.page.goto(f"{server.url}/docs")
    assert response.status == 200 and "script-src 'self'" in response.headers["content-security-policy"]
    one.page.wait_for_selector(".swagger-ui .information-container .title")
    assert "verify" in one.page.locator(".swagger-ui .information-container .title").inner_text()
    assert one.page.locator(".swagger-ui .opblock").count() >= 40  # every operation is listed
    assert requested and all(url.startswith(server.url) or url.startswith("data:") for url in requested), requested
    assert one.page.goto(f"{server.url}/redoc").status == 404
