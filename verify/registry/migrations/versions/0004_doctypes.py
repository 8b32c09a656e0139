"""Document types of issue 13 item 6: post-secondary honours, the certificate of incomplete studies, exact names.

* inserts `POST_SEC_HONOURS` (seed 000, Rules item 5: "орта білімнен кейінгі білім туралы үздік диплом") and
  `INCOMPLETE` (the анықтама of seed 000, appendix 37, numbered by the registry in the series "REG"), with a
  counter at 0 for "REG";
* writes every type's Kazakh, Russian and English names as `verify.doctypes` has them now (the Kazakh ones exactly
  as seed 000 items 4-5 and seed 001 item 7 write them: CMD is "магистр дипломына куәлік");
* adds to `graduates` why and when an анықтама's holder's studies ended (reason, the order's number and date, the
  period of study: seed 000 appendix 37), all nullable.

The rows come from `verify.doctypes.DOCUMENT_TYPES` (revision 0001 seeds only `TYPES_AT_0001`), so a new database
and an upgraded one hold the same reference data. Downgrade removes the two types (refused by the foreign keys once
a graduate or a document has one) and leaves the names.

Revision ID: 0004_doctypes
Revises: 0004_blank_kinds
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from verify.doctypes import DOCUMENT_TYPES, INCOMPLETE_SERIES

revision: str = "0004_doctypes"
down_revision: str | None = "0004_blank_kinds"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

NEW_TYPES = ("POST_SEC_HONOURS", "INCOMPLETE")

_TYPES = sa.table(
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
_COUNTERS = sa.table("counters", sa.column("series", sa.String), sa.column("last", sa.Integer))


_GRADUATE_COLUMNS: tuple[tuple[str, sa.types.TypeEngine[Any]], ...] = (
    ("studies_ended_reason", sa.String(length=200)),
    ("studies_ended_order", sa.String(length=32)),
    ("studies_ended_order_date", sa.Date()),
    ("studied_from", sa.Date()),
    ("studied_until", sa.Date()),
)


def upgrade() -> None:
    """Insert the new types (and the REG counter), write every type's names, add the graduates' columns."""
    with op.batch_alter_table("graduates") as batch:
        for name, type_ in _GRADUATE_COLUMNS:
            batch.add_column(sa.Column(name, type_, nullable=True))
    bind = op.get_bind()
    present = set(bind.execute(sa.select(_TYPES.c.code)).scalars())
    for t in DOCUMENT_TYPES:
        names = {"name_kk": t.names["kk"], "name_ru": t.names["ru"], "name_en": t.names["en"]}
        if t.code in present:
            bind.execute(_TYPES.update().where(_TYPES.c.code == t.code).values(**names))
            continue
        bind.execute(_TYPES.insert().values(code=t.code, cbor_id=t.cbor_id, series=t.series,
                                            number_width=t.number_width, numbering=t.numbering.value,
                                            qr_required=t.qr_required, level=t.level, **names))
    if bind.execute(sa.select(_COUNTERS.c.series).where(_COUNTERS.c.series == INCOMPLETE_SERIES)).first() is None:
        bind.execute(_COUNTERS.insert().values(series=INCOMPLETE_SERIES, last=0))


def downgrade() -> None:
    """Remove the graduates' columns, the two types and the REG counter (the names stay as they are)."""
    bind = op.get_bind()
    bind.execute(_COUNTERS.delete().where(_COUNTERS.c.series == INCOMPLETE_SERIES))
    bind.execute(_TYPES.delete().where(_TYPES.c.code.in_(NEW_TYPES)))
    with op.batch_alter_table("graduates") as batch:
        for name, _type in reversed(_GRADUATE_COLUMNS):
            batch.drop_column(name)
