"""The Latin name by the passport rule (verify/translit.py): every letter of the table, both cases, separators,
and a property: any name the record allows gives only A-Z, space, hyphen and apostrophe."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from verify.errors import RecordError
from verify.record import HolderName
from verify.translit import LETTERS, latin_name, transliterate

# ICAO Doc 9303 Part 3, Section 6, Table B for the Russian alphabet, and the Kazakh letters (module docstring).
RUSSIAN = {
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Е": "E", "Ё": "E", "Ж": "ZH", "З": "Z", "И": "I", "Й": "I",
    "К": "K", "Л": "L", "М": "M", "Н": "N", "О": "O", "П": "P", "Р": "R", "С": "S", "Т": "T", "У": "U", "Ф": "F",
    "Х": "KH", "Ц": "TS", "Ч": "CH", "Ш": "SH", "Щ": "SHCH", "Ъ": "IE", "Ы": "Y", "Ь": "", "Э": "E", "Ю": "IU",
    "Я": "IA",
}
KAZAKH = {"Ә": "A", "Ғ": "G", "Қ": "K", "Ң": "N", "Ө": "O", "Ұ": "U", "Ү": "U", "Һ": "H", "І": "I"}
KAZAKH_LATIN = {"Ä": "A", "Ğ": "G", "Ñ": "N", "Ö": "O", "Ş": "S", "Ū": "U", "Ü": "U", "Ī": "I", "İ": "I"}


@pytest.mark.parametrize(("letter", "latin"), sorted({**RUSSIAN, **KAZAKH, **KAZAKH_LATIN}.items()))
def test_every_letter_upper_and_lower_case(letter: str, latin: str) -> None:
    assert transliterate(letter) == latin
    lower = "i" if letter == "İ" else letter.lower()  # str.lower("İ") adds U+0307; Kazakh Latin writes "i"
    assert transliterate(lower) == latin


def test_the_table_is_exactly_the_cited_letters() -> None:
    assert LETTERS == {**RUSSIAN, **KAZAKH, **KAZAKH_LATIN}
    assert len(RUSSIAN) == 33 and len(KAZAKH) == 9


def test_dotless_i_and_ascii_letters() -> None:
    assert transliterate("ı") == "I"
    assert transliterate("Qazaq") == "QAZAQ"


@pytest.mark.parametrize(("holder", "expected"), [
    (HolderName("Әбдірахманова", "Гүлнұр", "Серікқызы"), "ABDIRAKHMANOVA GULNUR SERIKKYZY"),
    (HolderName("Тұрсынбекова", "Әйгерім", "Асқарқызы"), "TURSYNBEKOVA AIGERIM ASKARKYZY"),
    (HolderName("Щукина-Жұмабаева", "Юлия"), "SHCHUKINA-ZHUMABAEVA IULIIA"),
    (HolderName("Хилл", "Ольга", "Подъячева"), "KHILL OLGA PODIEIACHEVA"),
    (HolderName("Нұр Сұлтан", "Ғалым", "Һашимұлы"), "NUR SULTAN GALYM HASHIMULY"),
    (HolderName("Д'Артаньян", "Шоқан"), "D'ARTANIAN SHOKAN"),
])
def test_names_with_spaces_hyphens_apostrophes(holder: HolderName, expected: str) -> None:
    assert latin_name(holder).full_name == expected


def test_no_patronymic_stays_none() -> None:
    assert latin_name(HolderName("Ким", "Ирина")).patronymic is None


@pytest.mark.parametrize("text", ["Ω", "A1", "Ж\u0301", "ſ", "x\u200b"])
def test_a_character_outside_the_alphabet_is_refused(text: str) -> None:
    with pytest.raises(RecordError, match="not a letter of the record's alphabet"):
        transliterate(text)


_LETTERS = "".join(sorted(LETTERS)) + "".join(c.lower() for c in sorted(LETTERS) if c != "İ") + "ıabcxyzABCXYZ"
_PART = st.text(alphabet=_LETTERS, min_size=1, max_size=8).flatmap(
    lambda head: st.lists(st.tuples(st.sampled_from("-' "), st.text(alphabet=_LETTERS, min_size=1, max_size=6)),
                          max_size=2).map(lambda rest: head + "".join(sep + word for sep, word in rest)))


def _holder_or_none(surname: str, name: str, patronymic: str | None) -> HolderName | None:
    try:
        return HolderName(surname, name, patronymic)
    except RecordError:
        return None  # over a length cap: not a valid name


@given(_PART, _PART, st.none() | _PART)
def test_any_valid_name_gives_only_ascii_letters_space_hyphen_apostrophe(surname: str, name: str,
                                                                        patronymic: str | None) -> None:
    holder = _holder_or_none(surname, name, patronymic)
    if holder is None:
        return
    latin = latin_name(holder)
    assert re.fullmatch(r"[A-Z '\-]*", latin.full_name)
    assert (latin.patronymic is None) == (holder.patronymic is None)
