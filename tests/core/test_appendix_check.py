"""Checking an appendix against its diploma (verify/appendixcheck.py): each step fails by name."""

from __future__ import annotations

import dataclasses
import datetime as dt

import cbor2
import pytest
from support.appendixdata import SIGNED_AT, typical_appendix
from support.keys import entry, make_signer, sample_record, trust_list

from verify import codec
from verify.appendixcheck import APPENDIX_STEPS, check_appendix, verify_appendix
from verify.appendixcodec import sign_appendix
from verify.errors import AppendixBindingError, DiplomaNotAuthenticError
from verify.grades import Grade
from verify.issue import sign_record
from verify.trust import Revocation

BASE = "https://v.edu.kz"
AT = SIGNED_AT + dt.timedelta(days=30)
SIGNER = make_signer("appendix check")
LATER_SIGNER = make_signer("appendix check, after rotation")
OUTSIDER = make_signer("appendix check, not listed")
BD_ONLY = make_signer("appendix check, MD only")
DIPLOMA = sign_record(sample_record(), signer=SIGNER, base_url=BASE, at=SIGNED_AT)
TRUST = trust_list((entry(SIGNER, label="signer"), entry(LATER_SIGNER, label="later"),
                    entry(BD_ONLY, label="md only", series=frozenset({"MD"}))))


def _steps(report: object) -> list[tuple[int, str]]:
    return [(s.number, s.outcome) for s in report.steps]  # type: ignore[attr-defined]


def _check(cose: bytes, diploma_text: str = DIPLOMA.qr_text, trust: object = TRUST, at: dt.datetime = AT) -> object:
    return check_appendix(cose, diploma_text=diploma_text, trust_list=trust, at=at)  # type: ignore[arg-type]


def test_an_appendix_and_its_diploma_verify_together() -> None:
    signed = sign_appendix(typical_appendix(DIPLOMA), signer=SIGNER, at=SIGNED_AT)
    report = verify_appendix(signed.cose, diploma_text=DIPLOMA.qr_text, trust_list=TRUST, at=AT)
    assert report.verdict == "VALID"
    assert _steps(report) == [(n, "passed") for n in APPENDIX_STEPS]
    assert report.appendix == signed.appendix and report.signer is not None and report.diploma_check is not None
    assert report.diploma_check.report.record == DIPLOMA.record
    assert report.to_json()["appendix"]["items"][0]["grade"]["letter"] == "A"


def test_a_later_document_signer_in_scope_may_sign_the_appendix() -> None:
    signed = sign_appendix(typical_appendix(DIPLOMA), signer=LATER_SIGNER, at=SIGNED_AT)
    assert _check(signed.cose).verdict == "VALID"  # type: ignore[attr-defined]


def _grade_changed(cose: bytes) -> bytes:
    """The same COSE with the first row's letter A written as B (one grade changed, signature kept)."""
    tag = cbor2.loads(cose)
    protected, _unprotected, payload, signature = tag.value
    body = cbor2.loads(payload)
    body[5][0][3][1] = "B"
    return codec.encode_sign1(protected, cbor2.dumps(body, canonical=True), signature)


def test_changing_one_grade_fails_the_signature_step() -> None:
    signed = sign_appendix(typical_appendix(DIPLOMA), signer=SIGNER, at=SIGNED_AT)
    report = _check(_grade_changed(signed.cose))
    assert report.verdict == "BAD_SIGNATURE"  # type: ignore[attr-defined]
    assert report.failed_step.number == 3 and report.appendix is None  # type: ignore[attr-defined]


def test_a_diploma_of_another_number_or_revision_or_payload_is_not_bound() -> None:
    signed = sign_appendix(typical_appendix(DIPLOMA), signer=SIGNER, at=SIGNED_AT)
    others = (
        sign_record(sample_record(number="0012346"), signer=SIGNER, base_url=BASE, at=SIGNED_AT),
        sign_record(sample_record(revision=2), signer=SIGNER, base_url=BASE, at=SIGNED_AT),
        sign_record(sample_record(), signer=SIGNER, base_url=BASE, at=SIGNED_AT + dt.timedelta(seconds=1)),
    )
    for other in others:
        report = _check(signed.cose, diploma_text=other.qr_text)
        assert report.verdict == "NOT_BOUND" and report.failed_step.number == 10  # type: ignore[attr-defined]
        with pytest.raises(AppendixBindingError):
            verify_appendix(signed.cose, diploma_text=other.qr_text, trust_list=TRUST, at=AT)


def test_an_appendix_naming_another_institution_is_not_bound() -> None:
    signed = sign_appendix(typical_appendix(DIPLOMA, institution_bin="990340001121"), signer=SIGNER, at=SIGNED_AT)
    report = _check(signed.cose)
    assert report.verdict == "NOT_BOUND" and "institution" in report.failed_step.detail  # type: ignore[attr-defined]


def test_a_forged_diploma_fails_step_9() -> None:
    signed = sign_appendix(typical_appendix(DIPLOMA), signer=SIGNER, at=SIGNED_AT)
    forged = sign_record(sample_record(), signer=OUTSIDER, base_url=BASE, at=SIGNED_AT)
    report = _check(signed.cose, diploma_text=forged.qr_text)
    assert report.verdict == "DIPLOMA_NOT_AUTHENTIC" and report.failed_step.number == 9  # type: ignore[attr-defined]
    assert "UNKNOWN_SIGNER" in report.failed_step.detail  # type: ignore[attr-defined]
    with pytest.raises(DiplomaNotAuthenticError):
        verify_appendix(signed.cose, diploma_text="HTTPS://V.EDU.KZ/V/1", trust_list=TRUST, at=AT)


@pytest.mark.parametrize(("signer", "at", "trust", "verdict", "step"), [
    (OUTSIDER, SIGNED_AT, TRUST, "UNKNOWN_SIGNER", 2),
    (BD_ONLY, SIGNED_AT, TRUST, "OUT_OF_SCOPE", 8),
    (SIGNER, AT + dt.timedelta(hours=1), TRUST, "SIGNER_OUT_OF_PERIOD", 6),
    (SIGNER, SIGNED_AT, trust_list((dataclasses.replace(entry(SIGNER, label="revoked"), revocation=Revocation(
        SIGNED_AT, SIGNED_AT - dt.timedelta(days=1), "key compromise")),)), "SIGNER_REVOKED", 7),
    (SIGNER, SIGNED_AT, trust_list((entry(SIGNER, label="scoped", institution_bin="990340001121"),)),
     "OUT_OF_SCOPE", 8),
])
def test_signer_steps_fail_by_name(signer: object, at: dt.datetime, trust: object, verdict: str, step: int) -> None:
    signed = sign_appendix(typical_appendix(DIPLOMA), signer=signer, at=at)  # type: ignore[arg-type]
    report = _check(signed.cose, trust=trust)
    assert report.verdict == verdict  # type: ignore[attr-defined]
    assert report.failed_step.number == step and report.failed_step.name == APPENDIX_STEPS[step]  # type: ignore
    assert [s.outcome for s in report.steps[step:]] == ["skipped"] * (10 - step)  # type: ignore[attr-defined]


def test_a_status_signer_cannot_sign_an_appendix() -> None:
    status = make_signer("appendix check, status")
    trust = trust_list((dataclasses.replace(entry(status, label="status"), usage="status"),))
    signed = sign_appendix(typical_appendix(DIPLOMA), signer=status, at=SIGNED_AT)
    assert _check(signed.cose, trust=trust).verdict == "UNKNOWN_SIGNER"  # type: ignore[attr-defined]


def test_a_diploma_qr_is_not_an_appendix_and_garbage_is_malformed() -> None:
    for data in (DIPLOMA.cose, b"", b"\xff" * 10):
        report = _check(data)
        assert report.verdict == "MALFORMED" and report.failed_step.number == 1  # type: ignore[attr-defined]


def test_a_badly_formed_payload_under_a_good_signature_fails_step_5() -> None:
    from verify.appendixcodec import protected_header
    protected = protected_header(SIGNER.alg, SIGNER.kid)
    payload = cbor2.dumps({1: 1}, canonical=True)
    cose = codec.encode_sign1(protected, payload, SIGNER.sign(codec.sig_structure(protected, payload)))
    report = _check(cose)
    assert report.verdict == "MALFORMED" and report.failed_step.number == 5  # type: ignore[attr-defined]


def test_a_failing_grade_row_is_data_not_an_error() -> None:
    items = typical_appendix(DIPLOMA).items
    changed = dataclasses.replace(items[0], grade=Grade(letter="FX"))
    signed = sign_appendix(typical_appendix(DIPLOMA, items=(changed, *items[1:]), totals=None), signer=SIGNER,
                           at=SIGNED_AT)
    assert _check(signed.cose).verdict == "VALID"  # type: ignore[attr-defined]

