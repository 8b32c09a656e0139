"""Signed checkpoints (C2SP tlog-checkpoint inside a C2SP signed note): signing, verification, strict parsing."""

from __future__ import annotations

import base64
import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from support.keys import ed25519_key

from verify.errors import CheckpointError
from verify.transparency.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from verify.transparency.merkle import EMPTY_ROOT, MAX_TREE_SIZE
from verify.transparency.note import (
    MAX_SIGNATURES,
    Ed25519NoteSigner,
    NoteSignature,
    NoteVerifier,
    open_note,
    parse_note,
    sign_note,
)

ORIGIN = "verify.edu.kz/log"
LOG = Ed25519NoteSigner(ORIGIN, ed25519_key("transparency log TEST ONLY"))
WITNESS = Ed25519NoteSigner("witness.example/w1", ed25519_key("transparency witness TEST ONLY"))
OTHER = Ed25519NoteSigner(ORIGIN, ed25519_key("another key under the log's name TEST ONLY"))
ROOT = hashlib.sha256(b"some root").digest()
CHECKPOINT = Checkpoint(ORIGIN, 42, ROOT)


def test_sign_and_open() -> None:
    signed = sign_checkpoint(CHECKPOINT, LOG)
    assert signed.note == f"{ORIGIN}\n42\n{base64.b64encode(ROOT).decode()}\n\n— {ORIGIN} " + signed.note.split(" ")[-1]
    opened = open_checkpoint(signed.note, origin=ORIGIN, verifier=LOG.verifier)
    assert opened == signed
    assert (opened.origin, opened.tree_size, opened.root_hash) == (ORIGIN, 42, ROOT)
    assert open_checkpoint(signed.note.encode(), origin=ORIGIN, verifier=LOG.verifier) == signed


def test_key_id_is_the_signed_note_rule() -> None:
    raw = LOG.verifier.vkey.split("+")[2]
    public = base64.b64decode(raw)[1:]
    assert LOG.key_id == int.from_bytes(hashlib.sha256(ORIGIN.encode() + b"\n\x01" + public).digest()[:4], "big")
    assert NoteVerifier.from_vkey(LOG.verifier.vkey).key_id == LOG.key_id


def test_witness_cosignatures_are_ignored_and_the_log_signature_is_required() -> None:
    signed = sign_checkpoint(CHECKPOINT, LOG)
    cosigned = sign_note(CHECKPOINT.to_text(), [LOG, WITNESS])
    opened = open_checkpoint(cosigned, origin=ORIGIN, verifier=LOG.verifier)
    assert opened.checkpoint == CHECKPOINT and [s.name for s in opened.signatures] == [ORIGIN]
    both = open_note(cosigned, [LOG.verifier, WITNESS.verifier])
    assert [s.name for s in both.verified] == [ORIGIN, WITNESS.name]
    witness_only = sign_note(CHECKPOINT.to_text(), [WITNESS])
    with pytest.raises(CheckpointError, match="not signed by any known key"):
        open_checkpoint(witness_only, origin=ORIGIN, verifier=LOG.verifier)
    # The same name with another key (another key ID): unknown, ignored; the log's own must still be there.
    other = sign_note(CHECKPOINT.to_text(), [OTHER, LOG])
    assert open_checkpoint(other, origin=ORIGIN, verifier=LOG.verifier).checkpoint == CHECKPOINT
    assert signed.note != other


def test_a_bad_signature_by_the_log_key_refuses_the_note() -> None:
    signed = sign_checkpoint(CHECKPOINT, LOG)
    forged = NoteSignature(ORIGIN, LOG.key_id, OTHER.sign(CHECKPOINT.to_text().encode()))
    note = CHECKPOINT.to_text() + "\n" + forged.line() + parse_note(signed.note).signatures[0].line()
    with pytest.raises(CheckpointError, match="does not verify"):
        open_checkpoint(note, origin=ORIGIN, verifier=LOG.verifier)
    short = NoteSignature(ORIGIN, LOG.key_id, b"\x01" * 10)
    with pytest.raises(CheckpointError, match="64 bytes"):
        open_checkpoint(CHECKPOINT.to_text() + "\n" + short.line(), origin=ORIGIN, verifier=LOG.verifier)


@pytest.mark.parametrize("change", [
    lambda note: note.replace("\n42\n", "\n43\n"),
    lambda note: note.replace(ORIGIN + "\n", "verify.edu.kz/log2\n", 1),
    lambda note: note.replace("\n\n", "\nextension\n\n", 1),
])
def test_any_change_to_the_text_fails(change) -> None:  # type: ignore[no-untyped-def]
    note = sign_checkpoint(CHECKPOINT, LOG).note
    with pytest.raises(CheckpointError):
        open_checkpoint(change(note), origin=ORIGIN, verifier=LOG.verifier)


@given(st.data())
@settings(max_examples=200)
def test_any_flipped_bit_of_the_signed_note_fails(data: st.DataObject) -> None:
    note = bytearray(sign_checkpoint(CHECKPOINT, LOG).note.encode())
    position = data.draw(st.integers(0, len(note) - 1))
    note[position] ^= 1 << data.draw(st.integers(0, 7))
    with pytest.raises(CheckpointError):
        open_checkpoint(bytes(note), origin=ORIGIN, verifier=LOG.verifier)


def test_another_origin_is_refused() -> None:
    note = sign_checkpoint(Checkpoint("other.example/log", 1, ROOT), LOG).note
    with pytest.raises(CheckpointError, match="origin"):
        open_checkpoint(note, origin=ORIGIN, verifier=LOG.verifier)


def test_extension_lines_round_trip() -> None:
    checkpoint = Checkpoint(ORIGIN, 7, ROOT, ("audit 12 ab", "— anything"))
    assert Checkpoint.from_text(checkpoint.to_text()) == checkpoint
    assert open_checkpoint(sign_checkpoint(checkpoint, LOG).note, origin=ORIGIN,
                           verifier=LOG.verifier).checkpoint == checkpoint


ROOT_B64 = base64.b64encode(ROOT).decode()
URLSAFE_B64 = base64.urlsafe_b64encode(bytes([0xFB]) * 32).decode()  # "-" and "_" instead of "+" and "/"


@pytest.mark.parametrize(("text", "why"), [
    (f"{ORIGIN}\n42\n{ROOT_B64}", "no final newline"),
    (f"{ORIGIN}\n42\n", "two lines"),
    (f"\n42\n{ROOT_B64}\n", "empty origin"),
    (f"{ORIGIN}\n042\n{ROOT_B64}\n", "leading zero"),
    (f"{ORIGIN}\n+42\n{ROOT_B64}\n", "sign"),
    (f"{ORIGIN}\n 42\n{ROOT_B64}\n", "space"),
    (f"{ORIGIN}\n4_2\n{ROOT_B64}\n", "underscore"),
    (f"{ORIGIN}\n٤٢\n{ROOT_B64}\n", "non-ASCII digits"),
    (f"{ORIGIN}\n{MAX_TREE_SIZE + 1}\n{ROOT_B64}\n", "size over 2**63 - 1"),
    (f"{ORIGIN}\n42\n{ROOT_B64.rstrip('=')}\n", "no padding"),
    (f"{ORIGIN}\n42\n{URLSAFE_B64}\n", "URL-safe alphabet"),
    (f"{ORIGIN}\n42\n{ROOT_B64[:-2]}B=\n", "non-zero pad bits"),
    (f"{ORIGIN}\n42\n{base64.b64encode(ROOT[:31]).decode()}\n", "31-byte root"),
    (f"{ORIGIN}\n42\n{ROOT_B64}\n\n", "empty extension line"),
    (f"{ORIGIN}\n0\n{ROOT_B64}\n", "empty tree with another root"),
])
def test_strict_checkpoint_text(text: str, why: str) -> None:
    with pytest.raises(CheckpointError):
        Checkpoint.from_text(text)


def test_empty_tree_checkpoint() -> None:
    empty = Checkpoint(ORIGIN, 0, EMPTY_ROOT)
    assert Checkpoint.from_text(empty.to_text()) == empty
    assert empty.to_text().split("\n")[1] == "0"


@given(st.text(max_size=200))
@settings(max_examples=500)
def test_any_text_parses_as_a_checkpoint_or_raises_our_error(text: str) -> None:
    try:
        checkpoint = Checkpoint.from_text(text)
    except CheckpointError:
        return
    assert checkpoint.to_text() == text


@given(st.text(max_size=300) | st.binary(max_size=300))
@settings(max_examples=500)
def test_any_input_parses_as_a_note_or_raises_our_error(data: str | bytes) -> None:
    try:
        note = parse_note(data)
    except CheckpointError:
        return
    assert note.to_text() == (data.decode() if isinstance(data, bytes) else data)


@given(st.lists(st.sampled_from(["— ", ORIGIN, " ", "\n", "42", ROOT_B64, "AAAA", "=", "+"]), max_size=30))
@settings(max_examples=500)
def test_note_shaped_text_parses_or_raises_our_error(parts: list[str]) -> None:
    text = "".join(parts)
    try:
        note = parse_note(text)
    except CheckpointError:
        return
    assert note.to_text() == text
    with pytest.raises(CheckpointError):
        open_note(text, [LOG.verifier])  # no real signature can be among these pieces


def test_signature_count_cap() -> None:
    line = parse_note(sign_checkpoint(CHECKPOINT, LOG).note).signatures[0].line()
    assert open_note(CHECKPOINT.to_text() + "\n" + line * MAX_SIGNATURES, [LOG.verifier]).verified
    with pytest.raises(CheckpointError, match="more than"):
        parse_note(CHECKPOINT.to_text() + "\n" + line * (MAX_SIGNATURES + 1))


@pytest.mark.parametrize("name", ["", "with space", "a+b", "tab\there", "nbsp\u00a0x"])
def test_invalid_key_names(name: str) -> None:
    with pytest.raises(CheckpointError):
        Ed25519NoteSigner(name, ed25519_key("names TEST ONLY"))
    with pytest.raises(CheckpointError):
        sign_note("text\n", [_Named(name)])


class _Named:
    """A signer that names itself as told (an HSM-backed signer is another such object)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.key_id = 1

    def sign(self, message: bytes) -> bytes:
        return LOG.sign(message)


@pytest.mark.parametrize("text", ["no newline", "", "bell\x07\n", "cr\r\n"])
def test_sign_note_refuses_bad_texts(text: str) -> None:
    with pytest.raises(CheckpointError):
        sign_note(text, [LOG])


def test_sign_note_needs_a_signer() -> None:
    with pytest.raises(CheckpointError):
        sign_note("text\n", [])
