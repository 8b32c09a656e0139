"""The audit log: append-only (triggers), hash-chained, and any edit, deletion or reordering named.

The tests bypass the triggers as the database owner would (SQLite: DROP TRIGGER; PostgreSQL:
ALTER TABLE ... DISABLE TRIGGER USER) and then tamper with the rows by raw SQL.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import DatabaseError
from support.world import World, issue_row, row

from verify.errors import AuditChainError
from verify.registry.audit import event_fields, event_hash, verify_audit_chain
from verify.registry.models import GENESIS_HASH, AuditEvent


def build_history(world: World) -> int:
    """Issue, correct and duplicate a few documents; return the number of events."""
    for n in range(3):
        issue_row(world, row(n + 2))
    count = world.scalar("SELECT count(*) FROM audit_events")
    assert isinstance(count, int) and count >= 12
    return count


def chain_error(world: World) -> AuditChainError:
    with world.session() as session, pytest.raises(AuditChainError) as caught:
        verify_audit_chain(session=session)
    return caught.value


def bypass_triggers(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER USER"))
    else:
        connection.execute(text("DROP TRIGGER audit_events_no_update"))
        connection.execute(text("DROP TRIGGER audit_events_no_delete"))


Statement = tuple[str, dict[str, int]]
EDIT_REASON = "UPDATE audit_events SET reason = 'nothing to see' WHERE seq = :s"
EDIT_ACTOR = "UPDATE audit_events SET actor = 'someone.else' WHERE seq = :s"
EDIT_AFTER = "UPDATE audit_events SET after = NULL WHERE seq = :s"
DELETE = "DELETE FROM audit_events WHERE seq = :s"
MOVE = "UPDATE audit_events SET seq = :to WHERE seq = :s"


@dataclass(frozen=True)
class Tampering:
    """One way of rewriting history, and what verification must say."""

    name: str
    sql: Callable[[int], list[Statement]]  # given the event count, the statements to run
    seq: Callable[[int], int]  # the event that must be named
    words: str  # a word of the message


CASES = [
    Tampering("edit a reason", lambda n: [(EDIT_REASON, {"s": 5})], lambda n: 5, "edited"),
    Tampering("edit the actor", lambda n: [(EDIT_ACTOR, {"s": 2})], lambda n: 2, "edited"),
    Tampering("edit the after state", lambda n: [(EDIT_AFTER, {"s": n - 1})], lambda n: n - 1, "edited"),
    Tampering("delete one event", lambda n: [(DELETE, {"s": 7})], lambda n: 7, "deleted"),
    Tampering("delete the first event", lambda n: [(DELETE, {"s": 1})], lambda n: 1, "deleted"),
    Tampering("delete the last event", lambda n: [(DELETE, {"s": n})], lambda n: n, "deleted"),
    Tampering("swap two events", lambda n: [(MOVE, {"s": 4, "to": -1}), (MOVE, {"s": 5, "to": 4}),
                                            (MOVE, {"s": -1, "to": 5})], lambda n: 4, "reordered"),
    Tampering("delete and renumber", lambda n: [(DELETE, {"s": 6})] + [(MOVE, {"s": s, "to": s - 1})
                                                                       for s in range(7, n + 1)],
              lambda n: 6, "deleted"),
]


def test_the_chain_of_a_fresh_history_verifies(world: World) -> None:
    count = build_history(world)
    with world.session() as session:
        summary = verify_audit_chain(session=session)
        first = session.get(AuditEvent, 1)
        assert first is not None
        # The hash is SHA-256 over the RFC 8785 form of the fields, chained from the genesis hash.
        assert first.prev_hash == GENESIS_HASH and first.hash == event_hash(event_fields(first))
    assert (summary.events, summary.head_seq) == (count, count)
    assert summary.head_hash == world.scalar("SELECT hash FROM audit_events WHERE seq = :s", s=count)


def test_triggers_refuse_update_and_delete(world: World) -> None:
    build_history(world)
    for statement in ("UPDATE audit_events SET reason = 'x' WHERE seq = 1", "DELETE FROM audit_events WHERE seq = 1",
                      "UPDATE document_revisions SET qr_text = 'x'", "DELETE FROM document_revisions"):
        with world.engine.connect() as connection:
            with pytest.raises(DatabaseError, match="append-only"):
                connection.execute(text(statement))
            connection.rollback()
    count = world.scalar("SELECT count(*) FROM audit_events")
    with world.session() as session:
        assert verify_audit_chain(session=session).events == count


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_tampering_is_found_and_the_first_bad_event_named(world: World, case: Tampering) -> None:
    count = build_history(world)
    with world.engine.begin() as connection:
        bypass_triggers(connection)
        for statement, params in case.sql(count):
            connection.execute(text(statement), params)
    error = chain_error(world)
    assert error.seq == case.seq(count), error.message
    assert case.words in error.message
    assert error.text is not None and error.text.key.startswith("v_audit_")  # said in kk/ru/en (issue 10 item 15)


def test_audit_events_never_hold_an_iin(world: World) -> None:
    people = [row(n + 2) for n in range(3)]
    for person in people:
        issue_row(world, person)
    with world.engine.connect() as connection:
        dump = json.dumps([[str(v) for v in r] for r in connection.execute(text("SELECT * FROM audit_events"))],
                          ensure_ascii=False)
    assert "hr:" in dump  # holders are referred to by a keyed reference
    assert not any(person.iin in dump for person in people)
