"""The officers' API, part 2: documents, their QR codes and print sheets, duplicates, corrections, annulments.

| route                                                        | scope          | does                               |
|--------------------------------------------------------------|----------------|------------------------------------|
| GET /api/v1/officer/documents                                | officer:read   | the institution's documents        |
| GET /api/v1/officer/documents/{series}/{number}              | officer:read   | one, with revisions, chain, events |
| GET /api/v1/officer/documents/{series}/{number}/qr.svg       | officer:read   | its QR code, SVG, 30 mm            |
| GET /api/v1/officer/documents/{series}/{number}/qr.png       | officer:read   | PNG, >= 600 dpi with pHYs          |
| GET /api/v1/officer/documents/{series}/{number}/qr.pdf       | officer:read   | PDF page 30 mm wide                |
| GET /api/v1/officer/sheets?group=G or ?batch=KEY             | officer:read   | A4 print sheets, every code 30 mm  |
| POST /api/v1/officer/documents/{series}/{number}/duplicates  | officer:write  | duplicate No. N (201)              |
| POST /api/v1/officer/documents/{series}/{number}/corrections | officer:write  | a new signed revision (201)        |
| POST /api/v1/officer/documents/{series}/{number}/annulment   | officer:write  | annul (the head only; final)       |

Every QR code is exactly 30 x 30 mm with its quiet zone (seed 000, Rules item 19: "QR код ... 3x3 см"), drawn by
`verify.qr` / `verify.qrpdf` from the stored signed revision (the current one, or `?revision=N`): the registry
never signs again to print again. A document of another institution is answered 404 like a missing one.

Sources: duplicates seed 000 items 21-25 and seed 003 item 9; corrections seed 000 appendix 38 and seed 001
appendix 18; print size seed 000 item 19.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Final

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response
from sqlmodel import col, select

from verify import Error, HolderName, qr, qrpdf
from verify.registry.documents import get_revision
from verify.registry.lifecycle import annul_document, correct_document, issue_duplicate
from verify.registry.models import Batch, Document, DocumentRevision, DocumentState, Graduate

from ..auth.api import CSRF_FAILED, FORBIDDEN, INVALID, UNAUTHORIZED
from ..problems.handlers import ProblemError
from ..public.schemas import DB_INT_MAX, problem_responses
from ..runtime.backoffice import BackOfficeDep
from ..runtime.services import utcnow
from .api import OfficerReader, OfficerWriter
from .queries import (
    MAX_PAGE,
    NOT_IN_YOUR_REGISTRY,
    document_detail,
    document_summaries,
    institution_of,
    officer_of,
    own_document,
    registry_errors,
    revision_model,
)
from .schemas import (
    DOCUMENT_DETAIL_EXAMPLE,
    AnnulRequest,
    CorrectionRequest,
    DocumentDetailModel,
    DocumentsModel,
    DuplicateRequest,
    RevisionCreatedModel,
)

QR_SIZE_MM: Final = 30.0
"""The printed side of every code, quiet zone included (seed 000, Rules item 19)."""
MAX_SHEET_CODES: Final = 600
"""Codes on one print-sheet answer (20 A4 pages of 30)."""
_NOT_FOUND: Final = ("not-found", NOT_IN_YOUR_REGISTRY)
_STATE: Final = ("document-state", "document BD 0000042 was replaced by duplicate No. 1 BD 0000043 and is void")

Series = Annotated[str, Path(max_length=8, description="the series as printed, e.g. BD or ЖБ")]
Number = Annotated[str, Path(max_length=7, description="seven digits, leading zeros included")]

router = APIRouter(prefix="/api/v1/officer", tags=["officer"])


@router.get(
    "/documents", summary="Documents of your institution", response_model=DocumentsModel,
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
    officer = officer_of(identity)
    where: list[Any] = []
    if group is not None:
        where.append(Graduate.study_group == group)
    if state is not None:
        where.append(Document.state == state.value)
    if series is not None:
        where.append(Document.series == series.strip())
    with office.readers() as session:
        documents, total = document_summaries(session, institution_id=officer.institution_id, where=where,
                                              limit=limit, offset=offset)
        session.commit()
    return DocumentsModel(documents=documents, total=total, limit=limit, offset=offset)


@router.get(
    "/documents/{series}/{number}", summary="A document with its history", response_model=DocumentDetailModel,
    responses={200: {"description": "The document, its revisions, its duplicate chain and its audit events"},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, _NOT_FOUND)},
)
def get_document_detail(series: Series, number: Number, identity: OfficerReader,
                        office: BackOfficeDep) -> DocumentDetailModel:
    """Every revision (what changed, when, why), the original and its duplicates, and the audit events."""
    officer = officer_of(identity)
    with office.readers() as session:
        detail = document_detail(session, own_document(session, officer, series, number))
        session.commit()
    return detail


def _revision(office: BackOfficeDep, identity: OfficerReader, series: str, number: str,
              revision: int | None) -> DocumentRevision:
    officer = officer_of(identity)
    with office.readers() as session:
        document = own_document(session, officer, series, number)
        try:
            stored = get_revision(session=session, document=document, revision=revision)
        except Error:  # NotFoundError: no such revision
            raise ProblemError("not-found", f"the document has no revision {revision}") from None
    return stored


def _filename(stored: DocumentRevision, extension: str) -> str:
    record = stored.record
    stem = f"{record.get('series', 'QR')}-{record.get('number', '')}"
    if stored.revision > 1:
        stem += f"-r{stored.revision}"
    return f"{stem}.{extension}".encode("ascii", "replace").decode("ascii").replace("?", "_")


def _qr_response(stored: DocumentRevision, kind: str) -> Response:
    symbol = qr.encode_qr(stored.qr_text)
    title = f"{stored.record.get('series', '')} {stored.record.get('number', '')}"
    if kind == "svg":
        body, media_type = qr.render_svg(symbol, size_mm=QR_SIZE_MM, title=title), "image/svg+xml"
    elif kind == "png":
        body, media_type = qr.render_png(symbol, size_mm=QR_SIZE_MM), "image/png"
    else:
        body, media_type = qrpdf.render_pdf(symbol, size_mm=QR_SIZE_MM, caption=title), "application/pdf"
    return Response(body, media_type=media_type,
                    headers={"Content-Disposition": f'inline; filename="{_filename(stored, kind)}"'})


RevisionQuery = Annotated[int | None, Query(ge=1, le=999, description="a revision (default: the current one)")]
_QR_PROBLEMS: Final = problem_responses(UNAUTHORIZED, FORBIDDEN, _NOT_FOUND, INVALID)


@router.get(
    "/documents/{series}/{number}/qr.svg", summary="The QR code as SVG (30 mm)", response_class=Response,
    responses={200: {"description": "SVG, width and height 30mm",
                     "content": {"image/svg+xml": {"example": '<svg xmlns="http://www.w3.org/2000/svg" '
                                                              'width="30mm" height="30mm" ...'}}},
               **_QR_PROBLEMS},
)
def qr_svg(series: Series, number: Number, identity: OfficerReader, office: BackOfficeDep,
           revision: RevisionQuery = None) -> Response:
    """The stored revision's QR code as a 30 x 30 mm SVG (quiet zone included)."""
    return _qr_response(_revision(office, identity, series, number, revision), "svg")


@router.get(
    "/documents/{series}/{number}/qr.png", summary="The QR code as PNG (30 mm at 600 dpi or more)",
    response_class=Response,
    responses={200: {"description": "PNG with a pHYs chunk giving its physical size, 30 mm",
                     "content": {"image/png": {"example": "(binary PNG)"}}}, **_QR_PROBLEMS},
)
def qr_png(series: Series, number: Number, identity: OfficerReader, office: BackOfficeDep,
           revision: RevisionQuery = None) -> Response:
    """The stored revision's QR code as a PNG of at least 600 dpi whose pHYs says 30 mm."""
    return _qr_response(_revision(office, identity, series, number, revision), "png")


@router.get(
    "/documents/{series}/{number}/qr.pdf", summary="The QR code as PDF (30 mm)", response_class=Response,
    responses={200: {"description": "A PDF page 30 mm wide with the code and its caption",
                     "content": {"application/pdf": {"example": "(binary PDF)"}}}, **_QR_PROBLEMS},
)
def qr_pdf(series: Series, number: Number, identity: OfficerReader, office: BackOfficeDep,
           revision: RevisionQuery = None) -> Response:
    """The stored revision's QR code as vector PDF, exactly 30 mm, captioned with series and number."""
    return _qr_response(_revision(office, identity, series, number, revision), "pdf")


def _caption(record: Mapping[str, Any]) -> str:
    holder = record.get("holder", {})
    initial = f" {str(holder.get('name', ''))[:1]}." if holder.get("name") else ""
    return f"{record.get('series', '')} {record.get('number', '')} — {holder.get('surname', '')}{initial}"


@router.get(
    "/sheets", summary="A4 print sheets of a group's or a batch's QR codes", response_class=Response,
    responses={200: {"description": "PDF: A4 pages of 30 codes, each exactly 30 x 30 mm, with captions and cut "
                                    "lines; print at 100 %", "content": {"application/pdf": {"example": "(PDF)"}}},
               **problem_responses(UNAUTHORIZED, FORBIDDEN,
                                   ("not-found", "no documents in force in this group or batch"),
                                   ("invalid-data", "give exactly one of group and batch"), INVALID)},
)
def print_sheet(identity: OfficerReader, office: BackOfficeDep,
                group: Annotated[str | None, Query(max_length=64, description="a study group")] = None,
                batch: Annotated[str | None, Query(max_length=100, description="a batch's Idempotency-Key")] = None,
                ) -> Response:
    """The documents in force of a study group or a batch, ordered by number, as A4 sheets to print and cut."""
    if (group is None) == (batch is None):
        raise ProblemError("invalid-data", "give exactly one of group and batch")
    officer = officer_of(identity)
    with office.readers() as session:
        statement = (select(Document, DocumentRevision.qr_text, DocumentRevision.record)
                     .join(DocumentRevision, (col(DocumentRevision.document_id) == Document.id)
                           & (col(DocumentRevision.revision) == Document.current_revision))
                     .where(Document.institution_id == officer.institution_id,
                            Document.state == DocumentState.VALID.value))
        if group is not None:
            statement = statement.join(Graduate, col(Graduate.id) == Document.graduate_id) \
                .where(Graduate.study_group == group)
        else:
            key = f"{institution_of(session, officer).bin}:{batch}"
            statement = statement.join(Batch, col(Batch.id) == Document.batch_id).where(Batch.idempotency_key == key)
        rows = session.exec(statement.order_by(col(Document.series), col(Document.number))
                            .limit(MAX_SHEET_CODES + 1)).all()
        session.commit()
    if not rows:
        raise ProblemError("not-found", "no documents in force in this group or batch")
    if len(rows) > MAX_SHEET_CODES:
        raise ProblemError("invalid-data", f"more than {MAX_SHEET_CODES} codes: print the group in batches")
    items = [(qr.encode_qr(qr_text), _caption(record)) for _, qr_text, record in rows]
    body = qrpdf.render_sheet_pdf(items, size_mm=QR_SIZE_MM)
    name = "sheet.pdf"
    return Response(body, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.post(
    "/documents/{series}/{number}/duplicates", summary="Issue duplicate No. N instead of a document",
    status_code=201, response_model=DocumentDetailModel,
    responses={201: {"description": "The duplicate; the document it replaces is void from now on",
                     "content": {"application/json": {"example": DOCUMENT_DETAIL_EXAMPLE}}},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID, _NOT_FOUND, _STATE,
                                   ("blank-stock", "no free blanks in this institution's stock"),
                                   ("invalid-data", "new name: a duplicate issued because the name changed carries "
                                                    "the new name"))},
)
def make_duplicate(series: Series, number: Number, body: DuplicateRequest, identity: OfficerWriter,
                   office: BackOfficeDep) -> DocumentDetailModel:
    """Seed 000 items 21-25: lost, damaged, name changed (with the new name), or a filling error (seed 003 item 9).

    The duplicate gets its own number and the stamp "Түпнұсқаның орнына берілген № N телнұсқа"; the document it
    replaces becomes *replaced* in the same transaction, and a verifier shown it is told which duplicate replaced it.
    """
    officer = officer_of(identity)
    with office.sessions() as session, registry_errors():
        own_document(session, officer, series, number)
        session.commit()
        new_name = None
        if body.new_name is not None:
            new_name = HolderName(body.new_name.surname.strip(), body.new_name.name.strip(),
                                  (body.new_name.patronymic or "").strip() or None)
        duplicate = issue_duplicate(session=session, officer=officer, series=series, number=number,
                                    reason=body.reason, signer=office.signer(), base_url=office.base_url,
                                    at=utcnow(), new_name=new_name, blank_series=body.blank_series,
                                    blank_number=body.blank_number)
        detail = document_detail(session, duplicate)
        session.commit()
    return detail


@router.post(
    "/documents/{series}/{number}/corrections", summary="Correct a document's data (a new signed revision)",
    status_code=201, response_model=RevisionCreatedModel,
    responses={201: {"description": "The new revision; earlier QR codes still verify and show what changed"},
               **problem_responses(UNAUTHORIZED, FORBIDDEN, CSRF_FAILED, INVALID, _NOT_FOUND, _STATE,
                                   ("invalid-data", "changes: nothing differs from revision 1"))},
)
def make_correction(series: Series, number: Number, body: CorrectionRequest, identity: OfficerWriter,
                    office: BackOfficeDep) -> RevisionCreatedModel:
    """Seed 000 appendix 38 / seed 001 appendix 18: fix a technical error; who, when, why and what are kept."""
    officer = officer_of(identity)
    with office.sessions() as session, registry_errors():
        own_document(session, officer, series, number)
        session.commit()
        revision = correct_document(session=session, officer=officer, series=series, number=number,
                                    changes=body.changes, reason=body.reason, signer=office.signer(),
                                    base_url=office.base_url, at=utcnow())
    return RevisionCreatedModel(**revision_model(revision).model_dump())


@router.post(
    "/documents/{series}/{number}/annulment", summary="Annul a document (the head only; final)",
    response_model=DocumentDetailModel,
    responses={200: {"description": "Annulled: every revision now verifies as ANNULLED, with the basis"},
               **problem_responses(UNAUTHORIZED, ("forbidden", "only the head of the institution may do this"),
                                   CSRF_FAILED, INVALID, _NOT_FOUND, _STATE)},
)
def annul(series: Series, number: Number, body: AnnulRequest, identity: OfficerWriter,
          office: BackOfficeDep) -> DocumentDetailModel:
    """Annul a document in force with its basis (an order or a decision). Its number is never given again."""
    officer = officer_of(identity)
    with office.sessions() as session, registry_errors():
        own_document(session, officer, series, number)
        session.commit()
        document = annul_document(session=session, officer=officer, series=series, number=number, basis=body.basis,
                                  at=utcnow())
        detail = document_detail(session, document)
        session.commit()
    return detail
