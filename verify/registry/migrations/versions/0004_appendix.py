"""Appendices: the imported rows of each graduate and the signed appendices of documents (issue 17 item 1).

Revision ID: 0004_appendix
Revises: 0004_oid4vci
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_appendix"
down_revision: str | None = "0004_oid4vci"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `graduate_appendices` and `document_appendices`."""
    op.create_table(
        "graduate_appendices",
        sa.Column("graduate_id", sa.Integer(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["graduate_id"], ["graduates.id"],
                                name=op.f("fk_graduate_appendices_graduate_id_graduates")),
        sa.PrimaryKeyConstraint("graduate_id", name=op.f("pk_graduate_appendices")),
    )
    op.create_table(
        "document_appendices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("diploma_revision", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("duplicate_no", sa.Integer(), nullable=True),
        sa.Column("cose", sa.LargeBinary(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_document_appendices_revision_positive")),
        sa.CheckConstraint("diploma_revision >= 1", name=op.f("ck_document_appendices_diploma_revision_positive")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_document_appendices_document_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_appendices")),
        sa.UniqueConstraint("document_id", "diploma_revision", "revision", "duplicate_no",
                            name=op.f("uq_document_appendices_document_id_diploma_revision_revision_duplicate_no")),
    )
    op.create_index(op.f("ix_document_appendices_document_id"), "document_appendices", ["document_id"],
                    unique=False)


def downgrade() -> None:
    """Drop the two tables."""
    op.drop_table("document_appendices")
    op.drop_table("graduate_appendices")
