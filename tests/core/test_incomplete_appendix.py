"""The анықтама's annex (seed 000, appendix 37, annex 2): its grade table and why studies ended, signed as the
appendix of the certificate (verify/appendix.py `StudiesEnded`, verify/appendixcodec.py key 10, docs/FORMAT.md §10).

* the annex's four grade columns (percent, letter, points, five-point) and hours or credits are appendix rows;
* the reason studies ended, the order's number and date and the period of study are signed with it, required for
  the appendix of an анықтама (series REG) and refused for any other; an IIN typed into them is refused;
* the appendix and the certificate verify together; a changed reason breaks the signature;
* any valid `StudiesEnded` round-trips through the bytes and the JSON form (property test).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.keys import entry, make_signer, sample_record, trust_list
from support.world import make_iin

from verify import codec
from verify.appendix import Appendix, AppendixItem, DiplomaRef, ItemKind, StudiesEnded
from verify.appendixcheck import check_appendix, verify_appendix
from verify.appendixcodec import K_STUDIES_ENDED, decode_appendix_payload, encode_appendix_payload, sign_appendix
from verify.errors import AppendixFormatError, IinInTextError, RecordError
from verify.grades import Grade
from verify.issue import sign_record

SIGNED_AT = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
AT = SIGNED_AT + dt.timedelta(days=1)
SIGNER = make_signer("анықтама tests")
IIN = make_iin(dt.date(2004, 5, 12), serial=27)  # TEST ONLY: a checksum-valid IIN typed into free text
TRUST = trust_list((entry(SIGNER, label="signer"),))
CERTIFICATE = sign_record(sample_record(doc_type="INCOMPLETE", series="REG", number="0000042", programme="06130100",
                                        award_date=dt.date(2026, 3, 2)), signer=SIGNER, base_url="https://v.edu.kz",
                          at=SIGNED_AT)
BACHELOR = sign_record(sample_record(), signer=SIGNER, base_url="https://v.edu.kz", at=SIGNED_AT)
ENDED = StudiesEnded(reason="өз қалауы бойынша / по собственному желанию", order_number="45-к",
                     order_date=dt.date(2026, 2, 27), studied_from=dt.date(2024, 9, 1),
                     studied_until=dt.date(2026, 2, 27))
ROWS = (  # annex 2: subject or module, hours by the plan / studied, grade in %, letter, points, five-point
    AppendixItem(ItemKind.SUBJECT, {"kk": "Қазақ тілі", "ru": "Казахский язык"},
                 Grade(letter="B+", points=Decimal("3.33"), percent=86, five_point=4), hours=72),
    AppendixItem(ItemKind.MODULE, {"kk": "Бағдарламалау негіздері", "ru": "Основы программирования"},
                 Grade(letter="A-", points=Decimal("3.67"), percent=91, five_point=5), hours=144),
    AppendixItem(ItemKind.PRACTICE, {"kk": "Оқу практикасы", "ru": "Учебная практика"}, Grade(passed=True), hours=36),
)


def certificate_appendix(**changes: object) -> Appendix:
    fields: dict[str, object] = {"diploma": DiplomaRef.of(CERTIFICATE),
                                 "institution_bin": CERTIFICATE.record.institution_bin, "items": ROWS,
                                 "studies_ended": ENDED}
    fields.update(changes)
    return Appendix(**fields)  # type: ignore[arg-type]


def test_the_certificate_and_its_annex_verify_together() -> None:
    signed = sign_appendix(certificate_appendix(), signer=SIGNER, at=SIGNED_AT)
    report = verify_appendix(signed.cose, diploma_text=CERTIFICATE.qr_text, trust_list=TRUST, at=AT)
    assert report.verdict == "VALID", report.message
    assert report.appendix is not None and report.appendix.studies_ended == ENDED
    assert report.to_json()["appendix"]["studies_ended"] == {
        "reason": "өз қалауы бойынша / по собственному желанию", "order_number": "45-к", "order_date": "2026-02-27",
        "studied_from": "2024-09-01", "studied_until": "2026-02-27"}
    assert report.appendix.totals_computed().hours == 252


def test_a_changed_reason_breaks_the_signature() -> None:
    signed = sign_appendix(certificate_appendix(), signer=SIGNER, at=SIGNED_AT)
    protected, _unprotected, payload, signature = cbor2.loads(signed.cose).value
    body = cbor2.loads(payload)
    body[K_STUDIES_ENDED][1] = "академиялық қарызы үшін"
    forged = codec.encode_sign1(protected, cbor2.dumps(body, canonical=True), signature)
    report = check_appendix(forged, diploma_text=CERTIFICATE.qr_text, trust_list=TRUST, at=AT)
    assert report.verdict == "BAD_SIGNATURE" and report.failed_step is not None and report.failed_step.number == 3


def test_studies_ended_goes_with_and_only_with_the_certificate() -> None:
    with pytest.raises(RecordError, match="only with, the appendix of an анықтама"):
        certificate_appendix(studies_ended=None)
    with pytest.raises(RecordError, match="only with, the appendix of an анықтама"):
        Appendix(DiplomaRef.of(BACHELOR), BACHELOR.record.institution_bin, ROWS, studies_ended=ENDED)
    payload = cbor2.loads(encode_appendix_payload(certificate_appendix(), SIGNED_AT))
    del payload[K_STUDIES_ENDED]
    with pytest.raises(AppendixFormatError, match="анықтама"):
        decode_appendix_payload(cbor2.dumps(payload, canonical=True))


@pytest.mark.parametrize(("changes", "error", "message"), [
    ({"reason": f"ЖСН {IIN} бойынша"}, IinInTextError, "reason"),
    ({"order_number": IIN}, IinInTextError, "order_number"),
    ({"reason": " шығарылды"}, RecordError, "leading or trailing"),
    ({"reason": "ш" * 201}, RecordError, "1-200"),
    ({"order_date": "2026-02-27"}, RecordError, "order date"),
    ({"studied_from": dt.date(2026, 3, 1), "studied_until": dt.date(2026, 2, 1)}, RecordError, "not be after"),
])
def test_bad_studies_ended_is_refused(changes: dict[str, object], error: type[Exception], message: str) -> None:
    fields: dict[str, object] = {"reason": ENDED.reason, "order_number": ENDED.order_number,
                                 "order_date": ENDED.order_date}
    fields.update(changes)
    with pytest.raises(error, match=message):
        StudiesEnded(**fields)  # type: ignore[arg-type]


def test_json_form_round_trips_and_refuses_a_bad_date() -> None:
    appendix = certificate_appendix()
    assert Appendix.from_json(appendix.to_json()) == appendix
    data = appendix.to_json()
    data["studies_ended"] = {**data["studies_ended"], "order_date": "27.02.2026"}
    with pytest.raises(RecordError, match="order_date must be a date"):
        Appendix.from_json(data)


TEXT = st.text(alphabet="абвгдеқңөұүһі әғ-АБ0123456789", min_size=1, max_size=40).map(str.strip).filter(bool)
DAYS = st.dates(dt.date(1990, 1, 1), dt.date(2040, 12, 31))


@settings(max_examples=100, deadline=None)
@given(TEXT, TEXT.map(lambda s: s[:32]), DAYS, st.none() | DAYS, st.none() | DAYS)
def test_any_valid_studies_ended_round_trips_through_bytes_and_json(reason: str, order: str, order_date: dt.date,
                                                                    start: dt.date | None,
                                                                    end: dt.date | None) -> None:
    if start is not None and end is not None and start > end:
        start, end = end, start
    ended = StudiesEnded(reason, order, order_date, start, end)
    appendix = certificate_appendix(studies_ended=ended)
    assert decode_appendix_payload(encode_appendix_payload(appendix, SIGNED_AT)) == (appendix, SIGNED_AT)
    assert StudiesEnded.from_json(ended.to_json()) == ended
