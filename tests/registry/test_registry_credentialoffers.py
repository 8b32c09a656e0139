"""Credential offers in the registry (verify/registry/credentialoffers.py) on SQLite and PostgreSQL: single use of
the code, the token and the nonce, the transaction code's attempts, expiry, and the document's state (OID4VCI 1.0
§6-8; issue 17 item 3)."""

from __future__ import annotations

import datetime as dt

import pytest
from support.world import T0, World, issue_row, row

from verify.errors import CredentialOfferError, LifecycleError
from verify.registry.credentialoffers import (
    MAX_TX_ATTEMPTS,
    NONCE_LIFETIME,
    OFFER_LIFETIME,
    TOKEN_LIFETIME,
    NewOffer,
    make_offer,
    mark_issued,
    new_nonce,
    offer_for_token,
    redeem_code,
    use_nonce,
)
from verify.registry.lifecycle import correct_document


def _offer(world: World, at: dt.datetime = T0) -> NewOffer:
    document, _ = issue_row(world, row(2))
    assert document.id is not None
    with world.session() as session:
        return make_offer(session=session, document_id=document.id, actor="officer:uni.issuer", at=at)


def test_an_offer_is_redeemed_once_and_its_token_gives_one_credential(world: World) -> None:
    offer = _offer(world)
    with world.session() as session:
        token = redeem_code(session=session, code=offer.code, tx_code=offer.tx_code, at=T0)
    assert token.expires_in == int(TOKEN_LIFETIME.total_seconds())
    with world.session() as session, pytest.raises(CredentialOfferError) as again:
        redeem_code(session=session, code=offer.code, tx_code=offer.tx_code, at=T0)
    assert again.value.oauth_error == "invalid_grant"
    with world.session() as session:
        offered = offer_for_token(session=session, token=token.access_token, at=T0)
        assert (offered.document.series, offered.document.number, offered.revision.revision) == \
            (offer.series, offer.number, 1)
        mark_issued(session=session, offer_id=offered.offer_id, subject_id="did:jwk:e30", key_thumbprint="t",
                    at=T0)
    with world.session() as session, pytest.raises(CredentialOfferError) as used:
        offer_for_token(session=session, token=token.access_token, at=T0)
    assert used.value.oauth_error == "invalid_token"
    assert world.scalar("SELECT count(*) FROM audit_events WHERE action IN ('credential.offer', "
                        "'credential.issue')") == 2


def test_wrong_transaction_codes_are_counted_and_void_the_offer(world: World) -> None:
    offer = _offer(world)
    wrong = "000000" if offer.tx_code != "000000" else "999999"
    for _ in range(MAX_TX_ATTEMPTS):
        with world.session() as session, pytest.raises(CredentialOfferError):
            redeem_code(session=session, code=offer.code, tx_code=wrong, at=T0)
    assert world.scalar("SELECT attempts FROM credential_offers") == MAX_TX_ATTEMPTS
    with world.session() as session, pytest.raises(CredentialOfferError):
        redeem_code(session=session, code=offer.code, tx_code=offer.tx_code, at=T0)


def test_codes_tokens_and_nonces_expire(world: World) -> None:
    offer = _offer(world)
    with world.session() as session, pytest.raises(CredentialOfferError):
        redeem_code(session=session, code=offer.code, tx_code=offer.tx_code, at=T0 + OFFER_LIFETIME)
    fresh = _offer(world)
    with world.session() as session:
        token = redeem_code(session=session, code=fresh.code, tx_code=fresh.tx_code, at=T0)
    with world.session() as session, pytest.raises(CredentialOfferError):
        offer_for_token(session=session, token=token.access_token, at=T0 + TOKEN_LIFETIME)
    with world.session() as session:
        nonce = new_nonce(session=session, at=T0)
    with world.session() as session, pytest.raises(CredentialOfferError) as late:
        use_nonce(session=session, nonce=nonce.nonce, at=T0 + NONCE_LIFETIME)
    assert late.value.oauth_error == "invalid_nonce"
    with world.session() as session:
        other = new_nonce(session=session, at=T0)
        use_nonce(session=session, nonce=other.nonce, at=T0)
    with world.session() as session, pytest.raises(CredentialOfferError):
        use_nonce(session=session, nonce=other.nonce, at=T0)
    assert nonce.nonce not in str(world.scalar("SELECT string_agg(nonce_sha256, ',') FROM credential_nonces")
                                  if world.engine.dialect.name == "postgresql" else
                                  world.scalar("SELECT group_concat(nonce_sha256) FROM credential_nonces"))


def test_a_corrected_or_annulled_document_gets_no_credential_from_an_older_offer(world: World) -> None:
    offer = _offer(world)
    with world.session() as session:
        token = redeem_code(session=session, code=offer.code, tx_code=offer.tx_code, at=T0)
    with world.session() as session:
        correct_document(session=session, officer=world.uni_issuer, series=offer.series, number=offer.number,
                         changes={"programme": "6B06102"}, reason="application 7: wrong code",
                         signer=world.signer, base_url="https://v.edu.kz", at=T0 + dt.timedelta(minutes=1))
    with world.session() as session, pytest.raises(CredentialOfferError) as stale:
        offer_for_token(session=session, token=token.access_token, at=T0 + dt.timedelta(minutes=2))
    assert stale.value.oauth_error == "invalid_request"


def test_a_document_not_in_force_gets_no_offer(world: World) -> None:
    from verify.registry.lifecycle import annul_document

    document, _ = issue_row(world, row(2))
    assert document.id is not None
    with world.session() as session:
        annul_document(session=session, officer=world.uni_head, series=document.series, number=document.number,
                       basis="order No. 3", at=T0)
    with world.session() as session, pytest.raises(LifecycleError):
        make_offer(session=session, document_id=document.id, actor="officer:uni.issuer", at=T0)
