"""The signed status lists the service publishes (issue 12 items 1-2): `GET /api/v1/status-lists[/{series}]`.

`StatusLists.index(at)` and `StatusLists.series_list(series, at)` first ask whether a list is due (dirty after a
lifecycle change, never signed, or at its next update: `verify.registry.statuslists.is_due`), and if so sign it
on demand through the writing engine with the key store's active status signer
(`verify.registry.statuslists.sign_due_lists`: one transaction per series under a row lock, so two instances never
both sign a version). Then they read the stored bytes, which every instance serves alike, with a strong ETag:

    index       the index of docs/FORMAT.md §9.8; its `generated_at` is the newest list's issue time, so the same
                lists give the same bytes (and ETag) on every instance
    one list    the COSE_Sign1 bytes; ETag = the SHA-256 of the bytes in double quotes (as the index says)

A list that cannot be signed now (no status signer, a series outside its scope, an instance whose database role
may only read) is logged and the list signed before keeps being served until its expiry (an instance with the
writing role, or `verify status-list export` from a timer, signs it; docs/DEPLOY.md); a series with documents but
no list yet answers 503, and a registry that cannot be read answers 503.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from sqlalchemy import Engine

from verify import Error, KeyStore
from verify.errors import StatusListError
from verify.registry.db import SessionFactory
from verify.registry.models import StatusListRow
from verify.registry.statuslists import any_due, index_entry, published_lists, sign_due_lists
from verify.statusfolder import index_document
from verify.texts import text

from ..http.logging import get_logger

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Published:
    """Bytes to answer with and their strong ETag (quoted, RFC 9110 §8.8.3)."""

    body: bytes
    etag: str


@dataclass(frozen=True)
class StatusLists:
    """The publisher of one process (see the module docstring).

    Attributes:
        readers: sessions on the read-only engine (what is published).
        writer: the writing engine (signing a due list).
        keys: the key store with the active status signer.
    """

    readers: SessionFactory
    writer: Engine
    keys: KeyStore

    def _sign_if_due(self, at: dt.datetime, series: str | None = None) -> None:
        with self.readers() as session:
            due = any_due(session, at=at, series=series)
        if not due:
            return
        try:
            signed = sign_due_lists(engine=self.writer, keys=self.keys, at=at,
                                    series=None if series is None else [series])
        except Error as exc:  # no status signer, a read-only role, a lost primary: serve what is stored
            get_logger().warning("status lists not signed; the lists signed before stay published",
                                 extra={"reason": exc.code})
            return
        if signed:
            get_logger().info("status lists signed", extra={"series": ",".join(signed)})

    def index(self, at: dt.datetime) -> Published:
        """The index JSON of every published list, after signing what is due.

        Raises:
            RegistryUnavailableError, SchemaError: the registry cannot be read.
        """
        self._sign_if_due(at)
        with self.readers() as session:
            entries = [index_entry(row) for row in published_lists(session)]
        generated_at = max((e.issued_at for e in entries), default=_EPOCH)
        body = index_document(entries, generated_at=generated_at)
        return Published(body=body, etag=f'"{hashlib.sha256(body).hexdigest()}"')

    def series_list(self, series: str, at: dt.datetime) -> Published | None:
        """The COSE bytes of one series' list after signing it if due; None when the series has no documents.

        Raises:
            RegistryUnavailableError, SchemaError: the registry cannot be read.
            StatusListError: the series has documents but no list could be signed yet.
        """
        self._sign_if_due(at, series)
        with self.readers() as session:
            row = session.get(StatusListRow, series)
        if row is None:
            return None
        if row.cose is None or row.sha256 is None:
            raise StatusListError(text("v_sl_not_signed", series=series))
        return Published(body=row.cose, etag=f'"{row.sha256}"')


def status_lists_of(*, readers: SessionFactory, writer: Engine, keys: KeyStore) -> StatusLists:
    """The publisher over the process's engines and key store."""
    return StatusLists(readers=readers, writer=writer, keys=keys)
