"""The public surface of verify.transparency: what the registry, the CLI and the HTTP API may use."""

from __future__ import annotations

import doctest

import verify.transparency as transparency

PUBLIC = {
    "EMPTY_ROOT", "HASH_SIZE", "AppendResult", "AuditAnchorEntry", "Checkpoint", "CompactRange", "Ed25519NoteSigner",
    "HashStore", "LogEntry", "LogReader", "LoggedEntry", "MemoryHashStore", "NoteSigner", "NoteVerifier",
    "OpenedNote", "RevisionEntry", "SignedCheckpoint", "StatusChangeEntry", "StatusKind", "UniformHashStore",
    "append_entries", "append_leaf_hashes", "by_institution", "check_consistency", "decode_entry", "encode_entry",
    "leaf_hash", "list_new_entries", "node_hash", "open_checkpoint", "open_note", "parse_note", "prove_consistency",
    "prove_inclusion", "read_compact_range", "root_from_inclusion_proof", "sign_checkpoint", "sign_note",
    "stored_hash_count", "stored_hash_index", "tree_root", "verify_consistency", "verify_inclusion",
    # step 12 and the key store's log key (issue 15 integration)
    "LogNoteSigner", "TrustListLogCheck", "check_inclusion", "log_note_verifiers", "open_log_checkpoint",
}


def test_exported_names_are_the_public_api() -> None:
    """Changing the surface is a decision: update this set and docs/TRANSPARENCY.md together."""
    assert set(transparency.__all__) == PUBLIC
    assert all(hasattr(transparency, name) for name in PUBLIC)


def test_the_usage_example_in_the_package_docstring_runs() -> None:
    result = doctest.testmod(transparency, raise_on_error=True)
    assert result.attempted >= 6
