"""Step 12 of verification (docs/FORMAT.md §7.1): the record's entry, its inclusion proof and the signed checkpoint.

`TrustListLogCheck` implements `verify.status.LogCheck` for the verifier: from the presented COSE_Sign1 bytes it
rebuilds the revision entry (`RevisionEntry.from_cose`, docs/TRANSPARENCY.md §3) and its leaf hash; the leaf hash
the status source names must be that one; with a proof and a checkpoint, the checkpoint must be signed by a log key
of the trust list (usage `log`, Ed25519, C2SP signed-note; the key name is the checkpoint's origin line) and the
proof must lead from the leaf to its root (RFC 9162 §2.1.3.2). Offline, the same check runs with a cached checkpoint
and a proof (`verify log prove --json`, or the partner API).

`log_note_signer` and `log_note_verifiers` turn the key store's log signer and the trust list's log signers into
the note keys of `verify.transparency.note`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from cryptography.hazmat.primitives.asymmetric import ed25519

from ..errors import CheckpointError, LogEntryError, NotInLogError, ProofError, TransparencyError
from ..keys import Signer
from ..status import DecodedRecord, LogEvidence
from ..texts import Text
from ..trust import TrustList
from .checkpoint import SignedCheckpoint, open_checkpoint
from .entries import RevisionEntry
from .merkle import leaf_hash, verify_inclusion
from .note import SIG_TYPE_ED25519, NoteVerifier, ed25519_public_bytes, is_valid_key_name, key_id


def log_note_verifiers(trust_list: TrustList, origin: str, *, at: dt.datetime | None = None) -> list[NoteVerifier]:
    """The note keys of the trust list's log signers (usage `log`), named `origin`.

    Args:
        trust_list: a verified trust list.
        origin: the log's origin line, which is its key name.
        at: when given, only signers not revoked with a compromise time at or before `at`.

    Raises:
        CheckpointError: an origin that is not a valid key name.
    """
    keys = []
    for entry in trust_list.signers:
        if entry.usage != "log" or not isinstance(entry.public_key, ed25519.Ed25519PublicKey):
            continue
        if at is not None and entry.revocation is not None and entry.revocation.compromised_at <= at:
            continue
        keys.append(NoteVerifier(origin, entry.public_key))
    return keys


@dataclass(frozen=True)
class LogNoteSigner:
    """A `NoteSigner` over the key store's log signer (`KeyStore.signer("log")`, Ed25519; a key file or a token).

    Attributes:
        name: the key name: the log's origin, e.g. "verify.edu.kz/log".
        signer: the log `Signer`.

    Raises:
        CheckpointError: an invalid key name, or a signer that is not Ed25519.
    """

    name: str
    signer: Signer

    def __post_init__(self) -> None:
        if not is_valid_key_name(self.name):
            raise CheckpointError("key name: must be non-empty, without spaces or '+'")
        if not isinstance(self.signer.certificate.public_key(), ed25519.Ed25519PublicKey):
            raise CheckpointError("the log signer must be an Ed25519 key (C2SP signed-note)")

    @property
    def key_id(self) -> int:
        """The Ed25519 key ID of the signed-note spec."""
        public = self.signer.certificate.public_key()
        assert isinstance(public, ed25519.Ed25519PublicKey)
        return key_id(self.name, SIG_TYPE_ED25519, ed25519_public_bytes(public))

    @property
    def verifier(self) -> NoteVerifier:
        """The matching `NoteVerifier`."""
        public = self.signer.certificate.public_key()
        assert isinstance(public, ed25519.Ed25519PublicKey)
        return NoteVerifier(self.name, public)

    def sign(self, message: bytes) -> bytes:
        """Ed25519 signature (RFC 8032) of `message`, 64 bytes."""
        return self.signer.sign(message)


def open_log_checkpoint(note: str, trust_list: TrustList) -> SignedCheckpoint:
    """Open a checkpoint note with the trust list's log keys, whose name is the note's origin line.

    Raises:
        CheckpointError: a malformed note, no log key in the trust list, or none of them signed it.
    """
    origin = note.split("\n", 1)[0]
    verifiers = log_note_verifiers(trust_list, origin) if is_valid_key_name(origin) else []
    if not verifiers:
        raise CheckpointError("checkpoint: the trust list has no log key for its origin")
    last: CheckpointError | None = None
    for verifier in verifiers:
        try:
            return open_checkpoint(note, origin=origin, verifier=verifier)
        except CheckpointError as exc:
            last = exc
    assert last is not None
    raise last


def check_inclusion(*, cose: bytes, evidence: LogEvidence, trust_list: TrustList,
                    decoded: DecodedRecord | None = None) -> Text:
    """Step 12 (docs/FORMAT.md §7.1) on the presented COSE bytes and the source's `LogEvidence`.

    `decoded`: what the verifier read from `cose` (`RevisionEntry.from_cose`).

    Returns:
        A sentence for the passed step.

    Raises:
        NotInLogError: no entry; an entry of another record; a proof or checkpoint that does not verify.
    """
    if evidence.leaf_index is None:
        raise NotInLogError("the transparency log has no entry for this record")
    try:
        leaf = leaf_hash(RevisionEntry.from_cose(cose, decoded=decoded).encode())
    except LogEntryError as exc:
        raise NotInLogError(f"the record's log entry cannot be built: {exc.message}") from None
    if evidence.leaf_hash is not None and evidence.leaf_hash != leaf:
        raise NotInLogError(f"log entry {evidence.leaf_index} is not this record's: its leaf hash differs")
    if evidence.checkpoint is None or not evidence.tree_size:
        # the registry's online answer names the entry without a proof: no claim about checkpoints either way
        return Text("v_step_logged", {"index": evidence.leaf_index})
    try:
        checkpoint = open_log_checkpoint(evidence.checkpoint, trust_list)
        if checkpoint.tree_size != evidence.tree_size:
            raise ProofError(f"the proof is for {evidence.tree_size} entries, the checkpoint for "
                             f"{checkpoint.tree_size}")
        verify_inclusion(leaf, evidence.leaf_index, evidence.tree_size, list(evidence.proof), checkpoint.root_hash)
    except TransparencyError as exc:
        raise NotInLogError(f"log entry {evidence.leaf_index}: {exc.message}") from None
    return Text("v_step_log_proven", {"index": evidence.leaf_index, "size": checkpoint.tree_size,
                                      "origin": checkpoint.origin})


@dataclass(frozen=True)
class TrustListLogCheck:
    """`verify.status.LogCheck` over a trust list's log keys (`check_inclusion`)."""

    trust_list: TrustList

    def check(self, *, cose: bytes, evidence: LogEvidence, decoded: DecodedRecord | None = None) -> Text:
        """See `check_inclusion`."""
        return check_inclusion(cose=cose, evidence=evidence, trust_list=self.trust_list, decoded=decoded)
