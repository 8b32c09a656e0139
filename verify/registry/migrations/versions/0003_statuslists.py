"""Signed status lists per series, and the highest trust-list (and other) versions seen.

Adds two tables and changes none of the earlier ones:

* `status_lists`: one row per series: the version of its newest signed list, `dirty` (a lifecycle change since),
  and the list itself (COSE bytes, SHA-256, issue time, next update, expiry, count); every series that has
  documents gets a dirty row, so that an upgraded registry signs its first lists on the first request or export
  (issue 12 item 1; docs/FORMAT.md §9.4);
  Triggers on `documents` (AFTER INSERT, AFTER UPDATE) mark the series of every written document dirty in the
  same transaction, whatever writes it (ORM or Core, issue, batch, duplicate, correction, annulment): on PostgreSQL
  the upsert keeps the row locked until the change commits, so a regeneration that locks it first reads the
  change or leaves the row dirty again;
* `version_states`: the highest version seen per key and, for a trust list, its document (issue 10 item 4;
  docs/FORMAT.md §6.4).

Runs on SQLite and PostgreSQL alike (names from `models.NAMING_CONVENTION`).

Revision ID: 0003_statuslists
Revises: 0003_holders
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_statuslists"
down_revision: str | None = "0003_holders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `status_lists` (a dirty row for every series with documents) and `version_states`."""
    op.create_table(
        "status_lists",
        sa.Column("series", sa.String(length=5), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("dirty", sa.Boolean(), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_update", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cose", sa.LargeBinary(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.CheckConstraint("version >= 0", name=op.f("ck_status_lists_version_not_negative")),
        sa.CheckConstraint("(version = 0) = (cose IS NULL)", name=op.f("ck_status_lists_version_has_list")),
        sa.PrimaryKeyConstraint("series", name=op.f("pk_status_lists")),
    )
    op.execute("INSERT INTO status_lists (series, version, dirty, count) "
               "SELECT DISTINCT series, 0, true, 0 FROM documents")
    _create_triggers()
    op.create_table(
        "version_states",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("highest", sa.BigInteger(), nullable=False),
        sa.Column("document", sa.LargeBinary(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("highest >= 0", name=op.f("ck_version_states_highest_not_negative")),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_version_states")),
    )


_UPSERT = ("INSERT INTO status_lists (series, version, dirty, count) VALUES (NEW.series, 0, true, 0) "
           "ON CONFLICT (series) DO UPDATE SET dirty = true")


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE FUNCTION status_list_dirty() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN {_UPSERT}; RETURN NULL; END $$")
        op.execute("CREATE TRIGGER documents_status_list_dirty AFTER INSERT OR UPDATE ON documents "
                   "FOR EACH ROW EXECUTE FUNCTION status_list_dirty()")
        return
    for operation in ("INSERT", "UPDATE"):
        op.execute(f"CREATE TRIGGER documents_status_list_dirty_{operation.lower()} AFTER {operation} ON documents "
                   f"FOR EACH ROW BEGIN {_UPSERT}; END")


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS documents_status_list_dirty ON documents")
        op.execute("DROP FUNCTION IF EXISTS status_list_dirty()")
        return
    for operation in ("insert", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS documents_status_list_dirty_{operation}")


def downgrade() -> None:
    """Drop the triggers and both tables (the lists are signed again from the documents; the versions seen are
    forgotten)."""
    _drop_triggers()
    op.drop_table("version_states")
    op.drop_table("status_lists")
