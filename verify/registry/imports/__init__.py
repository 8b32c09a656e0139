"""Importing graduates from the National Education Database's CSV or XLSX export: all or nothing, idempotent.

    parse.py    parse_graduates: bytes of a CSV or XLSX file -> ParseReport (no database); the columns' table
    rows.py     the shapes: GraduateRow, RowError, ParseReport, Table, the column names accepted
    checks.py   check_table: the header, every value of every row, the rows against each other
    load.py     import_graduates: a ParseReport -> the registry in one transaction, with its audit event

Nothing is imported here: `parse` needs no database, `load` no file reader.
"""
