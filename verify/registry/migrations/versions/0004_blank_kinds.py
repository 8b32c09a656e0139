"""Blank kinds, annulment kinds, and a new original after an annulment that allows it (issue 13, item 5).

* `blank_ranges.kind`: ordinary (dark blue), honours (red) or altyn_belgi (light blue) by the cover's colour (seed
  000, Rules item 8); existing ranges are ordinary;
* `documents.annul_kind`: order (final), issued_in_error (the graduate may get a new original) or spoiled (its
  blank was spoiled while printing; the document continues on a new blank); existing annulments are NULL, read as
  order;
* the partial unique index `uq_documents_graduate_id_original` (one original per graduate) leaves out originals
  annulled as issued in error or spoiled.

Runs on SQLite and PostgreSQL alike; names from `models.NAMING_CONVENTION`. `documents` is changed with plain ALTER
TABLE, never SQLite's batch mode: a batch copies the table and would drop its status-list triggers (0003_statuslists).

Revision ID: 0004_blank_kinds
Revises: 0004_archive
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_blank_kinds"
down_revision: str | None = "0004_archive"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_IN_FORCE = "original_id IS NULL AND (annul_kind IS NULL OR annul_kind = 'order')"
_ANY = "original_id IS NULL"
_ANNUL_KINDS = "annul_kind IS NULL OR annul_kind IN ('order', 'issued_in_error', 'spoiled')"


def _original_index(where: str) -> None:
    op.create_index("uq_documents_graduate_id_original", "documents", ["graduate_id"], unique=True,
                    sqlite_where=sa.text(where), postgresql_where=sa.text(where))


def upgrade() -> None:
    """Add the kinds and narrow the one-original index."""
    with op.batch_alter_table("blank_ranges") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=False, server_default="ordinary"))
        batch.create_check_constraint(op.f("ck_blank_ranges_kind"), "kind IN ('ordinary', 'honours', 'altyn_belgi')")
    with op.batch_alter_table("blank_ranges") as batch:
        batch.alter_column("kind", server_default=None)
    op.drop_index("uq_documents_graduate_id_original", table_name="documents")
    # a column constraint: SQLite adds it with the column (ALTER TABLE ... ADD COLUMN ... CHECK), PostgreSQL too
    op.execute("ALTER TABLE documents ADD COLUMN annul_kind VARCHAR(16) CONSTRAINT ck_documents_annul_kind "
               f"CHECK ({_ANNUL_KINDS})")
    _original_index(_IN_FORCE)


def downgrade() -> None:
    """Drop them again; refused (an IntegrityError) while a graduate has a second original after such an annulment."""
    op.drop_index("uq_documents_graduate_id_original", table_name="documents")
    op.execute("ALTER TABLE documents DROP COLUMN annul_kind")  # SQLite >= 3.35; its constraint goes with it
    _original_index(_ANY)
    with op.batch_alter_table("blank_ranges") as batch:
        batch.drop_constraint(op.f("ck_blank_ranges_kind"), type_="check")
        batch.drop_column("kind")
