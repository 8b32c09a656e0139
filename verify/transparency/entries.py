"""Log entries: what one leaf of the transparency log says, and its bytes (docs/TRANSPARENCY.md §3).

An entry is a CBOR map with small integer keys in the deterministic encoding of RFC 8949 §4.2.1
(cbor2's canonical mode; for keys 0..23 the length-first and bytewise orders agree). Decoding is
strict as in `verify.codec`: a size cap first, then decode and re-encode and compare bytes (no
duplicate keys, indefinite lengths, non-shortest heads, floats, tags or trailing bytes), then
every key is checked against the entry type's key set. Entries name documents by series and
number and institutions by BIN; never a person: no name, no IIN.

    key  field                type     in
    1    format version       uint 1   all
    2    entry type           uint     all: 1 revision, 2 status change, 3 audit anchor
    3    time                 uint     all: Unix seconds, UTC (signing time / effective time / anchor time)
    4    series               tstr     revision; duplicate, correction, annulment (the document concerned)
    5    number               tstr     as 4: seven digits
    6    institution BIN      uint     revision and every status change (closure: the closed institution)
    7    revision             uint     revision (>= 1); correction (the new revision, >= 2)
    8    SHA-256 of the COSE  bstr 32  revision: of the signed record's COSE_Sign1 bytes
    9    kid                  bstr 8   revision: the document signer's kid
    10   status kind          uint     status change: 1 duplicate, 2 correction, 3 annulment, 4 closure
    11   successor            [tstr, tstr]  duplicate: series and number of the duplicate issued
    12   archive BIN          uint     closure: the institution that keeps the closed one's records
    13   audit sequence       uint     audit anchor: seq of the audit chain head
    14   audit head hash      bstr 32  audit anchor: hash of that event

A revision entry is a function of the COSE_Sign1 bytes alone (`RevisionEntry.from_cose`), so a
verifier holding a QR code can rebuild the entry and check its inclusion proof offline.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import cbor2

from ..codec import KID_BYTES, decode_payload, parse_sign1, strict_loads
from ..errors import Error, LogEntryError
from ..identifiers import NUMBER_RE, is_normalized_series, is_valid_bin, normalize_series, validate_bin, validate_number
from ..status import DecodedRecord

ENTRY_FORMAT_VERSION = 1
MAX_ENTRY_BYTES = 256
MAX_TIME_SECONDS = 2**34  # as the record payload (verify.codec)

K_VERSION, K_TYPE, K_TIME, K_SERIES, K_NUMBER, K_BIN, K_REVISION = 1, 2, 3, 4, 5, 6, 7
K_COSE_SHA256, K_KID, K_KIND, K_SUCCESSOR, K_ARCHIVE_BIN, K_AUDIT_SEQ, K_AUDIT_HASH = 8, 9, 10, 11, 12, 13, 14

TYPE_REVISION, TYPE_STATUS_CHANGE, TYPE_AUDIT_ANCHOR = 1, 2, 3
_COMMON = frozenset({K_VERSION, K_TYPE, K_TIME})
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


class StatusKind(enum.IntEnum):
    """Which status change an entry records (DESIGN.md, Registry and lifecycle; issue 13 for closures)."""

    DUPLICATE = 1  # the document was replaced by a duplicate (seed 000, Rules item 21)
    CORRECTION = 2  # a new revision corrects its data
    ANNULMENT = 3  # annulled, final
    CLOSURE = 4  # an institution closed; an archive keeps its records (seed 000, Rules item 23)


_KIND_KEYS = {
    StatusKind.DUPLICATE: frozenset({K_SERIES, K_NUMBER, K_BIN, K_SUCCESSOR}),
    StatusKind.CORRECTION: frozenset({K_SERIES, K_NUMBER, K_BIN, K_REVISION}),
    StatusKind.ANNULMENT: frozenset({K_SERIES, K_NUMBER, K_BIN}),
    StatusKind.CLOSURE: frozenset({K_BIN, K_ARCHIVE_BIN}),
}


# ============================================================================ field checks
def _whole_seconds(value: dt.datetime, what: str) -> dt.datetime:
    if not isinstance(value, dt.datetime) or value.tzinfo is None:
        raise LogEntryError(f"{what}: must be a timezone-aware datetime")
    seconds = (value - _EPOCH) // dt.timedelta(seconds=1)
    if not 0 <= seconds <= MAX_TIME_SECONDS:
        raise LogEntryError(f"{what}: out of range")
    return _EPOCH + dt.timedelta(seconds=seconds)


def _check(fn: Callable[[str], str], value: object, what: str) -> None:
    """Run an identifier check of `verify.identifiers`, turning its RecordError into LogEntryError."""
    if not isinstance(value, str):
        raise LogEntryError(f"{what}: must be text")
    try:
        fn(value)
    except Error as exc:
        raise LogEntryError(f"{what}: {exc.message}") from None


def _check_series(value: object, what: str = "series") -> None:
    _check(normalize_series, value, what)
    if normalize_series(str(value)) != value:
        raise LogEntryError(f"{what}: must be given in its normalised form")


def _check_bin(value: object, what: str) -> None:
    _check(validate_bin, value, what)


def _check_document(series: object, number: object, institution_bin: object) -> None:
    if type(series) is str and type(number) is str and type(institution_bin) is str and is_normalized_series(series) \
            and NUMBER_RE.fullmatch(number) is not None and is_valid_bin(institution_bin):
        return  # the checks below in one test (cached: the entry of every verification is built: issue 16 item 2)
    _check_series(series)
    _check(validate_number, number, "number")
    _check_bin(institution_bin, "institution BIN")


def _check_bytes(value: object, size: int, what: str) -> None:
    if type(value) is not bytes or len(value) != size:
        raise LogEntryError(f"{what}: must be {size} bytes")


def _check_uint(value: object, low: int, what: str) -> None:
    if type(value) is not int or not low <= value < 2**63:
        raise LogEntryError(f"{what}: must be an integer from {low}")


# ============================================================================ entry types
@dataclass(frozen=True, slots=True)
class RevisionEntry:
    """A signed revision of a document was issued.

    Attributes:
        series, number: the document, as printed (normalised series, seven-digit number).
        institution_bin: the issuing institution's BIN (12 digits).
        revision: the record revision (1 for the first issue).
        cose_sha256: SHA-256 of the COSE_Sign1 bytes (32 bytes).
        kid: the document signer's kid (8 bytes).
        signed_at: the signing time of the record; kept in whole seconds, UTC.
    """

    series: str
    number: str
    institution_bin: str
    revision: int
    cose_sha256: bytes
    kid: bytes
    signed_at: dt.datetime
    entry_type: ClassVar[int] = TYPE_REVISION

    def __post_init__(self) -> None:
        _check_document(self.series, self.number, self.institution_bin)
        _check_uint(self.revision, 1, "revision")
        _check_bytes(self.cose_sha256, 32, "COSE SHA-256")
        _check_bytes(self.kid, KID_BYTES, "kid")
        object.__setattr__(self, "signed_at", _whole_seconds(self.signed_at, "signed_at"))

    @classmethod
    def from_cose(cls, cose: bytes, *, decoded: DecodedRecord | None = None) -> RevisionEntry:
        """The entry of a signed record, from its COSE_Sign1 bytes alone (docs/FORMAT.md §3-§4).

        This parses; it does not verify the signature (the registry signed it; a verifier checks
        the signature before it trusts any field). `decoded` is what a verifier's steps 3-7 read from these bytes
        (the record of their payload, its signing time, the header's kid): the bytes are then not parsed again.

        Raises:
            LogEntryError: the bytes are not a COSE_Sign1 record of docs/FORMAT.md.
        """
        if decoded is None:
            try:
                sign1 = parse_sign1(cose)
                record, signed_at = decode_payload(sign1.payload)
            except Error as exc:
                raise LogEntryError(f"signed record: {exc.message}") from None
            decoded = DecodedRecord(record, signed_at, sign1.kid)
        record = decoded.record
        return cls(series=record.series, number=record.number, institution_bin=record.institution_bin,
                   revision=record.revision, cose_sha256=hashlib.sha256(cose).digest(), kid=decoded.kid,
                   signed_at=decoded.signed_at)

    def _fields(self) -> dict[int, Any]:
        return {K_TIME: self.signed_at, K_SERIES: self.series, K_NUMBER: self.number,
                K_BIN: int(self.institution_bin), K_REVISION: self.revision, K_COSE_SHA256: self.cose_sha256,
                K_KID: self.kid}

    def encode(self) -> bytes:
        """The entry bytes (docs/TRANSPARENCY.md §3)."""
        return _encode(self.entry_type, self._fields())


@dataclass(frozen=True, slots=True)
class StatusChangeEntry:
    """A document's status changed (duplicate, correction, annulment), or an institution closed.

    Build one with the constructor of its kind (`duplicate`, `correction`, `annulment`, `closure`);
    the fields a kind does not use are None.

    Attributes:
        kind: `StatusKind`.
        at: when the change took effect; whole seconds, UTC.
        institution_bin: the document's institution; for a closure, the closed institution.
        series, number: the document concerned (None for a closure).
        successor_series, successor_number: for a duplicate, the duplicate issued instead.
        revision: for a correction, the new revision (>= 2).
        archive_bin: for a closure, the institution that keeps the records.
    """

    kind: StatusKind
    at: dt.datetime
    institution_bin: str
    series: str | None = None
    number: str | None = None
    successor_series: str | None = None
    successor_number: str | None = None
    revision: int | None = None
    archive_bin: str | None = None
    entry_type: ClassVar[int] = TYPE_STATUS_CHANGE

    def __post_init__(self) -> None:
        if not isinstance(self.kind, StatusKind):
            raise LogEntryError("status kind: must be a StatusKind")
        object.__setattr__(self, "at", _whole_seconds(self.at, "at"))
        present = {key for key, value in self._all_fields().items() if value is not None}
        if present != _KIND_KEYS[self.kind] | {K_BIN}:
            raise LogEntryError(f"status change {self.kind.name.lower()}: wrong set of fields")
        if self.kind is StatusKind.CLOSURE:
            _check_bin(self.institution_bin, "institution BIN")
            _check_bin(self.archive_bin, "archive BIN")
            if self.archive_bin == self.institution_bin:
                raise LogEntryError("closure: the archive must be another institution")
            return
        _check_document(self.series, self.number, self.institution_bin)
        if self.kind is StatusKind.DUPLICATE:
            _check_series(self.successor_series, "successor series")
            _check(validate_number, self.successor_number, "successor number")
            if (self.successor_series, self.successor_number) == (self.series, self.number):
                raise LogEntryError("duplicate: the successor must be another document")
        elif self.kind is StatusKind.CORRECTION:
            _check_uint(self.revision, 2, "revision")

    @classmethod
    def duplicate(cls, *, series: str, number: str, institution_bin: str, duplicate_series: str,
                  duplicate_number: str, at: dt.datetime) -> StatusChangeEntry:
        """The document (series, number) was replaced by the duplicate (duplicate_series, duplicate_number)."""
        return cls(StatusKind.DUPLICATE, at, institution_bin, series, number, duplicate_series, duplicate_number)

    @classmethod
    def correction(cls, *, series: str, number: str, institution_bin: str, revision: int,
                   at: dt.datetime) -> StatusChangeEntry:
        """The document was corrected; `revision` is the new revision (its own `RevisionEntry` follows)."""
        return cls(StatusKind.CORRECTION, at, institution_bin, series, number, revision=revision)

    @classmethod
    def annulment(cls, *, series: str, number: str, institution_bin: str, at: dt.datetime) -> StatusChangeEntry:
        """The document was annulled (final)."""
        return cls(StatusKind.ANNULMENT, at, institution_bin, series, number)

    @classmethod
    def closure(cls, *, institution_bin: str, archive_bin: str, at: dt.datetime) -> StatusChangeEntry:
        """The institution closed; `archive_bin` keeps its records (seed 000, Rules item 23)."""
        return cls(StatusKind.CLOSURE, at, institution_bin, archive_bin=archive_bin)

    def _all_fields(self) -> dict[int, Any]:
        successor = None
        if self.successor_series is not None or self.successor_number is not None:
            successor = [self.successor_series, self.successor_number]
        return {K_SERIES: self.series, K_NUMBER: self.number, K_BIN: self.institution_bin,
                K_REVISION: self.revision, K_SUCCESSOR: successor, K_ARCHIVE_BIN: self.archive_bin}

    def encode(self) -> bytes:
        """The entry bytes (docs/TRANSPARENCY.md §3)."""
        fields: dict[int, Any] = {K_TIME: self.at, K_KIND: int(self.kind)}
        for key, value in self._all_fields().items():
            if value is not None:
                fields[key] = int(value) if key in (K_BIN, K_ARCHIVE_BIN) else value
        return _encode(self.entry_type, fields)


@dataclass(frozen=True, slots=True)
class AuditAnchorEntry:
    """The audit chain's head, committed into the log (issue 15 item 5): deleting its tail becomes visible.

    Attributes:
        seq: the sequence number of the audit chain's last event (0 for an empty chain).
        head_hash: that event's hash (32 bytes; the chain's genesis hash when empty).
        at: when it was anchored; whole seconds, UTC.
    """

    seq: int
    head_hash: bytes
    at: dt.datetime
    entry_type: ClassVar[int] = TYPE_AUDIT_ANCHOR

    def __post_init__(self) -> None:
        _check_uint(self.seq, 0, "audit sequence")
        _check_bytes(self.head_hash, 32, "audit head hash")
        object.__setattr__(self, "at", _whole_seconds(self.at, "at"))

    def encode(self) -> bytes:
        """The entry bytes (docs/TRANSPARENCY.md §3)."""
        return _encode(self.entry_type, {K_TIME: self.at, K_AUDIT_SEQ: self.seq, K_AUDIT_HASH: self.head_hash})


LogEntry = RevisionEntry | StatusChangeEntry | AuditAnchorEntry


# ============================================================================ bytes
def _encode(entry_type: int, fields: dict[int, Any]) -> bytes:
    body = {K_VERSION: ENTRY_FORMAT_VERSION, K_TYPE: entry_type, **fields}
    body[K_TIME] = (body[K_TIME] - _EPOCH) // dt.timedelta(seconds=1)
    return cbor2.dumps(body, canonical=True)


def encode_entry(entry: LogEntry) -> bytes:
    """The bytes of a log entry (docs/TRANSPARENCY.md §3): deterministic CBOR, at most `MAX_ENTRY_BYTES`."""
    return entry.encode()


def decode_entry(data: bytes) -> LogEntry:
    """Decode entry bytes strictly; `encode_entry(decode_entry(b)) == b` for every accepted `b`.

    Raises:
        LogEntryError: over the cap, not deterministic CBOR, an unknown version, type, kind or key,
            a missing key, or a field value the entry type refuses (the message says which).
    """
    m = strict_loads(data, cap=MAX_ENTRY_BYTES, error=LogEntryError, what="log entry")
    if not isinstance(m, dict) or not all(type(k) is int for k in m):
        raise LogEntryError("log entry: must be a CBOR map with integer keys")
    if m.get(K_VERSION) != ENTRY_FORMAT_VERSION or type(m.get(K_VERSION)) is not int:
        raise LogEntryError(f"log entry: format version {m.get(K_VERSION)!r} is not supported")
    entry_type, seconds = m.get(K_TYPE), m.get(K_TIME)
    _check_uint(seconds, 0, "time")
    assert isinstance(seconds, int)
    if seconds > MAX_TIME_SECONDS:
        raise LogEntryError("time: out of range")
    at = dt.datetime.fromtimestamp(seconds, tz=dt.UTC)
    if entry_type == TYPE_REVISION and type(entry_type) is int:
        _expect_keys(m, frozenset({K_SERIES, K_NUMBER, K_BIN, K_REVISION, K_COSE_SHA256, K_KID}), "revision")
        return RevisionEntry(series=m[K_SERIES], number=m[K_NUMBER], institution_bin=_bin(m[K_BIN]),
                             revision=m[K_REVISION], cose_sha256=m[K_COSE_SHA256], kid=m[K_KID], signed_at=at)
    if entry_type == TYPE_STATUS_CHANGE and type(entry_type) is int:
        kind_value = m.get(K_KIND)
        if type(kind_value) is not int or kind_value not in StatusKind._value2member_map_:
            raise LogEntryError(f"status change: unknown kind {kind_value!r}")
        kind = StatusKind(kind_value)
        _expect_keys(m, _KIND_KEYS[kind] | {K_KIND}, f"status change {kind.name.lower()}")
        successor = m.get(K_SUCCESSOR)
        if successor is not None and (not isinstance(successor, list) or len(successor) != 2):
            raise LogEntryError("status change: successor must be [series, number]")
        return StatusChangeEntry(
            kind=kind, at=at, institution_bin=_bin(m[K_BIN]), series=m.get(K_SERIES), number=m.get(K_NUMBER),
            successor_series=None if successor is None else successor[0],
            successor_number=None if successor is None else successor[1],
            revision=m.get(K_REVISION),
            archive_bin=None if K_ARCHIVE_BIN not in m else _bin(m[K_ARCHIVE_BIN]),
        )
    if entry_type == TYPE_AUDIT_ANCHOR and type(entry_type) is int:
        _expect_keys(m, frozenset({K_AUDIT_SEQ, K_AUDIT_HASH}), "audit anchor")
        return AuditAnchorEntry(seq=m[K_AUDIT_SEQ], head_hash=m[K_AUDIT_HASH], at=at)
    raise LogEntryError(f"log entry: unknown entry type {entry_type!r}")


def _expect_keys(m: dict[int, Any], keys: frozenset[int], what: str) -> None:
    expected = _COMMON | keys
    if missing := expected - set(m):
        raise LogEntryError(f"{what}: missing key(s) {sorted(missing)}")
    if unknown := set(m) - expected:
        raise LogEntryError(f"{what}: unknown key(s) {sorted(unknown)}")


def _bin(value: object) -> str:
    if type(value) is not int or not 0 <= value <= 999_999_999_999:
        raise LogEntryError("BIN: must be an integer of at most 12 digits")
    return f"{value:012d}"
