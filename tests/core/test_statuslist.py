"""Signed status lists (docs/FORMAT.md §9; issue 12 items 1 and 3): format, strict decoding, verification, lookup.

STYLE.md §10: the decoder gets property tests — any bytes decode to a list that re-encodes identically or raise
`StatusListError`; any list built from rows round-trips.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.keys import OTHER_ROOT, OTHER_ROOT_KEY, entry, make_signer, trust_list

from verify import codec
from verify.errors import StatusListError, StatusUnknownError
from verify.record import DuplicateOf
from verify.status import StatusCode
from verify.statusentries import read_uvarint, write_uvarint, zigzag
from verify.statuslist import (
    IN_FORCE,
    NumberStatus,
    StatusList,
    Successor,
    build_status_list,
    decode_status_list,
)
from verify.statuslookup import StatusListLookup, parse_status_list_cose, status_from_list, verify_status_list
from verify.versionstate import MemoryVersionState, status_list_key

UTC = dt.UTC
T = dt.datetime(2026, 11, 1, 12, tzinfo=UTC)
DAY = dt.date(2026, 10, 1)
STATUS = make_signer("status list tests")
DOCUMENT = make_signer("status list tests: a document signer")
BD_ONLY = make_signer("status list tests: BD only")
REVOKED = make_signer("status list tests: revoked")
UNTRUSTED = make_signer("status list tests: another root", root_key=OTHER_ROOT_KEY, root=OTHER_ROOT)
TL = trust_list((
    replace(entry(STATUS, label="TEST ONLY status"), usage="status"),
    entry(DOCUMENT, label="TEST ONLY document"),
    replace(entry(BD_ONLY, label="TEST ONLY status BD", series=frozenset({"BD"})), usage="status"),
    replace(entry(REVOKED, label="TEST ONLY status revoked"), usage="status",
            revocation=__import__("verify.trust", fromlist=["Revocation"]).Revocation(
                T - dt.timedelta(days=1), T - dt.timedelta(days=2), "TEST ONLY")),
    replace(entry(UNTRUSTED, label="TEST ONLY status of another root"), usage="status"),
))


def scenario() -> list[tuple[str, NumberStatus | None]]:
    """BD 0000001-0000020 and 0000100-0000105: every kind of status."""
    rows: dict[str, NumberStatus | None] = {f"{n:07d}": None for n in [*range(1, 21), *range(100, 106)]}
    rows["0000002"] = NumberStatus(replaced_by=Successor("BD", "0000100", DAY, "lost"))
    rows["0000100"] = NumberStatus(replaced_by=Successor("BD", "0000101", DAY, "damaged"))  # duplicate No. 1, replaced
    rows["0000101"] = NumberStatus(duplicate=DuplicateOf(2, "BD", "0000002"))  # duplicate No. 2 in force
    rows["0000003"] = NumberStatus(annulled_on=DAY)
    rows["0000004"] = NumberStatus(current_revision=3, corrected_on=DAY)
    rows["0000005"] = NumberStatus(replaced_by=Successor("ТКБ", "0004567", DAY, "name_changed"))  # other series
    rows["0000102"] = NumberStatus(duplicate=DuplicateOf(1, "ТКБ", "0000777"))  # original in another series
    rows["0000103"] = NumberStatus(current_revision=2, corrected_on=DAY, annulled_on=DAY + dt.timedelta(days=3))
    return list(rows.items())


def built(**kw: Any) -> StatusList:
    return build_status_list("BD", kw.pop("rows", scenario()), version=kw.pop("version", 7), issued_at=T, **kw)


# ------------------------------------------------------------------ format
def test_round_trip_and_derived_duplicates() -> None:
    status_list = built()
    payload = status_list.encode_payload()
    decoded = decode_status_list(payload)
    assert decoded == status_list and decoded.encode_payload() == payload
    assert decoded.count == 26 and decoded.status_of("0000021") is None and decoded.status_of("0000001") == IN_FORCE
    assert decoded.statuses[100].duplicate == DuplicateOf(1, "BD", "0000002")  # implied by 0000002's entry
    assert decoded.statuses[101].duplicate == DuplicateOf(2, "BD", "0000002")
    assert decoded.next_update == T + dt.timedelta(hours=24) and decoded.expires_at == T + dt.timedelta(days=7)
    assert cbor2.loads(payload)[9] == ["ТКБ"]


def test_rows_in_any_order_and_numbers_as_ints() -> None:
    rows = scenario()
    assert build_status_list("BD", list(reversed(rows)), version=7, issued_at=T) == built()
    assert build_status_list("BD", [(int(n), s) for n, s in rows], version=7, issued_at=T) == built()


@pytest.mark.parametrize(("rows", "match"), [
    ([("0000001", None), ("0000001", None)], "twice"),
    ([("000001", None)], "seven-digit"),
    ([("0000001", NumberStatus(replaced_by=Successor("BD", "0000009", DAY)))], "not an issued number"),
    ([("0000001", NumberStatus(replaced_by=Successor("BD", "0000001", DAY)))], "not an issued number"),
    ([("0000001", NumberStatus(replaced_by=Successor("BD", "0000003", DAY))),
      ("0000002", NumberStatus(replaced_by=Successor("BD", "0000003", DAY))), ("0000003", None)], "two documents"),
    ([("0000001", NumberStatus(replaced_by=Successor("BD", "0000002", DAY))),
      ("0000002", NumberStatus(replaced_by=Successor("BD", "0000001", DAY)))], "cycle"),
    ([("0000001", NumberStatus(replaced_by=Successor("BD", "0000002", DAY))),
      ("0000002", NumberStatus(duplicate=DuplicateOf(2, "BD", "0000001")))], "No. 2"),
    ([("0000001", NumberStatus(annulled_on=T.date() + dt.timedelta(days=1)))], "after the list's issue day"),
])
def test_inconsistent_rows_are_refused(rows: list[tuple[str, NumberStatus | None]], match: str) -> None:
    with pytest.raises(StatusListError, match=match):
        build_status_list("BD", rows, version=1, issued_at=T)


def test_status_and_time_rules() -> None:
    with pytest.raises(StatusListError):
        NumberStatus(current_revision=2)
    with pytest.raises(StatusListError):
        NumberStatus(corrected_on=DAY)
    with pytest.raises(StatusListError):
        NumberStatus(replaced_by=Successor("BD", "0000001", DAY, "stolen"))
    with pytest.raises(StatusListError, match="24 hours"):
        built(next_update=T + dt.timedelta(hours=25))
    with pytest.raises(StatusListError, match="7 days"):
        built(expires_at=T + dt.timedelta(days=7, seconds=1))
    with pytest.raises(StatusListError, match="normalised"):
        build_status_list("bd", [], version=1, issued_at=T)
    assert build_status_list("PhD", [], version=1, issued_at=T).count == 0


@pytest.mark.parametrize(("value", "encoded"), [(0, b"\x00"), (127, b"\x7f"), (128, b"\x80\x01"),
                                                 (300, b"\xac\x02"), (2**28 - 1, b"\xff\xff\xff\x7f")])
def test_uvarint(value: int, encoded: bytes) -> None:
    out = bytearray()
    write_uvarint(out, value)
    assert bytes(out) == encoded and read_uvarint(encoded, 0) == (value, len(encoded))


@pytest.mark.parametrize("data", [b"\x80\x00", b"\xff\x80\x00", b"\x80\x80\x80\x80\x01", b"\x80"])
def test_uvarint_refusals(data: bytes) -> None:
    with pytest.raises(StatusListError):
        read_uvarint(data, 0)


def _tampered(changes: dict[int, Any]) -> bytes:
    m = cbor2.loads(built().encode_payload())
    m.update(changes)
    return cbor2.dumps({k: v for k, v in m.items() if v is not None}, canonical=True)


@pytest.mark.parametrize(("label", "payload"), [
    ("non-minimal varint in the runs", _tampered({7: b"\x81\x00" + cbor2.loads(built().encode_payload())[7][1:]})),
    ("a derivable duplicate written out", None),
    ("series table unsorted", _tampered({9: ["ТКБ", "AA"]})),
    ("series table with an unused series", _tampered({9: ["AA", "ТКБ"]})),
    ("series table holding its own series", _tampered({9: ["BD", "ТКБ"]})),
    ("unknown key", _tampered({10: 1})),
    ("missing key", _tampered({8: None})),
    ("format 2", _tampered({1: 2})),
    ("version 0", _tampered({3: 0})),
    ("series as bytes", _tampered({2: b"BD"})),
    ("next update before issue", _tampered({5: 0})),
    ("trailing varint byte", _tampered({8: cbor2.loads(built().encode_payload())[8] + b"\x00"})),
    ("not a map", cbor2.dumps([1, 2])),
    ("indefinite", b"\xbf" + built().encode_payload()[1:] + b"\xff"),
])
def test_non_canonical_or_bad_payloads_are_refused(label: str, payload: bytes | None) -> None:
    if payload is None:  # 0000002 written with the duplicate flag that 0000001's entry already implies
        two = build_status_list("BD", [("0000001", NumberStatus(replaced_by=Successor("BD", "0000002", DAY))),
                                       ("0000002", None)], version=1, issued_at=T)
        m = cbor2.loads(two.encode_payload())
        extra = bytearray()
        for value in (16 * 0 + 8, 0, 0, zigzag(1 - 2)):  # next number, flag D; N - 1, this series, original
            write_uvarint(extra, value)
        assert decode_status_list(two.encode_payload()).statuses[2].duplicate == DuplicateOf(1, "BD", "0000001")
        payload = cbor2.dumps({**m, 8: m[8] + bytes(extra)}, canonical=True)
    with pytest.raises(StatusListError):
        decode_status_list(payload)
    assert label


NUMBER = st.integers(min_value=0, max_value=9_999_999)
DAYS = st.dates(min_value=dt.date(1990, 1, 1), max_value=T.date())


@st.composite
def statuses(draw: st.DrawFn) -> list[tuple[int, NumberStatus | None]]:
    numbers = sorted(draw(st.sets(NUMBER, min_size=0, max_size=40)))
    rows: dict[int, NumberStatus | None] = dict.fromkeys(numbers)
    free = list(numbers)
    for number in numbers:
        kind = draw(st.sampled_from(["in force", "annulled", "corrected", "replaced", "other", "duplicate"]))
        revision = draw(st.integers(1, 999))
        corrected = draw(DAYS) if revision > 1 else None
        if kind == "annulled":
            rows[number] = NumberStatus(annulled_on=draw(DAYS), current_revision=revision, corrected_on=corrected)
        elif kind == "corrected" and revision > 1:
            rows[number] = NumberStatus(current_revision=revision, corrected_on=corrected)
        elif kind == "other":
            rows[number] = NumberStatus(replaced_by=Successor(draw(st.sampled_from(["MD", "ТКБ", "PhD"])),
                                                              f"{draw(NUMBER):07d}", draw(DAYS),
                                                              draw(st.sampled_from([None, "lost", "damaged"]))))
        elif kind == "duplicate":
            rows[number] = NumberStatus(duplicate=DuplicateOf(draw(st.integers(1, 99)),
                                                              draw(st.sampled_from(["MD", "BD", "ТКБ"])),
                                                              f"{draw(NUMBER):07d}"))
        elif kind == "replaced" and len(free) > 1:
            successor = draw(st.sampled_from([n for n in free if n != number]))
            if rows.get(successor) is None:  # never a number that has a status already: no cycles
                free.remove(successor)
                rows[number] = NumberStatus(replaced_by=Successor("BD", f"{successor:07d}", draw(DAYS), "lost"))
    return list(rows.items())


@given(statuses())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_list_round_trips(rows: list[tuple[int, NumberStatus | None]]) -> None:
    try:
        status_list = build_status_list("BD", rows, version=3, issued_at=T)
    except StatusListError:
        return  # a random chain may be inconsistent (a replaced number already a duplicate elsewhere)
    payload = status_list.encode_payload()
    assert decode_status_list(payload) == status_list
    for number, _ in rows:
        assert status_list.status_of(f"{number:07d}") is not None


@given(st.binary(max_size=600))
@settings(max_examples=500)
def test_any_bytes_decode_or_raise_our_error(data: bytes) -> None:
    for parse in (decode_status_list, parse_status_list_cose):
        try:
            parse(data)
        except StatusListError:
            continue


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_any_bit_flip_of_a_payload_is_refused_or_canonical(data: st.DataObject) -> None:
    payload = bytearray(built().encode_payload())
    bit = data.draw(st.integers(0, len(payload) * 8 - 1))
    payload[bit // 8] ^= 1 << (bit % 8)
    try:
        decoded = decode_status_list(bytes(payload))
    except StatusListError:  # any other error fails the test
        return
    assert decoded.encode_payload() == bytes(payload)


# ------------------------------------------------------------------ signature and checks (§9.5)
SIGNED = built().sign(STATUS)


def test_a_list_signed_by_the_status_signer_verifies_and_its_version_is_recorded() -> None:
    state = MemoryVersionState()
    verified = verify_status_list(SIGNED, trust_list=TL, at=T, series="BD", state=state)
    assert verified == built() and verified.signer is not None and verified.signer.usage == "status"
    assert state.highest(status_list_key(TL.root, "BD")) == 7
    assert verified.source == "signed status list BD v7"


@pytest.mark.parametrize(("label", "data", "kw", "match"), [
    ("a document signer signed it", built().sign(DOCUMENT), {}, "a document signer, not a status signer"),
    ("an unlisted signer", built().sign(make_signer("nobody")), {}, "not a status signer"),
    ("a flipped signature bit", SIGNED[:-3] + bytes([SIGNED[-3] ^ 1]) + SIGNED[-2:], {}, "does not verify"),
    ("a flipped payload bit", SIGNED.replace(b"\x03\x07", b"\x03\x08", 1), {}, "does not verify"),
    ("another series expected", SIGNED, {"series": "MD"}, "where MD was expected"),
    ("past its expiry", SIGNED, {"at": T + dt.timedelta(days=7, seconds=1)}, "expired"),
    ("issued after the check", SIGNED, {"at": T - dt.timedelta(minutes=6)}, "after the time of the check"),
    ("series outside the signer's scope", build_status_list("MD", [], version=1, issued_at=T).sign(BD_ONLY), {},
     "outside the status signer's scope"),
    ("signer compromised before", built().sign(REVOKED), {}, "revoked"),
    ("signer of another root", built().sign(UNTRUSTED), {}, "not issued by the root"),
    ("a record instead of a list", codec.encode_sign1(codec.encode_protected(-8, STATUS.kid), b"\xa0",
                                                      STATUS.sign(b"x")), {}, "protected header"),
    ("garbage", b"\x00" * 40, {}, "status list"),
])
def test_refusals(label: str, data: bytes, kw: dict[str, Any], match: str) -> None:
    args: dict[str, Any] = {"trust_list": TL, "at": T, **kw}
    with pytest.raises(StatusListError, match=match):
        verify_status_list(data, **args)
    assert label


def test_a_list_older_than_one_seen_is_refused() -> None:
    state = MemoryVersionState()
    verify_status_list(built(version=8).sign(STATUS), trust_list=TL, at=T, state=state)
    with pytest.raises(StatusListError, match="version 7 is older than version 8 already seen"):
        verify_status_list(SIGNED, trust_list=TL, at=T, state=state)
    assert state.highest(status_list_key(TL.root, "BD")) == 8
    verify_status_list(built(version=8).sign(STATUS), trust_list=TL, at=T, state=state)  # the same again: fine


def test_es256_status_signer_low_s() -> None:
    es256 = make_signer("status list tests es256", alg="ES256")
    tl = trust_list((replace(entry(es256, label="TEST ONLY"), usage="status"),))
    assert verify_status_list(built().sign(es256), trust_list=tl, at=T).version == 7


# ------------------------------------------------------------------ lookup: the registry's answers, offline
LOOKUP = StatusListLookup([verify_status_list(SIGNED, trust_list=TL, at=T)])


@pytest.mark.parametrize(("number", "revision", "code", "check"), [
    ("0000001", 1, StatusCode.ORIGINAL_VALID, lambda s: s.current_revision == 1 and s.original is None),
    ("0000002", 1, StatusCode.REPLACED, lambda s: (s.replaced_by.series, s.replaced_by.number,
                                                    s.replaced_by.duplicate_no, s.replaced_by.reason,
                                                    s.replaced_by.issued_on) == ("BD", "0000100", 1, "lost", DAY)),
    ("0000100", 1, StatusCode.REPLACED, lambda s: s.duplicate_no == 1 and s.replaced_by.duplicate_no == 2
     and s.original.number == "0000002"),
    ("0000101", 1, StatusCode.DUPLICATE_VALID, lambda s: s.duplicate_no == 2 and s.original.number == "0000002"),
    ("0000102", 1, StatusCode.DUPLICATE_VALID, lambda s: (s.original.series, s.original.number) == ("ТКБ", "0000777")),
    ("0000003", 1, StatusCode.ANNULLED, lambda s: s.annulled_at == dt.datetime(2026, 10, 1, tzinfo=UTC)),
    ("0000004", 1, StatusCode.CORRECTED, lambda s: s.current_revision == 3 and s.changed_fields == ()),
    ("0000004", 2, StatusCode.CORRECTED, lambda s: s.changed_at == dt.datetime(2026, 10, 1, tzinfo=UTC)),
    ("0000004", 3, StatusCode.ORIGINAL_VALID, lambda s: s.current_revision == 3),
    ("0000004", 4, StatusCode.NOT_IN_REGISTRY, lambda s: True),
    ("0000005", 1, StatusCode.REPLACED, lambda s: (s.replaced_by.series, s.replaced_by.number) == ("ТКБ", "0004567")),
    ("0000103", 1, StatusCode.ANNULLED, lambda s: s.current_revision == 2),
    ("0000021", 1, StatusCode.NOT_IN_REGISTRY, lambda s: True),
    ("0000000", 1, StatusCode.NOT_IN_REGISTRY, lambda s: True),
])
def test_lookup_answers_as_the_registry(number: str, revision: int, code: StatusCode, check: Any) -> None:
    status = LOOKUP.lookup(series="BD", number=number, revision=revision, payload_sha256=b"\x00" * 32, at=T)
    assert status.code is code and check(status)
    assert status.as_of == T and status.source == "signed status list BD v7"


def test_lookup_without_a_fresh_list_is_status_unknown() -> None:
    with pytest.raises(StatusUnknownError, match="no status list for series MD"):
        LOOKUP.lookup(series="MD", number="0000001", revision=1, payload_sha256=b"", at=T)
    with pytest.raises(StatusUnknownError, match="expired"):
        LOOKUP.lookup(series="BD", number="0000001", revision=1, payload_sha256=b"", at=T + dt.timedelta(days=8))
    with pytest.raises(StatusUnknownError, match="issued after"):
        LOOKUP.lookup(series="BD", number="0000001", revision=1, payload_sha256=b"", at=T - dt.timedelta(hours=1))


def test_the_highest_version_of_a_series_is_kept() -> None:
    lookup = StatusListLookup([built(version=3), built(version=9), built(version=4)])
    assert lookup.lists["BD"].version == 9
    assert status_from_list(lookup.lists["BD"], number="0000001", revision=1).source == "signed status list BD v9"


# ------------------------------------------------------------------ the verifier with lists (issue 12 item 3)
def _text(number: str, *, at: dt.datetime = T - dt.timedelta(days=30), **changes: Any) -> str:
    from support.keys import sample_record

    from verify.issue import sign_record

    return sign_record(sample_record(number=number, **changes), signer=DOCUMENT, base_url="https://v.edu.kz",
                       at=at).qr_text


def test_the_verifier_judges_offline_with_lists_and_says_from_where() -> None:
    from verify.verifier import Verifier

    verifier = Verifier(TL, status_lookup=LOOKUP, status_required=True)
    valid = verifier.check(_text("0000001"), at=T)
    assert valid.verdict == "VALID" and valid.status == "ORIGINAL_VALID"
    assert valid.status_source == "signed status list BD v7" and valid.status_as_of == T
    assert valid.message == ("VALID: authentic; status ORIGINAL_VALID as of 2026-11-01T12:00:00+00:00, "
                             "from the signed status list BD v7")
    out = valid.to_json()
    assert out["status_source"] == "signed status list BD v7" and out["status_as_of"] == "2026-11-01T12:00:00+00:00"
    replaced = verifier.check(_text("0000002"), at=T)
    assert replaced.verdict == "REPLACED" and "duplicate No. 1 BD 0000100" in replaced.steps[-1].detail
    assert "from the signed status list BD v7" in replaced.steps[-1].detail
    assert verifier.check(_text("0000101", duplicate=DuplicateOf(2, "BD", "0000002")), at=T).verdict == "VALID"
    annulled = verifier.check(_text("0000003"), at=T)
    assert annulled.verdict == "ANNULLED" and "the basis is in the registry" in annulled.steps[-1].detail
    assert verifier.check(_text("0000004", revision=2), at=T).verdict == "CORRECTED"
    assert verifier.check(_text("0000004", revision=3), at=T).verdict == "VALID"
    assert verifier.check(_text("0000050"), at=T).verdict == "NOT_IN_REGISTRY"


def test_no_fresh_list_is_authentic_status_unknown_never_valid() -> None:
    from verify.verifier import Verifier

    verifier = Verifier(TL, status_lookup=LOOKUP)
    other = verifier.check(_text("0000001", doc_type="MD", series="MD", programme="7M01501"), at=T)
    assert other.verdict == "AUTHENTIC_STATUS_UNKNOWN" and other.authentic and other.status == "UNKNOWN"
    assert other.record is not None and other.failed_step is not None and other.failed_step.number == 11
    assert other.status_source is None and other.to_json()["record"]["series"] == "MD"
    with pytest.raises(StatusUnknownError):
        verifier.verify(_text("0000001", doc_type="MD", series="MD", programme="7M01501"), at=T)
    expired = verifier.check(_text("0000001"), at=T + dt.timedelta(days=8))
    assert expired.verdict == "AUTHENTIC_STATUS_UNKNOWN"
    # a number the list does not hold, signed after the list was issued: the list cannot know it
    later = verifier.check(_text("0000050", at=T + dt.timedelta(hours=2)), at=T + dt.timedelta(hours=3))
    assert later.verdict == "AUTHENTIC_STATUS_UNKNOWN" and "before this record was signed" in later.message
    # the same through begin / finish, as an event loop runs it
    pending = verifier.begin(_text("0000001", doc_type="MD", series="MD", programme="7M01501"), at=T)
    assert pending.query is not None
    try:
        answer: Any = pending.query.ask(LOOKUP)
    except StatusUnknownError as exc:
        answer = exc
    assert pending.finish(answer).to_json() == other.to_json()


def test_status_required_is_the_one_line_switch_for_a_verifier_without_a_source() -> None:
    from verify.verifier import Verifier

    text = _text("0000001")
    today = Verifier(TL).check(text, at=T)
    assert today.verdict == "VALID" and today.status == "NOT_CHECKED"  # unchanged until the CLI and pages switch
    required = Verifier(TL, status_required=True).check(text, at=T)
    assert required.verdict == "AUTHENTIC_STATUS_UNKNOWN" and required.authentic and required.status == "UNKNOWN"
    assert required.steps[-1].outcome == "failed" and "no registry and no status list" in required.steps[-1].detail


@given(st.binary(max_size=800))
@settings(max_examples=300)
def test_any_bytes_verify_or_raise_a_status_list_error(data: bytes) -> None:
    with pytest.raises(StatusListError):
        verify_status_list(data, trust_list=TL, at=T)


@given(st.integers(min_value=0, max_value=len(SIGNED) - 1), st.integers(min_value=1, max_value=255))
@settings(max_examples=300, deadline=None)
def test_any_changed_byte_of_a_signed_list_is_refused(position: int, xor: int) -> None:
    data = bytearray(SIGNED)
    data[position] ^= xor
    with pytest.raises(StatusListError):
        verify_status_list(bytes(data), trust_list=TL, at=T)
