"""The transparency log (issue 15): entries, stored hashes, head and signed checkpoints.

Adds four tables and changes none of the earlier revisions:

* `tlog_entries`: leaf index, entry bytes, leaf hash, entry type, and the document's series, number, revision and
  institution BIN (to find its entries); append-only;
* `tlog_hashes`: the stored hashes (Go sumdb/tlog layout), append-only;
* `tlog_head`: one row, the tree size and root, seeded with the empty tree;
* `tlog_checkpoints`: every signed checkpoint note with the audit chain head it anchored; append-only.

The append-only triggers are those of revision 0001 (PostgreSQL: the function `registry_append_only`; SQLite:
RAISE(ABORT)). A registry migrated from 0002 with documents already issued has no entries for them: `verify log
backfill` is not offered on purpose, a log starts empty and the earlier documents verify NOT_IN_LOG until they are
re-issued (docs/TRANSPARENCY.md §6).

Revision ID: 0003_tlog
Revises: 0003_statuslists
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_tlog"
down_revision: str | None = "0003_statuslists"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ("tlog_entries", "tlog_hashes", "tlog_checkpoints")
EMPTY_TREE_ROOT = bytes.fromhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


def upgrade() -> None:
    """Create the log's tables, seed its head (the empty tree), add the append-only triggers."""
    op.create_table(
        "tlog_entries",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(), nullable=False),
        sa.Column("entry_type", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=5), nullable=True),
        sa.Column("number", sa.String(length=7), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=True),
        sa.Column("institution_bin", sa.String(length=12), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_tlog_entries")),
    )
    op.create_index("ix_tlog_entries_document", "tlog_entries", ["series", "number", "revision"], unique=False)
    op.create_table(
        "tlog_hashes",
        sa.Column("idx", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_tlog_hashes")),
    )
    op.create_table(
        "tlog_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_tlog_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_tlog_head")),
    )
    op.create_table(
        "tlog_checkpoints",
        sa.Column("tree_size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root_hash", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tree_size", name=op.f("pk_tlog_checkpoints")),
    )
    head = sa.table("tlog_head", sa.column("id", sa.Integer), sa.column("tree_size", sa.BigInteger),
                    sa.column("root_hash", sa.LargeBinary))
    op.bulk_insert(head, [{"id": 1, "tree_size": 0, "root_hash": EMPTY_TREE_ROOT}])
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                       "FOR EACH ROW EXECUTE FUNCTION registry_append_only()")
            op.execute(f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION registry_append_only()")
        return
    for table in APPEND_ONLY_TABLES:
        for operation in ("UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                       f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END")


def downgrade() -> None:
    """Drop the log's tables (and their triggers with them)."""
    for table in ("tlog_checkpoints", "tlog_head", "tlog_hashes", "tlog_entries"):
        op.drop_table(table)
