"""The issuer's OID4VCI 1.0 messages and the wallet key proof check (verify/oid4vci.py): property tests that any
input is refused with `CredentialError` alone, and unit tests of each rule of Appendix F.1 / F.4."""

from __future__ import annotations

import datetime as dt
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st
from joserfc import jwt
from joserfc.jwk import ECKey, OKPKey

from verify.errors import CredentialError
from verify.oid4vci import (
    PRE_AUTHORIZED_GRANT,
    credential_offer,
    issuer_metadata,
    offer_link,
    verify_key_proof,
)

ISSUER = "https://v.edu.kz"
AT = dt.datetime(2026, 12, 7, 12, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.filterwarnings("ignore:EdDSA is deprecated:joserfc.errors.SecurityWarning")
ED = OKPKey.generate_key("Ed25519")
P256 = ECKey.generate_key("P-256")


def _proof(key: OKPKey | ECKey = ED, *, alg: str = "EdDSA", typ: str = "openid4vci-proof+jwt",
           aud: object = ISSUER, iat: object | None = None, nonce: object = "n-1", private: bool = False,
           extra_header: dict[str, object] | None = None) -> str:
    header = {"alg": alg, "typ": typ, "jwk": key.as_dict(private=private), **(extra_header or {})}
    claims = {"aud": aud, "iat": int(AT.timestamp()) if iat is None else iat, "nonce": nonce}
    return jwt.encode(header, {k: v for k, v in claims.items() if v is not None}, key, algorithms=[alg])


@pytest.mark.parametrize(("key", "alg"), [(ED, "EdDSA"), (P256, "ES256")])
def test_a_good_proof_gives_the_wallet_key_as_did_jwk_and_thumbprint(key: OKPKey | ECKey, alg: str) -> None:
    wallet = verify_key_proof(_proof(key, alg=alg), issuer_id=ISSUER, at=AT)
    assert wallet.nonce == "n-1" and wallet.did.startswith("did:jwk:")
    assert wallet.thumbprint == key.thumbprint()  # RFC 7638, computed by joserfc independently
    assert "d" not in wallet.jwk


@pytest.mark.parametrize("case", [
    {"typ": "JWT"},
    {"aud": "https://elsewhere.example"},
    {"iat": int((AT - dt.timedelta(minutes=6)).timestamp())},
    {"iat": int((AT + dt.timedelta(minutes=2)).timestamp())},
    {"nonce": None},
    {"private": True},
    {"key": P256, "alg": "ES256", "extra_header": {"kid": "did:example:1#k"}},
    {"raw": "a.b.c"},
    {"raw": ""},
], ids=["typ", "aud", "stale", "future", "no-nonce", "private-jwk", "kid", "garbage", "empty"])
def test_each_rule_of_the_proof_is_enforced(case: dict[str, object]) -> None:
    proof = case["raw"] if "raw" in case else _proof(**case)  # type: ignore[arg-type]
    with pytest.raises(CredentialError):
        verify_key_proof(proof, issuer_id=ISSUER, at=AT)


def test_a_proof_signed_by_another_key_than_its_jwk_is_refused() -> None:
    own = _proof().split(".")
    other = _proof(OKPKey.generate_key("Ed25519")).split(".")
    with pytest.raises(CredentialError):
        verify_key_proof(".".join((own[0], other[1], other[2])), issuer_id=ISSUER, at=AT)


@given(st.text(max_size=300) | st.binary(max_size=300).map(lambda b: b.hex()) | st.none() | st.integers())
def test_any_input_is_refused_with_a_credential_error_only(value: object) -> None:
    with pytest.raises(CredentialError):
        verify_key_proof(value, issuer_id=ISSUER, at=AT)


@given(st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=60))
def test_the_offer_link_carries_the_offer_exactly(code: str) -> None:
    offer = credential_offer(ISSUER, code, tx_code_length=6)
    link = offer_link(offer)
    parts = urlsplit(link)
    assert parts.scheme == "openid-credential-offer"
    assert json.loads(parse_qs(parts.query)["credential_offer"][0]) == offer
    assert offer["grants"][PRE_AUTHORIZED_GRANT]["pre-authorized_code"] == code


def test_the_metadata_points_at_the_hosts_endpoints() -> None:
    meta = issuer_metadata("https://v.edu.kz/", names={"en": "Verification"})
    assert meta["credential_issuer"] == ISSUER and meta["authorization_servers"] == [ISSUER]
    assert meta["credential_endpoint"] == ISSUER + "/oid4vci/credential"
    assert meta["nonce_endpoint"] == ISSUER + "/oid4vci/nonce"
