"""Signed notes of C2SP signed-note v1 (c2sp.org/signed-note), with Ed25519 keys.

A signed note is a text ending in a newline, a blank line, and one or more signature lines:

    <text, one or more lines, each ending in U+000A>
    <empty line>
    — <key name> base64(4-byte key ID || signature)
    ...

* The whole note is UTF-8 without ASCII control characters other than the newline; the text is
  separated from the signatures by the last empty line.
* Key names are non-empty, without Unicode spaces and without "+".
* An Ed25519 signature (type 0x01) signs the text (with its final newline) by RFC 8032; its key ID
  is the first four bytes, big-endian, of SHA-256(key name || 0x0A || 0x01 || 32-byte public key).
* A verifier key ("vkey") is written `<name>+<8 lower-case hex digits of the key ID>+base64(0x01 || key)`.
* Verification: signatures from keys unknown by (name, key ID) are ignored (witness cosignatures,
  a rotated key); a signature from a known key must verify, else the whole note is refused; at
  least one known key must have signed.

Base64 is the standard alphabet with padding (RFC 4648 §4), and only its canonical form is accepted
(decoding and re-encoding must give the same text). Caps, applied before parsing: `MAX_NOTE_BYTES`
and `MAX_SIGNATURES` (the spec asks verifiers to accept at least 16 signatures).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from ..errors import CheckpointError

SIG_TYPE_ED25519 = 0x01  # c2sp.org/signed-note, Signature types
ED25519_SIGNATURE_BYTES = 64
MAX_NOTE_BYTES = 1 << 20  # 1 MiB: 100 post-quantum signatures of ~5 kB would still fit
MAX_SIGNATURES = 100
SIGNATURE_PREFIX = "— "  # em dash U+2014, space

_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")
_HEX8 = re.compile(r"[0-9a-f]{8}")


# ============================================================================ helpers
def b64encode(data: bytes) -> str:
    """Standard base64 with padding (RFC 4648 §4)."""
    return base64.b64encode(data).decode("ascii")


def b64decode_strict(text: str, what: str) -> bytes:
    """Decode standard base64 (RFC 4648 §4) in its canonical form only.

    Raises:
        CheckpointError: another alphabet, missing or extra padding, white space, non-zero pad bits.
    """
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error, ValueError):
        raise CheckpointError(f"{what}: not standard base64") from None
    if b64encode(raw) != text:
        raise CheckpointError(f"{what}: not in canonical base64")
    return raw


def is_valid_key_name(name: str) -> bool:
    """A key name is non-empty and holds neither Unicode spaces nor "+" (c2sp.org/signed-note, Format)."""
    return bool(name) and "+" not in name and not any(c.isspace() for c in name) and not _CONTROL.search(name)


def ed25519_public_bytes(public_key: ed25519.Ed25519PublicKey) -> bytes:
    """The 32-byte RFC 8032 encoding of an Ed25519 public key."""
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(name: str, sig_type: int, public_key: bytes) -> int:
    """Key ID = SHA-256(key name || 0x0A || signature type || public key)[:4], big-endian (signed-note §Signatures)."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + bytes([sig_type]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


# ============================================================================ keys
class NoteSigner(Protocol):
    """What signs notes: an Ed25519 key in memory now, an HSM later.

    Attributes:
        name: the key name written in signature lines (for the log: its origin, e.g. "verify.edu.kz/log").
        key_id: the 32-bit key ID (`key_id`).
    """

    @property
    def name(self) -> str:
        """The key name."""
        ...

    @property
    def key_id(self) -> int:
        """The 32-bit key ID."""
        ...

    def sign(self, message: bytes) -> bytes:
        """The signature of `message` (64 bytes for Ed25519)."""
        ...


@dataclass(frozen=True)
class Ed25519NoteSigner:
    """A `NoteSigner` over an Ed25519 private key from `cryptography`.

    Raises:
        CheckpointError: an invalid key name.
    """

    name: str
    private_key: ed25519.Ed25519PrivateKey

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise CheckpointError("key name: must be non-empty, without spaces or '+'")

    @property
    def key_id(self) -> int:
        """The Ed25519 key ID of the signed-note spec."""
        return key_id(self.name, SIG_TYPE_ED25519, ed25519_public_bytes(self.private_key.public_key()))

    @property
    def verifier(self) -> NoteVerifier:
        """The matching `NoteVerifier`."""
        return NoteVerifier(self.name, self.private_key.public_key())

    def sign(self, message: bytes) -> bytes:
        """Ed25519 signature (RFC 8032), 64 bytes."""
        return self.private_key.sign(message)


@dataclass(frozen=True)
class NoteVerifier:
    """A known Ed25519 note key: its name and public key (the trust list names the log's key, usage `log`).

    Raises:
        CheckpointError: an invalid key name.
    """

    name: str
    public_key: ed25519.Ed25519PublicKey

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise CheckpointError("key name: must be non-empty, without spaces or '+'")

    @property
    def key_id(self) -> int:
        """The Ed25519 key ID of the signed-note spec."""
        return key_id(self.name, SIG_TYPE_ED25519, ed25519_public_bytes(self.public_key))

    @property
    def vkey(self) -> str:
        """The verifier key text `<name>+<hex key ID>+base64(0x01 || key)` (signed-note, Verifier keys)."""
        raw = bytes([SIG_TYPE_ED25519]) + ed25519_public_bytes(self.public_key)
        return f"{self.name}+{self.key_id:08x}+{b64encode(raw)}"

    @classmethod
    def from_vkey(cls, vkey: str) -> NoteVerifier:
        """Parse a verifier key text; only Ed25519 (type 0x01) keys are accepted.

        Raises:
            CheckpointError: not three parts, an invalid name, a key ID that is not 8 lower-case hex
                digits or does not match the key, another signature type, or a key of the wrong size.
        """
        parts = vkey.split("+", 2) if isinstance(vkey, str) else []
        if len(parts) != 3 or not is_valid_key_name(parts[0]) or not _HEX8.fullmatch(parts[1]):
            raise CheckpointError("verifier key: must be <name>+<8 hex digits>+<base64 key>")
        raw = b64decode_strict(parts[2], "verifier key")
        if len(raw) != 33 or raw[0] != SIG_TYPE_ED25519:
            raise CheckpointError("verifier key: only Ed25519 keys (type 0x01, 32 bytes) are supported")
        verifier = cls(parts[0], ed25519.Ed25519PublicKey.from_public_bytes(raw[1:]))
        if verifier.key_id != int(parts[1], 16):
            raise CheckpointError("verifier key: the key ID does not match the name and key")
        return verifier

    def verify(self, message: bytes, signature: bytes) -> None:
        """Check an Ed25519 signature of `message`.

        Raises:
            CheckpointError: the signature does not verify.
        """
        try:
            self.public_key.verify(signature, message)
        except InvalidSignature:
            raise CheckpointError(f"note signature by {self.name}+{self.key_id:08x} does not verify") from None


# ============================================================================ notes
@dataclass(frozen=True, slots=True)
class NoteSignature:
    """One signature line: key name, key ID, and the signature bytes (without the key ID)."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        """`— <name> base64(key ID || signature)` followed by a newline."""
        return f"{SIGNATURE_PREFIX}{self.name} {b64encode(self.key_id.to_bytes(4, 'big') + self.signature)}\n"


@dataclass(frozen=True, slots=True)
class Note:
    """A parsed signed note: its text (with the final newline) and every signature line, unverified."""

    text: str
    signatures: tuple[NoteSignature, ...]

    def to_text(self) -> str:
        """The note as published: text, blank line, signature lines."""
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


@dataclass(frozen=True, slots=True)
class OpenedNote:
    """A note whose known signatures verified.

    Attributes:
        text: the note text, with its final newline.
        verified: the signatures of known keys, each verified (at least one).
        unverified: the signatures of unknown keys, ignored (e.g. witness cosignatures).
    """

    text: str
    verified: tuple[NoteSignature, ...]
    unverified: tuple[NoteSignature, ...]


def check_note_text(text: str) -> None:
    """A note text is non-empty UTF-8 text ending in a newline, without control characters but the newline.

    Raises:
        CheckpointError: otherwise.
    """
    if not isinstance(text, str) or not text.endswith("\n") or _CONTROL.search(text):
        raise CheckpointError("note text: must end in a newline and hold no control characters")
    try:
        size = len(text.encode("utf-8"))
    except UnicodeEncodeError:
        raise CheckpointError("note text: not valid UTF-8") from None
    if size > MAX_NOTE_BYTES:
        raise CheckpointError(f"note text: over {MAX_NOTE_BYTES} bytes")


def parse_note(data: str | bytes) -> Note:
    """Split a signed note into its text and signature lines, strictly; nothing is verified.

    Raises:
        CheckpointError: over `MAX_NOTE_BYTES`, not UTF-8, a control character, no blank line
            before the signatures, a malformed signature line, or more than `MAX_SIGNATURES`.
    """
    if isinstance(data, bytes):
        if len(data) > MAX_NOTE_BYTES:
            raise CheckpointError(f"note: over {MAX_NOTE_BYTES} bytes")
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise CheckpointError("note: not valid UTF-8") from None
    if not isinstance(data, str) or len(data) > MAX_NOTE_BYTES:
        raise CheckpointError(f"note: must be text of at most {MAX_NOTE_BYTES} bytes")
    try:
        size = len(data.encode("utf-8"))
    except UnicodeEncodeError:
        raise CheckpointError("note: not valid UTF-8") from None
    if size > MAX_NOTE_BYTES:
        raise CheckpointError(f"note: over {MAX_NOTE_BYTES} bytes")
    if _CONTROL.search(data):
        raise CheckpointError("note: holds a control character other than the newline")
    split = data.rfind("\n\n")
    if split < 0:
        raise CheckpointError("note: no blank line before the signatures")
    text, block = data[:split + 1], data[split + 2:]
    if not block or not block.endswith("\n"):
        raise CheckpointError("note: the signature lines must end in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise CheckpointError(f"note: more than {MAX_SIGNATURES} signatures")
    return Note(text=text, signatures=tuple(_parse_signature_line(line) for line in lines))


def _parse_signature_line(line: str) -> NoteSignature:
    if not line.startswith(SIGNATURE_PREFIX):
        raise CheckpointError("note: a signature line must start with an em dash and a space")
    name, space, encoded = line[len(SIGNATURE_PREFIX):].partition(" ")
    if not space or not is_valid_key_name(name):
        raise CheckpointError("note: a signature line must be '— <key name> <base64>'")
    raw = b64decode_strict(encoded, "note signature")
    if len(raw) < 5:
        raise CheckpointError("note signature: must hold a 4-byte key ID and a signature")
    return NoteSignature(name=name, key_id=int.from_bytes(raw[:4], "big"), signature=raw[4:])


def sign_note(text: str, signers: Sequence[NoteSigner], *, keep: Sequence[NoteSignature] = ()) -> str:
    """Sign a note text with each signer; `keep` adds signature lines already made (e.g. cosignatures).

    Args:
        text: the note text, ending in a newline.
        signers: at least one `NoteSigner`.
        keep: signature lines to append after the new ones.

    Returns:
        The signed note text.

    Raises:
        CheckpointError: a malformed text, no signer, an invalid key name, or a note over the caps.
    """
    check_note_text(text)
    if not signers:
        raise CheckpointError("note: at least one signer is needed")
    message = text.encode("utf-8")
    signatures = [NoteSignature(s.name, s.key_id, s.sign(message)) for s in signers]
    for s in signatures:
        if not is_valid_key_name(s.name):
            raise CheckpointError("key name: must be non-empty, without spaces or '+'")
    note = Note(text=text, signatures=(*signatures, *keep)).to_text()
    parse_note(note)  # the caps and line rules hold for what we publish too
    return note


def open_note(data: str | bytes, verifiers: Sequence[NoteVerifier]) -> OpenedNote:
    """Parse a signed note and verify it against known keys (c2sp.org/signed-note, Signatures).

    Args:
        data: the signed note.
        verifiers: the known keys; a signature is theirs when both its key name and key ID match.

    Returns:
        `OpenedNote` with the verified and the ignored (unknown-key) signatures; repeated identical
        lines are kept once.

    Raises:
        CheckpointError: a malformed note, a known key's signature that does not verify, or no
            signature by a known key.
    """
    note = parse_note(data)
    known = {(v.name, v.key_id): v for v in verifiers}
    message = note.text.encode("utf-8")
    verified: list[NoteSignature] = []
    unverified: list[NoteSignature] = []
    for sig in dict.fromkeys(note.signatures):
        verifier = known.get((sig.name, sig.key_id))
        if verifier is None:
            unverified.append(sig)
            continue
        if len(sig.signature) != ED25519_SIGNATURE_BYTES:
            raise CheckpointError(f"note signature by {sig.name}: must be {ED25519_SIGNATURE_BYTES} bytes")
        verifier.verify(message, sig.signature)
        verified.append(sig)
    if not verified:
        raise CheckpointError("note: not signed by any known key")
    return OpenedNote(text=note.text, verified=tuple(verified), unverified=tuple(unverified))
