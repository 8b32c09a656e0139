"""The gettext catalogues of the pages (web/ui/locale, read with Babel) and the dates and plurals they give.

* every message is in kk, ru and en with the same placeholders, in every plural form (`check_catalogue` over the
  `.po` files), the three files hold the same ids, none is fuzzy, and each `Plural-Forms` header is Babel's rule for
  its language;
* every id the code and the templates use literally (Babel's extraction with babel.cfg) is in the catalogues;
* a date in every language is written exactly as the hand-written month tables of the pages wrote it before the
  catalogues moved to Babel (kk "2026 ж. 30 маусым", ru "30 июня 2026 г.", en "30 June 2026"), for every day of
  2000-2040;
* a plural message takes the form of the language's CLDR rule.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po

from web.ui.i18n import CATALOGUE, LANGUAGES, LOCALE_DIR, Translator, check_catalogue

ROOT = Path(__file__).resolve().parents[2]
MONTHS = {  # the pages' own tables before Babel: the expected output, written out here
    "kk": ("қаңтар", "ақпан", "наурыз", "сәуір", "мамыр", "маусым", "шілде", "тамыз", "қыркүйек", "қазан",
           "қараша", "желтоқсан"),
    "ru": ("января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября", "октября",
           "ноября", "декабря"),
    "en": ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"),
}


def hand_written(lang: str, day: dt.date) -> str:
    month = MONTHS[lang][day.month - 1]
    if lang == "kk":
        return f"{day.year} ж. {day.day} {month}"
    if lang == "ru":
        return f"{day.day} {month} {day.year} г."
    return f"{day.day} {month} {day.year}"


def test_the_po_files_hold_the_same_complete_messages_with_babels_plural_rules() -> None:
    assert check_catalogue() == []
    ids = {}
    for lang in LANGUAGES:
        with (LOCALE_DIR / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            catalogue = read_po(handle)  # no locale given: the plural rule is the file's own header
        assert not [message.id for message in catalogue if message.fuzzy and message.id]
        rule = get_plural(lang)
        assert catalogue.plural_forms == f"nplurals={rule.num_plurals}; plural={rule.plural_expr};"
        assert catalogue.num_plurals == rule.num_plurals >= 2
        ids[lang] = {message.id if isinstance(message.id, str) else message.id[0] for message in catalogue
                     if message.id}
    assert ids["kk"] == ids["ru"] == ids["en"] == set(CATALOGUE) and len(CATALOGUE) > 300


def test_every_message_id_the_code_and_templates_use_is_in_the_catalogues() -> None:
    method_map = [("web/**.py", "python"), ("web/ui/templates/**.html", "jinja2")]
    used = {message for _, _, message, _, _ in extract_from_dir(str(ROOT), method_map=method_map,
                                                                keywords={"t": None})}
    assert len(used) > 150
    assert sorted(used - set(CATALOGUE)) == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_babels_dates_are_the_pages_hand_written_dates(lang: str) -> None:
    t = Translator(lang)
    day, last = dt.date(2000, 1, 1), dt.date(2040, 12, 31)
    wrong = []
    while day <= last:
        if t.date(day) != hand_written(lang, day):
            wrong.append((day.isoformat(), t.date(day), hand_written(lang, day)))
        day += dt.timedelta(days=1)
    assert wrong == []


def test_a_plural_message_takes_the_form_of_the_languages_rule() -> None:
    assert Translator("en").plural("c_import_done", 1, rows=1) == "The file is imported: 1 row."
    assert Translator("en").plural("c_import_done", 3, rows=3) == "The file is imported: 3 rows."
    assert {Translator("ru").plural("c_import_done", n, rows=n) for n in (1, 3, 5)} == {
        f"Файл загружен: строк — {n}." for n in (1, 3, 5)}
    with pytest.raises(KeyError, match="plural"):
        Translator("en")("c_import_done", rows=2)
    with pytest.raises(KeyError):
        Translator("kk").plural("no_such_message", 2)
