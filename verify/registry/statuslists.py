"""The registry's signed status lists: one per series, signed again only when due (issue 12 item 1).

A lifecycle change marks its series dirty in the same transaction (`models.statuslists`, one flush hook behind
issue, batch, duplicate, correction and annulment). `sign_due_lists` then signs a new version for each series
that is due, and only for those:

    due     dirty, never signed, or at or past its list's next update (24 h after its issue time: lists must
            stay fresh, docs/FORMAT.md §9.2)

Each series is signed in its own transaction that first locks its `status_lists` row (PostgreSQL:
`SELECT ... FOR UPDATE`; SQLite: the write lock of `BEGIN IMMEDIATE`) and checks again that it is due, so two
instances never both sign a version, and a change that commits meanwhile leaves the row dirty for the next round.
The rows of a series are read with one statement (the document, its current revision's time, its original and
its successor) and only the exceptions become `NumberStatus` objects: 1,000,000 numbers take about 3 s on SQLite
(docs/BENCHMARKS.md, "Status lists").

    sign_due_lists(engine=, keys=, at=, series=None, force=False) -> list[str]   the series signed
    published_lists(session) -> list[StatusListRow]                             every series with a list
    index_entry(row) -> IndexEntry                                              its entry of index.json
    status_list_rows(connection, series=, at=) -> list[(number, NumberStatus | None)]
    RegistryVersionState(engine)        `verify.versionstate.VersionState` in the table `version_states`

Sources: docs/FORMAT.md §9.2-§9.4; seed 000 items 21-25 (duplicates), appendix 38 (corrections).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, Integer, Table, cast, select
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, col
from sqlmodel import select as select_rows

from ..errors import KeyStoreError, StatusListError, VersionStateError
from ..keys import Signer
from ..keystore import KeyStore
from ..record import DuplicateOf
from ..statusfolder import IndexEntry
from ..statuslist import NumberStatus, StatusList, Successor, build_status_list
from .lookup import unreadable
from .models import Document, DocumentRevision, DocumentState, StatusListRow, VersionStateRow


def is_due(row: StatusListRow, at: dt.datetime) -> bool:
    """Whether the series needs a new list at `at`: dirty, never signed, or at or past its next update."""
    return row.dirty or row.version == 0 or row.next_update is None or row.next_update <= at


def _exceptions_query(series: str) -> Any:
    documents: Table = Document.__table__  # type: ignore[attr-defined]
    revisions: Table = DocumentRevision.__table__  # type: ignore[attr-defined]
    original, successor = documents.alias("original"), documents.alias("successor")
    return (
        select(documents.c.number, documents.c.state, documents.c.annulled_at, documents.c.current_revision,
               revisions.c.created_at, documents.c.duplicate_no, original.c.series, original.c.number,
               successor.c.series, successor.c.number, successor.c.issued_at, successor.c.duplicate_reason)
        .select_from(documents)
        .outerjoin(revisions, (revisions.c.document_id == documents.c.id)
                   & (revisions.c.revision == documents.c.current_revision))
        .outerjoin(original, original.c.id == documents.c.original_id)
        .outerjoin(successor, successor.c.id == documents.c.replaced_by_id)
        .where(documents.c.series == series,
               (documents.c.state != DocumentState.VALID.value) | (documents.c.current_revision > 1)
               | documents.c.duplicate_no.is_not(None) | documents.c.replaced_by_id.is_not(None))
    )


def _numbers_query(series: str) -> Any:
    documents: Table = Document.__table__  # type: ignore[attr-defined]
    return select(cast(documents.c.number, Integer)).where(documents.c.series == series) \
        .order_by(documents.c.number)


def status_list_rows(connection: Connection, *, series: str,
                     at: dt.datetime) -> list[tuple[int, NumberStatus | None]]:
    """Every document of `series` as `(number, status)`, in increasing order: None for an original in force at
    revision 1.

    Two statements: every number (as an integer, straight from the driver: a million rows in a fraction of a
    second), and the few documents that are not plain originals in force with their original, successor and
    current revision. Days are UTC days; an event stamped after `at` (another instance's clock running ahead)
    counts as of `at`'s day, so that no day is after the list's issue day.
    """
    last_day = at.astimezone(dt.UTC).date()

    def day(value: dt.datetime) -> dt.date:
        return min(value.astimezone(dt.UTC).date(), last_day)

    exceptions: dict[int, NumberStatus] = {}
    annulled = DocumentState.ANNULLED.value
    for (number, state, annulled_at, revision, corrected_at, duplicate_no, original_series, original_number,
         successor_series, successor_number, successor_issued_at, successor_reason) in connection.execute(
            _exceptions_query(series)):
        exceptions[int(number)] = NumberStatus(
            annulled_on=day(annulled_at) if state == annulled and annulled_at is not None else None,
            replaced_by=None if successor_series is None else
            Successor(successor_series, successor_number, day(successor_issued_at), successor_reason),
            current_revision=revision,
            corrected_on=day(corrected_at) if revision > 1 and corrected_at is not None else None,
            duplicate=None if duplicate_no is None else DuplicateOf(duplicate_no, original_series, original_number))
    compiled = _numbers_query(series).compile(dialect=connection.dialect)
    cursor = connection.connection.cursor()  # the driver's cursor: integers as they come, no row objects
    try:
        parameters: Any = tuple(compiled.params[name] for name in compiled.positiontup) \
            if compiled.positional and compiled.positiontup else compiled.params
        cursor.execute(str(compiled), parameters)
        numbers = cursor.fetchall()
    finally:
        cursor.close()
    get = exceptions.get
    return [(n, get(n)) for (n,) in numbers]


def status_signer(keys: KeyStore) -> tuple[Signer, frozenset[str]]:
    """The key store's active status signer and the series its scope holds.

    Raises:
        StatusListError: the store has no active status signer (with what to run), or it cannot be opened.
    """
    try:
        signer = keys.signer("status")
        entries = keys.trust_list().candidates(signer.kid, usage="status")
    except KeyStoreError as exc:
        raise StatusListError(f"no status signer to sign the status lists ({exc.message}); make one with "
                              "`verify keys rotate --usage status`") from None
    return signer, frozenset().union(*(e.scope.series for e in entries))


def _lock_row(session: Session, series: str) -> StatusListRow | None:
    query = select_rows(StatusListRow).where(col(StatusListRow.series) == series)
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update()
    return session.exec(query).first()


def sign_series(session: Session, *, series: str, signer: Signer, scope: frozenset[str], at: dt.datetime,
                force: bool = False) -> StatusListRow | None:
    """Sign the next list of one series if it is due (or `force`), in the session's transaction (not committed).

    Returns:
        The updated row, or None when the series was not due (another instance signed it meanwhile) or has
        no row.

    Raises:
        StatusListError: the series is outside the status signer's scope, or its rows make no valid list.
    """
    row = _lock_row(session, series)
    if row is None or not (force or is_due(row, at)):
        return None
    if series not in scope:
        raise StatusListError(f"series {series} is outside the status signer's scope; rotate a status signer "
                              "whose scope holds it")
    issued_at = at.astimezone(dt.UTC).replace(microsecond=0)
    built: StatusList = build_status_list(series, status_list_rows(session.connection(), series=series, at=issued_at),
                                          version=row.version + 1, issued_at=issued_at)
    cose = built.sign(signer)
    row.version, row.dirty = built.version, False
    row.issued_at, row.next_update, row.expires_at = built.issued_at, built.next_update, built.expires_at
    row.cose, row.sha256, row.count = cose, hashlib.sha256(cose).hexdigest(), built.count
    session.add(row)
    session.flush()
    return row


def sign_due_lists(*, engine: Engine, keys: KeyStore, at: dt.datetime, series: Iterable[str] | None = None,
                   force: bool = False) -> list[str]:
    """Sign a new list for every due series (or only those of `series`), one transaction per series.

    Args:
        engine: the writing registry engine.
        keys: the key store; its active status signer signs (opened only when a series is due).
        at: the time the rows are read (the lists' issue time; whole seconds are kept).
        series: only these series (those without documents are ignored); None for all.
        force: sign a new version even when not due (`verify status-list export --force`).

    Returns:
        The series signed, in order.

    Raises:
        StatusListError: no status signer; a series outside its scope or whose rows make no valid list (the
            other series are signed first, and the message names them).
        RegistryUnavailableError, SchemaError: the registry cannot be read or written.
    """
    if at.tzinfo is None:
        raise ValueError("at: must be timezone-aware")
    wanted = None if series is None else set(series)
    try:
        with Session(engine, expire_on_commit=False) as session:
            rows = session.exec(select_rows(StatusListRow)).all()
            due = sorted((r.series for r in rows if (wanted is None or r.series in wanted)
                          and (force or is_due(r, at))), key=lambda s: s.encode("utf-8"))
        if not due:
            return []
        signer, scope = status_signer(keys)
        signed: list[str] = []
        failed: list[str] = []
        for name in due:
            with Session(engine, expire_on_commit=False) as session:
                try:
                    if sign_series(session, series=name, signer=signer, scope=scope, at=at, force=force) is None:
                        continue
                except StatusListError as exc:  # one series that cannot be signed never holds up the others
                    failed.append(exc.message)
                    continue
                session.commit()
                signed.append(name)
        if failed:
            raise StatusListError("; ".join(failed) + (f" (signed: {', '.join(signed)})" if signed else ""))
        return signed
    except DBAPIError as exc:
        raise unreadable(exc) from None


def published_lists(session: Session) -> list[StatusListRow]:
    """Every series that has a signed list, sorted by the UTF-8 bytes of the series.

    Raises:
        RegistryUnavailableError, SchemaError: the registry cannot be read.
    """
    try:
        rows = session.exec(select_rows(StatusListRow).where(col(StatusListRow.version) > 0)).all()
    except DBAPIError as exc:
        raise unreadable(exc) from None
    return sorted(rows, key=lambda r: r.series.encode("utf-8"))


def index_entry(row: StatusListRow) -> IndexEntry:
    """The index entry (docs/FORMAT.md §9.8) of a signed list's row.

    Raises:
        StatusListError: the row holds no list yet.
    """
    if row.cose is None or row.sha256 is None or row.issued_at is None or row.next_update is None \
            or row.expires_at is None:
        raise StatusListError(f"no status list of series {row.series} is signed yet")
    return IndexEntry(series=row.series, version=row.version, issued_at=row.issued_at, next_update=row.next_update,
                      expires_at=row.expires_at, size=len(row.cose), sha256=row.sha256)


def any_due(session: Session, *, at: dt.datetime, series: str | None = None) -> bool:
    """Whether some series (or `series`) is due at `at` (one small read; the public endpoints ask it first).

    Raises:
        RegistryUnavailableError, SchemaError: the registry cannot be read.
    """
    table: Table = StatusListRow.__table__  # type: ignore[attr-defined]
    query = select(table.c.series, table.c.version, table.c.dirty, table.c.next_update)
    if series is not None:
        query = query.where(table.c.series == series)
    try:
        found = session.connection().execute(query).all()
    except DBAPIError as exc:
        raise unreadable(exc) from None
    return any(dirty or version == 0 or next_update is None or next_update <= at
               for _, version, dirty, next_update in found)


class RegistryVersionState:
    """`verify.versionstate.VersionState` in the registry table `version_states` (the service's memory of the
    highest trust-list version seen, across restarts and instances; issue 10 item 4).

    Each call is one short transaction on `engine` (a writing engine). `keep` also stores the document of the
    highest version, so that a service that finds an older file after a restart serves the newest it accepted.

    Raises (every method):
        VersionStateError: the table cannot be read or written.
    """

    def __init__(self, engine: Engine) -> None:
        self._engine = engine

    def _row(self, session: Session, key: str) -> VersionStateRow | None:
        query = select_rows(VersionStateRow).where(col(VersionStateRow.key) == key)
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update()
        return session.exec(query).first()

    def highest(self, key: str) -> int:
        """As `VersionState.highest`."""
        row = self.kept(key)
        return 0 if row is None else row[0]

    def kept(self, key: str) -> tuple[int, bytes | None] | None:
        """(highest version, its document or None) of `key`, or None when nothing was seen."""
        try:
            with Session(self._engine) as session:
                found = session.exec(select_rows(VersionStateRow.highest, VersionStateRow.document)
                                     .where(col(VersionStateRow.key) == key)).first()
        except DBAPIError as exc:
            raise VersionStateError(f"version state: {unreadable(exc).message}") from None
        return None if found is None else (int(found[0]), found[1])

    def raise_to(self, key: str, version: int, document: bytes | None = None) -> None:
        """As `VersionState.raise_to`; with `document`, keep it as that version's (when the version is new or
        equal to the highest)."""
        if type(version) is not int or version < 0:
            raise VersionStateError("version state: a version must be a non-negative integer")
        now = dt.datetime.now(dt.UTC)  # a bookkeeping stamp, not a validity judgement
        try:
            with Session(self._engine) as session:
                row = self._row(session, key)
                if row is None:
                    session.add(VersionStateRow(key=key, highest=version, document=document, updated_at=now))
                elif version > row.highest:
                    row.highest, row.document, row.updated_at = version, document, now
                    session.add(row)
                elif version == row.highest and document is not None and row.document != document:
                    row.document, row.updated_at = document, now
                    session.add(row)
                else:
                    return
                session.commit()
        except DBAPIError as exc:
            raise VersionStateError(f"version state: {unreadable(exc).message}") from None

    def keep(self, key: str, version: int, document: bytes) -> None:
        """Record `version` with its document (`raise_to` with the document)."""
        self.raise_to(key, version, document)
