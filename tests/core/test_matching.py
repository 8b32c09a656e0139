"""The one fold and number rule of what people type (verify/matching.py; issue 10 item 16), as properties.

* `fold` is idempotent, ignores case, and gives the same key whether the Kazakh letters were typed as such or as
  their Russian look-alikes, and whether a Cyrillic letter was typed as its Latin look-alike;
* `series_key` makes a Latin "TKB" and a Cyrillic "ТКБ" one series; `match_series` names exact matches first and
  never invents a series;
* `parse_number` gives seven ASCII digits for any number of at most seven digits however it is grouped by spaces
  or hyphens, and for any other text raises our own `RecordError`, never anything else.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.strategies import KAZAKH_LETTERS

from verify.errors import RecordError
from verify.matching import KAZAKH_TO_RUSSIAN, LATIN_TO_CYRILLIC, fold, match_series, parse_number, series_key

CYRILLIC_TO_LATIN = {cyrillic: latin for latin, cyrillic in LATIN_TO_CYRILLIC.items() if latin != "i"}
words = st.text(alphabet=KAZAKH_LETTERS + " -", min_size=1, max_size=40)


@given(st.text(max_size=60))
def test_fold_is_idempotent_on_any_text(text: str) -> None:
    assert fold(fold(text)) == fold(text)


@given(words)
def test_fold_ignores_case(text: str) -> None:
    assert fold(text.upper()) == fold(text.lower()) == fold(text)


@given(words)
def test_kazakh_letters_typed_as_russian_ones_fold_alike(text: str) -> None:
    russian = "".join(KAZAKH_TO_RUSSIAN.get(c, KAZAKH_TO_RUSSIAN.get(c.lower(), c)) for c in text)
    assert fold(russian) == fold(text)


@given(words, st.randoms(use_true_random=False))
def test_cyrillic_letters_typed_as_latin_look_alikes_fold_alike(text: str, rnd: object) -> None:
    mixed = "".join(CYRILLIC_TO_LATIN[c.lower()] if c.lower() in CYRILLIC_TO_LATIN and rnd.random() < 0.5  # type: ignore[attr-defined]
                    else c for c in text)
    assert fold(mixed) == fold(text)


def test_the_issue_examples_fold_alike_and_display_is_never_folded() -> None:
    assert fold("Бекмухамбетов") == fold("Бекмұхамбетов") == fold("БЕКМҰХАМБЕТОВ")
    assert fold("Сейiтқали") == fold("Сейітқали")  # a Latin i for the Kazakh і
    assert fold("Әлия") != fold("Алина")
    assert series_key("TKB") == series_key("ТКБ") == series_key("ткб")
    assert series_key("бд") == series_key("BD") and series_key("phd") == series_key("PhD")


def test_match_series_names_exact_matches_first_and_invents_none() -> None:
    known = ["BD", "MD", "PhD", "ТКБ", "ВД"]
    assert match_series("TKB", known) == ["ТКБ"]
    assert match_series("ВД", known) == ["ВД", "BD"]
    assert match_series("BD", known) == ["BD", "ВД"]
    assert match_series("XYZ", known) == [] and match_series("", known) == []


@given(st.integers(0, 9_999_999), st.lists(st.sampled_from([" ", "\u00a0", "\u2009", " - ", "-", "  "]),
                                          max_size=6), st.booleans())
def test_any_grouping_of_a_number_parses_to_its_seven_digits(value: int, separators: list[str], pad: bool) -> None:
    digits = f"{value:07d}" if pad else str(value)
    cuts = sorted({min(i + 1, len(digits) - 1) for i in range(len(separators))} - {0})
    typed, last = "", 0
    for cut, separator in zip(cuts, separators, strict=False):
        typed += digits[last:cut] + separator
        last = cut
    typed += digits[last:]
    assert parse_number(f" {typed} ") == f"{value:07d}"


@given(st.text(max_size=20))
def test_any_text_parses_to_seven_digits_or_raises_our_error(text: str) -> None:
    try:
        number = parse_number(text)
    except RecordError as exc:
        message = exc.message
        number = ""
    else:
        message = ""
    if not number:
        assert "seven digits" in message
        return
    assert len(number) == 7 and number.isascii() and number.isdigit()
    assert number.lstrip("0") == "".join(c for c in text if c in "0123456789").lstrip("0")


@pytest.mark.parametrize("typed", ["", " ", "12345678", "0100 0011", "１２３", "12a", "-12", "12-", "1--2", "№12"])
def test_these_are_not_numbers(typed: str) -> None:
    with pytest.raises(RecordError, match="seven digits"):
        parse_number(typed)
