"""The outbox of the digital diploma (issue 13 item 7; seed 000 items 59-60): events for partner systems.

* `outbox_events`: one row per issue, duplicate, correction or annulment, written in the transaction of the change;
  `id` is the feed's cursor (gapless, in commit order: the `outbox_head` row hands it out under a lock); `event_id`
  is a UUID that never changes (a redelivered webhook and a re-read feed page carry the same one); append-only;
* `outbox_head`: one row (id 1), the last cursor handed out; every append locks it;
* `partner_webhooks`: a partner's webhook (URL, Standard Webhooks secret), the cursor delivered so far, the retry
  state (attempts, next attempt, last error) and the lease a delivery worker holds while it sends.

No IIN: an event names the holder by the registry's keyed reference (`audit.holder_reference`, "hr:" + 16 hex),
which the partner learns for the holders it looked up by IIN (`POST /api/v1/partner/documents`).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, Column, ForeignKey, Integer, String
from sqlmodel import Field

from .base import RegistryModel, UTCDateTime, one_of


class EventKind(StrEnum):
    """What happened to the document an event names."""

    ISSUE = "issue"
    DUPLICATE = "duplicate"
    CORRECTION = "correction"
    ANNULMENT = "annulment"


class OutboxEventRow(RegistryModel, table=True):
    """Row of `outbox_events`: event number `id` (the feed's cursor); append-only."""

    __tablename__ = "outbox_events"
    __table_args__ = (CheckConstraint(one_of("kind", EventKind), name="kind"),)

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    event_id: str = Field(sa_column=Column(String(36), nullable=False, unique=True))
    kind: str = Field(sa_column=Column(String(12), nullable=False))
    institution_bin: str = Field(sa_column=Column(String(12), nullable=False))
    doc_type: str = Field(sa_column=Column(String(16), nullable=False))
    series: str = Field(sa_column=Column(String(5), nullable=False))
    number: str = Field(sa_column=Column(String(7), nullable=False))
    revision: int = Field(sa_column=Column(Integer, nullable=False))
    duplicate_no: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    replaces_series: str | None = Field(default=None, sa_column=Column(String(5), nullable=True))
    replaces_number: str | None = Field(default=None, sa_column=Column(String(7), nullable=True))
    holder_ref: str = Field(sa_column=Column(String(24), nullable=False))
    at: dt.datetime = Field(sa_type=UTCDateTime)


class OutboxHead(RegistryModel, table=True):
    """Row of `outbox_head` (one row, id 1): the last cursor handed out; locked by every append."""

    __tablename__ = "outbox_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    last_id: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class PartnerWebhook(RegistryModel, table=True):
    """Row of `partner_webhooks`: where and how a partner gets the events, and how far delivery got."""

    __tablename__ = "partner_webhooks"

    partner_id: int = Field(sa_column=Column(Integer, ForeignKey("partners.id"), primary_key=True,
                                             autoincrement=False))
    url: str = Field(sa_column=Column(String(2000), nullable=False))
    secret: str = Field(sa_column=Column(String(200), nullable=False))
    delivered_id: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    attempts: int = Field(default=0, sa_column=Column(Integer, nullable=False))
    next_attempt_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, sa_column=Column(String(200), nullable=True))
    lease_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    lease_owner: str | None = Field(default=None, sa_column=Column(String(64), nullable=True))
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)
