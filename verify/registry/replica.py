"""Public reads from a PostgreSQL streaming replica, with a bound on how stale they may be.

A replica replays the primary's write-ahead log (WAL) a little later than the primary commits. A verdict read from
it must never hide a change it has not replayed yet (a duplicate that voided the original), unless the answer says
how old it is. `ReplicaGuard` makes that sound with WAL positions instead of clocks:

* every `poll_s` seconds it reads the primary's current WAL position `P` (`pg_current_wal_lsn()`) with the wall
  time it was read, and the replica's replay position `R` (`pg_last_wal_replay_lsn()`);
* every transaction committed on the primary before a sample `(t, P)` has a commit record below `P`; once
  `R >= P`, the replica has replayed all of them. The newest such sample's `t` is the replica's **as-of time**:
  it knows every change made before `t`;
* the replica may answer while `now - t <= max_lag_s`; otherwise (lagging, stopped, unreachable, or no sample
  yet) reads go to the primary. An instance that writes calls `note_write` after each commit: until the replica has
  replayed a primary sample taken after that moment, this instance reads the primary, so it reads its own changes.

`ReplicaRoutedLookup` is the verifier's `StatusLookup` over both: the replica's answer carries its as-of time
(`RegistryStatus.as_of`, shown as "status as of ..."; `source` "registry replica"), and a NOT_IN_REGISTRY from the
replica is asked again of the primary (a record issued after `t` is on the primary only).

Sources: PostgreSQL 15 documentation, §27.2 "Log-Shipping Standby Servers" (streaming replication) and §9.27.4
"Recovery Control Functions" / Table 9.89 `pg_last_wal_replay_lsn`, Table 9.88 `pg_current_wal_lsn`; pg_lsn type
(§8.20), compared as 64-bit positions.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from ..errors import RegistryUnavailableError
from ..status import AsyncStatusLookup, RegistryStatus, StatusCode, StatusLookup

REPLICA_SOURCE = "registry replica"
"""`RegistryStatus.source` of an answer read from the replica."""


def lsn_value(lsn: str) -> int:
    """A pg_lsn text ("16/B374D848": two hex numbers) as its 64-bit position.

    Raises:
        ValueError: not of that form.
    """
    high, _, low = lsn.partition("/")
    if not high or not low:
        raise ValueError(f"not a WAL position: {lsn!r}")
    return (int(high, 16) << 32) | int(low, 16)


@dataclass(frozen=True, slots=True)
class ReplicaReading:
    """What the guard last saw.

    Attributes:
        as_of: the replica knows every change committed before this wall time (aware UTC), or None.
        lag_s: seconds between that time and the reading (None when the replica is not usable).
        reason: why the replica is not used ("" when it is).
    """

    as_of: dt.datetime | None
    lag_s: float | None
    reason: str


class ReplicaGuard:
    """Decides whether the replica may answer now (see the module docstring).

    Args:
        primary, replica: engines of the primary and of the replica (PostgreSQL).
        max_lag_s: the most the replica may be behind, seconds (VERIFY_REPLICA_MAX_LAG_S).
        poll_s: seconds between samples of the two WAL positions.
        clock: wall clock (aware UTC), for tests.
    """

    def __init__(self, *, primary: Engine, replica: Engine, max_lag_s: float, poll_s: float = 0.1,
                 clock: Callable[[], dt.datetime] = lambda: dt.datetime.now(dt.UTC)) -> None:
        self.primary, self.replica = primary, replica
        self.max_lag_s, self.poll_s, self.clock = max_lag_s, poll_s, clock
        self._samples: deque[tuple[dt.datetime, int]] = deque(maxlen=max(8, int(4 * max_lag_s / poll_s) + 8))
        self._replayed: int | None = None
        self._written_at: dt.datetime | None = None
        self._reason = "not sampled yet"
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def sample(self) -> None:
        """Read the primary's WAL position, then the replica's replay position (in that order: a replay position
        read after a primary position can be compared with it). Errors make the replica unusable until the next
        sample that succeeds; they never raise."""
        at = self.clock()
        try:
            with self.primary.connect() as connection:
                primary_lsn = lsn_value(str(connection.execute(text("SELECT pg_current_wal_lsn()")).scalar_one()))
        except SQLAlchemyError:
            with self._lock:
                self._reason = "the primary cannot be read"
            return
        with self._lock:
            self._samples.append((at, primary_lsn))
        try:
            with self.replica.connect() as connection:
                replayed = connection.execute(text("SELECT pg_last_wal_replay_lsn()")).scalar_one()
        except SQLAlchemyError:
            with self._lock:
                self._replayed, self._reason = None, "the replica cannot be read"
            return
        with self._lock:
            if replayed is None:
                self._replayed, self._reason = None, "not a replica (no WAL replay)"
            else:
                self._replayed, self._reason = lsn_value(str(replayed)), ""

    def note_write(self) -> None:
        """This process has just committed a change: read the primary until the replica has replayed a primary
        sample taken after now (which lies after the commit record)."""
        now = self.clock()
        with self._lock:
            self._written_at = now if self._written_at is None else max(self._written_at, now)

    def reading(self) -> ReplicaReading:
        """Whether the replica may answer now, and as of when."""
        now = self.clock()
        with self._lock:
            if self._replayed is None:
                return ReplicaReading(None, None, self._reason)
            as_of = next((at for at, lsn in reversed(self._samples) if lsn <= self._replayed), None)
            written_at = self._written_at
        if as_of is None:
            return ReplicaReading(None, None, "the replica is behind every sample kept")
        if written_at is not None and as_of <= written_at:
            return ReplicaReading(None, None, "the replica has not replayed this instance's last change")
        lag_s = (now - as_of).total_seconds()
        if lag_s > self.max_lag_s:
            return ReplicaReading(None, lag_s, f"the replica lags {lag_s:.1f} s (more than {self.max_lag_s:g} s)")
        return ReplicaReading(as_of, lag_s, "")

    def start(self) -> None:
        """Sample now and then every `poll_s` seconds in a daemon thread, until `stop`."""
        self.sample()
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="replica-guard", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the sampling thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.poll_s):
            self.sample()


class ReplicaRoutedLookup:
    """`StatusLookup` that reads the replica while `guard` allows it, else the primary.

    Args:
        primary, replica: `StatusLookup`s over the primary and the replica.
        guard: the `ReplicaGuard` of the two.
        on_read: called with "replica" or "primary" for each answer given (metrics).

    Raises (from `lookup`):
        RegistryUnavailableError, SchemaError: the primary cannot answer (a replica that cannot is skipped).
    """

    def __init__(self, *, primary: StatusLookup, replica: StatusLookup, guard: ReplicaGuard,
                 on_read: Callable[[str], None] = lambda _: None) -> None:
        self.primary, self.replica, self.guard, self.on_read = primary, replica, guard, on_read

    def lookup(self, *, series: str, number: str, revision: int, payload_sha256: bytes,
               at: dt.datetime) -> RegistryStatus:
        """As `verify.status.StatusLookup.lookup`; the replica's answer is as of its `ReplicaReading.as_of`."""
        reading = self.guard.reading()
        if reading.as_of is not None:
            try:
                status = self.replica.lookup(series=series, number=number, revision=revision,
                                             payload_sha256=payload_sha256, at=at)
            except RegistryUnavailableError:
                status = None
            if status is not None and status.code is not StatusCode.NOT_IN_REGISTRY:
                self.on_read("replica")
                return dataclasses.replace(status, as_of=min(reading.as_of, at), source=REPLICA_SOURCE)
        self.on_read("primary")
        return self.primary.lookup(series=series, number=number, revision=revision, payload_sha256=payload_sha256,
                                   at=at)


class AsyncReplicaRoutedLookup:
    """`AsyncStatusLookup` that reads the replica while `guard` allows it, else the primary (as
    `ReplicaRoutedLookup`, awaited: the path of `POST /api/v1/verify`)."""

    def __init__(self, *, primary: AsyncStatusLookup, replica: AsyncStatusLookup, guard: ReplicaGuard,
                 on_read: Callable[[str], None] = lambda _: None) -> None:
        self.primary, self.replica, self.guard, self.on_read = primary, replica, guard, on_read

    async def lookup(self, *, series: str, number: str, revision: int, payload_sha256: bytes,
                     at: dt.datetime) -> RegistryStatus:
        """As `ReplicaRoutedLookup.lookup`."""
        reading = self.guard.reading()
        if reading.as_of is not None:
            try:
                status: RegistryStatus | None = await self.replica.lookup(
                    series=series, number=number, revision=revision, payload_sha256=payload_sha256, at=at)
            except RegistryUnavailableError:
                status = None
            if status is not None and status.code is not StatusCode.NOT_IN_REGISTRY:
                self.on_read("replica")
                return dataclasses.replace(status, as_of=min(reading.as_of, at), source=REPLICA_SOURCE)
        self.on_read("primary")
        answer: Awaitable[RegistryStatus] = self.primary.lookup(
            series=series, number=number, revision=revision, payload_sha256=payload_sha256, at=at)
        return await answer
