"""Blank stock: pre-numbered blanks received, consumed by documents, written off when spoiled.

TVE and post-secondary diplomas are printed on blanks that a printing house makes with a series
and a seven-digit number on the insert sheet (seed 000, Rules items 7, 10, 17-18); blanks are
accounted for. A college records each range it receives (series, first and last number); each
document consumes the next free blank of the institution's stock for its series; a spoiled
blank is written off with a reason and is never used.

Every range has its kind, by the colour of the cover (seed 000, Rules item 8): honours (red) for a diploma with
honours, "Altyn belgi" (light blue), ordinary (dark blue) for the rest (`BlankKind`, `blank_kind_for`); a document
consumes a blank of its own kind, and a given blank of another kind is refused, naming both kinds.

Rules:
    * a range is refused if it overlaps any range of the same series, of any institution
      (a series and number exist once);
    * a number outside the institution's stock is refused (writing off, or issuing on a given blank);
    * consumption goes in number order: the lowest free number of the lowest range.

Storage: `blank_ranges` (with a cursor `next_number`: every number below it is used or written
off) and `blanks` (one row per blank taken out of stock, UNIQUE(series, number)). Writers lock
the ranges of the series (`SELECT ... FOR UPDATE` on PostgreSQL, plus a transaction-scoped
advisory lock on the series when ranges are added; SQLite's `BEGIN IMMEDIATE` serialises writers).
"""

from __future__ import annotations

import datetime as dt
import zlib
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy import text as sql
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..errors import ConflictError, RecordError, StockError
from ..identifiers import normalize_series, refuse_iin_in_text
from ..matching import parse_number
from ..texts import text
from .access import officer_id, require_institution, require_open, require_writer, unit_of_work
from .audit import append_event
from .models import Blank, BlankKind, BlankRange, BlankState, Officer
from .numbering import format_number


@dataclass(frozen=True, slots=True)
class BlankReservation:
    """A blank taken for a document in the open transaction (`mark_blank_used` records it).

    Attributes:
        range_id: the range it comes from.
        series: its series.
        number: its seven-digit number.
    """

    range_id: int
    series: str
    number: str


@dataclass(frozen=True, slots=True)
class StockLine:
    """The stock of one series at one institution.

    Attributes:
        series: the series.
        received: blanks in all ranges received.
        used: blanks used for documents.
        written_off: blanks written off.
        free: received - used - written off.
        next_free: the number the next document will get, or None when the stock is empty.
        kind: the blanks' kind (`BlankKind` value); a series with ranges of two kinds has a line per kind.
    """

    series: str
    received: int
    used: int
    written_off: int
    free: int
    next_free: str | None
    kind: str = BlankKind.ORDINARY.value


def blank_kind_for(*, doc_type: str, honours: bool) -> BlankKind:
    """The blank a document is printed on (seed 000, Rules item 8): a diploma with honours (its type, or the
    record's honours flag) on the red honours blank, every other document of this registry on the ordinary one
    (the light blue "Altyn belgi" blank is a school attestat's, which this registry does not issue)."""
    return BlankKind.HONOURS if honours or doc_type.endswith("_HONOURS") else BlankKind.ORDINARY


def parse_blank_kind(value: str) -> BlankKind:
    """A `BlankKind` from its value.

    Raises:
        RecordError: another value (the message lists the kinds).
    """
    try:
        return BlankKind(value.strip())
    except ValueError:
        raise RecordError(text("v_blank_kind", field="kind", kinds=", ".join(k.value for k in BlankKind))) from None


def _parse_number(value: str | int, *, label: str) -> int:
    if isinstance(value, int):
        if not 0 <= value <= 9_999_999:
            raise RecordError(text("v_blank_number", field=label))
        return value
    return int(parse_number(value))


def _lock_series(session: Session, series: str) -> None:
    """PostgreSQL: a transaction-scoped advisory lock on the series, so range checks do not race."""
    if session.get_bind().dialect.name == "postgresql":
        key = zlib.crc32(f"verify.blanks:{series}".encode())
        session.execute(sql("SELECT pg_advisory_xact_lock(:key)"), {"key": key})


def add_blank_range(*, session: Session, officer: Officer, series: str, first: str | int, last: str | int,
                    at: dt.datetime, kind: str = BlankKind.ORDINARY.value) -> BlankRange:
    """Record a range of blanks received by the officer's institution; commits.

    Args:
        series: the printed series (normalised here).
        first, last: seven-digit numbers (text with leading zeros, or int), inclusive, first <= last.
        at: when they were received (aware).
        kind: "ordinary", "honours" or "altyn_belgi" (seed 000, Rules item 8).

    Returns:
        The new `BlankRange`.

    Raises:
        ForbiddenError: a viewer or inactive account.
        RecordError: a bad series, number or kind, or first > last.
        ConflictError: the range overlaps one already received (by any institution; only a range of the
            officer's own institution is named).
    """
    require_writer(officer)
    series, blank_kind = normalize_series(series), parse_blank_kind(kind)
    first_no, last_no = _parse_number(first, label="first"), _parse_number(last, label="last")
    if first_no > last_no:
        raise RecordError(text("v_blank_order", field="first"))
    with unit_of_work(session):
        require_open(session, officer)  # inside the transaction: a refusal leaves none open
        _lock_series(session, series)
        overlap = session.exec(
            select(BlankRange).where(BlankRange.series == series, col(BlankRange.first_number) <= last_no,
                                     col(BlankRange.last_number) >= first_no)
            .order_by(col(BlankRange.first_number))
        ).first()
        if overlap is not None:
            if overlap.institution_id == officer.institution_id:
                raise ConflictError(text("v_blank_overlap_own", series=series, first=format_number(first_no),
                                         last=format_number(last_no), other_first=format_number(overlap.first_number),
                                         other_last=format_number(overlap.last_number)))
            # Blank numbers are unique in the country, so the overlap itself must be said; nothing of the other
            # institution's stock (its range, its name) is (issue 10, item 8).
            raise ConflictError(text("v_blank_overlap_other", series=series, first=format_number(first_no),
                                     last=format_number(last_no)))
        blank_range = BlankRange(institution_id=officer.institution_id, series=series, first_number=first_no,
                                 last_number=last_no, next_number=first_no, received_at=at,
                                 officer_id=officer_id(officer), kind=blank_kind.value)
        session.add(blank_range)
        session.flush()
        append_event(session=session, at=at, officer=officer, action="blanks.receive", object_type="blank_range",
                     object_ref=f"{series} {format_number(first_no)}-{format_number(last_no)}",
                     after={"series": series, "first": format_number(first_no), "last": format_number(last_no),
                            "count": last_no - first_no + 1, "kind": blank_kind.value})
    return blank_range


def _locked_ranges(session: Session, *, institution_id: int, series: str) -> list[BlankRange]:
    statement = (select(BlankRange)
                 .where(BlankRange.institution_id == institution_id, BlankRange.series == series)
                 .order_by(col(BlankRange.first_number))
                 .with_for_update()
                 .execution_options(populate_existing=True))
    return list(session.exec(statement))


def _taken_from(session: Session, blank_range: BlankRange) -> set[str]:
    """Numbers of the range at or above its cursor that are out of stock already (written off ahead)."""
    assert blank_range.id is not None
    return set(session.exec(select(Blank.number).where(Blank.range_id == blank_range.id,
                                                       col(Blank.number) >= format_number(blank_range.next_number))))


def reserve_blank(*, session: Session, institution_id: int, series: str, number: str | None = None,
                  kind: str = BlankKind.ORDINARY.value) -> BlankReservation:
    """Take a blank of `kind` for a document, in the session's open transaction (no commit).

    Without `number`, the next free blank: the lowest free number of the lowest range of the
    institution's stock in `series` of that kind. With `number`, exactly that blank, which must be in the
    institution's stock, free, and of that kind.

    Raises:
        StockError: no free blank of the kind in the series, `number` is outside the institution's stock, or it is
            a blank of another kind (seed 000, Rules item 8: the message names both kinds).
        ConflictError: `number` is used or written off already.
    """
    ranges = _locked_ranges(session, institution_id=institution_id, series=series)
    if number is not None:
        wanted = int(parse_number(number))
        for blank_range in ranges:
            if blank_range.first_number <= wanted <= blank_range.last_number:
                assert blank_range.id is not None
                if blank_range.kind != kind:
                    raise StockError(text("v_blank_kind_mismatch", series=series, number=number,
                                          kind=text(f"v_blank_kind_{blank_range.kind}"),
                                          wanted=text(f"v_blank_kind_{kind}")))
                if session.exec(select(Blank.id).where(Blank.series == series, Blank.number == number)).first():
                    raise ConflictError(text("v_blank_used", series=series, number=number))
                if wanted == blank_range.next_number:
                    blank_range.next_number = wanted + 1
                    session.add(blank_range)
                return BlankReservation(range_id=blank_range.id, series=series, number=number)
        raise StockError(text("v_blank_not_in_stock", series=series, number=number))
    for blank_range in ranges:
        if blank_range.next_number > blank_range.last_number or blank_range.kind != kind:
            continue
        taken = _taken_from(session, blank_range)
        candidate = blank_range.next_number
        while candidate <= blank_range.last_number and format_number(candidate) in taken:
            candidate += 1
        blank_range.next_number = min(candidate + 1, blank_range.last_number + 1)
        session.add(blank_range)
        if candidate <= blank_range.last_number:
            assert blank_range.id is not None
            return BlankReservation(range_id=blank_range.id, series=series, number=format_number(candidate))
    if kind != BlankKind.ORDINARY.value or any(r.kind != kind for r in ranges):
        raise StockError(text("v_blank_none_free_kind", series=series, wanted=text(f"v_blank_kind_{kind}")))
    raise StockError(text("v_blank_none_free", series=series))


def mark_blank_used(*, session: Session, reservation: BlankReservation, document_id: int, officer: Officer,
                    at: dt.datetime) -> Blank:
    """Record that a reserved blank carries a document (same transaction as the document insert).

    Raises:
        ConflictError: the blank was taken concurrently (UNIQUE(series, number)).
    """
    blank = Blank(range_id=reservation.range_id, series=reservation.series, number=reservation.number,
                  state=BlankState.USED.value, document_id=document_id, at=at, officer_id=officer_id(officer))
    session.add(blank)
    try:
        session.flush()
    except IntegrityError:
        raise ConflictError(text("v_blank_used_already", series=reservation.series,
                                 number=reservation.number)) from None
    return blank


def write_off_blank(*, session: Session, officer: Officer, series: str, number: str, reason: str,
                    at: dt.datetime) -> Blank:
    """Write off a spoiled blank of the officer's institution, with a reason; commits.

    Raises:
        ForbiddenError: a viewer or inactive account.
        RecordError: a bad series or number, or an empty reason (IinInTextError: the reason holds an IIN).
        StockError: the number is not in the institution's stock.
        ConflictError: the blank is used for a document or written off already.
    """
    require_writer(officer)
    series, number = normalize_series(series), parse_number(number)
    reason = refuse_iin_in_text(reason.strip(), field="reason")
    if not reason:
        raise RecordError(text("v_blank_write_off_reason", field="reason"))
    wanted = int(number)
    with unit_of_work(session):
        require_open(session, officer)  # inside the transaction: a refusal leaves none open
        ranges = _locked_ranges(session, institution_id=officer.institution_id, series=series)
        blank_range = next((r for r in ranges if r.first_number <= wanted <= r.last_number), None)
        if blank_range is None:
            raise StockError(text("v_blank_not_in_stock", series=series, number=number))
        assert blank_range.id is not None
        require_institution(officer, blank_range.institution_id,
                            what=text("v_what_blank", series=series, number=number))
        existing = session.exec(select(Blank).where(Blank.series == series, Blank.number == number)).first()
        if existing is not None:
            key = "v_blank_state_used" if existing.state == BlankState.USED.value else "v_blank_state_written_off"
            raise ConflictError(text(key, series=series, number=number))
        blank = Blank(range_id=blank_range.id, series=series, number=number, state=BlankState.WRITTEN_OFF.value,
                      reason=reason, at=at, officer_id=officer_id(officer))
        session.add(blank)
        session.flush()
        append_event(session=session, at=at, officer=officer, action="blank.write_off", object_type="blank",
                     object_ref=f"{series} {number}", reason=reason,
                     before={"state": "in_stock"}, after={"state": BlankState.WRITTEN_OFF.value})
    return blank


def stock_summary(*, session: Session, institution_id: int) -> list[StockLine]:
    """The institution's stock by series: received, used, written off, free, next free number."""
    lines: list[StockLine] = []
    ranges = list(session.exec(select(BlankRange).where(BlankRange.institution_id == institution_id)
                               .order_by(col(BlankRange.series), col(BlankRange.first_number))))
    for series, kind in sorted({(r.series, r.kind) for r in ranges}):
        mine = [r for r in ranges if r.series == series and r.kind == kind]
        ids = [r.id for r in mine]
        counts = dict(session.exec(select(Blank.state, func.count()).where(col(Blank.range_id).in_(ids))
                                   .group_by(col(Blank.state))).all())
        received = sum(r.size for r in mine)
        used, written_off = int(counts.get(BlankState.USED.value, 0)), int(counts.get(BlankState.WRITTEN_OFF.value, 0))
        next_free = None
        for blank_range in mine:
            taken = _taken_from(session, blank_range)
            candidate = blank_range.next_number
            while candidate <= blank_range.last_number and format_number(candidate) in taken:
                candidate += 1
            if candidate <= blank_range.last_number:
                next_free = format_number(candidate)
                break
        lines.append(StockLine(series=series, received=received, used=used, written_off=written_off,
                               free=received - used - written_off, next_free=next_free, kind=kind))
    return lines


def series_with_free_blanks(*, session: Session, institution_id: int, kind: str | None = None) -> list[str]:
    """Series in which the institution has at least one range (of `kind`, when given) not yet used up (cursor below
    the end)."""
    statement = select(BlankRange.series).where(BlankRange.institution_id == institution_id,
                                                col(BlankRange.next_number) <= col(BlankRange.last_number))
    if kind is not None:
        statement = statement.where(BlankRange.kind == kind)
    return sorted(set(session.exec(statement)))


def choose_blank_series(session: Session, *, institution_id: int, preferred: str | None, kind: str,
                        fallback: str | None = None) -> str:
    """The series to print a document of `kind` on: `preferred`, else `fallback` or the only series with free
    blanks of that kind.

    Raises:
        StockError: no free blank of the kind, or several series to choose from.
    """
    if preferred is not None:
        return normalize_series(preferred)
    available = series_with_free_blanks(session=session, institution_id=institution_id, kind=kind)
    if fallback is not None and fallback in available:
        return fallback
    if len(available) == 1:
        return available[0]
    if not available:
        if kind != BlankKind.ORDINARY.value:
            raise StockError(text("v_no_free_blanks_kind", wanted=text(f"v_blank_kind_{kind}")))
        raise StockError(text("v_no_free_blanks"))
    raise StockError(text("v_several_series", series=", ".join(available)))
