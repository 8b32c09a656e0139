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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson
import rfc8785
from sqlalchemy import update
from sqlmodel import Session, col, select

from ..errors import AuditChainError
from ..texts import text
from .bulk import insert_rows
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
    """Hex SHA-256 of the RFC 8785 canonical JSON of `fields` (`canonical_json`)."""
    return hashlib.sha256(canonical_json(dict(fields))).hexdigest()


#: RFC 8785 §3.2.2.3 (I-JSON, RFC 7493 §2.2): integers beyond +-(2**53 - 1) are refused by `rfc8785`.
_SAFE_INTEGER = 2**53 - 1


def canonical_json(value: Any) -> bytes:
    """The RFC 8785 (JCS) canonical JSON of `value`, UTF-8: what `rfc8785.dumps` gives, faster for the audit's values.

    A value made only of dicts with text keys, lists, text, booleans, None and integers within +-(2**53 - 1)
    serialises under RFC 8785 exactly as orjson does with sorted keys (no whitespace; text as UTF-8 with only `"`,
    `\\` and U+0000-U+001F escaped, the short escapes where JSON has them, else `\\u00xx` in lower case;
    RFC 8785 §3.2.2.2), provided the keys sort alike: RFC 8785 §3.2.3 sorts them by UTF-16 code units and orjson
    by code points, which differ only between U+E000-U+FFFF and U+10000 and above, so a key holding a character
    from U+E000 up goes to `rfc8785`. So does anything else (floats, other types, integers out of range, text
    orjson refuses), with `rfc8785`'s result or error. The property test holds the two equal
    (tests/registry/test_registry_audit_bulk.py).

    Raises:
        rfc8785.CanonicalizationError: from `rfc8785.dumps`, for a value JSON cannot represent.
    """
    if _plain(value):
        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass
    return rfc8785.dumps(value)


def _plain(value: Any) -> bool:
    stack = [value]
    while stack:
        item = stack.pop()
        kind = type(item)
        if item is None or kind is str or kind is bool:
            continue
        if kind is int:
            if -_SAFE_INTEGER <= item <= _SAFE_INTEGER:
                continue
            return False
        if kind is dict:
            for key, member in item.items():
                if type(key) is not str or (key and max(key) >= "\ue000"):
                    return False
                stack.append(member)
            continue
        if kind is list:
            stack.extend(item)
            continue
        return False
    return True


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
class EventBody:
    """What differs between the events of one `append_events` call (one per document of a batch chunk).

    Attributes:
        object_ref: what the event concerns, e.g. "BD 0000042" (at most 80 characters; never an IIN).
        before, after: JSON-serialisable states (no floats, no IIN), or None.
        reason: why, or None.
    """

    object_ref: str
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None
    reason: str | None = None


def append_events(*, session: Session, at: dt.datetime, action: str, object_type: str, bodies: Sequence[EventBody],
                  officer: Officer | None = None, actor: str | None = None,
                  institution_id: int | None = None) -> tuple[int, str]:
    """Append one event per body to the chain at once, in the session's open transaction (the caller commits).

    The set-based form of `append_event` for the batch issue (issue 16 item 1): the head is locked and read once,
    the chain's hashes are computed here in order (the same fields and the same hash as `append_event`, so
    `verify_audit_chain` cannot tell the two apart), the events are written by one multi-row INSERT and the head is
    updated once. Nothing here goes through the ORM's unit of work.

    Args:
        at, action, object_type, officer, actor, institution_id: as `append_event`, shared by every event.
        bodies: the events' object references and states, in chain order.

    Returns:
        The new head: (seq, hash) of the last event (the old head when `bodies` is empty).
    """
    head = session.exec(select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()).one()
    seq, prev_hash = int(head[0]), str(head[1])
    if not bodies:
        return seq, prev_hash
    when = at.astimezone(dt.UTC)
    common: dict[str, Any] = {
        "officer_id": officer.id if officer is not None else None,
        "actor": officer.username if officer is not None else (actor or "admin"),
        "action": action,
        "institution_id": institution_id if institution_id is not None else
        (officer.institution_id if officer is not None else None),
        "object_type": object_type,
    }
    hashed_at = format_audit_time(when)
    rows = []
    for body in bodies:
        seq += 1
        fields = {**common, "at": hashed_at, "object_ref": body.object_ref, "reason": body.reason,
                  "before": dict(body.before) if body.before is not None else None,
                  "after": dict(body.after) if body.after is not None else None, "prev_hash": prev_hash}
        prev_hash = event_hash(fields)
        rows.append({**fields, "at": when, "seq": seq, "hash": prev_hash})
    insert_rows(session, metadata.tables["audit_events"], rows)
    session.execute(update(AuditHead).where(col(AuditHead.id) == 1).values(seq=seq, hash=prev_hash))
    return seq, prev_hash


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
