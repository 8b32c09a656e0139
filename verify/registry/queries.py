"""The officers' read queries, always within one institution: pages of documents and graduates, a document's
history, study groups, batches, print-sheet codes, audit events.

The institution comes from the officer's account (`Officer.institution_id`), never from a request (DESIGN.md,
Surfaces; seed 001 item 7). An institution that keeps the records of closed ones (seed 000, Rules item 23) reads
theirs with its own: the gates and the pages of documents and graduates take every institution of
`access.readable_institution_ids`. An object of another institution is answered exactly as a missing one
(`NotFoundError`), so that an officer cannot learn which series and numbers other institutions hold: `own_document`
and `own_graduate` are the gates every officer answer passes before a registry service runs (which checks the
institution again and would answer `ForbiddenError`).

A page of documents is one query joining each document's current revision (for the holder's name as printed) and
its graduate (for the group); a document's history reads its revisions, its duplicate chain and its audit events.
Nothing here writes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from ..collation import kazakh_name_key
from ..errors import Error, NotFoundError
from ..texts import text
from .access import readable_institution_ids
from .documents import get_document, list_revisions
from .models import AuditEvent, Batch, Document, DocumentRevision, DocumentState, Graduate, Holder

NOT_IN_YOUR_REGISTRY: Final = "no such document in your institution's registry"
NO_SUCH_GRADUATE: Final = "no such graduate in your institution's registry"
_CHUNK: Final = 1000


# ----------------------------------------------------------------------------- gates
def own_document(*, session: Session, institution_id: int, series: str, number: str) -> Document:
    """The document with this series and number if it belongs to the institution.

    Raises:
        NotFoundError: a missing document, another institution's, or a malformed series or number (one answer).
    """
    try:
        document = get_document(session=session, series=series, number=number)
    except Error:
        document = None
    if document is None or document.institution_id not in readable_institution_ids(session, institution_id):
        raise NotFoundError(text("v_not_in_your_registry"))
    return document


def own_graduate(*, session: Session, institution_id: int, graduate_id: int) -> Graduate:
    """The graduate if it belongs to the institution.

    Raises:
        NotFoundError: a missing graduate or another institution's (one answer).
    """
    graduate = session.get(Graduate, graduate_id)
    if graduate is None or graduate.institution_id not in readable_institution_ids(session, institution_id):
        raise NotFoundError(text("v_no_such_graduate"))
    return graduate


# ----------------------------------------------------------------------------- documents
@dataclass(frozen=True, slots=True)
class DocumentLine:
    """A document as listed: its row, its current revision's record (`Record.to_json()`), its study group."""

    document: Document
    record: dict[str, Any]
    group: str


@dataclass(frozen=True, slots=True)
class DocumentFilter:
    """Which of an institution's documents a page lists (every given condition holds)."""

    group: str | None = None
    state: DocumentState | None = None
    series: str | None = None
    batch_id: int | None = None

    def conditions(self) -> list[Any]:
        """The SQL conditions on `Document` / `Graduate`."""
        where: list[Any] = []
        if self.group is not None:
            where.append(Graduate.study_group == self.group)
        if self.state is not None:
            where.append(Document.state == self.state.value)
        if self.series is not None:
            where.append(Document.series == self.series.strip())
        if self.batch_id is not None:
            where.append(col(Document.batch_id) == self.batch_id)
        return where


def document_page(*, session: Session, institution_id: int, where: DocumentFilter = DocumentFilter(),
                  limit: int, offset: int = 0, newest_first: bool = True) -> tuple[list[DocumentLine], int]:
    """A page of the institution's documents, each with its current revision's record and its group.

    Args:
        where: the filter.
        limit, offset: the page.
        newest_first: by id, newest first; else by number.

    Returns:
        (the page, the number of all matching documents).
    """
    conditions = [col(Document.institution_id).in_(readable_institution_ids(session, institution_id)),
                  *where.conditions()]
    base = (select(Document, DocumentRevision.record, Graduate.study_group)
            .join(DocumentRevision, and_(col(DocumentRevision.document_id) == Document.id,
                                         col(DocumentRevision.revision) == Document.current_revision))
            .join(Graduate, col(Graduate.id) == Document.graduate_id)
            .where(*conditions))
    order = col(Document.id).desc() if newest_first else col(Document.number)
    rows = session.exec(base.order_by(order).limit(limit).offset(offset)).all()
    total = session.exec(select(func.count()).select_from(Document)
                         .join(Graduate, col(Graduate.id) == Document.graduate_id).where(*conditions)).one()
    return [DocumentLine(document, dict(record), group) for document, record, group in rows], int(total)


@dataclass(frozen=True, slots=True)
class DocumentHistory:
    """A document with everything its page shows.

    Attributes:
        line: the document, its current record and group.
        revisions: every signed revision, in order.
        chain: the original and its duplicates, by id (seed 000 items 21-25).
        events: its audit events, in order.
        replaced_by, replaces, original: the documents these ids name (or None).
    """

    line: DocumentLine
    revisions: list[DocumentRevision]
    chain: list[Document]
    events: list[AuditEvent]
    replaced_by: Document | None
    replaces: Document | None
    original: Document | None


def document_history(*, session: Session, document: Document) -> DocumentHistory:
    """A document with its revisions, its duplicate chain and its audit events."""
    assert document.id is not None
    revisions = list_revisions(session=session, document=document)
    current = next(r for r in revisions if r.revision == document.current_revision)
    graduate = session.get(Graduate, document.graduate_id)
    root_id = document.original_id if document.original_id is not None else document.id
    chain = list(session.exec(select(Document).where((col(Document.id) == root_id)
                                                     | (col(Document.original_id) == root_id))
                              .order_by(col(Document.id))))
    ref = f"{document.series} {document.number}"
    events = list(session.exec(select(AuditEvent).where(AuditEvent.object_type == "document",
                                                        AuditEvent.object_ref == ref,
                                                        AuditEvent.institution_id == document.institution_id)
                               .order_by(col(AuditEvent.seq))))

    def named(document_id: int | None) -> Document | None:
        return None if document_id is None else session.get(Document, document_id)

    line = DocumentLine(document, current.record, graduate.study_group if graduate is not None else "")
    return DocumentHistory(line=line, revisions=revisions, chain=chain, events=events,
                           replaced_by=named(document.replaced_by_id), replaces=named(document.replaces_id),
                           original=named(document.original_id))


def sheet_codes(*, session: Session, institution_id: int, group: str | None = None, batch_key: str | None = None,
                limit: int) -> list[DocumentRevision]:
    """The current revisions of the institution's documents in force of a study group or a batch, by number.

    Args:
        group: a study group; or
        batch_key: a batch's stored idempotency key (`<BIN>:<key>`).
        limit: at most this many.
    """
    statement = (select(DocumentRevision)
                 .join(Document, (col(DocumentRevision.document_id) == Document.id)
                       & (col(DocumentRevision.revision) == Document.current_revision))
                 .where(Document.institution_id == institution_id, Document.state == DocumentState.VALID.value))
    if group is not None:
        statement = statement.join(Graduate, col(Graduate.id) == Document.graduate_id) \
            .where(Graduate.study_group == group)
    else:
        statement = statement.join(Batch, col(Batch.id) == Document.batch_id).where(Batch.idempotency_key == batch_key)
    return list(session.exec(statement.order_by(col(Document.series), col(Document.number)).limit(limit)))


# ----------------------------------------------------------------------------- graduates and groups
@dataclass(frozen=True, slots=True)
class GraduateLine:
    """A graduate as listed: its row, the holder's name (never the IIN), its latest document (series, number)."""

    graduate: Graduate
    surname: str
    name: str
    patronymic: str | None
    document: tuple[str, str] | None


def graduate_page(*, session: Session, institution_id: int, group: str | None, limit: int,
                  offset: int) -> tuple[list[GraduateLine], int]:
    """A page of the institution's graduates in Kazakh alphabetical order of their names (surname, name,
    patronymic; `verify.collation`: Ә after А, not after Я), each with its latest document.

    The order is the same on SQLite and PostgreSQL: the names of every matching graduate are read (a few hundred
    bytes each) and sorted here, then the page's rows are read.

    Returns:
        (the page, the number of all matching graduates).
    """
    conditions: list[Any] = [col(Graduate.institution_id).in_(readable_institution_ids(session, institution_id))]
    if group is not None:
        conditions.append(Graduate.study_group == group)
    names = session.exec(select(Graduate.id, Holder.surname, Holder.name, Holder.patronymic)
                         .join(Holder, col(Holder.id) == Graduate.holder_id).where(*conditions)).all()
    ordered = sorted(names, key=lambda n: kazakh_name_key(n[1], n[2], n[3], n[0] or 0))
    total = len(ordered)
    page_ids = [graduate_id for graduate_id, *_ in ordered[offset:offset + limit]]
    position = {graduate_id: index for index, graduate_id in enumerate(page_ids)}
    rows = sorted(session.exec(select(Graduate, Holder.surname, Holder.name, Holder.patronymic)
                               .join(Holder, col(Holder.id) == Graduate.holder_id)
                               .where(col(Graduate.id).in_(page_ids))).all(),
                  key=lambda r: position[r[0].id]) if page_ids else []
    ids = [graduate.id for graduate, *_ in rows]
    latest: dict[int, tuple[str, str]] = {}
    if ids:
        for graduate_id, series, number in session.exec(
                select(Document.graduate_id, Document.series, Document.number)
                .where(col(Document.graduate_id).in_(ids)).order_by(col(Document.id))):
            latest[graduate_id] = (series, number)
    out = []
    for graduate, surname, name, patronymic in rows:
        assert graduate.id is not None
        out.append(GraduateLine(graduate, surname, name, patronymic, latest.get(graduate.id)))
    return out, int(total)


@dataclass(frozen=True, slots=True)
class GroupLine:
    """A study group: its graduates and how many of them have their original."""

    group: str
    graduates: int
    issued: int


def group_lines(*, session: Session, institution_id: int) -> list[GroupLine]:
    """The institution's study groups by name, with their graduates and originals issued."""
    graduates = dict(session.exec(select(Graduate.study_group, func.count())
                                  .where(Graduate.institution_id == institution_id)
                                  .group_by(col(Graduate.study_group))).all())
    issued = dict(session.exec(select(Graduate.study_group, func.count())
                               .join(Document, col(Document.graduate_id) == Graduate.id)
                               .where(Graduate.institution_id == institution_id, col(Document.original_id).is_(None))
                               .group_by(col(Graduate.study_group))).all())
    return [GroupLine(group=group, graduates=int(n), issued=int(issued.get(group, 0)))
            for group, n in sorted(graduates.items())]


def group_size(*, session: Session, institution_id: int, group: str) -> int:
    """The graduates of one study group of the institution."""
    return int(session.exec(select(func.count()).select_from(Graduate).where(
        Graduate.institution_id == institution_id, Graduate.study_group == group)).one())


def original_of_graduate(*, session: Session, institution_id: int, graduate_id: int) -> Document | None:
    """The graduate's original document (series and number are on it), if one was issued."""
    return session.exec(select(Document).where(
        Document.graduate_id == graduate_id,
        col(Document.institution_id).in_(readable_institution_ids(session, institution_id)),
        col(Document.original_id).is_(None))).first()


# ----------------------------------------------------------------------------- batches
def recent_batches(*, session: Session, institution_id: int, limit: int) -> list[Batch]:
    """The institution's latest batches, newest first."""
    return list(session.exec(select(Batch).where(Batch.institution_id == institution_id)
                             .order_by(col(Batch.id).desc()).limit(limit)))


def get_batch_by_key(*, session: Session, stored_key: str, institution_id: int | None = None) -> Batch | None:
    """The batch of a stored idempotency key (`<BIN>:<key>`), of this institution when given."""
    statement = select(Batch).where(Batch.idempotency_key == stored_key)
    if institution_id is not None:
        statement = statement.where(Batch.institution_id == institution_id)
    return session.exec(statement).first()


def batch_progress(*, session: Session, batch: Batch) -> int:
    """How many graduates of the batch's snapshot have their original now."""
    ids = list(batch.graduate_ids)
    done = 0
    for start in range(0, len(ids), _CHUNK):
        done += int(session.exec(select(func.count()).select_from(Document).where(
            col(Document.graduate_id).in_(ids[start:start + _CHUNK]), col(Document.original_id).is_(None))).one())
    return done


# ----------------------------------------------------------------------------- audit
def audit_page(*, session: Session, institution_id: int, before: int | None = None, action: str | None = None,
               limit: int) -> list[AuditEvent]:
    """The institution's audit events, newest first: at most `limit`, with a smaller seq than `before`."""
    conditions: list[Any] = [AuditEvent.institution_id == institution_id]
    if before is not None:
        conditions.append(col(AuditEvent.seq) < before)
    if action is not None:
        conditions.append(AuditEvent.action == action)
    return list(session.exec(select(AuditEvent).where(*conditions).order_by(col(AuditEvent.seq).desc())
                             .limit(limit)))


__all__ = ["NOT_IN_YOUR_REGISTRY", "NO_SUCH_GRADUATE", "DocumentFilter", "DocumentHistory", "DocumentLine",
           "GraduateLine", "GroupLine", "audit_page", "batch_progress", "document_history", "document_page",
           "get_batch_by_key", "graduate_page", "group_lines", "group_size", "original_of_graduate",
           "own_document", "own_graduate", "recent_batches", "sheet_codes"]
