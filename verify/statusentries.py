"""The numbers and statuses inside a status list, and their bytes (docs/FORMAT.md §9.2, keys 7, 8 and 9).

`NumberStatus` is the status of one number as of a list's issue time; `Successor` the duplicate that replaced
it. The issued numbers are runs (`encode_runs`), the exceptions a sorted table of unsigned LEB128 varints
(`encode_entries`); `complete_statuses` checks one list's statuses together and adds the duplicates that
their predecessors imply. Encoding is canonical and decoding strict; every error is a `StatusListError`.
The signed list around them is verify/statuslist.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from .errors import RecordError, StatusListError
from .record import MAX_DUPLICATE_NO, MAX_REVISION, DuplicateOf

MAX_NUMBER = 9_999_999
#: Duplicate reasons by code (seed 000 item 21; seed 003 item 9); 0 = not given.
REASONS: tuple[str | None, ...] = (None, "lost", "damaged", "name_changed", "filling_error")
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True, slots=True)
class Successor:
    """The duplicate that replaced a document.

    Attributes:
        series, number: the duplicate's (its series may differ from the original's: a TVE duplicate is
            printed on the blank in force, seed 000 item 24).
        issued_on: the day it was issued (UTC).
        reason: "lost", "damaged", "name_changed", "filling_error", or None.
    """

    series: str
    number: str
    issued_on: dt.date
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class NumberStatus:
    """The status of one number's document as of a list's issue time. `NumberStatus()` is an original in force.

    Attributes:
        annulled_on: the day of the annulment, or None.
        replaced_by: the duplicate that replaced it (voiding it), or None.
        current_revision: the revision in force (1 without corrections).
        corrected_on: the day of the newest correction (set exactly when `current_revision` >= 2).
        duplicate: for a duplicate, its N and the original it was issued instead of (`DuplicateOf`).

    Raises:
        StatusListError: a revision outside 1..999, a correction day without a correction (or the reverse),
            an unknown reason.
    """

    annulled_on: dt.date | None = None
    replaced_by: Successor | None = None
    current_revision: int = 1
    corrected_on: dt.date | None = None
    duplicate: DuplicateOf | None = None

    def __post_init__(self) -> None:
        if type(self.current_revision) is not int or not 1 <= self.current_revision <= MAX_REVISION:
            raise StatusListError(f"status: current revision must be 1..{MAX_REVISION}")
        if (self.corrected_on is None) != (self.current_revision == 1):
            raise StatusListError("status: a correction day goes with a current revision >= 2, and only with it")
        if self.replaced_by is not None and self.replaced_by.reason not in REASONS:
            raise StatusListError(f"status: duplicate reason {self.replaced_by.reason!r} is not one of {REASONS[1:]}")


IN_FORCE = NumberStatus()



def number_value(number: str | int) -> int:
    """A number as an int (0..9,999,999) from its int or seven-digit text.

    Raises:
        StatusListError: anything else.
    """
    if type(number) is int and 0 <= number <= MAX_NUMBER:
        return number
    if type(number) is str and len(number) == 7 and number.isascii() and number.isdigit():
        return int(number)
    raise StatusListError(f"status list: {number!r} is not a seven-digit number")


def runs_of(sorted_numbers: list[int]) -> tuple[tuple[int, int], ...]:
    """Maximal runs `(start, stop)` (stop exclusive) of sorted, distinct numbers."""
    runs: list[tuple[int, int]] = []
    start = previous = -2
    for number in sorted_numbers:
        if number != previous + 1:
            if previous >= 0:
                runs.append((start, previous + 1))
            start = number
        previous = number
    if previous >= 0:
        runs.append((start, previous + 1))
    return tuple(runs)



# ============================================================================ bytes of keys 7 and 8 (§9.2)
def write_uvarint(out: bytearray, value: int) -> None:
    """Append `value` (0 <= value < 2^28) as an unsigned LEB128 varint: 7 bits a byte, low first.

    Raises:
        StatusListError: `value` outside 0..2^28 - 1 (at most 4 bytes, docs/FORMAT.md §9.2).
    """
    if not 0 <= value < 2**28:
        raise StatusListError(f"status list: {value} does not fit a varint of at most 4 bytes")
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)


def read_uvarint(data: bytes, pos: int) -> tuple[int, int]:
    """Read one unsigned LEB128 varint at `pos`: (value, next position). At most 4 bytes, minimal.

    Raises:
        StatusListError: truncated, longer than 4 bytes, or not minimal (a last byte 0x00 after others).
    """
    value = shift = 0
    for count in range(4):
        if pos >= len(data):
            raise StatusListError("status list: a varint is cut short")
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if not byte & 0x80:
            if byte == 0 and count:
                raise StatusListError("status list: a varint is not in its shortest form")
            return value, pos
        shift += 7
    raise StatusListError("status list: a varint longer than 4 bytes")


def zigzag(value: int) -> int:
    """Signed -> unsigned: 0, -1, 1, -2, ... -> 0, 1, 2, 3, ... (as Protocol Buffers' sint)."""
    return 2 * value if value >= 0 else -2 * value - 1


def unzigzag(value: int) -> int:
    """The inverse of `zigzag`."""
    return value // 2 if value % 2 == 0 else -(value + 1) // 2


def encode_runs(runs: tuple[tuple[int, int], ...]) -> bytes:
    """Key 7: for each run, uvarint(gap) then uvarint(length - 1); the first gap is the first number, every
    later gap the count of missing numbers before the run minus one (runs are maximal, so it is >= 0).

    Raises:
        StatusListError: runs not sorted, touching or overlapping, or beyond 9,999,999.
    """
    out = bytearray()
    previous_stop = None
    for start, stop in runs:
        gap = start if previous_stop is None else start - previous_stop - 1
        if gap < 0 or stop <= start or stop - 1 > MAX_NUMBER:
            raise StatusListError("status list: runs must be sorted, separated and within 0..9,999,999")
        write_uvarint(out, gap)
        write_uvarint(out, stop - start - 1)
        previous_stop = stop
    return bytes(out)


def decode_runs(data: bytes, *, max_number: int) -> tuple[tuple[int, int], ...]:
    """The inverse of `encode_runs`.

    Raises:
        StatusListError: a bad varint, an odd count, or a number above `max_number`.
    """
    runs: list[tuple[int, int]] = []
    pos, previous_stop = 0, None
    while pos < len(data):
        gap, pos = read_uvarint(data, pos)
        if pos >= len(data):
            raise StatusListError("status list: a run without its length")
        length, pos = read_uvarint(data, pos)
        start = gap if previous_stop is None else previous_stop + 1 + gap
        stop = start + length + 1
        if stop - 1 > max_number:
            raise StatusListError("status list: an issued number above 9,999,999")
        runs.append((start, stop))
        previous_stop = stop
    return tuple(runs)


FLAG_ANNULLED, FLAG_REPLACED, FLAG_CORRECTED, FLAG_DUPLICATE = 1, 2, 4, 8


def complete_statuses(series: str, statuses: Mapping[int, NumberStatus], *,
                      is_issued: Callable[[int], bool]) -> tuple[dict[int, NumberStatus], dict[int, int]]:
    """Check the statuses of one list together and add the duplicates their predecessors' entries imply.

    A number that an entry of this list names as its successor (in this series) is a duplicate: No. 1 of
    that entry's number if that one is no duplicate, else one more than its N, of the same original.

    Returns:
        (every status, duplicates included; successor number -> predecessor number).

    Raises:
        StatusListError: a status for a number not issued, a successor in this series not issued (or the
            number itself), one successor named twice, a chain longer than 99 or a cycle, or a duplicate
            whose stated N or original differs from what its predecessor implies.
    """
    predecessor: dict[int, int] = {}
    for number, status in statuses.items():
        if not is_issued(number):
            raise StatusListError(f"status list {series}: a status for {number:07d}, which is not issued")
        successor = status.replaced_by
        if successor is not None and successor.series == series:
            following = number_value(successor.number)
            if following == number or not is_issued(following):
                raise StatusListError(f"status list {series}: the successor of {number:07d} is not an issued number")
            if following in predecessor:
                raise StatusListError(f"status list {series}: {successor.number} replaces two documents")
            predecessor[following] = number
    out = dict(statuses)
    for following in sorted(predecessor):
        chain = [following]
        while chain[-1] in predecessor:
            chain.append(predecessor[chain[-1]])
            if len(chain) > MAX_DUPLICATE_NO + 1 or chain[-1] == following:
                raise StatusListError(f"status list {series}: a duplicate chain that is too long or a cycle")
        first = chain[-1]
        duplicate = statuses.get(first, IN_FORCE).duplicate
        for number in reversed(chain[:-1]):
            try:
                duplicate = DuplicateOf(duplicate.duplicate_no + 1, duplicate.original_series,
                                        duplicate.original_number) if duplicate is not None \
                    else DuplicateOf(1, series, f"{predecessor[number]:07d}")
            except RecordError as exc:
                raise StatusListError(f"status list {series}: {exc.message}") from None
            stated = statuses.get(number, IN_FORCE)
            if stated.duplicate is not None and stated.duplicate != duplicate:
                raise StatusListError(f"status list {series}: {number:07d} is stated as duplicate No. "
                                      f"{stated.duplicate.duplicate_no} but its predecessor makes it No. "
                                      f"{duplicate.duplicate_no}")
            out[number] = _with_duplicate(stated, duplicate)
    return out, predecessor


def _with_duplicate(status: NumberStatus, duplicate: DuplicateOf) -> NumberStatus:
    return NumberStatus(annulled_on=status.annulled_on, replaced_by=status.replaced_by,
                        current_revision=status.current_revision, corrected_on=status.corrected_on,
                        duplicate=duplicate)


def encode_entries(series: str, statuses: Mapping[int, NumberStatus], *, issue_day: int,
                   is_issued: Callable[[int], bool]) -> tuple[bytes, list[str]]:
    """Key 8 and key 9: the entries of the numbers that are not `IN_FORCE`, and the other series they name.

    Each entry: uvarint(16 x (number - previous number - 1) + flags), previous = -1 before the first, then
    per flag in this order: annulled (1): days before the issue day; replaced (2): series index, zigzag of
    successor - number, reason code, days before the issue day; corrected (4): revision - 2, days before the
    issue day; duplicate (8, only where no predecessor entry implies it): N - 1, series index, zigzag of
    original - number. Series index 0 is the list's series, i >= 1 the i-th of key 9.

    Raises:
        StatusListError: see `complete_statuses`; a day after the issue day.
    """
    complete, predecessor = complete_statuses(series, statuses, is_issued=is_issued)
    named = {s.replaced_by.series for s in complete.values() if s.replaced_by is not None} \
        | {s.duplicate.original_series for s in complete.values() if s.duplicate is not None}
    others = sorted(named - {series}, key=lambda text: text.encode("utf-8"))
    index = {name: i for i, name in enumerate([series, *others])}
    out = bytearray()
    previous = -1
    for number in sorted(complete):
        status = complete[number]
        explicit_duplicate = status.duplicate is not None and number not in predecessor
        flags = (FLAG_ANNULLED * (status.annulled_on is not None) | FLAG_REPLACED * (status.replaced_by is not None)
                 | FLAG_CORRECTED * (status.current_revision > 1) | FLAG_DUPLICATE * explicit_duplicate)
        if not flags:
            continue
        write_uvarint(out, 16 * (number - previous - 1) + flags)
        if status.annulled_on is not None:
            write_uvarint(out, _days_before(issue_day, status.annulled_on))
        if status.replaced_by is not None:
            r = status.replaced_by
            write_uvarint(out, index[r.series])
            write_uvarint(out, zigzag(number_value(r.number) - number))
            write_uvarint(out, REASONS.index(r.reason))
            write_uvarint(out, _days_before(issue_day, r.issued_on))
        if status.current_revision > 1:
            assert status.corrected_on is not None
            write_uvarint(out, status.current_revision - 2)
            write_uvarint(out, _days_before(issue_day, status.corrected_on))
        if explicit_duplicate:
            assert status.duplicate is not None
            write_uvarint(out, status.duplicate.duplicate_no - 1)
            write_uvarint(out, index[status.duplicate.original_series])
            write_uvarint(out, zigzag(number_value(status.duplicate.original_number) - number))
        previous = number
    return bytes(out), others


def decode_entries(data: bytes, *, series: str, table: tuple[str, ...], issue_day: int,
                   max_number: int) -> dict[int, NumberStatus]:
    """The inverse of `encode_entries` (without the duplicates that predecessors imply; see
    `complete_statuses`).

    Raises:
        StatusListError: a bad varint, flags 0, a number above `max_number`, a series index outside the
            table, an unknown reason, a revision or N out of range, a day before 1970, a bad series.
    """
    names = (series, *table)
    out: dict[int, NumberStatus] = {}
    pos, previous = 0, -1
    try:
        while pos < len(data):
            head, pos = read_uvarint(data, pos)
            number, flags = previous + 1 + head // 16, head % 16
            if not flags or number > max_number:
                raise StatusListError("status list: an entry without flags, or a number above 9,999,999")
            annulled_on = replaced_by = corrected_on = duplicate = None
            revision = 1
            if flags & FLAG_ANNULLED:
                days, pos = read_uvarint(data, pos)
                annulled_on = _date_of(issue_day - days)
            if flags & FLAG_REPLACED:
                where, pos = read_uvarint(data, pos)
                offset, pos = read_uvarint(data, pos)
                reason, pos = read_uvarint(data, pos)
                days, pos = read_uvarint(data, pos)
                if reason >= len(REASONS):
                    raise StatusListError(f"status list: unknown reason code {reason}")
                replaced_by = Successor(_series_at(names, where), _number_text(number + unzigzag(offset)),
                                        _date_of(issue_day - days), REASONS[reason])
            if flags & FLAG_CORRECTED:
                revision, pos = read_uvarint(data, pos)
                revision += 2
                days, pos = read_uvarint(data, pos)
                corrected_on = _date_of(issue_day - days)
            if flags & FLAG_DUPLICATE:
                n, pos = read_uvarint(data, pos)
                where, pos = read_uvarint(data, pos)
                offset, pos = read_uvarint(data, pos)
                duplicate = DuplicateOf(n + 1, _series_at(names, where), _number_text(number + unzigzag(offset)))
            out[number] = NumberStatus(annulled_on=annulled_on, replaced_by=replaced_by, current_revision=revision,
                                       corrected_on=corrected_on, duplicate=duplicate)
            previous = number
    except RecordError as exc:
        raise StatusListError(f"status list: {exc.message}") from None
    return out


def _days_before(issue_day: int, day: dt.date) -> int:
    before = issue_day - (day - _EPOCH.date()).days
    if before < 0:
        raise StatusListError(f"status list: the day {day.isoformat()} is after the list's issue day")
    return before


def _date_of(day: int) -> dt.date:
    if day < 0:
        raise StatusListError("status list: a day before 1970-01-01")
    return _EPOCH.date() + dt.timedelta(days=day)


def _series_at(names: tuple[str, ...], index: int) -> str:
    if index >= len(names):
        raise StatusListError(f"status list: series index {index} outside the series table")
    return names[index]


def _number_text(value: int) -> str:
    if not 0 <= value <= MAX_NUMBER:
        raise StatusListError("status list: a number outside 0..9,999,999")
    return f"{value:07d}"
