"""Graduates import: parse and check a CSV or XLSX export of the National Education Database.

Colleges and universities export their graduates from the National Education Database (НОБД / ҰБДБ,
seed 000 item 20) and an officer imports the file. This module only reads and checks the file; it never
touches the database. `parse_graduates` returns a `ParseReport` with every good row and, for every bad
row, one `RowError` per bad column, so that the officer can fix the whole file at once. The registry
imports the rows only when the report is `ok` (all or nothing).

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
doc_type        yes       Құжат түрі, Тип документа                         TVE, TVE_HONOURS, POST_SECONDARY, BD, BQ,
                                                                            MD, MBA, DBA, CMD, CPR, PHD, PD
programme       yes       Мамандық, Білім беру бағдарламасы, Специальность  TVE: 8 digits (06130100); higher: 6B06101,
                                                                            7M01501, 8D05302 matching the doc_type
qualification   TVE only  Біліктілік, Квалификация                          TVE: 4S06130103; higher: 0-9 A-Z
honours         no        Үздік, С отличием                                 true/false, 1/0, yes/no, иә/жоқ, да/нет
award_date      yes       Берілген күні, Дата выдачи                        date, not in the future, >= birth + 14 y
group           yes       Топ, Группа                                       1-32 characters (study group or cohort)
==============  ========  ================================================  ==========================================

The full name is surname, name and patronymic "if any", next to the IIN, as on the forms of seed 000,
appendix 1 ("Тегі, аты, әкесінің аты (болған жағдайда) және ЖСН"); names follow the rules of
`verify.record.HolderName`, with its length caps (`MAX_SURNAME_CHARS`, `MAX_GIVEN_NAME_CHARS`,
`MAX_PATRONYMIC_CHARS`, `MAX_FULL_NAME_CHARS` for the three joined); a higher-education qualification
is at most `verify.record.MAX_QUALIFICATION_CHARS` characters. Document types:
`verify.doctypes.DOCUMENT_TYPES` (seed 000 items 3-20, seed 001 item 7).

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
import unicodedata
import warnings
import zipfile
from dataclasses import dataclass, field, fields

from openpyxl import load_workbook

from ..doctypes import DOCUMENT_TYPES, DocumentType, get_document_type
from ..errors import RecordError
from ..identifiers import (
    HE_PROGRAMME_RE,
    TVE_QUALIFICATION_RE,
    TVE_SPECIALTY_RE,
    iin_birth_date,
    validate_iin,
)
from ..record import (
    EARLIEST_AWARD_DATE,
    MAX_FULL_NAME_CHARS,
    MAX_GIVEN_NAME_CHARS,
    MAX_PATRONYMIC_CHARS,
    MAX_QUALIFICATION_CHARS,
    MAX_SURNAME_CHARS,
    _check_name_part,  # the HolderName rule for one part, so that every bad part is reported
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
MAX_COLUMNS = 64  # header cells; the documented set has 11
MAX_PHYSICAL_ROWS = 1_048_576  # rows read, empty ones included: the row limit of the XLSX format itself
MAX_CELL_CHARS = 1_000  # characters in one cell, after trimming
MAX_GROUP_CHARS = 32
MIN_AWARD_AGE_YEARS = 14  # an award date earlier than birth date + 14 years is refused

FILE_COLUMN = "(file)"  # RowError.column of problems with the file as a whole (row 0)
ROW_COLUMN = "(row)"  # RowError.column of problems with a row as a whole

_EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
_SHOWN_CHARS = 40  # characters of a bad value quoted back in a reason

# Canonical column -> accepted header names (compared after `_header_key`). Kazakh first, then Russian.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    "iin": ("iin", "жсн", "иин", "жеке сәйкестендіру нөмірі", "индивидуальный идентификационный номер"),
    "surname": ("surname", "last name", "family name", "тегі", "фамилия"),
    "name": ("name", "first name", "given name", "аты", "имя"),
    "patronymic": (
        "patronymic", "middle name", "әкесінің аты", "әкесінің аты (болған жағдайда)", "отчество",
        "отчество (при наличии)",
    ),
    "birth_date": ("birth date", "date of birth", "туған күні", "туған күн", "дата рождения"),
    "doc_type": ("doc type", "document type", "құжат түрі", "құжаттың түрі", "тип документа", "вид документа"),
    "programme": (
        "programme", "program", "programme code", "specialty", "speciality", "мамандық", "мамандық коды",
        "білім беру бағдарламасы", "білім беру бағдарламасының коды", "специальность", "код специальности",
        "образовательная программа", "код образовательной программы",
    ),
    "qualification": (
        "qualification", "qualification code", "біліктілік", "біліктілік коды", "квалификация", "код квалификации",
    ),
    "honours": ("honours", "honors", "with honours", "үздік", "үздік диплом", "с отличием", "диплом с отличием"),
    "award_date": (
        "award date", "date of award", "берілген күні", "берілген күн", "дата выдачи", "дата присвоения",
        "дата присуждения",
    ),
    "group": ("group", "cohort", "study group", "топ", "оқу тобы", "группа", "учебная группа"),
}
REQUIRED_COLUMNS: tuple[str, ...] = (
    "iin", "surname", "name", "birth_date", "doc_type", "programme", "award_date", "group",
)

_TRUE = frozenset({"true", "1", "yes", "иә", "да"})
_FALSE = frozenset({"false", "0", "no", "жоқ", "нет"})

_ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})(?:[ T]00:00(?::00)?)?")
_DMY_DATE_RE = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
_LONG_DIGITS_RE = re.compile(r"[0-9](?:[ .\-]?[0-9]){9,}")  # 10+ digits, maybe grouped: 900101 300123
_CODE_RE = re.compile(r"[0-9A-Z]+")

# Programme-code level prefix each higher-education type requires (seed 001, item 7).
_BACHELOR, _MASTER, _DOCTOR = "6B", "7M", "8D"
_HE_LEVELS: dict[str, tuple[str, ...]] = {
    "BD": (_BACHELOR,), "BQ": (_BACHELOR,),
    "MD": (_MASTER,), "MBA": (_MASTER,), "CMD": (_MASTER,),
    "PHD": (_DOCTOR,), "DBA": (_DOCTOR,), "PD": (_DOCTOR,),
    "CPR": (_BACHELOR, _MASTER, _DOCTOR),
}
_LEVEL_NAMES = {_BACHELOR: "bachelor's (6B)", _MASTER: "master's (7M)", _DOCTOR: "doctoral (8D)"}
# Letters of a programme code typed in Cyrillic by mistake: 6В06101, 7М01501, 8Д05302.
_PROGRAMME_LETTERS = str.maketrans({"В": "B", "М": "M", "Д": "D", "в": "B", "м": "M", "д": "D"})
_LATIN_RE = re.compile("[A-Za-zÄäĞğÑñÖöŞşŪūÜüĪıİ]")  # Latin letters HolderName allows (Kazakh Latin alphabet)
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")

_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # old .xls, or an encrypted .xlsx


@dataclass(frozen=True, slots=True)
class GraduateRow:
    """One graduate, checked, ready for the registry.

    Attributes:
        row: 1-based row number in the file (the header is row 1).
        iin: the holder's 12-digit IIN, valid by `verify.identifiers.validate_iin`. Personal data:
            `repr` masks it.
        surname: NFC, `verify.record.HolderName` rules (seed 000, appendix 1).
        name: NFC, as surname.
        patronymic: NFC, as surname, or None when the holder has none ("болған жағдайда").
        birth_date: date of birth as stated in the file.
        doc_type: a code of `verify.doctypes.DOCUMENT_TYPES`.
        programme: TVE specialty code (8 digits) for TVE types; higher-education programme code whose
            level matches the doc type (6B bachelor, 7M master, 8D doctoral) otherwise.
        qualification: TVE qualification code such as 4S06130103 (always set for TVE types), or an
            optional code of 0-9 A-Z (at most `verify.record.MAX_QUALIFICATION_CHARS`) for higher education.
        honours: True for a diploma with honours ("Үздік" / "С отличием").
        award_date: date of the commission's decision; not after the parse's `today`, not before
            birth date + 14 years.
        group: study group or cohort label (1-32 characters) used to issue a batch.
    """

    row: int
    iin: str
    surname: str
    name: str
    patronymic: str | None
    birth_date: dt.date
    doc_type: str
    programme: str
    qualification: str | None
    honours: bool
    award_date: dt.date
    group: str

    def __repr__(self) -> str:
        """The fields, with the IIN fully masked."""
        parts = [f"{f.name}={'*' * 12!r}" if f.name == "iin" else f"{f.name}={getattr(self, f.name)!r}"
                 for f in fields(self)]
        return f"GraduateRow({', '.join(parts)})"


@dataclass(frozen=True, slots=True)
class RowError:
    """One problem found in the file.

    Attributes:
        row: 1-based row number (the header is row 1), or 0 for the file as a whole.
        column: the canonical column name (``iin``, ``birth_date``, ...), the header as written for an
            unknown column, `FILE_COLUMN` for the file as a whole or `ROW_COLUMN` for a whole row.
        reason: plain English; never contains an IIN.
    """

    row: int
    column: str
    reason: str


@dataclass(frozen=True, slots=True)
class ParseReport:
    """What `parse_graduates` found.

    Attributes:
        rows: the rows without any error, in file order. The registry imports them only when `ok`.
        errors: every problem that blocks the import, by row (file-level problems first, row 0).
        warnings: problems that do not block the import but deserve a look (e.g. the birth date in the
            IIN differs from the stated birth date).
    """

    rows: tuple[GraduateRow, ...]
    errors: tuple[RowError, ...]
    warnings: tuple[RowError, ...] = ()

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return not self.errors


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
        return _file_error(f"the file is {_megabytes(len(data))}, over the limit of {_megabytes(max_bytes)}")
    if not data:
        return _file_error("the file is empty")
    lower = filename.lower()
    if lower.endswith(".xls") or data.startswith(_OLE_MAGIC):
        return _file_error(
            "this is an old Excel .xls file or a password-protected workbook; save it as .xlsx "
            "(Excel Workbook) without a password, or as CSV UTF-8"
        )
    if lower.endswith(".xlsx") or (not lower.endswith(".csv") and data.startswith(_XLSX_MAGIC)):
        table = _read_xlsx(data, max_rows=max_rows, max_uncompressed_bytes=max_uncompressed_bytes)
    elif data.startswith(_XLSX_MAGIC):
        return _file_error("the file is named .csv but is a zip archive (an XLSX workbook?); name it .xlsx")
    else:
        table = _read_csv(data, max_rows=max_rows)
    if isinstance(table, RowError):
        return ParseReport(rows=(), errors=(table,))
    return _check_table(table, today=today)


# ---------------------------------------------------------------------------------------------------------
# Reading: bytes -> a table of raw cell values


@dataclass(slots=True)
class _Table:
    header_row: int
    header: tuple[object, ...]
    rows: list[tuple[int, tuple[object, ...]]] = field(default_factory=list)  # (row number, raw cells)


def _file_error(reason: str) -> ParseReport:
    return ParseReport(rows=(), errors=(RowError(0, FILE_COLUMN, reason),))


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _too_many_rows(max_rows: int) -> RowError:
    return RowError(0, FILE_COLUMN, f"the file has more than {max_rows:,} data rows; split it into smaller files")


def _read_csv(data: bytes, *, max_rows: int) -> _Table | RowError:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return RowError(0, FILE_COLUMN, "the file is UTF-16 text; save it as CSV UTF-8")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return RowError(0, FILE_COLUMN, f"the file is not UTF-8 text (first bad byte on line {line}); "
                                        "save it as CSV UTF-8")
    first_row = 1
    delimiter: str | None = None
    first_line, _, rest = text.partition("\n")
    directive = re.fullmatch(r"sep=(.)\r?", first_line)
    if directive is not None and directive.group(1) in ",;":
        delimiter = directive.group(1)
        text, first_row = rest, 2
    if delimiter is None:
        delimiter = _sniff_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, quotechar='"', strict=True)
    table: _Table | None = None
    data_rows = 0
    try:
        for number, cells in enumerate(reader, start=first_row):
            if number > MAX_PHYSICAL_ROWS:
                return RowError(0, FILE_COLUMN, f"the file has more than {MAX_PHYSICAL_ROWS:,} rows")
            if table is None:
                table = _Table(header_row=number, header=tuple(cells))
                continue
            if all(_is_empty(cell) for cell in cells):
                continue
            data_rows += 1
            if data_rows > max_rows:
                return _too_many_rows(max_rows)
            table.rows.append((number, tuple(cells)))
    except csv.Error as exc:
        return RowError(0, FILE_COLUMN, f"malformed CSV at line {reader.line_num}: {exc}")
    if table is None:
        return RowError(0, FILE_COLUMN, "the file has no header row")
    return table


def _sniff_delimiter(header_line: str) -> str:
    """Comma or semicolon: the one that splits the header into more known columns, then into more cells."""

    def score(delimiter: str) -> tuple[int, int]:
        try:
            cells = next(csv.reader([header_line], delimiter=delimiter), [])
        except csv.Error:
            return (0, 0)
        return (sum(_column_for(cell) is not None for cell in cells), len(cells))

    return ";" if score(";") > score(",") else ","


def _read_xlsx(data: bytes, *, max_rows: int, max_uncompressed_bytes: int) -> _Table | RowError:
    # The zip directory first: a zip bomb is refused before any member is inflated. zipfile then
    # refuses to inflate a member beyond its declared size ("Bad CRC-32" / truncation), so the
    # declared sizes bound what openpyxl can read.
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except Exception:  # untrusted bytes into a foreign parser: every failure is bad input
        return RowError(0, FILE_COLUMN, "the file is not a valid XLSX workbook (not a readable zip archive)")
    if len(members) > MAX_ZIP_MEMBERS:
        return RowError(0, FILE_COLUMN, f"the XLSX archive has {len(members):,} members, over the limit of "
                                        f"{MAX_ZIP_MEMBERS:,}")
    unpacked = sum(member.file_size for member in members)
    if unpacked > max_uncompressed_bytes:
        return RowError(0, FILE_COLUMN, f"the XLSX workbook would unpack to {_megabytes(unpacked)}, over the limit "
                                        f"of {_megabytes(max_uncompressed_bytes)}")
    if any(member.flag_bits & 0x1 for member in members):
        return RowError(0, FILE_COLUMN, "the XLSX archive is encrypted; save the workbook without a password")
    try:
        return _read_workbook(data, max_rows=max_rows)
    except Exception:  # openpyxl raises many types on bad XML or zips: all are bad input
        return RowError(0, FILE_COLUMN, "the XLSX workbook could not be read (damaged or not an Excel workbook)")


def _read_workbook(data: bytes, *, max_rows: int) -> _Table | RowError:
    with warnings.catch_warnings():
        # openpyxl warns about styles, extensions and data validation it drops; none of it matters here.
        # (catch_warnings swaps the process-wide filters: a warning raised meanwhile by another thread
        # may be hidden too. Harmless, and the price of not letting openpyxl's warnings reach the log.)
        warnings.simplefilter("ignore")
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
        try:
            if not workbook.worksheets:
                return RowError(0, FILE_COLUMN, "the workbook has no sheet")
            sheet = workbook.worksheets[0]  # a ReadOnlyWorksheet (read_only=True); chart sheets are not listed
            sheet.reset_dimensions()  # the stored dimension may be wrong; read the rows actually present
            table: _Table | None = None
            data_rows = 0
            for number, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS + 1, values_only=True), start=1):
                if number > MAX_PHYSICAL_ROWS:
                    return RowError(0, FILE_COLUMN, f"the sheet has more than {MAX_PHYSICAL_ROWS:,} rows")
                cells = tuple(values)
                if table is None:
                    table = _Table(header_row=number, header=cells)
                    continue
                if all(_is_empty(cell) for cell in cells):
                    continue
                data_rows += 1
                if data_rows > max_rows:
                    return _too_many_rows(max_rows)
                table.rows.append((number, cells))
        finally:
            workbook.close()
    if table is None:
        return RowError(0, FILE_COLUMN, "the first sheet is empty (no header row)")
    return table


# ---------------------------------------------------------------------------------------------------------
# Header


def _header_key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().replace("_", " ").split())


_FULL_NAME_HEADERS = frozenset({"фио", "ф.и.о.", "ф. и. о.", "аты-жөні", "толық аты-жөні", "full name"})
_NAME_TO_COLUMN: dict[str, str] = {
    _header_key(alias): column for column, aliases in COLUMN_NAMES.items() for alias in (column, *aliases)
}


def _column_for(header: str) -> str | None:
    """The canonical column a header names, or None; ``Тегі / Фамилия`` counts when all parts agree."""
    key = _header_key(header)
    if key in _NAME_TO_COLUMN:
        return _NAME_TO_COLUMN[key]
    if "/" in key:
        found = {_NAME_TO_COLUMN.get(part.strip()) for part in key.split("/")}
        if len(found) == 1:
            return found.pop()
    return None


def _shown(value: object) -> str:
    """A value quoted back to the officer: shortened, one line, any run of 10+ digits hidden (an IIN?)."""
    text = value if isinstance(value, str) else str(value)
    text = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text.strip())
    text = _LONG_DIGITS_RE.sub("[digits hidden]", text)  # before shortening: no part of an IIN survives
    if len(text) > _SHOWN_CHARS:
        text = text[: _SHOWN_CHARS - 1] + "…"
    return f"'{text}'"


def _map_header(table: _Table, errors: list[RowError]) -> dict[str, int] | None:
    """Canonical column -> cell index; None when a required column is missing (rows are not checked then)."""
    row = table.header_row
    header = list(table.header)
    while header and _is_empty(header[-1]):
        header.pop()
    if not header:
        errors.append(RowError(row, FILE_COLUMN, f"the header row (row {row}) is empty; the first row must name "
                                                 "the columns"))
        return None
    if len(header) > MAX_COLUMNS:
        errors.append(RowError(row, FILE_COLUMN, f"the header has more than {MAX_COLUMNS} columns"))
        return None
    where: dict[str, int] = {}
    for index, cell in enumerate(header):
        if _is_empty(cell):
            continue  # a column without a header is an error only where it holds a value (`_check_table`)
        text = cell if isinstance(cell, str) else str(cell)
        column = _column_for(text)
        if column is None:
            hint = (" a full name in one column must be split into surname, name and patronymic columns;"
                    if _header_key(text) in _FULL_NAME_HEADERS else "")
            errors.append(RowError(row, _shown(text)[1:-1], f"unknown column (column {index + 1});{hint} expected "
                                   f"{', '.join(COLUMN_NAMES)} or their Kazakh or Russian names (docs/IMPORT.md)"))
        elif column in where:
            errors.append(RowError(row, column, f"the column appears twice (columns {where[column] + 1} and "
                                                f"{index + 1})"))
        else:
            where[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in where]
    for column in missing:
        names = ", ".join(COLUMN_NAMES[column])
        errors.append(RowError(row, column, f"required column is missing (accepted headers: {names})"))
    return None if missing else where


# ---------------------------------------------------------------------------------------------------------
# Rows


@dataclass(slots=True)
class _Checked:
    """One row's values as far as they could be read; None where a value is bad or absent."""

    row: int
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    iin: str | None = None
    surname: str | None = None
    name: str | None = None
    patronymic: str | None = None
    birth_date: dt.date | None = None
    doc_type: DocumentType | None = None
    programme: str | None = None
    qualification: str | None = None
    honours: bool | None = None
    award_date: dt.date | None = None
    group: str | None = None

    def error(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.row, column, reason))

    def warn(self, column: str, reason: str) -> None:
        self.warnings.append(RowError(self.row, column, reason))


def _check_table(table: _Table, *, today: dt.date) -> ParseReport:
    errors: list[RowError] = []
    warned: list[RowError] = []
    where = _map_header(table, errors)
    if where is None:
        return ParseReport(rows=(), errors=tuple(errors))
    if not table.rows:
        errors.append(RowError(0, FILE_COLUMN, "the file has a header but no data rows"))
    headed = {i for i, cell in enumerate(table.header) if not _is_empty(cell)}
    rows: list[GraduateRow] = []
    seen_keys: dict[tuple[str, str, str], int] = {}
    seen_people: dict[str, tuple[int, tuple[object, ...]]] = {}
    for number, cells in table.rows:
        checked = _Checked(row=number)
        headless = [i + 1 for i, cell in enumerate(cells) if i not in headed and not _is_empty(cell)]
        if headless:
            checked.error(ROW_COLUMN, f"a value in column {headless[0]}, which has no header")
        values = {column: cells[index] if index < len(cells) else None for column, index in where.items()}
        _check_values(checked, values, today=today)
        _check_across_rows(checked, seen_keys, seen_people)
        errors.extend(checked.errors)
        warned.extend(checked.warnings)
        if not checked.errors:
            rows.append(_to_row(checked))
    errors.sort(key=lambda e: e.row)  # stable: within a row, the column order of the checks
    return ParseReport(rows=tuple(rows), errors=tuple(errors), warnings=tuple(warned))


def _to_row(c: _Checked) -> GraduateRow:
    # Every required value is set when a row has no error; these asserts narrow the types.
    assert c.iin is not None
    assert c.surname is not None
    assert c.name is not None
    assert c.birth_date is not None
    assert c.doc_type is not None
    assert c.programme is not None
    assert c.award_date is not None
    assert c.group is not None
    assert c.honours is not None
    return GraduateRow(
        row=c.row, iin=c.iin, surname=c.surname, name=c.name, patronymic=c.patronymic, birth_date=c.birth_date,
        doc_type=c.doc_type.code, programme=c.programme, qualification=c.qualification, honours=c.honours,
        award_date=c.award_date, group=c.group,
    )


def _check_across_rows(
    c: _Checked,
    seen_keys: dict[tuple[str, str, str], int],
    seen_people: dict[str, tuple[int, tuple[object, ...]]],
) -> None:
    if c.iin is None:
        return
    if c.doc_type is not None and c.programme is not None:
        key = (c.iin, c.doc_type.code, c.programme)
        if key in seen_keys:
            c.error(ROW_COLUMN, f"duplicate of row {seen_keys[key]} (same IIN, doc_type and programme)")
        else:
            seen_keys[key] = c.row
    person = (c.surname, c.name, c.patronymic, c.birth_date)
    if None in (c.surname, c.name, c.birth_date):
        return
    if c.iin in seen_people:
        first_row, first_person = seen_people[c.iin]
        if first_person != person:
            c.error("iin", f"the same IIN as row {first_row} but a different surname, name, patronymic or birth date")
    else:
        seen_people[c.iin] = (c.row, person)


def _check_values(c: _Checked, values: dict[str, object], *, today: dt.date) -> None:
    c.iin = _check_iin(c, values.get("iin"))
    c.surname = _check_name(c, values.get("surname"), column="surname", limit=MAX_SURNAME_CHARS, required=True)
    c.name = _check_name(c, values.get("name"), column="name", limit=MAX_GIVEN_NAME_CHARS, required=True)
    c.patronymic = _check_name(c, values.get("patronymic"), column="patronymic", limit=MAX_PATRONYMIC_CHARS,
                               required=False)
    if c.surname is not None and c.name is not None:
        full = " ".join(p for p in (c.surname, c.name, c.patronymic) if p)
        if len(full) > MAX_FULL_NAME_CHARS:
            c.error("surname", f"the full name (surname, name, patronymic) is {len(full)} characters; "
                               f"at most {MAX_FULL_NAME_CHARS} fit on the QR code")
            c.surname = None
    c.birth_date = _check_date(c, values.get("birth_date"), column="birth_date", today=today)
    if c.birth_date is not None and c.birth_date < _EARLIEST_BIRTH_DATE:
        c.error("birth_date", f"is before {_EARLIEST_BIRTH_DATE.isoformat()}")
        c.birth_date = None
    if c.iin is not None and c.birth_date is not None and iin_birth_date(c.iin) != c.birth_date:
        c.warn("birth_date", "differs from the birth date encoded in the IIN (its first six digits and the "
                             "century digit); check both")
    c.doc_type = _check_doc_type(c, values.get("doc_type"))
    c.programme = _check_programme(c, values.get("programme"))
    c.qualification = _check_qualification(c, values.get("qualification"))
    c.honours = _check_honours(c, values.get("honours"))
    c.award_date = _check_date(c, values.get("award_date"), column="award_date", today=today)
    if c.award_date is not None:
        _check_award_date(c)
    c.group = _check_group(c, values.get("group"))


def _text(c: _Checked, raw: object, *, column: str, required: bool) -> str | None:
    """A cell as trimmed NFC text; None (with an error if required) when empty or unreadable."""
    text: str
    if raw is None:
        text = ""
    elif isinstance(raw, str):
        text = raw
    elif isinstance(raw, bool):
        c.error(column, "is true/false, expected text")
        return None
    elif isinstance(raw, int):
        text = str(raw)
    elif isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        text = str(int(raw))
    elif isinstance(raw, float):
        c.error(column, f"is the number {_shown(raw)}, expected text")
        return None
    else:  # date, time, timedelta from a spreadsheet cell
        c.error(column, "is a date or time, expected text")
        return None
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        if required:
            c.error(column, "is required")
        return None
    if len(text) > MAX_CELL_CHARS:
        c.error(column, f"is longer than {MAX_CELL_CHARS} characters")
        return None
    if not text.isprintable():  # control, format (zero-width), private-use, unassigned, separators but space
        c.error(column, "contains control or invisible characters (a line break, a tab, a no-break or zero-width "
                        "space?)")
        return None
    return text


def _reason(exc: RecordError) -> str:
    """A RecordError's message without its leading "field: " (the column is named separately)."""
    message = exc.message
    head, sep, tail = message.partition(": ")
    return tail if sep and " " not in head else message


def _check_iin(c: _Checked, raw: object) -> str | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        if not 0 <= raw < 10**12:
            c.error("iin", "must be exactly 12 digits")
            return None
        text: str | None = f"{raw:012d}"  # a number cell lost the leading zeros
    elif isinstance(raw, float):
        c.error("iin", "is stored as a decimal number, so digits may be lost; format the IIN column as text")
        return None
    else:
        text = _text(c, raw, column="iin", required=True)
    if text is None:
        return None
    if not (len(text) == 12 and text.isascii() and text.isdigit()):
        if text.isascii() and text.isdigit() and len(text) < 12:
            c.error("iin", f"must be exactly 12 digits, found {len(text)} (a leading zero may have been lost "
                           "when the column was formatted as a number)")
        else:
            c.error("iin", "must be exactly 12 digits")
        return None
    try:
        return validate_iin(text)
    except RecordError as exc:
        c.error("iin", _reason(exc))
        return None


def _check_name(c: _Checked, raw: object, *, column: str, limit: int, required: bool) -> str | None:
    text = _text(c, raw, column=column, required=required)
    if text is None:
        return None
    try:
        _check_name_part(text, label=column, limit=limit)
    except RecordError as exc:
        c.error(column, _reason(exc))
        return None
    if _LATIN_RE.search(text) and _CYRILLIC_RE.search(text):
        c.warn(column, "mixes Latin and Cyrillic letters (e.g. a Latin 'i' for the Kazakh 'і'); check the spelling")
    return text


def _check_date(c: _Checked, raw: object, *, column: str, today: dt.date) -> dt.date | None:
    value: dt.date | None = None
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time(0, 0):
            c.error(column, "has a time of day; expected a date")
            return None
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        c.error(column, f"is the number {_shown(raw)}, not a date; format the cell as a date or write YYYY-MM-DD")
        return None
    else:
        text = _text(c, raw, column=column, required=True)
        if text is None:
            return None
        iso, dmy = _ISO_DATE_RE.fullmatch(text), _DMY_DATE_RE.fullmatch(text)
        try:
            if iso is not None:
                value = dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
            elif dmy is not None:
                value = dt.date(int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1)))
        except ValueError:
            c.error(column, f"{_shown(text)} is not a calendar date")
            return None
        if value is None:
            c.error(column, f"{_shown(text)} is not a date in the form YYYY-MM-DD or DD.MM.YYYY")
            return None
    if value > today:
        c.error(column, f"{value.isoformat()} is in the future")
        return None
    return value


def _check_award_date(c: _Checked) -> None:
    assert c.award_date is not None
    if c.award_date < EARLIEST_AWARD_DATE:
        c.error("award_date", f"is before {EARLIEST_AWARD_DATE.isoformat()}")
        c.award_date = None
    elif c.birth_date is not None and c.award_date < _add_years(c.birth_date, MIN_AWARD_AGE_YEARS):
        c.error("award_date", f"is less than {MIN_AWARD_AGE_YEARS} years after birth_date")
        c.award_date = None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return dt.date(day.year + years, 3, 1)


def _check_doc_type(c: _Checked, raw: object) -> DocumentType | None:
    text = _text(c, raw, column="doc_type", required=True)
    if text is None:
        return None
    doc_type = get_document_type(text.upper())
    if doc_type is None:
        codes = ", ".join(t.code for t in DOCUMENT_TYPES)
        c.error("doc_type", f"unknown document type {_shown(text)}; expected one of {codes}")
    return doc_type


def _check_programme(c: _Checked, raw: object) -> str | None:
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < 10**8:
        raw = f"{raw:08d}"  # an 8-digit specialty code in a number cell lost its leading zero
    text = _text(c, raw, column="programme", required=True)
    if text is None:
        return None
    code = text.translate(_PROGRAMME_LETTERS).upper()
    is_tve, is_he = bool(TVE_SPECIALTY_RE.fullmatch(code)), bool(HE_PROGRAMME_RE.fullmatch(code))
    doc_type = c.doc_type
    if doc_type is None:
        if not (is_tve or is_he):
            c.error("programme", f"{_shown(text)} is neither a TVE specialty code of 8 digits (06130100) nor a "
                                 "higher-education programme code (6B06101, 7M01501, 8D05302)")
            return None
        return code
    if doc_type.level == "tve":
        if not is_tve:
            c.error("programme", f"{_shown(text)}: doc_type {doc_type.code} needs a TVE specialty code of 8 digits "
                                 "such as 06130100")
            return None
        return code
    allowed = _HE_LEVELS[doc_type.code]
    if not is_he:
        c.error("programme", f"{_shown(text)}: doc_type {doc_type.code} needs a higher-education programme code "
                             f"such as {allowed[0]}06101")
        return None
    if code[:2] not in allowed:
        level = _LEVEL_NAMES.get(code[:2], f"level {code[:2]}")
        wanted = " or ".join(_LEVEL_NAMES[prefix] for prefix in allowed)
        c.error("programme", f"{_shown(text)} is a {level} programme, but doc_type {doc_type.code} needs a "
                             f"{wanted} programme")
        return None
    return code


def _check_qualification(c: _Checked, raw: object) -> str | None:
    doc_type = c.doc_type
    tve = doc_type is not None and doc_type.level == "tve"
    text = _text(c, raw, column="qualification", required=tve)
    if text is None:
        return None
    code = text.upper()
    if doc_type is None:
        return code if _CODE_RE.fullmatch(code) else None
    if tve:
        if not TVE_QUALIFICATION_RE.fullmatch(code):
            c.error("qualification", f"{_shown(text)} is not a TVE qualification code such as 4S06130103")
            return None
        if c.programme is not None and code[2:8] != c.programme[:6]:
            c.warn("qualification", f"{_shown(code)} does not belong to specialty {c.programme} (its digits after "
                                    "the letter should begin with the first six digits of the specialty)")
        return code
    if not (len(code) <= MAX_QUALIFICATION_CHARS and _CODE_RE.fullmatch(code)):
        c.error("qualification", f"{_shown(text)} must be 1-{MAX_QUALIFICATION_CHARS} characters of 0-9 and A-Z")
        return None
    return code


def _check_honours(c: _Checked, raw: object) -> bool | None:
    value: bool | None
    if isinstance(raw, bool):
        value = raw
    elif isinstance(raw, (int, float)) and raw in (0, 1):
        value = bool(raw)
    else:
        text = _text(c, raw, column="honours", required=False)
        if text is None:
            value = None
        elif text.casefold() in _TRUE:
            value = True
        elif text.casefold() in _FALSE:
            value = False
        else:
            c.error("honours", f"{_shown(text)} is not one of true/false, 1/0, yes/no, иә/жоқ, да/нет")
            return None
    doc_type = c.doc_type
    if doc_type is None:
        return bool(value)
    if doc_type.code == "TVE_HONOURS":
        if value is False:
            c.error("honours", "is false, but doc_type TVE_HONOURS is the diploma with honours")
            return None
        return True
    if doc_type.code == "TVE" and value:
        c.error("honours", "is true: a TVE diploma with honours has doc_type TVE_HONOURS")
        return None
    return bool(value)


def _check_group(c: _Checked, raw: object) -> str | None:
    text = _text(c, raw, column="group", required=True)
    if text is not None and len(text) > MAX_GROUP_CHARS:
        c.error("group", f"is {len(text)} characters; at most {MAX_GROUP_CHARS}")
        return None
    return text

