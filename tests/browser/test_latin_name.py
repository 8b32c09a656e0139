"""Issue 17 item 2 in a real browser (Chromium against uvicorn): the English verdict page shows the holder's name
in Latin letters (`verify.translit`: ICAO Doc 9303 Part 3 Table B, the Kazakh letters Ә Ғ Қ Ң Ө Ұ Ү Һ І reduced
to their plain Latin bases) beside the Cyrillic name; the Kazakh and Russian pages do not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from support.pagestates import Cases

from browser.browsertools import Server
from verify.translit import transliterate

LABEL = "Name in Latin letters (as in a passport)"


def _fields(page: Any) -> dict[str, str]:
    terms = page.locator("dl.fields").first.locator("div")
    return {str(terms.nth(i).locator("dt").inner_text()).strip(): str(terms.nth(i).locator("dd").inner_text())
            for i in range(terms.count())}


@pytest.mark.parametrize(("locale", "shown"), [("en-US", True), ("kk-KZ", False), ("ru-RU", False)])
def test_the_english_page_shows_the_latin_name(browser: Any, server: Server, cases: tuple[Cases, str, Path],
                                               locale: str, shown: bool) -> None:
    built, _, _ = cases
    valid = built["valid"]
    context = browser.new_context(locale=locale, viewport={"width": 360, "height": 780})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/V/{valid.digits}")
        fields = _fields(page)
    finally:
        context.close()
    latin = transliterate(valid.full_name)
    assert latin.isascii() and latin != valid.full_name
    assert any(valid.full_name in value for value in fields.values())
    if shown:
        assert fields[LABEL].startswith(latin)
        assert "ICAO Doc 9303" in fields[LABEL]
    else:
        assert LABEL not in fields and not any(latin in value for value in fields.values())
