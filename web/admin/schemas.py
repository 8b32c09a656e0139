"""Request and response shapes of the administrators' API, with the examples the OpenAPI document shows.

Institutions, officer accounts, partners, document signers and the trust list. Passwords appear in requests only
and are never echoed; tokens are `web.auth.schemas`'s.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from verify.registry.accounts import PASSWORD_MAX_CHARS, TOKEN_NAME_MAX_CHARS

_AT: Final = "2026-07-01T09:00:00Z"


def _examples(*values: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(values)})



# ----------------------------------------------------------------------------- administration
class InstitutionRequest(BaseModel):
    """`POST /api/v1/admin/institutions`: a college (TVE, seed 000) or a university (seed 001 item 7)."""

    model_config = _examples({"bin": "040140001236", "name_kk": "Астана университеті",
                              "name_ru": "Университет Астана", "name_en": "Astana University", "kind": "university",
                              "region": "Астана"})

    bin: str = Field(min_length=12, max_length=12, pattern=r"^[0-9]{12}$")
    name_kk: str = Field(min_length=1, max_length=300)
    name_ru: str = Field(min_length=1, max_length=300)
    name_en: str = Field(min_length=1, max_length=300)
    kind: Literal["college", "university"]
    region: str = Field(min_length=1, max_length=100)


INSTITUTION_EXAMPLE: Final[dict[str, Any]] = {
    "id": 1, "bin": "040140001236", "name_kk": "Астана университеті", "name_ru": "Университет Астана",
    "name_en": "Astana University", "kind": "university", "region": "Астана"}


class InstitutionModel(BaseModel):
    """An institution."""

    model_config = ConfigDict(json_schema_extra={"examples": [INSTITUTION_EXAMPLE]})

    id: int
    bin: str
    name_kk: str
    name_ru: str
    name_en: str
    kind: str
    region: str
    signer_kid: str | None = Field(default=None, description="the kid of the document signer made with it "
                                                              "(VERIFY_SIGNER_PER_INSTITUTION), else null")
    signer_note: str | None = Field(default=None, description="why no signer was made with it, when one was due")
    closed_on: dt.date | None = Field(default=None, description="the day it closed (seed 000, Rules item 23), or null")
    archive_bin: str | None = Field(default=None, description="the institution that keeps its records once closed")


class CloseRequest(BaseModel):
    """`POST /api/v1/admin/institutions/{bin}/close`: the day it closed and the archive that keeps its records."""

    model_config = _examples({"archive_bin": "040140001236", "closed_on": "2026-06-30"})

    archive_bin: str = Field(min_length=12, max_length=12, pattern=r"^[0-9]{12}$")
    closed_on: dt.date = Field(description="YYYY-MM-DD; not in the future")


class InstitutionsModel(BaseModel):
    """All institutions, by BIN."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"institutions": [INSTITUTION_EXAMPLE]}]})

    institutions: list[InstitutionModel]


class OfficerCreateRequest(BaseModel):
    """`POST /api/v1/admin/officers`: an account for a person appointed by the head's order (seed 001 item 7)."""

    model_config = _examples({"institution_bin": "040140001236", "username": "a.seitkali",
                              "full_name": "Сейітқали Әлия Нұрланқызы", "role": "issuer",
                              "password": "correct horse battery staple"})

    institution_bin: str = Field(min_length=12, max_length=12, pattern=r"^[0-9]{12}$")
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    full_name: str = Field(min_length=1, max_length=200)
    role: Literal["issuer", "head", "viewer"] = "issuer"
    password: str = Field(min_length=1, max_length=PASSWORD_MAX_CHARS, description="at least 12 characters")


OFFICER_EXAMPLE: Final[dict[str, Any]] = {
    "id": 5, "username": "a.seitkali", "full_name": "Сейітқали Әлия Нұрланқызы", "role": "issuer",
    "institution_bin": "040140001236", "active": True, "can_sign_in": True}


class OfficerModel(BaseModel):
    """An officer account."""

    model_config = ConfigDict(json_schema_extra={"examples": [OFFICER_EXAMPLE]})

    id: int
    username: str
    full_name: str
    role: str
    institution_bin: str
    active: bool
    can_sign_in: bool = Field(description="a password is set")


class OfficersModel(BaseModel):
    """Officer accounts, by username."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"officers": [OFFICER_EXAMPLE]}]})

    officers: list[OfficerModel]


class PasswordRequest(BaseModel):
    """A new password (at least 12 characters); every session of the account ends."""

    model_config = _examples({"password": "another long pass phrase"})

    password: str = Field(min_length=1, max_length=PASSWORD_MAX_CHARS)


class DisableRequest(BaseModel):
    """Why an officer account is disabled (kept in the audit log)."""

    model_config = _examples({"reason": "order No. 12: no longer responsible for documents"})

    reason: str | None = Field(default=None, max_length=500)


class PartnerCreateRequest(BaseModel):
    """`POST /api/v1/admin/partners`: a system that reads holders' documents (e.g. the digital documents app)."""

    model_config = _examples({"name": "eGov Mobile digital documents"})

    name: str = Field(min_length=1, max_length=100)


class PartnerModel(BaseModel):
    """A partner system."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 1, "name": "eGov Mobile digital documents", "active": True, "created_at": _AT}]})

    id: int
    name: str
    active: bool
    created_at: dt.datetime


class PartnerWebhookRequest(BaseModel):
    """`PUT /api/v1/admin/partners/{id}/webhook`: where the partner gets the outbox's events, and the secret that
    signs them (Standard Webhooks: "whsec_" + base64 of 24-64 bytes; never shown again)."""

    model_config = _examples({"url": "https://documents.egov.kz/hooks/verify",
                              "secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"})

    url: str = Field(min_length=1, max_length=2000)
    secret: str = Field(min_length=1, max_length=200)


class PartnerWebhookModel(BaseModel):
    """A partner's webhook and how far delivery got (never its secret)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "partner_id": 1, "url": "https://documents.egov.kz/hooks/verify", "delivered_id": 1041, "attempts": 0,
        "next_attempt_at": None, "last_error": None, "updated_at": _AT}]})

    partner_id: int
    url: str
    delivered_id: int = Field(description="the cursor of the last event the partner acknowledged")
    attempts: int = Field(description="failed attempts since the last success")
    next_attempt_at: dt.datetime | None
    last_error: str | None
    updated_at: dt.datetime


class PartnerTokenRequest(BaseModel):
    """`POST /api/v1/admin/partners/{id}/tokens`: a `partner:read` token for the partner."""

    model_config = _examples({"name": "production", "days": 365})

    name: str = Field(min_length=1, max_length=TOKEN_NAME_MAX_CHARS)
    days: int | None = Field(default=None, ge=1, le=3650)


SIGNER_EXAMPLE: Final[dict[str, Any]] = {
    "kid": "0b616e3d385d0fea", "label": "document signer 2026-06-30", "alg": "EdDSA", "usage_from": _AT,
    "usage_until": "2027-07-01T09:00:00Z", "series": ["BD", "BQ", "MD"], "institution_bin": None,
    "state": "active", "revocation": None}


class RevocationModel(BaseModel):
    """A signer's revocation: records signed from `compromised_at` on no longer verify."""

    revoked_at: dt.datetime
    compromised_at: dt.datetime
    reason: str


class SignerModel(BaseModel):
    """A document signer of the trust list."""

    kid: str
    label: str
    alg: str
    usage_from: dt.datetime
    usage_until: dt.datetime
    series: list[str]
    institution_bin: str | None
    state: Literal["active", "retired", "revoked"]
    revocation: RevocationModel | None


class TrustListModel(BaseModel):
    """The trust list the key store holds now (what the service publishes)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "version": 4, "environment": "production", "issued_at": _AT, "expires_at": "2026-07-31T09:00:00Z",
        "signers": [SIGNER_EXAMPLE]}]})

    version: int
    environment: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    signers: list[SignerModel]


class RotateRequest(BaseModel):
    """A new active document signer for a scope; the signers it replaces stay listed for verification, every other
    active signer stays active (DESIGN.md, Trust model; `verify.keystore.KeyStore.rotate`)."""

    model_config = _examples({"alg": "EdDSA", "series": ["BD", "MD"], "institution_bin": "040140001236"})

    alg: Literal["EdDSA", "ES256"] = "EdDSA"
    series: list[Annotated[str, Field(min_length=1, max_length=5)]] | None = Field(
        default=None, max_length=64, description="the series it may sign (default: the replaced signer's)")
    institution_bin: str | None = Field(default=None, pattern=r"^[0-9]{12}$",
                                        description="replace this institution's signer (or make its first)")


class InstitutionSignerRequest(BaseModel):
    """Create or rotate an institution's own document signer: its kind's series (a college: its blank series) and
    its BIN (`verify.registry.signers`)."""

    model_config = _examples({"series": ["ЖКБ"], "alg": "EdDSA"})

    series: list[Annotated[str, Field(min_length=1, max_length=5)]] = Field(
        default_factory=list, max_length=64, description="series to add to its kind's")
    alg: Literal["EdDSA", "ES256"] | None = Field(default=None, description="default: EdDSA, or the token's")


class RevokeSignerRequest(BaseModel):
    """Revoke a signer from its compromise time on (records signed before it still verify)."""

    model_config = _examples({"compromised_at": "2026-08-14T00:00:00Z", "reason": "key file found on a laptop"})

    compromised_at: dt.datetime = Field(description="the earliest time the key may have been misused, with a zone")
    reason: str = Field(min_length=1, max_length=200)


class PublishRequest(BaseModel):
    """`POST /api/v1/admin/trust-list/publish`: sign a fresh publication of the trust list."""

    model_config = _examples({"ttl_days": 30})

    ttl_days: int = Field(default=30, ge=1, le=365, description="days until the publication expires")
