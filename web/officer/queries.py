"""The officers' answers built from the registry's read queries (`verify.registry.queries`): the response models
of `web.officer.schemas`, never an IIN.

The SQL is the registry's; this module only shapes what it read: a document as listed or with its history, a
graduate, a revision, an audit event. The institution is always the officer's (`officer_of`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from verify.errors import ForbiddenError
from verify.registry.accounts import Identity
from verify.registry.models import AuditEvent, Document, DocumentRevision, Officer
from verify.registry.queries import DocumentHistory, DocumentLine, GraduateLine
from verify.texts import text

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
"""The largest page of documents, graduates or audit events an answer holds."""


def officer_of(identity: Identity) -> Officer:
    """The officer of an officer principal (the officer scopes are held by officer accounts only).

    Raises:
        ForbiddenError: the principal is an administrator or a partner.
    """
    if identity.officer is None:
        raise ForbiddenError(text("v_officer_only"))
    return identity.officer


def holder_of(record: Mapping[str, Any]) -> HolderNameModel:
    """The holder's name of a stored record (`Record.to_json()`)."""
    holder = record.get("holder", {})
    return HolderNameModel(surname=str(holder.get("surname", "")), name=str(holder.get("name", "")),
                           patronymic=holder.get("patronymic"))


def summary_model(line: DocumentLine) -> DocumentSummaryModel:
    """A document as listed: its state, numbers and the holder's name as on its current revision."""
    document = line.document
    assert document.id is not None
    return DocumentSummaryModel(id=document.id, series=document.series, number=document.number,
                                doc_type=document.doc_type, state=document.state,  # type: ignore[arg-type]
                                duplicate_no=document.duplicate_no, current_revision=document.current_revision,
                                issued_at=document.issued_at, holder=holder_of(line.record), group=line.group)


def _ref(document: Document | None) -> DocumentRefOut | None:
    return None if document is None else DocumentRefOut(series=document.series, number=document.number)


def detail_model(history: DocumentHistory) -> DocumentDetailModel:
    """A document with its revisions, its duplicate chain and its audit events (seed 000 items 21-25)."""
    document = history.line.document
    return DocumentDetailModel(
        **summary_model(history.line).model_dump(), duplicate_reason=document.duplicate_reason,
        stamp=document.stamp_texts, replaced_at=document.replaced_at, replaced_by=_ref(history.replaced_by),
        replaces=_ref(history.replaces), original=_ref(history.original), annulled_at=document.annulled_at,
        annul_basis=document.annul_basis, revisions=[revision_model(r) for r in history.revisions],
        chain=[ChainItemModel(series=d.series, number=d.number, duplicate_no=d.duplicate_no, state=d.state,
                              issued_at=d.issued_at, duplicate_reason=d.duplicate_reason) for d in history.chain],
        events=[audit_event_model(e) for e in history.events])


def revision_model(revision: DocumentRevision) -> RevisionModel:
    """A signed revision as shown."""
    return RevisionModel(revision=revision.revision, signed_at=revision.signed_at, kid=revision.kid,
                         payload_sha256=revision.payload_sha256, qr_text=revision.qr_text,
                         changed_fields=list(revision.changed_fields), reason=revision.reason)


def audit_event_model(event: AuditEvent) -> AuditEventModel:
    """An audit event as shown."""
    return AuditEventModel(seq=event.seq, at=event.at, actor=event.actor, action=event.action,
                           object_type=event.object_type, object_ref=event.object_ref, reason=event.reason,
                           before=event.before, after=event.after)


def graduate_model(line: GraduateLine) -> GraduateModel:
    """A graduate as listed, with its latest document (never the IIN)."""
    graduate = line.graduate
    assert graduate.id is not None
    document = None if line.document is None else DocumentRefOut(series=line.document[0], number=line.document[1])
    return GraduateModel(id=graduate.id, holder=HolderNameModel(surname=line.surname, name=line.name,
                                                                patronymic=line.patronymic),
                         doc_type=graduate.doc_type, programme=graduate.programme,
                         qualification=graduate.qualification, honours=graduate.honours,
                         award_date=graduate.award_date, group=graduate.study_group, document=document)
