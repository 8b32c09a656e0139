"""The transparency log in tests: a TEST ONLY key store with a log signer, its note signer, and history rewriting.

* `new_log_key_store`: a key store made a day before T0 with a document signer, a log signer (usage `log`) and a
  status signer;
* `LOG_ORIGIN`, `note_signer`: the origin line and the key store's log signer as a `NoteSigner`;
* `bypass_log_triggers` / `rewrite`: raw SQL that rewrites the log's or the audit chain's rows as the database's
  owner could (SQLite: DROP TRIGGER; PostgreSQL: ALTER TABLE ... DISABLE TRIGGER USER).

Everything here is TEST ONLY data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, text

from verify.keystore import KeyStore
from verify.transparency import LogNoteSigner

from .world import T0

LOG_ORIGIN = "v.edu.kz/log"
APPEND_ONLY = ("tlog_entries", "tlog_hashes", "tlog_checkpoints", "audit_events")


def new_log_key_store(path: Path) -> KeyStore:
    """A TEST ONLY key store made a day before T0, with a document signer, a log signer and a status signer."""
    store = KeyStore(path)
    store.init(at=T0 - dt.timedelta(days=1), environment="test")
    store.rotate(at=T0 - dt.timedelta(days=1), usage="log")
    store.rotate(at=T0 - dt.timedelta(days=1), usage="status")  # offline checks need signed status lists
    return store


def note_signer(store: KeyStore) -> LogNoteSigner:
    """The key store's log signer as the checkpoints' note signer, named `LOG_ORIGIN`."""
    return LogNoteSigner(LOG_ORIGIN, store.signer("log"))


def rewrite(engine: Engine, statements: Sequence[str | tuple[str, dict[str, Any]]]) -> None:
    """Run `statements` (SQL, or SQL with its parameters) with the append-only triggers of the log's and the audit
    chain's tables bypassed."""
    with engine.begin() as connection:
        for table in APPEND_ONLY:
            if connection.dialect.name == "postgresql":
                connection.execute(text(f"ALTER TABLE {table} DISABLE TRIGGER USER"))
            else:
                connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_update"))
                connection.execute(text(f"DROP TRIGGER IF EXISTS {table}_no_delete"))
        for statement in statements:
            sql, params = (statement, {}) if isinstance(statement, str) else statement
            connection.execute(text(sql), params)
