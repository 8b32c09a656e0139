"""Signature checks of both algorithms, including malleability and cross-algorithm cases (RFC 8032 §5.1.7)."""

from __future__ import annotations

import pytest
from support.keys import ed25519_key, p256_key

from verify.keys import ALG_EDDSA, ALG_ES256, sign_bytes, signature_check

# The order of the Ed25519 group (RFC 8032 §5.1): S must be < L.
L = 2**252 + 27742317777372353535851937790883648493
DATA = b"Sig_structure bytes"


def test_eddsa_round_trip_and_refusals() -> None:
    key = ed25519_key("keys test")
    check = signature_check(key.public_key())
    signature = sign_bytes(key, DATA)
    assert check(ALG_EDDSA, signature, DATA)
    assert not check(ALG_EDDSA, signature, DATA + b"x")
    assert not check(ALG_ES256, signature, DATA)  # algorithm confusion
    assert not check(ALG_EDDSA, signature[:63], DATA)
    # S + L encodes the same scalar: a malleable twin that a strict verifier must refuse.
    s = int.from_bytes(signature[32:], "little")
    assert not check(ALG_EDDSA, signature[:32] + (s + L).to_bytes(32, "little"), DATA)


def test_es256_deterministic_round_trip_and_refusals() -> None:
    key = p256_key("keys test")
    check = signature_check(key.public_key())
    signature = sign_bytes(key, DATA)
    assert signature == sign_bytes(key, DATA)  # RFC 6979
    assert check(ALG_ES256, signature, DATA)
    assert not check(ALG_EDDSA, signature, DATA)
    assert not check(ALG_ES256, signature[:32] + bytes(32), DATA)
    assert not check(ALG_ES256, bytes(64), DATA)


@pytest.mark.parametrize("signature", [b"", bytes(64), b"\xff" * 64, bytes(65)])
def test_garbage_signatures_are_false_not_errors(signature: bytes) -> None:
    for key in (ed25519_key("g").public_key(), p256_key("g").public_key()):
        check = signature_check(key)
        assert not check(ALG_EDDSA, signature, DATA)
        assert not check(ALG_ES256, signature, DATA)
