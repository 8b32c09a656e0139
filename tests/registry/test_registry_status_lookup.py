"""The three ways of asking the registry for a status answer alike, on both engines.

`RegistryStatusLookup` on the read-only engine of the other registry tests (transactions), on an autocommit
engine (what `web.runtime.services` gives it), and `AsyncRegistryStatusLookup` (what the web service's event loop asks:
psycopg's asyncio pool on PostgreSQL, the inline lookup on SQLite) must give the same `RegistryStatus` for
every state of the lifecycle and every time of the check (seed 000 items 21-25, appendix 38), and the same
error when the registry cannot be read (`SchemaError` not migrated, `RegistryUnavailableError` unreachable). On
PostgreSQL the asynchronous lookup sends the lookups of one
turn of the event loop as one statement: each caller still gets its own answer, a cancelled caller leaves the
others alone, a failed statement fails every caller with `SchemaError`.

Timeline (`support.world` helpers): T0 BD original issued; +10 corrected; +20 duplicate No. 1 (lost);
+30 duplicate No. 2 (name changed) instead of No. 1; +40 No. 2 annulled.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import event, make_url
from support.coroutines import run_async
from support.world import T0, World, annul, correct, duplicate, issue_row, later, row

from verify.codec import parse_sign1
from verify.errors import RegistryUnavailableError, SchemaError
from verify.record import HolderName
from verify.registry.async_lookup import MAX_BATCH, AsyncRegistryStatusLookup
from verify.registry.db import make_engine
from verify.registry.lookup import RegistryStatusLookup, StatusStatement
from verify.registry.models import DocumentRevision
from verify.status import RegistryStatus, StatusCode


def ask_all(world: World, revision: DocumentRevision, at: dt.datetime, *, payload_sha256: bytes | None = None,
            number: str | None = None) -> RegistryStatus:
    """The status from all three lookups; fails unless they agree."""
    question = {"series": revision.record["series"], "number": number or revision.record["number"],
                "revision": revision.revision, "at": at,
                "payload_sha256": payload_sha256 or hashlib.sha256(parse_sign1(revision.cose).payload).digest()}
    in_transaction = world.verifier().status_lookup
    assert in_transaction is not None
    autocommit_engine = make_engine(world.url, readonly=True, autocommit=True)
    try:
        autocommit = RegistryStatusLookup(autocommit_engine).lookup(**question)  # type: ignore[arg-type]

        async def on_a_loop() -> RegistryStatus:
            async with AsyncRegistryStatusLookup.for_engine(autocommit_engine, pool_size=2) as lookup:
                return await lookup.lookup(**question)  # type: ignore[arg-type]

        awaited = run_async(on_a_loop())
    finally:
        autocommit_engine.dispose()
    answer = in_transaction.lookup(**question)  # type: ignore[arg-type]
    assert autocommit == answer and awaited == answer
    return answer


def test_every_state_answers_alike(world: World) -> None:
    original, rev1 = issue_row(world, row(1))
    rev2 = correct(world, original, {"name": "Гүлнар"}, at=later(10))
    dup1, dup1_rev = duplicate(world, original, reason="lost", at=later(20))
    dup2, dup2_rev = duplicate(world, dup1, reason="name_changed", at=later(30),
                               new_name=HolderName("Серікова", "Гүлнар"))
    annul(world, dup2, at=later(40), basis="court decision 2-123/2026")

    assert ask_all(world, rev1, later(5)).code is StatusCode.ORIGINAL_VALID
    corrected = ask_all(world, rev1, later(15))
    assert corrected.code is StatusCode.CORRECTED and corrected.changed_fields == ("name",)
    assert corrected.current_revision == 2 and corrected.changed_at == later(10)
    assert ask_all(world, rev2, later(15)).code is StatusCode.ORIGINAL_VALID
    replaced = ask_all(world, rev2, later(25))
    assert replaced.code is StatusCode.REPLACED and replaced.replaced_by is not None
    assert (replaced.replaced_by.number, replaced.replaced_by.duplicate_no, replaced.reason) == \
        (dup1.number, 1, "lost")
    first = ask_all(world, dup1_rev, later(25))
    assert first.code is StatusCode.DUPLICATE_VALID and first.duplicate_no == 1
    assert first.original is not None and first.original.number == original.number
    assert first.original.issued_on == T0.date() and first.original.duplicate_no is None
    second = ask_all(world, dup1_rev, later(35))
    assert second.code is StatusCode.REPLACED and second.original is not None
    assert second.original.number == original.number  # a replaced duplicate still names the first original
    assert ask_all(world, dup2_rev, later(35)).code is StatusCode.DUPLICATE_VALID
    annulled = ask_all(world, dup2_rev, later(45))
    assert annulled.code is StatusCode.ANNULLED and annulled.reason == "court decision 2-123/2026"
    assert annulled.annulled_at == later(40)


def test_what_the_registry_does_not_hold_answers_alike(world: World) -> None:
    _, rev1 = issue_row(world, row(2), at=later(10))
    assert ask_all(world, rev1, later(5)).code is StatusCode.NOT_IN_REGISTRY  # before it was issued
    assert ask_all(world, rev1, later(15), payload_sha256=bytes(32)).code is StatusCode.NOT_IN_REGISTRY
    assert ask_all(world, rev1, later(15), number="9999999").code is StatusCode.NOT_IN_REGISTRY


def test_an_unreadable_registry_is_a_schema_error_for_all(empty_url: str) -> None:
    """Not migrated: no table. The status is unknown (SchemaError), never NOT_IN_REGISTRY."""
    engine = make_engine(empty_url, readonly=True, autocommit=True)
    question = {"series": "BD", "number": "0000001", "revision": 1, "payload_sha256": bytes(32), "at": T0}
    try:
        with pytest.raises(SchemaError, match="status unknown"):
            RegistryStatusLookup(engine).lookup(**question)  # type: ignore[arg-type]

        async def on_a_loop() -> None:
            async with AsyncRegistryStatusLookup.for_engine(engine, pool_size=1, timeout_s=5) as lookup:
                with pytest.raises(SchemaError, match="status unknown"):
                    await lookup.lookup(**question)  # type: ignore[arg-type]
                with pytest.raises(ValueError, match="aware"):
                    await lookup.lookup(**{**question, "at": T0.replace(tzinfo=None)})  # type: ignore[arg-type]

        run_async(on_a_loop())
    finally:
        engine.dispose()


def test_an_unreachable_postgresql_is_unavailable_within_the_pool_timeout() -> None:
    """Nothing listens on the port: the pool gives up after its timeout, and the lookup says so."""
    engine = make_engine("postgresql+psycopg://postgres@127.0.0.1:9/test", readonly=True, autocommit=True)
    question = {"series": "BD", "number": "0000001", "revision": 1, "payload_sha256": bytes(32), "at": T0}

    async def on_a_loop() -> None:
        async with AsyncRegistryStatusLookup.for_engine(engine, pool_size=1, timeout_s=0.5) as lookup:
            with pytest.raises(RegistryUnavailableError, match=r"\(PoolTimeout\); status unknown"):
                await lookup.lookup(**question)  # type: ignore[arg-type]

    run_async(on_a_loop())


def test_the_statement_binds_by_the_driver_style() -> None:
    sqlite = StatusStatement.for_dialect(make_engine("sqlite://").dialect)
    assert sqlite.positional == ("series", "number") and "?" in sqlite.sql
    assert sqlite.parameters(series="BD", number="0000001") == ("BD", "0000001")
    postgres = StatusStatement.for_dialect(make_engine("postgresql+psycopg://u@127.0.0.1/x").dialect)
    assert postgres.positional is None and "%(series)s" in postgres.sql
    assert postgres.parameters(series="BD", number="0000001") == {"series": "BD", "number": "0000001"}
    assert len(sqlite.processors) == len(postgres.processors) == 32  # the log entry; a closure (issue 13)


def question_of(revision: DocumentRevision, at: dt.datetime) -> dict[str, object]:
    """What the verifier asks about a signed revision."""
    return {"series": revision.record["series"], "number": revision.record["number"], "revision": revision.revision,
            "payload_sha256": hashlib.sha256(parse_sign1(revision.cose).payload).digest(), "at": at}


def test_lookups_of_one_turn_share_a_statement_and_each_gets_its_own_answer(world: World) -> None:
    """On PostgreSQL the lookups that arrive together go as one statement (at most MAX_BATCH documents each);
    every caller gets what a lookup of its own would answer, also for repeated and unknown documents."""
    original, rev1 = issue_row(world, row(3))
    rev2 = correct(world, original, {"name": "Гүлнар"}, at=later(10))
    _, dup_rev = duplicate(world, original, reason="lost", at=later(20))
    _, other_rev = issue_row(world, row(4))
    questions = [question_of(revision, later(30)) for revision in (rev1, rev2, dup_rev, other_rev, rev1)]
    questions.append({**questions[3], "number": "9999999"})
    expected = [world.verifier().status_lookup.lookup(**q) for q in questions]  # type: ignore[union-attr, arg-type]
    assert [s.code for s in expected] == [StatusCode.REPLACED, StatusCode.REPLACED, StatusCode.DUPLICATE_VALID,
                                          StatusCode.ORIGINAL_VALID, StatusCode.REPLACED,
                                          StatusCode.NOT_IN_REGISTRY]
    engine = make_engine(world.url, readonly=True, autocommit=True)

    async def together(batches: int) -> tuple[list[RegistryStatus], int]:
        async with AsyncRegistryStatusLookup.for_engine(engine, pool_size=2) as lookup:
            many = questions * (batches * MAX_BATCH // len(questions) + 1)
            answers = await asyncio.gather(*(lookup.lookup(**q) for q in many))  # type: ignore[arg-type]
            return list(answers), lookup.statements

    try:
        answers, statements = run_async(together(1))
        assert answers[:len(questions)] == expected and answers == expected * (len(answers) // len(expected)) \
            + expected[:len(answers) % len(expected)]
        postgres = engine.dialect.name == "postgresql"
        assert statements == (1 if postgres else 0)  # repeated documents share their place in the batch
        _, statements = run_async(together(0))
        assert statements == (1 if postgres else 0)
    finally:
        engine.dispose()


def test_a_full_turn_is_sent_in_batches_of_max_batch(world: World) -> None:
    """More distinct documents than MAX_BATCH in one turn: several statements, each answer still right."""
    if not world.url.startswith("postgresql"):
        pytest.skip("batches are PostgreSQL's")
    _, revision = issue_row(world, row(5))
    known = question_of(revision, later(5))
    unknown = [{**known, "number": f"{n:07d}"} for n in range(100, 100 + MAX_BATCH + 5)]
    engine = make_engine(world.url, readonly=True, autocommit=True)

    async def run() -> tuple[list[RegistryStatus], int]:
        async with AsyncRegistryStatusLookup.for_engine(engine, pool_size=2) as lookup:
            answers = await asyncio.gather(*(lookup.lookup(**q) for q in (known, *unknown)))  # type: ignore[arg-type]
            return list(answers), lookup.statements

    try:
        answers, statements = run_async(run())
    finally:
        engine.dispose()
    assert answers[0].code is StatusCode.ORIGINAL_VALID
    assert {a.code for a in answers[1:]} == {StatusCode.NOT_IN_REGISTRY} and statements == 2


def test_a_cancelled_lookup_leaves_the_others_of_its_batch_alone(world: World) -> None:
    if not world.url.startswith("postgresql"):
        pytest.skip("SQLite lookups run inline and end before anyone could cancel them")
    _, rev1 = issue_row(world, row(6))
    _, rev2 = issue_row(world, row(7))
    engine = make_engine(world.url, readonly=True, autocommit=True)

    async def run() -> list[RegistryStatus]:
        async with AsyncRegistryStatusLookup.for_engine(engine, pool_size=1) as lookup:
            first = asyncio.ensure_future(lookup.lookup(**question_of(rev1, later(5))))  # type: ignore[arg-type]
            second = asyncio.ensure_future(lookup.lookup(**question_of(rev2, later(5))))  # type: ignore[arg-type]
            third = asyncio.ensure_future(lookup.lookup(**question_of(rev1, later(5))))  # type: ignore[arg-type]
            await asyncio.sleep(0)  # all three have joined the batch
            first.cancel()
            with pytest.raises(asyncio.CancelledError):
                await first
            return [await second, await third]

    try:
        second, third = run_async(run())
    finally:
        engine.dispose()
    assert second.code is StatusCode.ORIGINAL_VALID and third.code is StatusCode.ORIGINAL_VALID


def test_every_lookup_of_a_failed_batch_gets_the_error(empty_url: str) -> None:
    engine = make_engine(empty_url, readonly=True, autocommit=True)
    question = {"series": "BD", "number": "0000001", "revision": 1, "payload_sha256": bytes(32), "at": T0}

    async def run() -> list[object]:
        async with AsyncRegistryStatusLookup.for_engine(engine, pool_size=1, timeout_s=5) as lookup:
            return list(await asyncio.gather(*(lookup.lookup(**{**question, "number": f"000000{n}"})  # type: ignore[arg-type]
                                               for n in range(3)), return_exceptions=True))

    try:
        outcomes = run_async(run())
    finally:
        engine.dispose()
    assert all(isinstance(o, SchemaError) and "status unknown" in str(o) for o in outcomes)


def test_a_held_connection_reads_what_was_committed_before_each_lookup(world: World) -> None:
    """`hold=True` (the event loop's inline lookup) keeps one driver connection between lookups and answers as a
    lookup that takes one from the pool each time; an annulment committed between two lookups is in the next
    answer (an autocommit connection holds no snapshot); `close()` gives the connection back."""
    original, revision = issue_row(world, row(8))
    engine = make_engine(world.url, readonly=True, autocommit=True)
    checkouts: list[object] = []
    event.listen(engine, "checkout", lambda *_: checkouts.append(None))
    question = question_of(revision, later(50))
    try:
        held, plain = RegistryStatusLookup(engine, hold=True), RegistryStatusLookup(engine)
        first = held.lookup(**question)  # type: ignore[arg-type]
        assert first.code is StatusCode.ORIGINAL_VALID and first == plain.lookup(**question)  # type: ignore[arg-type]
        assert held.lookup(**question) == first and engine.pool.checkedout() == 1  # type: ignore[arg-type, attr-defined]
        annul(world, original, at=later(40), basis="court decision 2-7/2026")
        second = held.lookup(**question)  # type: ignore[arg-type]
        assert second.code is StatusCode.ANNULLED and second.reason == "court decision 2-7/2026"
        assert second == plain.lookup(**question)  # type: ignore[arg-type]
        assert len(checkouts) == 1 + 2  # the held connection once, the plain lookup's twice
        held.close()
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_a_held_connection_is_dropped_after_a_driver_error(empty_url: str) -> None:
    """The statement fails on the connection (no table): it is invalidated, the next lookup takes a fresh one."""
    if empty_url.startswith("sqlite"):  # a database file with no table (no file at all: no connection to drop)
        path = Path(make_url(empty_url).database or "")
        path.parent.mkdir(parents=True, exist_ok=True)
        sqlite3.connect(path).close()
    engine = make_engine(empty_url, readonly=True, autocommit=True)
    checkouts: list[object] = []
    event.listen(engine, "checkout", lambda *_: checkouts.append(None))
    question = {"series": "BD", "number": "0000001", "revision": 1, "payload_sha256": bytes(32), "at": T0}
    lookup = RegistryStatusLookup(engine, hold=True)
    try:
        for _ in range(2):
            with pytest.raises(SchemaError, match="status unknown"):
                lookup.lookup(**question)  # type: ignore[arg-type]
            assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        assert len(checkouts) == 2  # a fresh connection for each
    finally:
        engine.dispose()


def test_the_awaited_lookup_gives_its_held_connection_back_when_closed(world: World) -> None:
    _, revision = issue_row(world, row(9))
    engine = make_engine(world.url, readonly=True, autocommit=True)
    inline = engine.dialect.name == "sqlite"  # PostgreSQL's awaited lookup has a pool of its own

    async def run() -> RegistryStatus:
        async with AsyncRegistryStatusLookup.for_engine(engine, pool_size=1) as lookup:
            status = await lookup.lookup(**question_of(revision, later(5)))  # type: ignore[arg-type]
            status = await lookup.lookup(**question_of(revision, later(5)))  # type: ignore[arg-type]
            assert engine.pool.checkedout() == (1 if inline else 0)  # type: ignore[attr-defined]
            return status

    try:
        assert run_async(run()).code is StatusCode.ORIGINAL_VALID
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def test_row_values_go_through_their_columns_processors_but_nulls() -> None:
    statement = StatusStatement.for_dialect(make_engine("sqlite://").dialect)
    assert [index for index, _ in statement.converted] == \
        [index for index, process in enumerate(statement.processors) if process is not None]
    nulls = (None,) * len(statement.processors)
    assert statement.values([nulls, nulls]) == [nulls, nulls]
    with pytest.raises(ValueError, match="columns"):
        statement.values([nulls[:-1]])
