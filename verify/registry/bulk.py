"""Set-based INSERTs of many rows in the session's open transaction: COPY on PostgreSQL, executemany elsewhere.

The batch issue (issue 16 item 1) writes a few hundred rows per table per transaction. SQLAlchemy's multi-row
INSERT ("insertmanyvalues") sends them as one long statement that psycopg re-parses for every chunk (statements
over 4,096 characters or 50 parameters are not in its cache); PostgreSQL's `COPY ... FROM STDIN` through psycopg
(https://www.psycopg.org/psycopg3/docs/basic/copy.html) sends the rows as data, with no statement to parse. On
SQLite the driver's `executemany` is already a prepared statement run per row. Values are bound as SQLAlchemy
binds them: each column's `TypeDecorator.process_bind_param` (UTC times) and the dialect's JSON serializer.

Ids of new rows (`insert_returning_ids`): on PostgreSQL taken first from the table's sequence
(`nextval(pg_get_serial_sequence(...))`), then written with the rows; elsewhere `INSERT ... RETURNING id`
with the rows' order kept (`sort_by_parameter_order`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import psycopg
from psycopg import sql as pgsql
from sqlalchemy import JSON, Connection, Table, TypeDecorator
from sqlalchemy import text as sql
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

Row = Mapping[str, Any]


def insert_rows(session: Session, table: Table, rows: Sequence[Row]) -> None:
    """INSERT `rows` (dicts with the same keys: column names) into `table`, in the session's open transaction.

    Raises:
        sqlalchemy.exc.IntegrityError: a constraint refused a row (also from COPY, so callers catch one error).
    """
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        connection.execute(table.insert(), list(rows))
        return
    _copy(connection, table, rows)


def insert_returning_ids(session: Session, table: Table, rows: Sequence[Row]) -> list[int]:
    """INSERT `rows` into `table` (whose primary key is an integer `id` from a sequence); their ids, in order.

    Raises:
        sqlalchemy.exc.IntegrityError: a constraint refused a row.
    """
    if not rows:
        return []
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        result = connection.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), list(rows))
        return [int(value) for value in result.scalars()]
    ids = [int(value) for value in connection.execute(
        sql("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
        {"table": table.name, "count": len(rows)}).scalars()]
    _copy(connection, table, [{**row, "id": id_} for row, id_ in zip(rows, ids, strict=True)])
    return ids


def _copy(connection: Connection, table: Table, rows: Sequence[Row]) -> None:
    columns = list(rows[0])
    binders = [_binder(table.c[name].type, connection.dialect) for name in columns]
    statement = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
        pgsql.Identifier(table.name), pgsql.SQL(", ").join(pgsql.Identifier(name) for name in columns))
    driver = connection.connection.driver_connection
    assert isinstance(driver, psycopg.Connection)
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row([value if bind is None else bind(value)
                                for bind, value in zip(binders, (row[name] for name in columns), strict=True)])
    except psycopg.errors.IntegrityError as exc:
        raise IntegrityError(statement.as_string(driver), None, exc) from None


def _binder(column_type: Any, dialect: Dialect) -> Callable[[Any], Any] | None:
    if isinstance(column_type, TypeDecorator) and \
            type(column_type).process_bind_param is not TypeDecorator.process_bind_param:
        decorator = column_type
        return lambda value: decorator.process_bind_param(value, dialect)
    if isinstance(column_type, JSON):
        serializer = getattr(dialect, "_json_serializer", None) or json.dumps
        if column_type.none_as_null:
            return lambda value: None if value is None else serializer(value)
        return serializer  # as SQLAlchemy binds it: None is the JSON value null
    return None
