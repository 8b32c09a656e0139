"""docs/TRANSPARENCY.md shows real bytes: its example checkpoint verifies and commits to the example entries."""

from __future__ import annotations

import re
from pathlib import Path

from support.keys import ed25519_key
from test_tlog_entries import GOLDEN

from verify.transparency import MemoryHashStore, NoteVerifier, append_entries, open_checkpoint
from verify.transparency.note import Ed25519NoteSigner

DOC = (Path(__file__).resolve().parents[2] / "docs" / "TRANSPARENCY.md").read_text(encoding="utf-8")


def test_the_example_checkpoint_verifies_and_is_the_tree_of_the_example_entries() -> None:
    match = re.search(r"<!-- example-checkpoint -->\n```\n(.*?)```", DOC, re.DOTALL)
    assert match is not None
    vkey = re.search(r"verifier key `([^`]+)`", DOC)
    assert vkey is not None
    verifier = NoteVerifier.from_vkey(vkey.group(1))
    assert verifier == Ed25519NoteSigner("verify.edu.kz/log", ed25519_key("transparency log TEST ONLY")).verifier
    checkpoint = open_checkpoint(match.group(1), origin="verify.edu.kz/log", verifier=verifier)
    result = append_entries(MemoryHashStore(), tree_size=0, entries=[bytes.fromhex(h) for _, h in GOLDEN])
    assert (checkpoint.tree_size, checkpoint.root_hash) == (result.tree_size, result.root_hash)


def test_the_example_entry_bytes_are_the_golden_ones() -> None:
    for _, want_hex in GOLDEN[:2]:
        assert want_hex in DOC.replace("\n           ", "")
