"""The benchmarks' own PostgreSQL database: never the tests' `test` database (README, "Benchmarks").

Every benchmark that uses PostgreSQL takes `--postgres-url` (default `VERIFY_BENCH_POSTGRES_URL`, else the
database `verify_bench` on 127.0.0.1:5432) and creates that database on first use; it refuses the tests'
database by name, so a benchmark run never touches the schemas a test run is using.
"""

from __future__ import annotations

import argparse
import os
from urllib.parse import urlsplit

import psycopg
from psycopg import sql

DEFAULT_POSTGRES_URL = os.environ.get("VERIFY_BENCH_POSTGRES_URL",
                                      "postgresql+psycopg://postgres@127.0.0.1:5432/verify_bench")
"""SQLAlchemy URL of the benchmarks' PostgreSQL database."""

TESTS_DATABASE = "test"
"""The database name the tests use by default (tests/support/world.py): refused here."""


def add_postgres_option(parser: argparse.ArgumentParser) -> None:
    """`--postgres-url URL` with the benchmarks' default and its help text."""
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES_URL,
                        help="SQLAlchemy URL of the benchmark's own database, created if missing "
                             f"(default {DEFAULT_POSTGRES_URL}; never the tests' database)")


def ensure_database(url: str) -> str:
    """Create the database `url` names when it does not exist; return `url`.

    Args:
        url: a `postgresql+psycopg://` (or `postgresql://`) URL; its path is the database name.

    Raises:
        SystemExit: the URL names the tests' database `test`, or has no database name.
    """
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name or name == TESTS_DATABASE:
        raise SystemExit(f"benchmarks use a database of their own, not {name or 'none'!r}: pass --postgres-url "
                         f"with another database name (default {DEFAULT_POSTGRES_URL})")
    scheme = parts.scheme.split("+", 1)[0]
    server = parts._replace(scheme=scheme, path="/postgres", query="").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return url
