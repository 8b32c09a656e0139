"""Step 12 side by side (issue 15): the JavaScript kit's `verify-qr --log-proof FILE` reports what the Python
verifier reports with the same cached checkpoint and proof (`Verifier.check(..., log=...)`, `verify check
--log-proof`): a proof that verifies (VALID, step 12 passed with the same sentence), a flipped byte in any proof
hash, another record's proof, a proof without a checkpoint, a checkpoint of another size, and a checkpoint signed
by a key the trust list does not list for the log (all NOT_IN_LOG at step 12); and both rebuild the same entry bytes.

The log is built in memory (`MemoryHashStore`) from entries of records signed by a TEST ONLY key store that has a
log signer; the checkpoint is signed with that log key. Needs node and the built kit, as tests/core/test_js_kit.py.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ed25519
from support.keys import sample_record
from support.tlog import LOG_ORIGIN, new_log_key_store, note_signer
from support.world import T0
from test_js_kit import KIT, _assert_same_report, _node_with_kit

from verify.issue import sign_record
from verify.keystore import KeyStore
from verify.status import LogEvidence
from verify.transparency import (
    Checkpoint,
    Ed25519NoteSigner,
    MemoryHashStore,
    RevisionEntry,
    TrustListLogCheck,
    append_entries,
    prove_inclusion,
    sign_checkpoint,
)
from verify.verifier import Verifier

AT = T0 + dt.timedelta(hours=1)
BASE_URL = "https://v.edu.kz"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three signed records, a log of their entries (and a status change in between), a signed checkpoint."""
    store = new_log_key_store(tmp_path_factory.mktemp("kit-log") / "keys")
    records = [sign_record(sample_record(number=f"00000{n:02d}"), signer=store.signer(), base_url=BASE_URL, at=T0)
               for n in (1, 2, 3)]
    entries = [RevisionEntry.from_cose(r.cose).encode() for r in records]
    log = MemoryHashStore()
    result = append_entries(log, tree_size=0, entries=[entries[0], entries[1], bytes.fromhex("a0"), entries[2]])
    checkpoint = sign_checkpoint(Checkpoint(LOG_ORIGIN, result.tree_size, result.root_hash), note_signer(store))
    return {"store": store, "records": records, "log": log, "size": result.tree_size, "note": checkpoint.note,
            "indexes": [0, 1, 3]}


def proof_json(world: dict[str, Any], which: int, **changes: Any) -> dict[str, Any]:
    index = world["indexes"][which]
    proof = prove_inclusion(world["log"], index=index, tree_size=world["size"])
    value = {"leaf_index": index, "tree_size": world["size"], "leaf_hash": None,
             "proof": [h.hex() for h in proof], "checkpoint": world["note"]}
    value.update(changes)
    return value


def both(world: dict[str, Any], tmp_path: Path, text: str, proof: dict[str, Any]) -> tuple[dict[str, Any], dict]:
    store: KeyStore = world["store"]
    trust_list = store.trust_list()
    python = Verifier(trust_list, log_check=TrustListLogCheck(trust_list)).check(
        text, at=AT, log=LogEvidence.from_json(proof)).to_json()
    path = tmp_path / "proof.json"
    path.write_text(json.dumps(proof))
    done = subprocess.run([_node_with_kit(), "dist/cli.js", "--trust-list", str(store.trust_list_path), "--root",
                           str(store.root_cert_path), "--at", AT.isoformat(), "--json", "--log-proof", str(path),
                           text], cwd=KIT, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == (0 if python["verdict"] == "VALID" else 1), done.stderr
    return json.loads(done.stdout), python


def test_a_proof_that_verifies_passes_step_12_in_both(world: dict[str, Any], tmp_path: Path) -> None:
    for which, record in enumerate(world["records"]):
        js, python = both(world, tmp_path, record.qr_text, proof_json(world, which))
        _assert_same_report(js, python, f"record {which}")
        assert python["verdict"] == "VALID" and python["steps"][-1]["name"] == "log"
        assert js["steps"][-1]["detail"] == python["steps"][-1]["detail"]


def _flipped(proof: dict[str, Any], position: int, bit: int) -> dict[str, Any]:
    hashes = [bytearray(bytes.fromhex(h)) for h in proof["proof"]]
    hashes[position // 32][position % 32] ^= 1 << bit
    return {**proof, "proof": [bytes(h).hex() for h in hashes]}


def test_every_broken_proof_is_not_in_log_in_both(world: dict[str, Any], tmp_path: Path) -> None:
    text = world["records"][1].qr_text
    good = proof_json(world, 1)
    other_key = Ed25519NoteSigner(LOG_ORIGIN, ed25519.Ed25519PrivateKey.generate())
    foreign = sign_checkpoint(Checkpoint(LOG_ORIGIN, world["size"], bytes(32)), other_key).note
    smaller = sign_checkpoint(Checkpoint(LOG_ORIGIN, 2, bytes(32)), note_signer(world["store"])).note
    cases = {
        "another record's proof": proof_json(world, 2),
        "no checkpoint": {**good, "checkpoint": None, "tree_size": 0},
        "a checkpoint of another size": {**good, "checkpoint": smaller},
        "a checkpoint signed by another key": {**good, "checkpoint": foreign},
        "a wrong leaf hash": {**good, "leaf_hash": "00" * 32},
        "a hash missing": {**good, "proof": good["proof"][:-1]},
        **{f"bit {bit} of byte {position}": _flipped(good, position, bit)
           for position in range(0, 32 * len(good["proof"]), 7) for bit in (0, 5)},
    }
    for name, proof in cases.items():
        js, python = both(world, tmp_path, text, proof)
        _assert_same_report(js, python, name)
        assert python["verdict"] == "NOT_IN_LOG" and python["steps"][-1]["step"] == 12, name
