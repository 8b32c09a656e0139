"""The transparency log in the registry (issue 15): entries in the transaction of each change, checkpoints with
the audit anchor, proofs against them, step 12 of the verdict, and any rewritten history named.

On SQLite and PostgreSQL (the `world` fixture). The rewriting tests bypass the append-only triggers as the
database's owner could (`support.tlog.rewrite`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text
from support.tlog import LOG_ORIGIN, new_log_key_store, note_signer, rewrite
from support.world import BASE_URL, World, annul, build_world, correct, duplicate, graduate_id_of, issue_row, later, row

from verify.errors import ConflictError, LogStoreError
from verify.issue import sign_record
from verify.keystore import KeyStore
from verify.registry.audit import verify_audit_chain
from verify.registry.db import upgrade_database
from verify.registry.documents import get_revision, insert_document, issue_document, record_of
from verify.registry.lookup import RegistryStatusLookup
from verify.registry.models import Document, DocumentState, metadata
from verify.registry.tlog import (
    consistency_proof,
    inclusion_proof,
    latest_checkpoint,
    make_checkpoint,
    prove_revision,
    read_entries,
    tree_head,
    verify_log,
)
from verify.status import LogEvidence, Verdict
from verify.transparency import (
    AuditAnchorEntry,
    RevisionEntry,
    StatusChangeEntry,
    StatusKind,
    TrustListLogCheck,
    decode_entry,
    leaf_hash,
    open_log_checkpoint,
    verify_consistency,
    verify_inclusion,
)
from verify.verifier import Verifier


@pytest.fixture(scope="module")
def log_keys(tmp_path_factory: pytest.TempPathFactory) -> KeyStore:
    """A TEST ONLY key store with a document signer and a log signer."""
    return new_log_key_store(tmp_path_factory.mktemp("tlog-keys") / "keys")


@pytest.fixture
def logged(db_url: str, log_keys: KeyStore) -> World:
    """A registry whose documents are signed by `log_keys`' document signer."""
    built = build_world(db_url, signer=log_keys.signer(), trust_list=log_keys.trust_list())
    yield built
    built.dispose()


def entries(world: World) -> list[object]:
    with world.session() as session:
        size, _root = tree_head(session)
        return [decode_entry(data) for data in read_entries(session, start=0, end=size)] if size else []


def checkpoint(world: World, keys: KeyStore, at: dt.datetime) -> None:
    with world.session() as session:
        assert make_checkpoint(session, signer=note_signer(keys), origin=LOG_ORIGIN, at=at) is not None


def verifier(world: World, keys: KeyStore) -> Verifier:
    lookup = RegistryStatusLookup.from_engine(world.engine)
    return Verifier(keys.trust_list(), status_lookup=lookup, log_check=TrustListLogCheck(keys.trust_list()))


def history(world: World) -> tuple[Document, Document]:
    """Issue two originals, correct the first, replace the second by a duplicate, annul the duplicate."""
    first, _ = issue_row(world, row(2))
    second, _ = issue_row(world, row(3))
    correct(world, first, {"programme": "6B06102"}, at=later(5))
    dup, _ = duplicate(world, second, at=later(6))
    annul(world, dup, at=later(7))
    return first, dup


def test_every_signed_revision_and_status_change_is_an_entry_in_order(logged: World) -> None:
    first, dup = history(logged)
    logged_entries = entries(logged)
    kinds = [(type(e).__name__, getattr(e, "kind", None), getattr(e, "number", None)) for e in logged_entries]
    assert kinds == [
        ("RevisionEntry", None, first.number),
        ("RevisionEntry", None, "0000002"),
        ("StatusChangeEntry", StatusKind.CORRECTION, first.number),
        ("RevisionEntry", None, first.number),
        ("RevisionEntry", None, dup.number),
        ("StatusChangeEntry", StatusKind.DUPLICATE, "0000002"),
        ("StatusChangeEntry", StatusKind.ANNULMENT, dup.number),
    ]
    with logged.session() as session:
        revision = get_revision(session=session, document=first, revision=2)
        assert logged_entries[3] == RevisionEntry.from_cose(revision.cose)
        assert verify_log(session).entries == 7
    duplicate_entry = logged_entries[5]
    assert isinstance(duplicate_entry, StatusChangeEntry)
    assert (duplicate_entry.successor_series, duplicate_entry.successor_number) == (dup.series, dup.number)


def test_a_change_that_rolls_back_leaves_no_entry(logged: World) -> None:
    document, _ = issue_row(logged, row(2))
    with logged.session() as session, pytest.raises(ConflictError):
        issue_document(session=session, officer=logged.uni_issuer, graduate_id=document.graduate_id,
                       signer=logged.signer, base_url=BASE_URL, at=later(1))
    assert len(entries(logged)) == 1


def test_a_checkpoint_anchors_the_audit_head_and_proves_every_entry(logged: World, log_keys: KeyStore) -> None:
    first, _dup = history(logged)
    checkpoint(logged, log_keys, later(10))
    with logged.session() as session:
        stored = latest_checkpoint(session)
        assert stored is not None and stored.tree_size == 8
        audit_head = verify_audit_chain(session=session)
        anchor = decode_entry(read_entries(session, start=7, end=8)[0])
        assert anchor == AuditAnchorEntry(seq=audit_head.head_seq, head_hash=bytes.fromhex(audit_head.head_hash),
                                          at=later(10))
        signed = open_log_checkpoint(stored.note, log_keys.trust_list())
        for index, data in enumerate(read_entries(session, start=0, end=8)):
            verify_inclusion(leaf_hash(data), index, 8, inclusion_proof(session, index=index, tree_size=8),
                             signed.root_hash)
        # nothing moved: no new checkpoint
        assert make_checkpoint(session, signer=note_signer(log_keys), origin=LOG_ORIGIN, at=later(11)) is None
    annul(logged, first, at=later(12))
    checkpoint(logged, log_keys, later(13))
    with logged.session() as session:
        newer = open_log_checkpoint(latest_checkpoint(session).note, log_keys.trust_list())  # type: ignore[union-attr]
        assert newer.tree_size == 10
        verify_consistency(8, 10, signed.root_hash, newer.root_hash, consistency_proof(session, old_size=8,
                                                                                         new_size=10))
        proof = prove_revision(session, series=first.series, number=first.number, revision=2)
        assert proof is not None and proof.to_json()["leaf_index"] == 3 and proof.checkpoint == newer.note
        assert verify_log(session).checkpoints == 2


def test_a_valid_document_passes_step_12_with_its_proof(logged: World, log_keys: KeyStore) -> None:
    _document, revision = issue_row(logged, row(2))
    report = verifier(logged, log_keys).check(revision.qr_text, at=later(1))
    assert report.verdict == Verdict.VALID
    assert report.steps[-1].name == "log" and report.steps[-1].detail == "logged as entry 0 of the transparency log"
    checkpoint(logged, log_keys, later(2))
    with logged.session() as session:
        proof = prove_revision(session, series=revision.record["series"], number=revision.record["number"],
                               revision=1)
    assert proof is not None
    evidence = LogEvidence(leaf_index=proof.leaf_index, leaf_hash=proof.leaf_hash, tree_size=proof.tree_size,
                           proof=proof.proof, checkpoint=proof.checkpoint)
    assert "proven in the signed checkpoint of 2 entries" in TrustListLogCheck(log_keys.trust_list()).check(
        cose=revision.cose, evidence=evidence).english()


def test_a_record_inserted_without_a_log_entry_verifies_not_in_log(logged: World, log_keys: KeyStore) -> None:
    """Issue 15, Done when: a record inserted into the documents table without a log entry verifies NOT_IN_LOG."""
    genuine, revision = issue_row(logged, row(2))
    record = record_of(revision).with_changes(number="0000777")
    signed = sign_record(record, signer=logged.signer, base_url=BASE_URL, at=later(1))
    other = row(3)
    logged.import_rows((other,))
    with logged.session() as session:
        rogue = Document(doc_type=genuine.doc_type, series=genuine.series, number="0000777",
                         state=DocumentState.VALID.value, graduate_id=graduate_id_of(logged, other),
                         institution_id=genuine.institution_id,
                         issued_at=later(1), issued_by=logged.uni_issuer.id, current_revision=1)
        insert_document(session, rogue, what="rogue")
        session.execute(metadata.tables["document_revisions"].insert(), {
            "document_id": rogue.id, "revision": 1, "record": record.to_json(), "cose": signed.cose,
            "payload_sha256": signed.payload_sha256.hex(), "qr_text": signed.qr_text, "kid": signed.kid.hex(),
            "signed_at": signed.signed_at, "changed_fields": [], "reason": None,
            "officer_id": logged.uni_issuer.id, "created_at": later(1)})
        session.commit()
    report = verifier(logged, log_keys).check(signed.qr_text, at=later(2))
    assert report.verdict == Verdict.NOT_IN_LOG
    assert report.failed_step is not None and report.failed_step.number == 12
    assert "no entry" in report.failed_step.detail
    assert verifier(logged, log_keys).check(revision.qr_text, at=later(2)).verdict == Verdict.VALID


def test_an_upgrade_logs_the_revisions_signed_before_the_log_began(logged: World, log_keys: KeyStore) -> None:
    """A registry that issued documents before migration 0003_tlog: `upgrade_database` appends their revisions'
    entries once, in issue order, so they verify VALID with step 12 passed instead of NOT_IN_LOG."""
    genuine, _ = issue_row(logged, row(2))
    before = sign_record(record_of(_).with_changes(number="0000888"), signer=logged.signer, base_url=BASE_URL,
                         at=later(1))
    other = row(3)
    logged.import_rows((other,))
    with logged.session() as session:  # a revision stored as the registry did before the log existed
        old = Document(doc_type=genuine.doc_type, series=genuine.series, number="0000888",
                       state=DocumentState.VALID.value, graduate_id=graduate_id_of(logged, other),
                       institution_id=genuine.institution_id, issued_at=later(1), issued_by=logged.uni_issuer.id,
                       current_revision=1)
        insert_document(session, old, what="old")
        session.execute(metadata.tables["document_revisions"].insert(), {
            "document_id": old.id, "revision": 1, "record": before.record.to_json(), "cose": before.cose,
            "payload_sha256": before.payload_sha256.hex(), "qr_text": before.qr_text, "kid": before.kid.hex(),
            "signed_at": before.signed_at, "changed_fields": [], "reason": None,
            "officer_id": logged.uni_issuer.id, "created_at": later(1)})
        session.commit()
    assert verifier(logged, log_keys).check(before.qr_text, at=later(2)).verdict == Verdict.NOT_IN_LOG
    upgrade_database(logged.url)
    report = verifier(logged, log_keys).check(before.qr_text, at=later(2))
    assert report.verdict == Verdict.VALID and report.steps[-1].number == 12
    entries = logged.scalar("SELECT count(*) FROM tlog_entries WHERE number = '0000888'")
    upgrade_database(logged.url)  # a second upgrade finds nothing to add
    assert logged.scalar("SELECT count(*) FROM tlog_entries WHERE number = '0000888'") == entries == 1


def test_an_entry_of_another_record_fails_step_12(logged: World, log_keys: KeyStore) -> None:
    _document, revision = issue_row(logged, row(2))
    wrong = LogEvidence(leaf_index=0, leaf_hash=hashlib.sha256(b"another").digest())
    with pytest.raises(Exception, match="not this record's"):
        TrustListLogCheck(log_keys.trust_list()).check(cose=revision.cose, evidence=wrong)


REWRITES = {
    "delete a log entry": (["DELETE FROM tlog_entries WHERE idx = 2"], "entry 2 is missing"),
    "delete the last log entries": (["DELETE FROM tlog_entries WHERE idx >= 5"], "beyond"),
    "delete the last entries with their hashes and shrink the head": (
        ["DELETE FROM tlog_entries WHERE idx >= 5", "DELETE FROM tlog_hashes WHERE idx >= 8",
         "UPDATE tlog_head SET tree_size = 5"], "head"),
    "delete the last entries, their hashes, the head and the checkpoint": (
        ["DELETE FROM tlog_entries WHERE idx >= 5", "DELETE FROM tlog_hashes WHERE idx >= 8",
         "UPDATE tlog_head SET tree_size = 5", "DELETE FROM tlog_checkpoints"], "head"),
    "edit a log entry": (["UPDATE tlog_entries SET data = (SELECT data FROM tlog_entries WHERE idx = 0) "
                          "WHERE idx = 1"], "entry 1 was edited"),
    "swap two log entries": (["UPDATE tlog_entries SET idx = -1 WHERE idx = 1",
                              "UPDATE tlog_entries SET idx = 1 WHERE idx = 2",
                              "UPDATE tlog_entries SET idx = 2 WHERE idx = -1"], "stored hash"),
    "edit a stored hash": (["DELETE FROM tlog_hashes WHERE idx = 3"], "stored hash 3"),
    "delete the audit chain's tail with its head": (
        ["DELETE FROM audit_events WHERE seq > 3", "UPDATE audit_head SET seq = 3, "
         "hash = (SELECT hash FROM audit_events WHERE seq = 3)"], "audit chain's tail was deleted"),
}


@pytest.mark.parametrize("case", list(REWRITES))
def test_rewritten_history_is_named(logged: World, log_keys: KeyStore, case: str) -> None:
    """Issue 15, Done when: deleting, reordering or editing a log or audit row is detected by the log check
    (`verify audit verify` runs it after the audit chain's own check)."""
    history(logged)
    checkpoint(logged, log_keys, later(10))
    statements, words = REWRITES[case]
    rewrite(logged.engine, statements)
    with logged.session() as session, pytest.raises(LogStoreError, match=words):
        verify_log(session)


def test_a_rewritten_audit_tail_passes_the_chain_check_but_not_the_anchor(logged: World, log_keys: KeyStore) -> None:
    """The README limit "deleting the tail is undetectable" is gone: the chain alone still verifies, the anchor
    committed into the log does not."""
    history(logged)
    checkpoint(logged, log_keys, later(10))
    rewrite(logged.engine, ["DELETE FROM audit_events WHERE seq > 3",
                            "UPDATE audit_head SET seq = 3, hash = (SELECT hash FROM audit_events WHERE seq = 3)"])
    with logged.session() as session:
        assert verify_audit_chain(session=session).head_seq == 3
        with pytest.raises(LogStoreError, match="tail was deleted"):
            verify_log(session)


def test_the_log_tables_are_append_only(logged: World) -> None:
    issue_row(logged, row(2))
    for statement in ("UPDATE tlog_entries SET revision = 9", "DELETE FROM tlog_hashes"):
        with pytest.raises(Exception, match="append-only"), logged.engine.begin() as connection:
            connection.execute(text(statement))


def run_cli(keys: KeyStore, world: World, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERIFY_")}
    env.update({"VERIFY_KEYS_DIR": str(keys.path), "VERIFY_BASE_URL": BASE_URL, "VERIFY_DATABASE_URL": world.url})
    return subprocess.run([sys.executable, "-m", "verify.cli", *args], env=env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_the_cli_contract_checkpoint_prove_and_audit_verify(logged: World, log_keys: KeyStore) -> None:
    """`verify log checkpoint` prints the signed note; `verify log prove SERIES NUMBER [--revision R] --json` prints
    {"leaf_index", "tree_size", "leaf_hash", "proof": [hex...], "checkpoint"}; `verify audit verify` names a
    rewritten log."""
    first, _dup = history(logged)
    printed = run_cli(log_keys, logged, "log", "checkpoint")
    assert printed.returncode == 0, printed.stderr
    signed = open_log_checkpoint(printed.stdout, log_keys.trust_list())
    assert signed.origin == LOG_ORIGIN and signed.tree_size == 8
    again = run_cli(log_keys, logged, "log", "checkpoint")
    assert again.stdout == printed.stdout  # nothing moved: the same checkpoint
    proved = run_cli(log_keys, logged, "log", "prove", first.series, first.number, "--revision", "1", "--json")
    assert proved.returncode == 0, proved.stderr
    answer = json.loads(proved.stdout)
    assert list(answer) == ["leaf_index", "tree_size", "leaf_hash", "proof", "checkpoint"]
    assert answer["leaf_index"] == 0 and answer["tree_size"] == 8 and answer["checkpoint"] == printed.stdout
    assert all(h == h.lower() for h in [answer["leaf_hash"], *answer["proof"]])
    verify_inclusion(bytes.fromhex(answer["leaf_hash"]), 0, 8, [bytes.fromhex(h) for h in answer["proof"]],
                     signed.root_hash)
    current = json.loads(run_cli(log_keys, logged, "log", "prove", first.series, first.number, "--json").stdout)
    assert current["leaf_index"] == 3  # the current revision, 2
    proof_file = Path(os.environ.get("TMPDIR", "/tmp")) / f"proof-{os.getpid()}-{id(logged)}.json"
    proof_file.write_text(json.dumps(current))
    revision_2 = get_revision_qr(logged, first, 2)
    lists = proof_file.with_suffix(".lists")
    exported = run_cli(log_keys, logged, "status-list", "export", "--out", str(lists))
    assert exported.returncode == 0, exported.stderr
    offline = run_cli(log_keys, logged, "check", revision_2, "--offline", "--status-lists", str(lists),
                      "--log-proof", str(proof_file), "--json")
    shutil.rmtree(lists)
    proof_file.unlink()
    report = json.loads(offline.stdout)
    assert report["verdict"] == "VALID" and report["steps"][-1]["name"] == "log", offline.stdout + offline.stderr
    assert "proven in the signed checkpoint of 8 entries" in report["steps"][-1]["detail"]
    ok = run_cli(log_keys, logged, "audit", "verify")
    assert ok.returncode == 0 and "transparency log OK: 8 entries" in ok.stdout, ok.stderr
    rewrite(logged.engine, ["DELETE FROM tlog_entries WHERE idx = 2"])
    broken = run_cli(log_keys, logged, "audit", "verify")
    assert broken.returncode == 1 and "transparency log BROKEN: log entry 2 is missing" in broken.stderr


def get_revision_qr(world: World, document: Document, revision: int) -> str:
    with world.session() as session:
        return get_revision(session=session, document=document, revision=revision).qr_text


def test_offline_step_12_with_a_cached_checkpoint_and_proof(logged: World, log_keys: KeyStore) -> None:
    """Offline (no registry): the proof of `verify log prove --json` and its checkpoint verify the record in the log;
    a flipped byte, another record's proof, or a proof without a checkpoint is NOT_IN_LOG."""
    _document, revision = issue_row(logged, row(2))
    other, other_revision = issue_row(logged, row(3))
    checkpoint(logged, log_keys, later(2))
    with logged.session() as session:
        proof = prove_revision(session, series="BD", number=revision.record["number"], revision=1)
        other_proof = prove_revision(session, series="BD", number=other.number, revision=1)
    assert proof is not None and other_proof is not None
    offline = Verifier(log_keys.trust_list(), log_check=TrustListLogCheck(log_keys.trust_list()))
    evidence = LogEvidence.from_json(proof.to_json())
    report = offline.check(revision.qr_text, at=later(3), log=evidence)
    assert report.verdict == Verdict.VALID and report.steps[-1].number == 12
    assert "proven in the signed checkpoint of 3 entries" in report.steps[-1].detail
    flipped = bytearray(evidence.proof[0])
    flipped[0] ^= 1
    tampered = LogEvidence(evidence.leaf_index, evidence.leaf_hash, evidence.tree_size,
                           (bytes(flipped), *evidence.proof[1:]), evidence.checkpoint)
    assert offline.check(revision.qr_text, at=later(3), log=tampered).verdict == Verdict.NOT_IN_LOG
    borrowed = LogEvidence.from_json(other_proof.to_json())
    assert offline.check(revision.qr_text, at=later(3), log=borrowed).verdict == Verdict.NOT_IN_LOG
    unsigned = LogEvidence(evidence.leaf_index, evidence.leaf_hash)
    assert offline.check(revision.qr_text, at=later(3), log=unsigned).verdict == Verdict.NOT_IN_LOG
    assert offline.check(other_revision.qr_text, at=later(3)).steps[-1].number == 11  # no evidence: no step 12
