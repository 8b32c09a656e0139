"""Partner systems: their registration (`create_partner`, audited; their tokens are in `accounts`) and their lookup
of a holder's documents by IIN, for the "digital documents" app (DOMAIN.md; seed 000 items 59-60; seed 002 item
12), with its audit event.

`holder_documents` joins the holder, their graduations, the documents, each document's current revision and its
institution in one query, and records the lookup in the audit chain as `partner.lookup` by the partner, with the
holder's keyed reference (`audit.holder_reference`) instead of the IIN, in the same transaction: who read whose
documents can be answered later without storing the IIN in the log. An IIN the registry does not know gives no
documents (and the same event).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import and_
from sqlmodel import Session, col, select

from ..errors import ConflictError, NotFoundError, RecordError
from ..identifiers import refuse_iin_in_text
from .access import flush_or_conflict, unit_of_work
from .audit import append_event, holder_reference
from .models import Document, DocumentRevision, Graduate, Holder, Institution, Partner


def create_partner(*, session: Session, name: str, at: dt.datetime, actor: str = "admin") -> Partner:
    """Register a partner system (e.g. the "digital documents" app); commits (audited).

    Raises:
        RecordError: an empty or over-long name (IinInTextError: it holds an IIN).
        ConflictError: the name is taken.
    """
    name = refuse_iin_in_text(" ".join(name.split()), field="name")
    if not 1 <= len(name) <= 100:
        raise RecordError("name: must be 1-100 characters")
    with unit_of_work(session):
        if get_partner_by_name(session=session, name=name) is not None:
            raise ConflictError(f"a partner named {name} exists")
        partner = Partner(name=name, active=True, created_at=at)
        session.add(partner)
        flush_or_conflict(session, f"a partner named {name} exists")
        append_event(session=session, at=at, action="partner.create", object_type="partner", object_ref=name[:80],
                     actor=actor, after={"name": name})
    return partner


def get_partner_by_name(*, session: Session, name: str) -> Partner | None:
    """The partner with this name, or None."""
    return session.exec(select(Partner).where(Partner.name == name)).first()


def get_partner_or_raise(*, session: Session, partner_id: int) -> Partner:
    """The partner with this id.

    Raises:
        NotFoundError: none.
    """
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise NotFoundError(f"no partner {partner_id}")
    return partner


def list_partners(*, session: Session) -> list[Partner]:
    """Every registered partner system, by name."""
    return list(session.exec(select(Partner).order_by(col(Partner.name))))


@dataclass(frozen=True, slots=True)
class HolderDocument:
    """One document of a holder: its row, its current signed revision, and its institution's BIN."""

    document: Document
    revision: DocumentRevision
    institution_bin: str


def holder_documents(*, session: Session, iin: str, actor: str, at: dt.datetime) -> list[HolderDocument]:
    """Every document of the holder with this IIN (validated by the caller), by issue time; commits the audit event.

    Args:
        iin: the holder's IIN (never written anywhere: the event names the holder's keyed reference).
        actor: who asks, e.g. "partner:eGov Mobile digital documents".
        at: the time of the lookup (aware).
    """
    with unit_of_work(session):
        rows = session.exec(
            select(Document, DocumentRevision, Institution.bin)
            .join(Graduate, col(Graduate.id) == Document.graduate_id)
            .join(Holder, col(Holder.id) == Graduate.holder_id)
            .join(DocumentRevision, and_(col(DocumentRevision.document_id) == Document.id,
                                         col(DocumentRevision.revision) == Document.current_revision))
            .join(Institution, col(Institution.id) == Document.institution_id)
            .where(Holder.iin == iin).order_by(col(Document.issued_at), col(Document.id))).all()
        append_event(session=session, at=at, action="partner.lookup", object_type="holder",
                     object_ref=holder_reference(session=session, iin=iin), actor=actor,
                     after={"documents": len(rows)})
    return [HolderDocument(document, revision, institution_bin) for document, revision, institution_bin in rows]
