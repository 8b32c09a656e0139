"""The transparency log over HTTP (issue 15): the checkpoint, proofs and entries endpoints, the verdict's step 12,
and `verify log monitor` against a live server catching a rewritten history.

The key store of these tests has a log signer (`support.tlog.new_log_key_store`); checkpoints are signed through
the registry (`make_checkpoint`) as the serving process's checkpointer does. History is rewritten by raw SQL with
the append-only triggers bypassed, as the database's owner could (`support.tlog.rewrite`).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support.leaks import CORPUS
from support.tlog import LOG_ORIGIN, new_log_key_store, note_signer, rewrite
from support.web import refuse_database, web_settings
from support.world import BASE_URL, Keys, World, annul, issue_row, later, row
from test_web_server import running_server

from verify.registry.db import session_factory
from verify.registry.documents import get_document_or_raise
from verify.registry.models import Document
from verify.registry.tlog import SessionHashStore, make_checkpoint, tree_head
from verify.transparency import (
    leaf_hash,
    open_log_checkpoint,
    tree_root,
    verify_consistency,
    verify_inclusion,
)
from web.app import create_app
from web.runtime.checkpoints import Checkpointer


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """A TEST ONLY key store with a document signer and a log signer (overrides the session's)."""
    return Keys.of(new_log_key_store(tmp_path_factory.mktemp("web-tlog-keys") / "keys"))


@pytest.fixture
def client(world: World, keys: Keys, tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(web_settings(world, keys, tmp_path)), client=("203.0.113.7", 50000)) as test_client:
        yield test_client


def issue_some(world: World, first: int, count: int) -> None:
    for n in range(first, first + count):
        graduate = row(n)
        CORPUS.iins.add(graduate.iin)
        issue_row(world, graduate, at=later(n))


def checkpoint(world: World, keys: Keys, minutes: int) -> str:
    with world.session() as session:
        signed = make_checkpoint(session, signer=note_signer(keys.store), origin=LOG_ORIGIN, at=later(minutes))
    assert signed is not None
    return signed.note


def test_the_endpoints_serve_the_checkpoint_proofs_and_entries(client: TestClient, world: World, keys: Keys) -> None:
    assert client.get("/api/v1/log/checkpoint").status_code == 404  # nothing signed yet
    issue_some(world, 2, 3)
    note = checkpoint(world, keys, 10)
    answer = client.get("/api/v1/log/checkpoint")
    assert answer.status_code == 200 and answer.text == note
    assert answer.headers["cache-control"] == "public, max-age=60" and answer.headers["content-type"].startswith(
        "text/plain")
    assert client.get("/api/v1/log/checkpoint", headers={"If-None-Match": answer.headers["etag"]}).status_code == 304
    signed = open_log_checkpoint(answer.text, keys.trust_list)
    assert signed.tree_size == 4  # three revisions and the audit anchor
    entries = [bytes.fromhex(h) for h in client.get("/api/v1/log/entries?start=0&end=4").json()["entries"]]
    for index, data in enumerate(entries):
        proof = client.get(f"/api/v1/log/proof/inclusion?leaf_index={index}&tree_size=4").json()["proof"]
        verify_inclusion(leaf_hash(data), index, 4, [bytes.fromhex(h) for h in proof], signed.root_hash)
    by_document = client.get("/api/v1/log/proof/inclusion?series=BD&number=0000002").json()
    assert set(by_document) == {"leaf_index", "tree_size", "leaf_hash", "proof", "checkpoint"}
    assert by_document["leaf_index"] == 1 and by_document["checkpoint"] == note
    issue_some(world, 5, 2)
    newer = open_log_checkpoint(checkpoint(world, keys, 20), keys.trust_list)
    proof = client.get("/api/v1/log/proof/consistency?first=4&second=7").json()["proof"]
    verify_consistency(4, 7, signed.root_hash, newer.root_hash, [bytes.fromhex(h) for h in proof])
    assert client.get("/api/v1/log/proof/inclusion?leaf_index=9&tree_size=7").status_code == 422
    assert client.get("/api/v1/log/proof/inclusion?series=BD&number=0000099").status_code == 404
    assert client.get("/api/v1/log/entries?start=5&end=99").status_code == 422


def test_the_verdict_carries_the_log_entry_and_step_12(client: TestClient, world: World) -> None:
    graduate = row(2)
    CORPUS.iins.add(graduate.iin)
    _document, revision = issue_row(world, graduate, at=later(1))
    report = client.post("/api/v1/verify", json={"qr_text": revision.qr_text}).json()
    assert report["verdict"] == "VALID" and report["steps"][-1]["name"] == "log"
    assert report["registry"]["log"]["leaf_index"] == 0


def test_an_unreadable_registry_is_503_with_retry_after(world: World, keys: Keys, tmp_path: Path) -> None:
    with TestClient(create_app(web_settings(world, keys, tmp_path))) as test_client:
        refuse_database(test_client)
        answers = [test_client.get(path) for path in (
            "/api/v1/log/checkpoint", "/api/v1/log/entries?start=0&end=1",
            "/api/v1/log/proof/consistency?first=1&second=1", "/api/v1/log/proof/inclusion?series=BD&number=0000001")]
    assert all(a.status_code == 503 and a.headers["retry-after"] for a in answers), [a.status_code for a in answers]


def test_the_checkpointer_signs_when_due_and_only_then(world: World, keys: Keys) -> None:
    now = [later(0)]
    checkpointer = Checkpointer(sessions=session_factory(world.engine), keys=keys.store, origin=LOG_ORIGIN,
                                period=dt.timedelta(minutes=5), clock=lambda: now[0])
    first = checkpointer.run_due()  # none yet: due at once
    assert first is not None and first.tree_size == 1
    assert checkpointer.run_due() is None  # nothing moved
    issue_some(world, 2, 1)
    now[0] = later(3)
    assert checkpointer.run_due() is None  # moved, but not 5 minutes yet
    now[0] = later(6)
    second = checkpointer.run_due()
    assert second is not None and second.tree_size == 3


# ----------------------------------------------------------------------------- the monitor against a live server
def monitor(server_url: str, state: Path, keys: Keys) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERIFY_")}
    env.update({"VERIFY_KEYS_DIR": str(keys.store.path), "VERIFY_BASE_URL": BASE_URL})
    return subprocess.run([sys.executable, "-m", "verify.cli", "log", "monitor", "--from", server_url, "--state",
                           str(state)], env=env, capture_output=True, text=True, timeout=120, check=False)


def truncate_and_fork(world: World, keep: int) -> None:
    """Rewrite the log as an owner of the database and of the log key could: cut it to `keep` entries with a
    consistent head, then let it grow again (a fork of what monitors saw)."""
    with world.session() as session:
        root = tree_root(SessionHashStore(session), tree_size=keep)
        session.rollback()
    stored = 2 * keep - keep.bit_count()
    rewrite(world.engine, [("DELETE FROM tlog_entries WHERE idx >= :keep", {"keep": keep}),
                           ("DELETE FROM tlog_hashes WHERE idx >= :stored", {"stored": stored}),
                           ("DELETE FROM tlog_checkpoints WHERE tree_size > :keep", {"keep": keep}),
                           ("UPDATE tlog_head SET tree_size = :keep, root_hash = :root", {"keep": keep, "root": root})])


def test_the_monitor_follows_the_log_and_catches_a_rewritten_past(world: World, keys: Keys, tmp_path: Path) -> None:
    """Issue 15, Done when: a test rewrites history in the database and `verify log monitor` catches it."""
    state = tmp_path / "monitor"
    issue_some(world, 2, 3)
    checkpoint(world, keys, 10)
    with running_server(world, keys, tmp_path) as server:  # type: ignore[arg-type]
        first = monitor(server.url, state, keys)
        assert first.returncode == 0, first.stderr
        assert "4 new" in first.stdout and f"institution {world.uni.bin}: 3 new entries" in first.stdout
        annul(world, _document(world, "0000001"), at=later(15))
        checkpoint(world, keys, 16)
        second = monitor(server.url, state, keys)
        assert second.returncode == 0, second.stderr
        assert "consistent with the last checkpoint seen (4); 2 new" in second.stdout and "annulment of BD 0000001" \
            in second.stdout
        seen = (state / "checkpoint").read_text()
        # the owner cuts the log back to 3 entries (dropping the annulment) and issues more: a fork
        truncate_and_fork(world, 3)
        with world.session() as session:
            assert tree_head(session)[0] == 3
        issue_some(world, 10, 4)
        forged = checkpoint(world, keys, 30)
        alarm = monitor(server.url, state, keys)
    assert alarm.returncode == 1 and "ALARM" in alarm.stderr and "not an extension" in alarm.stderr
    evidence = next(state.glob("alarm-*.txt")).read_text()
    assert seen in evidence and forged in evidence
    assert (state / "checkpoint").read_text() == seen  # the state keeps what was verified


@pytest.mark.parametrize("rewriting", [
    ["DELETE FROM tlog_entries WHERE idx = 5"],
    ["UPDATE tlog_entries SET data = (SELECT data FROM tlog_entries WHERE idx = 4) WHERE idx = 5"],
    ["UPDATE tlog_entries SET idx = -1 WHERE idx = 4", "UPDATE tlog_entries SET idx = 4 WHERE idx = 5",
     "UPDATE tlog_entries SET idx = 5 WHERE idx = -1"],
], ids=["delete", "edit", "reorder"])
def test_the_monitor_catches_rewritten_new_entries(world: World, keys: Keys, tmp_path: Path,
                                                   rewriting: list[str]) -> None:
    state = tmp_path / "monitor"
    issue_some(world, 2, 3)
    checkpoint(world, keys, 10)
    with running_server(world, keys, tmp_path) as server:  # type: ignore[arg-type]
        assert monitor(server.url, state, keys).returncode == 0
        issue_some(world, 10, 3)
        checkpoint(world, keys, 20)
        rewrite(world.engine, rewriting)
        alarm = monitor(server.url, state, keys)
    assert alarm.returncode == 1 and "ALARM" in alarm.stderr, alarm.stdout + alarm.stderr


def _document(world: World, number: str) -> Document:
    with world.session() as session:
        return get_document_or_raise(session=session, series="BD", number=number)


def test_the_log_endpoints_share_the_trust_lists_rate_limit(world: World, keys: Keys, tmp_path: Path) -> None:
    settings = web_settings(world, keys, tmp_path, rate_trust_list="3/minute")
    with TestClient(create_app(settings), client=("203.0.113.9", 50000)) as limited:
        answers = [limited.get(path).status_code for path in (
            "/api/v1/log/checkpoint", "/api/v1/log/entries?start=0&end=1", "/api/v1/trust-list",
            "/api/v1/log/proof/consistency?first=1&second=1")]
    assert 429 not in answers[:3] and answers[3] == 429
