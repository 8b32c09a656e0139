"""The audit log: append-only, hash-chained events (who, what, when, why), its head, and the registry's settings."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Text
from sqlmodel import Field

from .base import GENESIS_HASH, RegistryModel, UTCDateTime


class AuditEventBase(RegistryModel):
    """Who did what, when and why, with the state before and after (JSON), in a hash chain."""

    at: dt.datetime = Field(sa_type=UTCDateTime)
    officer_id: int | None = Field(default=None, foreign_key="officers.id")
    actor: str = Field(max_length=64, description="officer username, or 'admin' for the command line")
    action: str = Field(max_length=40, description="e.g. document.issue, document.duplicate")
    institution_id: int | None = Field(default=None, foreign_key="institutions.id")
    object_type: str = Field(max_length=20)
    object_ref: str = Field(max_length=80, description="e.g. 'BD 0000042'; never an IIN")
    reason: str | None = Field(default=None, sa_type=Text)
    before: dict[str, Any] | None = Field(default=None, sa_type=JSON)
    after: dict[str, Any] | None = Field(default=None, sa_type=JSON)


class AuditEvent(AuditEventBase, table=True):
    """Row of `audit_events`: append-only (triggers refuse UPDATE and DELETE); `seq` is contiguous from 1."""

    __tablename__ = "audit_events"

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class AuditHead(RegistryModel, table=True):
    """Row of `audit_head` (one row, id 1): the last event's seq and hash; locked by every append."""

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    hash: str = Field(default=GENESIS_HASH, max_length=64)


class RegistryMeta(RegistryModel, table=True):
    """Row of `registry_meta`: settings of this database (the audit reference key)."""

    __tablename__ = "registry_meta"

    key: str = Field(max_length=40, primary_key=True)
    value: str = Field(max_length=200)
