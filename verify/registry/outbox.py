"""The outbox of the digital diploma: an event per issue, duplicate, correction and annulment, for partner systems.

Seed 000, item 60: the result of the duplicate service is the paper duplicate AND "a digital diploma in the
"Digital documents" service of the eGovMobile app" (item 59: sent before the term ends). The registry does not
call that app while an officer waits: every change appends an event here IN ITS OWN TRANSACTION (both commit or
neither), and the partner reads them as a feed (`read_events`, `GET /api/v1/partner/events`) or gets them as signed
webhooks (`verify.registry.webhooks`, delivered by `web.runtime.webhooks`). Nothing is lost while a partner is down:
the events wait in the table, and each partner's cursor says how far it got.

Hooks (one call per place): `documents._issue` (single and batch issue), `lifecycle.issue_duplicate`,
`lifecycle.correct_document`, `lifecycle.annul_document` call `append_outbox_event`. A set-based batch builds its
events with `outbox_event` and appends them in one statement with `append_outbox_events` (executemany).

Order and cursor: `append_outbox_events` takes its cursors from the `outbox_head` row with one UPDATE ... RETURNING,
which locks the row until the transaction ends; so cursors are gapless and commit in the order they were handed
out, and a reader that saw cursor N never later finds a new event below N (an AUTOINCREMENT id would: two
transactions may commit out of id order). Lock order: a change locks the transparency log's head, then the audit
chain's head, then this head (every hook runs after the change's audit event), so no deadlock.

Privacy (README "Partner"; DESIGN.md, Surfaces): no IIN in an event. The holder is named by the registry's keyed
reference (`audit.holder_reference`, "hr:" + 16 hex digits of an HMAC under the registry's own key), which a
partner learns, for the holders it may read, from the answer of `POST /api/v1/partner/documents` (IIN in the body).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, update
from sqlmodel import Session, col, select

from ..texts import rfc3339
from .audit import holder_reference
from .bulk import insert_rows
from .models import Document, EventKind, Graduate, Holder, OutboxEventRow, OutboxHead, metadata

#: At most this many events are read at once (`read_events`; the feed's `limit`).
MAX_EVENTS_PER_READ = 1000


@dataclass(frozen=True, slots=True)
class OutboxEvent:
    """An event about to be appended (its cursor and UUID are given by `append_outbox_events`).

    Attributes:
        kind: issue, duplicate, correction or annulment.
        institution_bin: the issuing institution's BIN (12 digits).
        doc_type, series, number: the document the event is about (a duplicate: the new duplicate).
        revision: its current revision after the change (1 for an issue or a duplicate).
        holder_ref: the holder's keyed reference ("hr:" + 16 hex digits), never the IIN.
        at: when the change was made (aware).
        duplicate_no: a duplicate's N; replaces_series, replaces_number: the document a duplicate replaced.
    """

    kind: EventKind
    institution_bin: str
    doc_type: str
    series: str
    number: str
    revision: int
    holder_ref: str
    at: dt.datetime
    duplicate_no: int | None = None
    replaces_series: str | None = None
    replaces_number: str | None = None


def outbox_event(session: Session, *, kind: EventKind, document: Document, institution_bin: str, at: dt.datetime,
                 holder: Holder | None = None) -> OutboxEvent:
    """The event of a change to `document` (its state and current revision as the change left them).

    Args:
        holder: the document's holder, if the caller has the row (else read through the graduate).
    """
    if holder is None:
        graduate = session.get(Graduate, document.graduate_id)
        assert graduate is not None
        holder = session.get(Holder, graduate.holder_id)
        assert holder is not None
    replaced = None  # only a duplicate's event names what it replaced (a later correction of it does not)
    if kind is EventKind.DUPLICATE and document.replaces_id is not None:
        replaced = session.get(Document, document.replaces_id)
    return OutboxEvent(kind=kind, institution_bin=institution_bin, doc_type=document.doc_type, series=document.series,
                       number=document.number, revision=document.current_revision,
                       holder_ref=holder_reference(session=session, iin=holder.iin), at=at,
                       duplicate_no=document.duplicate_no if kind is EventKind.DUPLICATE else None,
                       replaces_series=None if replaced is None else replaced.series,
                       replaces_number=None if replaced is None else replaced.number)


def append_outbox_events(session: Session, events: Sequence[OutboxEvent]) -> list[int]:
    """Append events in the open transaction (one UPDATE of the head, one executemany INSERT); their cursors.

    Returns:
        The cursors given, in the order of `events` (consecutive).
    """
    if not events:
        return []
    head = metadata.tables["outbox_head"]
    last = session.execute(update(head).where(head.c.id == 1).values(last_id=head.c.last_id + len(events))
                           .returning(head.c.last_id)).scalar_one()
    first = int(last) - len(events) + 1
    rows = [{**asdict(event), "kind": event.kind.value, "id": first + offset, "event_id": str(uuid.uuid4())}
            for offset, event in enumerate(events)]
    insert_rows(session, metadata.tables["outbox_events"], rows)  # COPY on PostgreSQL (the batch's chunks)
    return [row["id"] for row in rows]


def append_outbox_event(session: Session, *, kind: EventKind, document: Document, institution_bin: str,
                        at: dt.datetime, holder: Holder | None = None) -> int:
    """Append the event of a change to `document` in the open transaction (`outbox_event`); its cursor."""
    event = outbox_event(session, kind=kind, document=document, institution_bin=institution_bin, at=at, holder=holder)
    return append_outbox_events(session, [event])[0]


def read_events(session: Session, *, after: int, limit: int) -> list[OutboxEventRow]:
    """The committed events with a cursor above `after`, in cursor order, at most `limit` (1..1000)."""
    limit = max(1, min(limit, MAX_EVENTS_PER_READ))
    return list(session.exec(select(OutboxEventRow).where(col(OutboxEventRow.id) > after)
                             .order_by(col(OutboxEventRow.id)).limit(limit)))


def last_event_id(session: Session) -> int:
    """The highest committed cursor (0 when there is no event)."""
    head = session.get(OutboxHead, 1)
    if head is not None:
        return int(head.last_id)
    return int(session.execute(select(func.coalesce(func.max(OutboxEventRow.id), 0))).scalar_one())


def event_json(row: OutboxEventRow) -> dict[str, Any]:
    """The event as the feed and the webhooks carry it (times in RFC 3339 UTC with Z; no IIN).

    Shape: {"id", "event_id", "kind", "at", "institution_bin", "doc_type", "series", "number", "revision",
    "duplicate_no", "replaces": {"series", "number"} | null, "holder_ref"}.
    """
    replaces = None if row.replaces_series is None else {"series": row.replaces_series,
                                                           "number": row.replaces_number}
    return {"id": row.id, "event_id": row.event_id, "kind": row.kind,
            "at": rfc3339(row.at),
            "institution_bin": row.institution_bin, "doc_type": row.doc_type, "series": row.series,
            "number": row.number, "revision": row.revision, "duplicate_no": row.duplicate_no, "replaces": replaces,
            "holder_ref": row.holder_ref}


__all__ = ["MAX_EVENTS_PER_READ", "EventKind", "OutboxEvent", "append_outbox_event", "append_outbox_events",
           "event_json", "last_event_id", "outbox_event", "read_events"]
