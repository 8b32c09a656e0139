"""The transparency log's tables (issue 15; docs/TRANSPARENCY.md §4): entries, stored hashes, head, checkpoints.

* `tlog_entries`: one row per leaf, the entry bytes (docs/TRANSPARENCY.md §3), its RFC 9162 leaf hash and, to find
  a document's entries, its series, number and revision; append-only (triggers, migration 0003);
* `tlog_hashes`: the stored hashes of Go's sumdb/tlog layout (`verify.transparency.store`): 2n - popcount(n) rows
  for n leaves, append-only;
* `tlog_head`: one row (id 1), the tree size and root; every append locks it, so the log never forks;
* `tlog_checkpoints`: every signed checkpoint (C2SP tlog-checkpoint note), with the audit chain head it anchored;
  append-only.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import BigInteger, CheckConstraint, Column, Index, Integer, LargeBinary, String, Text
from sqlmodel import Field

from .base import RegistryModel, UTCDateTime

#: SHA-256 of nothing: the root of the empty tree (RFC 9162 §2.1.1).
EMPTY_TREE_ROOT = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


class LogEntryRow(RegistryModel, table=True):
    """Row of `tlog_entries`: leaf `idx` of the log (append-only)."""

    __tablename__ = "tlog_entries"
    __table_args__ = (Index("ix_tlog_entries_document", "series", "number", "revision"),)

    idx: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    leaf_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    entry_type: int = Field(sa_column=Column(Integer, nullable=False))
    series: str | None = Field(default=None, sa_column=Column(String(5), nullable=True))
    number: str | None = Field(default=None, sa_column=Column(String(7), nullable=True))
    revision: int | None = Field(default=None, sa_column=Column(Integer, nullable=True))
    institution_bin: str | None = Field(default=None, sa_column=Column(String(12), nullable=True))
    created_at: dt.datetime = Field(sa_type=UTCDateTime)


class LogHashRow(RegistryModel, table=True):
    """Row of `tlog_hashes`: stored hash number `idx` (`verify.transparency.store.stored_hash_index`)."""

    __tablename__ = "tlog_hashes"

    idx: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class LogHead(RegistryModel, table=True):
    """Row of `tlog_head` (one row, id 1): the tree size and root; locked by every append."""

    __tablename__ = "tlog_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: int = Field(default=1, primary_key=True, sa_column_kwargs={"autoincrement": False})
    tree_size: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    root_hash: bytes = Field(default=EMPTY_TREE_ROOT, sa_column=Column(LargeBinary, nullable=False))


class LogCheckpoint(RegistryModel, table=True):
    """Row of `tlog_checkpoints`: a signed checkpoint (append-only) and the audit head anchored before it."""

    __tablename__ = "tlog_checkpoints"

    tree_size: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    root_hash: bytes = Field(sa_column=Column(LargeBinary, nullable=False))
    note: str = Field(sa_column=Column(Text, nullable=False))
    audit_seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    created_at: dt.datetime = Field(sa_type=UTCDateTime)
