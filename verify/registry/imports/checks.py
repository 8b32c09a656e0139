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
from ...texts import Text, text
from .rows import (
    COLUMN_NAMES,
    FILE_COLUMN,
    MAX_CELL_CHARS,
    MAX_COLUMNS,
    MAX_GROUP_CHARS,
    MAX_ORDER_CHARS,
    MAX_REASON_CHARS,
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
_ENDED_COLUMNS = ("studies_ended_reason", "studies_ended_order", "studies_ended_order_date", "studied_from",
                  "studied_until")
#: A college diploma type -> its own type with honours (seed 000, item 5 names both as types of their own).
_HONOURS_TYPES = {"TVE": "TVE_HONOURS", "POST_SECONDARY": "POST_SEC_HONOURS"}
_LEVEL_NAMES = {_BACHELOR: "v_level_6B", _MASTER: "v_level_7M", _DOCTOR: "v_level_8D"}  # message ids
# Letters of a programme code typed in Cyrillic by mistake: 6В06101, 7М01501, 8Д05302.
_PROGRAMME_LETTERS = str.maketrans({"В": "B", "М": "M", "Д": "D", "в": "B", "м": "M", "д": "D"})
_LATIN_RE = re.compile("[A-Za-zÄäĞğÑñÖöŞşŪūÜüĪıİ]")  # Latin letters HolderName allows (Kazakh Latin alphabet)
_CYRILLIC_RE = re.compile("[\u0400-\u04ff]")

_FULL_NAME_HEADERS = frozenset({"фио", "ф.и.о.", "ф. и. о.", "аты-жөні", "толық аты-жөні", "full name"})


def _shown(value: object) -> str:
    """A value quoted back to the officer: shortened, one line, any run of 10+ digits hidden (an IIN?)."""
    typed = value if isinstance(value, str) else str(value)
    typed = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in typed.strip())
    typed = _LONG_DIGITS_RE.sub("[digits hidden]", typed)  # before shortening: no part of an IIN survives
    if len(typed) > _SHOWN_CHARS:
        typed = typed[: _SHOWN_CHARS - 1] + "…"
    return f"'{typed}'"


def _level(prefix: str) -> Text:
    """The name of a programme level by its code prefix (6B bachelor's, 7M master's, 8D doctoral)."""
    key = _LEVEL_NAMES.get(prefix)
    return text(key) if key is not None else text("v_level_other", prefix=prefix)


def _map_header(table: Table, errors: list[RowError]) -> dict[str, int] | None:
    """Canonical column -> cell index; None when a required column is missing (rows are not checked then)."""
    row = table.header_row
    header = list(table.header)
    while header and is_empty(header[-1]):
        header.pop()
    if not header:
        errors.append(RowError.of(row, FILE_COLUMN, text("v_imp_header_empty", row=row)))
        return None
    if len(header) > MAX_COLUMNS:
        errors.append(RowError.of(row, FILE_COLUMN, text("v_imp_too_many_columns", limit=MAX_COLUMNS)))
        return None
    where: dict[str, int] = {}
    for index, cell in enumerate(header):
        if is_empty(cell):
            continue  # a column without a header is an error only where it holds a value (`_check_table`)
        cell_text = cell if isinstance(cell, str) else str(cell)
        column = column_for(cell_text)
        if column is None:
            key = "v_imp_unknown_full_name" if header_key(cell_text) in _FULL_NAME_HEADERS else "v_imp_unknown_column"
            errors.append(RowError.of(row, _shown(cell_text)[1:-1], text(key, index=index + 1,
                                                                        expected=", ".join(COLUMN_NAMES))))
        elif column in where:
            errors.append(RowError.of(row, column, text("v_imp_column_twice", first=where[column] + 1,
                                                        second=index + 1)))
        else:
            where[column] = index
    missing = [column for column in REQUIRED_COLUMNS if column not in where]
    for column in missing:
        names = ", ".join(COLUMN_NAMES[column])
        errors.append(RowError.of(row, column, text("v_imp_column_missing", names=names)))
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
    ended: dict[str, object] = field(default_factory=dict)  # the анықтама's studies-ended columns, checked

    def error(self, column: str, reason: Text) -> None:
        self.errors.append(RowError.of(self.row, column, reason))

    def warn(self, column: str, reason: Text) -> None:
        self.warnings.append(RowError.of(self.row, column, reason))


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
        errors.append(RowError.of(0, FILE_COLUMN, text("v_imp_no_rows")))
    headed = {i for i, cell in enumerate(table.header) if not is_empty(cell)}
    rows: list[GraduateRow] = []
    seen_keys: dict[tuple[str, str, str], int] = {}
    seen_people: dict[str, tuple[int, tuple[object, ...]]] = {}
    for number, cells in table.rows:
        checked = _Checked(row=number)
        headless = [i + 1 for i, cell in enumerate(cells) if i not in headed and not is_empty(cell)]
        if headless:
            checked.error(ROW_COLUMN, text("v_imp_headless_value", index=headless[0]))
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
        award_date=c.award_date, group=c.group, **c.ended,  # type: ignore[arg-type]
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
            c.error(ROW_COLUMN, text("v_imp_duplicate_row", row=seen_keys[key]))
        else:
            seen_keys[key] = c.row
    person = (c.surname, c.name, c.patronymic, c.birth_date)
    if None in (c.surname, c.name, c.birth_date):
        return
    if c.iin in seen_people:
        first_row, first_person = seen_people[c.iin]
        if first_person != person:
            c.error("iin", text("v_imp_same_iin_other_person", row=first_row))
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
            c.error("surname", text("v_imp_full_name_long", length=len(full), limit=MAX_FULL_NAME_CHARS))
            c.surname = None
    c.birth_date = _check_date(c, values.get("birth_date"), column="birth_date", today=today)
    if c.birth_date is not None and c.birth_date < _EARLIEST_BIRTH_DATE:
        c.error("birth_date", text("v_imp_before", date=_EARLIEST_BIRTH_DATE))
        c.birth_date = None
    if c.iin is not None and c.birth_date is not None and iin_birth_date(c.iin) != c.birth_date:
        c.warn("birth_date", text("v_imp_birth_differs_iin"))
    c.doc_type = _check_doc_type(c, values.get("doc_type"))
    c.programme = _check_programme(c, values.get("programme"))
    c.qualification = _check_qualification(c, values.get("qualification"))
    c.honours = _check_honours(c, values.get("honours"))
    c.award_date = _check_date(c, values.get("award_date"), column="award_date", today=today)
    if c.award_date is not None:
        _check_award_date(c)
    c.group = _check_group(c, values.get("group"))
    _check_studies_ended(c, values, today=today)


def _check_studies_ended(c: _Checked, values: dict[str, object], *, today: dt.date) -> None:
    """The анықтама's reason, order and period (seed 000, appendix 37): required with INCOMPLETE, else refused."""
    if c.doc_type is None:
        return
    if c.doc_type.code != "INCOMPLETE":
        for column in _ENDED_COLUMNS:
            if not is_empty(values.get(column)):
                c.error(column, text("v_imp_only_incomplete", doc_type=c.doc_type.code))
        return
    for column, limit in (("studies_ended_reason", MAX_REASON_CHARS), ("studies_ended_order", MAX_ORDER_CHARS)):
        typed = _text(c, values.get(column), column=column, required=True)
        if typed is not None and len(typed) > limit:
            c.error(column, text("v_imp_text_long", length=len(typed), limit=limit))
        elif typed is not None and iins_in_text(typed):  # printed on the annex and shown: never an IIN
            c.error(column, text("v_imp_text_iin"))
        else:
            c.ended[column] = typed
    c.ended["studies_ended_order_date"] = _check_date(c, values.get("studies_ended_order_date"),
                                                      column="studies_ended_order_date", today=today)
    for column in ("studied_from", "studied_until"):
        if not is_empty(values.get(column)):
            c.ended[column] = _check_date(c, values.get(column), column=column, today=today)
    start, end = c.ended.get("studied_from"), c.ended.get("studied_until")
    if isinstance(start, dt.date) and isinstance(end, dt.date) and start > end:
        c.error("studied_until", text("v_imp_studied_order"))


def _text(c: _Checked, raw: object, *, column: str, required: bool) -> str | None:
    """A cell as trimmed NFC text; None (with an error if required) when empty or unreadable."""
    typed: str
    if raw is None:
        typed = ""
    elif isinstance(raw, str):
        typed = raw
    elif isinstance(raw, bool):
        c.error(column, text("v_imp_bool_not_text"))
        return None
    elif isinstance(raw, int):
        typed = str(raw)
    elif isinstance(raw, float) and raw.is_integer() and abs(raw) < 1e15:
        typed = str(int(raw))
    elif isinstance(raw, float):
        c.error(column, text("v_imp_number_not_text", value=_shown(raw)))
        return None
    else:  # date, time, timedelta from a spreadsheet cell
        c.error(column, text("v_imp_date_not_text"))
        return None
    typed = unicodedata.normalize("NFC", typed).strip()
    if not typed:
        if required:
            c.error(column, text("v_imp_required"))
        return None
    if len(typed) > MAX_CELL_CHARS:
        c.error(column, text("v_imp_cell_long", limit=MAX_CELL_CHARS))
        return None
    if not typed.isprintable():  # control, format (zero-width), private-use, unassigned, separators but space
        c.error(column, text("v_imp_invisible"))
        return None
    return typed


def _reason(exc: RecordError) -> Text:
    """A RecordError's message without its field (the column is named separately)."""
    if exc.text is not None:
        return exc.text.without_field()
    raise exc  # every RecordError of the record checks is raised with a Text (tests/core/test_texts.py)


def _check_iin(c: _Checked, raw: object) -> str | None:
    if isinstance(raw, int) and not isinstance(raw, bool):
        if not 0 <= raw < 10**12:
            c.error("iin", text("v_imp_iin_12"))
            return None
        typed: str | None = f"{raw:012d}"  # a number cell lost the leading zeros
    elif isinstance(raw, float):
        c.error("iin", text("v_imp_iin_decimal"))
        return None
    else:
        typed = _text(c, raw, column="iin", required=True)
    if typed is None:
        return None
    if not (len(typed) == 12 and typed.isascii() and typed.isdigit()):
        if typed.isascii() and typed.isdigit() and len(typed) < 12:
            c.error("iin", text("v_imp_iin_short", count=len(typed)))
        else:
            c.error("iin", text("v_imp_iin_12"))
        return None
    try:
        return validate_iin(typed)
    except RecordError as exc:
        c.error("iin", _reason(exc))
        return None


def _check_name(c: _Checked, raw: object, *, column: str, limit: int, required: bool) -> str | None:
    typed = _text(c, raw, column=column, required=required)
    if typed is None:
        return None
    try:
        check_name_part(typed, label=column, limit=limit)
    except RecordError as exc:
        c.error(column, _reason(exc))
        return None
    if _LATIN_RE.search(typed) and _CYRILLIC_RE.search(typed):
        c.warn(column, text("v_imp_mixed_scripts"))
    return typed


def _check_date(c: _Checked, raw: object, *, column: str, today: dt.date) -> dt.date | None:
    value: dt.date | None = None
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time(0, 0):
            c.error(column, text("v_imp_time_of_day"))
            return None
        value = raw.date()
    elif isinstance(raw, dt.date):
        value = raw
    elif isinstance(raw, (int, float)) and not isinstance(raw, bool):
        c.error(column, text("v_imp_number_not_date", value=_shown(raw)))
        return None
    else:
        typed = _text(c, raw, column=column, required=True)
        if typed is None:
            return None
        iso, dmy = _ISO_DATE_RE.fullmatch(typed), _DMY_DATE_RE.fullmatch(typed)
        try:
            if iso is not None:
                value = dt.date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
            elif dmy is not None:
                value = dt.date(int(dmy.group(3)), int(dmy.group(2)), int(dmy.group(1)))
        except ValueError:
            c.error(column, text("v_imp_not_calendar_date", value=_shown(typed)))
            return None
        if value is None:
            c.error(column, text("v_imp_not_date_form", value=_shown(typed)))
            return None
    if value > today:
        c.error(column, text("v_imp_future", date=value))
        return None
    return value


def _check_award_date(c: _Checked) -> None:
    assert c.award_date is not None
    if c.award_date < EARLIEST_AWARD_DATE:
        c.error("award_date", text("v_imp_before", date=EARLIEST_AWARD_DATE))
        c.award_date = None
    elif c.birth_date is not None and c.award_date < _add_years(c.birth_date, MIN_AWARD_AGE_YEARS):
        c.error("award_date", text("v_imp_award_too_early", years=MIN_AWARD_AGE_YEARS))
        c.award_date = None


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return dt.date(day.year + years, 3, 1)


def _check_doc_type(c: _Checked, raw: object) -> DocumentType | None:
    typed = _text(c, raw, column="doc_type", required=True)
    if typed is None:
        return None
    doc_type = get_document_type(typed.upper())
    if doc_type is None:
        codes = ", ".join(t.code for t in DOCUMENT_TYPES)
        c.error("doc_type", text("v_imp_unknown_doc_type", value=_shown(typed), codes=codes))
    return doc_type


def _check_programme(c: _Checked, raw: object) -> str | None:
    if isinstance(raw, int) and not isinstance(raw, bool) and 0 <= raw < 10**8:
        raw = f"{raw:08d}"  # an 8-digit specialty code in a number cell lost its leading zero
    typed = _text(c, raw, column="programme", required=True)
    if typed is None:
        return None
    code = typed.translate(_PROGRAMME_LETTERS).upper()
    is_tve, is_he = bool(TVE_SPECIALTY_RE.fullmatch(code)), bool(HE_PROGRAMME_RE.fullmatch(code))
    doc_type = c.doc_type
    if doc_type is None:
        if not (is_tve or is_he):
            c.error("programme", text("v_imp_programme_neither", value=_shown(typed)))
            return None
        return code
    if doc_type.level == "any":  # the анықтама names the specialty of any level (seed 000, appendix 37)
        if not (is_tve or is_he):
            c.error("programme", text("v_imp_programme_neither", value=_shown(typed)))
            return None
        return code
    if doc_type.level == "tve":
        if not is_tve:
            c.error("programme", text("v_imp_programme_tve", value=_shown(typed), doc_type=doc_type.code))
            return None
        return code
    allowed = _HE_LEVELS[doc_type.code]
    if not is_he:
        c.error("programme", text("v_imp_programme_he", value=_shown(typed), doc_type=doc_type.code,
                                  example=f"{allowed[0]}06101"))
        return None
    if code[:2] not in allowed:
        level = _level(code[:2])
        wanted = _level(allowed[0])
        for prefix in allowed[1:]:
            wanted = text("v_or", first=wanted, second=_level(prefix))
        c.error("programme", text("v_imp_programme_level", value=_shown(typed), level=level, doc_type=doc_type.code,
                                  wanted=wanted))
        return None
    return code


def _check_qualification(c: _Checked, raw: object) -> str | None:
    doc_type = c.doc_type
    tve = doc_type is not None and doc_type.level == "tve"
    typed = _text(c, raw, column="qualification", required=tve)
    if typed is None:
        return None
    code = typed.upper()
    if doc_type is None:
        return code if _CODE_RE.fullmatch(code) else None
    if tve:
        if not TVE_QUALIFICATION_RE.fullmatch(code):
            c.error("qualification", text("v_imp_qualification_tve", value=_shown(typed)))
            return None
        if c.programme is not None and code[2:8] != c.programme[:6]:
            c.warn("qualification", text("v_imp_qualification_specialty", value=_shown(code), programme=c.programme))
        return code
    if not (len(code) <= MAX_QUALIFICATION_CHARS and _CODE_RE.fullmatch(code)):
        c.error("qualification", text("v_imp_qualification_he", value=_shown(typed), limit=MAX_QUALIFICATION_CHARS))
        return None
    return code


def _check_honours(c: _Checked, raw: object) -> bool | None:
    value: bool | None
    if isinstance(raw, bool):
        value = raw
    elif isinstance(raw, (int, float)) and raw in (0, 1):
        value = bool(raw)
    else:
        typed = _text(c, raw, column="honours", required=False)
        if typed is None:
            value = None
        elif typed.casefold() in _TRUE:
            value = True
        elif typed.casefold() in _FALSE:
            value = False
        else:
            c.error("honours", text("v_imp_honours_value", value=_shown(typed)))
            return None
    doc_type = c.doc_type
    if doc_type is None:
        return bool(value)
    if doc_type.honours:  # TVE_HONOURS, POST_SEC_HONOURS: the honours diplomas of seed 000, item 5
        if value is False:
            c.error("honours", text("v_imp_honours_false", doc_type=doc_type.code))
            return None
        return True
    if value and doc_type.level != "higher":
        honours_type = _HONOURS_TYPES.get(doc_type.code)
        if honours_type is None:  # the анықтама has no honours form
            c.error("honours", text("v_imp_honours_none", doc_type=doc_type.code))
        else:
            c.error("honours", text("v_imp_honours_true", doc_type=doc_type.code, honours_type=honours_type))
        return None
    return bool(value)


def _check_group(c: _Checked, raw: object) -> str | None:
    typed = _text(c, raw, column="group", required=True)
    if typed is not None and len(typed) > MAX_GROUP_CHARS:
        c.error("group", text("v_imp_group_long", length=len(typed), limit=MAX_GROUP_CHARS))
        return None
    if typed is not None and iins_in_text(typed):  # the group is shown in lists, batches and logs
        c.error("group", text("v_imp_group_iin"))
        return None
    return typed
