"""Migrations, engines and numbering primitives, on SQLite and PostgreSQL.

* the Alembic migrations build exactly the schema of the models (names from the naming convention);
* downgrade and upgrade again work;
* document types are seeded from verify/doctypes.py, counters for every service series;
* times come back aware and in UTC; SQLite runs in WAL mode and writers start with BEGIN IMMEDIATE;
* a counter gives 0000001, 0000002, ...; a rolled-back transaction gives its number back (no gaps);
  the eight-digit number is refused.
"""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.exc import StatementError
from sqlmodel import Session, select
from support.world import World

from verify.doctypes import DOCUMENT_TYPES, NumberingMode
from verify.errors import ConflictError, SchemaError
from verify.registry.db import (
    alembic_config,
    database_exists,
    head_revision,
    make_engine,
    require_current_schema,
    sqlite_path,
    upgrade_database,
)
from verify.registry.lookup import RegistryStatusLookup
from verify.registry.models import DocumentType, Institution, metadata
from verify.registry.numbering import allocate_number, peek_counter


def test_the_migrations_build_the_schema_of_the_models(empty_url: str) -> None:
    assert not database_exists(empty_url)
    assert upgrade_database(empty_url) == head_revision()
    assert database_exists(empty_url)
    engine = make_engine(empty_url)
    try:
        require_current_schema(engine)
        with engine.connect() as connection:
            diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
            names = {c["name"] for c in inspect(connection).get_unique_constraints("documents")}
            foreign = {c["name"] for c in inspect(connection).get_foreign_keys("documents")}
            indexes = {i["name"] for i in inspect(connection).get_indexes("documents")}
            connection.rollback()
    finally:
        engine.dispose()
    assert diff == []
    assert {"uq_documents_series_number", "uq_documents_original_id_duplicate_no"} <= names
    assert "fk_documents_graduate_id_graduates" in foreign
    assert "uq_documents_graduate_id_original" in indexes


def test_downgrade_and_upgrade_again(empty_url: str) -> None:
    upgrade_database(empty_url)
    command.downgrade(alembic_config(empty_url), "base")
    engine = make_engine(empty_url)
    try:
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
            connection.rollback()
        with pytest.raises(SchemaError, match="verify db init"):
            require_current_schema(engine)
    finally:
        engine.dispose()
    assert upgrade_database(empty_url) == head_revision()


def test_reference_data_is_seeded(world: World) -> None:
    with world.session() as session:
        seeded = {t.code: t for t in session.exec(select(DocumentType))}
        session.commit()
    assert set(seeded) == {t.code for t in DOCUMENT_TYPES}
    for doc_type in DOCUMENT_TYPES:
        row = seeded[doc_type.code]
        assert (row.cbor_id, row.series, row.numbering, row.name_kk) == (
            doc_type.cbor_id, doc_type.series, doc_type.numbering.value, doc_type.names["kk"])
    service = {t.series for t in DOCUMENT_TYPES if t.numbering is NumberingMode.SERVICE}
    with world.engine.connect() as connection:
        counters = {r[0]: r[1] for r in connection.execute(text("SELECT series, last FROM counters"))}
        connection.rollback()
    assert counters == dict.fromkeys(service, 0)


def test_times_come_back_aware_and_in_utc(world: World) -> None:
    almaty = dt.timezone(dt.timedelta(hours=5))
    with world.session() as session:
        institution = session.get(Institution, world.uni.id)
        assert institution is not None
        institution.created_at = dt.datetime(2026, 7, 1, 14, 30, 15, 123456, tzinfo=almaty)
        session.add(institution)
        session.commit()
    with world.session() as session:
        again = session.exec(select(Institution).where(Institution.id == world.uni.id)
                             .execution_options(populate_existing=True)).one()
        session.commit()
    assert again.created_at == dt.datetime(2026, 7, 1, 9, 30, 15, 123456, tzinfo=dt.UTC)
    assert again.created_at.utcoffset() == dt.timedelta(0)
    with world.session() as session:
        institution = session.get(Institution, world.uni.id)
        assert institution is not None
        institution.created_at = dt.datetime(2026, 7, 1, 9, 0)  # a naive time is refused, not stored
        session.add(institution)
        with pytest.raises(StatementError, match="timezone-aware"):
            session.commit()


def test_sqlite_writers_begin_immediate_in_wal_mode(sqlite_world: World) -> None:
    world = sqlite_world
    path = sqlite_path(world.url)
    assert path is not None
    with world.engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() == 60_000
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        # This transaction began with BEGIN IMMEDIATE: it holds the write lock before writing anything.
        other = sqlite3.connect(path, timeout=0.05, isolation_level=None)
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            other.execute("BEGIN IMMEDIATE")
        other.close()
        connection.rollback()
    reader = make_engine(world.url, readonly=True)
    with reader.connect() as connection, world.engine.connect() as writer:
        writer.execute(text("SELECT 1"))  # the writer holds the write lock ...
        assert connection.execute(text("SELECT count(*) FROM institutions")).scalar() == 3  # ... readers still read
        connection.rollback()
        writer.rollback()
    reader.dispose()


def test_counters_give_seven_digit_numbers_in_order_without_gaps(world: World) -> None:
    with Session(world.engine) as session:
        assert [allocate_number(session=session, series="BD") for _ in range(3)] == ["0000001", "0000002", "0000003"]
        assert allocate_number(session=session, series="MD") == "0000001"
        session.commit()
    with Session(world.engine) as session:
        assert allocate_number(session=session, series="BD") == "0000004"
        session.rollback()  # the document was not written: the number is not used
    with Session(world.engine) as session:
        assert allocate_number(session=session, series="BD") == "0000004"
        assert allocate_number(session=session, series="ZZ") == "0000001"  # a new series gets its counter
        session.commit()
        assert peek_counter(session=session, series="BD") == 4
        session.commit()


def test_a_series_refuses_an_eighth_digit(world: World) -> None:
    with world.engine.begin() as connection:
        connection.execute(text("UPDATE counters SET last = 9999998 WHERE series = 'PhD'"))
    with Session(world.engine) as session:
        assert allocate_number(session=session, series="PhD") == "9999999"
        session.commit()
    with Session(world.engine) as session, pytest.raises(ConflictError, match="all seven-digit numbers"):
        allocate_number(session=session, series="PhD")
    assert world.scalar("SELECT last FROM counters WHERE series = 'PhD'") == 9_999_999


def test_a_registry_that_cannot_be_read_is_an_error_not_a_verdict(empty_url: str) -> None:
    engine = make_engine(empty_url)  # exists (SQLite file / schema) but holds no tables
    try:
        with pytest.raises(SchemaError, match="status unknown"):
            RegistryStatusLookup.from_engine(engine).lookup(series="BD", number="0000001", revision=1,
                                                            payload_sha256=bytes(32), at=dt.datetime.now(dt.UTC))
    finally:
        engine.dispose()


def test_an_engine_s_timeout_is_set_on_every_connection_it_opens(empty_url: str) -> None:
    # Issue 10 item 12: one statement timeout for every connection (PostgreSQL statement and lock timeouts,
    # SQLite busy timeout), so that a locked table ends in an error (a 503 in the service), not a wait.
    engine = make_engine(empty_url, timeout_ms=1234, pool_size=2)
    try:
        for _ in range(2):  # a fresh connection and a pooled one
            with engine.connect() as connection:
                if engine.dialect.name == "sqlite":
                    assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1234
                else:
                    assert connection.exec_driver_sql("SHOW statement_timeout").scalar() == "1234ms"
                    assert connection.exec_driver_sql("SHOW lock_timeout").scalar() == "1234ms"
    finally:
        engine.dispose()
    for wrong in (0, -5, True, 1.5):
        with pytest.raises(ValueError, match="timeout_ms"):
            make_engine(empty_url, timeout_ms=wrong)  # type: ignore[arg-type]
