"""The audit log: append-only, hash-chained events (DESIGN.md, Registry and lifecycle: Audit).

Every change of the registry appends one `AuditEvent` in the same transaction as the change:
who (officer id and username), what (action, object), when, why (reason), and the state before
and after as JSON. The holder's IIN never appears in an event: `holder_reference` gives a keyed
reference (HMAC-SHA-256 under a per-database key) that an auditor holding the key can match
against an IIN, and that nobody else can invert (an IIN has ~20,000 candidates per birth date,
so an unkeyed hash would not protect it: DESIGN.md, Record format).

The chain: events are numbered `seq` = 1, 2, 3, ... without gaps; each stores `prev_hash`, the
previous event's hash (64 zeros before the first), and

    hash = hex SHA-256 of the RFC 8785 canonical JSON of
           {at, officer_id, actor, action, institution_id, object_type, object_ref, reason,
            before, after, prev_hash}

The order of the chain is the order of the `prev_hash` links; `seq` must agree with it. The one
row of `audit_head` holds the last seq and hash; every append locks it (`SELECT ... FOR UPDATE`
on PostgreSQL; SQLite's `BEGIN IMMEDIATE` serialises writers), so the chain never forks.
Triggers refuse UPDATE and DELETE on `audit_events` (migration 0001). An attacker who can bypass
them and rewrite the whole chain from some event on is caught only by comparing the head hash
with a copy kept elsewhere: `verify audit verify` prints it for that purpose.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import rfc8785
from sqlalchemy import update
from sqlmodel import Session, col, select

from ..errors import AuditChainError
from ..texts import text
from .models import GENESIS_HASH, AuditEvent, AuditHead, Officer, RegistryMeta, metadata

AUDIT_KEY_NAME = "audit_reference_key"
_KEY_CACHE = "verify.audit_key"


def format_audit_time(value: dt.datetime) -> str:
    """An aware time as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC, microseconds), as hashed."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_fields(event: AuditEvent) -> dict[str, Any]:
    """The fields of an event that its hash covers (everything but `seq` and `hash`)."""
    return {
        "at": format_audit_time(event.at),
        "officer_id": event.officer_id,
        "actor": event.actor,
        "action": event.action,
        "institution_id": event.institution_id,
        "object_type": event.object_type,
        "object_ref": event.object_ref,
        "reason": event.reason,
        "before": event.before,
        "after": event.after,
        "prev_hash": event.prev_hash,
    }


def event_hash(fields: Mapping[str, Any]) -> str:
    """Hex SHA-256 of the RFC 8785 canonical JSON of `fields`."""
    return hashlib.sha256(rfc8785.dumps(dict(fields))).hexdigest()


def holder_reference(*, session: Session, iin: str) -> str:
    """A keyed reference to a holder for audit events: "hr:" + 16 hex digits of HMAC-SHA-256(key, IIN).

    The key is the database's own (`registry_meta.audit_reference_key`, made by migration 0001).

    Raises:
        SchemaError: never directly; a database without the key row is not migrated (KeyError
            is turned into an assertion failure, which `require_current_schema` prevents).
    """
    key = session.info.get(_KEY_CACHE)
    if key is None:
        meta = session.get(RegistryMeta, AUDIT_KEY_NAME)
        assert meta is not None, "registry_meta has no audit reference key: the database is not migrated"
        key = bytes.fromhex(meta.value)
        session.info[_KEY_CACHE] = key
    return "hr:" + hmac.new(key, iin.encode("ascii"), hashlib.sha256).hexdigest()[:16]


def append_event(
    *,
    session: Session,
    at: dt.datetime,
    action: str,
    object_type: str,
    object_ref: str,
    officer: Officer | None = None,
    actor: str | None = None,
    institution_id: int | None = None,
    reason: str | None = None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, in the session's open transaction (the caller commits).

    Args:
        at: when it happened (aware).
        action: e.g. "document.issue", "document.duplicate", "document.correct", "document.annul",
            "blanks.receive", "blank.write_off", "graduates.import", "institution.create".
        object_type, object_ref: what it concerns, e.g. ("document", "BD 0000042"); never an IIN.
        officer: who did it; or `actor` for the command line's administrator ("admin").
        institution_id: the institution concerned (defaults to the officer's).
        reason: why (a duplicate's reason, a correction's reason, an annulment's basis).
        before, after: JSON-serialisable states (no floats, no IIN).

    Returns:
        The new event (written; the object itself is not attached to the session).
    """
    head = session.exec(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()).one()
    seq, prev_hash = head[0] + 1, head[1]
    event = AuditEvent(
        seq=seq,
        at=at.astimezone(dt.UTC),
        officer_id=officer.id if officer is not None else None,
        actor=officer.username if officer is not None else (actor or "admin"),
        action=action,
        institution_id=institution_id if institution_id is not None else
        (officer.institution_id if officer is not None else None),
        object_type=object_type,
        object_ref=object_ref,
        reason=reason,
        before=dict(before) if before is not None else None,
        after=dict(after) if after is not None else None,
        prev_hash=prev_hash,
        hash="",
    )
    event.hash = event_hash(event_fields(event))
    # A Core INSERT (not the unit of work): the event is written once and never changed.
    session.execute(metadata.tables["audit_events"].insert(), event.model_dump())
    session.execute(update(AuditHead).where(col(AuditHead.id) == 1).values(seq=seq, hash=event.hash))
    return event


@dataclass(frozen=True, slots=True)
class AuditChainSummary:
    """The result of a chain check that passed.

    Attributes:
        events: number of events checked.
        head_seq: the last event's seq (0 for an empty log).
        head_hash: the last event's hash (keep a copy elsewhere to detect a rewritten chain).
    """

    events: int
    head_seq: int
    head_hash: str


def verify_audit_chain(*, session: Session, batch_size: int = 2000) -> AuditChainSummary:
    """Recompute the whole chain; name the first event that was edited, deleted or reordered.

    Checks, in `seq` order: (1) seq runs 1, 2, 3, ... without a gap (a gap is a deleted event);
    (2) each event's hash matches its fields (else it was edited); (3) each `prev_hash` is the
    previous event's hash (else events were reordered, when that hash belongs to another event,
    or one was deleted and the rest renumbered); (4) the head row names the last event (else
    events at the end were deleted).

    Returns:
        `AuditChainSummary`.

    Raises:
        AuditChainError: with `seq` the first bad event (or the missing one) and a message saying
            what was found.
    """
    expected_seq, prev_hash, count = 1, GENESIS_HASH, 0
    statement = select(AuditEvent).order_by(col(AuditEvent.seq)).execution_options(yield_per=batch_size)
    events = session.exec(statement)
    try:  # a server-side cursor on PostgreSQL: close it also when a bad event ends the walk
        for event in events:
            _check_event(session, event, expected_seq=expected_seq, prev_hash=prev_hash)
            prev_hash, expected_seq, count = event.hash, expected_seq + 1, count + 1
            session.expunge(event)
    finally:
        events.close()
    head = session.exec(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1)).one()
    if head[0] > count:
        raise AuditChainError(text("v_audit_tail_deleted", count=count, head=head[0], first=count + 1), seq=count + 1)
    if head[0] != count or head[1] != prev_hash:
        raise AuditChainError(text("v_audit_head_rewritten", head=head[0], count=count), seq=max(count, 1))
    return AuditChainSummary(events=count, head_seq=count, head_hash=prev_hash)


def _check_event(session: Session, event: AuditEvent, *, expected_seq: int, prev_hash: str) -> None:
    if event.seq != expected_seq:
        raise AuditChainError(text("v_audit_missing", seq=expected_seq, next=event.seq), seq=expected_seq)
    if event_hash(event_fields(event)) != event.hash:
        raise AuditChainError(text("v_audit_edited", seq=event.seq), seq=event.seq)
    if event.prev_hash != prev_hash:
        owner = session.exec(select(AuditEvent.seq).where(AuditEvent.hash == event.prev_hash)).first()
        if owner is not None:
            raise AuditChainError(text("v_audit_reordered", seq=event.seq, owner=owner, previous=event.seq - 1),
                                  seq=event.seq)
        raise AuditChainError(text("v_audit_renumbered", seq=event.seq, previous=event.seq - 1), seq=event.seq)
