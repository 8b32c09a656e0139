"""Credential offers of the OpenID for Verifiable Credential Issuance flow (OID4VCI 1.0, pre-authorized code).

`CredentialOffer`: one offer of one document revision's credential to a wallet: the pre-authorized code and the
transaction code (the PIN the holder is told apart from the offer) kept only as SHA-256 digests, the wrong-PIN
count, the access token (also a digest) once the code is redeemed, and the credential's issue. `CredentialNonce`:
the `c_nonce` values of the Nonce Endpoint (OID4VCI 1.0 §7), each usable once before it expires.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint
from sqlmodel import Field

from .base import RegistryModel, UTCDateTime


class CredentialOffer(RegistryModel, table=True):
    """Row of `credential_offers`: a pre-authorized code for one document revision (OID4VCI 1.0 §4.1.1, §6.1).

    The code is single-use: redeeming it (with the right transaction code) stores the digest of a short-lived
    access token; the token is single-use too: the credential is issued once (`issued_at`, `subject_id`).
    """

    __tablename__ = "credential_offers"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: int | None = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="documents.id", index=True)
    revision: int
    code_sha256: str = Field(max_length=64, unique=True, description="hex SHA-256 of the pre-authorized code")
    tx_code_sha256: str = Field(max_length=64, description="hex SHA-256 of code || transaction code")
    attempts: int = Field(default=0, description="wrong transaction codes so far")
    created_by: str = Field(max_length=200, description="officer:<username> or partner:<name>")
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    redeemed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    token_sha256: str | None = Field(default=None, max_length=64, unique=True)
    token_expires_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    issued_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    subject_id: str | None = Field(default=None, max_length=2000, description="the wallet's did:jwk")


class CredentialNonce(RegistryModel, table=True):
    """Row of `credential_nonces`: a `c_nonce` (hex SHA-256 kept), its expiry and its single use."""

    __tablename__ = "credential_nonces"

    id: int | None = Field(default=None, primary_key=True)
    nonce_sha256: str = Field(max_length=64, unique=True)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime, index=True)
    used_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
