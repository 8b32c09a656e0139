"""Engines, sessions and migrations of the registry database (SQLite by default, PostgreSQL at scale).

SQLite (a file under the data directory, `Settings.resolved_database_url()`):

* pysqlite's own transaction handling is switched off (`isolation_level = None`) and every
  transaction of a writing engine starts with `BEGIN IMMEDIATE`, emitted in the engine's
  "begin" event: the write lock is taken at the start, so two writers never both read a
  counter and then fail to upgrade their lock (DESIGN.md, Numbering; the recipe of the
  SQLAlchemy SQLite dialect documentation, "Serializable isolation / Savepoints / Transactional DDL");
* WAL journal (readers do not block the writer), `busy_timeout` (a writer waits for the lock
  instead of failing), `foreign_keys = ON`, `synchronous = NORMAL` (durable at checkpoints, the
  usual setting with WAL).

A read-only engine (`make_engine(url, readonly=True)`, used by the status lookup) starts
deferred transactions with `query_only` set, so verification reads never queue for the write lock.

Every engine can be given one timeout (`make_engine(url, timeout_ms=...)`), set on every connection it opens: on
PostgreSQL `statement_timeout` and `lock_timeout` (a statement that runs, or waits for a lock, longer fails
with SQLSTATE 57014 or 55P03), on SQLite `busy_timeout` (the wait for a lock). The web service gives its reading
engines a short one and its writing engine a longer one (docs/DEPLOY.md); the command line waits as it always did.

PostgreSQL (`postgresql+psycopg://...`): READ COMMITTED; the services lock what they change
(`UPDATE ... RETURNING` on a counter row, `SELECT ... FOR UPDATE` on a blank range, a document
or the audit head). A test schema can be chosen with `?options=-csearch_path%3Dname`.

Migrations are Alembic scripts in `verify/registry/migrations/`; `upgrade_database(url)` runs
them on the URL it is handed (never one read from a file).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool, QueuePool, StaticPool
from sqlmodel import Session

from .. import texts
from ..errors import RegistryUnavailableError, SchemaError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
#: Milliseconds a SQLite writer waits for the write lock before giving up.
SQLITE_BUSY_TIMEOUT_MS = 60_000

SessionFactory = Callable[[], Session]


def utcnow() -> dt.datetime:
    """The current time, aware UTC (only the command line and the web app call this; services take `at`)."""
    return dt.datetime.now(dt.UTC)


def is_sqlite(url: str) -> bool:
    """Whether the SQLAlchemy URL names a SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL, or None for PostgreSQL or an in-memory SQLite database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)


def make_engine(url: str, *, readonly: bool = False, autocommit: bool = False, pool_size: int = 5,
                pooled: bool = True, pre_ping: bool = False, echo: bool = False,
                timeout_ms: int | None = None) -> Engine:
    """An engine for the registry database.

    Args:
        url: SQLAlchemy URL: `sqlite:///path/verify.db` or `postgresql+psycopg://user@host/db`.
        readonly: SQLite only: deferred transactions with `PRAGMA query_only` (for status lookups).
        autocommit: every statement is its own transaction, with no BEGIN and no ROLLBACK around it: one round
            trip instead of three, for a reader that runs a single SELECT per connection (the status lookup).
            A single statement reads one consistent snapshot on SQLite and on PostgreSQL.
        pool_size: connections kept in the pool (PostgreSQL, SQLite files).
        pooled: False for a connection per session, closed with it (a short-lived caller that
            never disposes the engine, e.g. the status lookup of one `verify check`).
        pre_ping: PostgreSQL: test each pooled connection before use (one more round trip per
            transaction; worth it behind a proxy that drops idle connections).
        echo: log SQL (development only: statements carry no IIN, but parameters might).
        timeout_ms: milliseconds a statement may run or wait for a lock on every connection of the engine
            (PostgreSQL `statement_timeout` and `lock_timeout`, PostgreSQL 16 manual §20.11.1; SQLite
            `busy_timeout`); None: no statement timeout on PostgreSQL, `SQLITE_BUSY_TIMEOUT_MS` on SQLite.
            Running over it raises `sqlalchemy.exc.OperationalError`.

    Returns:
        The engine; on SQLite the parent directory of the file is created.

    Raises:
        ValueError: `timeout_ms` is not a positive integer.
    """
    if timeout_ms is not None and (isinstance(timeout_ms, bool) or not isinstance(timeout_ms, int) or timeout_ms < 1):
        raise ValueError("timeout_ms: a positive number of milliseconds")
    parsed = make_url(url)
    options: dict[str, Any] = {"echo": echo}
    if autocommit:
        options["isolation_level"] = "AUTOCOMMIT"
    if parsed.get_backend_name() != "sqlite":
        if not pooled:
            server = create_engine(url, poolclass=NullPool, **options)
        else:
            server = create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=pre_ping,
                                   pool_recycle=1800, **options)
        if timeout_ms is not None:
            _install_server_timeouts(server, timeout_ms)
        return server
    path = sqlite_path(url)
    if path is not None and not readonly:
        path.parent.mkdir(parents=True, exist_ok=True)
    # A pool keeps connections open: closing the last connection of a WAL database checkpoints it and
    # removes the WAL file, milliseconds per transaction. In-memory databases get one connection.
    # A process that forks must `engine.dispose()` first (the child builds its own engine).
    busy_ms = SQLITE_BUSY_TIMEOUT_MS if timeout_ms is None else timeout_ms
    connect_args = {"timeout": busy_ms / 1000, "check_same_thread": False}
    if path is None:
        engine = create_engine(url, poolclass=StaticPool, connect_args=connect_args, **options)
    elif not pooled:
        engine = create_engine(url, poolclass=NullPool, connect_args=connect_args, **options)
    else:
        engine = create_engine(url, poolclass=QueuePool, pool_size=pool_size, max_overflow=pool_size,
                               connect_args=connect_args, **options)
    _install_sqlite_hooks(engine, readonly=readonly, autocommit=autocommit, busy_ms=busy_ms)
    return engine


def _install_server_timeouts(engine: Engine, timeout_ms: int) -> None:
    """`SET statement_timeout` and `lock_timeout` on every new connection, outside any transaction (the
    recipe of SQLAlchemy's "Setting a Default Schema for New Connections"), so that they hold for the session."""

    @event.listens_for(engine, "connect", insert=True)
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        autocommit = dbapi_connection.autocommit
        dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"SET statement_timeout = {int(timeout_ms)}")
            cursor.execute(f"SET lock_timeout = {int(timeout_ms)}")
        finally:
            cursor.close()
            dbapi_connection.autocommit = autocommit


def _install_sqlite_hooks(engine: Engine, *, readonly: bool, autocommit: bool, busy_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # pysqlite must not BEGIN by itself
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_ms)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if readonly:
                cursor.execute("PRAGMA query_only = ON")
            else:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    if autocommit:
        return  # SQLAlchemy still fires "begin" in AUTOCOMMIT mode: no BEGIN may be sent

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")


def session_factory(engine: Engine) -> SessionFactory:
    """A factory of sessions on `engine` that keep loaded objects usable after commit."""

    def factory() -> Session:
        return Session(engine, expire_on_commit=False)

    return factory


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that is closed (and its open transaction rolled back) on exit."""
    with Session(engine, expire_on_commit=False) as session:
        yield session


# ----------------------------------------------------------------------------- migrations
def alembic_config(url: str) -> Config:
    """An Alembic configuration for `url`, without any ini file (env.py reads `attributes["url"]`)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["url"] = url
    return config


def head_revision() -> str:
    """The newest migration id shipped with this code."""
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    """The migration id the database is at, or None for an empty database."""
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade_database(url: str, *, revision: str = "head") -> str:
    """Run the Alembic migrations on `url` up to `revision`; create the SQLite file if needed. At "head", also log
    the revisions signed before the transparency log began (`tlog.log_unlogged_revisions`; nothing when none).

    Returns:
        The revision the database is at afterwards.

    Raises:
        RegistryUnavailableError: the server cannot be reached, or a migration fails on the connection.
    """
    path = sqlite_path(url)
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        command.upgrade(alembic_config(url), revision)
        engine = make_engine(url)
        try:
            at = current_revision(engine)
            if revision == "head":  # revisions signed before the transparency log began get their entries once
                from .tlog import log_unlogged_revisions

                with Session(engine) as session:
                    log_unlogged_revisions(session, at=dt.datetime.now(dt.UTC))
        finally:
            engine.dispose()
    except OperationalError as exc:
        raise RegistryUnavailableError(texts.text("v_db_migrate", cause=exc.orig.__class__.__name__)) \
            from None
    assert at is not None
    return at


def database_exists(url: str) -> bool:
    """Whether a registry database is there: the SQLite file exists, or the server has the tables.

    Used by `verify check` / `verify scan` to decide whether to ask the registry.
    """
    path = sqlite_path(url)
    if is_sqlite(url) and (path is None or not path.is_file()):
        return False
    engine = make_engine(url, readonly=True)
    try:
        with engine.connect() as connection:
            return bool(inspect(connection).has_table("documents"))
    except OperationalError:
        return False
    finally:
        engine.dispose()


def database_answers(engine: Engine) -> bool:
    """Whether the database answers a trivial query now (a health check: never raises)."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            connection.rollback()
    except Exception:  # any driver or pool failure means "not reachable" to a health check
        return False
    return True


def require_current_schema(engine: Engine) -> None:
    """Refuse to work on a database that is not migrated to this code's head revision.

    Raises:
        RegistryUnavailableError: the database cannot be opened (the server cannot be reached).
        SchemaError: empty, older or newer than the code; the message says what to run.
    """
    try:
        at = current_revision(engine)
    except OperationalError as exc:
        raise RegistryUnavailableError(texts.text("v_db_open", cause=exc.orig.__class__.__name__)) \
            from None
    head = head_revision()
    if at is None:
        raise SchemaError(texts.text("v_db_empty"))
    if at != head:
        raise SchemaError(texts.text("v_db_version", at=at, head=head))
