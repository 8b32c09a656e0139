"""Benchmark: what the transparency log costs per issued document, in the registry, on SQLite and PostgreSQL.

For each engine, `--rounds` times each and interleaved (with the log, without, with, ...), on a fresh database:
import `--graduates` graduates in one study group (one transaction, not timed), then issue the whole group as one
batch (`documents.issue_group`: since issue 16 chunks of up to 250 documents per transaction, each document with
its number, signature, revision, audit event and, with the log, its revision entry in the same transaction).
Reported per document: wall time (perf_counter) and CPU time of this process (process_time), the median of the
rounds; the log's cost is the difference between the two modes in the same run. "Without the log" replaces
`verify.registry.documents.log_revision` and `verify.registry.batchissue.log_revisions` (the batch's chunks) by
no-ops in this process only (the registry has no switch for it). After each batch with the log: the log's rows, the
time of one checkpoint (audit anchor + signature + insert) and of `verify_log` over the whole log.

PostgreSQL runs in a database of its own (`--postgres-url`, default .../bench_tlog, created when missing), one
fresh schema per round, dropped afterwards.

    .venv/bin/python bench/bench_tlog_registry.py --graduates 10000 --rounds 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import psycopg
from bench_registry import BASE_URL, T0, UNIVERSITY_BIN, fresh_database, graduates_csv, setup_university
from sqlalchemy import text
from sqlmodel import Session

import verify.registry.batchissue as batchissue_module
import verify.registry.documents as documents_module
from verify.keystore import KeyStore
from verify.registry.db import make_engine
from verify.registry.documents import issue_group
from verify.registry.imports.load import import_graduates
from verify.registry.imports.parse import parse_graduates
from verify.registry.institutions import get_institution_by_bin_or_raise, get_officer_by_username_or_raise
from verify.registry.tlog import make_checkpoint, verify_log
from verify.transparency import LogNoteSigner

ORIGIN = "v.edu.kz/log"


def ensure_database(postgres_url: str) -> None:
    """Create the bench database named in the URL when missing (never `test`)."""
    base, _, name = postgres_url.rpartition("/")
    if name in ("", "test", "postgres"):
        raise SystemExit(f"use a bench database of its own, not {name!r}")
    admin = base.replace("postgresql+psycopg://", "postgresql://", 1) + "/postgres"
    with psycopg.connect(admin, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            connection.execute(f'CREATE DATABASE "{name}"')


def one_round(url: str, keys: KeyStore, *, graduates: int, with_log: bool) -> dict[str, float]:
    """Import, then issue the batch; the measurements of this round."""
    setup_university(url)
    csv = graduates_csv(graduates, groups=1)
    signer = keys.signer()
    engine = make_engine(url)
    real, real_chunk = documents_module.log_revision, batchissue_module.log_revisions
    out: dict[str, float] = {}
    try:
        with Session(engine, expire_on_commit=False) as session:
            university = get_institution_by_bin_or_raise(session=session, bin=UNIVERSITY_BIN)
            officer = get_officer_by_username_or_raise(session=session, username="bench")
            report = parse_graduates(csv, filename="bench.csv", today=T0.date())
            result = import_graduates(session=session, report=report, institution=university, officer=officer, at=T0)
            if not result.ok:
                raise SystemExit(f"import failed: {result.errors[:3]}")
            session.commit()
            if not with_log:
                documents_module.log_revision = lambda *args, **kwargs: 0  # type: ignore[assignment]
                batchissue_module.log_revisions = lambda *args, **kwargs: []  # type: ignore[assignment]
            wall, cpu = time.perf_counter(), time.process_time()
            issued = issue_group(session=session, officer=officer, group="G000", idempotency_key="bench",
                                 signer=signer, base_url=BASE_URL, at=T0 + dt.timedelta(hours=1))
            out["wall_us"] = (time.perf_counter() - wall) / graduates * 1e6
            out["cpu_us"] = (time.process_time() - cpu) / graduates * 1e6
            if issued.issued != graduates:
                raise SystemExit(f"{issued.issued} documents for {graduates} graduates")
        if with_log:
            with Session(engine, expire_on_commit=False) as session:
                start = time.perf_counter()
                signed = make_checkpoint(session, signer=LogNoteSigner(ORIGIN, keys.signer("log")), origin=ORIGIN,
                                         at=T0 + dt.timedelta(hours=2))
                out["checkpoint_ms"] = (time.perf_counter() - start) * 1e3
                assert signed is not None and signed.tree_size == graduates + 1
                start = time.perf_counter()
                summary = verify_log(session)
                out["verify_log_s"] = time.perf_counter() - start
                assert summary.entries == graduates + 1
            with engine.connect() as connection:
                out["entries"] = connection.execute(text("SELECT count(*) FROM tlog_entries")).scalar_one()
                out["stored_hashes"] = connection.execute(text("SELECT count(*) FROM tlog_hashes")).scalar_one()
                connection.rollback()
    finally:
        documents_module.log_revision = real  # type: ignore[assignment]
        batchissue_module.log_revisions = real_chunk  # type: ignore[assignment]
        engine.dispose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--graduates", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--postgres-url", default=os.environ.get(
        "VERIFY_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench_tlog"))
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    engines = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
    if not args.no_postgres:
        ensure_database(args.postgres_url)
    results: dict[str, dict[str, list[dict[str, float]]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        keys = KeyStore(workdir / "keys")
        keys.init(at=T0 - dt.timedelta(days=1), environment="test")
        keys.rotate(at=T0 - dt.timedelta(days=1), usage="log")
        for engine_name in engines:
            results[engine_name] = {"with": [], "without": []}
            for _ in range(args.rounds):
                for mode in ("with", "without"):
                    with fresh_database(engine_name, args.postgres_url, workdir) as url:
                        row = one_round(url, keys, graduates=args.graduates, with_log=mode == "with")
                    results[engine_name][mode].append(row)
                    print(f"{engine_name} {mode} the log: {row}", file=sys.stderr, flush=True)
    summary: dict[str, Any] = {"python": platform.python_version(), "machine": platform.machine(),
                               "load": os.getloadavg(), "graduates": args.graduates, "rounds": args.rounds}
    for engine_name, modes in results.items():
        def median(mode: str, key: str, runs: dict[str, list[dict[str, float]]] = modes) -> float:
            return statistics.median(r[key] for r in runs[mode])

        summary[engine_name] = {
            "with_wall_us": median("with", "wall_us"), "without_wall_us": median("without", "wall_us"),
            "with_cpu_us": median("with", "cpu_us"), "without_cpu_us": median("without", "cpu_us"),
            "log_wall_us": median("with", "wall_us") - median("without", "wall_us"),
            "log_cpu_us": median("with", "cpu_us") - median("without", "cpu_us"),
            "checkpoint_ms": median("with", "checkpoint_ms"), "verify_log_s": median("with", "verify_log_s"),
            "entries": median("with", "entries"), "stored_hashes": median("with", "stored_hashes"),
        }
    if args.json:
        print(json.dumps(summary, indent=2))
        return
    print(f"issue a batch of {args.graduates} documents; median of {args.rounds} round(s); load {summary['load']}")
    print("| per issued document | " + " | ".join(engines) + " |")
    print("|---|" + "---|" * len(engines))
    for key, label in (("without_wall_us", "wall µs, without the log"), ("with_wall_us", "wall µs, with the log"),
                       ("log_wall_us", "the log's cost, wall µs"), ("without_cpu_us", "CPU µs, without the log"),
                       ("with_cpu_us", "CPU µs, with the log"), ("log_cpu_us", "the log's cost, CPU µs")):
        print(f"| {label} | " + " | ".join(f"{summary[e][key]:,.0f}" for e in engines) + " |")
    for key, label in (("checkpoint_ms", "one checkpoint after the batch, ms"),
                       ("verify_log_s", "verify_log over the whole log, s"), ("entries", "log entries"),
                       ("stored_hashes", "stored hashes")):
        print(f"| {label} | " + " | ".join(f"{summary[e][key]:,.1f}" for e in engines) + " |")


if __name__ == "__main__":
    main()
