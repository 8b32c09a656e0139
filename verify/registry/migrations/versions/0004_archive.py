"""Closed institutions and their archives (issue 13, item 4; seed 000, Rules item 23).

Adds two nullable columns to `institutions` and changes no row:

* `closed_on` (date): the day the ministry marked the institution closed;
* `archive_id` (foreign key to `institutions`): the institution that keeps the closed one's records, whose officers
  then act on its documents (`verify.registry.institutions.handling_institution_id`);

and the check `ck_institutions_closure`: both set or neither, and an institution is not its own archive. Runs on
SQLite (batch mode) and PostgreSQL alike; names from `models.NAMING_CONVENTION`.

Revision ID: 0004_archive
Revises: 0004_outbox
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_archive"
down_revision: str | None = "0004_outbox"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_CLOSURE_CHECK = ("(closed_on IS NULL AND archive_id IS NULL) OR (closed_on IS NOT NULL AND archive_id IS NOT NULL "
                  "AND archive_id <> id)")


def upgrade() -> None:
    """Add `closed_on`, `archive_id` (with its foreign key) and the closure check."""
    with op.batch_alter_table("institutions") as batch:
        batch.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("archive_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_institutions_archive_id_institutions"), "institutions", ["archive_id"],
                                 ["id"])
        batch.create_check_constraint(op.f("ck_institutions_closure"), _CLOSURE_CHECK)


def downgrade() -> None:
    """Drop them again (which institutions closed, and their archives, is lost; the audit log keeps it)."""
    with op.batch_alter_table("institutions") as batch:
        batch.drop_constraint(op.f("ck_institutions_closure"), type_="check")
        batch.drop_constraint(op.f("fk_institutions_archive_id_institutions"), type_="foreignkey")
        batch.drop_column("archive_id")
        batch.drop_column("closed_on")
