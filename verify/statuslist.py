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

The statuses inside a list and their bytes (keys 7, 8 and 9) are verify/statusentries.py; this module re-exports
`NumberStatus`, `Successor` and `IN_FORCE`.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import cbor2

from . import codec
from .errors import RecordError, StatusListError
from .identifiers import normalize_series
from .keys import Signer
from .statusentries import (
    IN_FORCE,
    MAX_NUMBER,
    REASONS,
    NumberStatus,
    Successor,
    complete_statuses,
    decode_entries,
    decode_runs,
    encode_entries,
    encode_runs,
    number_value,
    runs_of,
)
from .trust import SignerEntry

#: Re-exported: a status list's contents are read and built through this module.
__all__ = ["CONTENT_TYPE", "FORMAT", "IN_FORCE", "MAX_NEXT_UPDATE", "MAX_NUMBER", "MAX_VALIDITY", "REASONS",
           "NumberStatus", "StatusList", "Successor", "build_status_list",
           "decode_status_list", "protected_header"]

FORMAT = 1
#: COSE protected header 3 (content type, RFC 9052 §3.1): what keeps a status list apart from a record.
CONTENT_TYPE = "application/verify-status-list+cbor"
HDR_CONTENT_TYPE = 3
MAX_NEXT_UPDATE = dt.timedelta(hours=24)
MAX_VALIDITY = dt.timedelta(days=7)
MAX_STATUS_LIST_BYTES = 8 * 1024 * 1024
K_FORMAT, K_SERIES, K_VERSION, K_ISSUED_AT, K_NEXT_UPDATE, K_EXPIRES_AT, K_ISSUED, K_ENTRIES, K_SERIES_TABLE = \
    1, 2, 3, 4, 5, 6, 7, 8, 9
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)




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
        value = number_value(number)
        numbers.append(value)
        if status is not None and status != IN_FORCE:
            statuses[value] = status
    if any(a >= b for a, b in pairwise(numbers)):
        numbers.sort()
        if any(a == b for a, b in pairwise(numbers)):
            raise StatusListError(f"status list {series}: a number is given twice")
    runs = runs_of(numbers)
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
