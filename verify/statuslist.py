"""Signed status lists: the status of every number of one series, for offline verification (docs/FORMAT.md §9).

A status list is a COSE_Sign1 (RFC 9052 §4.2) signed by a trust-list signer of usage `status`, one list per
series. Its payload says, as of its issue time, which numbers of the series were issued and, for the few that
are not plain originals in force, their status: annulled, replaced by a duplicate (which one, when, why),
corrected (the revision in force), or a duplicate itself (its N and original). Only series, numbers, dates and
codes: no names, no IIN, no free text. A verifier holding a fresh list answers exactly what the registry
answers online (`StatusListLookup` implements `verify.status.StatusLookup`), except what only the registry
knows: the signed payload's hash, the fields a correction changed, an annulment's basis.

Compact by design (10,000,000 documents with 1 % not in force take about 0.6 MB of lists in all;
docs/BENCHMARKS.md): the issued numbers are runs, the exceptions a sorted table of unsigned LEB128 varints.
Encoding is canonical and decoding strict: a list decodes only if encoding what was read gives the same bytes.

    build_status_list(series, rows, ...) -> StatusList      from (number, NumberStatus | None) rows
    StatusList.sign(signer) -> bytes                        the COSE_Sign1 to publish (<series>.cose)
    verify_status_list(data, trust_list=, at=, ...) -> StatusList   every check of §9.5, or StatusListError
    StatusListLookup(lists)                                 the verifier's StatusLookup over verified lists
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import cbor2

from . import codec
from .errors import RecordError, StatusListError
from .identifiers import normalize_series
from .keys import Signer
from .record import MAX_DUPLICATE_NO, MAX_REVISION, DuplicateOf
from .trust import SignerEntry

FORMAT = 1
#: COSE protected header 3 (content type, RFC 9052 §3.1): what keeps a status list apart from a record.
CONTENT_TYPE = "application/verify-status-list+cbor"
HDR_CONTENT_TYPE = 3
MAX_NEXT_UPDATE = dt.timedelta(hours=24)
MAX_VALIDITY = dt.timedelta(days=7)
MAX_STATUS_LIST_BYTES = 8 * 1024 * 1024
MAX_NUMBER = 9_999_999
#: Duplicate reasons by code (seed 000 item 21; seed 003 item 9); 0 = not given.
REASONS: tuple[str | None, ...] = (None, "lost", "damaged", "name_changed", "filling_error")
K_FORMAT, K_SERIES, K_VERSION, K_ISSUED_AT, K_NEXT_UPDATE, K_EXPIRES_AT, K_ISSUED, K_ENTRIES, K_SERIES_TABLE = \
    1, 2, 3, 4, 5, 6, 7, 8, 9
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


@dataclass(frozen=True)
class StatusList:
    """A status list: one series' numbers as of `issued_at` (docs/FORMAT.md §9.2).

    Attributes:
        series: the series (normalised).
        version: publication number of this series' list, increasing.
        issued_at, next_update, expires_at: aware UTC datetimes, whole seconds; next update at most 24 h and
            expiry at most 7 days after the issue time.
        issued: the issued numbers as runs `(first, stop)` (stop exclusive), sorted and separated.
        statuses: number -> `NumberStatus` for every issued number that is not `IN_FORCE` (duplicates
            derived from their predecessor's entry included).
        signer: the status signer that verified it (set by `verify_status_list`), else None.
    """

    series: str
    version: int
    issued_at: dt.datetime
    next_update: dt.datetime
    expires_at: dt.datetime
    issued: tuple[tuple[int, int], ...]
    statuses: Mapping[int, NumberStatus]
    signer: SignerEntry | None = field(default=None, compare=False)
    _starts: tuple[int, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(start for start, _ in self.issued))

    @property
    def source(self) -> str:
        """Where a status came from, for reports: "signed status list BD v42"."""
        return f"signed status list {self.series} v{self.version}"

    def is_issued(self, number: int) -> bool:
        """Whether `number` (0..9,999,999) is an issued number of the series."""
        index = bisect_right(self._starts, number) - 1
        return index >= 0 and number < self.issued[index][1]

    def status_of(self, number: str) -> NumberStatus | None:
        """The status of a seven-digit number, or None when the list does not hold it as issued."""
        if len(number) != 7 or not (number.isascii() and number.isdigit()):
            return None
        value = int(number)
        if not self.is_issued(value):
            return None
        return self.statuses.get(value, IN_FORCE)

    @property
    def count(self) -> int:
        """How many numbers were issued."""
        return sum(stop - start for start, stop in self.issued)

    def encode_payload(self) -> bytes:
        """The deterministic CBOR payload (docs/FORMAT.md §9.2).

        Raises:
            StatusListError: times out of order or range, inconsistent statuses (see `build_status_list`).
        """
        _check_times(self.issued_at, self.next_update, self.expires_at)
        if type(self.version) is not int or not 1 <= self.version < 2**53:
            raise StatusListError("status list: version must be 1..2^53-1")
        entries, table = encode_entries(self.series, self.statuses, issue_day=_day(self.issued_at),
                                        is_issued=self.is_issued)
        payload: dict[int, Any] = {
            K_FORMAT: FORMAT, K_SERIES: self.series, K_VERSION: self.version,
            K_ISSUED_AT: _seconds(self.issued_at), K_NEXT_UPDATE: _seconds(self.next_update),
            K_EXPIRES_AT: _seconds(self.expires_at), K_ISSUED: encode_runs(self.issued), K_ENTRIES: entries,
        }
        if table:
            payload[K_SERIES_TABLE] = table
        return cbor2.dumps(payload, canonical=True)

    def sign(self, signer: Signer) -> bytes:
        """The tagged COSE_Sign1 of this list, signed by a status signer (docs/FORMAT.md §9.3).

        Raises:
            StatusListError: as `encode_payload`.
        """
        protected = protected_header(signer.alg, signer.kid)
        payload = self.encode_payload()
        return codec.encode_sign1(protected, payload, signer.sign(codec.sig_structure(protected, payload)))


def protected_header(alg: int, kid: bytes) -> bytes:
    """`{1: alg, 3: CONTENT_TYPE, 4: kid}` in deterministic CBOR: the protected header of a status list."""
    return cbor2.dumps({codec.HDR_ALG: alg, HDR_CONTENT_TYPE: CONTENT_TYPE, codec.HDR_KID: kid}, canonical=True)


def build_status_list(series: str, rows: Iterable[tuple[str | int, NumberStatus | None]], *, version: int,
                      issued_at: dt.datetime, next_update: dt.datetime | None = None,
                      expires_at: dt.datetime | None = None) -> StatusList:
    """Build the list of one series from its rows, in any order (the registry's export; about 1 s per million).

    Args:
        series: the series, normalised.
        rows: `(number, status)` for every issued number: the number as seven digits or an int 0..9,999,999;
            the status None (or `IN_FORCE`) for an original in force at revision 1.
        version: this list's version (the previous one's + 1).
        issued_at: the time the rows were read (whole seconds are kept).
        next_update, expires_at: default 24 hours and 7 days after `issued_at` (the maxima).

    Returns:
        The `StatusList` (unsigned; `sign` it with the active status signer).

    Raises:
        StatusListError: a bad series or number, a number twice, a status inconsistent with the rest (a
            successor not issued, two documents replaced by one, a duplicate whose N or original disagrees
            with its predecessor's entry, a day after the issue day), or times out of range.
    """
    try:
        if normalize_series(series) != series:
            raise RecordError("not normalised")
    except RecordError:
        raise StatusListError(f"status list: series {series!r} is not a normalised series") from None
    issued_at = issued_at.replace(microsecond=0)
    next_update = next_update or issued_at + MAX_NEXT_UPDATE
    expires_at = expires_at or issued_at + MAX_VALIDITY
    numbers: list[int] = []
    statuses: dict[int, NumberStatus] = {}
    for number, status in rows:
        value = _number_value(number)
        numbers.append(value)
        if status is not None and status != IN_FORCE:
            statuses[value] = status
    if any(a >= b for a, b in pairwise(numbers)):
        numbers.sort()
        if any(a == b for a, b in pairwise(numbers)):
            raise StatusListError(f"status list {series}: a number is given twice")
    runs = _runs(numbers)
    probe = StatusList(series=series, version=version, issued_at=issued_at, next_update=next_update,
                       expires_at=expires_at, issued=runs, statuses={})
    complete, _ = complete_statuses(series, statuses, is_issued=probe.is_issued)
    built = StatusList(series=series, version=version, issued_at=issued_at, next_update=next_update,
                       expires_at=expires_at, issued=runs, statuses=complete)
    built.encode_payload()  # every other rule (times, days, series), once
    return built


def decode_status_list(payload: bytes) -> StatusList:
    """Decode a status list payload strictly: it must be exactly what encoding the decoded list gives.

    Raises:
        StatusListError: not deterministic CBOR, a missing or unknown key, a wrong type, a bad varint
            stream, an inconsistent entry, or any other encoding than the canonical one.
    """
    m = codec.strict_loads(payload, cap=MAX_STATUS_LIST_BYTES, error=StatusListError, what="status list")
    if not isinstance(m, dict) or not all(type(k) is int for k in m):
        raise StatusListError("status list: must be a CBOR map with integer keys")
    required = {K_FORMAT, K_SERIES, K_VERSION, K_ISSUED_AT, K_NEXT_UPDATE, K_EXPIRES_AT, K_ISSUED, K_ENTRIES}
    if missing := required - set(m):
        raise StatusListError(f"status list: missing key(s) {sorted(missing)}")
    if unknown := set(m) - required - {K_SERIES_TABLE}:
        raise StatusListError(f"status list: unknown key(s) {sorted(unknown)}")
    if m[K_FORMAT] != FORMAT or type(m[K_FORMAT]) is not int:
        raise StatusListError(f"status list: format {m[K_FORMAT]!r} is not supported")
    series = _typed(m, K_SERIES, str)
    times = [_typed(m, k, int) for k in (K_ISSUED_AT, K_NEXT_UPDATE, K_EXPIRES_AT)]
    if not all(0 <= t < 2**34 for t in times):
        raise StatusListError("status list: a time out of range")
    issued_at, next_update, expires_at = (_EPOCH + dt.timedelta(seconds=t) for t in times)
    table = m.get(K_SERIES_TABLE, [])
    if type(table) is not list or not all(type(s) is str for s in table):
        raise StatusListError("status list: the series table must be an array of text")
    version = _typed(m, K_VERSION, int)
    issued = decode_runs(_typed(m, K_ISSUED, bytes), max_number=MAX_NUMBER)
    probe = StatusList(series=series, version=version, issued_at=issued_at, next_update=next_update,
                       expires_at=expires_at, issued=issued, statuses={})
    try:
        if normalize_series(series) != series:
            raise RecordError("not normalised")
        entries = decode_entries(_typed(m, K_ENTRIES, bytes), series=series, table=tuple(table),
                                 issue_day=_day(issued_at), max_number=MAX_NUMBER)
        complete, _ = complete_statuses(series, entries, is_issued=probe.is_issued)
        decoded = StatusList(series=series, version=version, issued_at=issued_at, next_update=next_update,
                             expires_at=expires_at, issued=issued, statuses=complete)
        again = decoded.encode_payload()
    except (RecordError, StatusListError) as exc:
        raise StatusListError(f"status list: {exc.message}") from None
    if again != bytes(payload):
        raise StatusListError("status list: not in its canonical encoding (docs/FORMAT.md §9.2)")
    return decoded


def _typed(m: dict[int, Any], key: int, kind: type) -> Any:
    value = m[key]
    if type(value) is not kind:
        raise StatusListError(f"status list: key {key} must be {kind.__name__}")
    return value


def _number_value(number: str | int) -> int:
    if type(number) is int and 0 <= number <= MAX_NUMBER:
        return number
    if type(number) is str and len(number) == 7 and number.isascii() and number.isdigit():
        return int(number)
    raise StatusListError(f"status list: {number!r} is not a seven-digit number")


def _runs(sorted_numbers: list[int]) -> tuple[tuple[int, int], ...]:
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


def _seconds(value: dt.datetime) -> int:
    if value.tzinfo is None or value.microsecond:
        raise StatusListError("status list: times must be aware and in whole seconds")
    return int((value - _EPOCH).total_seconds())


def _day(value: dt.datetime) -> int:
    return (value.astimezone(dt.UTC).date() - _EPOCH.date()).days


def _check_times(issued_at: dt.datetime, next_update: dt.datetime, expires_at: dt.datetime) -> None:
    for value in (issued_at, next_update, expires_at):
        if not 0 <= _seconds(value) < 2**34:
            raise StatusListError("status list: a time out of range")
    if not issued_at < next_update <= issued_at + MAX_NEXT_UPDATE:
        raise StatusListError("status list: next update must be after the issue time and at most 24 hours later")
    if not next_update <= expires_at <= issued_at + MAX_VALIDITY:
        raise StatusListError("status list: expiry must be at or after the next update and at most 7 days after "
                              "the issue time")



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
            following = _number_value(successor.number)
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
            write_uvarint(out, zigzag(_number_value(r.number) - number))
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
            write_uvarint(out, zigzag(_number_value(status.duplicate.original_number) - number))
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
