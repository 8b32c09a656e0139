"""The registry's signed status lists and the highest versions seen (issue 12 item 1; issue 10 item 4).

* `StatusListRow`: one row per series: the version of its newest signed list, whether a lifecycle change made it
  due again (`dirty`, set in the same transaction as the change), and the list itself (the COSE bytes exactly as
  published, its SHA-256 and its times), so that every instance serves the same bytes (docs/FORMAT.md §9.4, §9.8);
* `VersionStateRow`: the highest version seen per key (`verify.versionstate`: `trust-list/<root kid>`), and for
  the trust list the document of that version, so that the service never loads or serves an older trust list
  after a restart (docs/FORMAT.md §6.4).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Column, LargeBinary
from sqlmodel import Field

from .base import RegistryModel, UTCDateTime


class StatusListRow(RegistryModel, table=True):
    """Row of `status_lists`: the newest signed list of one series and whether it is due again.

    `version` is 0 and the list columns are NULL until the first list is signed; `dirty` is true when a
    lifecycle change (issue, duplicate, correction, annulment) touched a document of the series since: triggers
    on `documents` (migration 0003) set it for every INSERT and UPDATE, ORM or Core, in the same transaction, and
    make the row on a series' first document.
    """

    __tablename__ = "status_lists"
    __table_args__ = (
        CheckConstraint("version >= 0", name="version_not_negative"),
        CheckConstraint("(version = 0) = (cose IS NULL)", name="version_has_list"),
    )

    series: str = Field(primary_key=True, max_length=5)
    version: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    dirty: bool = True
    issued_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_update: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    expires_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    cose: bytes | None = Field(default=None, sa_type=LargeBinary, description="the COSE_Sign1 (§9.3)")
    sha256: str | None = Field(default=None, max_length=64, description="hex SHA-256 of `cose`")
    count: int = Field(default=0, description="issued numbers in the list")


class VersionStateRow(RegistryModel, table=True):
    """Row of `version_states`: the highest version seen of one key; for a trust list, that version's document."""

    __tablename__ = "version_states"
    __table_args__ = (CheckConstraint("highest >= 0", name="highest_not_negative"),)

    key: str = Field(primary_key=True, max_length=200)
    highest: int = Field(sa_column=Column(BigInteger, nullable=False))
    document: bytes | None = Field(default=None, sa_type=LargeBinary,
                                   description="the signed document of version `highest`, when kept")
    updated_at: dt.datetime = Field(sa_type=UTCDateTime)

