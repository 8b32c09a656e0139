"""Field patterns match the whole value: `$` in `re.match` also matches before a final newline.

A defect the JavaScript kit's author found: `verify/record.py` and `verify/identifiers.py` validated with
`re.match(r"^...$")`, so a signed number "0012345\\n", a name part or a code ending in a newline verified VALID
in Python while the kit (and docs/FORMAT.md §3.1: "exactly 7 ASCII digits") refuses it at step 7. Every
validating pattern in verify/ now uses `fullmatch`. The vector `number_trailing_newline_fail` holds both
verifiers to it.
"""

from __future__ import annotations

import datetime as dt

import cbor2
import pytest
from support.keys import ed25519_key, sample_record

from verify import codec
from verify.errors import CheckpointError, PayloadError, RecordError
from verify.identifiers import validate_number, validate_programme, validate_qualification
from verify.record import DuplicateOf, HolderName
from verify.transparency.note import Ed25519NoteSigner, NoteVerifier

NEWLINES = ["\n", "\r\n"]
SIGNED = dt.datetime(2026, 7, 1, 9, 30, tzinfo=dt.UTC)


@pytest.mark.parametrize("end", NEWLINES)
def test_a_number_with_a_final_newline_is_refused(end: str) -> None:
    assert validate_number("0012345") == "0012345"
    with pytest.raises(RecordError, match="seven digits"):
        validate_number("0012345" + end)
    with pytest.raises(RecordError):
        sample_record(number="0012345" + end)
    with pytest.raises(RecordError):
        DuplicateOf(1, "BD", "0012345" + end)


@pytest.mark.parametrize("end", NEWLINES)
def test_a_name_part_with_a_final_newline_is_refused(end: str) -> None:
    for holder in (("Иванова" + end, "Анна"), ("Иванова", "Анна" + end), ("Иванова", "Анна", "Сергеевна" + end)):
        with pytest.raises(RecordError, match="letters"):
            HolderName(*holder)


@pytest.mark.parametrize("end", NEWLINES)
def test_codes_with_a_final_newline_are_refused(end: str) -> None:
    with pytest.raises(RecordError, match="programme"):
        sample_record(programme="6B0610" + end[-1])
    with pytest.raises(RecordError, match="qualification"):
        sample_record(qualification="4S0613010" + end[-1])
    for check, value in ((validate_programme, "6B06101"), (validate_programme, "06130100"),
                         (validate_qualification, "4S06130103")):
        assert check(value) == value
        with pytest.raises(RecordError):
            check(value + end)


def test_a_signed_payload_with_a_newline_in_the_number_fails_step_7() -> None:
    payload = cbor2.loads(codec.encode_payload(sample_record(), signed_at=SIGNED))
    assert codec.decode_payload(cbor2.dumps(payload, canonical=True))[0].number == "0012345"
    for key, value in ((4, "0012345\n"), (11, [1, "BD", "0012340\n"]), (5, ["Иванова\n", "Анна"]), (8, "6B06101\n")):
        with pytest.raises(PayloadError) as info:
            codec.decode_payload(cbor2.dumps({**payload, key: value}, canonical=True))
        assert info.value.step == 7


def test_a_verifier_key_with_a_newline_after_its_key_id_is_refused() -> None:
    vkey = Ed25519NoteSigner("verify.edu.kz/log", ed25519_key("anchored patterns TEST ONLY")).verifier.vkey
    name, key_id, key = vkey.split("+")
    assert NoteVerifier.from_vkey(vkey).vkey == vkey
    with pytest.raises(CheckpointError, match="8 hex digits"):
        NoteVerifier.from_vkey(f"{name}+{key_id}\n+{key}")
