"""The outbox of the digital diploma (issue 13 item 7): events, their cursor's head, and partners' webhooks.

Adds three tables and changes none of the earlier revisions:

* `outbox_events`: one row per issue, duplicate, correction or annulment (cursor `id`, stable `event_id` UUID,
  kind, institution BIN, document type, series, number, revision, duplicate number and replaced document, the
  holder's keyed reference, time); append-only (the triggers of revision 0001's kind);
* `outbox_head`: one row, the last cursor handed out, seeded with 0;
* `partner_webhooks`: a partner's webhook URL and secret, the cursor delivered, the retry state and the lease.

Documents issued before this revision have no events: the feed starts with the first change after it (a partner
reads the earlier documents by IIN, `POST /api/v1/partner/documents`).

Revision ID: 0004_outbox
Revises: 0004_appendix
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_outbox"
down_revision: str | None = "0004_appendix"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the outbox's tables, seed its head, add the append-only triggers of `outbox_events`."""
    op.create_table(
        "outbox_events",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("institution_bin", sa.String(length=12), nullable=False),
        sa.Column("doc_type", sa.String(length=16), nullable=False),
        sa.Column("series", sa.String(length=5), nullable=False),
        sa.Column("number", sa.String(length=7), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("duplicate_no", sa.Integer(), nullable=True),
        sa.Column("replaces_series", sa.String(length=5), nullable=True),
        sa.Column("replaces_number", sa.String(length=7), nullable=True),
        sa.Column("holder_ref", sa.String(length=24), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('issue', 'duplicate', 'correction', 'annulment')",
                           name=op.f("ck_outbox_events_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_events")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_events_event_id")),
    )
    op.create_table(
        "outbox_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_id", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_outbox_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_head")),
    )
    op.create_table(
        "partner_webhooks",
        sa.Column("partner_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("secret", sa.String(length=200), nullable=False),
        sa.Column("delivered_id", sa.BigInteger(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=200), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("lease_owner", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["partner_id"], ["partners.id"],
                                name=op.f("fk_partner_webhooks_partner_id_partners")),
        sa.PrimaryKeyConstraint("partner_id", name=op.f("pk_partner_webhooks")),
    )
    head = sa.table("outbox_head", sa.column("id", sa.Integer), sa.column("last_id", sa.BigInteger))
    op.bulk_insert(head, [{"id": 1, "last_id": 0}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE TRIGGER outbox_events_append_only BEFORE UPDATE OR DELETE ON outbox_events "
                   "FOR EACH ROW EXECUTE FUNCTION registry_append_only()")
        op.execute("CREATE TRIGGER outbox_events_no_truncate BEFORE TRUNCATE ON outbox_events "
                   "FOR EACH STATEMENT EXECUTE FUNCTION registry_append_only()")
        return
    for operation in ("UPDATE", "DELETE"):
        op.execute(f"CREATE TRIGGER outbox_events_no_{operation.lower()} BEFORE {operation} ON outbox_events "
                   f"BEGIN SELECT RAISE(ABORT, 'outbox_events is append-only: {operation} refused'); END")


def downgrade() -> None:
    """Drop the outbox's tables (and their triggers with them)."""
    for table in ("partner_webhooks", "outbox_head", "outbox_events"):
        op.drop_table(table)
