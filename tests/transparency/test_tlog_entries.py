"""Log entries (docs/TRANSPARENCY.md §3): round trips, strict decoding of any bytes, the bytes of each type.

STYLE.md §10: every decoder gets a property test — any input either decodes to an entry that
re-encodes to the same bytes, or raises `LogEntryError`.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import cbor2
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.keys import make_signer
from support.strategies import bins, numbers, records, series_for_tve

from verify.codec import decode_payload, parse_sign1
from verify.errors import LogEntryError, RecordError
from verify.identifiers import normalize_series, validate_bin, validate_number
from verify.issue import sign_record
from verify.record import Record
from verify.status import DecodedRecord
from verify.transparency.entries import (
    MAX_ENTRY_BYTES,
    AuditAnchorEntry,
    LogEntry,
    RevisionEntry,
    StatusChangeEntry,
    StatusKind,
    _check_document,
    decode_entry,
    encode_entry,
)

AT = dt.datetime(2026, 11, 1, 12, 30, tzinfo=dt.UTC)
SIGNER = make_signer("transparency entries")
BIN_A, BIN_B = "000740001307", "010140000143"  # check-digit-valid BINs (verify.identifiers)
series = st.sampled_from(["BD", "MD", "PhD", "DPB"]) | series_for_tve
times = st.datetimes(dt.datetime(1970, 1, 1), dt.datetime(2500, 1, 1), timezones=st.just(dt.UTC))


@st.composite
def entries(draw: st.DrawFn) -> LogEntry:
    """Any entry the encoding allows."""
    kind = draw(st.sampled_from(["revision", *StatusKind, "anchor"]))
    at = draw(times)
    if kind == "revision":
        return RevisionEntry(series=draw(series), number=draw(numbers), institution_bin=draw(bins()),
                             revision=draw(st.integers(1, 2**63 - 1)), cose_sha256=draw(st.binary(min_size=32,
                             max_size=32)), kid=draw(st.binary(min_size=8, max_size=8)), signed_at=at)
    if kind == "anchor":
        return AuditAnchorEntry(seq=draw(st.integers(0, 2**63 - 1)), head_hash=draw(st.binary(min_size=32,
                                max_size=32)), at=at)
    if kind is StatusKind.CLOSURE:
        closed, archive = draw(st.lists(bins(), min_size=2, max_size=2, unique=True))
        return StatusChangeEntry.closure(institution_bin=closed, archive_bin=archive, at=at)
    doc = {"series": draw(series), "number": draw(numbers), "institution_bin": draw(bins()), "at": at}
    if kind is StatusKind.DUPLICATE:
        number = draw(numbers.filter(lambda n: n != doc["number"]))
        return StatusChangeEntry.duplicate(**doc, duplicate_series=doc["series"], duplicate_number=number)
    if kind is StatusKind.CORRECTION:
        return StatusChangeEntry.correction(**doc, revision=draw(st.integers(2, 2**63 - 1)))
    return StatusChangeEntry.annulment(**doc)


@given(entries())
@settings(max_examples=400)
def test_round_trip(entry: LogEntry) -> None:
    data = encode_entry(entry)
    assert len(data) <= MAX_ENTRY_BYTES
    assert decode_entry(data) == entry
    assert encode_entry(decode_entry(data)) == data


@given(st.binary(max_size=300))
@settings(max_examples=500)
def test_any_bytes_decode_or_raise_our_error(data: bytes) -> None:
    try:
        entry = decode_entry(data)
    except LogEntryError:
        return
    assert encode_entry(entry) == data


@given(entries(), st.data())
@settings(max_examples=300)
def test_any_changed_byte_decodes_to_another_entry_or_raises(entry: LogEntry, data: st.DataObject) -> None:
    raw = bytearray(encode_entry(entry))
    position = data.draw(st.integers(0, len(raw) - 1))
    raw[position] ^= data.draw(st.integers(1, 255))
    try:
        other = decode_entry(bytes(raw))
    except LogEntryError:
        return
    assert other != entry and encode_entry(other) == bytes(raw)


@given(entries())
@settings(max_examples=100)
def test_entries_are_plain_cbor_maps_with_small_integer_keys(entry: LogEntry) -> None:
    body = cbor2.loads(encode_entry(entry))
    assert isinstance(body, dict) and all(type(k) is int and 1 <= k <= 14 for k in body)
    assert body[1] == 1 and body[2] == entry.entry_type


@given(records())
@settings(max_examples=50, deadline=None)
def test_revision_entry_from_the_signed_record(record: Record) -> None:
    """A revision entry is a function of the COSE bytes alone: an offline verifier can rebuild it."""
    signed = sign_record(record, signer=SIGNER, base_url="http://127.0.0.1:8000", at=AT)
    entry = RevisionEntry.from_cose(signed.cose)
    assert entry == RevisionEntry(series=signed.record.series, number=signed.record.number,
                                  institution_bin=signed.record.institution_bin, revision=signed.record.revision,
                                  cose_sha256=hashlib.sha256(signed.cose).digest(), kid=SIGNER.kid, signed_at=AT)
    with pytest.raises(LogEntryError, match="signed record"):
        RevisionEntry.from_cose(signed.cose[:-1])


@given(records())
@settings(max_examples=50, deadline=None)
def test_revision_entry_of_what_the_verifier_read_is_the_entry_of_the_bytes(record: Record) -> None:
    """Step 12 builds the entry from what steps 3-7 read (`DecodedRecord`: record, signing time, kid) without
    parsing the COSE bytes again: the same entry, and the same leaf, as from the bytes alone (issue 16 item 2)."""
    signed = sign_record(record, signer=SIGNER, base_url="http://127.0.0.1:8000", at=AT)
    sign1 = parse_sign1(signed.cose)
    decoded = DecodedRecord(*decode_payload(sign1.payload), sign1.kid)
    assert RevisionEntry.from_cose(signed.cose, decoded=decoded) == RevisionEntry.from_cose(signed.cose)


_ID_CHARS = "0123456789BDMPhCЖТКБАaх -"


@given(st.text(alphabet=_ID_CHARS, max_size=5) | series, st.text(alphabet=_ID_CHARS, max_size=8) | numbers,
       st.text(alphabet=_ID_CHARS, max_size=13) | bins())
@settings(max_examples=2000)
def test_document_fields_fast_path_agrees_with_each_check(series_value: str, number: str, bin_value: str) -> None:
    """An entry's series, number and BIN are tested in one cached test first; it accepts exactly what the checks one
    by one accept (`normalize_series` unchanged, `validate_number`, `validate_bin`), which name the fault."""
    def one_by_one() -> bool:
        try:
            ok = normalize_series(series_value) == series_value
            validate_number(number)
            validate_bin(bin_value)
        except RecordError:
            return False
        return ok

    accepted_before = one_by_one()
    try:
        _check_document(series_value, number, bin_value)
        accepted = True
    except LogEntryError:
        accepted = False
    assert accepted == accepted_before


# Golden bytes: the examples of docs/TRANSPARENCY.md §3 (change both together). Time: 2026-11-01T12:30:00Z.
GOLDEN = [
    (RevisionEntry(series="BD", number="0000042", institution_bin=BIN_A, revision=1, cose_sha256=bytes(range(32)),
                   kid=bytes(range(8)), signed_at=AT),
     "a901010201031a6ae730c804624244056730303030303432061a2c1b861b070108"
     "5820000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f09480001020304050607"),
    (StatusChangeEntry.duplicate(series="BD", number="0000042", institution_bin=BIN_A, duplicate_series="BD",
                                 duplicate_number="0000043", at=AT),
     "a801010202031a6ae730c804624244056730303030303432061a2c1b861b0a010b826242446730303030303433"),
    (StatusChangeEntry.correction(series="BD", number="0000042", institution_bin=BIN_A, revision=2, at=AT),
     "a801010202031a6ae730c804624244056730303030303432061a2c1b861b07020a02"),
    (StatusChangeEntry.annulment(series="BD", number="0000042", institution_bin=BIN_A, at=AT),
     "a701010202031a6ae730c804624244056730303030303432061a2c1b861b0a03"),
    (StatusChangeEntry.closure(institution_bin=BIN_A, archive_bin=BIN_B, at=AT),
     "a601010202031a6ae730c8061a2c1b861b0a040c1b000000025c641f8f"),
    (AuditAnchorEntry(seq=7, head_hash=bytes(32), at=AT),
     "a501010203031a6ae730c80d070e58200000000000000000000000000000000000000000000000000000000000000000"),
]


@pytest.mark.parametrize(("entry", "want_hex"), GOLDEN)
def test_golden_bytes(entry: LogEntry, want_hex: str) -> None:
    assert encode_entry(entry).hex() == want_hex
    assert decode_entry(bytes.fromhex(want_hex)) == entry


# ============================================================================ refusals
def _revision(**changes: object) -> RevisionEntry:
    fields: dict[str, object] = {"series": "BD", "number": "0000042", "institution_bin": BIN_A, "revision": 1,
                                 "cose_sha256": bytes(32), "kid": bytes(8), "signed_at": AT}
    return RevisionEntry(**{**fields, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(("changes", "message"), [
    ({"series": "bd"}, "series"),
    ({"series": "ABCDE"}, "series"),
    ({"number": "42"}, "number"),
    ({"institution_bin": "000740001308"}, "BIN"),
    ({"revision": 0}, "revision"),
    ({"revision": True}, "revision"),
    ({"cose_sha256": bytes(31)}, "SHA-256"),
    ({"kid": bytes(9)}, "kid"),
    ({"signed_at": dt.datetime(2026, 1, 1)}, "timezone"),
    ({"signed_at": dt.datetime(1969, 12, 31, tzinfo=dt.UTC)}, "range"),
])
def test_revision_fields_are_checked(changes: dict[str, object], message: str) -> None:
    with pytest.raises(LogEntryError, match=message):
        _revision(**changes)


def test_time_is_kept_in_whole_seconds_utc() -> None:
    almaty = dt.timezone(dt.timedelta(hours=5))
    entry = _revision(signed_at=dt.datetime(2026, 11, 1, 17, 30, 0, 999_999, tzinfo=almaty))
    assert entry.signed_at == AT and entry.signed_at.tzinfo == dt.UTC


def test_status_changes_are_checked() -> None:
    with pytest.raises(LogEntryError, match="another document"):
        StatusChangeEntry.duplicate(series="BD", number="0000042", institution_bin=BIN_A, duplicate_series="BD",
                                    duplicate_number="0000042", at=AT)
    with pytest.raises(LogEntryError, match="revision"):
        StatusChangeEntry.correction(series="BD", number="0000042", institution_bin=BIN_A, revision=1, at=AT)
    with pytest.raises(LogEntryError, match="another institution"):
        StatusChangeEntry.closure(institution_bin=BIN_A, archive_bin=BIN_A, at=AT)
    with pytest.raises(LogEntryError, match="fields"):
        StatusChangeEntry(StatusKind.ANNULMENT, AT, BIN_A, "BD", "0000042", revision=3)
    with pytest.raises(LogEntryError, match="StatusKind"):
        StatusChangeEntry(3, AT, BIN_A, "BD", "0000042")  # type: ignore[arg-type]


@pytest.mark.parametrize(("body", "message"), [
    ({1: 2, 2: 3, 3: 0, 13: 1, 14: bytes(32)}, "version"),
    ({1: 1, 2: 9, 3: 0}, "entry type"),
    ({1: 1, 2: 3, 3: 0, 13: 1}, "missing"),
    ({1: 1, 2: 3, 3: 0, 13: 1, 14: bytes(32), 4: "BD"}, "unknown key"),
    ({1: 1, 2: 2, 3: 0, 10: 7, 6: 740001307}, "kind"),
    ({1: 1, 2: 2, 3: 0, 10: 1, 4: "BD", 5: "0000042", 6: 740001307, 11: ["BD"]}, "successor"),
    ({1: 1, 2: 3, 3: -1, 13: 1, 14: bytes(32)}, "time"),
    ({1: 1, 2: 3, 3: 2**40, 13: 1, 14: bytes(32)}, "time"),
    ({1: 1, 2: 3, 3: 0, 13: 1, 14: "x" * 32}, "hash"),
    ([1, 2, 3], "map"),
])
def test_decoding_refuses_well_formed_cbor_of_another_shape(body: object, message: str) -> None:
    with pytest.raises(LogEntryError, match=message):
        decode_entry(cbor2.dumps(body, canonical=True))


def test_decoding_refuses_non_deterministic_cbor() -> None:
    good = encode_entry(AuditAnchorEntry(seq=7, head_hash=bytes(32), at=AT))
    with pytest.raises(LogEntryError, match="deterministic"):
        decode_entry(cbor2.dumps({1: 1, 3: 0, 2: 3, 13: 7, 14: bytes(32)}))  # keys out of order
    with pytest.raises(LogEntryError):
        decode_entry(good + b"\x00")  # trailing byte
    with pytest.raises(LogEntryError, match="cap"):
        decode_entry(bytes(MAX_ENTRY_BYTES + 1))
