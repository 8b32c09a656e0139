"""The digital diploma's feed and webhooks (issue 13 item 7; seed 000 items 59-60).

* `GET /api/v1/partner/events`: the outbox in cursor order, `next`, `has_more`, partner:read only, no IIN;
* `PUT /api/v1/admin/partners/{id}/webhook` and `verify partners webhook`;
* the delivery worker (`web.runtime.webhooks`) against a receiver of the test's own (a real HTTP server on its own
  port) that checks every Standard Webhooks signature and drops what it has seen by `webhook-id`;
* the test the issue names, on SQLite and PostgreSQL: the partner is unreachable for a day (connections refused,
  then 503s) while 1,000 documents are issued; when it returns, every event arrives exactly once, in order, with no
  gap, and the redeliveries the receiver provoked (an acknowledgement lost) carry the same id and body; the same
  1,000 events through the pull feed, with pages read again as a crashed reader would.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import random
import shutil
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from standardwebhooks import Webhook
from support.web import (
    ADMIN_PASSWORD,
    METRICS_HEADERS,
    MakeClient,
    RecordingClient,
    assert_problem,
    bearer,
    https,
    login,
    make_admin,
    officer_token,
    partner_token,
    web_settings,
)
from support.world import (
    BASE_URL,
    Keys,
    World,
    annul,
    build_world,
    correct,
    drop_postgres_schema,
    duplicate,
    issue_row,
    later,
    new_postgres_schema,
    postgres_url_or_skip,
    row,
    rows,
)

from verify.cli import main
from verify.registry.db import session_factory, upgrade_database
from verify.registry.documents import issue_group
from verify.registry.models import EventKind, OutboxEventRow, PartnerWebhook
from verify.registry.outbox import event_json
from verify.registry.partner import get_partner_by_name
from verify.registry.webhooks import BACKOFF_CAP_S, set_webhook
from web.app import create_app
from web.runtime.webhooks import WebhookDeliverer, signed_headers, webhook_body

SECRET = "whsec_" + base64.b64encode(b"TEST ONLY webhook secret 32 bytes").decode("ascii")
PARTNER = "eGov Mobile digital documents"


# ----------------------------------------------------------------------------- the receiver
@dataclass
class Receiver:
    """A partner's webhook endpoint on 127.0.0.1 (TEST ONLY): checks each signature, keeps each new event once.

    mode: "up" (2xx), "503" (answers 503), or stopped (`stop`: connections refused).
    lose_ack: event cursors whose first delivery is stored but answered 500 (an acknowledgement lost on the way).
    """

    secret: str
    check_time: bool = False
    mode: str = "up"
    lose_ack: set[int] = field(default_factory=set)
    accepted: list[dict[str, Any]] = field(default_factory=list)
    seen: dict[str, bytes] = field(default_factory=dict)
    redelivered: list[tuple[str, bytes]] = field(default_factory=list)
    attempts: list[str] = field(default_factory=list)
    bad_signatures: int = 0
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> None:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                status = receiver.receive(body, {k.lower(): v for k, v in self.headers.items()})
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/verify"

    def receive(self, body: bytes, headers: dict[str, str]) -> int:
        with self._lock:
            webhook_id = headers["webhook-id"]
            self.attempts.append(webhook_id)
            if self.mode == "503":
                return 503
            hook = Webhook(self.secret)
            if self.check_time:  # exactly what a partner does: the library checks signature and time
                hook.verify(body, headers)
            else:  # the test's clock runs ahead of the wall clock: check the signature at the header's time
                at = dt.datetime.fromtimestamp(int(headers["webhook-timestamp"]), dt.UTC)
                if hook.sign(msg_id=webhook_id, timestamp=at, data=body.decode("utf-8")) != \
                        headers["webhook-signature"]:
                    self.bad_signatures += 1
                    return 400
            if webhook_id in self.seen:  # drop what was seen: the same id is the same event
                self.redelivered.append((webhook_id, body))
                return 200
            self.seen[webhook_id] = body
            payload = json.loads(body)
            self.accepted.append(payload)
            if payload["data"]["id"] in self.lose_ack:
                self.lose_ack.discard(payload["data"]["id"])
                return 500
            return 200


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(SECRET)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def configure(world: World, url: str) -> int:
    """A registered partner with the webhook; its id."""
    with world.session() as session:
        partner = get_partner_by_name(session=session, name=PARTNER)
        assert partner is not None and partner.id is not None
        set_webhook(session=session, partner=partner, url=url, secret=SECRET, at=later(0), actor="admin")
        return partner.id


def delivered_id(world: World, partner_id: int) -> int:
    with world.session() as session:
        hook = session.get(PartnerWebhook, partner_id)
        assert hook is not None
        return hook.delivered_id


# ----------------------------------------------------------------------------- the feed
def test_the_feed_gives_every_change_in_order_to_a_partner_only(world: World, client: TestClient) -> None:
    token, _ = partner_token(world)
    graduate = row(2)
    original, _ = issue_row(world, graduate)
    copy, _ = duplicate(world, original, at=later(5))
    correct(world, copy, {"programme": "6B06102"}, at=later(10))
    annul(world, copy, at=later(15))

    page = client.get("/api/v1/partner/events", params={"limit": 3}, headers=bearer(token))
    assert page.status_code == 200, page.text
    body = page.json()
    assert [e["kind"] for e in body["events"]] == ["issue", "duplicate", "correction"]
    assert (body["next"], body["has_more"]) == (3, True)
    assert body["events"][1]["replaces"] == {"series": original.series, "number": original.number}
    assert body["events"][1]["duplicate_no"] == 1 and body["events"][0]["at"] == "2026-07-01T09:00:00Z"
    rest = client.get("/api/v1/partner/events", params={"after": body["next"]}, headers=bearer(token)).json()
    assert [e["kind"] for e in rest["events"]] == ["annulment"] and (rest["next"], rest["has_more"]) == (4, False)
    again = client.get("/api/v1/partner/events", params={"after": 0, "limit": 3}, headers=bearer(token)).json()
    assert [e["event_id"] for e in again["events"]] == [e["event_id"] for e in body["events"]]  # at least once
    empty = client.get("/api/v1/partner/events", params={"after": 4}, headers=bearer(token)).json()
    assert (empty["events"], empty["next"], empty["has_more"]) == ([], 4, False)
    assert graduate.iin not in page.text

    looked_up = client.post("/api/v1/partner/documents", json={"iin": graduate.iin}, headers=bearer(token)).json()
    assert {e["holder_ref"] for e in body["events"]} == {looked_up["holder_ref"]}
    assert looked_up["holder_ref"].startswith("hr:") and len(looked_up["holder_ref"]) == 19


@pytest.mark.parametrize("query", [{"after": -1}, {"limit": 0}, {"limit": 1001}, {"after": "x"}])
def test_a_bad_cursor_or_limit_is_a_422(world: World, client: TestClient, query: dict[str, Any]) -> None:
    token, _ = partner_token(world)
    assert_problem(client.get("/api/v1/partner/events", params=query, headers=bearer(token)), 422,
                   "invalid-request")


def admin_api(world: World, make_client: MakeClient) -> tuple[TestClient, dict[str, str]]:
    """A client over https signed in as an administrator, and the CSRF header of its session."""
    api = https(make_client(password_time_cost=1, password_memory_kib=8, password_parallelism=1))
    make_admin(world)
    return api, {"X-CSRF-Token": login(api, "ministry.admin", ADMIN_PASSWORD)}


def test_the_feed_needs_the_partner_scope(world: World, client: TestClient, make_client: MakeClient) -> None:
    assert_problem(client.get("/api/v1/partner/events"), 401, "unauthorized")
    officer, _ = officer_token(world, world.uni_issuer)
    assert_problem(client.get("/api/v1/partner/events", headers=bearer(officer)), 403, "forbidden")
    api, _ = admin_api(world, make_client)
    assert_problem(api.get("/api/v1/partner/events"), 403, "forbidden")


def test_the_ministry_sets_a_webhook_and_never_sees_its_secret_again(world: World, make_client: MakeClient) -> None:
    _, partner = partner_token(world)
    client, admin = admin_api(world, make_client)
    path = f"/api/v1/admin/partners/{partner.id}/webhook"
    answer = client.put(path, json={"url": "https://documents.example/hooks", "secret": SECRET}, headers=admin)
    assert answer.status_code == 200, answer.text
    assert answer.json()["url"] == "https://documents.example/hooks" and answer.json()["delivered_id"] == 0
    assert SECRET[6:] not in answer.text
    assert_problem(client.put(path, json={"url": "https://documents.example/", "secret": "whsec_c2hvcnQ="},
                              headers=admin), 422, "invalid-data")
    assert_problem(client.put(path, json={"url": "ftp://documents.example/", "secret": SECRET}, headers=admin),
                   422, "invalid-data")
    assert_problem(client.put("/api/v1/admin/partners/9999/webhook", json={"url": "https://a.example/",
                                                                           "secret": SECRET}, headers=admin),
                   404, "not-found")


def test_the_command_line_sets_a_webhook_from_a_secret_file(world: World, keys: Keys, tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    base = ["--database-url", world.url, "--keys-dir", str(keys.store.path), "--base-url", BASE_URL]
    _, partner = partner_token(world)
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET + "\n", encoding="utf-8")
    assert main([*base, "partners", "webhook", PARTNER, "--url", "https://documents.example/h", "--secret-file",
                 str(secret_file)]) == 0
    out, _ = capsys.readouterr()
    assert "https://documents.example/h" in out and SECRET[6:] not in out
    assert partner.id is not None and delivered_id(world, partner.id) == 0
    secret_file.write_text("whsec_c2hvcnQ=", encoding="utf-8")
    assert main([*base, "partners", "webhook", PARTNER, "--url", "https://documents.example/h", "--secret-file",
                 str(secret_file)]) == 2
    assert main([*base, "partners", "webhook", "nobody", "--url", "https://documents.example/h", "--secret-file",
                 str(secret_file)]) == 2
    assert main([*base, "partners", "webhook", PARTNER, "--url", "https://documents.example/h", "--secret-file",
                 str(tmp_path / "missing")]) == 2
    _, err = capsys.readouterr()
    assert "whsec_" in err and "nobody" in err and "missing" in err


def test_the_service_s_worker_delivers_what_a_partner_verifies_with_the_library(
        world: World, client: TestClient, receiver: Receiver) -> None:
    """The wall clock, the library's own `verify` (signature and time) at the receiver, the app's deliverer."""
    partner_token(world)
    receiver.check_time = True
    partner_id = configure(world, receiver.url)
    issue_row(world, row(2))
    issue_row(world, row(3))
    deliverer: WebhookDeliverer = client.app.state.backoffice.webhooks  # type: ignore[attr-defined]
    done = deliverer.deliver_due()
    assert (done.delivered, done.failures) == (2, {})
    assert [p["data"]["id"] for p in receiver.accepted] == [1, 2]
    assert [p["type"] for p in receiver.accepted] == ["document.issue"] * 2
    assert delivered_id(world, partner_id) == 2
    assert deliverer.deliver_due().delivered == 0  # nothing left


def test_verify_serve_s_thread_delivers_on_its_own(world: World, make_client: MakeClient,
                                                   receiver: Receiver) -> None:
    partner_token(world)
    receiver.check_time = True
    configure(world, receiver.url)
    make_client(webhook_wake_s=0.05)  # the app's lifespan starts the worker's thread
    issue_row(world, row(2))
    deadline = time.monotonic() + 20
    while not receiver.accepted and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [p["data"]["kind"] for p in receiver.accepted] == ["issue"]


def test_the_thread_sends_a_backlog_without_pausing_between_rounds(world: World, receiver: Receiver) -> None:
    partner_token(world)
    configure(world, receiver.url)
    for n in range(2, 9):
        issue_row(world, row(n))
    deliverer = WebhookDeliverer(sessions=session_factory(world.engine), batch=2, wake_s=600)
    deliverer.start()
    try:
        deadline = time.monotonic() + 30
        while len(receiver.accepted) < 7 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        deliverer.stop()
    assert [p["data"]["id"] for p in receiver.accepted] == list(range(1, 8))  # 4 rounds of 2, no 600 s pause


def test_no_thread_delivers_when_delivery_is_off(world: World, make_client: MakeClient, receiver: Receiver) -> None:
    partner_token(world)
    partner_id = configure(world, receiver.url)
    client = make_client(webhook_delivery=False, webhook_wake_s=0.05)
    issue_row(world, row(2))
    issue_row(world, row(3))
    time.sleep(0.5)
    assert receiver.attempts == [] and delivered_id(world, partner_id) == 0
    metrics = client.get("/metrics", headers=METRICS_HEADERS).text
    assert f'verify_webhook_pending_events{{partner="{PARTNER}"}} 2.0' in metrics
    receiver.mode = "503"
    deliverer: WebhookDeliverer = client.app.state.backoffice.webhooks  # type: ignore[attr-defined]
    assert deliverer.deliver_due().failures == {PARTNER: "HTTP 503"}
    assert f'verify_webhook_failed_attempts{{partner="{PARTNER}"}} 1.0' in client.get(
        "/metrics", headers=METRICS_HEADERS).text
    receiver.mode = "up"
    with world.session() as session:  # an operator's wait is over: try now (a changed webhook retries at once)
        partner = get_partner_by_name(session=session, name=PARTNER)
        assert partner is not None
        set_webhook(session=session, partner=partner, url=receiver.url, secret=SECRET, at=later(1), actor="admin")
    assert deliverer.deliver_due().delivered == 2  # another instance's worker would
    metrics = client.get("/metrics", headers=METRICS_HEADERS).text
    assert f'verify_webhook_pending_events{{partner="{PARTNER}"}} 0.0' in metrics
    assert f'verify_webhook_failed_attempts{{partner="{PARTNER}"}} 0.0' in metrics


# ----------------------------------------------------------------------------- the encoder, property-tested
_EVENTS = st.builds(
    OutboxEventRow, id=st.integers(min_value=1, max_value=2**62), event_id=st.uuids().map(str),
    kind=st.sampled_from([k.value for k in EventKind]), institution_bin=st.from_regex(r"[0-9]{12}", fullmatch=True),
    doc_type=st.sampled_from(["BD", "MD", "TVE"]), series=st.from_regex(r"[A-ZА-ЯӘҒҚҢӨҰҮІҺ]{1,5}", fullmatch=True),
    number=st.from_regex(r"[0-9]{7}", fullmatch=True), revision=st.integers(min_value=1, max_value=99),
    duplicate_no=st.none() | st.integers(min_value=1, max_value=9),
    replaces_series=st.none() | st.just("BD"), replaces_number=st.none() | st.just("0000042"),
    holder_ref=st.from_regex(r"hr:[0-9a-f]{16}", fullmatch=True),
    at=st.datetimes(min_value=dt.datetime(2000, 1, 1), max_value=dt.datetime(2100, 1, 1),
                    timezones=st.just(dt.UTC)))


@settings(max_examples=150, deadline=None)
@given(event=_EVENTS, flip=st.integers(min_value=0), seconds=st.integers(min_value=0, max_value=2**32))
def test_any_event_s_body_is_its_json_and_its_signature_verifies_and_breaks_on_any_change(
        event: OutboxEventRow, flip: int, seconds: int) -> None:
    body = webhook_body(event)
    payload = json.loads(body)
    assert payload == {"type": f"document.{event.kind}", "timestamp": event_json(event)["at"],
                       "data": event_json(event)}
    assert webhook_body(event) == body  # the same bytes on every attempt
    at = dt.datetime.fromtimestamp(seconds, dt.UTC)
    headers = signed_headers(secret=SECRET, event_id=event.event_id, body=body, at=at)
    hook = Webhook(SECRET)
    expected = hook.sign(msg_id=event.event_id, timestamp=at, data=body.decode("utf-8"))
    assert headers["webhook-signature"] == expected and headers["webhook-id"] == event.event_id
    assert headers["webhook-timestamp"] == str(seconds)
    changed = bytearray(body)
    changed[flip % len(changed)] ^= 0x01
    try:
        text_changed = bytes(changed).decode("utf-8")
    except UnicodeDecodeError:
        return
    assert hook.sign(msg_id=event.event_id, timestamp=at, data=text_changed) != headers["webhook-signature"]


# ----------------------------------------------------------------------------- a day offline, 1,000 events
@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"),
                        pytest.param("postgresql", id="postgresql", marks=pytest.mark.postgres)])
def any_world(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path, keys: Keys) -> Iterator[World]:
    """A `World` on SQLite or on PostgreSQL (a fresh schema)."""
    schema = None
    if request.param == "sqlite":
        path = tmp_path / "data" / "verify.db"
        path.parent.mkdir()
        shutil.copyfile(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        schema, url = new_postgres_schema(postgres_url_or_skip())
        upgrade_database(url)
    built = build_world(url, signer=keys.store.signer(), trust_list=keys.store.trust_list())
    try:
        yield built
    finally:
        built.dispose()
        if schema is not None:
            drop_postgres_schema(schema)


@pytest.mark.slow
def test_a_partner_down_for_a_day_gets_every_event_once_in_order(any_world: World, keys: Keys, tmp_path: Path,
                                                                 receiver: Receiver) -> None:
    world = any_world
    token, _ = partner_token(world)
    partner_id = configure(world, receiver.url)
    receiver.stop()  # the partner is unreachable: connections are refused
    now = [later(60)]
    factory = session_factory(world.engine)
    workers = [WebhookDeliverer(sessions=factory, clock=lambda: now[0], rng=random.Random(seed), batch=150)
               for seed in (1, 2)]  # two workers (two instances): the lease keeps them off each other

    world.import_rows(rows(1000, group="G-1000"))
    with world.session() as session:
        result = issue_group(session=session, officer=world.uni_issuer, group="G-1000", idempotency_key="day",
                             signer=world.signer, base_url=BASE_URL, at=later(30))
    assert result.issued == 1000

    rounds = 0
    while now[0] < later(60) + dt.timedelta(hours=24):  # a day: a round every 5 minutes, refused, then 503s
        if now[0] >= later(60) + dt.timedelta(hours=12) and receiver.mode != "503":
            receiver.mode = "503"
            receiver.start()  # the same port again
        for worker in workers:
            assert worker.deliver_due().delivered == 0
        now[0] += dt.timedelta(minutes=5)
        rounds += 1
    assert delivered_id(world, partner_id) == 0 and receiver.accepted == []
    assert 10 <= len(receiver.attempts) <= 25  # backoff: about one try an hour, not one per round (12 h of 503s)
    assert rounds == 288 and set(receiver.attempts) == set(receiver.attempts[:1])  # the first event, the same id

    receiver.mode = "up"
    receiver.lose_ack = {1, 97, 500, 999, 1000}
    for _ in range(60):
        if delivered_id(world, partner_id) == 1000:
            break
        now[0] += dt.timedelta(seconds=BACKOFF_CAP_S)
        for worker in workers:
            worker.deliver_due()
    assert delivered_id(world, partner_id) == 1000
    assert receiver.bad_signatures == 0
    ids = [p["data"]["id"] for p in receiver.accepted]
    assert ids == list(range(1, 1001))  # every event once, in order: no gap, no reorder
    assert len({p["data"]["event_id"] for p in receiver.accepted}) == 1000
    assert sorted(json.loads(body)["data"]["id"] for _, body in receiver.redelivered) == [1, 97, 500, 999, 1000]
    assert all(receiver.seen[webhook_id] == body for webhook_id, body in receiver.redelivered)  # same id, same bytes
    assert all(json.loads(receiver.seen[p["data"]["event_id"]]) == p for p in receiver.accepted)  # id = event_id

    # The same 1,000 events through the pull feed; a reader that crashes before storing its cursor reads again.
    app = create_app(web_settings(world, keys, tmp_path, webhook_delivery=False))
    with RecordingClient(app) as client:
        got: dict[int, str] = {}
        cursor, pages = 0, 0
        while True:
            page = client.get("/api/v1/partner/events", params={"after": cursor, "limit": 128},
                              headers=bearer(token)).json()
            pages += 1
            for event in page["events"]:
                assert got.setdefault(event["id"], event["event_id"]) == event["event_id"]  # same id when re-read
            if pages % 3 == 0 and page["events"]:
                continue  # crashed before storing `next`: the same page again
            assert page["next"] == (page["events"][-1]["id"] if page["events"] else cursor)
            cursor = page["next"]
            if not page["has_more"]:
                break
    assert sorted(got) == list(range(1, 1001)) and cursor == 1000
    assert [got[i] for i in range(1, 1001)] == [p["data"]["event_id"] for p in receiver.accepted]
