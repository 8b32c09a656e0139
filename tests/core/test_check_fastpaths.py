"""The check's one-test fast paths agree with the rule-by-rule checks they skip (issue 16 item 2).

A verification builds a `HolderName` and a `Record` from every payload, decodes the payload map and splits the QR
text; each has a fast path for the common valid input (`HolderName._is_valid`, `Record._is_valid`,
`codec._loads_payload`, the heads `qrtext.split_qr_text` has seen) and falls back to the checks that name the first
fault. These property tests check that a fast path accepts nothing the rule-by-rule checks refuse, and that every
refusal is the same error as before.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import cbor2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.keys import sample_record
from support.strategies import KAZAKH_LETTERS, records

from verify import codec, qrtext
from verify.doctypes import get_document_type
from verify.errors import Error, PayloadError, PrefixError, RecordError
from verify.record import _HOLDER_RE, _NAME_PART_RE, _NAME_RUNS, DuplicateOf, HolderName, Record

SIGNED_AT = dt.datetime(2026, 11, 1, 12, tzinfo=dt.UTC)
_NAME_CHARS = KAZAKH_LETTERS[:12] + "AbÄğİı" + "-' " + "\x00\t.1" + "е\u0301й"  # letters, separators, others, NFD


def _outcome(fn: Any, *args: Any) -> tuple[str, Any]:
    """("ok", result) or ("error", (class name, catalogue key, field)) of a call."""
    try:
        return "ok", fn(*args)
    except Error as exc:
        said = exc.text
        return "error", (type(exc).__name__, None if said is None else (said.key, said.field))


@given(st.text(alphabet=_NAME_CHARS, max_size=30))
@settings(max_examples=3000)
def test_name_runs_are_the_name_part_grammar(value: str) -> None:
    """`_NAME_RUNS` (runs of letters joined by single separators) matches exactly what `_NAME_PART_RE` does."""
    assert (re.fullmatch(_NAME_RUNS, value) is not None) == (_NAME_PART_RE.fullmatch(value) is not None)


def _holder_checked_part_by_part(surname: Any, name: Any, patronymic: Any) -> HolderName:
    holder = object.__new__(HolderName)
    for field, value in (("surname", surname), ("name", name), ("patronymic", patronymic)):
        object.__setattr__(holder, field, value)
    holder._check_each()
    return holder


_PARTS = st.text(alphabet=_NAME_CHARS, max_size=34)


@given(_PARTS, _PARTS, st.none() | _PARTS)
@settings(max_examples=3000)
def test_holder_name_fast_path_agrees_with_the_checks_part_by_part(surname: str, name: str,
                                                                    patronymic: str | None) -> None:
    """Any three strings: `HolderName` accepts them exactly when the part-by-part checks do, with the same error."""
    fast = _outcome(HolderName, surname, name, patronymic)
    slow = _outcome(_holder_checked_part_by_part, surname, name, patronymic)
    assert fast[0] == slow[0]
    if fast[0] == "error":
        assert fast[1] == slow[1]
    holder = HolderName.__new__(HolderName)
    for field, value in (("surname", surname), ("name", name), ("patronymic", patronymic)):
        object.__setattr__(holder, field, value)
    if holder._is_valid():  # the fast path never accepts what the checks refuse
        assert slow[0] == "ok"


def test_holder_name_regex_joins_parts_by_nul_only() -> None:
    """The NULs that join the parts are counted: a part holding a NUL never passes the one test."""
    assert _HOLDER_RE.fullmatch("Әлі\x00Нұр") is not None
    assert _HOLDER_RE.fullmatch("Әлі\x00\x00Нұр") is None
    assert _HOLDER_RE.fullmatch("Әлі\x00Нұр\x00Нұр") is None  # three parts never pass for two
    with pytest.raises(RecordError):
        HolderName("Әлі\x00Нұр", "Нұр")
    with pytest.raises(RecordError):  # the counterexample hypothesis found: "A", "A\x00A" joined is three parts
        HolderName("A", "A\x00A")


def test_a_subclass_of_str_takes_the_checks_part_by_part() -> None:
    """The fast path requires exact `str`: anything else is checked part by part, as before."""

    class Name(str):
        pass

    holder = HolderName(Name("Әлиев"), "Нұр")
    assert not holder._is_valid()
    assert holder.full_name == "Әлиев Нұр"


_FIELD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "doc_type": st.sampled_from(["BD", "MD", "TVE", "PhD", "XX", "bd", 1]),
    "series": st.sampled_from(["BD", "MD", "ТКБ", "TKB", " BD", "bd", "PHD", "PhD", "Б", "", "ABCDE", 7]),
    "number": st.sampled_from(["0000042", "000004", "00000421", "000004a", "٠٠٠٠٠٤٢", 42]),
    "institution_bin": st.sampled_from(["000740000728", "000740000729", "00074000072", "00074000072a", 740000728]),
    "award_date": st.sampled_from([dt.date(2026, 6, 30), dt.date(1899, 12, 31), dt.datetime(2026, 6, 30),
                                   "2026-06-30"]),
    "programme": st.sampled_from(["6B06101", "06130100", "", "6b06101", "123456789", "6B 0610", None]),
    "qualification": st.sampled_from([None, "4S06130103", "", "4s06130103", "12345678901"]),
    "honours": st.sampled_from([False, True, 0, 1, None]),
    "duplicate": st.sampled_from([None, DuplicateOf(1, "BD", "0000001"), ("BD", "0000001")]),
    "revision": st.sampled_from([1, 2, 999, 0, 1000, True, 2.0]),
    "version": st.sampled_from([1, 2, True]),
}


def _record_checked_one_by_one(fields: dict[str, Any]) -> Record:
    record = object.__new__(Record)
    for field in dataclasses.fields(Record):
        object.__setattr__(record, field.name, fields[field.name])
    record._check_each()
    return record


@given(records(), st.fixed_dictionaries({}, optional=_FIELD_VALUES))
@settings(max_examples=2000, suppress_health_check=[HealthCheck.too_slow])
def test_record_fast_path_agrees_with_the_checks_one_by_one(record: Record, changes: dict[str, Any]) -> None:
    """A valid record with any fields changed: `Record` accepts it exactly when the rule-by-rule checks do, with
    the same error, and its one-test path never accepts what they refuse."""
    fields = {field.name: getattr(record, field.name) for field in dataclasses.fields(Record)}
    fields.update(changes)
    fast = _outcome(lambda: Record(**fields))
    slow = _outcome(_record_checked_one_by_one, fields)
    assert fast[0] == slow[0]
    if fast[0] == "error":
        assert fast[1] == slow[1]
    else:
        assert fast[1]._is_valid() or type(fields["holder"]) is not HolderName


@given(records())
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_every_valid_record_takes_the_one_test_path(record: Record) -> None:
    """The fast path is the common path: every record the strategy builds passes it (and its holder's)."""
    assert record._is_valid()
    assert record.holder._is_valid()


_DECODED_VALUES: dict[str, st.SearchStrategy[Any]] = {  # only what the decoder's type and range checks let through
    "series": st.sampled_from(["BD", "MD", "ТКБ", "TKB", " BD", "bd", "PHD", "PhD", "Б", "", "ABCDE"]),
    "number": st.sampled_from(["0000042", "000004", "00000421", "000004a", "٠٠٠٠٠٤٢"]),
    "institution_bin": st.sampled_from(["000740000728", "000740000729", "000000000000", "999999999999"]),
    "programme": st.sampled_from(["6B06101", "06130100", "", "6b06101", "123456789", "6B 0610"]),
    "qualification": st.sampled_from([None, "4S06130103", "", "4s06130103", "12345678901"]),
    "honours": st.booleans(),
    "revision": st.sampled_from([1, 2, 999, 1000, 5000]),
}


@given(records(), st.fixed_dictionaries({}, optional=_DECODED_VALUES))
@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow])
def test_record_of_decoded_fields_is_the_record(record: Record, changes: dict[str, Any]) -> None:
    """`Record.decoded` of fields of the decoder's types gives what `Record(...)` gives: the same record (equal, and
    as valid) or the same error."""
    fields = {field.name: getattr(record, field.name) for field in dataclasses.fields(Record)}
    fields.update(changes)
    doc_type = get_document_type(fields["doc_type"])
    assert doc_type is not None
    decoded = _outcome(Record.decoded, doc_type, fields["series"], fields["number"], fields["holder"],
                       fields["institution_bin"], fields["award_date"], fields["programme"], fields["qualification"],
                       fields["honours"], fields["duplicate"], fields["revision"])
    fields.pop("version")
    assert decoded == _outcome(lambda: Record(**fields))


def _reference_loads(data: bytes) -> dict[Any, Any]:
    value = codec.strict_loads(data, cap=codec.MAX_PAYLOAD_BYTES, error=PayloadError, what="payload")
    if not isinstance(value, dict):
        raise PayloadError(codec.texts.text("v_cbor_map", field="payload"))
    codec._check_payload_keys(value)
    return value


_KEYS = st.one_of(st.integers(0, 30), st.just(True), st.just(False), st.just(1.0), st.text(max_size=2))
_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-2, 2**35), st.text(max_size=6), st.binary(max_size=3),
                    st.floats(allow_nan=False), st.lists(st.integers(0, 30), max_size=3))


@given(st.lists(st.tuples(_KEYS, _VALUES), max_size=14), st.booleans(), st.sets(st.integers(1, 13), max_size=2),
       st.booleans())
@settings(max_examples=2000)
def test_payload_map_fast_path_agrees_with_the_strict_decoder(
        extra: list[tuple[Any, Any]], canonical: bool, dropped: set[int], reverse: bool) -> None:
    """Any map (keys of any type, order and encoding, values of any type): `_loads_payload` gives what the strict
    decoder and the key checks give, the same map or the same PayloadError; or, for a map holding a value of a type
    no payload field has (a float written longer than its shortest form), a map whose decoding then fails on that
    type (`decode_payload` checks every value's type after it)."""
    m: dict[Any, Any] = dict(cbor2.loads(codec.encode_payload(sample_record(), SIGNED_AT)))
    for key in dropped:
        m.pop(key, None)
    for key, value in extra:
        m[key] = value
    if reverse:
        m = dict(reversed(list(m.items())))
    try:
        data = cbor2.dumps(m, canonical=canonical)
    except Exception:  # a map cbor2 cannot write is not an input
        return
    fast, reference = _outcome(codec._loads_payload, data), _outcome(_reference_loads, data)
    if fast[0] == "ok" and reference[0] == "error":
        assert any(type(value) is float for value in fast[1].values())
        with pytest.raises(PayloadError):
            codec.decode_payload(data)
    else:
        assert fast == reference


def test_payload_key_true_is_not_key_1() -> None:
    """CBOR `true` as a key is equal to 1 in Python (and hashes alike): the fast path must not take it for key 1."""
    m = dict(cbor2.loads(codec.encode_payload(sample_record(), SIGNED_AT)))
    version = m.pop(1)
    data = cbor2.dumps({True: version, **m})
    assert _outcome(codec._loads_payload, data) == _outcome(_reference_loads, data)
    with pytest.raises(PayloadError):
        codec.decode_payload(data)


_HEAD_CHARS = "HTPShtps:/Vv.-0123456789EDUKZedukz \t\r\n"


@given(st.lists(st.text(alphabet=_HEAD_CHARS, max_size=30), min_size=1, max_size=6),
       st.text(alphabet="0123456789", max_size=5))
@settings(max_examples=2000)
def test_split_with_seen_heads_agrees_with_the_grammar(heads: list[str], digits: str) -> None:
    """Texts split after others (whose heads were recorded) split exactly as the grammar alone splits them."""
    for head in [*heads, "HTTPS://V.EDU.KZ/V/", "https://v.edu.kz/V/"]:
        text = head + digits
        stripped = text.strip(" \t\r\n")
        expected = _outcome(_split_by_grammar, stripped)
        if len(stripped) > qrtext.MAX_PREFIX_CHARS + qrtext.MAX_DIGITS:
            expected = ("error", ("PrefixError", ("v_qr_too_long", "QR text")))
        assert _outcome(qrtext.split_qr_text, text) == expected


def _split_by_grammar(stripped: str) -> tuple[str, str]:
    prefix, end = qrtext.match_prefix(stripped)
    return prefix, stripped[end:]


def test_seen_heads_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The record of heads stops growing at `MAX_SEEN_HEADS`; texts of other heads are still split by the grammar."""
    monkeypatch.setattr(qrtext, "_SEEN_HEADS", {})
    for port in range(1000, 1000 + qrtext.MAX_SEEN_HEADS + 20):
        assert qrtext.split_qr_text(f"HTTPS://V.EDU.KZ:{port}/V/1") == (f"HTTPS://V.EDU.KZ:{port}/V/", "1")
    assert len(qrtext._SEEN_HEADS) == qrtext.MAX_SEEN_HEADS
    with pytest.raises(PrefixError):
        qrtext.split_qr_text("HTTPS://V.EDU.KZ:0/V/1")
