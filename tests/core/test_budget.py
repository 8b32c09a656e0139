"""The size budget of docs/FORMAT.md §5.1, measured on real signed records.

A typical record (a 30-character Kazakh name) must be QR version <= 10 at ECC M; the longest
record the schema allows, with the longest prefix allowed, version <= 12; anything over is
refused at issue time, never printed smaller.
"""

from __future__ import annotations

import datetime as dt

import pytest
from support.keys import make_signer, sample_record

from verify import codec, qr
from verify.errors import OverBudgetError, RecordError
from verify.issue import MAX_QR_VERSION, sign_record
from verify.record import (
    MAX_FULL_NAME_CHARS,
    MAX_GIVEN_NAME_CHARS,
    MAX_PATRONYMIC_CHARS,
    MAX_SURNAME_CHARS,
    DuplicateOf,
    HolderName,
)

T = dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=dt.UTC)  # the largest signing time adds no bytes below 2106
LONGEST_PREFIX_URL = "http://127.0.0.1:8000"  # 24-character prefix, the cap of codec.MAX_PREFIX_CHARS
ES256 = make_signer("budget es256", alg="ES256")
EDDSA = make_signer("budget eddsa")


def test_longest_prefix_is_the_cap() -> None:
    assert len(codec.qr_prefix(LONGEST_PREFIX_URL)) == codec.MAX_PREFIX_CHARS


def test_typical_thirty_character_name_is_version_10() -> None:
    holder = HolderName("Тұрсынбекова", "Әйгерім", "Асқарқызы")
    assert len(holder.full_name) == 30
    for signer in (EDDSA, ES256):
        signed = sign_record(sample_record(holder=holder), signer=signer, base_url="https://v.edu.kz", at=T)
        assert signed.qr_version <= 10
        assert qr.encode_qr(signed.qr_text).version == signed.qr_version


def longest_record():  # type: ignore[no-untyped-def]
    surname_len = MAX_FULL_NAME_CHARS - 2 - 10 - 10
    assert surname_len <= MAX_SURNAME_CHARS and MAX_GIVEN_NAME_CHARS >= 10 and MAX_PATRONYMIC_CHARS >= 10
    return sample_record(
        doc_type="TVE_HONOURS", series="ӘҒҚҢ", number="9999999",
        holder=HolderName("Ғ" * surname_len, "Ұ" * 10, "Ү" * 10),
        institution_bin="990340001121",
        programme="06130100", qualification="4S06130103", honours=True,
        duplicate=DuplicateOf(99, "ӘҒҚҢ", "9999998"), revision=999,
    )


def test_longest_record_fits_version_12_with_the_longest_prefix() -> None:
    record = longest_record()
    assert len(record.holder.full_name) == MAX_FULL_NAME_CHARS
    for signer in (EDDSA, ES256):
        signed = sign_record(record, signer=signer, base_url=LONGEST_PREFIX_URL, at=T)
        assert signed.qr_version <= MAX_QR_VERSION == 12
        symbol = qr.encode_qr(signed.qr_text)
        assert symbol.version == signed.qr_version
        module_mm = 30.0 / (symbol.size + 2 * qr.QrSymbol.QUIET_ZONE_MODULES)
        assert module_mm >= 0.41


def test_names_over_the_cap_are_refused() -> None:
    with pytest.raises(RecordError, match="full name"):
        HolderName("Ғ" * MAX_SURNAME_CHARS, "Ұ" * 10, "Ү" * 10)


def test_over_budget_refused_with_a_clear_error() -> None:
    with pytest.raises(OverBudgetError, match="version 12"):
        sign_record(longest_record(), signer=EDDSA, base_url=LONGEST_PREFIX_URL, at=T, max_version=11)
