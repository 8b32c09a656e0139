"""The registry's status lookup for an event loop: `AsyncRegistryStatusLookup` implements
`verify.status.AsyncStatusLookup` with the statement and the decisions of `verify.registry.lookup`.

Why it exists: the web service verifies on its event loop (`web.public`), because a hop to a worker thread
costs more than the whole check (docs/bench-http.md). A status lookup must then not hold the loop while the
database answers:

* PostgreSQL: psycopg's asyncio connections from a `psycopg_pool.AsyncConnectionPool`, in autocommit, the
  statement prepared on the server after a few uses (psycopg's `prepare_threshold`); while one lookup waits
  for its answer the loop serves other requests. Every connection gets `statement_timeout`, and waiting for
  a free connection is bounded by the pool's timeout, so a stuck database ends in `RegistryUnavailableError`
  (a 503), not in a hung request.

  Lookups that arrive in the same turn of the event loop go to the database as one statement
  (`STATUS_BATCH_QUERY`, at most `MAX_BATCH` documents): the first schedules the send with `call_soon`, the
  others of that turn join it, and each gets the rows of its own series and number. No lookup waits for a
  timer, and an idle service sends each alone; under load one round trip, one wake-up of a server process
  and one pass through the driver serve several verifications (docs/bench-http.md: the driver and the
  server process cost a PostgreSQL verification more than its signature check). Every answer is read after
  its request arrived, so batching changes no status. A lookup whose request is cancelled (the client went
  away) leaves the batch to the others.
* SQLite: the database is a file read in this process, in about a tenth of a millisecond, and WAL readers
  never wait for the writer; the lookup runs inline (`RegistryStatusLookup` on an autocommit engine with a
  short busy timeout), on a driver connection it holds between lookups (`hold`: only the event loop uses it,
  and taking one from the pool and giving it back cost a third of the lookup). A thread hop would cost more
  than the read.

Sources: psycopg 3 documentation, "Connection pools" (`AsyncConnectionPool`: open, configure, timeout) and
"Prepared statements"; PostgreSQL 15 manual §20.11.1 (`statement_timeout`).
"""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Final

import psycopg
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import Engine

from ..status import RegistryStatus
from .lookup import RegistryStatusLookup, StatusRow, StatusStatement, status_of, unreadable

STATEMENT_TIMEOUT_MS: Final = 2000
"""PostgreSQL `statement_timeout` of the lookup connections, in milliseconds."""
MAX_BATCH: Final = 64
"""PostgreSQL: the most documents one statement asks for; a fuller turn of the loop sends several."""

Document = tuple[str, str]
"""(series, number)."""


class AsyncRegistryStatusLookup:
    """`AsyncStatusLookup` over the registry database (see the module docstring).

    Build it with `for_engine`, `await open()` before the first lookup, `await close()` at the end (or use it as
    `async with`, which does both).

    Args:
        statement: `STATUS_QUERY` compiled for the database's dialect.
        pool: PostgreSQL: the asyncio connection pool; None for SQLite.
        inline: SQLite: the lookup that runs inline; None for PostgreSQL.
    """

    def __init__(self, *, statement: StatusStatement, pool: AsyncConnectionPool | None = None,
                 inline: RegistryStatusLookup | None = None) -> None:
        if (pool is None) == (inline is None):
            raise ValueError("give either a pool (PostgreSQL) or an inline lookup (SQLite)")
        self._statement = statement
        self._pool = pool
        self._inline = inline
        self._waiting: dict[Document, asyncio.Future[list[StatusRow]]] | None = None
        self._sending: set[asyncio.Task[None]] = set()
        self.statements = 0
        """PostgreSQL: the statements sent so far (each answers one batch of lookups)."""

    @classmethod
    def for_engine(cls, engine: Engine, *, pool_size: int = 5, timeout_s: float = 5.0,
                   statement_timeout_ms: int = STATEMENT_TIMEOUT_MS) -> AsyncRegistryStatusLookup:
        """A lookup on the database of `engine`.

        Args:
            engine: SQLite: the engine the inline lookup uses (`make_engine(url, readonly=True, autocommit=True)`);
                PostgreSQL: only its URL and dialect are used (the pool opens its own connections).
            pool_size: PostgreSQL: the most connections the pool opens.
            timeout_s: PostgreSQL: seconds a lookup waits for a free connection before `RegistryUnavailableError`.
            statement_timeout_ms: PostgreSQL: `statement_timeout` and `lock_timeout` of the pool's connections.

        Raises:
            ValueError: a database other than SQLite and PostgreSQL.
        """
        if engine.dialect.name == "sqlite":
            return cls(statement=StatusStatement.for_dialect(engine.dialect),
                       inline=RegistryStatusLookup(engine, hold=True))
        if engine.dialect.name != "postgresql":
            raise ValueError(f"{engine.dialect.name}: the registry runs on SQLite or PostgreSQL")
        statement = StatusStatement.for_dialect(engine.dialect, batch=True)
        conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        if isinstance(statement_timeout_ms, bool) or not isinstance(statement_timeout_ms, int) \
                or statement_timeout_ms < 1:
            raise ValueError("statement_timeout_ms: a positive number of milliseconds")

        async def configure(connection: psycopg.AsyncConnection[tuple[object, ...]]) -> None:
            """Bound every statement and lock wait of a new pool connection."""
            await connection.execute(f"SET statement_timeout = {int(statement_timeout_ms)}")
            await connection.execute(f"SET lock_timeout = {int(statement_timeout_ms)}")

        pool = AsyncConnectionPool(conninfo, min_size=1, max_size=pool_size, timeout=timeout_s, open=False,
                                   kwargs={"autocommit": True}, configure=configure, name="verify-status")
        return cls(statement=statement, pool=pool)

    async def open(self) -> None:
        """Start the pool (PostgreSQL; connections are opened in the background, a down server is no error)."""
        if self._pool is not None:
            await self._pool.open()

    async def close(self) -> None:
        """Let the statements in flight finish, then close the pool's connections (PostgreSQL); give the inline
        lookup's held connection back (SQLite)."""
        if self._sending:
            await asyncio.gather(*self._sending, return_exceptions=True)
        if self._pool is not None:
            await self._pool.close()
        if self._inline is not None:
            self._inline.close()

    async def __aenter__(self) -> AsyncRegistryStatusLookup:
        """`open()`; the lookup."""
        await self.open()
        return self

    async def __aexit__(self, *_: object) -> None:
        """`close()`."""
        await self.close()

    async def lookup(self, *, series: str, number: str, revision: int, payload_sha256: bytes,
                     at: dt.datetime) -> RegistryStatus:
        """As `RegistryStatusLookup.lookup`, awaited.

        Raises:
            ValueError: `at` is naive.
            RegistryUnavailableError: the registry cannot be reached (no free connection within the timeout, a
                statement over `STATEMENT_TIMEOUT_MS`, a lost server): the status is unknown.
            SchemaError: the registry is not migrated to this code: the status is unknown too.
        """
        if self._inline is not None:
            return self._inline.lookup(series=series, number=number, revision=revision,
                                       payload_sha256=payload_sha256, at=at)
        if at.tzinfo is None:
            raise ValueError("at: must be timezone-aware")
        rows = await asyncio.shield(self._join((series, number)))  # a cancelled caller leaves the batch alone
        return status_of(rows, revision=revision, payload_sha256=payload_sha256, at=at)

    def _join(self, document: Document) -> asyncio.Future[list[StatusRow]]:
        """The future rows of `document`, from the batch of this turn of the loop (started if there is none)."""
        loop = asyncio.get_running_loop()
        if self._waiting is None:
            self._waiting = {}
            loop.call_soon(self._send)
        future = self._waiting.get(document)
        if future is None:
            future = self._waiting[document] = loop.create_future()
            if len(self._waiting) >= MAX_BATCH:
                self._send()
        return future

    def _send(self) -> None:
        """Send the waiting batch (a task; nothing when it was sent already)."""
        waiting, self._waiting = self._waiting, None
        if waiting:
            task = asyncio.get_running_loop().create_task(self._answer(waiting))
            self._sending.add(task)
            task.add_done_callback(self._sending.discard)

    async def _answer(self, waiting: dict[Document, asyncio.Future[list[StatusRow]]]) -> None:
        """One statement for the documents of `waiting`; each future gets its rows ([]: not held), or the error."""
        assert self._pool is not None
        try:
            self.statements += 1
            async with self._pool.connection() as connection, connection.cursor() as cursor:
                await cursor.execute(self._statement.sql, self._statement.parameters(
                    series=[series for series, _ in waiting], number=[number for _, number in waiting]))
                fetched = await cursor.fetchall()
            rows = self._statement.rows_by_document(fetched)
        except psycopg.Error as exc:
            for future in waiting.values():
                if not future.done():
                    future.set_exception(unreadable(exc))
            return
        except BaseException as exc:  # cancelled at shutdown, or a bug: no waiter may hang
            for future in waiting.values():
                if not future.done():
                    future.set_exception(exc)
            raise
        for document, future in waiting.items():
            if not future.done():
                future.set_result(rows.get(document, []))
