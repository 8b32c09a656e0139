"""A database that is down or stuck (issue 10 items 11 and 12): 503 with Retry-After on every route, never a 500,
never a verdict; every connection the app opens bounded by its route class's timeout.

* refused connections: the app is started on its registry, then every engine is pointed at a port where nothing
  listens (`support.web.refuse_database`);
* a locked table (PostgreSQL: another session holds `LOCK TABLE documents IN ACCESS EXCLUSIVE MODE`): the reading
  routes give up after VERIFY_DB_READ_TIMEOUT_MS (`statement_timeout`, `lock_timeout`) and answer 503; the test
  asserts the statuses and the settings applied to the connections, not the time taken;
* SQLite: a writer holding the write lock makes another writer give up after its `busy_timeout`.

The schemathesis run with the database refusing connections is in `test_schemathesis.py`.
"""

from __future__ import annotations

import datetime as dt
import logging
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from support.web import (
    COOKIE,
    PASSWORD,
    STAFF_SETTINGS,
    Issued,
    MakeClient,
    RecordingClient,
    assert_problem,
    bearer,
    digits,
    give_password,
    https,
    issue,
    login,
    make_admin,
    officer_token,
    partner_token,
    qr_png,
    refuse_database,
    web_settings,
)
from support.world import Keys, World, build_world, make_iin, postgres_database

from verify.registry.accounts import create_token
from verify.registry.db import upgrade_database
from web.app import create_app
from web.http.logging import LOGGER_NAME

LOOKUP = {"series": "BD", "number": "0000001", "surname": "Әбдірахманова"}
CORRECTION = {"changes": {"programme": "6B06102"}, "reason": "application 2026-114: wrong code"}


def _admin_token(world: World) -> str:
    admin = make_admin(world)
    now = dt.datetime.now(dt.UTC)
    with world.session() as session:
        token, _ = create_token(session=session, owner=admin, name="ops", scopes=["admin"], at=now,
                                expires_at=now + dt.timedelta(days=1), actor="admin")
    return token


def _unavailable(response: Any) -> None:
    """503 with Retry-After, as a problem (API) or a page (console), never a verdict."""
    assert response.status_code == 503, (response.request.url, response.text[:300])
    assert int(response.headers["retry-after"]) >= 1
    assert "verdict" not in response.text.lower() or response.headers["content-type"].startswith("text/html")
    if response.headers["content-type"] == "application/problem+json":
        assert_problem(response, 503, "unavailable")


def test_a_database_that_refuses_connections_is_a_503_on_every_route(make_client: MakeClient, world: World,
                                                                     issued: Issued) -> None:
    api = https(make_client(**STAFF_SETTINGS))
    give_password(world, world.uni_issuer)
    csrf = login(api, "uni.issuer")  # a console session opened while the database answered
    officer = bearer(officer_token(world, world.uni_head)[0])
    partner = bearer(partner_token(world)[0])
    admin = bearer(_admin_token(world))
    refuse_database(api)
    api.cookies.set("verify-console-login", "t", domain="testserver.local", path="/console")
    text = issued.revision.qr_text
    answers = {
        "link page": api.get(f"/V/{digits(issued)}"),
        "link JSON": api.get(f"/V/{digits(issued)}", headers={"Accept": "application/json"}),
        "verify": api.post("/api/v1/verify", json={"qr_text": text}),
        "scan": api.post("/api/v1/scan", files={"photo": ("qr.png", qr_png(issued), "image/png")}),
        "lookup": api.post("/api/v1/lookup", json=LOOKUP),
        "lookup page": api.post("/scan/lookup", data=LOOKUP),
        "partner documents": api.post("/api/v1/partner/documents", json={"iin": make_iin()}, headers=partner),
        "officer documents": api.get("/api/v1/officer/documents", headers=officer),
        "officer correction": api.post("/api/v1/officer/documents/BD/0000001/corrections", json=CORRECTION,
                                       headers=officer),
        "admin institutions": api.get("/api/v1/admin/institutions", headers=admin),
        "login": api.post("/api/v1/auth/login", json={"username": "uni.head", "password": PASSWORD}),
        "me (cookie)": api.get("/api/v1/auth/me"),
        "console": api.get("/console", follow_redirects=False),
        "console documents": api.get("/console/documents", follow_redirects=False),
        "console sign-in": api.post("/console/session", data={"username": "uni.head", "password": PASSWORD,
                                                              "login_token": "t"},
                                    follow_redirects=False),
        "console correction": api.post("/console/documents/BD/0000001/correction",
                                       data={"csrf_token": csrf, "reason": "x", "confirm": "yes"},
                                       follow_redirects=False),
        "healthz": api.get("/healthz"),
    }
    for name, response in answers.items():
        assert response.status_code == 503, (name, response.status_code, response.text[:300])
        if name != "healthz":
            _unavailable(response)
    assert api.cookies.get(COOKIE) is not None  # an outage does not end the session
    kazakh = api.get("/api/v1/officer/documents", headers={**officer, "Accept-Language": "kk"})
    assert kazakh.status_code == 503 and "Тізілім дерекқоры" in kazakh.json()["detail"]  # a localized detail
    page = api.get(f"/V/{digits(issued)}", headers={"Accept-Language": "ru"})
    assert page.headers["content-type"].startswith("text/html") and "Реестр недоступен" in page.text
    assert "VALID" not in page.text and "Подлинный" not in page.text


# ----------------------------------------------------------------------------- statement and lock timeouts
@pytest.fixture
def postgres_site(keys: Keys, tmp_path: Path) -> Iterator[tuple[TestClient, World, Issued, str]]:
    """An app on PostgreSQL with a read timeout of 300 ms and a write timeout of 4 s; its URL."""
    with postgres_database() as url:
        upgrade_database(url)
        world = build_world(url, signer=keys.store.signer(), trust_list=keys.store.trust_list())
        try:
            issued = issue(world)
            (tmp_path / "data").mkdir()
            settings = web_settings(world, keys, tmp_path, **STAFF_SETTINGS, db_read_timeout_ms=300,
                                    db_write_timeout_ms=4000)
            with RecordingClient(create_app(settings)) as client:
                yield https(client), world, issued, url
        finally:
            world.dispose()


def _show(engine: Engine, name: str) -> str:
    with engine.connect() as connection:
        value = connection.exec_driver_sql(f"SHOW {name}").scalar()
    return str(value)


@pytest.mark.postgres
def test_a_locked_table_makes_every_reading_route_answer_503_within_its_timeout(
        postgres_site: tuple[TestClient, World, Issued, str]) -> None:
    api, world, issued, url = postgres_site
    officer = bearer(officer_token(world, world.uni_head)[0])
    services, office = api.app.state.services, api.app.state.backoffice  # type: ignore[attr-defined]
    for engine in (services.engine, services.status_engine):
        assert (_show(engine, "statement_timeout"), _show(engine, "lock_timeout")) == ("300ms", "300ms")
    assert (_show(office.engine, "statement_timeout"), _show(office.engine, "lock_timeout")) == ("4s", "4s")

    async def awaited_settings() -> tuple[str, str]:
        pool = services.async_status._pool
        async with pool.connection() as connection:
            statement = await (await connection.execute("SHOW statement_timeout")).fetchone()
            lock = await (await connection.execute("SHOW lock_timeout")).fetchone()
        return str(statement[0]), str(lock[0])

    assert api.portal.call(awaited_settings) == ("300ms", "300ms")  # type: ignore[union-attr]
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://", 1)) as locker:
        locker.execute("LOCK TABLE documents IN ACCESS EXCLUSIVE MODE")  # held until the block ends
        answers = {
            "link page": api.get(f"/V/{digits(issued)}"),
            "link JSON": api.get(f"/V/{digits(issued)}", headers={"Accept": "application/json"}),
            "verify": api.post("/api/v1/verify", json={"qr_text": issued.revision.qr_text}),
            "lookup": api.post("/api/v1/lookup", json=LOOKUP),
            "scan": api.post("/api/v1/scan", files={"photo": ("qr.png", qr_png(issued), "image/png")}),
            "officer documents": api.get("/api/v1/officer/documents", headers=officer),
        }
        locker.rollback()
    for name, response in answers.items():
        assert response.status_code == 503, (name, response.text[:300])
        _unavailable(response)
    assert api.get(f"/V/{digits(issued)}", headers={"Accept": "application/json"}).json()["verdict"] == "VALID"


def test_sqlite_writers_wait_for_the_write_lock_only_their_busy_timeout(make_client: MakeClient, world: World,
                                                                       issued: Issued) -> None:
    api = https(make_client(**STAFF_SETTINGS, db_read_timeout_ms=700, db_write_timeout_ms=300))
    services, office = api.app.state.services, api.app.state.backoffice  # type: ignore[attr-defined]
    assert _pragma(office.engine) == 300 and _pragma(services.engine) == 700
    officer = bearer(officer_token(world, world.uni_head)[0])
    path = world.url.removeprefix("sqlite:///")
    locker = sqlite3.connect(path, isolation_level=None)
    try:
        locker.execute("BEGIN IMMEDIATE")  # the write lock, held until rolled back
        response = api.post("/api/v1/officer/documents/BD/0000001/corrections", json=CORRECTION, headers=officer)
        _unavailable(response)
        reading = api.get(f"/V/{digits(issued)}", headers={"Accept": "application/json"})  # WAL: readers go on
        assert reading.status_code == 200 and reading.json()["verdict"] == "VALID"
    finally:
        locker.rollback()
        locker.close()
    assert api.post("/api/v1/officer/documents/BD/0000001/corrections", json=CORRECTION,
                    headers=officer).status_code == 202


def _pragma(engine: Engine) -> int:
    with engine.connect() as connection:
        value = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
    assert isinstance(value, int)
    return value


# ----------------------------------------------------------------------------- a client that goes away
def test_a_client_that_disconnects_mid_body_logs_one_line_not_a_traceback(
        client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    app = client.app
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": b'{"qr_text": "HTTPS://V.EDU.KZ/V/', "more_body": True},
        {"type": "http.disconnect"}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0)

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    for path in ("/api/v1/verify", "/api/v1/auth/login"):
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "https", "path": path, "raw_path": path.encode(), "query_string": b"", "root_path": "",
                 "headers": [(b"host", b"testserver"), (b"content-type", b"application/json"),
                             (b"content-length", b"5000")], "client": ("203.0.113.9", 5000),
                 "server": ("testserver", 443), "state": {}}
        messages[:] = [{"type": "http.request", "body": b'{"qr_text": "HTTPS://V', "more_body": True},
                       {"type": "http.disconnect"}]
        caplog.clear()
        with caplog.at_level(logging.INFO, logger=LOGGER_NAME):
            client.portal.call(app, scope, receive, send)  # type: ignore[union-attr,arg-type]
        records = [record for record in caplog.records if record.name == LOGGER_NAME]
        assert [record.getMessage() for record in records] == [
            "client disconnected before the request body was received", "request"]
        assert all(record.exc_info is None and record.levelno <= logging.INFO for record in records)
        assert getattr(records[1], "status", None) == 499
