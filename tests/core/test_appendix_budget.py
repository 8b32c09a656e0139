"""Why the appendix is its own signed record (docs/FORMAT.md §10.1): the measurements behind the decision.

A typical diploma (a 30-character Kazakh name) is QR version 10 with a few digits to spare; any digest of an
appendix carried in its payload (a new optional key 14, a byte string of 8, 16 or 32 bytes) makes it version 11,
over the budget of §5.1. And the typical appendix itself (42 rows) is several kilobytes: no QR code at 30 mm holds
it. So the diploma's payload stays as it is and the appendix names the diploma instead.
"""

from __future__ import annotations

import datetime as dt

import cbor2
import pytest
from support.appendixdata import typical_appendix
from support.keys import make_signer, sample_record

from verify import codec, qr
from verify.appendixcodec import sign_appendix
from verify.issue import sign_record
from verify.record import HolderName

T = dt.datetime(2099, 12, 31, 23, 59, 59, tzinfo=dt.UTC)  # the largest signing time adds no bytes below 2106
HOST = "https://v.edu.kz"
SIGNER = make_signer("appendix budget")
TYPICAL = sign_record(sample_record(holder=HolderName("Тұрсынбекова", "Әйгерім", "Асқарқызы")), signer=SIGNER,
                      base_url=HOST, at=T)
V40_M_BYTES = 2331  # ISO/IEC 18004 Table 7: version 40, ECC M, byte mode


def _version_with_digest(digest_bytes: int) -> tuple[int, int, int]:
    """(COSE bytes, digits, QR version) of the typical record with a key 14 of `digest_bytes` bytes added."""
    payload = cbor2.loads(TYPICAL.payload)
    if digest_bytes:
        payload[14] = b"\x00" * digest_bytes
    body = cbor2.dumps(payload, canonical=True)
    cose = codec.encode_sign1(codec.encode_protected(SIGNER.alg, SIGNER.kid), body, b"\x00" * 64)
    digits = codec.bytes_to_digits(cose)
    return len(cose), len(digits), qr.qr_version_for(len(codec.qr_prefix(HOST)), len(digits))


def test_the_typical_diploma_is_version_10_as_it_is() -> None:
    cose_bytes, digits, version = _version_with_digest(0)
    assert (cose_bytes, version) == (len(TYPICAL.cose), TYPICAL.qr_version) and version == 10
    assert digits == 468  # docs/FORMAT.md §10.1: 9 digits (about 3 bytes) below the version-10 limit


@pytest.mark.parametrize(("digest_bytes", "cose_bytes", "digits"), [(8, 204, 492), (16, 212, 511), (32, 229, 552)])
def test_any_appendix_digest_in_the_diploma_payload_costs_version_11(digest_bytes: int, cose_bytes: int,
                                                                     digits: int) -> None:
    assert _version_with_digest(digest_bytes) == (cose_bytes, digits, 11)


def test_the_typical_appendix_is_no_qr_code_at_all() -> None:
    signed = sign_appendix(typical_appendix(TYPICAL), signer=SIGNER, at=T)
    assert len(signed.appendix.items) == 42
    assert 4000 < len(signed.cose) < 8000  # docs/FORMAT.md §10.1 gives the exact figure
    assert len(signed.cose) > V40_M_BYTES
