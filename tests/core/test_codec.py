"""Property and unit tests of the codec (docs/FORMAT.md §3-§5).

STYLE.md §10: every decoder gets a property test — any input either decodes to something
that re-encodes identically or raises our own error class.
"""

from __future__ import annotations

import datetime as dt

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.keys import make_signer, sample_record, verifier_for_signers
from support.strategies import records

from verify import codec, qr
from verify.errors import (
    CoseStructureError,
    DigitsError,
    Error,
    PayloadError,
    PrefixError,
    RecordError,
    VerificationError,
)
from verify.issue import sign_record
from verify.verifier import Verifier

SIGNED_AT = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
SIGNER = make_signer("codec tests")


@given(records())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_payload_round_trip(record) -> None:  # type: ignore[no-untyped-def]
    payload = codec.encode_payload(record, SIGNED_AT)
    decoded, signed_at = codec.decode_payload(payload)
    assert decoded == record
    assert signed_at == SIGNED_AT
    assert codec.encode_payload(decoded, signed_at) == payload


@given(records())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_record_signs_within_budget_and_verifies(record) -> None:  # type: ignore[no-untyped-def]
    """Round trip through signing for any record, Kazakh names up to the longest allowed."""
    signed = sign_record(record, signer=SIGNER, base_url="http://127.0.0.1:8000", at=SIGNED_AT)
    assert signed.qr_version <= 12
    report = verifier_for_signers(SIGNER).check(signed.qr_text, at=SIGNED_AT)
    assert report.verdict == "VALID", report.message
    assert report.record == record


@given(st.data())
@settings(max_examples=200, deadline=None)
def test_any_single_bit_flip_fails(data: st.DataObject) -> None:
    """Flipping any one bit of the COSE bytes makes verification fail at a named step."""
    record = data.draw(records())
    signed = sign_record(record, signer=SIGNER, base_url="https://v.edu.kz", at=SIGNED_AT)
    bit = data.draw(st.integers(0, len(signed.cose) * 8 - 1))
    tampered = bytearray(signed.cose)
    tampered[bit // 8] ^= 1 << (bit % 8)
    text = codec.to_qr_text(bytes(tampered), "https://v.edu.kz")
    report = verifier_for_signers(SIGNER).check(text, at=SIGNED_AT)
    assert report.verdict != "VALID"
    assert report.failed_step is not None
    with pytest.raises(VerificationError) as info:
        verifier_for_signers(SIGNER).verify(text, at=SIGNED_AT)
    assert info.value.step == report.failed_step.number


@given(st.text(max_size=2000))
@settings(max_examples=500)
def test_any_text_decodes_or_raises_our_error(text: str) -> None:
    try:
        _, digits = codec.split_qr_text(text)
        cose = codec.digits_to_bytes(digits)
        sign1 = codec.parse_sign1(cose)
    except Error:
        return
    assert codec.encode_sign1(sign1.protected, sign1.payload, sign1.signature) == cose


@given(st.binary(max_size=700))
@settings(max_examples=500)
def test_any_bytes_parse_or_raise_our_error(data: bytes) -> None:
    for parse in (codec.parse_sign1, codec.decode_payload):
        try:
            parse(data)
        except Error:
            continue


@given(st.binary(min_size=0, max_size=512))
def test_digits_round_trip(data: bytes) -> None:
    assert codec.digits_to_bytes(codec.bytes_to_digits(data)) == data


@given(st.text(alphabet="0123456789 x", max_size=40))
def test_non_canonical_digits_refused(text: str) -> None:
    try:
        raw = codec.digits_to_bytes(text)
    except DigitsError:
        return
    assert codec.bytes_to_digits(raw) == text


def test_strict_cbor_refusals() -> None:
    good = codec.encode_payload(sample_record(), SIGNED_AT)
    m = cbor2.loads(good)
    cases = {
        "indefinite map": b"\xbf" + good[1:] + b"\xff",
        "trailing byte": good + b"\x00",
        "non-shortest head": good.replace(b"\x01\x01", b"\x01\x18\x01", 1),
        "unsorted keys": cbor2.dumps(dict(reversed(list(m.items())))),
        "float": cbor2.dumps({**m, 7: 1.5}, canonical=True),
        "tag": cbor2.dumps({**m, 7: cbor2.CBORTag(100, m[7])}, canonical=True),
        "unknown key": cbor2.dumps({**m, 99: 1}, canonical=True),
        "missing key": cbor2.dumps({k: v for k, v in m.items() if k != 4}, canonical=True),
        "revision 1 written": cbor2.dumps({**m, 12: 1}, canonical=True),
        "text number with letters": cbor2.dumps({**m, 4: "00A0001"}, canonical=True),
        "too big": cbor2.dumps({**m, 14: "x" * 500}, canonical=True),
    }
    for label, data in cases.items():
        with pytest.raises(PayloadError):
            codec.decode_payload(data)
        assert label


def test_parse_sign1_refuses_other_shapes() -> None:
    signed = sign_record(sample_record(), signer=SIGNER, base_url="https://v.edu.kz", at=SIGNED_AT)
    body = cbor2.loads(signed.cose).value
    for bad in (
        cbor2.dumps(list(body)),
        cbor2.dumps(cbor2.CBORTag(18, [*body, b""])),
        cbor2.dumps(cbor2.CBORTag(18, [body[0], {1: -8}, body[2], body[3]])),
        cbor2.dumps(cbor2.CBORTag(18, [body[0], {}, body[2], body[3][:63]])),
        cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -8, 4: b"short"}), {}, body[2], body[3]])),
        cbor2.dumps(cbor2.CBORTag(18, [cbor2.dumps({1: -8, 4: SIGNER.kid, 3: 0}), {}, body[2], body[3]])),
        cbor2.dumps(cbor2.CBORTag(18, [body[0], {}, None, body[3]])),
    ):
        with pytest.raises(CoseStructureError):
            codec.parse_sign1(bad)


@pytest.mark.parametrize(("base_url", "prefix"), [
    ("https://v.edu.kz", "HTTPS://V.EDU.KZ/V/"),
    ("https://V.Edu.KZ/", "HTTPS://V.EDU.KZ/V/"),
    ("http://127.0.0.1:8000", "HTTP://127.0.0.1:8000/V/"),
])
def test_qr_prefix(base_url: str, prefix: str) -> None:
    assert codec.qr_prefix(base_url) == prefix


@pytest.mark.parametrize("base_url", ["ftp://v.edu.kz", "https://v.edu.kz/path", "https://u:p@v.edu.kz",
                                      "https://v.edu.kz?q=1", "https://a-very-long-verification-host.example.kz"])
def test_qr_prefix_refusals(base_url: str) -> None:
    with pytest.raises(RecordError):
        codec.qr_prefix(base_url)


@pytest.mark.parametrize("text", ["", "HTTPS://V.EDU.KZ/X/123", "HTTPS://V.EDU.KZ/V", "HTTPS://V EDU/V/1",
                                  "javascript:alert(1)//V/1", "HTTPS://V.EDU.KZ/V/" + "1" * 2000])
def test_prefix_refusals(text: str) -> None:
    with pytest.raises(PrefixError):
        codec.split_qr_text(text)


def test_qr_version_of_typicalsample_record() -> None:
    signed = sign_record(sample_record(), signer=SIGNER, base_url="https://v.edu.kz", at=SIGNED_AT)
    assert signed.qr_version == qr.encode_qr(signed.qr_text).version <= 10


def test_verifier_needs_aware_time() -> None:
    signed = sign_record(sample_record(), signer=SIGNER, base_url="https://v.edu.kz", at=SIGNED_AT)
    verifier: Verifier = verifier_for_signers(SIGNER)
    with pytest.raises(ValueError, match="timezone-aware"):
        verifier.check(signed.qr_text, at=dt.datetime(2026, 11, 1))
