"""Graduates import: read and check a CSV or XLSX export of the National Education Database.

Colleges and universities export their graduates from the National Education Database (НОБД / ҰБДБ,
seed 000 item 20) and an officer imports the file. This module reads the file into a table of cells
(`verify.registry.imports.checks` checks them); it never touches the database. `parse_graduates`
returns a `ParseReport` with every good row and, for every bad row, one `RowError` per bad column, so
that the officer can fix the whole file at once. The registry imports the rows only when the report is
`ok` (all or nothing).

Columns (header row = row 1; names are matched case-insensitively after trimming, with ``_`` and runs of
spaces treated alike; a bilingual header such as ``Тегі / Фамилия`` is accepted when every part names
the same column; docs/IMPORT.md has the full list of accepted names):

==============  ========  ================================================  ==========================================
column          required  also accepted as                                  format
==============  ========  ================================================  ==========================================
iin             yes       ЖСН, ИИН                                          12 digits, valid check digit and birth date
surname         yes       Тегі, Фамилия                                     letters, hyphen, apostrophe, space
name            yes       Аты, Имя                                          as surname
patronymic      no        Әкесінің аты, Отчество                            as surname; empty = none
birth_date      yes       Туған күні, Дата рождения                         YYYY-MM-DD or DD.MM.YYYY (or a date cell)
doc_type        yes       Құжат түрі, Тип документа                         TVE, TVE_HONOURS, POST_SECONDARY,
                                                                            POST_SEC_HONOURS, BD, BQ, MD, MBA, DBA, CMD,
                                                                            CPR, PHD, PD, INCOMPLETE (анықтама)
programme       yes       Мамандық, Білім беру бағдарламасы, Специальность  TVE: 8 digits (06130100); higher: 6B06101,
                                                                            7M01501, 8D05302 matching the doc_type
qualification   TVE only  Біліктілік, Квалификация                          TVE: 4S06130103; higher: 0-9 A-Z
honours         no        Үздік, С отличием                                 true/false, 1/0, yes/no, иә/жоқ, да/нет
award_date      yes       Берілген күні, Дата выдачи                        date, not in the future, >= birth + 14 y
group           yes       Топ, Группа                                       1-32 characters (study group or cohort)
==============  ========  ================================================  ==========================================

The certificate of incomplete studies (doc_type INCOMPLETE, the анықтама of seed 000 appendix 37) takes five more
columns, each refused with any other type: studies_ended_reason (Шығарылған себебі, Причина отчисления: 1-200
characters), studies_ended_order (Бұйрықтың нөмірі, Номер приказа: 1-32 characters) and studies_ended_order_date
(Бұйрықтың күні, Дата приказа), required with it; studied_from and studied_until (the period of study), optional.

The full name is surname, name and patronymic "if any", next to the IIN, as on the forms of seed 000,
appendix 1 ("Тегі, аты, әкесінің аты (болған жағдайда) және ЖСН"); names follow the rules of
`verify.record.HolderName`, with its length caps (`MAX_SURNAME_CHARS`, `MAX_GIVEN_NAME_CHARS`,
`MAX_PATRONYMIC_CHARS`, `MAX_FULL_NAME_CHARS` for the three joined); a higher-education qualification
is at most `verify.record.MAX_QUALIFICATION_CHARS` characters. Document types:
`verify.doctypes.DOCUMENT_TYPES` (seed 000 items 3-20 and appendix 37, seed 001 item 7).

Files:
    * CSV: UTF-8 with or without a byte order mark; comma or semicolon delimiter (chosen from the header
      row; an Excel ``sep=;`` first line is honoured and then counts as row 1); fields may be quoted.
      Row numbers count CSV records, which equal the line numbers unless a quoted field spans lines.
    * XLSX: the first sheet of the workbook; cells may be text, numbers or dates. An IIN stored as a
      whole number has lost its leading zeros and is padded back to 12 digits; a TVE specialty code
      stored as a whole number is padded back to 8 digits.
    * Empty rows are skipped; row numbers still count them, as a spreadsheet does.

Limits (each refused with a `RowError` of row 0 and column ``(file)``): `MAX_FILE_BYTES` (20 MiB) of file,
`MAX_DATA_ROWS` (100,000) data rows, `MAX_UNCOMPRESSED_BYTES` (200 MiB) unpacked from an XLSX zip, read
from the zip directory before any member is opened (Python's `zipfile` also refuses a member that
inflates beyond its declared size), `MAX_ZIP_MEMBERS` members, `MAX_COLUMNS` columns.

Privacy: the IIN is personal data (DOMAIN.md, People and identifiers). No `RowError`, warning or `repr`
made here contains an IIN: values are quoted back only for code and date columns and for unknown
headers, and any run of ten or more digits (also grouped by spaces, dots or hyphens) is hidden first.

Example:
    >>> import datetime as dt
    >>> csv_text = (
    ...     "iin,surname,name,patronymic,birth_date,doc_type,programme,qualification,honours,award_date,group\\n"
    ...     "040512600026,Сейітқали,Әлия,Нұрланқызы,2004-05-12,TVE,06130100,4S06130103,no,2024-06-28,ПО-21\\n"
    ... )
    >>> report = parse_graduates(csv_text.encode(), filename="g.csv", today=dt.date(2025, 1, 1))
    >>> report.ok, report.rows[0].surname, report.rows[0].iin == "040512600026"
    (True, 'Сейітқали', True)
    >>> "040512600026" in repr(report)
    False
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import warnings
import zipfile

from openpyxl import load_workbook

from ...texts import Text, text
from .checks import check_table
from .rows import (
    COLUMN_NAMES,
    FILE_COLUMN,
    MAX_COLUMNS,
    MAX_GROUP_CHARS,
    MIN_AWARD_AGE_YEARS,
    REQUIRED_COLUMNS,
    ROW_COLUMN,
    GraduateRow,
    ParseReport,
    RowError,
    Table,
    column_for,
    is_empty,
)

__all__ = [
    "COLUMN_NAMES",
    "FILE_COLUMN",
    "MAX_COLUMNS",
    "MAX_DATA_ROWS",
    "MAX_FILE_BYTES",
    "MAX_GROUP_CHARS",
    "MAX_UNCOMPRESSED_BYTES",
    "MAX_ZIP_MEMBERS",
    "MIN_AWARD_AGE_YEARS",
    "REQUIRED_COLUMNS",
    "ROW_COLUMN",
    "GraduateRow",
    "ParseReport",
    "RowError",
    "parse_graduates",
]

MAX_FILE_BYTES = 20 * 1024 * 1024  # bytes of the uploaded file
MAX_DATA_ROWS = 100_000  # non-empty rows after the header
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024  # bytes of all XLSX zip members, as declared in the zip directory
MAX_ZIP_MEMBERS = 10_000  # members in an XLSX zip (a plain workbook has about ten)
MAX_PHYSICAL_ROWS = 1_048_576  # rows read, empty ones included: the row limit of the XLSX format itself

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an encrypted .xlsx


def parse_graduates(
    data: bytes,
    *,
    filename: str,
    today: dt.date,
    max_bytes: int = MAX_FILE_BYTES,
    max_rows: int = MAX_DATA_ROWS,
    max_uncompressed_bytes: int = MAX_UNCOMPRESSED_BYTES,
) -> ParseReport:
    """Parse and check a graduates file exported from the National Education Database.

    Never raises for bad input: every problem becomes a `RowError` in the report.

    Args:
        data: the file's bytes.
        filename: the uploaded file's name; ``.csv`` or ``.xlsx`` chooses the reader (case-insensitive).
            Another extension is read as CSV, or as XLSX when the bytes start like a zip.
        today: the reference date: birth and award dates after it are refused.
        max_bytes: refuse a larger file (bytes).
        max_rows: refuse a file with more data rows (non-empty rows after the header).
        max_uncompressed_bytes: refuse an XLSX whose zip members add up to more (bytes), by the zip directory.

    Returns:
        A `ParseReport`: good rows, errors and warnings.
    """
    if len(data) > max_bytes:
        return _file_error(text("v_imp_too_big", size=_megabytes(len(data)), limit=_megabytes(max_bytes)))
    if not data:
        return _file_error(text("v_imp_empty_file"))
    lower = filename.lower()
    if lower.endswith(".xls") or data.startswith(_OLE_MAGIC):
        return _file_error(text("v_imp_xls"))
    if lower.endswith(".xlsx") or (not lower.endswith(".csv") and data.startswith(_XLSX_MAGIC)):
        table = _read_xlsx(data, max_rows=max_rows, max_uncompressed_bytes=max_uncompressed_bytes)
        assert table is not None  # the first sheet always exists or is reported
    elif data.startswith(_XLSX_MAGIC):
        return _file_error(text("v_imp_csv_is_zip"))
    else:
        table = _read_csv(data, max_rows=max_rows)
    if isinstance(table, RowError):
        return ParseReport(rows=(), errors=(table,))
    return check_table(table, today=today)


# ---------------------------------------------------------------------------------------------------------
# Reading: bytes -> a table of raw cell values



def _file_error(reason: Text) -> ParseReport:
    return ParseReport(rows=(), errors=(_file_problem(reason),))


def _file_problem(reason: Text) -> RowError:
    return RowError.of(0, FILE_COLUMN, reason)


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _too_many_rows(max_rows: int) -> RowError:
    return _file_problem(text("v_imp_too_many_rows", limit=f"{max_rows:,}"))


def _read_csv(data: bytes, *, max_rows: int) -> Table | RowError:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _file_problem(text("v_imp_utf16"))
    try:
        decoded = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return _file_problem(text("v_imp_not_utf8", line=line))
    first_row = 1
    delimiter: str | None = None
    first_line, _, rest = decoded.partition("\n")
    directive = re.fullmatch(r"sep=(.)\r?", first_line)
    if directive is not None and directive.group(1) in ",;":
        delimiter = directive.group(1)
        decoded, first_row = rest, 2
    if delimiter is None:
        delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(decoded, newline=""), delimiter=delimiter, quotechar='"', strict=True)
    table: Table | None = None
    data_rows = 0
    try:
        for number, cells in enumerate(reader, start=first_row):
            if number > MAX_PHYSICAL_ROWS:
                return _file_problem(text("v_imp_too_many_physical", limit=f"{MAX_PHYSICAL_ROWS:,}"))
            if table is None:
                table = Table(header_row=number, header=tuple(cells))
                continue
            if all(is_empty(cell) for cell in cells):
                continue
            data_rows += 1
            if data_rows > max_rows:
                return _too_many_rows(max_rows)
            table.rows.append((number, tuple(cells)))
    except csv.Error:
        return _file_problem(text("v_imp_bad_csv", line=reader.line_num))
    if table is None:
        return _file_problem(text("v_imp_no_header"))
    return table


def _sniff_delimiter(header_line: str) -> str:
    """Comma or semicolon: the one that splits the header into more known columns, then into more cells."""

    def score(delimiter: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([header_line], delimiter=delimiter), [])
        except csv.Error:
            return (0, 0)
        return (sum(column_for(cell) is not None for cell in cells), len(cells))

    return ";" if score(";") > score(",") else ","


def _read_xlsx(data: bytes, *, max_rows: int, max_uncompressed_bytes: int,
               sheet: str | None = None) -> Table | RowError | None:
    # The zip directory first: a zip bomb is refused before any member is inflated. zipfile then
    # refuses to inflate a member beyond its declared size ("Bad CRC-32" / truncation), so the
    # declared sizes bound what openpyxl can read.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception:  # untrusted bytes into a foreign parser: every failure is bad input
        return _file_problem(text("v_imp_not_xlsx"))
    if len(members) > MAX_ZIP_MEMBERS:
        return _file_problem(text("v_imp_xlsx_members", count=f"{len(members):,}", limit=f"{MAX_ZIP_MEMBERS:,}"))
    unpacked = sum(member.file_size for member in members)
    if unpacked > max_uncompressed_bytes:
        return _file_problem(text("v_imp_xlsx_unpacked", size=_megabytes(unpacked),
                                  limit=_megabytes(max_uncompressed_bytes)))
    if any(member.flag_bits & 0x1 for member in members):
        return _file_problem(text("v_imp_xlsx_encrypted"))
    try:
        return _read_workbook(data, max_rows=max_rows, sheet=sheet)
    except Exception:  # openpyxl raises many types on bad XML or zips: all are bad input
        return _file_problem(text("v_imp_xlsx_unreadable"))


def _read_workbook(data: bytes, *, max_rows: int, sheet: str | None = None) -> Table | RowError | None:
    """The first sheet, or the sheet named `sheet` (None when the workbook has no such sheet)."""
    with warnings.catch_warnings():
        # openpyxl warns about styles, extensions and data validation it drops; none of it matters here.
        # (catch_warnings swaps the process-wide filters: a warning raised meanwhile by another thread
        # may be hidden too. Harmless, and the price of not letting openpyxl's warnings reach the log.)
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            if not workbook.worksheets:
                return _file_problem(text("v_imp_no_sheet"))
            if sheet is not None:
                named = [w for w in workbook.worksheets if w.title.strip().casefold() == sheet.casefold()]
                if not named:
                    return None
                chosen = named[0]
            else:
                chosen = workbook.worksheets[0]  # a ReadOnlyWorksheet (read_only=True); chart sheets are not listed
            chosen.reset_dimensions()  # the stored dimension may be wrong; read the rows actually present
            table: Table | None = None
            data_rows = 0
            for number, values in enumerate(chosen.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), start=1):
                if number > MAX_PHYSICAL_ROWS:
                    return _file_problem(text("v_imp_sheet_rows", limit=f"{MAX_PHYSICAL_ROWS:,}"))
                cells = tuple(values)
                if table is None:
                    table = Table(header_row=number, header=cells)
                    continue
                if all(is_empty(cell) for cell in cells):
                    continue
                data_rows += 1
                if data_rows > max_rows:
                    return _too_many_rows(max_rows)
                table.rows.append((number, cells))
        finally:
            workbook.close()
    if table is None:
        return _file_problem(text("v_imp_sheet_empty"))
    return table
