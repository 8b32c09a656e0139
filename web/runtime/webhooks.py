"""The webhook delivery worker: sends every outbox event to each partner with a webhook, signed, in order.

`WebhookDeliverer.deliver_due` is one round: it takes the lease of every partner with events to send and no wait
pending (`verify.registry.webhooks.claim_due`), then for each sends the events above its cursor one at a time, in
cursor order, at most `batch` per round:

* the body is `webhook_body(event)`: `{"type": "document.<kind>", "timestamp": <the event's time>, "data": <the
  event as the feed gives it>}` (Standard Webhooks, "Payload structure"), the same bytes on every attempt;
* the headers are those of Standard Webhooks ("Signature scheme"): `webhook-id` (the event's `event_id`, the same on
  every attempt, so the receiver drops a redelivery), `webhook-timestamp` (seconds since the epoch, this attempt)
  and `webhook-signature` ("v1," + base64 HMAC-SHA256 over "id.timestamp.body" under the secret), made by the
  `standardwebhooks` library, with which a receiver also checks them;
* an answer 2xx moves the partner's cursor (`record_delivered`); anything else (another status, a refused or
  timed-out connection) records a failure (`record_failure`: exponential backoff with jitter) and ends the round
  for that partner, so no event is sent before the one ahead of it is acknowledged.

The HTTP client (httpx) has timeouts (connect 5 s, the whole exchange `timeout_s`), follows no redirect and sends no
cookie. `start` runs rounds on a daemon thread: one at once, then every `wake_s` seconds, and one after another
while they send events without a failure (a backlog goes at the receiver's pace, not `batch` events per pause);
`verify serve` runs one per worker process, and the lease keeps two workers off the same partner.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from standardwebhooks import Webhook

from verify.errors import Error
from verify.registry.db import SessionFactory
from verify.registry.models import OutboxEventRow
from verify.registry.outbox import event_json, read_events
from verify.registry.webhooks import (
    WebhookTarget,
    any_due,
    claim_due,
    record_delivered,
    record_failure,
    release,
    webhook_backlogs,
)

from ..http.logging import get_logger

#: How often the thread looks for events to send (seconds).
WAKE_S = 5.0
#: How long a worker holds a partner's lease unless it gives it back.
LEASE = dt.timedelta(minutes=2)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def webhook_body(row: OutboxEventRow) -> bytes:
    """The POST body of an event (UTF-8 JSON, keys in a fixed order; the same bytes on every attempt)."""
    data = event_json(row)
    payload = {"type": f"document.{row.kind}", "timestamp": data["at"], "data": data}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signed_headers(*, secret: str, event_id: str, body: bytes, at: dt.datetime) -> dict[str, str]:
    """The Standard Webhooks headers of one attempt: webhook-id, webhook-timestamp, webhook-signature."""
    signature = Webhook(secret).sign(msg_id=event_id, timestamp=at, data=body.decode("utf-8"))
    return {"webhook-id": event_id, "webhook-timestamp": str(int(at.timestamp())), "webhook-signature": signature,
            "content-type": "application/json", "user-agent": "verify-webhooks/1"}


@dataclass
class DeliveryRound:
    """What one round did: events acknowledged, failures (partner name -> error), partners tried."""

    delivered: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    partners: int = 0


class WebhookDeliverer:
    """Sends the outbox's events to the partners' webhooks (see the module docstring).

    Args:
        sessions: sessions on the writing registry engine.
        readers: sessions that only read (the public surface's engine): whether anything is due is asked there,
            so an idle round never takes SQLite's write lock (default: `sessions`).
        client: the HTTP client (default: httpx with the timeouts above); tests pass their own.
        clock: the time; rng: the backoff's jitter.
        batch: events sent to one partner per round at most.
        timeout_s: the longest one POST may take (seconds).
        wake_s: seconds between two rounds of the thread.
    """

    def __init__(self, *, sessions: SessionFactory, readers: SessionFactory | None = None,
                 client: httpx.Client | None = None, clock: Callable[[], dt.datetime] = _utcnow,
                 rng: random.Random | None = None, batch: int = 200, timeout_s: float = 10.0,
                 wake_s: float = WAKE_S) -> None:
        self.sessions, self.clock, self.batch, self.wake_s = sessions, clock, batch, wake_s
        self.readers = readers if readers is not None else sessions
        self.rng = rng if rng is not None else random.SystemRandom()
        self.client = client if client is not None else httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=min(5.0, timeout_s)), follow_redirects=False)
        self.owner = f"webhooks-{uuid.uuid4().hex[:16]}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def deliver_due(self) -> DeliveryRound:
        """One round over every partner due now; what it did."""
        done = DeliveryRound()
        with self.readers() as session:
            due = any_due(session=session, at=self.clock())
            session.rollback()
        if not due:
            return done
        with self.sessions() as session:
            targets = claim_due(session=session, owner=self.owner, at=self.clock(), lease=LEASE)
        for target in targets:
            done.partners += 1
            try:
                self._deliver(target, done)
            finally:
                with self.sessions() as session:
                    release(session=session, partner_id=target.partner_id, owner=self.owner)
        return done

    def _deliver(self, target: WebhookTarget, done: DeliveryRound) -> None:
        with self.sessions() as session:
            outgoing = [(row.id, row.event_id, webhook_body(row))
                        for row in read_events(session, after=target.delivered_id, limit=self.batch)]
            session.rollback()
        for cursor, event_id, body in outgoing:
            headers = signed_headers(secret=target.secret, event_id=event_id, body=body, at=self.clock())
            error = self._post(target.url, body, headers)
            with self.sessions() as session:
                if error is not None:
                    record_failure(session=session, partner_id=target.partner_id, owner=self.owner, error=error,
                                   at=self.clock(), rng=self.rng)
                    done.failures[target.partner_name] = error
                    get_logger().warning("webhook delivery failed", extra={"error": error})
                    return
                if not record_delivered(session=session, partner_id=target.partner_id, owner=self.owner,
                                        cursor=cursor, at=self.clock(), lease=LEASE):
                    return
            done.delivered += 1

    def _post(self, url: str, body: bytes, headers: dict[str, str]) -> str | None:
        """None when the partner acknowledged (2xx), else what went wrong."""
        try:
            answer = self.client.post(url, content=body, headers=headers)
        except httpx.TimeoutException:
            return "timeout"
        except httpx.HTTPError as exc:
            return f"connection: {type(exc).__name__}"
        if 200 <= answer.status_code < 300:
            return None
        return f"HTTP {answer.status_code}"

    def start(self) -> None:
        """Start the thread that runs `deliver_due` every `wake_s` seconds (a daemon; `stop` ends it)."""
        if self._thread is None:
            self._stop.clear()
            self._thread = threading.Thread(target=self._loop, name="webhooks", daemon=True)
            self._thread.start()

    def stop(self) -> None:
        """End the thread, wait for it, close the HTTP client."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=15)
            self._thread = None
        self.client.close()

    def _loop(self) -> None:
        busy = True  # a round at start; then after a round that sent events without a failure, the next at once
        while not (self._stop.is_set() if busy else self._stop.wait(self.wake_s)):
            busy = False
            try:
                done = self.deliver_due()
                busy = done.delivered > 0 and not done.failures
            except Error as exc:  # a registry that cannot be reached now: try again at the next wake
                get_logger().warning("webhook round failed", extra={"error": exc.code})
            except Exception as exc:  # the database driver's own errors: the same, the thread must not die
                get_logger().warning("webhook round failed", extra={"error": type(exc).__name__})


class WebhookGauges:
    """A metrics collector: per partner with a webhook, `verify_webhook_pending_events{partner}` (events not yet
    acknowledged) and `verify_webhook_failed_attempts{partner}` (failures in a row), read from the registry at each
    scrape; nothing when the registry cannot be read (the health check says so)."""

    def __init__(self, sessions: SessionFactory) -> None:
        self.sessions = sessions

    def collect(self) -> Iterator[Any]:
        """The two labelled gauges (prometheus-client's custom collector protocol)."""
        from prometheus_client.core import GaugeMetricFamily

        try:
            with self.sessions() as session:
                rows = webhook_backlogs(session=session)
                session.rollback()
        except Error:
            return
        pending = GaugeMetricFamily("verify_webhook_pending_events",
                                    "Outbox events the partner's webhook has not acknowledged yet.", labels=["partner"])
        failed = GaugeMetricFamily("verify_webhook_failed_attempts",
                                   "Failed webhook deliveries in a row (0 after a success).", labels=["partner"])
        for row in rows:
            pending.add_metric([row.partner_name], row.pending)
            failed.add_metric([row.partner_name], row.attempts)
        yield pending
        yield failed
