"""The public surface's reads from a PostgreSQL streaming replica (VERIFY_DATABASE_REPLICA_URL).

What reads where (issue 14 item 4):

| read                                             | where                                                     |
|--------------------------------------------------|-----------------------------------------------------------|
| status lookups of `/V/`, verify, scan, lookup    | the replica while `ReplicaGuard` allows, else the primary |
| the public lookup's document read                | the same                                                  |
| every write, every officer, partner, admin read  | the primary (`web.runtime.backoffice`)                    |

The guard (`verify.registry.replica`) allows the replica only while it has replayed everything the primary had
committed at most `VERIFY_REPLICA_MAX_LAG_S` seconds ago; an answer from the replica says "status as of" that time.
A lagging, stopped or unreachable replica sends reads to the primary; no verdict is given from a replica that may
have missed a change older than the bound. Metrics: `verify_replica_reads_total{target}` and
`verify_replica_lag_seconds` (-1 while the replica is not used).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, event
from sqlmodel import Session

from verify.errors import Error
from verify.registry.async_lookup import AsyncRegistryStatusLookup
from verify.registry.db import make_engine
from verify.registry.lookup import RegistryStatusLookup
from verify.registry.replica import AsyncReplicaRoutedLookup, ReplicaGuard, ReplicaRoutedLookup

from ..http.metrics import Metrics, gauge_family


@dataclass
class ReplicaReads:
    """The replica's engines, its guard and the routed lookups of one process.

    Attributes:
        guard: decides per read (sampling in a thread between `start` and `close`).
        engine, status_engine: read-only engines of the replica (sessions; autocommit status lookups).
        primary_engine: a one-connection engine of the primary, for the guard's samples.
        status_lookup, async_status: the routed lookups (`verify.registry.replica`).
        replica_async: the replica's own awaited lookup (opened and closed with the app).
    """

    guard: ReplicaGuard
    engine: Engine
    status_engine: Engine
    primary_engine: Engine
    status_lookup: ReplicaRoutedLookup
    async_status: AsyncReplicaRoutedLookup
    replica_async: AsyncRegistryStatusLookup
    _written_on: Engine | None = None

    def session(self, primary: Engine) -> Session:
        """A session on the replica while the guard allows it, else on `primary`."""
        engine = self.engine if self.guard.reading().as_of is not None else primary
        return Session(engine, expire_on_commit=False)

    def watch_writes(self, engine: Engine) -> None:
        """Tell the guard of every commit of a session on `engine` (the back office's writing engine), so this
        process reads its own changes from the primary until the replica has them."""
        self._written_on = engine
        event.listen(Session, "after_commit", self._after_commit)

    def _after_commit(self, session: Session) -> None:
        if session.get_bind() is self._written_on:
            self.guard.note_write()

    def start(self) -> None:
        """Begin sampling the two WAL positions."""
        self.guard.start()

    def close(self) -> None:
        """Stop sampling and watching commits; close the replica's connections."""
        self.guard.stop()
        if event.contains(Session, "after_commit", self._after_commit):
            event.remove(Session, "after_commit", self._after_commit)
        for engine in (self.engine, self.status_engine, self.primary_engine):
            engine.dispose()


class ReplicaLagGauge:
    """Metrics collector: `verify_replica_lag_seconds`, how far behind the replica's as-of time is (-1: not used)."""

    def __init__(self, guard: ReplicaGuard) -> None:
        self.guard = guard

    def collect(self) -> Iterator[Any]:
        """The gauge (prometheus-client's custom collector protocol)."""
        reading = self.guard.reading()
        yield from gauge_family("verify_replica_lag_seconds",
                                "Seconds the replica's as-of time is behind now; -1 while reads go to the primary.",
                                reading.lag_s if reading.as_of is not None and reading.lag_s is not None else -1.0)


def build_replica_reads(*, replica_url: str, primary_url: str, primary_status: RegistryStatusLookup,
                        primary_async: AsyncRegistryStatusLookup, max_lag_s: float, pool_size: int,
                        metrics: Metrics, timeout_ms: int | None = None) -> ReplicaReads:
    """Engines, guard and routed lookups for a replica at `replica_url` of the primary at `primary_url`.

    `timeout_ms` is the statement and lock timeout of every connection they open (VERIFY_DB_READ_TIMEOUT_MS).

    Raises:
        Error: either URL is not PostgreSQL (SQLite has no replicas).
    """
    if not (replica_url.startswith("postgresql") and primary_url.startswith("postgresql")):
        raise Error("VERIFY_DATABASE_REPLICA_URL: a read replica needs PostgreSQL for both the primary and the replica")
    engine = make_engine(replica_url, readonly=True, pool_size=pool_size, timeout_ms=timeout_ms)
    status_engine = make_engine(replica_url, readonly=True, autocommit=True, pool_size=pool_size,
                                timeout_ms=timeout_ms)
    primary_engine = make_engine(primary_url, readonly=True, autocommit=True, pool_size=1, timeout_ms=timeout_ms)
    guard = ReplicaGuard(primary=primary_engine, replica=status_engine, max_lag_s=max_lag_s)
    reads = metrics.replica_reads
    replica_async = AsyncRegistryStatusLookup.for_engine(
        status_engine, pool_size=pool_size,
        **({} if timeout_ms is None else {"statement_timeout_ms": timeout_ms}))
    metrics.add_collector(ReplicaLagGauge(guard))
    return ReplicaReads(
        guard=guard, engine=engine, status_engine=status_engine, primary_engine=primary_engine,
        status_lookup=ReplicaRoutedLookup(primary=primary_status, replica=RegistryStatusLookup(status_engine,
                                                                                               details=True),
                                          guard=guard, on_read=lambda target: reads.labels(target).inc()),
        async_status=AsyncReplicaRoutedLookup(primary=primary_async, replica=replica_async, guard=guard,
                                              on_read=lambda target: reads.labels(target).inc()),
        replica_async=replica_async,
    )
