"""Published test vectors for the transparency log (sources and licences: vectors/README.md).

* transparency-dev/merkle: every inclusion and consistency probe, with its expected result;
* the RFC 6962 reference tree: leaf, node and root hashes, compact ranges, and our proofs of it;
* Go's golang.org/x/mod/sumdb/note and sumdb/tlog, and the C2SP examples: signed notes, verifier keys,
  checkpoints.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519

from verify.errors import CheckpointError, ConsistencyError, ProofError
from verify.transparency import merkle
from verify.transparency.checkpoint import Checkpoint, open_checkpoint, sign_checkpoint
from verify.transparency.note import Ed25519NoteSigner, NoteVerifier, open_note, parse_note, sign_note
from verify.transparency.store import (
    MemoryHashStore,
    append_entries,
    prove_consistency,
    prove_inclusion,
    read_compact_range,
    stored_hash_index,
    tree_root,
)

VECTORS = Path(__file__).parent / "vectors"
MERKLE = VECTORS / "merkle"
REFERENCE = json.loads((VECTORS / "reference_tree.json").read_text())
NOTES = json.loads((VECTORS / "notes.json").read_text(encoding="utf-8"))

# Our verifiers refuse roots that are not 32 bytes even when no hashing is needed (vectors/README.md).
STRICTER_THAN_UPSTREAM = {"consistency/additional/sizes-are-equal-one-and-proof-is-empty.json"}


def _b64(value: str | None) -> bytes:
    return b"" if value is None else base64.b64decode(value)


def _probes(kind: str) -> list[Any]:
    files = sorted((MERKLE / kind).rglob("*.json"))
    assert len(files) > 80, f"the {kind} vectors are missing"
    return [pytest.param(json.loads(f.read_text()), str(f.relative_to(MERKLE)), id=str(f.relative_to(MERKLE)))
            for f in files]


@pytest.mark.parametrize(("probe", "name"), _probes("inclusion"))
def test_inclusion_probe(probe: dict[str, Any], name: str) -> None:
    proof = [_b64(p) for p in probe["proof"] or []]
    args = (_b64(probe["leafHash"]), probe["leafIdx"], probe["treeSize"], proof, _b64(probe["root"]))
    if probe["wantErr"]:
        with pytest.raises(ProofError):
            merkle.verify_inclusion(*args)
    else:
        merkle.verify_inclusion(*args)


@pytest.mark.parametrize(("probe", "name"), _probes("consistency"))
def test_consistency_probe(probe: dict[str, Any], name: str) -> None:
    proof = [_b64(p) for p in probe["proof"] or []]
    args = (probe["size1"], probe["size2"], _b64(probe["root1"]), _b64(probe["root2"]), proof)
    if probe["wantErr"] or name in STRICTER_THAN_UPSTREAM:
        with pytest.raises(ConsistencyError):
            merkle.verify_consistency(*args)
    else:
        merkle.verify_consistency(*args)


# ============================================================================ RFC 6962 reference tree
LEAVES = [bytes.fromhex(h) for h in REFERENCE["leaf_inputs_hex"]]


@pytest.fixture(scope="module")
def reference_store() -> MemoryHashStore:
    store = MemoryHashStore()
    for i, leaf in enumerate(LEAVES):  # one at a time: the stored hashes must not depend on batching
        append_entries(store, tree_size=i, entries=[leaf])
    return store


@pytest.mark.parametrize("case", REFERENCE["hash_cases"], ids=lambda c: c["desc"])
def test_reference_hashes(case: dict[str, str]) -> None:
    if case["function"] == "empty_root":
        got = merkle.EMPTY_ROOT
    elif case["function"] == "leaf_hash":
        got = merkle.leaf_hash(case["entry_ascii"].encode())
    else:
        got = merkle.node_hash(case["left_ascii"].encode(), case["right_ascii"].encode())
    assert got.hex() == case["want_hex"]


def test_reference_roots_for_every_size(reference_store: MemoryHashStore) -> None:
    roots = REFERENCE["root_hashes_hex_by_size"]
    for size, want in enumerate(roots):
        assert tree_root(reference_store, tree_size=size).hex() == want
        assert read_compact_range(reference_store, tree_size=size).root().hex() == want


def test_reference_node_hashes_are_where_the_stored_hash_index_says(reference_store: MemoryHashStore) -> None:
    for level, hashes in enumerate(REFERENCE["node_hashes_hex"]):
        for index, want in enumerate(hashes):
            assert reference_store.hashes[stored_hash_index(level, index)].hex() == want
    assert len(reference_store.hashes) == 15


def test_reference_compact_ranges(reference_store: MemoryHashStore) -> None:
    nodes = REFERENCE["node_hashes_hex"]
    for size, compact in enumerate(REFERENCE["compact_trees_by_size"]):
        want = [nodes[level][index] for level, index in compact]
        assert [h.hex() for h in read_compact_range(reference_store, tree_size=size).hashes] == want


def test_our_proofs_of_the_reference_tree_match_the_published_probes(reference_store: MemoryHashStore) -> None:
    """Every happy-path probe of transparency-dev/merkle is a proof of the reference tree: we generate the same."""
    roots = [bytes.fromhex(h) for h in REFERENCE["root_hashes_hex_by_size"]]
    checked = 0
    for f in sorted(MERKLE.rglob("happy-path.json")):
        probe = json.loads(f.read_text())
        proof = [_b64(p) for p in probe["proof"] or []]
        if "leafIdx" in probe:
            assert prove_inclusion(reference_store, index=probe["leafIdx"], tree_size=probe["treeSize"]) == proof
            assert _b64(probe["root"]) == roots[probe["treeSize"]]
        elif probe["size1"] > 0:
            assert prove_consistency(reference_store, old_size=probe["size1"], new_size=probe["size2"]) == proof
        checked += 1
    assert checked >= 9


# ============================================================================ signed notes
def _verifier(name: str) -> NoteVerifier:
    return NoteVerifier.from_vkey(NOTES["keys"][name]["vkey"])


def _signer_from_go_skey(skey: str) -> Ed25519NoteSigner:
    """Go's private key text: PRIVATE+KEY+<name>+<hex id>+base64(0x01 || 32-byte seed)."""
    _, _, name, _, encoded = skey.split("+", 4)
    raw = base64.b64decode(encoded)
    assert raw[0] == 1 and len(raw) == 33
    return Ed25519NoteSigner(name, ed25519.Ed25519PrivateKey.from_private_bytes(raw[1:]))


@pytest.mark.parametrize("name", ["PeterNeumann", "EnochRoot", "example.com/foo"])
def test_vkey_round_trip(name: str) -> None:
    verifier = _verifier(name)
    assert verifier.name == name
    assert verifier.vkey == NOTES["keys"][name]["vkey"]


@pytest.mark.parametrize("case", NOTES["bad_vkeys"], ids=lambda c: c["desc"])
def test_bad_vkeys_refused(case: dict[str, str]) -> None:
    with pytest.raises(CheckpointError):
        NoteVerifier.from_vkey(case["vkey"])


def test_every_mangling_of_a_vkey_is_refused() -> None:
    """As Go's TestNewVerifier: every proper substring and every one-character change fails."""
    vkey = NOTES["keys"]["PeterNeumann"]["vkey"]
    for i in range(len(vkey) + 1):
        for j in range(i + 1, len(vkey) + 1):
            if (i, j) != (0, len(vkey)):
                with pytest.raises(CheckpointError):
                    NoteVerifier.from_vkey(vkey[i:j])
    for i in range(len(vkey)):
        changed = vkey[:i] + chr(ord(vkey[i]) + 1) + vkey[i + 1:]
        with pytest.raises(CheckpointError):
            NoteVerifier.from_vkey(changed)


@pytest.mark.parametrize("case", NOTES["signing"], ids=lambda c: c["desc"])
def test_signing_gives_the_published_note(case: dict[str, str]) -> None:
    signer = _signer_from_go_skey(NOTES["keys"][case["signer"]]["skey"])
    assert signer.key_id == int(NOTES["keys"][case["signer"]]["vkey"].split("+")[1], 16)
    assert sign_note(case["text"], [signer]) == case["want_note"]


@pytest.mark.parametrize("case", NOTES["opening"], ids=lambda c: c["desc"])
def test_opening_notes(case: dict[str, Any]) -> None:
    verifiers = [_verifier(name) for name in case["known"]]
    if case.get("want_error"):
        with pytest.raises(CheckpointError):
            open_note(case["note"], verifiers)
        return
    opened = open_note(case["note"], verifiers)
    assert [s.name for s in opened.verified] == case["want"]["verified"]
    assert [s.name for s in opened.unverified] == case["want"]["unverified"]
    assert case["note"].startswith(opened.text)


@pytest.mark.parametrize("case", NOTES["bad_note_bytes_hex"], ids=lambda c: c["desc"])
def test_bad_note_bytes(case: dict[str, str]) -> None:
    with pytest.raises(CheckpointError):
        parse_note(bytes.fromhex(case["hex"]))


# ============================================================================ checkpoints
def test_go_tree_note_is_a_checkpoint_body() -> None:
    case = NOTES["checkpoints"][0]
    want = Checkpoint(case["origin"], case["tree_size"], merkle.leaf_hash(case["root_is_leaf_hash_of_ascii"].encode()))
    assert Checkpoint.from_text(case["text"]) == want
    assert want.to_text() == case["text"]


def test_c2sp_example_checkpoint_parses() -> None:
    case = NOTES["checkpoints"][1]
    note = parse_note(case["note"])
    checkpoint = Checkpoint.from_text(note.text)
    assert (checkpoint.origin, checkpoint.tree_size) == (case["origin"], case["tree_size"])
    assert checkpoint.root_hash == base64.b64decode(case["root_b64"])
    assert [s.name for s in note.signatures] == [case["origin"]]
    assert note.to_text() == case["note"]


@pytest.mark.parametrize("case", NOTES["bad_checkpoint_texts"], ids=lambda c: c["desc"])
def test_bad_checkpoints_refused(case: dict[str, str]) -> None:
    if "origin" not in case:
        with pytest.raises(CheckpointError):
            Checkpoint.from_text(case["text"])
        return
    # A well-formed checkpoint of another log: refused when opened as the expected log's.
    signer = _signer_from_go_skey(NOTES["keys"]["PeterNeumann"]["skey"])
    signed = sign_checkpoint(Checkpoint.from_text(case["text"]), signer)
    with pytest.raises(CheckpointError, match="origin"):
        open_checkpoint(signed.note, origin=case["origin"], verifier=signer.verifier)
