"""Credential offers for wallets: the registry's half of OID4VCI's pre-authorized code flow (issue 17 item 3).

OpenID for Verifiable Credential Issuance 1.0 (OpenID Foundation, final specification, 2025), pre-authorized code
flow: an officer of the institution, or the "digital documents" partner for its holder (seed 000 items 59-60: the
graduate gets a digital diploma in the eGov Mobile app), makes an *offer* of one document revision's credential;
the holder's wallet redeems the offer's pre-authorized code with the transaction code (a PIN the holder is told
apart from the offer, §4.1.1 `tx_code`) at the Token Endpoint (§6.1), takes a `c_nonce` from the Nonce Endpoint
(§7), and asks the Credential Endpoint (§8) with a key proof; the service then signs the credential
(`verify.vc`) for the wallet's key.

What the registry keeps and guarantees:

* codes, transaction codes, access tokens and nonces are random (`secrets`, 256 bits; the transaction code six
  digits) and stored only as SHA-256 digests, so a copy of the database redeems nothing;
* the pre-authorized code is single-use and lives `OFFER_LIFETIME`; `MAX_TX_ATTEMPTS` wrong transaction codes
  void the offer (the PIN has 10^6 values); the access token is single-use (one credential) and lives
  `TOKEN_LIFETIME`; a nonce is single-use and lives `NONCE_LIFETIME`;
* an offer is made only for a document in force, and the credential is issued only while it still is;
* the audit chain records who made each offer (`credential.offer`) and each issue (`credential.issue`, with the
  wallet's key identifier), never an IIN.

    make_offer(session=, document_id=, actor=, at=) -> NewOffer      code and transaction code, shown once
    redeem_code(session=, code=, tx_code=, at=) -> NewToken          the Token Endpoint
    new_nonce(session=, at=) -> NewNonce                             the Nonce Endpoint
    use_nonce(session=, nonce=, at=)                                 a proof's nonce, once
    offer_for_token(session=, token=, at=) -> OfferedRevision        the Credential Endpoint's access token
    mark_issued(session=, offer_id=, subject_id=, at=)               after the credential is signed
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from sqlalchemy import delete
from sqlmodel import Session, col, select

from ..errors import CredentialOfferError, LifecycleError
from ..texts import text
from .access import unit_of_work
from .audit import append_event
from .documents import document_ref, get_revision
from .models import CredentialNonce, CredentialOffer, Document, DocumentRevision, DocumentState, Institution

OFFER_LIFETIME = dt.timedelta(hours=24)
TOKEN_LIFETIME = dt.timedelta(minutes=5)
NONCE_LIFETIME = dt.timedelta(minutes=5)
MAX_TX_ATTEMPTS = 5
TX_CODE_DIGITS = 6
_SECRET_BYTES = 32
_MAX_SECRET_CHARS = 200


def _sha256(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def _tx_digest(code: str, tx_code: str) -> str:
    return _sha256(f"{code}\x00{tx_code}")


@dataclass(frozen=True, slots=True)
class NewOffer:
    """An offer as made: the secrets are shown once and never stored.

    Attributes:
        code: the pre-authorized code (base64url, 43 characters).
        tx_code: the transaction code, `TX_CODE_DIGITS` decimal digits, for the holder only.
        expires_at: when the code stops working (aware UTC).
        series, number, revision: the document revision whose credential is offered.
    """

    code: str
    tx_code: str
    expires_at: dt.datetime
    series: str
    number: str
    revision: int


@dataclass(frozen=True, slots=True)
class NewToken:
    """An access token of the Token Endpoint: `access_token`, its lifetime `expires_in` (seconds)."""

    access_token: str
    expires_in: int


@dataclass(frozen=True, slots=True)
class NewNonce:
    """A `c_nonce` and its expiry (aware UTC)."""

    nonce: str
    expires_at: dt.datetime


@dataclass(frozen=True, slots=True)
class OfferedRevision:
    """What an access token entitles to: the offer's id, the document, its revision row and the issuer's BIN."""

    offer_id: int
    document: Document
    revision: DocumentRevision
    institution: Institution


def _secret(value: object) -> str:
    """A code, token or nonce as received (untrusted): printable ASCII of at most 200 characters, else empty."""
    if not isinstance(value, str) or not value or len(value) > _MAX_SECRET_CHARS or not value.isascii() \
            or not value.isprintable():
        return ""
    return value


def make_offer(*, session: Session, document_id: int, actor: str, at: dt.datetime) -> NewOffer:
    """Offer the credential of a document's current revision; commits (with the audit event `credential.offer`).

    The caller has checked that `actor` may act on the document (the officer's institution, or the partner for
    the holder's own documents).

    Args:
        document_id: the document's row id (read again here, locked, so that its state is the database's).
        actor: who offers, e.g. "officer:registrar1" or "partner:eGov Mobile".
        at: now (aware).

    Returns:
        The `NewOffer` with the code and the transaction code (shown once).

    Raises:
        LifecycleError: the document is not in force (replaced or annulled): no credential is offered.
    """
    code = secrets.token_urlsafe(_SECRET_BYTES)
    tx_code = f"{secrets.randbelow(10 ** TX_CODE_DIGITS):0{TX_CODE_DIGITS}d}"
    expires_at = at + OFFER_LIFETIME
    with unit_of_work(session):
        document = session.exec(select(Document).where(Document.id == document_id).with_for_update()
                                .execution_options(populate_existing=True)).one()
        if document.state != DocumentState.VALID.value:
            raise LifecycleError(text("v_offer_not_in_force", document=document_ref(document)))
        assert document.id is not None
        session.add(CredentialOffer(document_id=document.id, revision=document.current_revision,
                                    code_sha256=_sha256(code), tx_code_sha256=_tx_digest(code, tx_code),
                                    created_by=actor, created_at=at, expires_at=expires_at))
        append_event(session=session, at=at, action="credential.offer", object_type="document",
                     object_ref=document_ref(document), actor=actor, institution_id=document.institution_id,
                     after={"revision": document.current_revision, "expires_at": expires_at.isoformat()})
    return NewOffer(code=code, tx_code=tx_code, expires_at=expires_at, series=document.series,
                    number=document.number, revision=document.current_revision)


def redeem_code(*, session: Session, code: object, tx_code: object, at: dt.datetime) -> NewToken:
    """The Token Endpoint's check (OID4VCI 1.0 §6.1): a pre-authorized code and its transaction code; commits.

    A wrong transaction code is counted (and committed); the `MAX_TX_ATTEMPTS`th voids the offer.

    Returns:
        A single-use access token for the offered credential.

    Raises:
        CredentialOfferError: `invalid_grant`: an unknown, expired, already redeemed or voided code, or a wrong
            transaction code (RFC 6749 §5.2).
    """
    given, pin = _secret(code), _secret(tx_code)
    with unit_of_work(session):
        offer = session.exec(select(CredentialOffer).where(CredentialOffer.code_sha256 == _sha256(given))
                             .with_for_update()).first() if given else None
        if offer is None or offer.redeemed_at is not None or offer.expires_at <= at \
                or offer.attempts >= MAX_TX_ATTEMPTS:
            raise CredentialOfferError(text("v_offer_code_unusable"), oauth_error="invalid_grant")
        if not hmac.compare_digest(offer.tx_code_sha256, _tx_digest(given, pin)):
            offer.attempts += 1
            session.add(offer)
            session.commit()
            raise CredentialOfferError(text("v_offer_tx_code_wrong", left=MAX_TX_ATTEMPTS - offer.attempts),
                                       oauth_error="invalid_grant")
        token = secrets.token_urlsafe(_SECRET_BYTES)
        offer.redeemed_at, offer.token_sha256 = at, _sha256(token)
        offer.token_expires_at = at + TOKEN_LIFETIME
        session.add(offer)
    return NewToken(access_token=token, expires_in=int(TOKEN_LIFETIME.total_seconds()))


def new_nonce(*, session: Session, at: dt.datetime) -> NewNonce:
    """A fresh `c_nonce` (OID4VCI 1.0 §7.2), stored as its digest; nonces expired for a day are deleted; commits."""
    nonce = secrets.token_urlsafe(_SECRET_BYTES)
    expires_at = at + NONCE_LIFETIME
    with unit_of_work(session):
        session.execute(delete(CredentialNonce).where(col(CredentialNonce.expires_at) < at - dt.timedelta(days=1)))
        session.add(CredentialNonce(nonce_sha256=_sha256(nonce), expires_at=expires_at))
    return NewNonce(nonce=nonce, expires_at=expires_at)


def use_nonce(*, session: Session, nonce: object, at: dt.datetime) -> None:
    """Spend a proof's nonce (OID4VCI 1.0 §8.2.1.1 `nonce` claim); commits.

    Raises:
        CredentialOfferError: `invalid_nonce`: unknown, expired or already used (§8.3.1.2).
    """
    given = _secret(nonce)
    with unit_of_work(session):
        row = session.exec(select(CredentialNonce).where(CredentialNonce.nonce_sha256 == _sha256(given))
                           .with_for_update()).first() if given else None
        if row is None or row.used_at is not None or row.expires_at <= at:
            raise CredentialOfferError(text("v_offer_nonce_unusable"), oauth_error="invalid_nonce")
        row.used_at = at
        session.add(row)


def offer_for_token(*, session: Session, token: object, at: dt.datetime) -> OfferedRevision:
    """What a Credential Request's access token entitles to (OID4VCI 1.0 §8; RFC 6750 §3.1).

    Raises:
        CredentialOfferError: `invalid_token`: unknown, expired or already used; `invalid_request`: the document
            is no longer in force, or its revision changed since the offer (a correction: make a new offer).
    """
    given = _secret(token)
    offer = session.exec(select(CredentialOffer).where(CredentialOffer.token_sha256 == _sha256(given))).first() \
        if given else None
    if offer is None or offer.issued_at is not None or offer.token_expires_at is None \
            or offer.token_expires_at <= at:
        raise CredentialOfferError(text("v_offer_token_unusable"), oauth_error="invalid_token")
    document = session.get(Document, offer.document_id)
    assert document is not None and offer.id is not None
    if document.state != DocumentState.VALID.value or document.current_revision != offer.revision:
        raise CredentialOfferError(text("v_offer_not_in_force", document=document_ref(document)),
                                   oauth_error="invalid_request")
    institution = session.get(Institution, document.institution_id)
    assert institution is not None
    return OfferedRevision(offer_id=offer.id, document=document,
                           revision=get_revision(session=session, document=document, revision=offer.revision),
                           institution=institution)


def mark_issued(*, session: Session, offer_id: int, subject_id: str, key_thumbprint: str, at: dt.datetime) -> None:
    """Record the credential's issue to the wallet (single use of the token); commits with `credential.issue`.

    Args:
        offer_id: `OfferedRevision.offer_id`.
        subject_id: the credential subject's id (the wallet key's did:jwk).
        key_thumbprint: the wallet key's RFC 7638 thumbprint (what the audit event names).

    Raises:
        CredentialOfferError: `invalid_token`: another request used the token meanwhile.
    """
    with unit_of_work(session):
        offer = session.exec(select(CredentialOffer).where(CredentialOffer.id == offer_id).with_for_update()).one()
        if offer.issued_at is not None:
            raise CredentialOfferError(text("v_offer_token_unusable"), oauth_error="invalid_token")
        offer.issued_at, offer.subject_id = at, subject_id
        session.add(offer)
        document = session.get(Document, offer.document_id)
        assert document is not None
        append_event(session=session, at=at, action="credential.issue", object_type="document",
                     object_ref=document_ref(document), actor="wallet", institution_id=document.institution_id,
                     after={"revision": offer.revision, "key_thumbprint": key_thumbprint})
