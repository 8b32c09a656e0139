"""Bitstring encoding (verify/bitstring.py: bit order, size rules, the errors of Bitstring Status List §3.2) and the
Europass ELM 3.2 export (verify/elm.py)."""

from __future__ import annotations

import base64
import datetime as dt
import gzip
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st
from support.appendixdata import SIGNED_AT, typical_appendix
from support.keys import INSTITUTION, make_signer, sample_record

from verify.bitstring import (
    ENTRIES,
    MIN_ENTRIES,
    bitstring_status_entry,
    build_bitstring_status_list,
    decode_bits,
    encode_bits,
    status_of_entry,
)
from verify.credentials import Issuer
from verify.elm import ELM_CONTEXT, build_edc_credential
from verify.errors import RecordError, StatusListError
from verify.issue import sign_record
from verify.record import HolderName

BASE = "https://v.edu.kz"
AT = SIGNED_AT + dt.timedelta(days=1)


def test_bit_zero_is_the_leftmost_bit_of_the_first_byte() -> None:
    bits = decode_bits(encode_bits([0, 9], length=MIN_ENTRIES))
    assert bits[0] == 0x80 and bits[1] == 0x40 and len(bits) == MIN_ENTRIES // 8


def test_equal_lists_give_equal_text_and_the_full_list_is_small() -> None:
    assert encode_bits([5, 7]) == encode_bits([7, 5])
    assert len(encode_bits(range(0, ENTRIES, 100))) < 200_000
    assert len(encode_bits([])) < 2_000


@given(st.sets(st.integers(0, MIN_ENTRIES - 1), max_size=50))
def test_encode_decode_round_trip(indexes: set[int]) -> None:
    bits = decode_bits(encode_bits(indexes, length=MIN_ENTRIES))
    assert {i for i in range(MIN_ENTRIES) if bits[i // 8] & (0x80 >> (i % 8))} == indexes


@pytest.mark.parametrize(("call", "message"), [
    (lambda: encode_bits([MIN_ENTRIES], length=MIN_ENTRIES), "outside"),
    (lambda: encode_bits([], length=MIN_ENTRIES - 8), "at least"),
    (lambda: decode_bits("zabc"), "multibase"),
    (lambda: decode_bits("u" + base64.urlsafe_b64encode(b"not gzip").decode()), "GZIP"),
    (lambda: decode_bits("u" + base64.urlsafe_b64encode(gzip.compress(b"\x00" * (ENTRIES // 8 + 1))).decode()),
     "expanded"),
])
def test_bad_bitstrings_are_refused(call: object, message: str) -> None:
    with pytest.raises(StatusListError, match=message):
        call()  # type: ignore[operator]


def test_status_errors_of_the_validate_algorithm() -> None:
    status_list = build_bitstring_status_list("ТКБ", [("0000001", None)], revision=1, base_url=BASE, issued_at=AT)
    entry = bitstring_status_entry(base_url=BASE, series="ТКБ", number="0000001", revision=1)
    assert "%D0%A2%D0%9A%D0%91" in entry["statusListCredential"] and not status_of_entry(status_list, entry)
    short = json.loads(json.dumps(status_list))
    short["credentialSubject"]["encodedList"] = encode_bits([], length=MIN_ENTRIES)
    assert not status_of_entry(short, entry)
    too_short = "u" + base64.urlsafe_b64encode(gzip.compress(b"\x00" * 1024)).decode().rstrip("=")
    short["credentialSubject"]["encodedList"] = too_short
    with pytest.raises(StatusListError, match="STATUS_LIST_LENGTH_ERROR"):
        status_of_entry(short, entry)
    with pytest.raises(StatusListError, match="RANGE_ERROR"):
        status_of_entry(status_list, {**entry, "statusListIndex": str(ENTRIES)})
    with pytest.raises(StatusListError, match="another status list"):
        status_of_entry(status_list, {**entry, "statusListCredential": BASE})
    with pytest.raises(StatusListError, match="valid"):
        build_bitstring_status_list("BD", [], revision=1, base_url=BASE, issued_at=AT,
                                    valid_until=AT + dt.timedelta(days=8))
    with pytest.raises(RecordError):
        bitstring_status_entry(base_url=BASE, series="bd", number="0000001", revision=1)


# ------------------------------------------------------------------------------------------ Europass
SIGNER = make_signer("elm")
ISSUER = Issuer(INSTITUTION, {"kk": "Тест университеті", "ru": "Тестовый университет", "en": "Test University"})


def test_the_edc_export_names_the_holder_in_cyrillic_and_latin_and_lists_the_grades() -> None:
    signed = sign_record(sample_record(), signer=SIGNER, base_url=BASE, at=SIGNED_AT)
    edc = build_edc_credential(signed, issuer=ISSUER, base_url=BASE, issued_at=AT,
                               programme_names={"en": "Information systems"}, appendix=typical_appendix(signed))
    assert edc["@context"] == ["https://www.w3.org/ns/credentials/v2", ELM_CONTEXT]
    assert edc["type"] == ["VerifiableCredential", "EuropeanDigitalCredential"]
    assert edc["credentialSchema"] == [{"id": "http://data.europa.eu/snb/model/ap/edc-generic-full",
                                        "type": "ShaclValidator2017"}]
    person = edc["credentialSubject"]
    assert person["fullName"] == {"kk": "Әбдірахманова Гүлнұр Серікқызы", "en": "ABDIRAKHMANOVA GULNUR SERIKKYZY"}
    achievement = person["hasClaim"][0]
    assert achievement["awardedBy"]["awardingBody"][0]["registration"]["notation"] == INSTITUTION
    assert achievement["awardedBy"]["awardingBody"][0]["legalName"]["en"] == "Test University"
    assert edc["issuer"]["location"][0]["address"][0]["countryCode"]["notation"] == "KAZ"
    parts = achievement["hasPart"]
    assert len(parts) == 42 and parts[0]["title"]["en"] == "Modern history of Kazakhstan"
    assert parts[0]["wasDerivedFrom"][0]["grade"]["noteLiteral"]["en"] == "A (4.00); 100 %; 5 (excellent)"
    assert parts[0]["specifiedBy"]["volumeOfLearning"] == "PT150H"
    assert parts[0]["specifiedBy"]["creditPoint"][0]["point"] == "5"
    assert parts[38]["wasDerivedFrom"][0]["grade"]["noteLiteral"]["ru"] == "зачтено"
    assert len({p["id"] for p in parts} | {p["specifiedBy"]["id"] for p in parts}) == 84
    again = build_edc_credential(signed, issuer=ISSUER, base_url=BASE, issued_at=AT,
                                 programme_names={"en": "Information systems"}, appendix=typical_appendix(signed))
    assert again == edc


def test_edc_without_patronymic_and_other_issuer_refused() -> None:
    signed = sign_record(sample_record(holder=HolderName("Ким", "Ирина")), signer=SIGNER, base_url=BASE,
                         at=SIGNED_AT)
    edc = build_edc_credential(signed, issuer=ISSUER, base_url=BASE, issued_at=AT)
    assert "patronymicName" not in edc["credentialSubject"] and "hasPart" not in edc["credentialSubject"]["hasClaim"][0]
    with pytest.raises(RecordError, match="issuer"):
        build_edc_credential(signed, issuer=Issuer("990340001121", {"en": "Other"}), base_url=BASE, issued_at=AT)
