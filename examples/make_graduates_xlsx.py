"""Write examples/graduates-<kind>.xlsx from examples/graduates-<kind>.csv: the same graduates as a spreadsheet.

One file per kind of institution (`college`: TVE and post-secondary diplomas; `university`: bachelor's and master's
degrees), so that one officer account imports each: an institution imports only the documents of its kind.

The workbook looks like an export of the National Education Database opened in Excel: bilingual
Kazakh / Russian headers (docs/IMPORT.md), the IIN and the codes as text cells (so leading zeros stay),
dates as date cells shown DD.MM.YYYY, honours as иә / жоқ. `verify.registry.imports.parse.parse_graduates`
must read the same rows from both files (tests/core/test_graduates.py).

The output is reproducible: fixed document properties and zip timestamps, members in a fixed order.

Usage:
    python examples/make_graduates_xlsx.py          # both workbooks beside their CSV files
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).resolve().parent
KINDS = ("college", "university")
"""The institution kinds with an example file each."""


def source_of(kind: str) -> Path:
    """examples/graduates-<kind>.csv."""
    return HERE / f"graduates-{kind}.csv"


def target_of(kind: str) -> Path:
    """examples/graduates-<kind>.xlsx."""
    return HERE / f"graduates-{kind}.xlsx"


#: English column (examples/graduates-*.csv) -> the header written in the workbook.
HEADERS: dict[str, str] = {
    "iin": "ЖСН / ИИН",
    "surname": "Тегі / Фамилия",
    "name": "Аты / Имя",
    "patronymic": "Әкесінің аты / Отчество",
    "birth_date": "Туған күні / Дата рождения",
    "doc_type": "Құжат түрі / Тип документа",
    "programme": "Білім беру бағдарламасы / Образовательная программа",
    "qualification": "Біліктілік / Квалификация",
    "honours": "Үздік / С отличием",
    "award_date": "Берілген күні / Дата выдачи",
    "group": "Топ / Группа",
}
FIXED_TIME = dt.datetime(2025, 7, 1, 9, 0, 0)  # document properties and zip member times
_DATE_COLUMNS = frozenset({"birth_date", "award_date"})
_TEXT_COLUMNS = frozenset({"iin", "programme", "qualification"})


def build(source: Path) -> bytes:
    """The workbook's bytes, made from the CSV at `source` (UTF-8, comma, English headers)."""
    with source.open(encoding="utf-8", newline="") as handle:
        records = list(csv.DictReader(handle))
    workbook = Workbook()
    workbook.properties.creator = "verify examples"
    workbook.properties.created = FIXED_TIME
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Түлектер"
    sheet.append([HEADERS[column] for column in HEADERS])
    for record in records:
        row: list[object] = []
        for column in HEADERS:
            value = record[column]
            if column in _DATE_COLUMNS:
                row.append(dt.date.fromisoformat(value))
            elif column == "honours":
                row.append("иә" if value == "yes" else "жоқ")
            else:
                row.append(value or None)
        sheet.append(row)
    for index, column in enumerate(HEADERS, start=1):
        for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
            if column in _DATE_COLUMNS:
                cell.number_format = "DD.MM.YYYY"
            elif column in _TEXT_COLUMNS:
                cell.number_format = "@"
        sheet.column_dimensions[chr(ord("A") + index - 1)].width = 18
    raw = io.BytesIO()
    workbook.save(raw)
    return _reproducible(raw.getvalue())


def _reproducible(xlsx: bytes) -> bytes:
    """Rewrite the zip with fixed member times and a fixed `modified` property (openpyxl stamps now)."""
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*(</dcterms:modified>)",
                              rb"\g<1>" + stamp.encode() + rb"\g<2>", data)
            member = zipfile.ZipInfo(info.filename, date_time=FIXED_TIME.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, data)
    return out.getvalue()


def main(argv: list[str]) -> int:
    """Write examples/graduates-<kind>.xlsx of every kind."""
    for kind in KINDS:
        target_of(kind).write_bytes(build(source_of(kind)))
        print(f"wrote {target_of(kind)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
