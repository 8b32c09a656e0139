"""Initial registry schema: institutions, document types, holders, officers, graduates, documents,
revisions, blank stock, counters, batches, the audit log and its append-only triggers.

Runs on SQLite and PostgreSQL alike (constraint names from `models.NAMING_CONVENTION`).
Seeds: the document types of `verify.doctypes` as they are at this revision, a counter at 0 for
every service-numbered series (seed 001, item 7), the audit chain's head (seq 0, genesis hash)
and a random key for keyed holder references in audit events (`audit.holder_reference`).

Triggers refuse UPDATE and DELETE on `audit_events` and `document_revisions` (and TRUNCATE on
PostgreSQL): history is appended, never rewritten (DESIGN.md, Audit). A later migration that
rebuilds one of these tables on SQLite (batch mode copies the table) must create them again.

Revision ID: 0001
Revises:
Create Date: 2026-11-21
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from verify.doctypes import DOCUMENT_TYPES, NumberingMode

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

APPEND_ONLY_TABLES = ("audit_events", "document_revisions")
#: The document types this revision seeds (revision 0004_doctypes adds the later ones and their names).
TYPES_AT_0001 = ("TVE", "TVE_HONOURS", "POST_SECONDARY", "BD", "BQ", "MD", "MBA", "DBA", "CMD", "CPR", "PHD", "PD")
GENESIS_HASH = "0" * 64


def upgrade() -> None:
    """Create the tables, seed the reference data, add the append-only triggers."""
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_audit_head_single_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.create_table(
        "counters",
        sa.Column("series", sa.String(length=5), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.CheckConstraint("last >= 0 AND last <= 9999999", name=op.f("ck_counters_last_range")),
        sa.PrimaryKeyConstraint("series", name=op.f("pk_counters")),
    )
    op.create_table(
        "document_types",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("cbor_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=5), nullable=True),
        sa.Column("number_width", sa.Integer(), nullable=False),
        sa.Column("numbering", sa.String(length=8), nullable=False),
        sa.Column("qr_required", sa.Boolean(), nullable=False),
        sa.Column("level", sa.String(length=8), nullable=False),
        sa.Column("name_kk", sa.String(length=300), nullable=False),
        sa.Column("name_ru", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.CheckConstraint("numbering IN ('service', 'blank')", name=op.f("ck_document_types_numbering")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_document_types")),
        sa.UniqueConstraint("cbor_id", name=op.f("uq_document_types_cbor_id")),
    )
    op.create_table(
        "holders",
        sa.Column("surname", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=30), nullable=False),
        sa.Column("patronymic", sa.String(length=30), nullable=True),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("iin", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holders")),
        sa.UniqueConstraint("iin", name=op.f("uq_holders_iin")),
    )
    op.create_table(
        "institutions",
        sa.Column("bin", sa.String(length=12), nullable=False),
        sa.Column("name_kk", sa.String(length=300), nullable=False),
        sa.Column("name_ru", sa.String(length=300), nullable=False),
        sa.Column("name_en", sa.String(length=300), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=100), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind IN ('college', 'university')", name=op.f("ck_institutions_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_institutions")),
        sa.UniqueConstraint("bin", name=op.f("uq_institutions_bin")),
    )
    op.create_table(
        "registry_meta",
        sa.Column("key", sa.String(length=40), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_registry_meta")),
    )
    op.create_table(
        "graduates",
        sa.Column("doc_type", sa.String(length=16), nullable=False),
        sa.Column("programme", sa.String(length=12), nullable=False),
        sa.Column("qualification", sa.String(length=12), nullable=True),
        sa.Column("honours", sa.Boolean(), nullable=False),
        sa.Column("award_date", sa.Date(), nullable=False),
        sa.Column("study_group", sa.String(length=64), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("holder_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["doc_type"], ["document_types.code"], name=op.f("fk_graduates_doc_type_document_types")
        ),
        sa.ForeignKeyConstraint(["holder_id"], ["holders.id"], name=op.f("fk_graduates_holder_id_holders")),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institutions.id"], name=op.f("fk_graduates_institution_id_institutions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_graduates")),
        sa.UniqueConstraint(
            "holder_id",
            "doc_type",
            "programme",
            "institution_id",
            name=op.f("uq_graduates_holder_id_doc_type_programme_institution_id"),
        ),
    )
    op.create_index(op.f("ix_graduates_holder_id"), "graduates", ["holder_id"], unique=False)
    op.create_index(
        "ix_graduates_institution_id_study_group", "graduates", ["institution_id", "study_group"], unique=False
    )
    op.create_table(
        "officers",
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("full_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("role IN ('issuer', 'head', 'viewer')", name=op.f("ck_officers_role")),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institutions.id"], name=op.f("fk_officers_institution_id_institutions")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_officers")),
        sa.UniqueConstraint("username", name=op.f("uq_officers_username")),
    )
    op.create_index(op.f("ix_officers_institution_id"), "officers", ["institution_id"], unique=False)
    op.create_table(
        "audit_events",
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=True),
        sa.Column("object_type", sa.String(length=20), nullable=False),
        sa.Column("object_ref", sa.String(length=80), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institutions.id"], name=op.f("fk_audit_events_institution_id_institutions")
        ),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name=op.f("fk_audit_events_officer_id_officers")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_events")),
        sa.UniqueConstraint("hash", name=op.f("uq_audit_events_hash")),
    )
    op.create_table(
        "batches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=128), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("study_group", sa.String(length=64), nullable=False),
        sa.Column("series", sa.String(length=5), nullable=True),
        sa.Column("graduate_ids", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=8), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("state IN ('running', 'done')", name=op.f("ck_batches_state")),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institutions.id"], name=op.f("fk_batches_institution_id_institutions")
        ),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name=op.f("fk_batches_officer_id_officers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_batches")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_batches_idempotency_key")),
    )
    op.create_table(
        "blank_ranges",
        sa.Column("series", sa.String(length=5), nullable=False),
        sa.Column("first_number", sa.Integer(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("next_number", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "first_number >= 0 AND first_number <= last_number AND last_number <= 9999999",
            name=op.f("ck_blank_ranges_bounds"),
        ),
        sa.CheckConstraint(
            "next_number >= first_number AND next_number <= last_number + 1", name=op.f("ck_blank_ranges_cursor")
        ),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institutions.id"], name=op.f("fk_blank_ranges_institution_id_institutions")
        ),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name=op.f("fk_blank_ranges_officer_id_officers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blank_ranges")),
    )
    op.create_index(op.f("ix_blank_ranges_institution_id"), "blank_ranges", ["institution_id"], unique=False)
    op.create_index("ix_blank_ranges_series_first_number", "blank_ranges", ["series", "first_number"], unique=False)
    op.create_table(
        "documents",
        sa.Column("doc_type", sa.String(length=16), nullable=False),
        sa.Column("series", sa.String(length=5), nullable=False),
        sa.Column("number", sa.String(length=7), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("duplicate_no", sa.Integer(), nullable=True),
        sa.Column("duplicate_reason", sa.String(length=16), nullable=True),
        sa.Column("current_revision", sa.Integer(), nullable=False),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("graduate_id", sa.Integer(), nullable=False),
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("original_id", sa.Integer(), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.Column("replaced_by_id", sa.Integer(), nullable=True),
        sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("batch_id", sa.Integer(), nullable=True),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.Integer(), nullable=False),
        sa.Column("annulled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("annul_basis", sa.Text(), nullable=True),
        sa.Column("annulled_by", sa.Integer(), nullable=True),
        sa.CheckConstraint("state IN ('valid', 'replaced', 'annulled')", name=op.f("ck_documents_state")),
        sa.CheckConstraint(
            "(duplicate_no IS NULL) = (original_id IS NULL)", name=op.f("ck_documents_duplicate_has_original")
        ),
        sa.CheckConstraint("current_revision >= 1", name=op.f("ck_documents_revision_positive")),
        sa.CheckConstraint(
            "duplicate_no IS NULL OR duplicate_no >= 1", name=op.f("ck_documents_duplicate_no_positive")
        ),
        sa.ForeignKeyConstraint(["annulled_by"], ["officers.id"], name=op.f("fk_documents_annulled_by_officers")),
        sa.ForeignKeyConstraint(["batch_id"], ["batches.id"], name=op.f("fk_documents_batch_id_batches")),
        sa.ForeignKeyConstraint(
            ["doc_type"], ["document_types.code"], name=op.f("fk_documents_doc_type_document_types")
        ),
        sa.ForeignKeyConstraint(["graduate_id"], ["graduates.id"], name=op.f("fk_documents_graduate_id_graduates")),
        sa.ForeignKeyConstraint(
            ["institution_id"], ["institutions.id"], name=op.f("fk_documents_institution_id_institutions")
        ),
        sa.ForeignKeyConstraint(["issued_by"], ["officers.id"], name=op.f("fk_documents_issued_by_officers")),
        sa.ForeignKeyConstraint(["original_id"], ["documents.id"], name=op.f("fk_documents_original_id_documents")),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"], ["documents.id"], name=op.f("fk_documents_replaced_by_id_documents")
        ),
        sa.ForeignKeyConstraint(["replaces_id"], ["documents.id"], name=op.f("fk_documents_replaces_id_documents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
        sa.UniqueConstraint("original_id", "duplicate_no", name=op.f("uq_documents_original_id_duplicate_no")),
        sa.UniqueConstraint("series", "number", name=op.f("uq_documents_series_number")),
    )
    op.create_index(op.f("ix_documents_batch_id"), "documents", ["batch_id"], unique=False)
    op.create_index(op.f("ix_documents_graduate_id"), "documents", ["graduate_id"], unique=False)
    op.create_index(op.f("ix_documents_institution_id"), "documents", ["institution_id"], unique=False)
    op.create_index(
        "uq_documents_graduate_id_original",
        "documents",
        ["graduate_id"],
        unique=True,
        sqlite_where=sa.text("original_id IS NULL"),
        postgresql_where=sa.text("original_id IS NULL"),
    )
    op.create_table(
        "blanks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("range_id", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=5), nullable=False),
        sa.Column("number", sa.String(length=7), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.CheckConstraint("(state = 'used') = (document_id IS NOT NULL)", name=op.f("ck_blanks_used_has_document")),
        sa.CheckConstraint("state = 'used' OR reason IS NOT NULL", name=op.f("ck_blanks_write_off_has_reason")),
        sa.CheckConstraint("state IN ('used', 'written_off')", name=op.f("ck_blanks_state")),
        sa.ForeignKeyConstraint(["document_id"], ["documents.id"], name=op.f("fk_blanks_document_id_documents")),
        sa.ForeignKeyConstraint(["officer_id"], ["officers.id"], name=op.f("fk_blanks_officer_id_officers")),
        sa.ForeignKeyConstraint(["range_id"], ["blank_ranges.id"], name=op.f("fk_blanks_range_id_blank_ranges")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_blanks")),
        sa.UniqueConstraint("series", "number", name=op.f("uq_blanks_series_number")),
    )
    op.create_index(op.f("ix_blanks_range_id"), "blanks", ["range_id"], unique=False)
    op.create_table(
        "document_revisions",
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("cose", sa.LargeBinary(), nullable=False),
        sa.Column("payload_sha256", sa.String(length=64), nullable=False),
        sa.Column("qr_text", sa.Text(), nullable=False),
        sa.Column("kid", sa.String(length=16), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_fields", sa.JSON(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("officer_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["documents.id"], name=op.f("fk_document_revisions_document_id_documents")
        ),
        sa.ForeignKeyConstraint(
            ["officer_id"], ["officers.id"], name=op.f("fk_document_revisions_officer_id_officers")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_document_revisions")),
        sa.UniqueConstraint("document_id", "revision", name=op.f("uq_document_revisions_document_id_revision")),
    )
    _seed()
    _create_triggers()


def _seed() -> None:
    document_types = sa.table(
        "document_types",
        sa.column("code", sa.String),
        sa.column("cbor_id", sa.Integer),
        sa.column("series", sa.String),
        sa.column("number_width", sa.Integer),
        sa.column("numbering", sa.String),
        sa.column("qr_required", sa.Boolean),
        sa.column("level", sa.String),
        sa.column("name_kk", sa.String),
        sa.column("name_ru", sa.String),
        sa.column("name_en", sa.String),
    )
    op.bulk_insert(
        document_types,
        [
            {
                "code": t.code,
                "cbor_id": t.cbor_id,
                "series": t.series,
                "number_width": t.number_width,
                "numbering": t.numbering.value,
                "qr_required": t.qr_required,
                "level": t.level,
                "name_kk": t.names["kk"],
                "name_ru": t.names["ru"],
                "name_en": t.names["en"],
            }
            for t in DOCUMENT_TYPES
            if t.code in TYPES_AT_0001
        ],
    )
    counters = sa.table("counters", sa.column("series", sa.String), sa.column("last", sa.Integer))
    op.bulk_insert(
        counters,
        [
            {"series": t.series, "last": 0}
            for t in DOCUMENT_TYPES
            if t.numbering is NumberingMode.SERVICE and t.series is not None and t.code in TYPES_AT_0001
        ],
    )
    head = sa.table(
        "audit_head", sa.column("id", sa.Integer), sa.column("seq", sa.Integer), sa.column("hash", sa.String)
    )
    op.bulk_insert(head, [{"id": 1, "seq": 0, "hash": GENESIS_HASH}])
    meta = sa.table("registry_meta", sa.column("key", sa.String), sa.column("value", sa.String))
    op.bulk_insert(meta, [{"key": "audit_reference_key", "value": secrets.token_hex(32)}])


def _create_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION registry_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP "
            "USING ERRCODE = 'insufficient_privilege'; END $$"
        )
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION registry_append_only()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION registry_append_only()"
            )
        return
    for table in APPEND_ONLY_TABLES:
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: {operation} refused'); END"
            )


def _drop_triggers() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for table in APPEND_ONLY_TABLES:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute("DROP FUNCTION IF EXISTS registry_append_only()")
        return
    for table in APPEND_ONLY_TABLES:
        for operation in ("update", "delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation}")


def downgrade() -> None:
    """Drop everything this revision created (the registry's data with it)."""
    _drop_triggers()
    for table in (
        "document_revisions",
        "blanks",
        "documents",
        "blank_ranges",
        "batches",
        "audit_events",
        "officers",
        "graduates",
        "registry_meta",
        "institutions",
        "holders",
        "document_types",
        "counters",
        "audit_head",
    ):
        op.drop_table(table)
