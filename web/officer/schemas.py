"""Request and response shapes of the officers' API, with the examples the OpenAPI document shows.

Requests refuse unknown members (`extra="forbid"`) and cap lengths. Responses never carry an IIN: a graduate is
shown by name, programme and group. Times are ISO 8601 in UTC.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from ..deps import DB_INT_MAX

_AT: Final = "2026-07-01T09:00:00Z"
_NAME: Final = {"surname": "Әбдірахманова", "name": "Гүлнұр", "patronymic": "Серікқызы"}
_QR_TEXT: Final = "HTTPS://V.EDU.KZ/V/1886516172930311932827611188199957592079253693763327193766079..."


def _examples(*values: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(values)})


class HolderNameModel(BaseModel):
    """A holder's full name exactly as printed (surname, name, patronymic if any; seed 000 appendix 1)."""

    model_config = _examples(_NAME)

    surname: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=30)
    patronymic: str | None = Field(default=None, max_length=30)


# ----------------------------------------------------------------------------- import
class RowProblemModel(BaseModel):
    """One problem of an import file: the row (1 = header, 0 = the whole file), the column, why.

    `code` is the problem's stable message id (`verify.texts`); `reason` says it in the language of the request
    (`?lang=`, the `lang` cookie, Accept-Language).
    """

    row: int
    column: str
    reason: str
    code: str | None = Field(default=None, description="the stable message id of the reason, e.g. v_id_check_digit")


IMPORT_EXAMPLE: Final[dict[str, Any]] = {
    "ok": True, "rows": 25, "holders_created": 24, "holders_updated": 0, "graduates_created": 25,
    "graduates_updated": 0, "unchanged": 0, "warnings": []}
IMPORT_REJECTED_ROWS: Final = [
    {"row": 3, "column": "iin", "reason": "check digit does not match (not a valid IIN)", "code": "v_id_check_digit"},
    {"row": 7, "column": "award_date", "reason": "2027-06-30 is in the future", "code": "v_imp_future"}]


class ImportResultModel(BaseModel):
    """`POST /api/v1/officer/imports`: what the import wrote (every row, or none)."""

    model_config = _examples(IMPORT_EXAMPLE)

    ok: Literal[True]
    rows: int = Field(description="data rows in the file")
    holders_created: int
    holders_updated: int
    graduates_created: int
    graduates_updated: int
    unchanged: int = Field(description="rows the registry held already, exactly (importing again changes nothing)")
    warnings: list[RowProblemModel]


# ----------------------------------------------------------------------------- graduates
class DocumentRefOut(BaseModel):
    """A document named by its series and number."""

    series: str
    number: str


GRADUATE_EXAMPLE: Final[dict[str, Any]] = {
    "id": 17, "holder": _NAME, "doc_type": "BD", "programme": "6B06101", "qualification": None, "honours": True,
    "award_date": "2026-06-30", "group": "ИС-22-1", "document": {"series": "BD", "number": "0000042"}}


class GraduateModel(BaseModel):
    """A graduate of the officer's institution (never the IIN)."""

    id: int
    holder: HolderNameModel
    doc_type: str
    programme: str
    qualification: str | None
    honours: bool
    award_date: dt.date
    group: str
    document: DocumentRefOut | None = Field(description="the original issued for this graduate, if any")


class GraduatesModel(BaseModel):
    """`GET /api/v1/officer/graduates`: one page of graduates, by id."""

    model_config = _examples({"graduates": [GRADUATE_EXAMPLE], "total": 1, "limit": 100, "offset": 0})

    graduates: list[GraduateModel]
    total: int
    limit: int
    offset: int


# ----------------------------------------------------------------------------- documents
class IssueRequest(BaseModel):
    """`POST /api/v1/officer/documents`: issue the original of one graduate."""

    model_config = _examples({"graduate_id": 17}, {"graduate_id": 18, "blank_series": "ЖБ", "blank_number": "0001234"})

    graduate_id: int = Field(ge=1, le=DB_INT_MAX)
    blank_series: str | None = Field(default=None, max_length=8, description="TVE: the blank series")
    blank_number: str | None = Field(default=None, max_length=7, description="TVE: the blank to print on")


class BatchRequest(BaseModel):
    """`POST /api/v1/officer/batches` (with an Idempotency-Key header): issue a whole study group."""

    model_config = _examples({"group": "ИС-22-1"}, {"group": "ПО-21", "blank_series": "ЖБ"})

    group: str = Field(min_length=1, max_length=64)
    blank_series: str | None = Field(default=None, max_length=8, description="TVE: the blank series")


DOCUMENT_EXAMPLE: Final[dict[str, Any]] = {
    "id": 42, "series": "BD", "number": "0000042", "doc_type": "BD", "state": "valid", "duplicate_no": None,
    "current_revision": 1, "issued_at": _AT, "holder": _NAME, "group": "ИС-22-1"}


class DocumentSummaryModel(BaseModel):
    """A document of the officer's institution, as listed."""

    id: int
    series: str
    number: str
    doc_type: str
    state: Literal["valid", "replaced", "annulled"]
    duplicate_no: int | None
    current_revision: int
    issued_at: dt.datetime
    holder: HolderNameModel = Field(description="as on the current revision")
    group: str


class DocumentsModel(BaseModel):
    """`GET /api/v1/officer/documents`: one page of documents, newest first."""

    model_config = _examples({"documents": [DOCUMENT_EXAMPLE], "total": 1, "limit": 100, "offset": 0})

    documents: list[DocumentSummaryModel]
    total: int
    limit: int
    offset: int


BATCH_EXAMPLE: Final[dict[str, Any]] = {
    "idempotency_key": "2026-graduation-IS-22-1", "total": 25, "issued": 25, "skipped": 0, "finished": True,
    "replayed": False, "documents": [DOCUMENT_EXAMPLE]}


class BatchModel(BaseModel):
    """What a batch issue did; the same key again changes nothing (`replayed`)."""

    model_config = _examples(BATCH_EXAMPLE)

    idempotency_key: str
    total: int = Field(description="graduates in the batch's snapshot")
    issued: int = Field(description="documents issued by this call")
    skipped: int = Field(description="graduates that had their document before this call")
    finished: bool
    replayed: bool = Field(description="the key named a finished batch: nothing was done")
    documents: list[DocumentSummaryModel] = Field(description="every document of the batch")


class RevisionModel(BaseModel):
    """One signed revision: 1 at issue, one more per correction (seed 000 appendix 38); all are kept."""

    revision: int
    signed_at: dt.datetime
    kid: str = Field(description="hex of the document signer's 8-byte kid")
    payload_sha256: str
    qr_text: str
    changed_fields: list[str]
    reason: str | None


class ChainItemModel(BaseModel):
    """A document of the same duplicate chain (the original and its duplicates, seed 000 items 21-25)."""

    series: str
    number: str
    duplicate_no: int | None
    state: str
    issued_at: dt.datetime
    duplicate_reason: str | None


class AuditEventModel(BaseModel):
    """One event of the audit log (who, what, when, why; never an IIN)."""

    seq: int
    at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_ref: str
    reason: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


AUDIT_EXAMPLE: Final[dict[str, Any]] = {
    "seq": 118, "at": _AT, "actor": "a.seitkali", "action": "document.issue", "object_type": "document",
    "object_ref": "BD 0000042", "reason": None, "before": None,
    "after": {"state": "valid", "revision": 1, "holder": "hr:3f6c2a9e81d04b77"}}
DOCUMENT_DETAIL_EXAMPLE: Final[dict[str, Any]] = {
    **DOCUMENT_EXAMPLE, "duplicate_reason": None, "stamp": {}, "replaced_at": None, "replaced_by": None,
    "replaces": None, "original": None, "annulled_at": None, "annul_basis": None,
    "revisions": [{"revision": 1, "signed_at": _AT, "kid": "0b616e3d385d0fea",
                   "payload_sha256": "9b1d5c...", "qr_text": _QR_TEXT, "changed_fields": [], "reason": None}],
    "chain": [{"series": "BD", "number": "0000042", "duplicate_no": None, "state": "valid", "issued_at": _AT,
               "duplicate_reason": None}],
    "events": [AUDIT_EXAMPLE]}


class DocumentDetailModel(DocumentSummaryModel):
    """`GET /api/v1/officer/documents/{series}/{number}`: a document with its history."""

    model_config = ConfigDict(json_schema_extra={"examples": [DOCUMENT_DETAIL_EXAMPLE]})

    duplicate_reason: str | None
    stamp: dict[str, str] = Field(description="a duplicate's stamp in kk, ru, en (seed 000, item 25); {} else")
    replaced_at: dt.datetime | None
    replaced_by: DocumentRefOut | None
    replaces: DocumentRefOut | None
    original: DocumentRefOut | None
    annulled_at: dt.datetime | None
    annul_basis: str | None
    revisions: list[RevisionModel]
    chain: list[ChainItemModel]
    events: list[AuditEventModel]


class DuplicateRequest(BaseModel):
    """Issue duplicate No. N instead of a document in force (seed 000 items 21-25; seed 003 item 9)."""

    model_config = _examples({"reason": "lost"},
                             {"reason": "name_changed", "new_name": {**_NAME, "surname": "Сейітқали"}})

    reason: Literal["lost", "damaged", "name_changed", "filling_error"]
    new_name: HolderNameModel | None = Field(default=None, description="name_changed (required) or filling_error")
    blank_series: str | None = Field(default=None, max_length=8, description="TVE: the blank series")
    blank_number: str | None = Field(default=None, max_length=7, description="TVE: the blank to print on")


class CorrectionRequest(BaseModel):
    """Correct a document's data: a new signed revision (seed 000 appendix 38; seed 001 appendix 18)."""

    model_config = _examples({"changes": {"programme": "6B06102"}, "reason": "application 2026-114: wrong code"})

    changes: dict[str, str | bool | None] = Field(
        min_length=1, max_length=7,
        description="surname, name, patronymic, award_date (YYYY-MM-DD), programme, qualification, honours")
    reason: str = Field(min_length=1, max_length=500)


class RevisionCreatedModel(RevisionModel):
    """The new revision of a correction."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "revision": 2, "signed_at": _AT, "kid": "0b616e3d385d0fea", "payload_sha256": "51e0aa...",
        "qr_text": _QR_TEXT, "changed_fields": ["programme"], "reason": "application 2026-114: wrong code"}]})


class AnnulRequest(BaseModel):
    """Annul a document in force with its basis (final; the head of the institution only)."""

    model_config = _examples({"basis": "order No. 41 of 2026-09-01", "kind": "order"})

    basis: str = Field(min_length=1, max_length=500)
    kind: Literal["order", "issued_in_error"] = Field(
        default="order", description="order: final; issued_in_error: the graduate may then get a new original")


# ----------------------------------------------------------------------------- blanks
class BlankRangeRequest(BaseModel):
    """A range of pre-numbered blanks received (seed 000, items 7 and 17): first and last number, inclusive."""

    model_config = _examples({"series": "ЖБ", "first": "0001000", "last": "0001499"})

    series: str = Field(min_length=1, max_length=8)
    first: str = Field(min_length=7, max_length=7, pattern=r"^[0-9]{7}$")
    last: str = Field(min_length=7, max_length=7, pattern=r"^[0-9]{7}$")
    kind: Literal["ordinary", "honours", "altyn_belgi"] = Field(
        default="ordinary", description="the cover (seed 000, Rules item 8): ordinary dark blue, honours red, "
                                        "altyn_belgi light blue; a diploma with honours takes a red blank")


class ReprintRequest(BaseModel):
    """A blank spoiled while printing: the document is reprinted on a new blank (issue 13 item 5)."""

    model_config = _examples({"reason": "paper jam in the printer"})

    reason: str = Field(min_length=1, max_length=500)
    blank_number: str | None = Field(default=None, min_length=7, max_length=7, pattern=r"^[0-9]{7}$",
                                     description="the new blank (default: the next free one of the document's kind)")


class BlankRangeModel(BaseModel):
    """A range recorded."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "id": 3, "series": "ЖБ", "first": "0001000", "last": "0001499", "size": 500, "received_at": _AT}]})

    id: int
    series: str
    first: str
    last: str
    size: int
    received_at: dt.datetime
    kind: str = "ordinary"


class WriteOffRequest(BaseModel):
    """Write off a spoiled blank, with the reason."""

    model_config = _examples({"series": "ЖБ", "number": "0001003", "reason": "misprinted, torn in the printer"})

    series: str = Field(min_length=1, max_length=8)
    number: str = Field(min_length=7, max_length=7, pattern=r"^[0-9]{7}$")
    reason: str = Field(min_length=1, max_length=500)


class BlankModel(BaseModel):
    """A blank taken out of stock."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "series": "ЖБ", "number": "0001003", "state": "written_off", "reason": "misprinted, torn in the printer",
        "at": _AT}]})

    series: str
    number: str
    state: str
    reason: str | None
    at: dt.datetime


class StockLineModel(BaseModel):
    """The stock of one series: received, used, written off, free, the next number."""

    series: str
    received: int
    used: int
    written_off: int
    free: int
    next_free: str | None
    kind: str = Field(default="ordinary", description="ordinary, honours or altyn_belgi (seed 000, Rules item 8)")


class StockModel(BaseModel):
    """`GET /api/v1/officer/blanks`: the institution's stock by series."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"series": [{
        "series": "ЖБ", "received": 500, "used": 120, "written_off": 3, "free": 377, "next_free": "0001123"}]}]})

    series: list[StockLineModel]


class AuditEventsModel(BaseModel):
    """`GET /api/v1/officer/audit`: the institution's events, newest first; page on with `before`."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"events": [AUDIT_EXAMPLE], "next_before": None}]})

    events: list[AuditEventModel]
    next_before: int | None = Field(description="pass as `before` for the next (older) page; null at the end")
