"""Making credential offers: an officer for a document of the institution, the partner for a holder's document.

The answer holds the Credential Offer (OID4VCI 1.0 §4.1.1) by value and as an `openid-credential-offer://` link
(for a QR code on the registrar's screen, or a deep link in the eGov Mobile app), and the transaction code, shown
this once: the registrar tells it to the graduate, or the app shows it to its signed-in holder; a wallet needs
both (the code alone redeems nothing). The partner names the holder by IIN in the body, never in a URL, and the
document by series and number; a document of another holder is the same 404 as an unknown one.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from pydantic import BaseModel, ConfigDict, Field

from verify import oid4vci
from verify.errors import NotFoundError
from verify.identifiers import normalize_series, validate_iin, validate_number
from verify.registry.credentialoffers import TX_CODE_DIGITS, NewOffer, make_offer
from verify.registry.partner import holder_documents
from verify.registry.queries import own_document
from verify.texts import text

from ..deps import BackOfficeDep, OfficerWriter, PartnerReader, require_json, utcnow
from ..problems.errors import ProblemRoute
from ..problems.openapi import CSRF_FAILED, FORBIDDEN, INVALID, JSON_ONLY, UNAUTHORIZED, problem_responses

router = APIRouter(tags=["wallet"], route_class=ProblemRoute)


_OFFER: dict[str, Any] = {
    "credential_issuer": "https://v.edu.kz", "credential_configuration_ids": [oid4vci.DIPLOMA_CONFIGURATION],
    "grants": {oid4vci.PRE_AUTHORIZED_GRANT: {
        "pre-authorized_code": "Zr4q6VbJ1Xo3cNn0yQ2uS8tW5aE7dF9gH1iK3lM5oP7",
        "tx_code": {"input_mode": "numeric", "length": TX_CODE_DIGITS,
                    "description": "The code the registrar or the eGov Mobile app gave you"}}}}


class CredentialOfferModel(BaseModel):
    """An offer as made: give `offer_link` (or `credential_offer`) and `tx_code` to the holder's wallet."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "series": "BD", "number": "0012345", "revision": 1, "credential_offer": _OFFER,
        "offer_link": oid4vci.offer_link(_OFFER), "tx_code": "284913", "expires_at": "2026-12-08T09:00:00Z"}]})

    series: str
    number: str
    revision: int
    credential_offer: dict[str, Any] = Field(description="the Credential Offer object (OID4VCI 1.0 §4.1.1)")
    offer_link: str = Field(description="openid-credential-offer://?credential_offer=... (for a QR code)")
    tx_code: str = Field(description=f"the {TX_CODE_DIGITS}-digit transaction code, shown only now")
    expires_at: dt.datetime


class PartnerOfferRequest(BaseModel):
    """`POST /api/v1/partner/credential-offers`: the holder's IIN and the document, in the body."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"iin": "040512600027", "series": "BD", "number": "0012345"}]})

    iin: str = Field(min_length=12, max_length=12, pattern=r"^[0-9]{12}$")
    series: str = Field(min_length=1, max_length=8)
    number: str = Field(min_length=7, max_length=7, pattern=r"^[0-9]{7}$")


def _answer(office: BackOfficeDep, offer: NewOffer) -> CredentialOfferModel:
    body = oid4vci.credential_offer(office.base_url, offer.code, tx_code_length=TX_CODE_DIGITS)
    return CredentialOfferModel(series=offer.series, number=offer.number, revision=offer.revision,
                                credential_offer=body, offer_link=oid4vci.offer_link(body), tx_code=offer.tx_code,
                                expires_at=offer.expires_at)


_OFFER_RESPONSES: dict[int | str, dict[str, Any]] = {
    201: {"description": "The offer: its link and the transaction code (shown once)"},
    **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID,
                        ("not-found", "no such document in your institution's registry"),
                        ("document-state", "BD 0000042 is not in force: no credential is offered or issued for it")),
}


@router.post("/api/v1/officer/documents/{series}/{number}/credential-offer", status_code=201,
             summary="Offer the document's credential to the graduate's wallet (OID4VCI pre-authorized code)",
             operation_id="offerCredential", response_model=CredentialOfferModel, responses=_OFFER_RESPONSES)
def officer_offer(series: Annotated[str, Path(max_length=8)], number: Annotated[str, Path(max_length=7)],
                  identity: OfficerWriter, office: BackOfficeDep) -> CredentialOfferModel:
    """An offer of the current revision's credential, valid 24 hours; a document outside the institution's care is
    404 (`verify.registry.queries.own_document`)."""
    officer = identity.officer
    assert officer is not None
    with office.sessions() as session:
        # the institution's own document, or one its archive keeps (seed 000 item 23); else the same 404
        document = own_document(session=session, institution_id=officer.institution_id, series=series,
                                number=number)
        assert document.id is not None
        offer = make_offer(session=session, document_id=document.id, actor=f"officer:{officer.username}",
                           at=utcnow())
    return _answer(office, offer)


@router.post("/api/v1/partner/credential-offers", status_code=201, dependencies=[Depends(require_json)],
             summary="Offer a holder's document credential to the holder's wallet (IIN in the body)",
             operation_id="offerHolderCredential", response_model=CredentialOfferModel,
             responses={**_OFFER_RESPONSES, **problem_responses(JSON_ONLY)})
def partner_offer(body: PartnerOfferRequest, identity: PartnerReader, office: BackOfficeDep) -> CredentialOfferModel:
    """An offer for one of the holder's documents (the "digital documents" app, seed 000 items 59-60)."""
    iin = validate_iin(body.iin)
    series, number = normalize_series(body.series), validate_number(body.number)
    at = utcnow()
    with office.sessions() as session:
        mine = [item.document for item in holder_documents(session=session, iin=iin, actor=identity.actor, at=at)
                if (item.document.series, item.document.number) == (series, number)]
        if not mine:
            raise NotFoundError(text("v_doc_not_found", series=series, number=number))
        assert mine[0].id is not None
        offer = make_offer(session=session, document_id=mine[0].id, actor=identity.actor, at=at)
    return _answer(office, offer)
