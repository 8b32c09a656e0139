"""The officer service: what an officer does, for both faces — the officers' API (`web.officer.api`) and the
officer console (`web.officer.console`).

Every function takes the signed-in officer's principal (`Identity`, its institution always the account's: seed 001
item 7) and the process's `BackOffice`, reads or changes the registry through its services (each change one
transaction with its audit event), returns data (the response models of `web.officer.schemas`, or bytes to
print), and raises `verify` errors: `NotFoundError` for an object of another institution exactly as for a missing
one, `ForbiddenError` for a role that may not, the registry's refusals. Neither face converts an error twice: the
API answers each as its problem (`web.problems.errors`), the console as a page or a form's message.

Times are parameters (`at`): the routes read the clock (`web.deps.utcnow`).

Duplicates, corrections and annulments are applications: `web.officer.cases_service`.

Sources: import, issue and numbering seed 001 item 7 and seed 000 item 17; blanks seed 000 items 7, 17; print
size seed 000 item 19.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import quote

from verify.appendixprint import render_appendix_pdf
from verify.errors import NotFoundError, RecordError
from verify.issue import code_file_stem, render_code, render_sheet
from verify.record import Record
from verify.registry import queries
from verify.registry.accounts import Identity
from verify.registry.appendices import import_with_appendix
from verify.registry.appendixsigning import appendix_of, current_appendix
from verify.registry.blanks import StockLine, add_blank_range, stock_summary, write_off_blank
from verify.registry.documents import BatchResult, get_revision, issue_document, issue_group, record_of
from verify.registry.imports.appendix import parse_appendix
from verify.registry.imports.load import ImportResult
from verify.registry.imports.parse import parse_graduates
from verify.registry.institutions import get_institution
from verify.registry.models import Batch, Officer
from verify.registry.numbering import format_number
from verify.registry.printing import reprint_on_new_blank
from verify.texts import text

from ..runtime.backoffice import BackOffice
from ..ui.i18n import Translator
from .queries import (
    MAX_PAGE,
    audit_event_model,
    detail_model,
    graduate_model,
    officer_of,
    summary_model,
)
from .schemas import (
    AuditEventsModel,
    BatchModel,
    BlankModel,
    BlankRangeModel,
    DocumentDetailModel,
    DocumentsModel,
    GraduatesModel,
    StockLineModel,
    StockModel,
)

MAX_SHEET_CODES: Final = 600
"""Codes on one print-sheet answer (20 A4 pages of 30)."""
CODE_MEDIA_TYPES: Final = {"svg": "image/svg+xml", "png": "image/png", "pdf": "application/pdf"}
NO_SHEET_CODES: Final = "no documents in force in this group or batch"
MAX_IDEMPOTENCY_KEY_CHARS: Final = 100
"""Longest batch key (the API's Idempotency-Key header, the console's hidden field): printable ASCII."""
ProgressCallback = Callable[[int, int], None]


def _institution_bin(office: BackOffice, officer: Officer) -> str:
    with office.readers() as session:
        bin_ = get_institution(session=session, institution_id=officer.institution_id).bin
        session.commit()
    return bin_


def stored_batch_key(office: BackOffice, identity: Identity, key: str) -> str:
    """The idempotency key the registry stores for an officer's batch key: `<BIN>:<key>` (per institution)."""
    return f"{_institution_bin(office, officer_of(identity))}:{key}"


# ----------------------------------------------------------------------------- graduates
def import_file(office: BackOffice, identity: Identity, *, data: bytes, filename: str, at: dt.datetime,
                appendix: tuple[bytes, str] | None = None) -> ImportResult:
    """Check every row of a graduates file (CSV or XLSX) and its appendix rows, and import all of them, or none.

    Args:
        appendix: (bytes, file name) of the appendix rows as a second CSV; without it, an XLSX's sheet "appendix"
            is read (`verify.registry.imports.appendix`).

    Returns:
        The registry's result: `ok` with the counts, or every error by row and column (nothing written); the
        appendix file's columns are prefixed `appendix:`.
    """
    officer = officer_of(identity)
    report = parse_graduates(data, filename=filename, today=at.date())
    iins = {row.iin for row in report.rows}
    if appendix is not None:
        parsed = parse_appendix(appendix[0], filename=appendix[1], graduate_iins=iins)
    elif filename.lower().endswith(".xlsx"):
        parsed = parse_appendix(data, filename=filename, graduate_iins=iins)
    else:
        parsed = None
    with office.sessions() as session:
        institution = get_institution(session=session, institution_id=officer.institution_id)
        return import_with_appendix(session=session, report=report, appendix=parsed, institution=institution,
                                    officer=officer, at=at)


def list_graduates(office: BackOffice, identity: Identity, *, group: str | None, limit: int,
                   offset: int) -> GraduatesModel:
    """A page of the institution's graduates, with the latest document issued for each (never an IIN)."""
    officer = officer_of(identity)
    with office.readers() as session:
        lines, total = queries.graduate_page(session=session, institution_id=officer.institution_id, group=group,
                                             limit=limit, offset=offset)
        session.commit()
    return GraduatesModel(graduates=[graduate_model(line) for line in lines], total=total, limit=limit,
                          offset=offset)


def groups(office: BackOffice, identity: Identity) -> list[queries.GroupLine]:
    """The institution's study groups, their graduates and how many have their original."""
    officer = officer_of(identity)
    with office.readers() as session:
        lines = queries.group_lines(session=session, institution_id=officer.institution_id)
        session.commit()
    return lines


# ----------------------------------------------------------------------------- issue
def issue_original(office: BackOffice, identity: Identity, *, graduate_id: int, blank_series: str | None,
                   blank_number: str | None, at: dt.datetime) -> DocumentDetailModel:
    """Number (the series' counter, or the next blank), sign and store a graduate's original."""
    officer = officer_of(identity)
    with office.sessions() as session:
        queries.own_graduate(session=session, institution_id=officer.institution_id, graduate_id=graduate_id)
        session.commit()
        document = issue_document(session=session, officer=officer, graduate_id=graduate_id, signer=office.signer(),
                                  base_url=office.base_url, at=at, blank_series=blank_series,
                                  blank_number=blank_number)
        detail = detail_model(queries.document_history(session=session, document=document))
        session.commit()
    return detail


def original_of(office: BackOffice, identity: Identity, *, graduate_id: int) -> tuple[str, str] | None:
    """(series, number) of a graduate's original, when one was issued."""
    officer = officer_of(identity)
    with office.readers() as session:
        document = queries.original_of_graduate(session=session, institution_id=officer.institution_id,
                                                graduate_id=graduate_id)
        session.commit()
    return None if document is None else (document.series, document.number)


def run_batch(office: BackOffice, identity: Identity, *, group: str, stored_key: str, blank_series: str | None,
              at: dt.datetime, progress: ProgressCallback | None = None) -> BatchResult:
    """Issue every graduate of the group that has no document yet, exactly once per stored key.

    Args:
        stored_key: `stored_batch_key(...)`: the same key again issues only what is missing.
        progress: called with (graduates done, graduates in the snapshot).

    A checkpoint of the transparency log is signed after the batch, when the key store has a log key.
    """
    officer = officer_of(identity)
    with office.sessions() as session:
        result = issue_group(session=session, officer=officer, group=group, idempotency_key=stored_key,
                             signer=office.signer(), base_url=office.base_url, at=at, blank_series=blank_series,
                             progress=progress)
    office.checkpointer.checkpoint_now()  # after each batch (docs/TRANSPARENCY.md §6)
    return result


def issue_batch(office: BackOffice, identity: Identity, *, group: str, key: str, blank_series: str | None,
                at: dt.datetime) -> BatchModel:
    """`run_batch` with the officer's key, and every document of the batch by number."""
    officer = officer_of(identity)
    result = run_batch(office, identity, group=group, stored_key=stored_batch_key(office, identity, key),
                       blank_series=blank_series, at=at)
    with office.readers() as session:
        lines, _ = queries.document_page(session=session, institution_id=officer.institution_id,
                                         where=queries.DocumentFilter(batch_id=result.batch_id), limit=100_000,
                                         newest_first=False)
        session.commit()
    return BatchModel(idempotency_key=key, total=result.total, issued=result.issued, skipped=result.skipped,
                      finished=result.finished, replayed=result.replayed,
                      documents=[summary_model(line) for line in lines])


@dataclass(frozen=True, slots=True)
class BatchState:
    """A batch of the officer's institution as the registry holds it: its row and its graduates done so far."""

    batch: Batch
    done: int


def batch_of_key(office: BackOffice, identity: Identity, *, stored_key: str,
                 own_only: bool = True) -> BatchState | None:
    """The batch of a stored key and its progress; of the officer's institution only, unless `own_only` is off."""
    officer = officer_of(identity)
    with office.readers() as session:
        batch = queries.get_batch_by_key(session=session, stored_key=stored_key,
                                         institution_id=officer.institution_id if own_only else None)
        done = 0 if batch is None else queries.batch_progress(session=session, batch=batch)
        session.commit()
    return None if batch is None else BatchState(batch=batch, done=done)


def group_size(office: BackOffice, identity: Identity, *, group: str) -> int:
    """The graduates of one of the institution's study groups."""
    officer = officer_of(identity)
    with office.readers() as session:
        size = queries.group_size(session=session, institution_id=officer.institution_id, group=group)
        session.commit()
    return size


def recent_batches(office: BackOffice, identity: Identity, *, limit: int = 10) -> list[Batch]:
    """The institution's latest batches, newest first."""
    officer = officer_of(identity)
    with office.readers() as session:
        batches = queries.recent_batches(session=session, institution_id=officer.institution_id, limit=limit)
        session.commit()
    return batches


# ----------------------------------------------------------------------------- documents
def list_documents(office: BackOffice, identity: Identity, *, where: queries.DocumentFilter, limit: int,
                   offset: int, newest_first: bool = True) -> DocumentsModel:
    """A page of the institution's documents with the holder's name as printed on the current revision."""
    officer = officer_of(identity)
    with office.readers() as session:
        lines, total = queries.document_page(session=session, institution_id=officer.institution_id, where=where,
                                             limit=limit, offset=offset, newest_first=newest_first)
        session.commit()
    return DocumentsModel(documents=[summary_model(line) for line in lines], total=total, limit=limit, offset=offset)


def document_detail(office: BackOffice, identity: Identity, *, series: str, number: str) -> DocumentDetailModel:
    """Every revision (what changed, when, why), the original and its duplicates, and the audit events."""
    officer = officer_of(identity)
    with office.readers() as session:
        document = queries.own_document(session=session, institution_id=officer.institution_id, series=series,
                                        number=number)
        detail = detail_model(queries.document_history(session=session, document=document))
        session.commit()
    return detail


def current_record(office: BackOffice, identity: Identity, *, series: str, number: str) -> dict[str, Any]:
    """The record of a document's current revision (`Record.to_json()`), for the forms that change it."""
    officer = officer_of(identity)
    with office.readers() as session:
        document = queries.own_document(session=session, institution_id=officer.institution_id, series=series,
                                        number=number)
        record = dict(get_revision(session=session, document=document).record)
        session.commit()
    return record


@dataclass(frozen=True, slots=True)
class CodeImage:
    """A printed code: the bytes, their media type and a file name (ASCII) for Content-Disposition."""

    body: bytes
    media_type: str
    filename: str


def code_image(office: BackOffice, identity: Identity, *, series: str, number: str, revision: int | None,
               kind: str) -> CodeImage:
    """A stored revision's QR code (the current one, or `revision`) as SVG, PNG or PDF, exactly 30 mm.

    The registry never signs again to print again: the code is drawn from the stored QR text.

    Raises:
        NotFoundError: no such document in the institution, or no such revision.
        ValueError: another kind than svg, png, pdf.
    """
    officer = officer_of(identity)
    with office.readers() as session:
        document = queries.own_document(session=session, institution_id=officer.institution_id, series=series,
                                        number=number)
        try:
            stored = get_revision(session=session, document=document, revision=revision)
        except NotFoundError:
            raise NotFoundError(text("v_doc_revision_absent", revision=revision)) from None
        session.commit()
    record = record_of(stored)
    filename = f"{code_file_stem(record)}.{kind}".encode("ascii", "replace").decode("ascii").replace("?", "_")
    return CodeImage(body=render_code(stored.qr_text, kind, record=record), media_type=CODE_MEDIA_TYPES[kind],
                     filename=filename)


def has_appendix(office: BackOffice, identity: Identity, *, series: str, number: str) -> bool:
    """Whether the institution's document has a signed appendix (the console offers to print it)."""
    officer = officer_of(identity)
    with office.readers() as session:
        document = queries.own_document(session=session, institution_id=officer.institution_id, series=series,
                                        number=number)
        assert document.id is not None
        found = current_appendix(session, document.id) is not None
        session.commit()
    return found


def appendix_pdf(office: BackOffice, identity: Identity, *, series: str, number: str) -> CodeImage:
    """The document's current appendix printed (A4, kk/ru; `verify.appendixprint`), from its signed bytes.

    Raises:
        NotFoundError: no such document in the institution, or it has no appendix.
    """
    officer = officer_of(identity)
    with office.readers() as session:
        document = queries.own_document(session=session, institution_id=officer.institution_id, series=series,
                                        number=number)
        assert document.id is not None
        stored = current_appendix(session, document.id)
        if stored is None:
            raise NotFoundError(text("v_apx_none", document=f"{document.series} {document.number}"))
        institution = get_institution(session=session, institution_id=document.institution_id)
        record = record_of(get_revision(session=session, document=document))
        session.commit()
    body = render_appendix_pdf(appendix_of(stored), holder=record.holder.full_name,
                               institution={"kk": institution.name_kk, "ru": institution.name_ru})
    stem = f"{record.series}-{record.number}-appendix".encode("ascii", "replace").decode("ascii").replace("?", "_")
    return CodeImage(body=body, media_type="application/pdf", filename=f"{stem}.pdf")


@dataclass(frozen=True, slots=True)
class PrintSheet:
    """A print sheet to download: the PDF and its file name (series and number range, then the study group)."""

    body: bytes
    filename: str


def sheet_filename(records: list[Record], group: str | None) -> str:
    """`<series>-<first>-<last>[_<group>].pdf` of codes in print order ("ТКБ-0100001-0100030_ИС-22-1.pdf"); codes
    of several series: `<series>-<first>_<series>-<last>`. Characters a file name cannot hold become `_`."""
    first, last = records[0], records[-1]
    if first.series == last.series:
        span = f"{first.series}-{first.number}" + (f"-{last.number}" if last.number != first.number else "")
    else:
        span = f"{first.series}-{first.number}_{last.series}-{last.number}"
    name = span + (f"_{group}" if group else "")
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:120] + ".pdf"


def content_disposition(kind: str, filename: str) -> str:
    """A Content-Disposition value for a file name in any script: an ASCII `filename` for old clients and the
    UTF-8 `filename*` (RFC 6266 §4.3, RFC 8187 §3.2), e.g. `attachment; filename="___-0100001.pdf";
    filename*=UTF-8''%D0%A2...`.

    Args:
        kind: "attachment" or "inline".
        filename: letters, digits, "-", "_", "." (as `sheet_filename` makes it).
    """
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_.") else "_" for c in filename)
    return f"{kind}; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename, safe='')}"


def print_sheet(office: BackOffice, identity: Identity, *, group: str | None, batch: str | None,
                lang: str = "kk") -> PrintSheet:
    """A4 sheets (PDF) of the documents in force of a study group or a batch, by number, every code 30 mm.

    Every page is headed, in the reader's language `lang`, with the institution, its BIN and the study group (a
    batch's group), and says to print at 100 %; a duplicate's caption carries its mark (`code_caption`).

    Raises:
        RecordError: neither or both of group and batch; more than `MAX_SHEET_CODES` codes.
        NotFoundError: no document in force in the group or batch.
    """
    if (group is None) == (batch is None):
        raise RecordError(text("v_sheet_group_or_batch"))
    officer = officer_of(identity)
    with office.readers() as session:
        batch_key = None if batch is None else stored_batch_key(office, identity, batch)
        revisions = queries.sheet_codes(session=session, institution_id=officer.institution_id, group=group,
                                        batch_key=batch_key, limit=MAX_SHEET_CODES + 1)
        institution = get_institution(session=session, institution_id=officer.institution_id)
        if batch_key is not None:
            found = queries.get_batch_by_key(session=session, stored_key=batch_key,
                                             institution_id=officer.institution_id)
            group = None if found is None else found.study_group
        session.commit()
    if not revisions:
        raise NotFoundError(NO_SHEET_CODES)
    if len(revisions) > MAX_SHEET_CODES:
        raise RecordError(text("v_sheet_too_many", limit=MAX_SHEET_CODES))
    t = Translator(lang)
    names = {"kk": institution.name_kk, "ru": institution.name_ru, "en": institution.name_en}
    heading = t("sheet_heading", institution=names[t.lang], bin=institution.bin) + \
        (" · " + t("sheet_heading_group", group=group) if group else "")
    records = [record_of(revision) for revision in revisions]
    body = render_sheet(list(zip((r.qr_text for r in revisions), records, strict=True)), language=t.lang,
                        heading=heading, print_note=t("sheet_print_note"))
    return PrintSheet(body=body, filename=sheet_filename(records, group))


# ----------------------------------------------------------------------------- blanks and audit
def _stock_line(line: StockLine) -> StockLineModel:
    return StockLineModel(series=line.series, received=line.received, used=line.used,
                          written_off=line.written_off, free=line.free, next_free=line.next_free, kind=line.kind)


def stock(office: BackOffice, identity: Identity) -> StockModel:
    """Received, used, written off and free blanks by series, and the number the next document gets."""
    officer = officer_of(identity)
    with office.readers() as session:
        lines = stock_summary(session=session, institution_id=officer.institution_id)
        session.commit()
    return StockModel(series=[_stock_line(line) for line in lines])


def receive_blanks(office: BackOffice, identity: Identity, *, series: str, first: str, last: str,
                   at: dt.datetime, kind: str = "ordinary") -> BlankRangeModel:
    """Record a range of pre-numbered blanks of one kind (seed 000, Rules item 8) received from the printing house."""
    officer = officer_of(identity)
    with office.sessions() as session:
        blank_range = add_blank_range(session=session, officer=officer, series=series, first=first, last=last, at=at,
                                      kind=kind)
    assert blank_range.id is not None
    return BlankRangeModel(id=blank_range.id, series=blank_range.series,
                           first=format_number(blank_range.first_number), last=format_number(blank_range.last_number),
                           size=blank_range.size, received_at=blank_range.received_at, kind=blank_range.kind)


def reprint(office: BackOffice, identity: Identity, *, series: str, number: str, reason: str,
            blank_number: str | None, at: dt.datetime) -> DocumentDetailModel:
    """A blank spoiled while printing: written off, the document reprinted on a new blank (a new number; the
    spoiled code annulled), `verify.registry.printing.reprint_on_new_blank`."""
    officer = officer_of(identity)
    with office.sessions() as session:
        queries.own_document(session=session, institution_id=officer.institution_id, series=series, number=number)
        session.commit()
        document = reprint_on_new_blank(session=session, officer=officer, series=series, number=number,
                                        reason=reason, signer=office.signer(), base_url=office.base_url, at=at,
                                        blank_number=blank_number)
        detail = detail_model(queries.document_history(session=session, document=document))
        session.commit()
    return detail


def write_off(office: BackOffice, identity: Identity, *, series: str, number: str, reason: str,
              at: dt.datetime) -> BlankModel:
    """Take a spoiled blank out of stock with the reason; its number is never used."""
    officer = officer_of(identity)
    with office.sessions() as session:
        blank = write_off_blank(session=session, officer=officer, series=series, number=number, reason=reason, at=at)
    return BlankModel(series=blank.series, number=blank.number, state=blank.state, reason=blank.reason, at=blank.at)


def audit_events(office: BackOffice, identity: Identity, *, before: int | None, action: str | None,
                 limit: int) -> AuditEventsModel:
    """The institution's audit events, newest first (never an IIN); `next_before` pages on."""
    officer = officer_of(identity)
    with office.readers() as session:
        events = queries.audit_page(session=session, institution_id=officer.institution_id, before=before,
                                    action=action, limit=limit + 1)
        session.commit()
    more = len(events) > limit
    events = events[:limit]
    return AuditEventsModel(events=[audit_event_model(e) for e in events],
                            next_before=events[-1].seq if more and events else None)


__all__ = ["CODE_MEDIA_TYPES", "MAX_PAGE", "MAX_SHEET_CODES", "BatchState", "CodeImage", "audit_events",
           "batch_of_key", "code_image", "current_record", "document_detail", "group_size", "groups",
           "import_file", "issue_batch", "issue_original", "list_documents", "list_graduates", "original_of",
           "print_sheet", "receive_blanks", "recent_batches", "run_batch", "stock", "stored_batch_key", "write_off"]
