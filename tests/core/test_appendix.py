"""The appendix model, its grade rules and its signed bytes (verify/grades.py, appendix.py, appendixcodec.py)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
from decimal import Decimal

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.appendixdata import SIGNED_AT, typical_appendix, typical_items
from support.keys import make_signer, sample_record

from verify import codec
from verify.appendix import Appendix, AppendixItem, DiplomaRef, ItemKind, Totals
from verify.appendixcodec import (
    MAX_APPENDIX_COSE_BYTES,
    decode_appendix_payload,
    encode_appendix_payload,
    parse_appendix_cose,
    sign_appendix,
)
from verify.errors import AppendixFormatError, Error, RecordError
from verify.grades import LETTER_SCALE, Grade
from verify.issue import sign_record

SIGNER = make_signer("appendix tests")
DIPLOMA = sign_record(sample_record(), signer=SIGNER, base_url="https://v.edu.kz", at=SIGNED_AT)
NAMES = {"kk": "Математика", "ru": "Математика"}


# ------------------------------------------------------------------------------------------ grades
@pytest.mark.parametrize("band", LETTER_SCALE, ids=lambda b: b.letter)
def test_every_row_of_the_scale_is_consistent_in_all_forms(band: object) -> None:
    assert isinstance(band, type(LETTER_SCALE[0]))
    grade = Grade(letter=band.letter, points=Decimal(band.points) / 100, percent=band.percent_min,
                  five_point=band.five_point)
    assert grade.effective_five_point() == band.five_point
    assert grade.failing == (band.five_point == 2)


@pytest.mark.parametrize(("kwargs", "message"), [
    ({}, "at least one"),
    ({"letter": "A+"}, "not one of"),
    ({"letter": "A", "points": Decimal("3.67")}, "is 4.00 points"),
    ({"letter": "B", "percent": 92}, "outside the band of B"),
    ({"letter": "C", "five_point": 4}, "five-point grade of this grade is 3"),
    ({"percent": 55, "five_point": 5}, "five-point grade of this grade is 3"),
    ({"points": Decimal("3.5")}, "value of the letter scale"),
    ({"percent": 101}, "0..100"),
    ({"letter": "F", "passed": True}, "marked a pass but the grade fails"),
    ({"percent": 80, "passed": False}, "marked a fail but the grade passes"),
    ({"five_point": 1}, "2, 3, 4 or 5"),
])
def test_inconsistent_or_out_of_range_grades_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(RecordError, match=message):
        Grade(**kwargs)  # type: ignore[arg-type]


def test_fx_and_f_share_the_band_25_to_49() -> None:
    assert Grade(letter="FX", percent=30).failing
    assert Grade(letter="F", percent=30).failing
    with pytest.raises(RecordError, match="outside the band of FX"):
        Grade(letter="FX", percent=10)


# ------------------------------------------------------------------------------------------ items and appendix
def test_kazakh_and_russian_names_are_required_except_for_a_thesis() -> None:
    with pytest.raises(RecordError, match="Kazakh and the Russian"):
        AppendixItem(ItemKind.SUBJECT, {"en": "Maths"}, Grade(letter="A"), credits=Decimal(5))
    thesis = AppendixItem(ItemKind.THESIS, {"en": "A title"}, Grade(letter="A"))
    assert thesis.names == {"en": "A title"}


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"kind": ItemKind.SUBJECT}, "hours or credits"),
    ({"kind": ItemKind.SUBJECT, "hours": 0}, "hours must be"),
    ({"kind": ItemKind.SUBJECT, "credits": Decimal("2.25")}, "one decimal place"),
    ({"kind": ItemKind.SUBJECT, "credits": Decimal(0)}, "above 0"),
    ({"kind": ItemKind.SUBJECT, "credits": Decimal(5), "code": "x" * 25}, "code must be"),
    ({"kind": ItemKind.FINAL_ATTESTATION, "grade": Grade(letter="FX")}, "Rules item 4"),
    ({"kind": ItemKind.THESIS, "grade": Grade(passed=False)}, "Rules item 4"),
    ({"kind": ItemKind.SUBJECT, "credits": Decimal(5), "names": {"kk": " Математика", "ru": "М"}}, "leading"),
    ({"kind": ItemKind.SUBJECT, "credits": Decimal(5), "names": {"kk": "Мат\u0000", "ru": "М"}}, "control"),
    ({"kind": ItemKind.SUBJECT, "credits": Decimal(5), "names": {"kk": "М", "ru": "М", "de": "M"}}, "some of kk"),
])
def test_bad_rows_are_refused(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {"names": NAMES, "grade": Grade(letter="A")}
    fields.update(kwargs)
    with pytest.raises(RecordError, match=message):
        AppendixItem(**fields)  # type: ignore[arg-type]


def test_totals_are_computed_and_declared_totals_must_match() -> None:
    appendix = typical_appendix(DIPLOMA)
    computed = appendix.totals_computed()
    assert computed.hours == 38 * 150 and computed.credits == Decimal(38 * 5 + 2 + 10 + 4 + 8)
    assert computed.gpa is not None and Decimal(0) <= computed.gpa <= 4
    assert appendix.five_point_average() is not None
    for wrong in (Totals(hours=computed.hours + 1), Totals(credits=Decimal(1)),
                  Totals(gpa=(computed.gpa or Decimal(0)) + Decimal("0.02"))):
        with pytest.raises(RecordError, match="totals"):
            typical_appendix(DIPLOMA, totals=wrong)


def test_gpa_within_one_hundredth_is_accepted() -> None:
    gpa = typical_appendix(DIPLOMA).totals_computed().gpa
    assert gpa is not None
    typical_appendix(DIPLOMA, totals=Totals(gpa=gpa - Decimal("0.01")))


def test_diploma_reference_and_appendix_rules() -> None:
    with pytest.raises(RecordError, match="32 bytes"):
        DiplomaRef("BD", "0012345", 1, b"\x00" * 31)
    with pytest.raises(RecordError, match="at most one thesis"):
        typical_appendix(DIPLOMA, items=typical_items() + typical_items()[-1:], totals=None)
    with pytest.raises(RecordError, match="duplicate number"):
        typical_appendix(DIPLOMA, duplicate_no=100)


def test_json_round_trip_names_the_bad_row() -> None:
    appendix = typical_appendix(DIPLOMA, revision=2, duplicate_no=1)
    data = appendix.to_json()
    assert Appendix.from_json(data) == appendix
    data["items"][2]["grade"] = {"letter": "B", "percent": 99}
    with pytest.raises(RecordError, match="item 3: grade"):
        Appendix.from_json(data)


# ------------------------------------------------------------------------------------------ bytes
def test_sign_and_decode_round_trip() -> None:
    appendix = typical_appendix(DIPLOMA)
    signed = sign_appendix(appendix, signer=SIGNER, at=SIGNED_AT)
    sign1 = parse_appendix_cose(signed.cose)
    assert sign1.kid == SIGNER.kid
    decoded, signed_at = decode_appendix_payload(sign1.payload)
    assert decoded == appendix and signed_at == SIGNED_AT


def test_a_record_header_or_a_status_list_header_is_not_an_appendix() -> None:
    payload = encode_appendix_payload(typical_appendix(DIPLOMA), SIGNED_AT)
    record_like = codec.encode_sign1(codec.encode_protected(SIGNER.alg, SIGNER.kid), payload, b"\x00" * 64)
    with pytest.raises(AppendixFormatError, match="protected header"):
        parse_appendix_cose(record_like)
    with pytest.raises(AppendixFormatError):
        parse_appendix_cose(DIPLOMA.cose)


def test_payload_rules_unknown_key_revision_one_and_non_canonical() -> None:
    payload = cbor2.loads(encode_appendix_payload(typical_appendix(DIPLOMA), SIGNED_AT))
    for change, message in (({99: 1}, "unknown key"), ({7: 1}, "revision, when present"),
                            ({6: {}}, "must not be empty")):
        with pytest.raises(AppendixFormatError, match=message):
            decode_appendix_payload(cbor2.dumps({**payload, **change}, canonical=True))
    with pytest.raises(AppendixFormatError, match="deterministic"):
        decode_appendix_payload(b"\xa1\x01\x18\x01")  # {1: 1} with a non-shortest head


def test_cose_over_the_cap_is_refused_before_parsing() -> None:
    with pytest.raises(AppendixFormatError, match="over the cap"):
        parse_appendix_cose(b"\x00" * (MAX_APPENDIX_COSE_BYTES + 1))


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_parse_or_raise_our_error(data: bytes) -> None:
    with contextlib.suppress(Error):
        parse_appendix_cose(data)
    with contextlib.suppress(Error):
        decode_appendix_payload(data)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(LETTER_SCALE[:10]), st.integers(1, 60), st.sampled_from(list(ItemKind))),
                min_size=1, max_size=12),
       st.integers(1, 999), st.none() | st.integers(1, 99))
def test_any_valid_appendix_round_trips_through_its_bytes(rows: list[tuple[object, int, ItemKind]], revision: int,
                                                           duplicate_no: int | None) -> None:
    items = []
    for index, (band, tenths, kind) in enumerate(rows):
        if kind is ItemKind.THESIS and any(i.kind is ItemKind.THESIS for i in items):
            kind = ItemKind.SUBJECT
        assert isinstance(band, type(LETTER_SCALE[0]))
        items.append(AppendixItem(kind, {"kk": f"Пән {index}", "ru": f"Предмет {index}"},
                                  Grade(letter=band.letter), credits=Decimal(tenths) / 10))
    appendix = Appendix(DiplomaRef.of(DIPLOMA), DIPLOMA.record.institution_bin, tuple(items),
                        revision=revision, duplicate_no=duplicate_no)
    payload = encode_appendix_payload(appendix, SIGNED_AT)
    assert decode_appendix_payload(payload) == (appendix, SIGNED_AT)


def test_signing_time_must_be_aware() -> None:
    with pytest.raises(RecordError, match="timezone-aware"):
        encode_appendix_payload(typical_appendix(DIPLOMA), dt.datetime(2026, 7, 1))


def test_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        typical_appendix(DIPLOMA).revision = 2  # type: ignore[misc]
