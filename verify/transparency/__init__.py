"""The transparency log of issuance (issue 15): an append-only Merkle log with signed checkpoints.

Pure library: no database and no web code. The registry implements `HashStore` with a table and
appends entries in the transaction of each change; the CLI, the HTTP API and the monitor call the
functions below. docs/TRANSPARENCY.md describes what is logged and how to check the log.

    >>> from cryptography.hazmat.primitives.asymmetric import ed25519
    >>> store = MemoryHashStore()
    >>> result = append_entries(store, tree_size=0, entries=[b"first", b"second", b"third"])
    >>> proof = prove_inclusion(store, index=1, tree_size=result.tree_size)
    >>> verify_inclusion(leaf_hash(b"second"), 1, result.tree_size, proof, result.root_hash)
    >>> signer = Ed25519NoteSigner("verify.edu.kz/log", ed25519.Ed25519PrivateKey.generate())
    >>> signed = sign_checkpoint(Checkpoint("verify.edu.kz/log", result.tree_size, result.root_hash), signer)
    >>> open_checkpoint(signed.note, origin="verify.edu.kz/log", verifier=signer.verifier).tree_size
    3

Modules: `merkle` (RFC 9162 hashing and proof verification), `store` (stored hashes, append,
tree heads, proof generation), `entries` (what a leaf says, its bytes), `note` (C2SP signed
notes), `checkpoint` (C2SP tlog-checkpoint), `monitor` (consistency and new entries), `inclusion` (step 12
of verification against the trust list's log keys; the key store's log signer as a note signer).
"""

from .checkpoint import Checkpoint, SignedCheckpoint, open_checkpoint, sign_checkpoint
from .entries import (
    AuditAnchorEntry,
    LogEntry,
    RevisionEntry,
    StatusChangeEntry,
    StatusKind,
    decode_entry,
    encode_entry,
)
from .inclusion import (
    LogNoteSigner,
    TrustListLogCheck,
    check_inclusion,
    log_note_verifiers,
    open_log_checkpoint,
)
from .merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    CompactRange,
    leaf_hash,
    node_hash,
    root_from_inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from .monitor import LoggedEntry, LogReader, by_institution, check_consistency, list_new_entries
from .note import Ed25519NoteSigner, NoteSigner, NoteVerifier, OpenedNote, open_note, parse_note, sign_note
from .store import (
    AppendResult,
    HashStore,
    MemoryHashStore,
    UniformHashStore,
    append_entries,
    append_leaf_hashes,
    prove_consistency,
    prove_inclusion,
    read_compact_range,
    stored_hash_count,
    stored_hash_index,
    tree_root,
)

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "AppendResult",
    "AuditAnchorEntry",
    "Checkpoint",
    "CompactRange",
    "Ed25519NoteSigner",
    "HashStore",
    "LogEntry",
    "LogNoteSigner",
    "LogReader",
    "LoggedEntry",
    "MemoryHashStore",
    "NoteSigner",
    "NoteVerifier",
    "OpenedNote",
    "RevisionEntry",
    "SignedCheckpoint",
    "StatusChangeEntry",
    "StatusKind",
    "TrustListLogCheck",
    "UniformHashStore",
    "append_entries",
    "append_leaf_hashes",
    "by_institution",
    "check_consistency",
    "check_inclusion",
    "decode_entry",
    "encode_entry",
    "leaf_hash",
    "list_new_entries",
    "log_note_verifiers",
    "node_hash",
    "open_checkpoint",
    "open_log_checkpoint",
    "open_note",
    "parse_note",
    "prove_consistency",
    "prove_inclusion",
    "read_compact_range",
    "root_from_inclusion_proof",
    "sign_checkpoint",
    "sign_note",
    "stored_hash_count",
    "stored_hash_index",
    "tree_root",
    "verify_consistency",
    "verify_inclusion",
]
