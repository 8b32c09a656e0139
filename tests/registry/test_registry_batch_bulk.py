"""The batch issue's set-based path (issue 16 item 1; verify/registry/batchissue.py) writes what the single issue
writes, in chunks of one transaction each, and falls back to one document per transaction when a chunk fails.

* a batch's documents, revisions, log entries and audit events have the shape of `issue_document`'s, every record
  verifies VALID, the audit chain and the transparency log check whole, and each log entry is the one
  `RevisionEntry.from_cose` reads from the stored COSE bytes;
* the chunk hooks (the place of the partner feed's outbox) are called once per chunk, in its transaction;
* a chunk that meets a graduate issued meanwhile, or runs out of blanks, is redone document by document: what can be
  issued is issued, the error is the single issue's, and a retry with the key finishes;
* `audit.canonical_json` is RFC 8785's canonical JSON (`rfc8785.dumps`) for any JSON value (property test).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest
import rfc8785
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import Session
from support.world import BASE_URL, World, graduate_id_of, issue_row, later, row, rows

from verify.errors import RecordError, StockError
from verify.registry.audit import canonical_json, verify_audit_chain
from verify.registry.batchissue import IssuedDocument, chunk_size
from verify.registry.blanks import add_blank_range
from verify.registry.documents import BatchResult, issue_document, issue_group
from verify.registry.lifecycle import annul_document
from verify.registry.models import Officer
from verify.registry.tlog import verify_log
from verify.transparency import RevisionEntry, decode_entry
from verify.verifier import VALID


def batch(world: World, group: str, key: str, *, officer: Officer | None = None, **kwargs: Any) -> BatchResult:
    with world.session() as session:
        return issue_group(session=session, officer=officer or world.uni_issuer, group=group, idempotency_key=key,
                           signer=world.signer, base_url=BASE_URL, at=later(1), **kwargs)


def fetch(world: World, sql: str, **params: object) -> list[Any]:
    with world.engine.connect() as connection:
        found = list(connection.execute(text(sql), params))
        connection.rollback()
    return found


def test_chunks_are_a_tenth_of_the_batch_within_bounds() -> None:
    sizes = (1, 6, 19, 20, 30, 249, 250, 500, 1000, 2500, 100_000)
    assert [chunk_size(n) for n in sizes] == [1, 1, 1, 20, 25, 25, 25, 50, 100, 250, 250]


def test_a_batch_writes_what_the_single_issue_writes(world: World) -> None:
    world.import_rows(rows(60, group="BULK"))
    single_row = row(70, group="ONE")
    single, _ = issue_row(world, single_row, at=later(1))
    result = batch(world, "BULK", "bulk-1")
    assert (result.total, result.issued, result.skipped) == (60, 60, 0)
    documents = fetch(world, "SELECT * FROM documents ORDER BY id")
    assert [int(d.number) for d in documents] == list(range(1, 62))
    first, bulk = documents[0]._asdict(), [d._asdict() for d in documents[1:]]
    for document in bulk:  # the same columns, the same values but the keys and the batch
        differs = {k for k in first if first[k] != document[k]}
        assert differs <= {"id", "number", "graduate_id", "batch_id"}, differs
        assert document["batch_id"] == result.batch_id and document["state"] == "valid"
    revisions = fetch(world, "SELECT * FROM document_revisions ORDER BY id")
    assert [r.document_id for r in revisions] == [d.id for d in documents]
    events = fetch(world, "SELECT * FROM audit_events WHERE action = 'document.issue' ORDER BY seq")
    assert [e.object_ref for e in events] == [f"BD {d.number}" for d in documents]

    def after(event: Any) -> dict[str, Any]:
        return event.after if isinstance(event.after, dict) else json.loads(event.after)

    assert all(set(after(e)) == set(after(events[0])) for e in events)
    assert after(events[-1])["batch_id"] == result.batch_id and after(events[0])["batch_id"] is None
    assert len({after(e)["holder"] for e in events}) == 61  # a keyed reference per holder, never the IIN
    events_count = world.scalar("SELECT count(*) FROM audit_events")
    with world.session() as session:
        assert verify_audit_chain(session=session).events == events_count
        assert verify_log(session).entries == 61
        session.commit()
    entries = fetch(world, "SELECT data FROM tlog_entries ORDER BY idx")
    assert [decode_entry(bytes(e.data)) for e in entries] == [RevisionEntry.from_cose(bytes(r.cose))
                                                              for r in revisions]
    verifier = world.verifier()
    for revision in revisions:
        assert verifier.check(revision.qr_text, at=later(2)).verdict == VALID
    assert single.number == "0000001"


def test_hooks_see_each_chunk_once_in_its_transaction(world: World) -> None:
    world.import_rows(rows(75, group="H"))
    seen: list[tuple[int, int, int]] = []

    def hook(session: Session, issued: Sequence[IssuedDocument], at: Any) -> None:
        ids = [d.document_id for d in issued]
        visible = session.execute(text("SELECT count(*) FROM documents WHERE id BETWEEN :a AND :b"),
                                  {"a": min(ids), "b": max(ids)}).scalar()
        seen.append((len(issued), int(visible or 0), len({d.signed.record.number for d in issued})))
        assert at == later(1)

    result = batch(world, "H", "hooks", hooks=[hook])
    assert result.issued == 75
    assert seen == [(25, 25, 25)] * 3  # chunks of a tenth of the batch, at least 25


def test_a_graduate_issued_meanwhile_sends_its_chunk_one_by_one(world: World) -> None:
    graduate_rows = rows(60, group="M")
    world.import_rows(graduate_rows)
    late = graduate_id_of(world, graduate_rows[40])  # in the second chunk of 25 (graduates 26-50)
    done: list[int] = []

    def progress(n: int, total: int) -> None:
        done.append(n)
        if n == 25:  # after the first chunk committed: another officer issues one of the next chunk singly
            with world.session() as session:
                issue_document(session=session, officer=world.uni_head, graduate_id=late, signer=world.signer,
                               base_url=BASE_URL, at=later(1))

    result = batch(world, "M", "meanwhile", progress=progress)
    assert (result.total, result.issued, result.skipped) == (60, 59, 1)
    assert done[-1] == 60
    assert world.scalar("SELECT count(*) FROM documents") == 60
    assert world.scalar("SELECT count(DISTINCT graduate_id) FROM documents") == 60
    assert world.scalar("SELECT max(CAST(number AS integer)) FROM documents") == 60  # the failed chunk's gave back
    events_count = world.scalar("SELECT count(*) FROM audit_events")
    with world.session() as session:
        assert verify_audit_chain(session=session).events == events_count
        assert verify_log(session).entries == 60
        session.commit()


def test_a_chunk_short_of_blanks_issues_what_it_can_then_a_retry_finishes(world: World) -> None:
    with world.session() as session:
        add_blank_range(session=session, officer=world.col_issuer, series="ТКБ", first="0000001", last="0000030",
                        at=later(0))
    world.import_rows(rows(40, doc_type="TVE", programme="06130100", group="ПО-21"), officer=world.col_issuer,
                      institution=world.college)
    with pytest.raises(StockError):
        batch(world, "ПО-21", "blanks", officer=world.col_issuer)
    # the first chunk (25) in bulk, the second one by one up to the last blank
    assert world.scalar("SELECT count(*) FROM documents") == 30
    assert world.scalar("SELECT count(*) FROM blanks WHERE state = 'used'") == 30
    with world.session() as session:
        add_blank_range(session=session, officer=world.col_issuer, series="ТКБ", first="0000031", last="0000040",
                        at=later(0))
    again = batch(world, "ПО-21", "blanks", officer=world.col_issuer)
    assert (again.issued, again.skipped, again.finished) == (10, 30, True)
    numbers = sorted(int(r.number) for r in fetch(world, "SELECT number FROM documents"))
    assert numbers == list(range(1, 41))
    events_count = world.scalar("SELECT count(*) FROM audit_events")
    with world.session() as session:
        assert verify_audit_chain(session=session).events == events_count
        session.commit()


JSON = st.recursive(
    st.none() | st.booleans() | st.integers(min_value=-(2**60), max_value=2**60) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(JSON)
def test_canonical_json_is_rfc8785(value: object) -> None:
    try:
        expected: bytes | type[Exception] = rfc8785.dumps(value)
    except rfc8785.CanonicalizationError as exc:
        expected = type(exc)
    try:
        got: bytes | type[Exception] = canonical_json(value)
    except rfc8785.CanonicalizationError as exc:
        got = type(exc)
    assert got == expected


@pytest.mark.parametrize("key", ["\ue000", "\uffff", "\U0001f600", "a\ue001", "\U00010000b"])
def test_canonical_json_sorts_keys_by_utf16_code_units(key: str) -> None:
    value = {key: 1, "\U0001f600x": 2, "\uff00": 3, "z": 4}
    assert canonical_json(value) == rfc8785.dumps(value)


def test_a_blank_series_given_for_service_numbered_documents_is_refused_as_singly(world: World) -> None:
    world.import_rows(rows(12, group="S"))
    with pytest.raises(RecordError, match="numbered by the service"):
        batch(world, "S", "service-series", blank_series="ТКБ")
    assert world.scalar("SELECT count(*) FROM documents") == 0


def test_a_batch_reissues_an_original_annulled_as_issued_in_error_as_the_single_issue_does(world: World) -> None:
    world.import_rows(rows(3, group="R"))
    first = batch(world, "R", "first")
    assert first.issued == 3
    number = fetch(world, "SELECT number FROM documents ORDER BY id")[1].number
    with world.session() as session:
        annul_document(session=session, officer=world.uni_head, series="BD", number=number,
                       basis="order No. 9: the wrong programme was issued", at=later(2), kind="issued_in_error")
    again = batch(world, "R", "second")
    assert (again.total, again.issued, again.skipped) == (3, 1, 2)
    assert world.scalar("SELECT count(*) FROM documents") == 4
    assert world.scalar("SELECT count(*) FROM documents WHERE state = 'valid'") == 3
