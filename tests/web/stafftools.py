"""Helpers of the signed-in surfaces' tests: accounts with passwords, tokens, sign-in, graduates files.

Password hashing is made cheap for the tests (`FAST_HASHING`: argon2id t=1, m=8 KiB, p=1) through the settings
the app is built with (`STAFF_SETTINGS`); the production defaults are argon2-cffi's. Everything here is TEST ONLY.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from fastapi.testclient import TestClient
from registry.regtools import POSTGRES_URL, T0, World
from webtools import CORPUS

from verify.registry.access import unit_of_work
from verify.registry.account_models import Account, ApiToken, Partner
from verify.registry.accounts import (
    PasswordHashing,
    create_admin,
    create_partner,
    create_token,
    ensure_officer_account,
    set_officer_password,
)
from verify.registry.graduates import GraduateRow
from verify.registry.models import Officer

PASSWORD = "correct horse battery staple"
ADMIN_PASSWORD = "ministry pass phrase 2026"
STAFF_SETTINGS: dict[str, Any] = {"password_time_cost": 1, "password_memory_kib": 8, "password_parallelism": 1,
                                  "rate_login": "10000/minute", "rate_partner": "10000/minute"}
"""Settings overrides of every app in these tests: cheap argon2, generous sign-in and partner limits."""
FAST_HASHING = PasswordHashing(time_cost=1, memory_kib=8, parallelism=1)
COOKIE = "__Host-verify-session"
NOW = dt.datetime.now(dt.UTC)


def https(client: TestClient) -> TestClient:
    """Talk to the app over https, so that the Secure session cookie goes back (as a browser would)."""
    client.base_url = "https://testserver"  # type: ignore[assignment]  # the setter takes text too
    return client


def give_password(world: World, officer: Officer, password: str = PASSWORD) -> Account:
    """Open the officer's login account with a password (as an administrator would)."""
    with world.session() as session:
        return set_officer_password(session=session, officer=officer, password=password, hashing=FAST_HASHING,
                                    at=dt.datetime.now(dt.UTC))


def make_admin(world: World, username: str = "ministry.admin", password: str = ADMIN_PASSWORD) -> Account:
    """An administrator account (the ministry)."""
    with world.session() as session:
        return create_admin(session=session, username=username, full_name="Ministry Administrator",
                            password=password, hashing=FAST_HASHING, at=dt.datetime.now(dt.UTC))


def officer_token(world: World, officer: Officer, scopes: Iterable[str] = ("officer:read", "officer:write"), *,
                  expires_at: dt.datetime | None = None, name: str = "test") -> tuple[str, ApiToken]:
    """A bearer token of an officer (its account opened if needed), valid a day unless told."""
    at = dt.datetime.now(dt.UTC)
    with world.session() as session:
        with unit_of_work(session):
            account = ensure_officer_account(session=session, officer=officer, at=at)
        return create_token(session=session, owner=account, name=name, scopes=scopes, at=at,
                            expires_at=expires_at or at + dt.timedelta(days=1), actor="admin", officer=officer)


def partner_token(world: World, name: str = "eGov Mobile digital documents") -> tuple[str, Partner]:
    """A registered partner and a partner:read token for it."""
    at = dt.datetime.now(dt.UTC)
    with world.session() as session:
        partner = create_partner(session=session, name=name, at=at)
        secret, _ = create_token(session=session, owner=partner, name="test", scopes=["partner:read"], at=at,
                                 expires_at=at + dt.timedelta(days=1), actor="admin")
    return secret, partner


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


def login(client: TestClient, username: str, password: str = PASSWORD) -> str:
    """Sign in through the API (the cookie goes into the client's jar); returns the CSRF token."""
    response = client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


def graduates_csv(rows: Iterable[GraduateRow]) -> bytes:
    """A graduates file (docs/IMPORT.md columns) of these rows; their IINs go into the leak-check corpus."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["iin", "surname", "name", "patronymic", "birth_date", "doc_type", "programme", "qualification",
                     "honours", "award_date", "group"])
    for row in rows:
        CORPUS.iins.add(row.iin)
        writer.writerow([row.iin, row.surname, row.name, row.patronymic or "", row.birth_date.isoformat(),
                         row.doc_type, row.programme, row.qualification or "", "yes" if row.honours else "no",
                         row.award_date.isoformat(), row.group])
    return out.getvalue().encode("utf-8")


def count(world: World, table: str) -> int:
    """Rows of a table (to show that nothing was written)."""
    value = world.scalar(f"SELECT count(*) FROM {table}")  # noqa: S608 (table names are the tests' own)
    assert isinstance(value, int)
    return value


def audit_head(world: World) -> int:
    """The last audit event's seq."""
    value = world.scalar("SELECT seq FROM audit_head WHERE id = 1")
    assert isinstance(value, int)
    return value


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema's URL; a skip when the server is missing (a failure when CI=true)."""
    import psycopg

    admin_url = POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        with psycopg.connect(admin_url, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        reason = f"PostgreSQL not reachable at {POSTGRES_URL} ({type(exc).__name__})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; the PostgreSQL tests are required when CI=true")
        pytest.skip(f"{reason}; set VERIFY_TEST_POSTGRES_URL or start the server (required when CI=true)")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{separator}options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(admin_url, autocommit=True) as connection:
            connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


__all__ = ["ADMIN_PASSWORD", "COOKIE", "FAST_HASHING", "NOW", "PASSWORD", "STAFF_SETTINGS", "T0", "audit_head",
           "bearer", "count", "give_password", "graduates_csv", "https", "login", "make_admin", "officer_token",
           "partner_token", "postgres_database"]
