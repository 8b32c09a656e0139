"""Reading the registry for the officers' answers: always within the officer's own institution.

The institution comes from the account (`Identity.officer.institution_id`), never from the request (DESIGN.md,
Surfaces; seed 001 item 7). An object of another institution is answered exactly as a missing one (404), so that an
officer cannot learn which series and numbers other institutions hold: `own_document` and `own_graduate` are the
gates every route passes before it calls a registry service (which checks the institution again and would answer
403).

The helpers build the response models of `web.officerschemas` with few queries: a page of documents is one query
joining each document's current revision (for the holder's name as printed) and its graduate (for the group).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, Final

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from verify import Error
from verify.registry.accounts import Identity
from verify.registry.documents import get_document, list_revisions
from verify.registry.models import AuditEvent, Document, DocumentRevision, Graduate, Holder, Institution, Officer

from ..problems.errors import problem_from_error
from ..problems.handlers import ProblemError
from .schemas import (
    AuditEventModel,
    ChainItemModel,
    DocumentDetailModel,
    DocumentRefOut,
    DocumentSummaryModel,
    GraduateModel,
    HolderNameModel,
    RevisionModel,
)

MAX_PAGE: Final = 500
NOT_IN_YOUR_REGISTRY: Final = "no such document in your institution's registry"


@contextmanager
def registry_errors() -> Iterator[None]:
    """Turn a `verify.Error` raised inside the block into its problem (`staffproblems.problem_from_error`)."""
    try:
        yield
    except Error as exc:
        raise problem_from_error(exc) from None


def officer_of(identity: Identity) -> Officer:
    """The officer of an officer principal (the officer scopes are held by officer accounts only)."""
    if identity.officer is None:
        raise ProblemError("forbidden", "only an officer account acts for an institution")
    return identity.officer


def institution_of(session: Session, officer: Officer) -> Institution:
    """The officer's institution."""
    institution = session.get(Institution, officer.institution_id)
    assert institution is not None, "an officer of a missing institution"
    return institution


def own_document(session: Session, officer: Officer, series: str, number: str) -> Document:
    """The document with this series and number if it belongs to the officer's institution.

    Raises:
        ProblemError: not-found for a missing document, another institution's, or a malformed series or number
            (one answer for all three).
    """
    try:
        document = get_document(session=session, series=series, number=number)
    except Error:
        document = None
    if document is None or document.institution_id != officer.institution_id:
        raise ProblemError("not-found", NOT_IN_YOUR_REGISTRY)
    return document


def own_graduate(session: Session, officer: Officer, graduate_id: int) -> Graduate:
    """The graduate if it belongs to the officer's institution.

    Raises:
        ProblemError: not-found for a missing graduate or another institution's.
    """
    graduate = session.get(Graduate, graduate_id)
    if graduate is None or graduate.institution_id != officer.institution_id:
        raise ProblemError("not-found", "no such graduate in your institution's registry")
    return graduate


def holder_of(record: Mapping[str, Any]) -> HolderNameModel:
    """The holder's name of a stored record (`Record.to_json()`)."""
    holder = record.get("holder", {})
    return HolderNameModel(surname=str(holder.get("surname", "")), name=str(holder.get("name", "")),
                           patronymic=holder.get("patronymic"))


def _summary(document: Document, record: Mapping[str, Any], group: str) -> DocumentSummaryModel:
    assert document.id is not None
    return DocumentSummaryModel(id=document.id, series=document.series, number=document.number,
                                doc_type=document.doc_type, state=document.state,  # type: ignore[arg-type]
                                duplicate_no=document.duplicate_no, current_revision=document.current_revision,
                                issued_at=document.issued_at, holder=holder_of(record), group=group)


def document_summaries(session: Session, *, institution_id: int, where: Sequence[Any] = (), limit: int = MAX_PAGE,
                       offset: int = 0, newest_first: bool = True) -> tuple[list[DocumentSummaryModel], int]:
    """A page of the institution's documents (each with its current revision's holder name and its group).

    Args:
        where: extra SQL conditions on `Document` / `Graduate`.
        limit, offset: the page.

    Returns:
        (the page, the number of all matching documents).
    """
    conditions = [Document.institution_id == institution_id, *where]
    base = (select(Document, DocumentRevision.record, Graduate.study_group)
            .join(DocumentRevision, and_(col(DocumentRevision.document_id) == Document.id,
                                         col(DocumentRevision.revision) == Document.current_revision))
            .join(Graduate, col(Graduate.id) == Document.graduate_id)
            .where(*conditions))
    order = col(Document.id).desc() if newest_first else col(Document.number)
    rows = session.exec(base.order_by(order).limit(limit).offset(offset)).all()
    total = session.exec(select(func.count()).select_from(Document)
                         .join(Graduate, col(Graduate.id) == Document.graduate_id).where(*conditions)).one()
    return [_summary(document, record, group) for document, record, group in rows], int(total)


def _ref(session: Session, document_id: int | None) -> DocumentRefOut | None:
    if document_id is None:
        return None
    document = session.get(Document, document_id)
    return DocumentRefOut(series=document.series, number=document.number) if document is not None else None


def audit_event_model(event: AuditEvent) -> AuditEventModel:
    """An audit event as shown."""
    return AuditEventModel(seq=event.seq, at=event.at, actor=event.actor, action=event.action,
                           object_type=event.object_type, object_ref=event.object_ref, reason=event.reason,
                           before=event.before, after=event.after)


def document_detail(session: Session, document: Document) -> DocumentDetailModel:
    """A document with its revisions, its duplicate chain and its audit events (seed 000 items 21-25)."""
    assert document.id is not None
    revisions = list_revisions(session=session, document=document)
    current = next(r for r in revisions if r.revision == document.current_revision)
    graduate = session.get(Graduate, document.graduate_id)
    root_id = document.original_id if document.original_id is not None else document.id
    chain = session.exec(select(Document).where((col(Document.id) == root_id) | (col(Document.original_id) == root_id))
                         .order_by(col(Document.id))).all()
    ref = f"{document.series} {document.number}"
    events = session.exec(select(AuditEvent).where(AuditEvent.object_type == "document", AuditEvent.object_ref == ref,
                                                   AuditEvent.institution_id == document.institution_id)
                          .order_by(col(AuditEvent.seq))).all()
    summary = _summary(document, current.record, graduate.study_group if graduate is not None else "")
    return DocumentDetailModel(
        **summary.model_dump(), duplicate_reason=document.duplicate_reason, stamp=document.stamp_texts,
        replaced_at=document.replaced_at, replaced_by=_ref(session, document.replaced_by_id),
        replaces=_ref(session, document.replaces_id), original=_ref(session, document.original_id),
        annulled_at=document.annulled_at, annul_basis=document.annul_basis,
        revisions=[revision_model(r) for r in revisions],
        chain=[ChainItemModel(series=d.series, number=d.number, duplicate_no=d.duplicate_no, state=d.state,
                              issued_at=d.issued_at, duplicate_reason=d.duplicate_reason) for d in chain],
        events=[audit_event_model(e) for e in events])


def revision_model(revision: DocumentRevision) -> RevisionModel:
    """A signed revision as shown."""
    return RevisionModel(revision=revision.revision, signed_at=revision.signed_at, kid=revision.kid,
                         payload_sha256=revision.payload_sha256, qr_text=revision.qr_text,
                         changed_fields=list(revision.changed_fields), reason=revision.reason)


def graduate_models(session: Session, *, institution_id: int, group: str | None, limit: int,
                    offset: int) -> tuple[list[GraduateModel], int]:
    """A page of the institution's graduates by id, each with its latest document (never the IIN).

    Returns:
        (the page, the number of all matching graduates).
    """
    conditions: list[Any] = [Graduate.institution_id == institution_id]
    if group is not None:
        conditions.append(Graduate.study_group == group)
    rows = session.exec(select(Graduate, Holder.surname, Holder.name, Holder.patronymic)
                        .join(Holder, col(Holder.id) == Graduate.holder_id).where(*conditions)
                        .order_by(col(Graduate.id)).limit(limit).offset(offset)).all()
    total = session.exec(select(func.count()).select_from(Graduate).where(*conditions)).one()
    ids = [graduate.id for graduate, *_ in rows]
    latest: dict[int, DocumentRefOut] = {}
    if ids:
        for graduate_id, series, number in session.exec(
                select(Document.graduate_id, Document.series, Document.number)
                .where(col(Document.graduate_id).in_(ids)).order_by(col(Document.id))):
            latest[graduate_id] = DocumentRefOut(series=series, number=number)
    out = []
    for graduate, surname, name, patronymic in rows:
        assert graduate.id is not None
        out.append(GraduateModel(id=graduate.id, holder=HolderNameModel(surname=surname, name=name,
                                                                        patronymic=patronymic),
                                 doc_type=graduate.doc_type, programme=graduate.programme,
                                 qualification=graduate.qualification, honours=graduate.honours,
                                 award_date=graduate.award_date, group=graduate.study_group,
                                 document=latest.get(graduate.id)))
    return out, int(total)
