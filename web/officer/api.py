"""The officers' API, part 1: import graduates, list them, issue documents singly and by study group.

| route                                   | scope          | does                                                  |
|-----------------------------------------|----------------|-------------------------------------------------------|
| POST /api/v1/officer/imports            | officer:write  | multipart `file` (CSV or XLSX) -> the row report;      |
|                                         |                | all or nothing (422 import-rejected lists every error) |
| GET /api/v1/officer/graduates           | officer:read   | the institution's graduates (never the IIN)            |
| POST /api/v1/officer/documents          | officer:write  | issue the original of one graduate (201)               |
| POST /api/v1/officer/batches            | officer:write  | issue a study group; `Idempotency-Key` header required |

The institution is always the signed-in officer's (seed 001 item 7); a graduate of another institution is answered
404. The officer's role still applies: a viewer holds no `officer:write`. Every write is one or more transactions of
the registry's services (`verify.registry.imports.load`, `verify.registry.documents`), each with its audit event; on
any refusal nothing is written (a batch keeps the documents issued before the refusal, and the same key continues
after them: the IETF Idempotency-Key draft's retry semantics).

Batch keys are kept per institution: the key stored is `<BIN>:<Idempotency-Key>` (as the command line's default
`<BIN>:<group>:<uuid>`), so two institutions can never collide on a key.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, File, Header, Query, UploadFile
from sqlmodel import col

from verify.registry.accounts import Identity
from verify.registry.documents import issue_document, issue_group
from verify.registry.imports.load import import_graduates
from verify.registry.imports.parse import MAX_FILE_BYTES, parse_graduates
from verify.registry.models import Document

from ..auth.api import CSRF_FAILED, FORBIDDEN, INVALID, TOO_LARGE, UNAUTHORIZED, principal
from ..problems.handlers import ProblemError
from ..public.schemas import DB_INT_MAX, problem_responses
from ..runtime.backoffice import BackOfficeDep
from ..runtime.services import utcnow
from .queries import (
    MAX_PAGE,
    document_detail,
    document_summaries,
    graduate_models,
    institution_of,
    officer_of,
    own_graduate,
    registry_errors,
)
from .schemas import (
    BATCH_EXAMPLE,
    DOCUMENT_DETAIL_EXAMPLE,
    IMPORT_EXAMPLE,
    IMPORT_REJECTED_ROWS,
    BatchModel,
    BatchRequest,
    DocumentDetailModel,
    GraduatesModel,
    ImportResultModel,
    IssueRequest,
    RowProblemModel,
)

UPLOAD_PATHS: Final = ("/api/v1/officer/imports",)
"""Paths whose body cap is the upload cap (`web.guards.BodySizeLimit`)."""
MAX_IDEMPOTENCY_KEY_CHARS: Final = 100

OfficerReader = Annotated[Identity, principal("officer:read")]
OfficerWriter = Annotated[Identity, principal("officer:write")]

router = APIRouter(prefix="/api/v1/officer", tags=["officer"])


def _import_responses() -> dict[int | str, dict[str, Any]]:
    responses = problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, TOO_LARGE, INVALID,
                                  ("import-rejected", "2 error(s) in the file; nothing was imported"))
    example = responses[422]["content"]["application/problem+json"]["examples"]["import-rejected"]["value"]
    example.update(rows=IMPORT_REJECTED_ROWS, warnings=[])
    return {200: {"description": "Every row is in the registry (imported now, or held already)",
                  "content": {"application/json": {"example": IMPORT_EXAMPLE}}}, **responses}


@router.post(
    "/imports", summary="Import graduates from a CSV or XLSX file (all or nothing)", response_model=ImportResultModel,
    responses=_import_responses(),
    openapi_extra={"requestBody": {"content": {"multipart/form-data": {
        "encoding": {"file": {"contentType": "text/csv, application/vnd.openxmlformats-officedocument."
                                             "spreadsheetml.sheet"}},
        "example": {"file": "iin,surname,name,patronymic,birth_date,doc_type,programme,qualification,honours,"
                            "award_date,group\n...,Әбдірахманова,Гүлнұр,Серікқызы,2004-05-12,BD,6B06101,,yes,"
                            "2026-06-30,ИС-22-1"}}}}},
)
def import_file(file: Annotated[UploadFile, File(description="the National Education Database export: CSV (UTF-8, "
                                                             "comma or semicolon) or XLSX; docs/IMPORT.md")],
                identity: OfficerWriter, office: BackOfficeDep) -> ImportResultModel:
    """Check every row of the file and import the graduates of your institution, or nothing at all.

    With any error the answer is 422 `import-rejected`, whose `rows` member lists every error by row and column
    (e.g. `{"row": 3, "column": "iin", "reason": "check digit does not match (not a valid IIN)"}`), so that the
    whole file can be fixed at once. Importing the same file again changes nothing.
    """
    officer = officer_of(identity)
    data = file.file.read(MAX_FILE_BYTES + 1)
    at = utcnow()
    report = parse_graduates(data, filename=file.filename or "upload.csv", today=at.date())
    with office.sessions() as session, registry_errors():
        institution = institution_of(session, officer)
        result = import_graduates(session=session, report=report, institution=institution, officer=officer, at=at)
    warnings = [RowProblemModel(row=w.row, column=w.column, reason=w.reason) for w in result.warnings]
    if not result.ok:
        rows = [RowProblemModel(row=e.row, column=e.column, reason=e.reason).model_dump() for e in result.errors]
        raise ProblemError("import-rejected", f"{len(rows)} error(s) in the file; nothing was imported",
                           extensions={"rows": rows, "warnings": [w.model_dump() for w in warnings]})
    return ImportResultModel(ok=True, rows=result.rows, holders_created=result.holders_created,
                             holders_updated=result.holders_updated, graduates_created=result.graduates_created,
                             graduates_updated=result.graduates_updated, unchanged=result.unchanged,
                             warnings=warnings)


@router.get(
    "/graduates", summary="Graduates of your institution", response_model=GraduatesModel,
    responses={200: {"description": "One page of graduates, by id"}, **problem_responses(UNAUTHORIZED, FORBIDDEN)},
)
def list_graduates(identity: OfficerReader, office: BackOfficeDep,
                   group: Annotated[str | None, Query(max_length=64, description="only this study group")] = None,
                   limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
                   offset: Annotated[int, Query(ge=0, le=DB_INT_MAX)] = 0) -> GraduatesModel:
    """The graduates imported by your institution, with the latest document issued for each (never an IIN)."""
    officer = officer_of(identity)
    with office.readers() as session:
        graduates, total = graduate_models(session, institution_id=officer.institution_id, group=group, limit=limit,
                                           offset=offset)
        session.commit()
    return GraduatesModel(graduates=graduates, total=total, limit=limit, offset=offset)


@router.post(
    "/documents", summary="Issue the original document of one graduate", status_code=201,
    response_model=DocumentDetailModel,
    responses={201: {"description": "Issued: numbered, signed and stored (revision 1)",
                     "content": {"application/json": {"example": DOCUMENT_DETAIL_EXAMPLE}}},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID,
                                   ("not-found", "no such graduate in your institution's registry"),
                                   ("conflict", "graduate #17 has document BD 0000042 already"),
                                   ("blank-stock", "no free blanks in this institution's stock"),
                                   ("invalid-data", "the signed record is 310 bytes and needs QR version 13"),
                                   ("unavailable", "the active signer is not in the trust list"))},
)
def issue_one(body: IssueRequest, identity: OfficerWriter, office: BackOfficeDep) -> DocumentDetailModel:
    """Number (the series' counter, seed 001 item 7, or the next blank, seed 000 item 17), sign and store it."""
    officer = officer_of(identity)
    with office.sessions() as session, registry_errors():
        own_graduate(session, officer, body.graduate_id)
        session.commit()
        document = issue_document(session=session, officer=officer, graduate_id=body.graduate_id,
                                  signer=office.signer(), base_url=office.base_url, at=utcnow(),
                                  blank_series=body.blank_series, blank_number=body.blank_number)
        detail = document_detail(session, document)
        session.commit()
    return detail


def _idempotency_key(value: str | None) -> str:
    if value is None or not value.strip():
        raise ProblemError("bad-request", "a batch needs an Idempotency-Key header (retry with the same key)")
    key = value.strip()
    if len(key) > MAX_IDEMPOTENCY_KEY_CHARS or not key.isascii() or not key.isprintable():
        raise ProblemError("bad-request", f"Idempotency-Key: 1-{MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII "
                                          "characters")
    return key


@router.post(
    "/batches", summary="Issue the documents of a study group (idempotent)", response_model=BatchModel,
    responses={200: {"description": "The batch is finished: every graduate of its snapshot has a document",
                     "content": {"application/json": {"example": BATCH_EXAMPLE}}},
               **problem_responses(("bad-request", "a batch needs an Idempotency-Key header (retry with the same "
                                                   "key)"),
                                   UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID,
                                   ("not-found", "no graduates in group 'ИС-22-1' of this institution"),
                                   ("conflict", "idempotency key 'k1' names another batch: use a new key"),
                                   ("blank-stock", "no free blanks in this institution's stock"),
                                   ("unavailable", "the active signer is not in the trust list"))},
)
def issue_batch(body: BatchRequest, identity: OfficerWriter, office: BackOfficeDep,
                idempotency_key: Annotated[str | None, Header(
                    alias="Idempotency-Key", description="names this batch; send the same key to retry after a "
                                                         "failure (1-100 printable ASCII characters)")] = None,
                ) -> BatchModel:
    """Issue every graduate of the group that has no document yet, exactly once per key.

    The first call records a snapshot of the group; each document is its own transaction. After a failure (a
    blank run out, a lost connection) the same key issues only what is missing; after success it changes nothing
    and answers `replayed: true`.
    """
    key = _idempotency_key(idempotency_key)
    officer = officer_of(identity)
    with office.sessions() as session, registry_errors():
        institution = institution_of(session, officer)
        session.commit()
        result = issue_group(session=session, officer=officer, group=body.group,
                             idempotency_key=f"{institution.bin}:{key}", signer=office.signer(),
                             base_url=office.base_url, at=utcnow(), blank_series=body.blank_series)
        documents, _ = document_summaries(session, institution_id=officer.institution_id,
                                          where=[col(Document.batch_id) == result.batch_id], limit=100_000,
                                          newest_first=False)
        session.commit()
    return BatchModel(idempotency_key=key, total=result.total, issued=result.issued, skipped=result.skipped,
                      finished=result.finished, replayed=result.replayed, documents=documents)
