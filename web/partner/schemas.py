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
               "honours": True, "revision": 1},
    "log": {"leaf_index": 41, "tree_size": 64,
            "leaf_hash": "9f0e6d3c2b1a09f8e7d6c5b4a3928170f6e5d4c3b2a19080f7e6d5c4b3a29181",
            "proof": ["5e2b...", "a1b2..."], "checkpoint": "v.edu.kz/log\n64\n...\n"}}


class LogProofModel(BaseModel):
    """The current revision's entry in the transparency log and its inclusion proof against the newest signed
    checkpoint (docs/TRANSPARENCY.md §7; the shape of `verify log prove --json`); hashes in lower-case hex."""

    leaf_index: int
    tree_size: int = Field(description="0 while no checkpoint covers the entry yet")
    leaf_hash: str
    proof: list[str]
    checkpoint: str | None = Field(description="the signed checkpoint note the proof leads to")


class PartnerAppendixModel(BaseModel):
    """The document's signed appendix (docs/FORMAT.md §10) and its grades as data, for admission scoring (seed 002
    items 12, 54-55, 61: the applicant's score is computed from the digital education document)."""

    cose_base64: str = Field(description="the signed appendix (COSE_Sign1), standard base64: verify it with "
                                         "`verify.appendixcheck` against the document's qr_text")
    revision: int = Field(description="1, + 1 for each correction of the appendix alone")
    duplicate_no: int | None = Field(description="N of a duplicate of the appendix alone, else null")
    signed_at: dt.datetime
    items: list[dict[str, Any]] = Field(description="the rows: kind, names (kk, ru, en), code, hours, credits, "
                                                    "grade {letter, points, percent, five_point, passed}")
    hours: int | None = Field(description="total hours of the rows that give hours")
    credits: float | None = Field(description="total credits of the rows that give credits")
    gpa: float | None = Field(description="credit-weighted grade point average, 0.00..4.00")
    five_point_average: float | None = Field(description="the average five-point grade (seed 002 item 61)")


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
    log: LogProofModel | None = Field(default=None, description="its transparency log entry and proof; None: not in "
                                                                "the log (a verifier says NOT_IN_LOG)")
    appendix: PartnerAppendixModel | None = Field(default=None, description="the appendix with the grades, when the "
                                                                            "document has one")


class PartnerDocumentsModel(BaseModel):
    """The holder's documents (empty when the registry knows none); the IIN is not repeated."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"documents": [PARTNER_DOCUMENT_EXAMPLE],
                                                               "as_of": _AT}]})

    documents: list[PartnerDocumentModel]
    as_of: dt.datetime
