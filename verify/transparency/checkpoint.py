"""Checkpoints of C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint): the log's signed tree head.

The note text of a checkpoint is at least three non-empty lines:

    <origin>                    e.g. "verify.edu.kz/log" (configurable; the log's key name matches it)
    <tree size>                 ASCII decimal, no leading zeros ("0" for the empty tree)
    <root hash>                 standard base64 of the 32-byte RFC 9162 root
    [<extension line> ...]      optional, non-empty, opaque (not recommended by the spec)

signed as a C2SP signed note (`verify.transparency.note`) by the log's Ed25519 key, the key of
usage `log` in the trust list. Others may add cosignatures (witnesses); a verifier ignores
signatures of keys it does not know and requires the log's to verify.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import CheckpointError
from .merkle import EMPTY_ROOT, HASH_SIZE, MAX_TREE_SIZE
from .note import (
    NoteSignature,
    NoteSigner,
    NoteVerifier,
    b64decode_strict,
    b64encode,
    open_note,
    parse_note,
    sign_note,
)

_DECIMAL = re.compile(r"0|[1-9][0-9]{0,18}")
_LINE_FORBIDDEN = re.compile(r"[\x00-\x1f]")


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """The body of a checkpoint: origin, tree size, root hash and extension lines.

    Attributes:
        origin: the log's identity line, e.g. "verify.edu.kz/log".
        tree_size: leaves in the tree.
        root_hash: its RFC 9162 root (32 bytes).
        extensions: optional extension lines, each non-empty.

    Raises:
        CheckpointError: an empty origin or extension line, a line break or control character in one,
            a size out of range, or a root hash not of 32 bytes.
    """

    origin: str
    tree_size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for line in (self.origin, *self.extensions):
            if not isinstance(line, str) or not line or _LINE_FORBIDDEN.search(line):
                raise CheckpointError("checkpoint: the origin and extension lines must be non-empty single lines")
        if type(self.tree_size) is not int or not 0 <= self.tree_size <= MAX_TREE_SIZE:
            raise CheckpointError(f"checkpoint: tree size must be an integer from 0 to {MAX_TREE_SIZE}")
        if type(self.root_hash) is not bytes or len(self.root_hash) != HASH_SIZE:
            raise CheckpointError(f"checkpoint: root hash must be {HASH_SIZE} bytes")
        if self.tree_size == 0 and self.root_hash != EMPTY_ROOT:
            raise CheckpointError("checkpoint: the empty tree has the root SHA-256 of nothing")

    def to_text(self) -> str:
        """The note text: origin, size, base64 root, extension lines, each ending in a newline."""
        return "".join(f"{line}\n" for line in (self.origin, str(self.tree_size), b64encode(self.root_hash),
                                                 *self.extensions))

    @classmethod
    def from_text(cls, text: str) -> Checkpoint:
        """Parse a checkpoint note text strictly (tlog-checkpoint, Note text).

        Raises:
            CheckpointError: fewer than three lines, an empty line, a size with a sign, leading zero
                or over `MAX_TREE_SIZE`, or a root that is not canonical base64 of 32 bytes.
        """
        if not isinstance(text, str) or not text.endswith("\n"):
            raise CheckpointError("checkpoint: the text must end in a newline")
        lines = text[:-1].split("\n")
        if len(lines) < 3 or any(not line for line in lines):
            raise CheckpointError("checkpoint: needs origin, tree size and root hash lines, none empty")
        origin, size, root, *extensions = lines
        if not _DECIMAL.fullmatch(size) or int(size) > MAX_TREE_SIZE:
            raise CheckpointError("checkpoint: tree size must be decimal without leading zeros")
        root_hash = b64decode_strict(root, "checkpoint root hash")
        if len(root_hash) != HASH_SIZE:
            raise CheckpointError(f"checkpoint: root hash must be {HASH_SIZE} bytes")
        return cls(origin=origin, tree_size=int(size), root_hash=root_hash, extensions=tuple(extensions))


@dataclass(frozen=True, slots=True)
class SignedCheckpoint:
    """A checkpoint with the signed note it came in: the note is the evidence a monitor keeps.

    Attributes:
        checkpoint: the parsed body.
        note: the whole signed note, exactly as published.
        signatures: the signatures verified by the log's key (or made by it).
    """

    checkpoint: Checkpoint
    note: str
    signatures: tuple[NoteSignature, ...]

    @property
    def origin(self) -> str:
        """The log's origin line."""
        return self.checkpoint.origin

    @property
    def tree_size(self) -> int:
        """Leaves in the tree."""
        return self.checkpoint.tree_size

    @property
    def root_hash(self) -> bytes:
        """The tree's root (32 bytes)."""
        return self.checkpoint.root_hash


def sign_checkpoint(checkpoint: Checkpoint, signer: NoteSigner) -> SignedCheckpoint:
    """Sign a checkpoint with the log's key.

    Args:
        checkpoint: the tree head to publish.
        signer: the log's `NoteSigner` (key name: the origin, by tlog-checkpoint's recommendation).

    Returns:
        `SignedCheckpoint` whose `note` is the text to publish at the checkpoint endpoint.

    Raises:
        CheckpointError: the note would break the signed-note rules.
    """
    note = sign_note(checkpoint.to_text(), [signer])
    return SignedCheckpoint(checkpoint=checkpoint, note=note, signatures=parse_note(note).signatures)


def open_checkpoint(note: str | bytes, *, origin: str, verifier: NoteVerifier) -> SignedCheckpoint:
    """Verify a signed checkpoint against the log's key and parse it.

    Args:
        note: the signed note as fetched.
        origin: the origin line expected (the log this client follows).
        verifier: the log's key (trust list, usage `log`): its name and Ed25519 public key.

    Returns:
        `SignedCheckpoint`.

    Raises:
        CheckpointError: a malformed note or checkpoint, another origin, a bad signature by the
            log's key, or none at all. Signatures by other keys (witnesses) are ignored.
    """
    opened = open_note(note, [verifier])
    checkpoint = Checkpoint.from_text(opened.text)
    if checkpoint.origin != origin:
        raise CheckpointError(f"checkpoint: origin {checkpoint.origin!r} is not the log {origin!r}")
    text = note.decode("utf-8") if isinstance(note, bytes) else note
    return SignedCheckpoint(checkpoint=checkpoint, note=text, signatures=opened.verified)
