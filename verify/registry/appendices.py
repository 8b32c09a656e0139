"""Appendices in the registry: imported rows, signed with the diploma, carried to its duplicates and revisions,
corrected or duplicated alone (issue 17 item 1; docs/FORMAT.md §10).

An appendix is not valid without its main document (seed 000, appendices 4, 6, 10: "... аттестатсыз жарамсыз"), so
every signed appendix names one diploma revision (`DiplomaRef`: series, number, revision, payload SHA-256) and is
signed by a document signer whose scope holds the diploma's series, when the diploma is. A new diploma revision (a
correction) or a duplicate gets a new appendix naming it; the appendix alone can be corrected (its revision + 1,
seed 000 appendix 38) or duplicated (its duplicate No. N, seed 000 Rules appendix 5: "қосымшаның телнұсқасын")
without a new diploma record, so the diploma's printed QR code stays valid.

    import_with_appendix(session=, report=, appendix=, institution=, officer=, at=) -> ImportResult
    store_appendices(session=, institution=, officer=, items=, at=) -> list[RowError]   after a graduates import
    correct_appendix(session=, officer=, series=, number=, items=, reason=, signer=, at=) -> DocumentAppendix
    duplicate_appendix(session=, officer=, series=, number=, reason=, signer=, at=) -> DocumentAppendix

Signing with the diploma (at issue, duplicate, correction) is `verify.registry.appendixsigning`.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from contextlib import nullcontext

from sqlmodel import Session, col, select

from ..appendix import MAX_ITEMS, Appendix, AppendixItem
from ..errors import NotFoundError, RecordError
from ..identifiers import refuse_iin_in_text
from ..signerset import SignerChooser
from ..texts import text
from .access import require_writer, unit_of_work
from .appendixsigning import appendix_of, current_appendix, sign_appendix_row
from .audit import append_event
from .documents import document_ref, lock_document, require_in_force
from .imports.appendix import AppendixReport
from .imports.load import ImportResult, import_graduates
from .imports.rows import ParseReport, RowError
from .models import Document, DocumentAppendix, Graduate, GraduateAppendix, Holder, Institution, Officer


def store_appendices(*, session: Session, institution: Institution, officer: Officer,
                     items: Mapping[str, Sequence[AppendixItem]], at: dt.datetime) -> list[RowError]:
    """Keep the imported appendix rows of the institution's graduates (by IIN); commits; all or nothing.

    A graduate whose diploma is issued keeps its signed appendix: new rows that differ are refused (a correction
    of the appendix goes through an application, `correct_appendix`); the same rows again change nothing.

    Returns:
        The problems (row 0, column iin): an IIN without a graduate of the institution, or with an issued diploma
        whose appendix differs. Nothing is written when there is any.
    """
    require_writer(officer)
    errors: list[RowError] = []
    with unit_of_work(session):
        found: dict[str, Graduate] = dict(session.exec(
            select(Holder.iin, Graduate).join(Graduate, col(Graduate.holder_id) == Holder.id)
            .where(Graduate.institution_id == institution.id, col(Holder.iin).in_(list(items)))).all())
        issued = set(session.exec(select(Document.graduate_id).where(
            col(Document.graduate_id).in_([g.id for g in found.values()]))).all())
        kept = {row.graduate_id: row for row in session.exec(select(GraduateAppendix).where(
            col(GraduateAppendix.graduate_id).in_([g.id for g in found.values()])))}
        for iin, rows in items.items():
            graduate = found.get(iin)
            if graduate is None or graduate.id is None:
                errors.append(RowError.of(0, "iin", text("v_apx_unknown_iin")))
                continue
            data = [item.to_json() for item in rows]
            stored = kept.get(graduate.id)
            if stored is not None and stored.items == data:
                continue
            if graduate.id in issued:
                errors.append(RowError.of(0, "iin", text("v_apx_issued", id=graduate.id)))
                continue
            if stored is None:
                session.add(GraduateAppendix(graduate_id=graduate.id, items=data, imported_at=at))
            else:
                stored.items, stored.imported_at = data, at
                session.add(stored)
        if errors:
            session.rollback()
            return errors
        append_event(session=session, at=at, officer=officer, action="appendices.import", object_type="institution",
                     object_ref=institution.bin, after={"graduates": len(items)})
    return errors


APPENDIX_COLUMN_PREFIX = "appendix:"


def _in_appendix(problem: RowError) -> RowError:
    """A problem of the appendix file, its column prefixed so that the report says which file it is in."""
    assert problem.text is not None  # every problem of the appendix is a catalogue message
    return RowError.of(problem.row, APPENDIX_COLUMN_PREFIX + problem.column, problem.text)


def import_with_appendix(*, session: Session, report: ParseReport, appendix: AppendixReport | None,
                         institution: Institution, officer: Officer, at: dt.datetime,
                         progress: Callable[[int, int], None] | None = None) -> ImportResult:
    """Import a graduates file and its appendix rows (a second CSV, or the XLSX's sheet "appendix").

    With any problem in either file nothing is written: every problem is reported by row and column, the
    appendix's columns prefixed `appendix:`. The graduates are then imported (`import_graduates`), and the appendix
    rows kept (`store_appendices`); an appendix refused at that step (an issued diploma's rows that differ) is
    reported the same way, the graduates staying imported (importing the same files again changes nothing).

    Returns:
        The graduates import's `ImportResult`, with the appendix's problems among its errors.
    """
    extra = tuple(_in_appendix(e) for e in appendix.errors) if appendix is not None else ()
    if extra or not report.ok:
        return ImportResult(ok=False, errors=(*report.errors, *extra), warnings=report.warnings,
                            rows=len(report.rows))
    result = import_graduates(session=session, report=report, institution=institution, officer=officer, at=at,
                              progress=progress)
    if not result.ok or appendix is None or not appendix.items:
        return result
    refused = store_appendices(session=session, institution=institution, officer=officer, items=appendix.items,
                               at=at)
    if refused:
        return dataclasses.replace(result, ok=False, errors=tuple(_in_appendix(e) for e in refused))
    return result


def _alone(session: Session, *, officer: Officer, series: str, number: str) -> tuple[Document, Appendix]:
    document = lock_document(session, officer=officer, series=series, number=number)
    require_in_force(session, document, action="correction")
    assert document.id is not None
    current = current_appendix(session, document.id)
    if current is None:
        raise NotFoundError(text("v_apx_none", document=document_ref(document)))
    return document, appendix_of(current)


def appendix_items(changes: object) -> tuple[AppendixItem, ...]:
    """The new rows of a correction of the appendix alone: `{"items": [AppendixItem JSON, ...]}` (docs/FORMAT.md
    §10.6), each row's names free of IINs (they are shown on the public page).

    Raises:
        RecordError: another shape, a row that breaks the rules ("item 3: ..."), or a name holding an IIN.
    """
    if not isinstance(changes, dict) or set(changes) != {"items"} or not isinstance(changes["items"], list) \
            or not 1 <= len(changes["items"]) <= MAX_ITEMS:
        raise RecordError(text("v_case_appendix_items", field="changes"))
    items = []
    for index, data in enumerate(changes["items"], start=1):
        try:
            item = AppendixItem.from_json(data)
        except RecordError as exc:
            raise RecordError(text("v_apx_row", field="changes", detail=f"item {index}: {exc.message}")) from None
        for name in item.names.values():
            refuse_iin_in_text(name, field="changes")
        items.append(item)
    return tuple(items)


def correct_appendix(*, session: Session, officer: Officer, series: str, number: str,
                     items: Sequence[AppendixItem], reason: str, signer: SignerChooser,
                     at: dt.datetime, commit: bool = True) -> DocumentAppendix:
    """Correct the appendix alone (seed 000 appendix 38; seed 001 appendix 18): a new signed appendix, revision + 1,
    naming the same diploma revision; the diploma's QR code is unchanged. Commits, with `appendix.correct`.

    Raises:
        ForbiddenError, NotFoundError, LifecycleError: as for a correction of the diploma; no appendix.
        RecordError: the rows are the same as the current ones, or break the appendix's rules.

    `commit` False runs it in the caller's transaction (an application's approval, `verify.registry.cases`).
    """
    require_writer(officer)
    reason = refuse_iin_in_text(reason, field="reason")
    with unit_of_work(session) if commit else nullcontext():
        document, old = _alone(session, officer=officer, series=series, number=number)
        if tuple(items) == old.items:
            raise RecordError(text("v_apx_unchanged"))
        appendix = Appendix(diploma=old.diploma, institution_bin=old.institution_bin, items=tuple(items),
                            revision=old.revision + 1, duplicate_no=old.duplicate_no, studies_ended=old.studies_ended)
        row = sign_appendix_row(session, document=document, appendix=appendix, signer=signer, at=at, reason=reason)
        append_event(session=session, at=at, officer=officer, action="appendix.correct", object_type="document",
                     object_ref=document_ref(document), reason=reason,
                     before={"appendix_revision": old.revision},
                     after={"appendix_revision": appendix.revision, "payload_sha256": row.payload_sha256})
    return row


def duplicate_appendix(*, session: Session, officer: Officer, series: str, number: str, reason: str,
                       signer: SignerChooser, at: dt.datetime, commit: bool = True) -> DocumentAppendix:
    """Issue duplicate No. N of the appendix alone (seed 000 Rules appendix 5), for a lost or damaged appendix:
    the same rows, signed again with its duplicate number; commits, with `appendix.duplicate`.

    `commit` False runs it in the caller's transaction (an application's approval, `verify.registry.cases`).

    Raises:
        ForbiddenError, NotFoundError, LifecycleError: as for a duplicate of the diploma; no appendix.
    """
    require_writer(officer)
    reason = refuse_iin_in_text(reason, field="reason")
    with unit_of_work(session) if commit else nullcontext():
        document, old = _alone(session, officer=officer, series=series, number=number)
        appendix = Appendix(diploma=old.diploma, institution_bin=old.institution_bin, items=old.items,
                            totals=old.totals, revision=old.revision, duplicate_no=(old.duplicate_no or 0) + 1,
                            studies_ended=old.studies_ended)
        row = sign_appendix_row(session, document=document, appendix=appendix, signer=signer, at=at, reason=reason)
        append_event(session=session, at=at, officer=officer, action="appendix.duplicate", object_type="document",
                     object_ref=document_ref(document), reason=reason,
                     after={"appendix_duplicate_no": appendix.duplicate_no, "payload_sha256": row.payload_sha256})
    return row


__all__ = ["APPENDIX_COLUMN_PREFIX", "appendix_items", "correct_appendix", "duplicate_appendix",
           "import_with_appendix", "store_appendices"]
