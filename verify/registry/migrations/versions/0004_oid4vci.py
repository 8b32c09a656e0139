"""Credential offers and nonces of the OID4VCI pre-authorized code flow (issue 17 item 3).

Adds two tables and changes none of the earlier revisions:

* `credential_offers`: a pre-authorized code (its SHA-256) for one document revision, the transaction code's
  digest, wrong attempts, the access token's digest once redeemed, and the credential's issue;
* `credential_nonces`: the Nonce Endpoint's `c_nonce` values (their SHA-256), each usable once.

Revision ID: 0004_oid4vci
Revises: 0003_tlog
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_oid4vci"
down_revision: str | None = "0003_tlog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create `credential_offers` and `credential_nonces`."""
    op.create_table(
        "credential_offers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("code_sha256", sa.String(length=64), nullable=False),
        sa.Column("tx_code_sha256", sa.String(length=64), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("redeemed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("token_sha256", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("subject_id", sa.String(length=2000), nullable=True),
        sa.CheckConstraint("attempts >= 0", name=op.f("ck_credential_offers_attempts_not_negative")),
        sa.CheckConstraint("revision >= 1", name=op.f("ck_credential_offers_revision_positive")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"],
                                name=op.f("fk_credential_offers_document_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_offers")),
        sa.UniqueConstraint("code_sha256", name=op.f("uq_credential_offers_code_sha256")),
        sa.UniqueConstraint("token_sha256", name=op.f("uq_credential_offers_token_sha256")),
    )
    op.create_index(op.f("ix_credential_offers_document_id"), "credential_offers", ["document_id"], unique=False)
    op.create_table(
        "credential_nonces",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nonce_sha256", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_nonces")),
        sa.UniqueConstraint("nonce_sha256", name=op.f("uq_credential_nonces_nonce_sha256")),
    )
    op.create_index(op.f("ix_credential_nonces_expires_at"), "credential_nonces", ["expires_at"], unique=False)


def downgrade() -> None:
    """Drop the two tables."""
    op.drop_table("credential_nonces")
    op.drop_table("credential_offers")
