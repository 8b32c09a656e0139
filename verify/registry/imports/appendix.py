"""The appendix rows of an import: a second CSV, or the sheet "appendix" of the graduates' XLSX (issue 17 item 1).

One row per subject, module, practice, final attestation or thesis of one graduate, in printed order (seed 000,
Rules items 10-16 and appendix 37 annex 2: subject or module, hours or credits, grade as letter, points, percent
and five-point number; docs/IMPORT.md "Appendix"):

    iin, kind, code, name_kk, name_ru, name_en, hours, credits, letter, points, percent, five_point, passed

`kind` is subject, module, practice, final_attestation or thesis; a thesis's title is its name. Every row of every
graduate is checked as `verify.appendix.AppendixItem` and `Appendix` check it (names in kk and ru, hours or credits,
grades whose forms agree, at most one thesis, 1-200 rows); the IIN must be one of the graduates file's. As with the
graduates file, every problem is reported by row and column, and nothing is imported while any remains.

    parse_appendix(data, filename=, graduate_iins=) -> AppendixReport
    write_appendix_csv(items_by_iin, delimiter=) -> bytes       the same columns written (exports, demo, tests)
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from ...appendix import MAX_ITEMS, AppendixItem, ItemKind
from ...errors import RecordError
from ...grades import Grade
from ...identifiers import iins_in_text
from ...texts import text
from .parse import _XLSX_MAGIC, _read_csv, _read_xlsx  # the graduates file's readers: same caps, same refusals
from .rows import FILE_COLUMN, RowError, is_empty

APPENDIX_SHEET = "appendix"
COLUMNS = ("iin", "kind", "code", "name_kk", "name_ru", "name_en", "hours", "credits", "letter", "points", "percent",
           "five_point", "passed")
REQUIRED = frozenset({"iin", "kind"})
MAX_APPENDIX_ROWS = 500_000
_YES = {"yes", "true", "1", "иә", "да", "passed", "сынақ", "зачтено"}
_NO = {"no", "false", "0", "жоқ", "нет", "failed", "не зачтено"}


@dataclass(frozen=True, slots=True)
class AppendixReport:
    """What `parse_appendix` found.

    Attributes:
        items: IIN -> the graduate's rows in file order (only when `ok`).
        errors: every problem, by row and column.
        present: False when the XLSX has no sheet "appendix" (nothing to import, no error).
    """

    items: dict[str, tuple[AppendixItem, ...]] = field(default_factory=dict)
    errors: tuple[RowError, ...] = ()
    present: bool = True

    @property
    def ok(self) -> bool:
        """True when nothing blocks the import."""
        return not self.errors


def _cell(cells: tuple[object, ...], index: dict[str, int], column: str) -> str | None:
    at = index.get(column)
    if at is None or at >= len(cells) or is_empty(cells[at]):
        return None
    value = cells[at]
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _int(row: int, column: str, raw: str | None, errors: list[RowError]) -> int | None:
    if raw is None:
        return None
    if not raw.isascii() or not raw.isdigit():
        errors.append(RowError.of(row, column, text("v_apx_whole_number")))
        return None
    return int(raw)


def _decimal(row: int, column: str, raw: str | None, errors: list[RowError], places: str) -> Decimal | None:
    if raw is None:
        return None
    try:
        value = Decimal(raw.replace(",", "."))
    except InvalidOperation:
        errors.append(RowError.of(row, column, text("v_apx_decimal")))
        return None
    if not value.is_finite():
        errors.append(RowError.of(row, column, text("v_apx_decimal")))
        return None
    return value.quantize(Decimal(places)) if value == value.quantize(Decimal(places)) else value


def _passed(row: int, raw: str | None, errors: list[RowError]) -> bool | None:
    if raw is None:
        return None
    key = raw.casefold()
    if key in _YES:
        return True
    if key in _NO:
        return False
    errors.append(RowError.of(row, "passed", text("v_apx_yes_no")))
    return None


def _item(row: int, cells: tuple[object, ...], index: dict[str, int], errors: list[RowError]) -> AppendixItem | None:
    found = len(errors)
    kind_label = _cell(cells, index, "kind")
    kind = None
    try:
        kind = ItemKind.from_label((kind_label or "").casefold())
    except RecordError:
        errors.append(RowError.of(row, "kind", text("v_apx_kind", kinds=", ".join(k.label for k in ItemKind))))
    names = {lang: value for lang in ("kk", "ru", "en") if (value := _cell(cells, index, f"name_{lang}")) is not None}
    for lang, value in names.items():
        if iins_in_text(value):  # a name is shown on the public page: never an IIN (README, Guarantees)
            errors.append(RowError.of(row, f"name_{lang}", text("v_apx_iin")))
    hours = _int(row, "hours", _cell(cells, index, "hours"), errors)
    credits = _decimal(row, "credits", _cell(cells, index, "credits"), errors, "0.1")
    points = _decimal(row, "points", _cell(cells, index, "points"), errors, "0.01")
    percent = _int(row, "percent", _cell(cells, index, "percent"), errors)
    five = _int(row, "five_point", _cell(cells, index, "five_point"), errors)
    passed = _passed(row, _cell(cells, index, "passed"), errors)
    letter = _cell(cells, index, "letter")
    if len(errors) > found or kind is None:
        return None
    try:
        grade = Grade(letter=letter.upper() if letter else None, points=points, percent=percent, five_point=five,
                      passed=passed)
    except RecordError as exc:
        errors.append(RowError.of(row, "letter", text("v_apx_grade", detail=exc.message)))
        return None
    try:
        return AppendixItem(kind=kind, names=names, grade=grade, hours=hours, credits=credits,
                            code=_cell(cells, index, "code"))
    except RecordError as exc:
        errors.append(RowError.of(row, "name_kk" if "name" in exc.message else "hours",
                                  text("v_apx_row", detail=exc.message)))
        return None


def parse_appendix(data: bytes, *, filename: str, graduate_iins: Collection[str],
                   max_rows: int = MAX_APPENDIX_ROWS) -> AppendixReport:
    """Parse and check the appendix rows; never raises for bad input.

    Args:
        data: a CSV, or the graduates' XLSX (its sheet "appendix" is read).
        filename: chooses the reader as for the graduates file.
        graduate_iins: the IINs of the graduates file: every appendix row must name one of them.
        max_rows: refuse more data rows.

    Returns:
        The `AppendixReport`; `present` False for an XLSX without a sheet "appendix".
    """
    if data.startswith(_XLSX_MAGIC) or filename.lower().endswith(".xlsx"):
        table = _read_xlsx(data, max_rows=max_rows, max_uncompressed_bytes=64 * 1024 * 1024, sheet=APPENDIX_SHEET)
        if table is None:
            return AppendixReport(present=False)
    else:
        table = _read_csv(data, max_rows=max_rows)
    if isinstance(table, RowError):
        return AppendixReport(errors=(table,))
    index: dict[str, int] = {}
    for position, cell in enumerate(table.header):
        name = str(cell or "").strip().casefold().replace(" ", "_")
        if name in COLUMNS and name not in index:
            index[name] = position
    errors: list[RowError] = []
    missing = sorted(REQUIRED - set(index))
    if missing or not {"name_kk", "name_ru"} <= set(index):
        wanted = ", ".join(sorted({*missing, *({"name_kk", "name_ru"} - set(index))}))
        return AppendixReport(errors=(RowError.of(table.header_row, FILE_COLUMN,
                                                  text("v_apx_columns", columns=wanted)),))
    known = set(graduate_iins)
    items: dict[str, list[AppendixItem]] = {}
    first_row: dict[str, int] = {}
    for row, cells in table.rows:
        iin = _cell(cells, index, "iin")
        if iin is None or iin not in known:
            errors.append(RowError.of(row, "iin", text("v_apx_unknown_iin")))
            continue
        item = _item(row, cells, index, errors)
        if item is not None:
            items.setdefault(iin, []).append(item)
            first_row.setdefault(iin, row)
    for iin, rows in items.items():
        if len(rows) > MAX_ITEMS:
            errors.append(RowError.of(first_row[iin], "iin", text("v_apx_too_many", limit=MAX_ITEMS)))
        if sum(1 for i in rows if i.kind is ItemKind.THESIS) > 1:
            errors.append(RowError.of(first_row[iin], "kind", text("v_apx_one_thesis")))
    if errors:
        return AppendixReport(errors=tuple(sorted(errors, key=lambda e: (e.row, e.column))))
    return AppendixReport(items={iin: tuple(rows) for iin, rows in items.items()})


def write_appendix_csv(items_by_iin: Mapping[str, Sequence[AppendixItem]], *, delimiter: str = ",") -> bytes:
    """The appendix file `parse_appendix` reads: UTF-8, `COLUMNS` as the header, one row per item in order.

    Args:
        items_by_iin: each graduate's IIN -> the rows of the graduate's appendix.
        delimiter: "," or ";" (both are read back).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\n")
    writer.writerow(COLUMNS)
    for iin, items in items_by_iin.items():
        for item in items:
            grade = item.grade
            writer.writerow((iin, item.kind.label, item.code or "", item.names.get("kk", ""),
                             item.names.get("ru", ""), item.names.get("en", ""), item.hours or "",
                             "" if item.credits is None else str(item.credits), grade.letter or "",
                             "" if grade.points is None else str(grade.points),
                             "" if grade.percent is None else grade.percent,
                             "" if grade.five_point is None else grade.five_point,
                             "" if grade.passed is None else ("yes" if grade.passed else "no")))
    return buffer.getvalue().encode("utf-8")
