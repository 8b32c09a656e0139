"""Applications as cases, and the registrar role (issue 13, items 1-3).

* `applications`: one application for a duplicate, a correction or an annulment, with its number, the day received,
  the channel, the documents presented, its state, its due date, the registrar's proposal and the head's decision;
* `application_events`: the timeline of each case;
* `application_counters`: the last application number per institution and year;
* the officer role "issuer" becomes "registrar" (the CHECK constraint of `officers.role` and every row): a registrar
  prepares, a head approves (seed 000, item 24; seed 001, item 7).

Runs on SQLite (batch mode copies `officers`; the migrations' own connection has no `PRAGMA foreign_keys`) and
PostgreSQL alike; names from `models.NAMING_CONVENTION`. `downgrade` drops the tables and names the role "issuer"
again.

Revision ID: 0004_cases
Revises: 0004_doctypes
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_cases"
down_revision: str | None = "0004_doctypes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OFFICERS = sa.table("officers", sa.column("role", sa.String()))


def _roles(old: str, new: str) -> None:
    with op.batch_alter_table("officers") as batch:
        batch.drop_constraint(op.f("ck_officers_role"), type_="check")
    op.execute(_OFFICERS.update().where(_OFFICERS.c.role == old).values(role=new))
    with op.batch_alter_table("officers") as batch:
        batch.create_check_constraint(op.f("ck_officers_role"), sa.text(f"role IN ('{new}', 'head', 'viewer')"))


def upgrade() -> None:
    """Create the case tables; rename the role issuer -> registrar."""
    _roles("issuer", "registrar")
    op.create_table(
        "applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("term", sa.String(length=16), nullable=True),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.Column("changes", sa.JSON(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=True),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=12), nullable=False),
        sa.Column("presented", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("prepared_by", sa.Integer(), nullable=True),
        sa.Column("proposal", sa.String(length=8), nullable=True),
        sa.Column("refusal_reasons", sa.JSON(), nullable=False),
        sa.Column("refusal_text", sa.Text(), nullable=True),
        sa.Column("notice_on", sa.Date(), nullable=True),
        sa.Column("hearing_until", sa.Date(), nullable=True),
        sa.Column("approved_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("result_document_id", sa.Integer(), nullable=True),
        sa.Column("result_revision", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('duplicate', 'correction', 'annulment')", name=op.f("ck_applications_kind")),
        sa.CheckConstraint("state IN ('registered', 'under_review', 'refusal_notice', 'hearing', 'awaiting_approval', "
                           "'granted', 'refused')", name=op.f("ck_applications_state")),
        sa.CheckConstraint("channel IN ('in_person', 'egov')", name=op.f("ck_applications_channel")),
        sa.CheckConstraint("scope IN ('document', 'appendix')", name=op.f("ck_applications_scope")),
        sa.CheckConstraint("term IS NULL OR term IN ('duplicate', 'correction-tve', 'correction-he')",
                           name=op.f("ck_applications_term")),
        sa.CheckConstraint("reason IS NULL OR reason IN ('lost', 'damaged', 'name_changed', 'filling_error', 'order', "
                           "'issued_in_error')",
                           name=op.f("ck_applications_reason")),
        sa.CheckConstraint("proposal IS NULL OR proposal IN ('grant', 'refuse')",
                           name=op.f("ck_applications_proposal")),
        sa.ForeignKeyConstraint(["institution_id"], ["institutions.id"],
                                name=op.f("fk_applications_institution_id_institutions")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_applications_document_id_documents")),
        sa.ForeignKeyConstraint(["prepared_by"], ["officers.id"], name=op.f("fk_applications_prepared_by_officers")),
        sa.ForeignKeyConstraint(["approved_by"], ["officers.id"], name=op.f("fk_applications_approved_by_officers")),
        sa.ForeignKeyConstraint(["result_document_id"], ["documents.id"],
                                name=op.f("fk_applications_result_document_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_applications")),
        sa.UniqueConstraint("number", name=op.f("uq_applications_number")),
    )
    op.create_index(op.f("ix_applications_document_id"), "applications", ["document_id"], unique=False)
    op.create_index("ix_applications_institution_id_state_due_on", "applications",
                    ["institution_id", "state", "due_on"], unique=False)
    op.create_table(
        "application_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("application_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_kind", sa.String(length=12), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=24), nullable=False),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(["application_id"], ["applications.id"],
                                name=op.f("fk_application_events_application_id_applications")),
        sa.ForeignKeyConstraint(["actor_id"], ["officers.id"], name=op.f("fk_application_events_actor_id_officers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_application_events")),
    )
    op.create_index(op.f("ix_application_events_application_id"), "application_events", ["application_id"],
                    unique=False)
    op.create_table(
        "application_counters",
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["institution_id"], ["institutions.id"],
                                name=op.f("fk_application_counters_institution_id_institutions")),
        sa.PrimaryKeyConstraint("institution_id", "year", name=op.f("pk_application_counters")),
    )


def downgrade() -> None:
    """Drop the case tables; name the role "issuer" again."""
    op.drop_table("application_counters")
    op.drop_index(op.f("ix_application_events_application_id"), table_name="application_events")
    op.drop_table("application_events")
    op.drop_index("ix_applications_institution_id_state_due_on", table_name="applications")
    op.drop_index(op.f("ix_applications_document_id"), table_name="applications")
    op.drop_table("applications")
    _roles("registrar", "issuer")
