"""Partners' webhooks: their configuration, and the delivery state a worker keeps in the registry.

A partner with a webhook (`set_webhook`: an http(s) URL and a Standard Webhooks secret, "whsec_" + base64) gets
every outbox event (`verify.registry.outbox`) POSTed to it, signed, one at a time in cursor order; the worker that
sends them is `web.runtime.webhooks.WebhookDeliverer` (in `verify serve`). What this module keeps, per partner, in
`partner_webhooks`:

* `delivered_id`: the cursor of the last event the partner acknowledged (a 2xx answer); the next one sent is the
  next event above it, so delivery is in order and a restart goes on where it stopped;
* `attempts`, `next_attempt_at`, `last_error`: after a failed attempt (`record_failure`) the partner is not tried
  again before `next_attempt_at` = now + `backoff_delay(attempts)`: exponential (5 s doubling, capped at one hour)
  with jitter (a random factor in [0.5, 1]), so that partners coming back are not hit all at once;
* `lease_owner`, `lease_until`: a worker sends to a partner only while it holds the lease (`claim_due`, one
  conditional UPDATE), so several workers or instances never send the same partner's events side by side; a
  worker that died loses its lease when it runs out.

Delivery is at least once: an event acknowledged but not yet recorded (a crash between the two) is sent again with
the same `webhook-id` (its `event_id`), which the receiver uses to drop what it has seen.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import random
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from ..errors import RecordError
from ..identifiers import refuse_iin_in_text
from ..texts import text
from .access import unit_of_work
from .audit import append_event
from .models import OutboxHead, Partner, PartnerWebhook

#: The first retry waits about this long; each failure doubles it, up to `BACKOFF_CAP_S`.
BACKOFF_BASE_S = 5.0
#: The longest wait between two attempts (seconds): a partner down for a day is tried about 40 times.
BACKOFF_CAP_S = 3600.0
_SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    """A partner whose events a worker may send now (it holds the lease).

    Attributes:
        partner_id, partner_name: the partner.
        url: where to POST; secret: the Standard Webhooks secret ("whsec_" + base64).
        delivered_id: the last cursor the partner acknowledged.
        attempts: failed attempts since the last success.
    """

    partner_id: int
    partner_name: str
    url: str
    secret: str
    delivered_id: int
    attempts: int


def check_webhook_url(url: str) -> str:
    """The URL, stripped, if it is http(s) with a host, no user info, at most 2,000 characters.

    Raises:
        RecordError: it is not (IinInTextError: it holds an IIN).
    """
    url = refuse_iin_in_text(url.strip(), field="url")
    parts = urlsplit(url)
    if (len(url) > 2000 or parts.scheme not in ("http", "https") or not parts.hostname or parts.username is not None
            or parts.password is not None):
        raise RecordError(text("v_webhook_url", field="url"))
    return url


def check_webhook_secret(secret: str) -> str:
    """The secret, stripped, if it is "whsec_" + standard base64 of 24 to 64 bytes (Standard Webhooks, "Signature
    scheme": symmetric secrets of 24 to 64 bytes, shown with the whsec_ prefix).

    Raises:
        RecordError: it is not.
    """
    secret = secret.strip()
    try:
        raw = base64.b64decode(secret.removeprefix(_SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if not secret.startswith(_SECRET_PREFIX) or not 24 <= len(raw) <= 64:
        raise RecordError(text("v_webhook_secret", field="secret"))
    return secret


def set_webhook(*, session: Session, partner: Partner, url: str, secret: str, at: dt.datetime, actor: str,
                after: int = 0) -> PartnerWebhook:
    """Configure (or change) a partner's webhook; commits (audited as `partner.webhook`, the URL only).

    A new webhook starts after cursor `after` (0: every event the outbox holds); a changed one keeps its cursor and
    its retry state is cleared (the next worker round tries at once).

    Raises:
        RecordError: a bad URL or secret (`check_webhook_url`, `check_webhook_secret`).
    """
    url, secret = check_webhook_url(url), check_webhook_secret(secret)
    assert partner.id is not None
    with unit_of_work(session):
        row = session.get(PartnerWebhook, partner.id)
        if row is None:
            row = PartnerWebhook(partner_id=partner.id, url=url, secret=secret, delivered_id=max(0, after),
                                 updated_at=at)
        row.url, row.secret, row.attempts, row.next_attempt_at, row.last_error = url, secret, 0, None, None
        row.updated_at = at
        session.add(row)
        append_event(session=session, at=at, action="partner.webhook", object_type="partner",
                     object_ref=partner.name[:80], actor=actor, after={"url": url, "after": row.delivered_id})
    session.refresh(row)
    return row


def get_webhook(*, session: Session, partner_id: int) -> PartnerWebhook | None:
    """The partner's webhook, or None."""
    return session.get(PartnerWebhook, partner_id)


def backoff_delay(attempts: int, *, rng: random.Random) -> dt.timedelta:
    """How long to wait after the `attempts`-th failure in a row (1, 2, ...): min(cap, base * 2^(attempts-1)),
    times a random factor in [0.5, 1] ("equal jitter", AWS Architecture Blog, "Exponential Backoff And Jitter")."""
    ceiling = min(BACKOFF_CAP_S, BACKOFF_BASE_S * 2.0 ** min(max(attempts, 1) - 1, 30))
    return dt.timedelta(seconds=ceiling * rng.uniform(0.5, 1.0))


def _due(at: dt.datetime, last: int) -> list[Any]:
    return [col(Partner.active).is_(True), col(PartnerWebhook.delivered_id) < last,
            or_(col(PartnerWebhook.next_attempt_at).is_(None), col(PartnerWebhook.next_attempt_at) <= at),
            or_(col(PartnerWebhook.lease_until).is_(None), col(PartnerWebhook.lease_until) <= at)]


def any_due(*, session: Session, at: dt.datetime) -> bool:
    """Whether some partner has events to send and no wait or lease pending (reads only)."""
    head = session.get(OutboxHead, 1)
    last = 0 if head is None else int(head.last_id)
    return session.exec(select(PartnerWebhook.partner_id).join(Partner, col(Partner.id) == PartnerWebhook.partner_id)
                        .where(*_due(at, last)).limit(1)).first() is not None


def claim_due(*, session: Session, owner: str, at: dt.datetime, lease: dt.timedelta) -> list[WebhookTarget]:
    """Take the lease of every active partner with events to send and no wait pending; commits.

    Args:
        owner: the worker's name (unique per worker).
        at: now (aware); lease: how long the lease lasts unless released.

    Returns:
        The partners this worker now holds, by id.
    """
    with unit_of_work(session):
        head = session.get(OutboxHead, 1)
        last = 0 if head is None else int(head.last_id)
        rows = session.exec(
            select(PartnerWebhook, Partner.name).join(Partner, col(Partner.id) == PartnerWebhook.partner_id)
            .where(*_due(at, last))
            .order_by(col(PartnerWebhook.partner_id))).all()
        claimed = []
        for row, name in rows:
            taken = session.execute(
                update(PartnerWebhook).where(col(PartnerWebhook.partner_id) == row.partner_id,
                                             or_(col(PartnerWebhook.lease_until).is_(None),
                                                 col(PartnerWebhook.lease_until) <= at))
                .values(lease_owner=owner, lease_until=at + lease))
            if getattr(taken, "rowcount", 0) == 1:
                claimed.append(WebhookTarget(partner_id=row.partner_id, partner_name=name, url=row.url,
                                             secret=row.secret, delivered_id=row.delivered_id,
                                             attempts=row.attempts))
    return claimed


def record_delivered(*, session: Session, partner_id: int, owner: str, cursor: int, at: dt.datetime,
                     lease: dt.timedelta | None = None) -> bool:
    """The partner acknowledged the event at `cursor`: move its cursor there, clear the retry state; commits.

    Args:
        lease: renew this worker's lease for so long from `at` (a long round keeps it), or leave it.

    Returns:
        False when this worker no longer holds the lease (another took it over: stop sending).
    """
    with unit_of_work(session):
        done = session.execute(
            update(PartnerWebhook).where(col(PartnerWebhook.partner_id) == partner_id,
                                         col(PartnerWebhook.lease_owner) == owner,
                                         col(PartnerWebhook.delivered_id) < cursor)
            .values(delivered_id=cursor, attempts=0, next_attempt_at=None, last_error=None, updated_at=at,
                    **({} if lease is None else {"lease_until": at + lease})))
    return getattr(done, "rowcount", 0) == 1


def record_failure(*, session: Session, partner_id: int, owner: str, error: str, at: dt.datetime,
                   rng: random.Random) -> dt.datetime | None:
    """An attempt failed: count it, set the next attempt (`backoff_delay`), release the lease; commits.

    Args:
        error: what went wrong, for the operator (e.g. "HTTP 503", "connect: refused"); cut to 200 characters.

    Returns:
        The time of the next attempt, or None when this worker no longer held the lease.
    """
    with unit_of_work(session):
        row = session.exec(select(PartnerWebhook).where(PartnerWebhook.partner_id == partner_id)
                           .with_for_update().execution_options(populate_existing=True)).first()
        if row is None or row.lease_owner != owner:
            return None
        row.attempts += 1
        row.next_attempt_at = at + backoff_delay(row.attempts, rng=rng)
        row.last_error, row.lease_owner, row.lease_until, row.updated_at = error[:200], None, None, at
        session.add(row)
        next_at = row.next_attempt_at
    return next_at


def release(*, session: Session, partner_id: int, owner: str) -> None:
    """Give the lease back (the round is over); commits."""
    with unit_of_work(session):
        session.execute(update(PartnerWebhook).where(col(PartnerWebhook.partner_id) == partner_id,
                                                     col(PartnerWebhook.lease_owner) == owner)
                        .values(lease_owner=None, lease_until=None))


@dataclass(frozen=True, slots=True)
class WebhookBacklog:
    """How far one partner's webhook is behind: its name, events not yet acknowledged, failures in a row."""

    partner_name: str
    pending: int
    attempts: int


def webhook_backlogs(*, session: Session) -> list[WebhookBacklog]:
    """Every configured webhook's backlog (the outbox's last cursor minus the one delivered), by partner name."""
    head = session.get(OutboxHead, 1)
    last = 0 if head is None else int(head.last_id)
    rows = session.exec(select(Partner.name, PartnerWebhook.delivered_id, PartnerWebhook.attempts)
                        .join(Partner, col(Partner.id) == PartnerWebhook.partner_id).order_by(col(Partner.name)))
    return [WebhookBacklog(partner_name=name, pending=max(0, last - int(delivered)), attempts=int(attempts))
            for name, delivered, attempts in rows]
