"""The officers' API: import, graduates, issue, batches, documents and their codes, print sheets, duplicates,
corrections, annulments, blank stock, audit.

| route                                                        | scope         | does                               |
|--------------------------------------------------------------|---------------|------------------------------------|
| POST /api/v1/officer/imports                                 | officer:write | CSV or XLSX -> the row report; all |
|                                                              |               | or nothing (422 import-rejected)   |
| GET /api/v1/officer/graduates                                | officer:read  | the institution's graduates        |
| POST /api/v1/officer/documents                               | officer:write | issue one graduate's original      |
| POST /api/v1/officer/batches                                 | officer:write | issue a group (Idempotency-Key)    |
| GET /api/v1/officer/documents                                | officer:read  | the institution's documents        |
| GET /api/v1/officer/documents/{series}/{number}              | officer:read  | one, with revisions, chain, events |
| GET /api/v1/officer/documents/{series}/{number}/qr.svg       | officer:read  | its QR code, SVG, 30 mm            |
| GET /api/v1/officer/documents/{series}/{number}/qr.png       | officer:read  | PNG, >= 600 dpi with pHYs          |
| GET /api/v1/officer/documents/{series}/{number}/qr.pdf       | officer:read  | PDF page 30 mm wide                |
| GET /api/v1/officer/documents/{series}/{number}/appendix.pdf | officer:read  | the appendix (grades), A4 kk/ru    |
| GET /api/v1/officer/sheets?group=G or ?batch=KEY             | officer:read  | A4 print sheets, every code 30 mm  |
| POST /api/v1/officer/documents/{series}/{number}/duplicates  | officer:write | apply for duplicate No. N (202)    |
| POST /api/v1/officer/documents/{series}/{number}/corrections | officer:write | apply for a correction (202)       |
| POST /api/v1/officer/documents/{series}/{number}/annulment   | officer:write | apply for an annulment (202)       |
| GET /api/v1/officer/blanks                                   | officer:read  | the stock by series                |
| POST /api/v1/officer/blanks/ranges                           | officer:write | a range of blanks received (201)   |
| POST /api/v1/officer/blanks/write-offs                       | officer:write | write off a spoiled blank (201)    |
| POST /api/v1/officer/documents/{series}/{number}/reprint     | officer:write | blank spoiled while printing: the  |
|                                                              |               | document on a new blank (201)      |
| GET /api/v1/officer/audit                                    | officer:read  | the institution's audit events     |

Every route is thin: it reads the request, calls the officer service (`web.officer.service`, the same the console
uses) with the signed-in principal, and answers its data; a `verify` error the service raises is answered as its
problem (`web.problems.errors.ProblemRoute`). The institution is always the officer's (seed 001 item 7); an object
of another institution is answered 404 like a missing one. The officer's role still applies: a viewer holds no
`officer:write`.

Duplicates, corrections and annulments are applications (cases, `web.officer.cases_api`): the three document
routes register the application received today in person, review it and propose to grant it in one step (202 with
the application, state `awaiting_approval`); it takes effect only when a head of the institution, never the same
account, approves it (seed 000 item 24).

Batch keys are kept per institution: the key stored is `<BIN>:<Idempotency-Key>` (as the command line's default
`<BIN>:<group>:<uuid>`), so two institutions can never collide on a key; the same key again issues only what is
missing (the IETF Idempotency-Key draft's retry semantics).

Every QR code is exactly 30 x 30 mm with its quiet zone (seed 000, Rules item 19), drawn from the stored signed
revision (the current one, or `?revision=N`): the registry never signs again to print again.

Sources: duplicates seed 000 items 21-25 and seed 003 item 9; corrections seed 000 appendix 38 and seed 001
appendix 18; blanks seed 000 items 7, 10, 17-18; print size seed 000 item 19.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, File, Header, Path, Query, Request, UploadFile
from fastapi.responses import Response

from verify.registry.imports.parse import MAX_FILE_BYTES, RowError
from verify.registry.models import DocumentState
from verify.registry.queries import NOT_IN_YOUR_REGISTRY, DocumentFilter
from verify.texts import Text

from ..deps import DB_INT_MAX, BackOfficeDep, OfficerReader, OfficerWriter, utcnow
from ..problems.errors import ProblemRoute
from ..problems.handlers import ProblemError
from ..problems.openapi import CSRF_FAILED, FORBIDDEN, INVALID, TOO_LARGE, UNAUTHORIZED, problem_responses
from ..ui.i18n import Translator
from ..ui.render import request_language
from . import cases_service, service
from .cases_schemas import APPLICATION_EXAMPLE, ApplicationModel
from .queries import MAX_PAGE
from .schemas import (
    BATCH_EXAMPLE,
    DOCUMENT_DETAIL_EXAMPLE,
    IMPORT_EXAMPLE,
    IMPORT_REJECTED_ROWS,
    AnnulRequest,
    AuditEventsModel,
    BatchModel,
    BatchRequest,
    BlankModel,
    BlankRangeModel,
    BlankRangeRequest,
    CorrectionRequest,
    DocumentDetailModel,
    DocumentsModel,
    DuplicateRequest,
    GraduatesModel,
    ImportResultModel,
    IssueRequest,
    ReprintRequest,
    RowProblemModel,
    StockModel,
    WriteOffRequest,
)

UPLOAD_PATHS: Final = ("/api/v1/officer/imports",)
"""Paths whose body cap is the upload cap (`web.http.guards.BodySizeLimit`)."""
_NOT_FOUND: Final = ("not-found", NOT_IN_YOUR_REGISTRY)
_NO_SIGNER: Final = ("signer-scope", "No active document signer may sign series BD for institution 040140001236: "
                                      "the administrator must create the institution's signer. Nothing was signed "
                                      "or stored.")
_STATE: Final = ("document-state", "document BD 0000042 was replaced by duplicate No. 1 BD 0000043 and is void")

Series = Annotated[str, Path(max_length=8, description="the series as printed, e.g. BD or ЖБ")]
Number = Annotated[str, Path(max_length=7, description="seven digits, leading zeros included")]
RevisionQuery = Annotated[int | None, Query(ge=1, le=999, description="a revision (default: the current one)")]

router = APIRouter(prefix="/api/v1/officer", tags=["officer"], route_class=ProblemRoute)


# ----------------------------------------------------------------------------- graduates and issue
def _import_responses() -> dict[int | str, dict[str, Any]]:
    responses = problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, TOO_LARGE, INVALID,
                                  ("import-rejected", "2 error(s) in the file; nothing was imported"))
    example = responses[422]["content"]["application/problem+json"]["examples"]["import-rejected"]["value"]
    example.update(rows=IMPORT_REJECTED_ROWS, warnings=[])
    return {200: {"description": "Every row is in the registry (imported now, or held already)",
                  "content": {"application/json": {"example": IMPORT_EXAMPLE}}}, **responses}


@router.post(
    "/imports", summary="Import graduates from a CSV or XLSX file (all or nothing)", response_model=ImportResultModel,
    operation_id="importGraduates",
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
                identity: OfficerWriter, office: BackOfficeDep, request: Request,
                appendix: Annotated[UploadFile | None, File(description="the appendix rows (grades) as a second "
                                                                     "CSV; an XLSX's sheet 'appendix' is read "
                                                                     "without it (docs/IMPORT.md)")] = None,
                ) -> ImportResultModel:
    """Check every row of the file and import the graduates of your institution, or nothing at all.

    With any error the answer is 422 `import-rejected`, whose `rows` member lists every error by row and column
    (e.g. `{"row": 3, "column": "iin", "reason": "check digit does not match (not a valid IIN)", "code":
    "v_id_check_digit"}`: `reason` in the request's language, `code` stable), so that the whole file can be fixed at
    once. Importing the same file again changes nothing.
    """
    second = None if appendix is None else (appendix.file.read(MAX_FILE_BYTES + 1),
                                            appendix.filename or "appendix.csv")
    result = service.import_file(office, identity, data=file.file.read(MAX_FILE_BYTES + 1),
                                 filename=file.filename or "upload.csv", at=utcnow(), appendix=second)
    t = Translator(request_language(request)[0])
    warnings = [_row_problem(t, w) for w in result.warnings]
    if not result.ok:
        rows = [_row_problem(t, e).model_dump() for e in result.errors]
        raise ProblemError("import-rejected", f"{len(rows)} error(s) in the file; nothing was imported",
                           text=Text("c_p_import_rejected", {"count": len(rows)}),
                           extensions={"rows": rows, "warnings": [w.model_dump() for w in warnings]})
    return ImportResultModel(ok=True, rows=result.rows, holders_created=result.holders_created,
                             holders_updated=result.holders_updated, graduates_created=result.graduates_created,
                             graduates_updated=result.graduates_updated, unchanged=result.unchanged,
                             warnings=warnings)



def _row_problem(t: Translator, problem: RowError) -> RowProblemModel:
    """An import problem for the API: its reason in the request's language, its stable message id as `code`."""
    return RowProblemModel(row=problem.row, column=problem.column, code=problem.text.key if problem.text else None,
                           reason=t.text(problem.text) if problem.text else problem.reason)

@router.get(
    "/graduates", summary="Graduates of your institution", response_model=GraduatesModel,
    operation_id="listGraduates",
    responses={200: {"description": "One page of graduates, by id"}, **problem_responses(UNAUTHORIZED, FORBIDDEN)},
)
def list_graduates(identity: OfficerReader, office: BackOfficeDep,
                   group: Annotated[str | None, Query(max_length=64, description="only this study group")] = None,
                   limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
                   offset: Annotated[int, Query(ge=0, le=DB_INT_MAX)] = 0) -> GraduatesModel:
    """The graduates imported by your institution, with the latest document issued for each (never an IIN)."""
    return service.list_graduates(office, identity, group=group, limit=limit, offset=offset)


@router.post(
    "/documents", summary="Issue the original document of one graduate", status_code=201,
    operation_id="issueDocument",
    response_model=DocumentDetailModel,
    responses={201: {"description": "Issued: numbered, signed and stored (revision 1)",
                     "content": {"application/json": {"example": DOCUMENT_DETAIL_EXAMPLE}}},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID,
                                   ("not-found", "no such graduate in your institution's registry"),
                                   ("conflict", "graduate #17 has document BD 0000042 already"),
                                   ("blank-stock", "no free blanks in this institution's stock"), _NO_SIGNER,
                                   ("invalid-data", "the signed record is 310 bytes and needs QR version 13"),
                                   ("unavailable", "the active signer is not in the trust list"))},
)
def issue_one(body: IssueRequest, identity: OfficerWriter, office: BackOfficeDep) -> DocumentDetailModel:
    """Number (the series' counter, seed 001 item 7, or the next blank, seed 000 item 17), sign and store it."""
    return service.issue_original(office, identity, graduate_id=body.graduate_id, blank_series=body.blank_series,
                                  blank_number=body.blank_number, at=utcnow())


def _idempotency_key(value: str | None) -> str:
    if value is None or not value.strip():
        raise ProblemError("bad-request", "a batch needs an Idempotency-Key header (retry with the same key)",
                           text=Text("e_idempotency_needed"))
    key = value.strip()
    if len(key) > service.MAX_IDEMPOTENCY_KEY_CHARS or not key.isascii() or not key.isprintable():
        raise ProblemError("bad-request", f"Idempotency-Key: 1-{service.MAX_IDEMPOTENCY_KEY_CHARS} printable ASCII "
                                          "characters", text=Text("e_idempotency_chars", {
                                              "limit": service.MAX_IDEMPOTENCY_KEY_CHARS}, "Idempotency-Key"))
    return key


@router.post(
    "/batches", summary="Issue the documents of a study group (idempotent)", response_model=BatchModel,
    operation_id="issueBatch",
    responses={200: {"description": "The batch is finished: every graduate of its snapshot has a document",
                     "content": {"application/json": {"example": BATCH_EXAMPLE}}},
               **problem_responses(("bad-request", "a batch needs an Idempotency-Key header (retry with the same "
                                                   "key)"),
                                   UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID,
                                   ("not-found", "no graduates in group 'ИС-22-1' of this institution"),
                                   ("conflict", "idempotency key 'k1' names another batch: use a new key"),
                                   ("blank-stock", "no free blanks in this institution's stock"), _NO_SIGNER,
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
    return service.issue_batch(office, identity, group=body.group, key=key, blank_series=body.blank_series,
                               at=utcnow())


# ----------------------------------------------------------------------------- documents and their codes


@router.get(
    "/documents", summary="Documents of your institution", response_model=DocumentsModel,
    operation_id="listDocuments",
    responses={200: {"description": "One page of documents, newest first"},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, INVALID)},
)
def list_documents(identity: OfficerReader, office: BackOfficeDep,
                   group: Annotated[str | None, Query(max_length=64, description="only this study group")] = None,
                   state: Annotated[DocumentState | None, Query(description="valid, replaced or annulled")] = None,
                   series: Annotated[str | None, Query(max_length=8)] = None,
                   limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
                   offset: Annotated[int, Query(ge=0, le=DB_INT_MAX)] = 0) -> DocumentsModel:
    """Your institution's documents with the holder's name as printed on the current revision."""
    return service.list_documents(office, identity, where=DocumentFilter(group=group, state=state, series=series),
                                  limit=limit, offset=offset)


@router.get(
    "/documents/{series}/{number}", summary="A document with its history", response_model=DocumentDetailModel,
    operation_id="getDocument",
    responses={200: {"description": "The document, its revisions, its duplicate chain and its audit events"},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, _NOT_FOUND)},
)
def get_document_detail(series: Series, number: Number, identity: OfficerReader,
                        office: BackOfficeDep) -> DocumentDetailModel:
    """Every revision (what changed, when, why), the original and its duplicates, and the audit events."""
    return service.document_detail(office, identity, series=series, number=number)


def _code(office: BackOfficeDep, identity: OfficerReader, series: str, number: str, revision: int | None,
          kind: str) -> Response:
    image = service.code_image(office, identity, series=series, number=number, revision=revision, kind=kind)
    return Response(image.body, media_type=image.media_type,
                    headers={"Content-Disposition": f'inline; filename="{image.filename}"'})


_QR_PROBLEMS: Final = problem_responses(UNAUTHORIZED, FORBIDDEN, _NOT_FOUND, INVALID)


@router.get(
    "/documents/{series}/{number}/qr.svg", summary="The QR code as SVG (30 mm)", response_class=Response,
    operation_id="getQrSvg",
    responses={200: {"description": "SVG, width and height 30mm",
                     "content": {"image/svg+xml": {"example": '<svg xmlns="http://www.w3.org/2000/svg" '
                                                              'width="30mm" height="30mm" ...'}}},
               **_QR_PROBLEMS},
)
def qr_svg(series: Series, number: Number, identity: OfficerReader, office: BackOfficeDep,
           revision: RevisionQuery = None) -> Response:
    """The stored revision's QR code as a 30 x 30 mm SVG (quiet zone included)."""
    return _code(office, identity, series, number, revision, "svg")


@router.get(
    "/documents/{series}/{number}/qr.png", summary="The QR code as PNG (30 mm at 600 dpi or more)",
    operation_id="getQrPng",
    response_class=Response,
    responses={200: {"description": "PNG with a pHYs chunk giving its physical size, 30 mm",
                     "content": {"image/png": {"example": "(binary PNG)"}}}, **_QR_PROBLEMS},
)
def qr_png(series: Series, number: Number, identity: OfficerReader, office: BackOfficeDep,
           revision: RevisionQuery = None) -> Response:
    """The stored revision's QR code as a PNG of at least 600 dpi whose pHYs says 30 mm."""
    return _code(office, identity, series, number, revision, "png")


@router.get(
    "/documents/{series}/{number}/qr.pdf", summary="The QR code as PDF (30 mm)", response_class=Response,
    operation_id="getQrPdf",
    responses={200: {"description": "A PDF page 30 mm wide with the code and its caption",
                     "content": {"application/pdf": {"example": "(binary PDF)"}}}, **_QR_PROBLEMS},
)
def qr_pdf(series: Series, number: Number, identity: OfficerReader, office: BackOfficeDep,
           revision: RevisionQuery = None) -> Response:
    """The stored revision's QR code as vector PDF, exactly 30 mm, captioned with series and number."""
    return _code(office, identity, series, number, revision, "pdf")


@router.get(
    "/documents/{series}/{number}/appendix.pdf", summary="The appendix (grades) printed, A4 in Kazakh and Russian",
    response_class=Response, operation_id="getAppendixPdf",
    responses={200: {"description": "The current signed appendix's table, to print with the diploma",
                     "content": {"application/pdf": {"example": "(binary PDF)"}}},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, ("not-found", "BD 0000042 has no appendix in the "
                                                                          "registry"))},
)
def appendix_pdf(series: Series, number: Number, identity: OfficerReader, office: BackOfficeDep) -> Response:
    """Seed 000, Rules items 10-14: the appendix printed like the blank, Kazakh and Russian; from the signed bytes."""
    printed = service.appendix_pdf(office, identity, series=series, number=number)
    return Response(printed.body, media_type=printed.media_type,
                    headers={"Content-Disposition": service.content_disposition("inline", printed.filename)})


@router.get(
    "/sheets", summary="A4 print sheets of a group's or a batch's QR codes", response_class=Response,
    operation_id="printSheet",
    responses={200: {"description": "PDF: A4 pages of 30 codes, each exactly 30 x 30 mm, with captions and cut "
                                    "lines; print at 100 %", "content": {"application/pdf": {"example": "(PDF)"}}},
               **problem_responses(UNAUTHORIZED, FORBIDDEN,
                                   ("not-found", "no documents in force in this group or batch"),
                                   ("invalid-data", "give exactly one of group and batch"), INVALID)},
)
def print_sheet(request: Request, identity: OfficerReader, office: BackOfficeDep,
                group: Annotated[str | None, Query(max_length=64, description="a study group")] = None,
                batch: Annotated[str | None, Query(max_length=100, description="a batch's Idempotency-Key")] = None,
                ) -> Response:
    """The documents in force of a study group or a batch, ordered by number, as A4 sheets to print and cut; headed
    in the language of Accept-Language (Kazakh by default) and named by series, number range and group."""
    printed = service.print_sheet(office, identity, group=group, batch=batch, lang=request_language(request)[0])
    return Response(printed.body, media_type="application/pdf",
                    headers={"Content-Disposition": service.content_disposition("inline", printed.filename)})


# ----------------------------------------------------------------------------- duplicates, corrections, annulment


_PROPOSED: Final[dict[int | str, dict[str, Any]]] = {
    202: {"description": "Registered and proposed: the application awaits a head's approval (another account); "
                         "nothing has changed yet",
          "content": {"application/json": {"example": APPLICATION_EXAMPLE}}}}
_OPEN: Final = ("conflict", "document BD 0000042 has an open application 040140001236-2026-000017 already")


@router.post(
    "/documents/{series}/{number}/duplicates", summary="Apply for duplicate No. N instead of a document",
    operation_id="issueDuplicate",
    status_code=202, response_model=ApplicationModel,
    responses={**_PROPOSED,
               **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID, _NOT_FOUND, _STATE, _OPEN,
                                   ("invalid-data", "new name: a duplicate issued because the name changed carries "
                                                    "the new name"))},
)
def make_duplicate(series: Series, number: Number, body: DuplicateRequest, identity: OfficerWriter,
                   office: BackOfficeDep) -> ApplicationModel:
    """Seed 000 items 21-25: lost, damaged, name changed (with the new name), or a filling error (seed 003 item 9).

    Registers the application (received today, in person), reviews it and proposes to grant it, in one step: the
    duplicate is issued only when a head of the institution, another account, approves the application
    (`POST /api/v1/officer/applications/{number}/approve`, seed 000 item 24). It then gets its own number and the
    stamp "Түпнұсқаның орнына берілген № N телнұсқа", and the document it replaces becomes *replaced*.
    """
    changes = None
    if body.new_name is not None:
        changes = {"surname": body.new_name.surname.strip(), "name": body.new_name.name.strip(),
                   "patronymic": (body.new_name.patronymic or "").strip() or None}
    return cases_service.register_and_propose(office, identity, kind="duplicate", series=series, number=number,
                                              reason=body.reason, changes=changes, at=utcnow())


@router.post(
    "/documents/{series}/{number}/corrections", summary="Apply to correct a document's data",
    operation_id="correctDocument",
    status_code=202, response_model=ApplicationModel,
    responses={**_PROPOSED,
               **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID, _NOT_FOUND, _STATE, _OPEN,
                                   ("invalid-data", "changes: nothing differs from revision 1"))},
)
def make_correction(series: Series, number: Number, body: CorrectionRequest, identity: OfficerWriter,
                    office: BackOfficeDep) -> ApplicationModel:
    """Seed 000 appendix 38 / seed 001 appendix 18: fix a technical error (`reason` is the applicant's explanation).

    Registered and proposed in one step; the new signed revision is made when a head approves the application.
    """
    return cases_service.register_and_propose(office, identity, kind="correction", series=series, number=number,
                                              changes=body.changes, explanation=body.reason,
                                              explanation_field="reason", at=utcnow())


@router.post(
    "/documents/{series}/{number}/annulment", summary="Apply to annul a document (a head approves; final)",
    operation_id="annulDocument",
    status_code=202, response_model=ApplicationModel,
    responses={**_PROPOSED, **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID, _NOT_FOUND, _STATE,
                                                _OPEN)},
)
def annul(series: Series, number: Number, body: AnnulRequest, identity: OfficerWriter,
          office: BackOfficeDep) -> ApplicationModel:
    """Annul a document in force with its basis (an order or a decision): registered and proposed in one step; it
    takes effect when a head of the institution (another account) approves. Its number is never given again."""
    return cases_service.register_and_propose(office, identity, kind="annulment", series=series, number=number,
                                              explanation=body.basis, explanation_field="basis", reason=body.kind,
                                              at=utcnow())


@router.post(
    "/documents/{series}/{number}/reprint", summary="Reprint a document whose blank was spoiled while printing",
    operation_id="reprintDocument",
    status_code=201, response_model=DocumentDetailModel,
    responses={201: {"description": "The document on its new blank; the spoiled blank is written off and the code "
                                    "printed on it verifies ANNULLED"},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID, _NOT_FOUND, _STATE, _NO_SIGNER,
                                   ("blank-stock", "no free blanks honours (red) in this institution's stock"),
                                   ("invalid-data", "BD 0000042 is numbered by the service, not by its blank"))},
)
def reprint(series: Series, number: Number, body: ReprintRequest, identity: OfficerWriter,
            office: BackOfficeDep) -> DocumentDetailModel:
    """Seed 000, Rules items 17-18: the blank (whose number is the document's) is written off with the reason; the
    document continues on the next free blank of its kind under that blank's number."""
    return service.reprint(office, identity, series=series, number=number, reason=body.reason,
                           blank_number=body.blank_number, at=utcnow())


# ----------------------------------------------------------------------------- blanks and audit


@router.get(
    "/blanks", summary="Blank stock of your institution", response_model=StockModel,
    operation_id="getBlankStock",
    responses={200: {"description": "The stock by series"}, **problem_responses(UNAUTHORIZED, FORBIDDEN)},
)
def get_stock(identity: OfficerReader, office: BackOfficeDep) -> StockModel:
    """Received, used, written off and free blanks by series, and the number the next document gets."""
    return service.stock(office, identity)


@router.post(
    "/blanks/ranges", summary="Record a range of blanks received", status_code=201, response_model=BlankRangeModel,
    operation_id="addBlankRange",
    responses={201: {"description": "The range is in stock"},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID,
                                   ("conflict", "blanks ЖБ 0001000-0001499 overlap a range received before"),
                                   ("invalid-data", "first: must not be greater than last"))},
)
def add_range(body: BlankRangeRequest, identity: OfficerWriter, office: BackOfficeDep) -> BlankRangeModel:
    """A range of pre-numbered blanks from the printing house (seed 000 item 17): series, first, last."""
    return service.receive_blanks(office, identity, series=body.series, first=body.first, last=body.last,
                                  at=utcnow(), kind=body.kind)


@router.post(
    "/blanks/write-offs", summary="Write off a spoiled blank", status_code=201, response_model=BlankModel,
    operation_id="writeOffBlank",
    responses={201: {"description": "Written off: the number is never used"},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID,
                                   ("blank-stock", "blank ЖБ 0009999 is not in this institution's stock"),
                                   ("conflict", "blank ЖБ 0001003 is used for a document"))},
)
def write_off(body: WriteOffRequest, identity: OfficerWriter, office: BackOfficeDep) -> BlankModel:
    """Take a spoiled blank out of stock with the reason; a used or written-off blank is refused."""
    return service.write_off(office, identity, series=body.series, number=body.number, reason=body.reason,
                             at=utcnow())


@router.get(
    "/audit", summary="Audit events of your institution", response_model=AuditEventsModel,
    operation_id="listAuditEvents",
    responses={200: {"description": "Events, newest first"}, **problem_responses(UNAUTHORIZED, FORBIDDEN, INVALID)},
)
def list_audit(identity: OfficerReader, office: BackOfficeDep,
               before: Annotated[int | None, Query(ge=1, le=DB_INT_MAX,
                                                   description="events with a smaller seq (the next page)")] = None,
               action: Annotated[str | None, Query(max_length=40, description="e.g. document.issue")] = None,
               limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100) -> AuditEventsModel:
    """Who did what, when and why in your institution (the hash-chained log; never an IIN)."""
    return service.audit_events(office, identity, before=before, action=action, limit=limit)
