"""The checks of a graduates import: the header, then every value of every row, then the rows against each other.

`check_table(table, today=...)` turns a `Table` read from a file into a `ParseReport`: every good row, and for every
bad row one `RowError` per bad column, so that the officer can fix the whole file at once. The rules are listed in
`verify.registry.imports.parse` (and docs/IMPORT.md); names follow `verify.record.HolderName`.

Privacy: no `RowError` or warning made here contains an IIN: values are quoted back (`_shown`) only for code and
date columns and for unknown headers, and any run of ten or more digits is hidden first.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from ...doctypes import DOCUMENT_TYPES, DocumentType, get_document_type
from ...errors import RecordError
from ...identifiers import (
    HE_PROGRAMME_RE,
    TVE_QUALIFICATION_RE,
    TVE_SPECIALTY_RE,
    iin_birth_date,
    iins_in_text,
    validate_iin,
)
from ...record import (
    EARLIEST_AWARD_DATE,
    MAX_FULL_NAME_CHARS,
    MAX_GIVEN_NAME_CHARS,
    MAX_PATRONYMIC_CHARS,
    MAX_QUALIFICATION_CHARS,
    MAX_SURNAME_CHARS,
    check_name_part,
)
from .rows import (
    COLUMN_NAMES,
    FILE_COLUMN,
    MAX_CELL_CHARS,
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
    header_key,
    is_empty,
)

_EARLIEST_BIRTH_DATE = dt.date(1900, 1, 1)
_SHOWN_CHARS = 40  # characters of a bad value quoted back in a reason

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

_FULL_NAME_HEADERS = frozenset({"фио", "ф.и.о.", "ф. и. о.", "аты-жөні", "толық аты-жөні", "full name"})


def _shown(value: object) -> str:
    """A value quoted back to the officer: shortened, one line, any run of 10+ digits hidden (an IIN?)."""
    text = value if isinstance(value, str) else str(value)
    text = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text.strip())
    text = _LONG_DIGITS_RE.sub("[digits hidden]", text)  # before shortening: no part of an IIN survives
    if len(text) > _SHOWN_CHARS:
        text = text[: _SHOWN_CHARS - 1] + "…"
    return f"'{text}'"


def _map_header(table: Table, errors: list[RowError]) -> dict[str, int] | None:
    """Canonical column -> cell index; None when a required column is missing (rows are not checked then)."""
    row = table.header_row
    header = list(table.header)
    while header and is_empty(header[-1]):
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
        if is_empty(cell):
            continue  # a column without a header is an error only where it holds a value (`_check_table`)
        text = cell if isinstance(cell, str) else str(cell)
        column = column_for(text)
        if column is None:
            hint = (" a full name in one column must be split into surname, name and patronymic columns;"
                    if header_key(text) in _FULL_NAME_HEADERS else "")
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


def check_table(table: Table, *, today: dt.date) -> ParseReport:
    """Check the header and every row of a table read from a file (`parse_graduates` calls it).

    Args:
        table: the raw cells, header first.
        today: the reference date: birth and award dates after it are refused.

    Returns:
        The report: every row without an error, every error by row (file-level problems first), the warnings.
    """
    errors: list[RowError] = []
    warned: list[RowError] = []
    where = _map_header(table, errors)
    if where is None:
        return ParseReport(rows=(), errors=tuple(errors))
    if not table.rows:
        errors.append(RowError(0, FILE_COLUMN, "the file has a header but no data rows"))
    headed = {i for i, cell in enumerate(table.header) if not is_empty(cell)}
    rows: list[GraduateRow] = []
    seen_keys: dict[tuple[str, str, str], int] = {}
    seen_people: dict[str, tuple[int, tuple[object, ...]]] = {}
    for number, cells in table.rows:
        checked = _Checked(row=number)
        headless = [i + 1 for i, cell in enumerate(cells) if i not in headed and not is_empty(cell)]
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
        check_name_part(text, label=column, limit=limit)
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
    if text is not None and iins_in_text(text):  # the group is shown in lists, batches and logs
        c.error("group", "holds an IIN (12 digits with a valid check digit); leave it out")
        return None
    return text
