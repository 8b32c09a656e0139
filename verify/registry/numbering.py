"""Service numbering: a counter row per series, advanced in the transaction that inserts the document.

Higher-education series (BD, BQ, MD, MBA, DBA, CMD, CPR, PhD, PD) are numbered sequentially by
the ministry's service (seed 001, item 7), and the certificates of incomplete studies (анықтама, seed 000
appendix 37) take their registration numbers from the series REG the same way. Numbers are seven digits: the
blank rule of seed 000, Rules item 17, which seed 001 item 7 does not extend to its series (our choice).

    UPDATE counters SET last = last + 1 WHERE series = :series RETURNING last

runs in the same transaction as the document insert, so a number is either used by a committed
document or, when the transaction rolls back, never given: no gaps, no duplicates, and a number
is never reused (the counter only grows; an annulment does not give its number back). On
PostgreSQL the UPDATE locks the counter row until commit (concurrent writers queue there, READ
COMMITTED re-reads the row after the wait); on SQLite the transaction began with `BEGIN IMMEDIATE`
(db.py), so it holds the database's write lock. `UNIQUE(series, number)` on `documents` is the
last line of defence.
"""

from __future__ import annotations

from sqlalchemy import text as sql
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from ..errors import ConflictError
from ..texts import text
from .models import MAX_NUMBER, Counter

_ADVANCE = sql("UPDATE counters SET last = last + 1 WHERE series = :series RETURNING last")
_ADVANCE_BY = sql("UPDATE counters SET last = last + :count WHERE series = :series RETURNING last")


def format_number(value: int) -> str:
    """A number as seven digits with leading zeros (seed 000, Rules item 17)."""
    return f"{value:07d}"


def allocate_number(*, session: Session, series: str) -> str:
    """Take the next number of a service-numbered series, in the session's open transaction.

    The caller inserts the document in the same transaction and commits (or rolls back, and
    the number is not used). A series without a counter row gets one, starting at 0.

    Args:
        series: a normalised series (`identifiers.normalize_series`).

    Returns:
        The number, seven digits ("0000001" for the first).

    Raises:
        ConflictError: the series has used all seven-digit numbers (9,999,999).
    """
    # On the session's connection (Core, not the ORM's execute): the row lock is held from here to
    # COMMIT, so every microsecond of client work after this statement is time other writers wait.
    connection = session.connection()
    try:
        row = connection.execute(_ADVANCE, {"series": series}).first()
    except IntegrityError:  # the CHECK on counters.last: past 9,999,999
        raise ConflictError(text("v_series_full", series=series)) from None
    if row is None:
        _create_counter(session=session, series=series)
        row = connection.execute(_ADVANCE, {"series": series}).one()
    value = int(row[0])
    if value > MAX_NUMBER:  # engines that do not enforce the CHECK constraint
        raise ConflictError(text("v_series_full", series=series))
    return format_number(value)


def allocate_numbers(*, session: Session, series: str, count: int) -> list[str]:
    """Take the next `count` numbers of a service-numbered series at once, in the session's open transaction.

    One `UPDATE counters SET last = last + :count ... RETURNING last` (the batch issue's path: one statement and
    one row lock per chunk instead of one per document); the same rules as `allocate_number`: the caller inserts
    the documents in the same transaction, a rollback gives none of the numbers, nothing is ever reused.

    Args:
        series: a normalised series; count: how many numbers.

    Returns:
        The numbers in ascending order, seven digits each (seed 000, Rules item 17); [] for a count below 1.

    Raises:
        ConflictError: the series has not `count` numbers left below 9,999,999.
    """
    if count < 1:
        return []
    connection = session.connection()
    try:
        row = connection.execute(_ADVANCE_BY, {"series": series, "count": count}).first()
        if row is None:
            _create_counter(session=session, series=series)
            row = connection.execute(_ADVANCE_BY, {"series": series, "count": count}).one()
    except IntegrityError:  # the CHECK on counters.last: past 9,999,999
        raise ConflictError(text("v_series_full", series=series)) from None
    last = int(row[0])
    if last > MAX_NUMBER:  # engines that do not enforce the CHECK constraint
        raise ConflictError(text("v_series_full", series=series))
    return [format_number(value) for value in range(last - count + 1, last + 1)]


def _create_counter(*, session: Session, series: str) -> None:
    """Insert a counter at 0 unless a concurrent transaction just did (savepoint keeps ours alive)."""
    try:
        with session.begin_nested():
            session.add(Counter(series=series, last=0))
    except IntegrityError:
        pass


def peek_counter(*, session: Session, series: str) -> int:
    """The last number given in a series (0 if none): what the next allocation will exceed."""
    value = session.exec(select(Counter.last).where(Counter.series == series)).first()
    return int(value) if value is not None else 0
