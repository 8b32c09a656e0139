"""The registry's side of verification: `RegistryStatusLookup` implements `verify.status.StatusLookup`.

The verifier never imports the registry (DESIGN.md, One picture); it is handed this object.
For the signed record it verified — series, number, revision and the SHA-256 of its payload —
the registry answers, as of the time of the check `at`:

    NOT_IN_REGISTRY  no such series and number, no such revision, a revision signed after `at`,
                     or a payload hash that differs from the stored revision's (a forged or
                     re-signed record: report it)
    ANNULLED         annulled at or before `at`, with the basis (any revision)
    REPLACED         a duplicate replaced it at or before `at`: which duplicate, when, why
                     (for a replaced duplicate, also its N and the original)
    CORRECTED        a newer revision was made at or before `at`: the current revision, the
                     fields changed since the presented one, when, and the latest reason
    DUPLICATE_VALID  duplicate No. N in force, and the original it was issued instead of
    ORIGINAL_VALID   the original in force

and, for a record it holds, where the presented revision's entry is in the transparency log (`LogEvidence`: its
leaf index and leaf hash, or no entry: the verifier's step 12 says NOT_IN_LOG). The proof itself is served by
`GET /api/v1/log/proof/inclusion` and with the partner API's records (`verify.registry.tlog.prove_revision`).

Events after `at` are ignored, so that a check "as of" an earlier date answers as the registry
would have then (STYLE.md §3: document status is judged at the time of the check).

The whole answer comes from one SQL statement (`STATUS_QUERY`): the document, its revisions, and by two
outer joins the original and the successor it names. With `details` (a verdict page) the same statement also
reads the institution's names and each revision's record, so that the status carries what the page shows (the
issue date, the institution, a corrected document's current record) and the page reads the registry once. Every
statement also reads whether the document's institution closed, and the archive that keeps its records (seed 000,
Rules item 23; `RegistryStatus.closure`): two joins on primary keys.
It is compiled once per database dialect (`StatusStatement`) and run on a pooled driver connection, in
autocommit (no BEGIN and ROLLBACK around it: one round trip; a single statement reads one consistent snapshot on
SQLite and PostgreSQL); the column types' own result processors turn the driver's values into Python ones.
`docs/bench-http.md` measured the earlier ORM version (three queries in a transaction) at three quarters of a
verification's time, and SQLAlchemy's Connection and Result objects at a third of what is left.
`verify.registry.async_lookup` runs the same statement on an event loop.

Sources: seed 000 items 21-25 (a duplicate voids the original), appendix 38 (corrections);
seed 001 appendix 18.
"""

from __future__ import annotations

import datetime as dt
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Final, NamedTuple

from sqlalchemy import Dialect, Engine, Select, String, Table, and_, bindparam, func, literal_column, select, tuple_
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import PoolProxiedConnection

from ..errors import RegistryUnavailableError, SchemaError
from ..record import Record
from ..status import Closure, DocumentRef, InstitutionNames, LogEvidence, RegistryStatus, StatusCode
from ..texts import text
from ..transparency.entries import TYPE_REVISION
from .models import Document, DocumentRevision, DocumentState, Institution, LogEntryRow


class StatusRow(NamedTuple):
    """One row of `STATUS_QUERY`: the document, one of its revisions, its original's and successor's refs, and the
    end of its duplicate chain (`end_*`: the chain's one duplicate that nothing replaced, or None)."""

    issued_at: dt.datetime
    state: str
    duplicate_no: int | None
    annulled_at: dt.datetime | None
    annul_basis: str | None
    replaced_at: dt.datetime | None
    revision: int
    created_at: dt.datetime
    payload_sha256: str
    changed_fields: list[str]
    reason: str | None
    original_series: str | None
    original_number: str | None
    original_issued_at: dt.datetime | None
    successor_series: str | None
    successor_number: str | None
    successor_duplicate_no: int | None
    successor_issued_at: dt.datetime | None
    successor_reason: str | None
    end_series: str | None = None
    end_number: str | None = None
    end_duplicate_no: int | None = None
    end_issued_at: dt.datetime | None = None
    end_reason: str | None = None
    end_annulled_at: dt.datetime | None = None
    log_index: int | None = None
    log_leaf_hash: bytes | None = None
    closed_on: dt.date | None = None
    archive_bin: str | None = None
    archive_kk: str | None = None
    archive_ru: str | None = None
    archive_en: str | None = None
    institution_kk: str | None = None
    institution_ru: str | None = None
    institution_en: str | None = None
    record: dict[str, Any] | None = None


def _status_query(*, batch: bool = False, details: bool = False) -> Select[Any]:
    documents: Table = Document.__table__  # type: ignore[attr-defined]
    revisions: Table = DocumentRevision.__table__  # type: ignore[attr-defined]
    institutions: Table = Institution.__table__  # type: ignore[attr-defined]
    entries: Table = LogEntryRow.__table__  # type: ignore[attr-defined]
    original, successor = documents.alias("original"), documents.alias("successor")
    archive = institutions.alias("archive")
    end = documents.alias("chain_end")
    # Only the columns the answer needs: the revisions also hold the signed bytes and the QR text. An original
    # (what `original_id` names) has no duplicate number. Every duplicate of a chain names the chain's first
    # original (`original_id`), and a chain is a line (only a document in force gets a duplicate), so its one
    # duplicate that nothing replaced is its end: the document in force, unless annulled (item 17 of issue 10).
    query = (
        select(documents.c.issued_at, documents.c.state, documents.c.duplicate_no, documents.c.annulled_at,
               documents.c.annul_basis, documents.c.replaced_at,
               revisions.c.revision, revisions.c.created_at, revisions.c.payload_sha256, revisions.c.changed_fields,
               revisions.c.reason,
               original.c.series, original.c.number, original.c.issued_at,
               successor.c.series, successor.c.number, successor.c.duplicate_no, successor.c.issued_at,
               successor.c.duplicate_reason,
               end.c.series, end.c.number, end.c.duplicate_no, end.c.issued_at, end.c.duplicate_reason,
               end.c.annulled_at, entries.c.idx, entries.c.leaf_hash,
               institutions.c.closed_on, archive.c.bin, archive.c.name_kk, archive.c.name_ru, archive.c.name_en)
        .select_from(documents)
        .join(institutions, institutions.c.id == documents.c.institution_id)
        # a closed institution's archive (seed 000, Rules item 23)
        .outerjoin(archive, archive.c.id == institutions.c.archive_id)
        .join(revisions, revisions.c.document_id == documents.c.id)
        .outerjoin(original, original.c.id == documents.c.original_id)
        .outerjoin(successor, successor.c.id == documents.c.replaced_by_id)
        .outerjoin(end, (end.c.original_id == func.coalesce(documents.c.original_id, documents.c.id))
                   & end.c.replaced_by_id.is_(None) & documents.c.replaced_by_id.is_not(None))
        # each revision's entry in the transparency log (step 12), by the index on (series, number, revision)
        .outerjoin(entries, and_(entries.c.series == documents.c.series, entries.c.number == documents.c.number,
                                 entries.c.revision == revisions.c.revision,
                                 entries.c.entry_type == literal_column(str(TYPE_REVISION))))
    )
    if details:  # a verdict page's facts: the institution's names, each revision's record
        query = query.add_columns(institutions.c.name_kk, institutions.c.name_ru, institutions.c.name_en,
                                  revisions.c.record)
    if not batch:
        return (query.where(documents.c.series == bindparam("series"), documents.c.number == bindparam("number"))
                .order_by(revisions.c.revision))
    # PostgreSQL: the documents of two parallel arrays, one statement text for any number of them.
    wanted = func.unnest(bindparam("series", type_=ARRAY(String)), bindparam("number", type_=ARRAY(String))) \
        .table_valued("series", "number").render_derived(name="wanted")
    return (query.add_columns(documents.c.series, documents.c.number)
            .where(tuple_(documents.c.series, documents.c.number).in_(select(wanted.c.series, wanted.c.number)))
            .order_by(documents.c.series, documents.c.number, revisions.c.revision))


STATUS_QUERY: Final = _status_query()
"""The rows of one document by series and number, one per revision in order (see `StatusRow`)."""
STATUS_DETAILS_QUERY: Final = _status_query(details=True)
"""`STATUS_QUERY` with the institution's names and each revision's record (a verdict page's facts)."""
STATUS_BATCH_QUERY: Final = _status_query(batch=True)
"""PostgreSQL: the rows of several documents (arrays `series` and `number`), each row followed by its series and
number, ordered by them and the revision (`verify.registry.async_lookup` sends the lookups of one turn of the
event loop together)."""

Processor = Callable[[Any], Any]


@dataclass(frozen=True, slots=True)
class StatusStatement:
    """`STATUS_QUERY` (or `STATUS_BATCH_QUERY`) compiled for one dialect: its SQL, how to bind, how to read a row.

    Attributes:
        sql: the statement in the driver's parameter style.
        positional: the parameter names in order for a positional style (SQLite's `?`), None for a named one.
        binders: per parameter, the bind processor of its SQLAlchemy type for this dialect (None: as is).
        processors: per column, the result processor of its SQLAlchemy type for this dialect (None: as is).
    """

    sql: str
    positional: tuple[str, ...] | None
    binders: dict[str, Processor | None]
    processors: tuple[Processor | None, ...]
    converted: tuple[tuple[int, Processor], ...] = ()
    """The columns that have a processor, with it (`values` visits only these); made from `processors`."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "converted", tuple((index, process) for index, process in enumerate(self.processors)
                                                    if process is not None))

    @classmethod
    def for_dialect(cls, dialect: Dialect, *, batch: bool = False, details: bool = False) -> StatusStatement:
        """Compile `STATUS_QUERY` (or `STATUS_DETAILS_QUERY`, or on PostgreSQL `STATUS_BATCH_QUERY`) for `dialect`.

        Raises:
            ValueError: a batch statement for another dialect than PostgreSQL, or a batch with details.
        """
        if batch and dialect.name != "postgresql":
            raise ValueError(f"{dialect.name}: the batch statement is PostgreSQL's (unnest of two arrays)")
        if batch and details:
            raise ValueError("the batch statement reads no details")
        query = STATUS_BATCH_QUERY if batch else STATUS_DETAILS_QUERY if details else STATUS_QUERY
        compiled = query.compile(dialect=dialect)
        binders: dict[str, Processor | None] = {name: parameter.type.dialect_impl(dialect).bind_processor(dialect)
                                                for name, parameter in compiled.binds.items()}
        processors = tuple(column.type.dialect_impl(dialect).result_processor(dialect, None)
                           for column in query.selected_columns)
        positional = tuple(compiled.positiontup) if compiled.positional and compiled.positiontup else None
        return cls(sql=str(compiled), positional=positional, binders=binders, processors=processors)

    def parameters(self, **named: Any) -> dict[str, Any] | tuple[Any, ...]:
        """The driver's parameters: `series` and `number` (texts, or lists of them for the batch statement), each
        through its type's bind processor."""
        bound = {name: value if (bind := self.binders.get(name)) is None else bind(value)
                 for name, value in named.items()}
        return bound if self.positional is None else tuple(bound[name] for name in self.positional)

    def values(self, fetched: Sequence[Sequence[Any]]) -> list[tuple[Any, ...]]:
        """The driver's rows, each value (but NULL) through its column type's processor."""
        width = len(self.processors)
        rows: list[tuple[Any, ...]] = []
        for row in fetched:
            if len(row) != width:
                raise ValueError(f"a row of {len(row)} columns, the statement selects {width}")
            values = list(row)
            for index, process in self.converted:
                value = values[index]
                if value is not None:
                    values[index] = process(value)
            rows.append(tuple(values))
        return rows

    def rows(self, fetched: Sequence[Sequence[Any]]) -> list[StatusRow]:
        """The driver's rows of `STATUS_QUERY` as `StatusRow`s."""
        return [StatusRow(*values) for values in self.values(fetched)]

    def rows_by_document(self, fetched: Sequence[Sequence[Any]]) -> dict[tuple[str, str], list[StatusRow]]:
        """The driver's rows of `STATUS_BATCH_QUERY` as `StatusRow`s by (series, number), in revision order."""
        grouped: dict[tuple[str, str], list[StatusRow]] = {}
        for *values, series, number in self.values(fetched):
            grouped.setdefault((series, number), []).append(StatusRow(*values))
        return grouped


class RegistryStatusLookup:
    """`StatusLookup` over the registry database.

    Args:
        engine: the registry, best `db.make_engine(url, readonly=True, autocommit=True)` (one round trip per
            lookup); each lookup takes a driver connection from its pool for one statement and gives it back.
        details: also read what a verdict page shows (`RegistryStatus.institution`, `current_record`), in the
            same statement.
        hold: keep the driver connection of the last lookup for the next one instead of giving it back to the
            pool (a third of a SQLite lookup's time: `verify.registry.async_lookup`'s inline lookup, which one
            thread, the event loop, calls), until `close()` or a driver error (then it is dropped). Only for an
            autocommit engine, where a connection holds no transaction between statements: every lookup still
            reads the registry as committed when its statement runs.

    Example:
        >>> lookup = RegistryStatusLookup(make_engine(url, readonly=True, autocommit=True))  # doctest: +SKIP
        >>> Verifier(trust_list, status_lookup=lookup).check(text, at=now).verdict         # doctest: +SKIP
        'VALID'
    """

    def __init__(self, engine: Engine, *, details: bool = False, hold: bool = False) -> None:
        self._engine = engine
        self._statement = StatusStatement.for_dialect(engine.dialect, details=details)
        self._hold = hold
        self._held: PoolProxiedConnection | None = None

    @classmethod
    def from_engine(cls, engine: Engine) -> RegistryStatusLookup:
        """The same as `RegistryStatusLookup(engine)`."""
        return cls(engine)

    def lookup(self, *, series: str, number: str, revision: int, payload_sha256: bytes,
               at: dt.datetime) -> RegistryStatus:
        """The status of the signed record (series, number, revision, payload hash) as of `at`.

        Args:
            series, number, revision: from the verified payload.
            payload_sha256: SHA-256 of the signed payload bytes (32 bytes).
            at: the time of the check (aware).

        Returns:
            `RegistryStatus` (see the module docstring for the codes).

        Raises:
            ValueError: `at` is naive.
            RegistryUnavailableError: the registry cannot be reached now: the status is unknown, which is not the
                same as NOT_IN_REGISTRY.
            SchemaError: the registry has not the tables of this code (not migrated): the status is unknown too.
        """
        if at.tzinfo is None:
            raise ValueError("at: must be timezone-aware")
        driver_error: type[Exception] = self._engine.dialect.loaded_dbapi.Error
        connection, self._held = self._held, None
        if connection is None:
            try:
                connection = self._engine.raw_connection()
            except (DBAPIError, driver_error) as exc:
                raise unreadable(exc) from None
        try:
            cursor = connection.cursor()
            try:
                cursor.execute(self._statement.sql, self._statement.parameters(series=series, number=number))
                fetched = cursor.fetchall()
            finally:
                cursor.close()
        except driver_error as exc:
            connection.invalidate()  # whatever went wrong, the pool opens a fresh connection next time
            connection.close()
            raise unreadable(exc) from None
        except BaseException:
            connection.close()
            raise
        if self._hold:
            self._held = connection
        else:
            connection.close()
        return status_of(self._statement.rows(fetched), revision=revision, payload_sha256=payload_sha256, at=at)

    def close(self) -> None:
        """Give the held driver connection back to the engine's pool (a later lookup takes one again)."""
        connection, self._held = self._held, None
        if connection is not None:
            connection.close()


#: SQLSTATE class of a statement that names what the database lacks (42P01 undefined table, 42703 undefined column):
#: a registry not migrated to this code (PostgreSQL, "Appendix A. Error Codes").
_SQLSTATE_SCHEMA_CLASS: Final = "42"
#: SQLite's messages for the same, and for a database file that is not there (sqlite3.OperationalError carries
#: no code for them).
_SQLITE_SCHEMA_MESSAGES: Final = ("no such table", "no such column", "unable to open database file")


def unreadable(exc: BaseException) -> RegistryUnavailableError | SchemaError:
    """The error of a registry that cannot be read, naming the driver's error class only (never its text).

    A statement that names a table or column the database lacks, or a SQLite file that is not there, means a
    registry not made or not migrated to this code (`SchemaError`); anything else (a refused connection, a pool
    timeout, a lost server) means a registry that cannot be reached now (`RegistryUnavailableError`). Either way
    the status is unknown, never a verdict.
    """
    cause = exc.orig if isinstance(exc, DBAPIError) else exc
    message = text("v_registry_unreadable", cause=type(cause).__name__)
    sqlstate = getattr(cause, "sqlstate", None)
    if (isinstance(sqlstate, str) and sqlstate.startswith(_SQLSTATE_SCHEMA_CLASS)) or \
            str(cause).startswith(_SQLITE_SCHEMA_MESSAGES):
        return SchemaError(message)
    return RegistryUnavailableError(message)


def _in_force(document: StatusRow, successor: DocumentRef, *, at: dt.datetime) -> DocumentRef | None:
    """The document of a replaced one's duplicate chain in force at `at`: the chain's end, or None when it is annulled.

    The end is the chain's duplicate that nothing replaced (`STATUS_QUERY`'s `chain_end`). When it was issued after
    `at` (a check as of an earlier time than the chain's last duplicate), the direct successor is named: the walk
    does not go back along the chain (the verifier checks at the time of the request, after every event).
    """
    if document.end_series is None or document.end_issued_at is None or document.end_issued_at > at:
        return successor
    if document.end_annulled_at is not None and document.end_annulled_at <= at:
        return None
    assert document.end_number is not None
    return DocumentRef(series=document.end_series, number=document.end_number, duplicate_no=document.end_duplicate_no,
                       issued_on=document.end_issued_at.date(), reason=document.end_reason)


def status_of(rows: list[StatusRow], *, revision: int, payload_sha256: bytes, at: dt.datetime) -> RegistryStatus:
    """The status of revision `revision` with this payload hash, from the rows of its document ([]: none).

    Args:
        rows: `STATUS_QUERY`'s rows of one series and number, in revision order.
        revision, payload_sha256, at: as `RegistryStatusLookup.lookup`.
    """
    if not rows or rows[0].issued_at > at:
        return RegistryStatus(code=StatusCode.NOT_IN_REGISTRY, as_of=at)
    document = rows[0]
    presented = next((r for r in rows if r.revision == revision), None)
    if presented is None or presented.created_at > at \
            or not hmac.compare_digest(bytes.fromhex(presented.payload_sha256), payload_sha256):
        return RegistryStatus(code=StatusCode.NOT_IN_REGISTRY, as_of=at)
    known = [r for r in rows if r.created_at <= at]
    current = known[-1]
    institution = None
    if document.institution_kk is not None and document.institution_ru is not None \
            and document.institution_en is not None:
        institution = InstitutionNames(document.institution_kk, document.institution_ru, document.institution_en)
    original = None
    if document.original_series is not None:
        assert document.original_number is not None and document.original_issued_at is not None
        original = DocumentRef(series=document.original_series, number=document.original_number,
                               issued_on=document.original_issued_at.date())
    closure = None
    if document.closed_on is not None and document.archive_bin is not None and document.closed_on <= at.date():
        archive = None
        if document.archive_kk is not None and document.archive_ru is not None and document.archive_en is not None:
            archive = InstitutionNames(document.archive_kk, document.archive_ru, document.archive_en)
        closure = Closure(closed_on=document.closed_on, archive_bin=document.archive_bin, archive=archive)
        if archive is not None and presented.record is not None \
                and presented.record.get("institution_bin") == document.archive_bin:
            institution = archive  # a revision the archive signed names the archive (a correction after closing)
    log = LogEvidence(leaf_index=presented.log_index,
                      leaf_hash=None if presented.log_leaf_hash is None else bytes(presented.log_leaf_hash))
    status = RegistryStatus(code=StatusCode.ORIGINAL_VALID, as_of=at, current_revision=current.revision,
                            duplicate_no=document.duplicate_no, original=original,
                            issued_on=document.issued_at.astimezone(dt.UTC).date(), institution=institution, log=log,
                            closure=closure)
    if document.state == DocumentState.ANNULLED.value and document.annulled_at is not None \
            and document.annulled_at <= at:
        return replace(status, code=StatusCode.ANNULLED, annulled_at=document.annulled_at, reason=document.annul_basis)
    if document.successor_series is not None and document.replaced_at is not None and document.replaced_at <= at:
        assert document.successor_number is not None and document.successor_issued_at is not None
        successor = DocumentRef(series=document.successor_series, number=document.successor_number,
                                duplicate_no=document.successor_duplicate_no,
                                issued_on=document.successor_issued_at.date(), reason=document.successor_reason)
        return replace(status, code=StatusCode.REPLACED, reason=document.successor_reason, replaced_by=successor,
                       in_force=_in_force(document, successor, at=at))
    if current.revision > presented.revision:
        changed: list[str] = []
        for newer in known:
            if newer.revision > presented.revision:
                changed.extend(f for f in newer.changed_fields if f not in changed)
        return replace(status, code=StatusCode.CORRECTED, changed_fields=tuple(changed),
                       changed_at=current.created_at, reason=current.reason,
                       current_record=None if current.record is None else Record.from_json(current.record))
    if document.duplicate_no is not None:
        return replace(status, code=StatusCode.DUPLICATE_VALID)
    return status
