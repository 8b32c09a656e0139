"""Free text that holds an IIN is refused at input (issue 10, item 7): the one detector, `verify.identifiers`.

An IIN typed into a correction reason or an annulment basis reached the public `/V/` page and `POST /api/v1/verify`
(DOMAIN.md: the IIN never leaves the registry). `iins_in_text` finds a checksum-valid IIN also when its digits are
grouped by spaces, dashes, dots or slashes, or typed full-width; `refuse_iin_in_text` raises `IinInTextError`
naming the field, never the digits.
"""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.strategies import iins
from support.world import make_bin, make_iin

from verify.errors import IinInTextError, RecordError
from verify.identifiers import iins_in_text, refuse_iin_in_text, validate_iin

SEPARATORS = (" ", "-", ".", "/", "\u00a0", "\u2009", "\u2013", "\u2212")


def grouped(iin: str, cuts: list[int], separator: str) -> str:
    """The IIN with `separator` at the offsets `cuts` (1-11)."""
    parts, last = [], 0
    for cut in sorted(set(cuts)):
        parts.append(iin[last:cut])
        last = cut
    return separator.join([*parts, iin[last:]])


@given(iin=iins(), cuts=st.lists(st.integers(1, 11), max_size=5), separator=st.sampled_from(SEPARATORS),
       before=st.text(alphabet="абв xyz:,(", max_size=10), after=st.text(alphabet="абв xyz:,)", max_size=10))
def test_a_valid_iin_is_found_whole_or_grouped_anywhere_in_text(iin: str, cuts: list[int], separator: str,
                                                                before: str, after: str) -> None:
    text = before + grouped(iin, cuts, separator) + after
    assert iins_in_text(text) == [iin]
    with pytest.raises(IinInTextError) as refused:
        refuse_iin_in_text(text, field="reason")
    assert refused.value.field == "reason" and refused.value.code == "IIN_IN_TEXT"
    assert iin not in str(refused.value) and "reason" in str(refused.value)
    assert isinstance(refused.value, RecordError)  # a 422 wherever RecordError is one


@given(iin=iins())
def test_full_width_digits_count_too(iin: str) -> None:
    wide = "".join(chr(ord(c) - ord("0") + 0xFF10) for c in iin)
    assert iins_in_text(f"ЖСН {wide}") == [iin]


@given(text=st.text(alphabet=st.characters(blacklist_categories=("Nd", "No", "Nl")), max_size=200))
def test_text_without_digits_passes_unchanged(text: str) -> None:
    assert iins_in_text(text) == []
    assert refuse_iin_in_text(text, field="basis") is text


@given(iin=iins(), extra=st.sampled_from("0123456789"))
def test_a_longer_unbroken_run_and_an_invalid_check_digit_are_not_an_iin(iin: str, extra: str) -> None:
    assert iins_in_text(extra + iin) == [] and iins_in_text(iin + extra) == []
    wrong = iin[:11] + str((int(iin[11]) + 1) % 10)
    with pytest.raises(RecordError):
        validate_iin(wrong)
    assert iins_in_text(wrong) == []


@given(value=st.uuids())
def test_uuids_and_hashes_are_not_iins(value: uuid.UUID) -> None:
    assert iins_in_text(f"{value}") == [] or str(value).replace("-", "").isdigit()
    iin = make_iin()
    assert iins_in_text(f"sha256 ab{iin}cd") == [] and iins_in_text(f"0b616e3d-385d-4fea-9b1c-{iin}") == []
    assert iins_in_text(f"ИИН-{iin}") == [iin]


def test_two_iins_and_ordinary_numbers() -> None:
    first, second = make_iin(), make_iin(female=False)
    assert iins_in_text(f"{first} {second}") == [first, second]
    assert iins_in_text(f"{first[:6]} {first[6:]}; {second}") == [first, second]
    assert iins_in_text(f"order No. 41 of 2026-09-01, BIN {make_bin(7)}, phone +7 701 123 45 67") == []
    assert refuse_iin_in_text("application 2026-114: wrong code", field="reason") == "application 2026-114: " \
                                                                                       "wrong code"
