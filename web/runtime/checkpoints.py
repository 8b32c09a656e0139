"""Signed checkpoints of the transparency log, made by the serving process (docs/TRANSPARENCY.md §6).

`Checkpointer` signs a checkpoint (after anchoring the audit chain's head) at least every
VERIFY_CHECKPOINT_MINUTES while the log or the audit chain moved, and at once after a batch issue
(`checkpoint_now`). Its thread wakes every minute at most and asks `verify.registry.tlog.checkpoint_due`;
several workers may run one each: `make_checkpoint` locks the log's head, and the second finds nothing moved.
The key is the key store's log signer (usage `log`); a store without one signs nothing and says so once.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable

from verify.errors import Error, KeyStoreError
from verify.keystore import KeyStore
from verify.registry.db import SessionFactory
from verify.registry.tlog import checkpoint_due, make_checkpoint
from verify.transparency import LogNoteSigner, SignedCheckpoint

from ..http.logging import get_logger

#: The longest the thread sleeps between two looks at the log.
WAKE_S = 60.0


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Checkpointer:
    """Makes the log's checkpoints for this process.

    Args:
        sessions: sessions on the writing registry engine.
        keys: the key store (its log signer signs).
        origin: the log's origin line and key name (`Settings.resolved_log_origin`).
        period: at least this often while the log or the audit chain moved.
        clock: the time (tests pass their own).
    """

    def __init__(self, *, sessions: SessionFactory, keys: KeyStore, origin: str, period: dt.timedelta,
                 clock: Callable[[], dt.datetime] = _utcnow) -> None:
        self.sessions, self.keys, self.origin, self.period, self.clock = sessions, keys, origin, period, clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._warned = False

    def checkpoint_now(self) -> SignedCheckpoint | None:
        """Sign a checkpoint now if the log or the audit chain moved; the new one, or None.

        Never raises a `verify` error: after a batch the batch is done whatever happens here; a registry that
        cannot be written now is logged and the next wake tries again.
        """
        try:
            signer = LogNoteSigner(self.origin, self.keys.signer("log"))
        except KeyStoreError as exc:
            if not self._warned:
                self._warned = True
                get_logger().warning("no transparency log checkpoints: the key store has no log signer",
                                     extra={"error": exc.code})
            return None
        try:
            with self._lock, self.sessions() as session:
                return make_checkpoint(session, signer=signer, origin=self.origin, at=self.clock())
        except Error as exc:
            get_logger().warning("transparency log checkpoint failed", extra={"error": exc.code})
            return None

    def run_due(self) -> SignedCheckpoint | None:
        """Sign a checkpoint when one is due (`checkpoint_due`); the new one, or None."""
        with self.sessions() as session:
            due = checkpoint_due(session, at=self.clock(), period=self.period)
            session.rollback()
        return self.checkpoint_now() if due else None

    def start(self) -> None:
        """Start the thread that calls `run_due` (a daemon; `stop` ends it)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="tlog-checkpoints", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """End the thread and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(min(WAKE_S, self.period.total_seconds())):
            try:
                self.run_due()
            except Error as exc:  # a registry that cannot be reached now: try again at the next wake
                get_logger().warning("transparency log checkpoint failed", extra={"error": exc.code})
