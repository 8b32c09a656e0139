"""Benchmark: the registry's export of one series' signed status list of 1,000,000 numbers (issue 12 item 1).

    .venv/bin/python bench/bench_statuslist_export.py --numbers 1000000 --not-in-force 0.01 --rounds 3

Its own database: a fresh SQLite registry in a temporary directory (migrated to head), filled with `--numbers`
documents of series BD through Core `executemany` (foreign keys off for the fill only: the rows name one
institution and officer, and graduate ids that are not there; nothing in the export reads them). The share
`--not-in-force` is not a plain original in force: 60 % replaced by a duplicate (the duplicate is one more document
of the series), 25 % corrected (revision 2, with its revision row), 15 % annulled. The insert triggers mark BD
dirty as in production.

Then, `--rounds` times: `verify.registry.statuslists.sign_due_lists(force=True)` (read every row of the series in
one statement, build the list, sign it with the TEST ONLY key store's status signer, store it) and the export to a
folder (`verify status-list export`'s write: `<series>.cose` and `index.json`). Wall-clock seconds (the registry
read is I/O as well as CPU) and the CPU seconds of this process (`time.process_time`; SQLite runs in it), median
of the rounds; goal: under 5 s.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402
from sqlmodel import Session  # noqa: E402

from verify.keystore import KeyStore  # noqa: E402
from verify.registry.db import make_engine, upgrade_database  # noqa: E402
from verify.registry.models import StatusListRow, metadata  # noqa: E402
from verify.registry.statuslists import published_lists, sign_due_lists  # noqa: E402
from verify.statusfolder import IndexEntry, index_document, write_folder  # noqa: E402
from verify.statuslookup import verify_status_list  # noqa: E402

T0 = dt.datetime(2026, 7, 1, 9, tzinfo=dt.UTC)
AT = T0 + dt.timedelta(days=30)
REASONS = ["lost", "damaged", "name_changed", "filling_error"]


def fill(url: str, *, numbers: int, not_in_force: float, seed: int) -> dict[str, int]:
    """Insert `numbers` documents of BD (and the revisions of the corrected ones); the counts by kind."""
    rng = random.Random(seed)
    engine = create_engine(url)
    documents, revisions = metadata.tables["documents"], metadata.tables["document_revisions"]
    counts = {"in_force": 0, "replaced": 0, "duplicates": 0, "corrected": 0, "annulled": 0}
    base = {"doc_type": "BD", "series": "BD", "duplicate_no": None, "duplicate_reason": None, "current_revision": 1,
            "institution_id": 1, "original_id": None, "replaces_id": None, "replaced_by_id": None,
            "replaced_at": None, "batch_id": None, "issued_by": 1, "annulled_at": None, "annul_basis": None,
            "annulled_by": None, "state": "valid"}
    rows: list[dict[str, object]] = []
    extra: list[dict[str, object]] = []
    revs: list[dict[str, object]] = []
    next_id = numbers + 1
    for i in range(1, numbers + 1):
        row = {**base, "id": i, "graduate_id": i, "number": f"{i:07d}", "issued_at": T0}
        if rng.random() < not_in_force:
            kind = rng.random()
            when = T0 + dt.timedelta(days=rng.randrange(1, 20))
            if kind < 0.60:
                dup_id, next_id = next_id, next_id + 1
                row.update(state="replaced", replaced_by_id=dup_id, replaced_at=when)
                extra.append({**base, "id": dup_id, "graduate_id": dup_id, "number": f"{numbers + len(extra) + 1:07d}",
                              "issued_at": when, "original_id": i, "replaces_id": i, "duplicate_no": 1,
                              "duplicate_reason": rng.choice(REASONS)})
                counts["replaced"] += 1
            elif kind < 0.85:
                row.update(current_revision=2)
                revs.append({"document_id": i, "revision": 2, "record": {}, "cose": b"TEST ONLY", "payload_sha256":
                             "0" * 64, "qr_text": "TEST ONLY", "kid": "0" * 16, "signed_at": when,
                             "changed_fields": ["name"], "reason": "bench", "officer_id": 1, "created_at": when})
                counts["corrected"] += 1
            else:
                row.update(state="annulled", annulled_at=when, annul_basis="bench", annulled_by=1)
                counts["annulled"] += 1
        else:
            counts["in_force"] += 1
        rows.append(row)
    counts["duplicates"] = len(extra)
    with engine.begin() as connection:  # a plain SQLite engine: foreign keys are off by default
        for start in range(0, len(rows) + len(extra), 50_000):
            connection.execute(documents.insert(), (rows + extra)[start:start + 50_000])
        if revs:
            connection.execute(revisions.insert(), revs)
    engine.dispose()
    return counts


def main() -> None:
    """Run the benchmark and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--numbers", type=int, default=1_000_000)
    parser.add_argument("--not-in-force", type=float, default=0.01)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.db'}"
        upgrade_database(url)
        started = time.perf_counter()
        counts = fill(url, numbers=args.numbers, not_in_force=args.not_in_force, seed=args.seed)
        filled = time.perf_counter() - started
        store = KeyStore(Path(tmp) / "keys")
        store.init(at=T0 - dt.timedelta(days=1), environment="test")
        store.rotate(at=T0 - dt.timedelta(days=1), usage="status")
        engine = make_engine(url)
        signing, signing_cpu, writing = [], [], []
        for round_no in range(args.rounds):
            at = AT + dt.timedelta(minutes=round_no)
            start, start_cpu = time.perf_counter(), time.process_time()
            assert sign_due_lists(engine=engine, keys=store, at=at, force=True) == ["BD"]
            signed = time.perf_counter()
            signing_cpu.append(time.process_time() - start_cpu)
            with Session(engine) as session:
                rows: list[StatusListRow] = published_lists(session)
            lists = {r.series: r.cose for r in rows if r.cose is not None}
            entries = [IndexEntry.of_list(lists[r.series], verify_status_list(lists[r.series],
                       trust_list=store.trust_list(), at=at, series=r.series)) for r in rows]
            verified = time.perf_counter()
            write_folder(Path(tmp) / "out", lists, index_document(entries, generated_at=at))
            written = time.perf_counter()
            signing.append(signed - start)
            writing.append(written - verified)
        engine.dispose()
        size = len(lists["BD"])
    total = args.numbers + counts["duplicates"]
    print(f"python {platform.python_version()}, {platform.machine()}; SQLite; fill {filled:.1f} s")
    print(f"numbers: {total:,} ({counts})")
    print(f"| step | wall, median of {args.rounds} (s) | CPU of this process (s) | goal |")
    print("|---|---:|---:|---|")
    print(f"| read + build + sign + store (`sign_due_lists`) | {statistics.median(signing):.2f} | "
          f"{statistics.median(signing_cpu):.2f} | < 5 s |")
    print(f"| write the folder (`<series>.cose`, `index.json`) | {statistics.median(writing):.3f} | | |")
    print(f"list size: {size:,} bytes")


if __name__ == "__main__":
    main()
