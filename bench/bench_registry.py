"""Benchmark: the registry's numbering under 16 concurrent writers, and a 10,000-graduate import and issue.

Three measurements, side by side in one run, each the median of `--repeat` runs on a fresh database:

1. **allocations/s, 16 writers**: 16 processes (forked, released together by a barrier) each run
   `--numbers` transactions of `numbering.allocate_number` + COMMIT on one series (BD). Wall time
   from the barrier to the last commit; duplicates and gaps are checked after every run. On
   PostgreSQL the same transactions are also run in plain psycopg (no SQLAlchemy): the ceiling of
   the machine and server, for comparison.
2. **documents/s, 16 writers**: the same 16 processes each issue `--documents` originals with
   `documents.issue_group` (number, signature, revision, audit event: one transaction each).
3. **import + issue of `--graduates` graduates** (SQLite; PostgreSQL too with `--import-postgres`): a CSV of
   `--graduates` rows is parsed (`parse_graduates`), imported (`import_graduates`, one transaction, new rows written
   set-based), and every document issued in study groups of `--group-size` (`issue_group`: chunks of up to 250
   documents per transaction, written set-based; issue 16 item 1). Goals: 10,000 under 60 s on SQLite (issue 3);
   100,000 under 2 minutes end to end on either engine, >= 1,000 documents/s (issue 16). The CPU model and the load
   average (before and after each run) are printed beside the figures, with the benchmark process's CPU seconds.

`--measure import` runs only the third measurement:

    .venv/bin/python bench/bench_registry.py --measure import --import-postgres --graduates 100000 --repeat 1

Engines: SQLite (a file in a temporary directory) and PostgreSQL at `--postgres-url` (a fresh schema
per run, dropped afterwards); `--no-postgres` skips it.

    .venv/bin/python bench/bench_registry.py --repeat 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing
import os
import platform
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from importlib.metadata import version as package_version
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from benchdb import add_postgres_option, ensure_database
from machine import cpu_model
from psycopg import sql
from sqlalchemy import text
from sqlmodel import Session

from verify.demo.sampledata import iin_sequence
from verify.identifiers import iin_birth_date
from verify.keystore import KeyStore
from verify.registry.db import make_engine, upgrade_database
from verify.registry.documents import issue_group
from verify.registry.imports.load import import_graduates
from verify.registry.imports.parse import parse_graduates
from verify.registry.institutions import (
    create_institution,
    create_officer,
    get_institution_by_bin_or_raise,
    get_officer_by_username_or_raise,
)
from verify.registry.models import InstitutionCreate, OfficerCreate
from verify.registry.numbering import allocate_number

T0 = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)
BASE_URL = "https://v.edu.kz"
UNIVERSITY_BIN = "040140001236"
FORK = multiprocessing.get_context("fork")
HEADER = "iin,surname,name,patronymic,birth_date,doc_type,programme,qualification,honours,award_date,group\n"


# ------------------------------------------------------------------------------------------ databases
@contextmanager
def fresh_database(engine_name: str, postgres_url: str, workdir: Path) -> Iterator[str]:
    """A migrated, empty registry; its URL."""
    if engine_name == "sqlite":
        path = workdir / f"{uuid.uuid4().hex}.db"
        url = f"sqlite:///{path}"
        upgrade_database(url)
        try:
            yield url
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    admin = ensure_database(postgres_url).replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    url = f"{postgres_url}?options={quote(f'-csearch_path={schema}')}"
    try:
        upgrade_database(url)
        yield url
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def setup_university(url: str) -> None:
    """One university and its issuing officer."""
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        university = create_institution(session=session, institution_create=InstitutionCreate(
            bin=UNIVERSITY_BIN, name_kk="Университет", name_ru="Университет", name_en="University",
            kind="university", region="Астана"), at=T0)
        create_officer(session=session, officer_create=OfficerCreate(username="bench", full_name="Bench Officer",
                                                                     role="issuer"), institution=university, at=T0)
    engine.dispose()


def graduates_csv(count: int, *, groups: int) -> bytes:
    """A CSV export of `count` bachelor graduates in `groups` study groups: distinct valid IINs for any count
    (`iin_sequence` from 2004-05-12 on), each row's birth date the one its IIN spells."""
    lines = [HEADER]
    per_group = -(-count // groups)
    for n, iin in zip(range(count), iin_sequence(dt.date(2004, 5, 12), female=True), strict=False):
        lines.append(f"{iin},Әбдірахманова,Гүлнұр,Серікқызы,{iin_birth_date(iin).isoformat()},BD,6B06101,,no,"
                     f"2026-06-30,G{n // per_group:03d}\n")
    return "".join(lines).encode("utf-8")


# ------------------------------------------------------------------------------------------ measurements
def _allocate_worker(url: str, count: int, barrier: Barrier, results: Any) -> None:
    engine = make_engine(url, pool_size=1)
    numbers = []
    with Session(engine) as session:
        barrier.wait()
        for _ in range(count):
            numbers.append(int(allocate_number(session=session, series="BD")))
            session.commit()
    results.put((time.perf_counter(), numbers))
    engine.dispose()


def _raw_worker(admin_url: str, schema: str, count: int, barrier: Barrier, results: Any) -> None:
    connection = psycopg.connect(admin_url, options=f"-csearch_path={schema}")
    numbers = []
    barrier.wait()
    for _ in range(count):
        row = connection.execute("UPDATE counters SET last = last + 1 WHERE series = 'BD' RETURNING last").fetchone()
        connection.commit()
        assert row is not None
        numbers.append(int(row[0]))
    results.put((time.perf_counter(), numbers))
    connection.close()


def _issue_worker(url: str, group: str, keys_dir: str, barrier: Barrier, results: Any) -> None:
    signer = KeyStore(Path(keys_dir)).signer()
    engine = make_engine(url, pool_size=1)
    with Session(engine, expire_on_commit=False) as session:
        officer = get_officer_by_username_or_raise(session=session, username="bench")
        session.commit()
        barrier.wait()
        result = issue_group(session=session, officer=officer, group=group, idempotency_key=f"bench-{group}",
                             signer=signer, base_url=BASE_URL, at=T0 + dt.timedelta(hours=1))
    results.put((time.perf_counter(), list(range(result.issued))))
    engine.dispose()


def concurrent(worker: Callable[..., None], args_for: Callable[[int], tuple[Any, ...]], writers: int) -> tuple[
        float, list[int]]:
    """Run `writers` forked workers released by one barrier; (seconds from release to last finish, results)."""
    barrier, results = FORK.Barrier(writers + 1), FORK.Queue()
    processes = [FORK.Process(target=worker, args=(*args_for(i), barrier, results)) for i in range(writers)]
    for process in processes:
        process.start()
    barrier.wait()
    start = time.perf_counter()
    finished, values = [], []
    for _ in processes:
        end, got = results.get(timeout=600)
        finished.append(end)
        values.extend(got)
    for process in processes:
        process.join(timeout=60)
        if process.exitcode != 0:
            raise SystemExit(f"a worker failed with exit code {process.exitcode}")
    return max(finished) - start, values


def allocations(url: str, *, writers: int, numbers: int) -> float:
    """Numbers per second; checks 0 duplicates and 0 gaps."""
    elapsed, taken = concurrent(_allocate_worker, lambda i: (url, numbers), writers)
    if sorted(taken) != list(range(1, writers * numbers + 1)):
        raise SystemExit("duplicates or gaps in the numbers")
    return len(taken) / elapsed


def raw_allocations(postgres_url: str, *, writers: int, numbers: int) -> float:
    """The same transactions in plain psycopg (no SQLAlchemy): the ceiling of this machine and server."""
    admin = ensure_database(postgres_url).replace("postgresql+psycopg://", "postgresql://", 1)
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin, autocommit=True) as connection:
        name = sql.Identifier(schema)
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(name))
        connection.execute(sql.SQL("CREATE TABLE {}.counters (series varchar(5) PRIMARY KEY, last integer NOT NULL)")
                           .format(name))
        connection.execute(sql.SQL("INSERT INTO {}.counters VALUES ('BD', 0)").format(name))
    try:
        elapsed, taken = concurrent(_raw_worker, lambda i: (admin, schema, numbers), writers)
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
    if sorted(taken) != list(range(1, writers * numbers + 1)):
        raise SystemExit("duplicates or gaps in the numbers")
    return len(taken) / elapsed


def documents(url: str, keys_dir: Path, *, writers: int, each: int) -> float:
    """Documents issued per second by `writers` concurrent batch issues."""
    setup_university(url)
    csv = graduates_csv(writers * each, groups=writers)
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        university = get_institution_by_bin_or_raise(session=session, bin=UNIVERSITY_BIN)
        officer = get_officer_by_username_or_raise(session=session, username="bench")
        report = parse_graduates(csv, filename="bench.csv", today=T0.date())
        assert import_graduates(session=session, report=report, institution=university, officer=officer, at=T0).ok
    engine.dispose()
    elapsed, issued = concurrent(_issue_worker, lambda i: (url, f"G{i:03d}", str(keys_dir)), writers)
    if len(issued) != writers * each:
        raise SystemExit("not every document was issued")
    return len(issued) / elapsed


@dataclass
class ImportRun:
    """One import + issue run: wall seconds of each part, CPU seconds of this process while issuing, load."""

    imported: float
    issued: float
    total: float
    issue_cpu: float
    load_before: float
    load_after: float


def import_and_issue(url: str, keys_dir: Path, *, graduates: int, group_size: int = 1000) -> ImportRun:
    """Parse + import `graduates` rows, then issue them in study groups of `group_size`; the run's times."""
    setup_university(url)
    groups = max(1, -(-graduates // group_size))
    csv = graduates_csv(graduates, groups=groups)
    signer = KeyStore(keys_dir).signer()
    engine = make_engine(url)
    load_before = os.getloadavg()[0]
    start = time.perf_counter()
    with Session(engine, expire_on_commit=False) as session:
        university = get_institution_by_bin_or_raise(session=session, bin=UNIVERSITY_BIN)
        officer = get_officer_by_username_or_raise(session=session, username="bench")
        report = parse_graduates(csv, filename="bench.csv", today=T0.date())
        result = import_graduates(session=session, report=report, institution=university, officer=officer, at=T0)
        if not result.ok or result.graduates_created != graduates:
            raise SystemExit(f"import failed: {result.errors[:3]}")
        imported, cpu = time.perf_counter(), time.process_time()
        for group in range(groups):
            issue_group(session=session, officer=officer, group=f"G{group:03d}", idempotency_key=f"g{group}",
                        signer=signer, base_url=BASE_URL, at=T0 + dt.timedelta(hours=1))
        done, cpu = time.perf_counter(), time.process_time() - cpu
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM documents")).scalar()
        connection.rollback()
    engine.dispose()
    if count != graduates:
        raise SystemExit(f"{count} documents for {graduates} graduates")
    return ImportRun(imported=imported - start, issued=done - imported, total=done - start, issue_cpu=cpu,
                     load_before=load_before, load_after=os.getloadavg()[0])




# ------------------------------------------------------------------------------------------ main
@dataclass
class Row:
    """One line of the results table."""

    measurement: str
    engine: str
    runs: list[float]
    unit: str

    @property
    def median(self) -> float:
        return statistics.median(self.runs)


def main() -> None:
    """Run the measurements and print a Markdown table (and JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per measurement (median reported)")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--numbers", type=int, default=200, help="allocations per writer per run")
    parser.add_argument("--documents", type=int, default=50, help="documents per writer per run")
    parser.add_argument("--graduates", type=int, default=10_000)
    parser.add_argument("--group-size", type=int, default=1000, help="graduates per study group (batch) at import")
    parser.add_argument("--measure", choices=["all", "import"], default="all",
                        help="all measurements, or only import + issue")
    add_postgres_option(parser)
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--import-postgres", action="store_true", help="also import + issue on PostgreSQL")
    parser.add_argument("--json", action="store_true", help="print the raw runs as JSON too")
    args = parser.parse_args()
    engines = ["sqlite"] + ([] if args.no_postgres else ["postgresql"])
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="bench-registry-") as tmp:
        workdir = Path(tmp)
        keys_dir = workdir / "keys"
        KeyStore(keys_dir).init(at=T0 - dt.timedelta(days=1), environment="test")
        for engine_name in engines if args.measure == "all" else []:
            runs = []
            for _ in range(args.repeat):
                with fresh_database(engine_name, args.postgres_url, workdir) as url:
                    runs.append(allocations(url, writers=args.writers, numbers=args.numbers))
            rows.append(Row(f"numbers allocated, {args.writers} writers", engine_name, runs, "numbers/s"))
            if engine_name == "postgresql":
                runs = [raw_allocations(args.postgres_url, writers=args.writers, numbers=args.numbers)
                        for _ in range(args.repeat)]
                rows.append(Row(f"same, plain psycopg (ceiling), {args.writers} writers", engine_name, runs,
                                "numbers/s"))
            runs = []
            for _ in range(args.repeat):
                with fresh_database(engine_name, args.postgres_url, workdir) as url:
                    runs.append(documents(url, keys_dir, writers=args.writers, each=args.documents))
            rows.append(Row(f"documents issued, {args.writers} writers", engine_name, runs, "documents/s"))
        for engine_name in ["sqlite"] + (["postgresql"] if args.import_postgres and not args.no_postgres else []):
            parts: list[ImportRun] = []
            for _ in range(args.repeat):
                with fresh_database(engine_name, args.postgres_url, workdir) as url:
                    parts.append(import_and_issue(url, keys_dir, graduates=args.graduates,
                                                  group_size=args.group_size))
                print(f"{engine_name}: {parts[-1]}", file=sys.stderr)
            n = args.graduates
            rows.append(Row(f"parse + import {n:,} rows", engine_name, [p.imported for p in parts], "s"))
            rows.append(Row(f"issue {n:,} documents", engine_name, [p.issued for p in parts], "s"))
            rows.append(Row(f"issue {n:,} documents, rate", engine_name, [n / p.issued for p in parts],
                            "documents/s"))
            rows.append(Row("issue, per CPU second of the benchmark process", engine_name,
                            [n / p.issue_cpu for p in parts], "documents/s"))
            rows.append(Row(f"import + issue {n:,}, total", engine_name, [p.total for p in parts], "s"))
            rows.append(Row("load average (1 min) before / after each run", engine_name,
                            [x for p in parts for x in (p.load_before, p.load_after)], ""))
    print(f"python {platform.python_version()}, SQLAlchemy {package_version('sqlalchemy')}, "
          f"psycopg {package_version('psycopg')}, SQLite {__import__('sqlite3').sqlite_version}, "
          f"{os.cpu_count()} CPUs ({cpu_model()}), {args.repeat} runs each")
    print()
    print("| measurement | engine | median | runs |")
    print("|---|---|---|---|")
    for row in rows:
        shown = ", ".join(f"{r:,.1f}" for r in row.runs)
        print(f"| {row.measurement} | {row.engine} | **{row.median:,.1f} {row.unit}** | {shown} |")
    if args.json:
        print(json.dumps([{"measurement": r.measurement, "engine": r.engine, "unit": r.unit, "runs": r.runs,
                           "median": r.median} for r in rows], indent=2))


if __name__ == "__main__":
    main()
