"""Hypothesis strategies for records the schema allows (docs/FORMAT.md §3)."""

from __future__ import annotations

import datetime as dt

from hypothesis import assume
from hypothesis import strategies as st

from verify.doctypes import DEVELOPMENT_TVE_SERIES, DOCUMENT_TYPES
from verify.identifiers import check_digit
from verify.record import (
    MAX_FULL_NAME_CHARS,
    MAX_GIVEN_NAME_CHARS,
    MAX_PATRONYMIC_CHARS,
    MAX_SURNAME_CHARS,
    DuplicateOf,
    HolderName,
    Record,
)

KAZAKH_LETTERS = "АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯаәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"


def name_part(max_chars: int) -> st.SearchStrategy[str]:
    """A name part: Kazakh/Russian letters with single hyphens or apostrophes between letters."""
    word = st.text(alphabet=KAZAKH_LETTERS, min_size=1, max_size=max_chars)
    return st.lists(word, min_size=1, max_size=3).flatmap(
        lambda words: st.lists(st.sampled_from("-' "), min_size=len(words) - 1, max_size=len(words) - 1).map(
            lambda seps: "".join(w + s for w, s in zip(words, [*seps, ""], strict=True)))
    ).filter(lambda s: len(s) <= max_chars)


@st.composite
def holders(draw: st.DrawFn) -> HolderName:
    surname = draw(name_part(MAX_SURNAME_CHARS))
    name = draw(name_part(MAX_GIVEN_NAME_CHARS))
    patronymic = draw(st.none() | name_part(MAX_PATRONYMIC_CHARS))
    full = " ".join(p for p in (surname, name, patronymic) if p)
    if len(full) > MAX_FULL_NAME_CHARS:
        budget = MAX_FULL_NAME_CHARS - len(name) - 1 - (len(patronymic) + 1 if patronymic else 0)
        surname = surname[:max(budget, 1)].rstrip("-' ") or "А"
        if len(" ".join(p for p in (surname, name, patronymic) if p)) > MAX_FULL_NAME_CHARS:
            patronymic = None
    return HolderName(surname, name, patronymic)


@st.composite
def bins(draw: st.DrawFn) -> str:
    while True:
        first = draw(st.text(alphabet="0123456789", min_size=11, max_size=11))
        digit = check_digit(first)
        if digit is not None:
            return first + str(digit)


series_for_tve = st.sampled_from(DEVELOPMENT_TVE_SERIES)
numbers = st.text(alphabet="0123456789", min_size=7, max_size=7)


@st.composite
def records(draw: st.DrawFn) -> Record:
    """Any record the schema allows."""
    doc_type = draw(st.sampled_from(DOCUMENT_TYPES))
    series = doc_type.series or draw(series_for_tve)
    programme = draw(st.sampled_from(["06130100", "6B06101", "7M01501", "8D05302"]))
    duplicate = draw(st.none() | st.builds(DuplicateOf, st.integers(1, 99), st.just(series), numbers))
    return Record(
        doc_type=doc_type.code,
        series=series,
        number=draw(numbers),
        holder=draw(holders()),
        institution_bin=draw(bins()),
        award_date=draw(st.dates(dt.date(1990, 1, 1), dt.date(2026, 11, 1))),
        programme=programme,
        qualification=draw(st.none() | st.just("4S06130103")),
        honours=draw(st.booleans()),
        duplicate=duplicate,
        revision=draw(st.integers(1, 999)),
    )


@st.composite
def iins(draw: st.DrawFn) -> str:
    """A valid IIN (birth date, century-and-sex digit, serial, check digit); TEST ONLY data."""
    born = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31)))
    century = {19: 3, 20: 5}[born.year // 100] + draw(st.integers(0, 1))
    head = f"{born:%y%m%d}{century}{draw(st.integers(0, 9999)):04d}"
    digit = check_digit(head)
    assume(digit is not None)  # such an IIN is never issued
    return f"{head}{digit}"
