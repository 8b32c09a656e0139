"""Web clients of the tests: the app's settings, started clients, issuing documents, accounts, tokens, sign-in.

* `web_settings` / `RecordingClient` / `MakeClient`: apps on a test registry (`support.world`), every answer kept
  in the leak corpus (`support.leaks.CORPUS`);
* `issue`, `digits`, `qr_png`, `assert_problem`: documents and answers;
* the signed-in surfaces: accounts with passwords, tokens, sign-in, graduates files. Password hashing is made
  cheap (`FAST_HASHING`: argon2id t=1, m=8 KiB, p=1) through the settings the apps are built with
  (`STAFF_SETTINGS`); the production defaults are argon2-cffi's.

Everything here is TEST ONLY.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from support.leaks import CORPUS
from support.world import BASE_URL, T0, Keys, World, issue_row, row
from verify import render_record
from verify.codec import split_qr_text
from verify.registry.access import unit_of_work
from verify.registry.accounts import (
    PasswordHashing,
    create_admin,
    create_token,
    ensure_officer_account,
    set_officer_password,
)
from verify.registry.documents import signed_record_of
from verify.registry.imports.parse import GraduateRow
from verify.registry.models import Account, ApiToken, Document, DocumentRevision, Officer, Partner
from verify.registry.partner import create_partner
from web.problems.openapi import ProblemModel
from web.settings import WebSettings

SURNAME = "Әбдірахманова"
#: The documents are signed at T0; the app checks with the real clock (the signer is judged at the signing time).
ISSUED_AT = T0
MakeClient = Callable[..., TestClient]
"""`make_client(client=(address, port), **settings)`: a started TestClient on `create_app(...)` (tests/web)."""


class RecordingClient(TestClient):
    """A TestClient that adds every response body to the corpus."""

    def request(self, *args: Any, **kwargs: Any) -> Any:
        """Send, keep the body, return the response."""
        response = super().request(*args, **kwargs)
        CORPUS.bodies.append(response.content)
        return response


@dataclass(frozen=True)
class Issued:
    """A document issued in the world: its row and its signed revision 1."""

    document: Document
    revision: DocumentRevision


def issue(world: World, **row_fields: Any) -> Issued:
    """Import a graduate and issue the original at T0; the IIN goes into the corpus."""
    graduate = row(2, **row_fields)
    CORPUS.iins.add(graduate.iin)
    document, revision = issue_row(world, graduate, at=ISSUED_AT)
    return Issued(document=document, revision=revision)


METRICS_TOKEN = "metrics token of the tests"
"""VERIFY_METRICS_TOKEN of every test app (production serves /metrics only behind a token)."""
METRICS_HEADERS = {"Authorization": f"Bearer {METRICS_TOKEN}"}


def web_settings(world: World, keys: Keys, tmp_path: Path, **overrides: Any) -> WebSettings:
    """Settings of an app on the world's registry and the TEST ONLY keys (production: nothing is created)."""
    values: dict[str, Any] = {
        "environment": "production", "keys_dir": keys.store.path, "base_url": BASE_URL,
        "metrics_token": METRICS_TOKEN,
        "database_url": world.url, "data_dir": tmp_path / "data", "trust_reload_s": 0,
        "rate_verify": "10000/minute", "rate_scan": "10000/minute", "rate_lookup": "10000/minute",
        "rate_trust_list": "10000/minute",
        "signer_per_institution": False,  # the session's key store is shared: tests that want signers say so
    }
    values.update(overrides)
    return WebSettings(**values)


def digits(issued: Issued) -> str:
    """The digits of the document's QR text (after the prefix)."""
    return split_qr_text(issued.revision.qr_text)[1]


def qr_png(issued: Issued) -> bytes:
    """The document's QR code as printed (PNG, 600 dpi)."""
    return render_record(signed_record_of(issued.revision)).png


def assert_problem(response: Any, status: int, slug: str) -> dict[str, Any]:
    """The answer is an RFC 9457 problem of this status and type, with no trace; returns its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    ProblemModel.model_validate(body)
    assert body["type"] == f"/problems/{slug}" and body["status"] == status
    assert body["title"] and body["detail"]
    assert body["instance"] == f"urn:uuid:{response.headers['x-request-id']}"
    assert "Traceback" not in response.text and 'File "' not in response.text
    return body


# ----------------------------------------------------------------------------- the signed-in surfaces
PASSWORD = "correct horse battery staple"
ADMIN_PASSWORD = "ministry pass phrase 2026"
STAFF_SETTINGS: dict[str, Any] = {"password_time_cost": 1, "password_memory_kib": 8, "password_parallelism": 1,
                                  "rate_login": "10000/minute", "rate_login_account": "10000/minute",
                                  "rate_partner": "10000/minute"}
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
    for graduate in rows:
        CORPUS.iins.add(graduate.iin)
        writer.writerow([graduate.iin, graduate.surname, graduate.name, graduate.patronymic or "",
                         graduate.birth_date.isoformat(), graduate.doc_type, graduate.programme,
                         graduate.qualification or "", "yes" if graduate.honours else "no",
                         graduate.award_date.isoformat(), graduate.group])
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


# ----------------------------------------------------------------------------- a database that refuses connections
DEAD_DATABASE_URL = "postgresql+psycopg://nobody@127.0.0.1:1/none"
"""A PostgreSQL URL where nothing listens (port 1): every connection is refused at once."""


def refuse_database(client: TestClient) -> None:
    """Point every engine of a started app at `DEAD_DATABASE_URL`, as if the database stopped after start-up.

    The public surface's engines, its status lookups (blocking and awaited) and the back office's writing engine
    and sessions are all replaced (the old ones closed); the app's lifespan closes the new ones.
    """
    from verify.registry.async_lookup import AsyncRegistryStatusLookup
    from verify.registry.db import make_engine, session_factory
    from verify.registry.lookup import RegistryStatusLookup

    app: Any = client.app
    services, office = app.state.services, app.state.backoffice
    reader = make_engine(DEAD_DATABASE_URL, readonly=True, timeout_ms=500)
    status = make_engine(DEAD_DATABASE_URL, readonly=True, autocommit=True, timeout_ms=500)
    writer = make_engine(DEAD_DATABASE_URL, timeout_ms=500)
    awaited = AsyncRegistryStatusLookup.for_engine(status, pool_size=1, timeout_s=0.5)
    client.portal.call(awaited.open)  # type: ignore[union-attr]  # a started client has its portal
    old_awaited, old_engines = services.async_status, (services.engine, services.status_engine, office.engine)
    services.engine, services.status_engine, services.sessions = reader, status, session_factory(reader)
    services.status_lookup = RegistryStatusLookup(status, details=True)
    services.async_status = awaited
    office.engine, office.sessions, office.readers = writer, session_factory(writer), services.sessions
    client.portal.call(old_awaited.close)  # type: ignore[union-attr]
    for engine in old_engines:
        engine.dispose()
