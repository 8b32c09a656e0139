"""Holders per institution: each institution owns its record of a person (issue 10, item 8).

Revision 0002 kept one `holders` row per IIN for every institution, so an import by institution B showed B the
name institution A had registered, answered whether A had registered the IIN at all (the birth-date check), and
renamed A's graduate before A issued. From this revision a holder row belongs to one institution:

* `holders.institution_id` (foreign key to `institutions`), unique (institution_id, iin) instead of unique iin, and
  an index on iin (the partner look-up of a person's documents across institutions);
* the split: one row per (institution, holder) pair of `graduates` (the import rows, and through them every
  document). The lowest institution keeps the existing row, every other institution gets a copy, and its graduates
  point to it. Where the institution has issued a document for the person, its row takes the name of its latest
  signed revision (what it registered and printed); otherwise the name as it was. A holder row no graduate refers
  to belongs to no institution and is removed.

`downgrade` merges the rows of one IIN back into its lowest id (the names of the other institutions' rows are
lost, as revision 0002 could not hold them). The tables touched have no append-only triggers. Runs on SQLite (batch
mode) and PostgreSQL alike; names from `models.NAMING_CONVENTION`.

Revision ID: 0003_holders
Revises: 0002
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003_holders"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_HOLDERS = sa.table(
    "holders", sa.column("id", sa.Integer()), sa.column("institution_id", sa.Integer()),
    sa.column("iin", sa.String()), sa.column("surname", sa.String()), sa.column("name", sa.String()),
    sa.column("patronymic", sa.String()), sa.column("birth_date", sa.Date()),
    sa.column("created_at", sa.DateTime(timezone=True)), sa.column("updated_at", sa.DateTime(timezone=True)))
_GRADUATES = sa.table("graduates", sa.column("id", sa.Integer()), sa.column("holder_id", sa.Integer()),
                      sa.column("institution_id", sa.Integer()))
_DOCUMENTS = sa.table("documents", sa.column("id", sa.Integer()), sa.column("graduate_id", sa.Integer()),
                      sa.column("issued_at", sa.DateTime(timezone=True)))
_REVISIONS = sa.table("document_revisions", sa.column("document_id", sa.Integer()),
                      sa.column("revision", sa.Integer()), sa.column("record", sa.JSON()))
_COPIED = ("iin", "surname", "name", "patronymic", "birth_date", "created_at", "updated_at")


def upgrade() -> None:
    """Give every holder row its institution: split the rows shared by several institutions."""
    with op.batch_alter_table("holders") as batch:
        batch.add_column(sa.Column("institution_id", sa.Integer(), nullable=True))
        batch.drop_constraint(op.f("uq_holders_iin"), type_="unique")
    bind = op.get_bind()
    pairs = bind.execute(sa.select(_GRADUATES.c.holder_id, _GRADUATES.c.institution_id).distinct()
                         .order_by(_GRADUATES.c.holder_id, _GRADUATES.c.institution_id)).all()
    shared: dict[int, dict[str, Any]] = {}  # each holder row as revision 0002 left it
    for holder_id, institution_id in pairs:
        values: dict[str, Any] = {"institution_id": institution_id, **_signed_name(bind, holder_id, institution_id)}
        if holder_id not in shared:
            shared[holder_id] = bind.execute(sa.select(*(_HOLDERS.c[name] for name in _COPIED))
                                             .where(_HOLDERS.c.id == holder_id)).one()._asdict()
            bind.execute(_HOLDERS.update().where(_HOLDERS.c.id == holder_id).values(**values))
            continue
        copy_id = bind.execute(_HOLDERS.insert().values(**{**shared[holder_id], **values})
                               .returning(_HOLDERS.c.id)).scalar_one()
        bind.execute(_GRADUATES.update().where(_GRADUATES.c.holder_id == holder_id,
                                               _GRADUATES.c.institution_id == institution_id)
                     .values(holder_id=copy_id))
    bind.execute(_HOLDERS.delete().where(_HOLDERS.c.institution_id.is_(None)))
    with op.batch_alter_table("holders") as batch:
        batch.alter_column("institution_id", existing_type=sa.Integer(), nullable=False)
        batch.create_unique_constraint(op.f("uq_holders_institution_id_iin"), ["institution_id", "iin"])
        batch.create_foreign_key(op.f("fk_holders_institution_id_institutions"), "institutions",
                                 ["institution_id"], ["id"])
        batch.create_index(op.f("ix_holders_iin"), ["iin"], unique=False)


def _signed_name(bind: sa.Connection, holder_id: int, institution_id: int) -> dict[str, Any]:
    """The holder's name on the institution's latest signed revision for them, or {} when it issued none."""
    record = bind.execute(
        sa.select(_REVISIONS.c.record)
        .join(_DOCUMENTS, _DOCUMENTS.c.id == _REVISIONS.c.document_id)
        .join(_GRADUATES, _GRADUATES.c.id == _DOCUMENTS.c.graduate_id)
        .where(_GRADUATES.c.holder_id == holder_id, _GRADUATES.c.institution_id == institution_id)
        .order_by(_DOCUMENTS.c.issued_at.desc(), _DOCUMENTS.c.id.desc(), _REVISIONS.c.revision.desc())
        .limit(1)).scalar()
    if not isinstance(record, dict) or not isinstance(record.get("holder"), dict):
        return {}
    holder = record["holder"]
    return {"surname": holder["surname"], "name": holder["name"], "patronymic": holder.get("patronymic")}


def downgrade() -> None:
    """One row per IIN again: every IIN's graduates point to its lowest row, the other rows go."""
    bind = op.get_bind()
    lowest = {iin: holder_id for holder_id, iin in bind.execute(
        sa.select(sa.func.min(_HOLDERS.c.id), _HOLDERS.c.iin).group_by(_HOLDERS.c.iin)).all()}
    for holder_id, iin in bind.execute(sa.select(_HOLDERS.c.id, _HOLDERS.c.iin)).all():
        if lowest[iin] != holder_id:
            bind.execute(_GRADUATES.update().where(_GRADUATES.c.holder_id == holder_id)
                         .values(holder_id=lowest[iin]))
            bind.execute(_HOLDERS.delete().where(_HOLDERS.c.id == holder_id))
    with op.batch_alter_table("holders") as batch:
        batch.drop_index(op.f("ix_holders_iin"))
        batch.drop_constraint(op.f("fk_holders_institution_id_institutions"), type_="foreignkey")
        batch.drop_constraint(op.f("uq_holders_institution_id_iin"), type_="unique")
        batch.create_unique_constraint(op.f("uq_holders_iin"), ["iin"])
        batch.drop_column("institution_id")
