"""The codec's fast paths agree with the general strict decoder and with cbor2 (issue 16 item 2).

`parse_sign1` reads a well-formed COSE_Sign1 at fixed offsets and `sig_structure` writes its bytes by hand; these
property tests check that neither accepts or produces anything the general path (cbor2 with the strict
re-encoding check) would not.
"""

from __future__ import annotations

import datetime as dt

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.keys import make_signer, sample_record
from support.strategies import records

from verify import codec
from verify.errors import CoseStructureError, DigitsError, PayloadError
from verify.issue import sign_record

SIGNED_AT = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
SIGNER = make_signer("codec exact tests")
ES256_SIGNER = make_signer("codec exact tests ES256", alg="ES256")
GOOD = sign_record(sample_record(), signer=SIGNER, base_url="https://v.edu.kz", at=SIGNED_AT).cose


def _strict_or_none(data: bytes) -> codec.CoseSign1 | None:
    try:
        return codec._parse_sign1_strict(data)
    except CoseStructureError:
        return None


@given(st.binary(max_size=600), st.binary(max_size=600))
def test_sig_structure_is_cbor2s(protected: bytes, payload: bytes) -> None:
    assert codec.sig_structure(protected, payload) == cbor2.dumps(["Signature1", protected, b"", payload])


@pytest.mark.parametrize("length", [0, 1, 23, 24, 255, 256, 400, 65535, 65536])
def test_sig_structure_heads(length: int) -> None:
    payload = bytes(length)
    assert codec.sig_structure(b"\xa0", payload) == cbor2.dumps(["Signature1", b"\xa0", b"", payload])


@given(records())
@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_every_signed_record_takes_the_exact_path(record) -> None:  # type: ignore[no-untyped-def]
    for signer in (SIGNER, ES256_SIGNER):
        cose = sign_record(record, signer=signer, base_url="https://v.edu.kz", at=SIGNED_AT).cose
        exact = codec._parse_sign1_exact(cose)
        assert exact is not None
        assert exact == codec._parse_sign1_strict(cose)


@given(st.data())
@settings(max_examples=1000)
def test_exact_path_accepts_nothing_the_strict_path_refuses(data: st.DataObject) -> None:
    cose = bytearray(GOOD)
    for _ in range(data.draw(st.integers(1, 4))):
        kind = data.draw(st.sampled_from(["set", "insert", "delete", "truncate", "append"]))
        at = data.draw(st.integers(0, max(len(cose) - 1, 0)))
        if kind == "set" and cose:
            cose[at] = data.draw(st.integers(0, 255))
        elif kind == "insert":
            cose[at:at] = data.draw(st.binary(min_size=1, max_size=3))
        elif kind == "delete" and cose:
            del cose[at]
        elif kind == "truncate":
            del cose[at:]
        else:
            cose += data.draw(st.binary(min_size=1, max_size=3))
    raw = bytes(cose)
    exact = codec._parse_sign1_exact(raw)
    if exact is not None:
        assert exact == _strict_or_none(raw)
    try:
        assert codec.parse_sign1(raw) == _strict_or_none(raw)
    except CoseStructureError:
        assert _strict_or_none(raw) is None


@given(st.binary(max_size=600))
@settings(max_examples=500)
def test_exact_path_on_any_bytes(raw: bytes) -> None:
    exact = codec._parse_sign1_exact(raw)
    if exact is not None:
        assert exact == _strict_or_none(raw)


@pytest.mark.parametrize("size", [0, 23, 24, 255, 256, 400])
def test_exact_path_payload_heads(size: int) -> None:
    """Every head length of the payload byte string (RFC 8949 §3.1): the exact path agrees with the strict one."""
    protected = codec.encode_protected(codec.ALG_EDDSA, SIGNER.kid)
    cose = codec.encode_sign1(protected, bytes(size), bytes(64))
    exact = codec._parse_sign1_exact(cose)
    strict = _strict_or_none(cose)
    assert exact == strict
    assert exact is not None and len(exact.payload) == size


def test_non_shortest_payload_head_is_refused_by_both() -> None:
    protected = codec.encode_protected(codec.ALG_EDDSA, SIGNER.kid)
    good = codec.encode_sign1(protected, b"\x01" * 10, bytes(64))
    long_head = good[:17] + b"\x58\x0a" + good[18:]
    assert codec._parse_sign1_exact(long_head) is None
    with pytest.raises(CoseStructureError):
        codec.parse_sign1(long_head)


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-2, 2**35), st.text(max_size=12),
                    st.binary(max_size=4), st.lists(st.one_of(st.integers(0, 120), st.text(max_size=8)), max_size=4))


@given(st.dictionaries(st.integers(1, 14), _VALUES, max_size=4), st.sets(st.integers(1, 13), max_size=2))
@settings(max_examples=1500)
def test_payload_with_any_field_changed_decodes_exactly_or_raises_payload_error(
        changes: dict[int, object], dropped: set[int]) -> None:
    """A payload decodes only to a record that encodes back to the same bytes; every other payload (a wrong type, a
    null for an optional key, a value out of range, a missing or unknown key) raises PayloadError."""
    record = sample_record(qualification="4S06130103", doc_type="TVE", series="ТКБ", programme="06130100")
    m = cbor2.loads(codec.encode_payload(record, SIGNED_AT))
    m.update(changes)
    for key in dropped:
        m.pop(key, None)
    data = cbor2.dumps(m, canonical=True)
    try:
        decoded, signed_at = codec.decode_payload(data)
    except PayloadError:
        return
    assert codec.encode_payload(decoded, signed_at) == data


@pytest.mark.parametrize("digits", ["١٢٣", "１２３", "1_000", "+123", " 123", "12 3", "١" + "1" * 20, "²"])
def test_digits_other_than_ascii_are_refused(digits: str) -> None:
    """Step 2 reads the digits as ASCII bytes: no other digit, sign, space or underscore that int() would accept."""
    with pytest.raises(DigitsError):
        codec.digits_to_bytes(digits)
