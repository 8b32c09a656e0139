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
    "holder_latin": {"surname": "ABDIRAKHMANOVA", "name": "GULNUR", "patronymic": "SERIKKYZY",
                     "full_name": "ABDIRAKHMANOVA GULNUR SERIKKYZY"},
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


class LatinNameModel(BaseModel):
    """The holder's name in Latin letters as Kazakhstan's passports write it (`verify.translit`: ICAO Doc 9303
    Part 3, Table B, and the Kazakh letters' plain Latin bases), for readers abroad; never used for matching."""

    surname: str
    name: str
    patronymic: str | None
    full_name: str


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
    holder_latin: LatinNameModel = Field(description="the record's holder in Latin letters (display and exports "
                                                     "only: a lookup matches the Cyrillic name)")
    log: LogProofModel | None = Field(default=None, description="its transparency log entry and proof; None: not in "
                                                                "the log (a verifier says NOT_IN_LOG)")
    appendix: PartnerAppendixModel | None = Field(default=None, description="the appendix with the grades, when the "
                                                                            "document has one")


class PartnerDocumentsModel(BaseModel):
    """The holder's documents (empty when the registry knows none); the IIN is not repeated."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"documents": [PARTNER_DOCUMENT_EXAMPLE],
                                                               "holder_ref": "hr:5d41402abc4b2a76", "as_of": _AT}]})

    documents: list[PartnerDocumentModel]
    holder_ref: str = Field(description="the holder's keyed reference (\"hr:\" + 16 hex digits): the outbox's "
                                        "events (GET /api/v1/partner/events, webhooks) name the holder by it")
    as_of: dt.datetime


# ----------------------------------------------------------------------------- the outbox feed (issue 13 item 7)
PARTNER_EVENT_EXAMPLE: Final[dict[str, Any]] = {
    "id": 1042, "event_id": "3f0c2a9e-1d7b-4c55-9a0e-5b7d2f8c6e14", "kind": "duplicate", "at": _AT,
    "institution_bin": "040140001236", "doc_type": "BD", "series": "BD", "number": "0000107", "revision": 1,
    "duplicate_no": 1, "replaces": {"series": "BD", "number": "0000042"}, "holder_ref": "hr:5d41402abc4b2a76"}


class ReplacedModel(BaseModel):
    """The document a duplicate replaced."""

    series: str
    number: str


class PartnerEventModel(BaseModel):
    """One outbox event: a document was issued, duplicated, corrected or annulled (the same object a webhook
    carries in `data`)."""

    id: int = Field(description="the cursor: events come in increasing id, with no gap")
    event_id: str = Field(description="a UUID that never changes: the same event read twice, or delivered twice by "
                                      "webhook (its webhook-id), has the same one; drop what you have seen")
    kind: Literal["issue", "duplicate", "correction", "annulment"]
    at: dt.datetime
    institution_bin: str
    doc_type: str
    series: str
    number: str
    revision: int = Field(description="the document's current revision after the change (1 for an issue or a "
                                      "duplicate); read the record with POST /api/v1/partner/documents")
    duplicate_no: int | None = Field(description="a duplicate's N; null otherwise")
    replaces: ReplacedModel | None = Field(description="the document a duplicate replaced (now void); null "
                                                       "otherwise")
    holder_ref: str = Field(description="the holder's keyed reference (\"hr:\" + 16 hex digits), never the IIN; "
                                        "the same value `holder_ref` of POST /api/v1/partner/documents gives")


class PartnerEventsModel(BaseModel):
    """A page of the feed: the events after the cursor asked for, in order."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"events": [PARTNER_EVENT_EXAMPLE], "next": 1042,
                                                               "has_more": False, "as_of": _AT}]})

    events: list[PartnerEventModel]
    next: int = Field(description="the cursor to ask with next (`after`): the last event's id, or `after` itself "
                                  "when there was none; keep it only once the page's events are stored")
    has_more: bool = Field(description="more events wait after `next`: ask again at once")
    as_of: dt.datetime
