"""The base of every registry table: one `MetaData` with its naming convention, the UTC time type, shared limits.

Schema rules that hold on SQLite and PostgreSQL alike:

* every time is an aware UTC `datetime`, stored with `UTCDateTime` (`DateTime(timezone=True)`;
  on SQLite, which has no zone, stored as UTC and read back as UTC);
* constraint names follow `NAMING_CONVENTION`, set on this package's own `metadata`, so that
  Alembic migrations name the same constraints on both engines (fastapi-best-practices §11);
* enumerations are short strings with a CHECK constraint (`one_of`), not database enum types;
* numbers are kept as seven-digit text where printed (`documents.number`, `blanks.number`;
  seed 000, Rules item 17) and as integers where counted (`counters.last`, `blank_ranges`).
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import DateTime, MetaData
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import registry
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

#: Constraint and index names, identical on SQLite and PostgreSQL (Alembic needs names to alter them).
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

#: Largest seven-digit number (seed 000, Rules item 17).
MAX_NUMBER = 9_999_999
#: The hash that precedes the first audit event.
GENESIS_HASH = "0" * 64


class UTCDateTime(TypeDecorator[dt.datetime]):
    """`DateTime(timezone=True)` that only takes aware datetimes and always returns aware UTC ones.

    Raises:
        ValueError: on binding a naive datetime (a programming error: time is always aware).
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Convert to UTC; SQLite stores it without a zone."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("registry times must be timezone-aware")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        """Attach UTC to SQLite's zone-less values; convert PostgreSQL's to UTC."""
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class RegistryModel(SQLModel, registry=registry(metadata=metadata)):
    """Base of every registry model: all tables share `metadata` (and its naming convention)."""


def one_of(column: str, values: type[enum.Enum]) -> str:
    """The SQL of a CHECK constraint that `column` holds one of the enumeration's values."""
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"
