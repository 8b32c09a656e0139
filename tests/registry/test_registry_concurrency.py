"""Numbering under concurrent writers, and a batch killed with SIGKILL then retried with its key.

* 16 processes take 200 numbers each from one series: 0 duplicates, 0 gaps, the counter at 3,200
  (DESIGN.md, Numbering: a counter row per series, advanced in the writing transaction; SQLite
  writers start with BEGIN IMMEDIATE).
* 4 processes issue 4 groups at once: numbers unique and gap-free, one audit chain.
* `verify issue --group` of 500 graduates is killed at a random point and run again with the same
  idempotency key: exactly 500 documents, each signed and audited once, the counter at the highest number.
Both engines run each test.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session
from support.credentials import token_file
from support.world import BASE_URL, T0, Keys, World, rows

from verify import codec
from verify.registry.audit import verify_audit_chain
from verify.registry.db import make_engine
from verify.registry.documents import issue_group
from verify.registry.institutions import get_officer_by_username_or_raise
from verify.registry.numbering import allocate_number
from verify.registry.tlog import verify_log
from verify.verifier import VALID

WRITERS = 16
NUMBERS_EACH = 200
REPO = Path(__file__).resolve().parents[2]
FORK = multiprocessing.get_context("fork")  # children inherit the imports: 16 cold starts would cost more


def _allocate_worker(url: str, count: int, barrier: Barrier, results: Any) -> None:
    engine = make_engine(url, pool_size=1)
    taken: list[int] = []
    barrier.wait()
    for _ in range(count):
        with Session(engine) as session:
            taken.append(int(allocate_number(session=session, series="BD")))
            session.commit()
    engine.dispose()
    results.put(taken)


@pytest.mark.slow
def test_sixteen_writers_take_numbers_without_duplicates_or_gaps(db_url: str) -> None:
    barrier, results = FORK.Barrier(WRITERS), FORK.Queue()
    workers = [FORK.Process(target=_allocate_worker, args=(db_url, NUMBERS_EACH, barrier, results))
               for _ in range(WRITERS)]
    for worker in workers:
        worker.start()
    taken = [number for _ in workers for number in results.get(timeout=300)]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    total = WRITERS * NUMBERS_EACH
    assert len(taken) == total and len(set(taken)) == total, "duplicate numbers"
    assert sorted(taken) == list(range(1, total + 1)), "gaps in the numbers"
    engine = make_engine(db_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT last FROM counters WHERE series = 'BD'")).scalar() == total
    engine.dispose()


def _issue_worker(url: str, group: str, key: str, keys_dir: str, barrier: Barrier) -> None:
    from verify.keystore import KeyStore

    signer = KeyStore(Path(keys_dir)).signer()
    engine = make_engine(url, pool_size=1)
    with Session(engine, expire_on_commit=False) as session:
        officer = get_officer_by_username_or_raise(session=session, username="uni.issuer")
        session.commit()
        barrier.wait()
        issue_group(session=session, officer=officer, group=group, idempotency_key=key, signer=signer,
                    base_url=BASE_URL, at=T0)
    engine.dispose()


def test_concurrent_batches_share_one_counter_and_one_audit_chain(world: World, keys: Keys) -> None:
    groups = [f"G{n}" for n in range(4)]
    for group in groups:
        world.import_rows(rows(25, group=group))
    world.dispose()  # no pooled connection may cross fork()
    barrier = FORK.Barrier(len(groups))
    workers = [FORK.Process(target=_issue_worker, args=(world.url, group, f"key-{group}", str(keys.store.path),
                                                        barrier)) for group in groups]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=300)
        assert worker.exitcode == 0
    numbers = [int(n) for n in world_numbers(world)]
    assert sorted(numbers) == list(range(1, 101))
    events = world.scalar("SELECT count(*) FROM audit_events")
    with world.session() as session:
        assert verify_audit_chain(session=session).events == events
        assert verify_log(session).entries == 100  # one transparency log entry each, no fork (issue 15)
        session.commit()
    assert world.scalar("SELECT count(*) FROM audit_events WHERE action = 'document.issue'") == 100


def world_numbers(world: World) -> list[str]:
    with world.engine.connect() as connection:
        numbers = [r[0] for r in connection.execute(text("SELECT number FROM documents ORDER BY id"))]
        connection.rollback()
    return numbers


# ---------------------------------------------------------------------------------------- SIGKILL
BATCH = 500


def _cli(world: World, keys: Keys, key: str, token: Path) -> list[str]:
    return [sys.executable, "-m", "verify.cli", "--database-url", world.url, "--keys-dir", str(keys.store.path),
            "--base-url", BASE_URL, "issue", "--group", "K500", "--institution", world.uni.bin,
            "--idempotency-key", key, "--token-file", str(token),
            "--at", (T0.replace(hour=10)).isoformat()]


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERIFY_")}
    env["PYTHONPATH"] = str(REPO)
    return env


def _count(engine: Engine) -> int:
    with engine.connect() as connection:
        value = connection.execute(text("SELECT count(*) FROM documents")).scalar()
        connection.rollback()
    assert isinstance(value, int)
    return value


@pytest.mark.slow
def test_a_batch_killed_midway_finishes_exactly_once_on_retry(world: World, keys: Keys, tmp_path: Path) -> None:
    world.import_rows(rows(BATCH, group="K500"))
    token = token_file(world.url, "uni.issuer", tmp_path / "token")
    seed = int(os.environ.get("VERIFY_TEST_KILL_SEED", random.randrange(1 << 30)))
    target = random.Random(seed).randrange(1, BATCH - 50)
    key = f"kill-test-{seed}"
    process = subprocess.Popen(_cli(world, keys, key, token), cwd=REPO, env=_environment(), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    watcher = make_engine(world.url, readonly=True)  # reads a WAL snapshot: never queues for the write lock
    while _count(watcher) < target and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.002)
    process.send_signal(signal.SIGKILL)
    watcher.dispose()
    _, stderr = process.communicate(timeout=60)
    killed_at = _count(world.engine)
    assert process.returncode == -signal.SIGKILL, f"seed {seed}: the batch ended before the kill: {stderr[-500:]!r}"
    assert 1 <= killed_at < BATCH, f"seed {seed}"
    # The crash left no half-issued document: every document has its revision and its audit event.
    assert world.scalar("SELECT count(*) FROM document_revisions") == killed_at
    assert world.scalar("SELECT count(*) FROM audit_events WHERE action = 'document.issue'") == killed_at
    assert world.scalar("SELECT state FROM batches") == "running"

    retry = subprocess.run(_cli(world, keys, key, token), cwd=REPO, env=_environment(), capture_output=True, text=True,
                           timeout=300, check=False)
    assert retry.returncode == 0, retry.stderr[-2000:]
    assert f"{BATCH - killed_at} issued now, {killed_at} issued before" in retry.stdout
    again = subprocess.run(_cli(world, keys, key, token), cwd=REPO, env=_environment(), capture_output=True, text=True,
                           timeout=300, check=False)
    assert again.returncode == 0 and "already finished: nothing done" in again.stdout

    numbers = world_numbers(world)
    assert len(numbers) == BATCH and sorted(int(n) for n in numbers) == list(range(1, BATCH + 1))
    assert world.scalar("SELECT last FROM counters WHERE series = 'BD'") == BATCH
    assert world.scalar("SELECT count(DISTINCT graduate_id) FROM documents") == BATCH
    assert world.scalar("SELECT count(DISTINCT batch_id) FROM documents") == 1
    assert world.scalar("SELECT state FROM batches") == "done"
    with world.engine.connect() as connection:
        issued_events = sorted(r[0] for r in connection.execute(text(
            "SELECT object_ref FROM audit_events WHERE action = 'document.issue'")))
        revisions = connection.execute(text(
            "SELECT d.number, r.cose, r.payload_sha256, r.qr_text FROM documents d "
            "JOIN document_revisions r ON r.document_id = d.id")).all()
        connection.rollback()
    assert issued_events == sorted(f"BD {n}" for n in numbers)
    assert len(revisions) == BATCH
    verifier = world.verifier()
    for number, cose, payload_sha256, qr_text in revisions:
        assert hashlib.sha256(codec.parse_sign1(bytes(cose)).payload).hexdigest() == payload_sha256
        report = verifier.check(qr_text, at=T0.replace(hour=11))
        assert report.verdict == VALID and report.record is not None and report.record.number == number
    events = world.scalar("SELECT count(*) FROM audit_events")
    with world.session() as session:
        assert verify_audit_chain(session=session).events == events
        assert verify_log(session).entries == BATCH  # the killed run's entries are exactly its committed documents
        session.commit()
