"""Request and response shapes of the partner's API, with the examples the OpenAPI document shows.

The partner sends the IIN in its request body and gets documents back, never the IIN. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

_AT: Final = "2026-07-01T09:00:00Z"
_NAME: Final = {"surname": "Әбдірахманова", "name": "Гүлнұр", "patronymic": "Серікқызы"}
_QR_TEXT: Final = "HTTPS://V.EDU.KZ/V/1886516172930311932827611188199957592079253693763327193766079..."


class PartnerLookupRequest(BaseModel):
    """`POST /api/v1/partner/documents`: the holder's IIN, in the body (never in a URL)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"iin": "040512600027"}]})

    iin: str = Field(min_length=12, max_length=12, pattern=r"^[0-9]{12}$",
                     description="the holder's IIN (the example's check digit is wrong on purpose: documentation "
                                 "never shows a real IIN)")


PARTNER_DOCUMENT_EXAMPLE: Final[dict[str, Any]] = {
    "series": "BD", "number": "0000042", "doc_type": "BD", "institution_bin": "040140001236", "state": "valid",
    "status": "ORIGINAL_VALID", "duplicate_no": None, "revision": 1, "signed_at": _AT, "kid": "0b616e3d385d0fea",
    "cose_base64": "0oRDoQEnoQRIC2FuPThdD+pZAQ6m...", "qr_text": _QR_TEXT,
    "record": {"doc_type": "BD", "series": "BD", "number": "0000042", "holder": _NAME,
               "institution_bin": "040140001236", "award_date": "2026-06-30", "programme": "6B06101",
               "honours": True, "revision": 1}}


class PartnerDocumentModel(BaseModel):
    """One document of the holder: the current signed record, its QR text and the registry's status now."""

    series: str
    number: str
    doc_type: str
    institution_bin: str
    state: Literal["valid", "replaced", "annulled"]
    status: str = Field(description="the registry status of the current revision: ORIGINAL_VALID, DUPLICATE_VALID, "
                                    "REPLACED or ANNULLED (verify.status.StatusCode)")
    duplicate_no: int | None
    revision: int
    signed_at: dt.datetime
    kid: str
    cose_base64: str = Field(description="the tagged COSE_Sign1 bytes (docs/FORMAT.md §4), standard base64")
    qr_text: str
    record: dict[str, Any] = Field(description="the signed record (docs/FORMAT.md §3); never an IIN")


class PartnerDocumentsModel(BaseModel):
    """The holder's documents (empty when the registry knows none); the IIN is not repeated."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"documents": [PARTNER_DOCUMENT_EXAMPLE],
                                                               "as_of": _AT}]})

    documents: list[PartnerDocumentModel]
    as_of: dt.datetime
