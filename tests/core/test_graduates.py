"""Tests of the graduates import parser (verify/registry/imports/, docs/IMPORT.md)."""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import importlib.util
import io
import re
import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from support.world import make_iin

from verify.identifiers import check_digit
from verify.record import (
    MAX_FULL_NAME_CHARS,
    MAX_GIVEN_NAME_CHARS,
    MAX_PATRONYMIC_CHARS,
    MAX_QUALIFICATION_CHARS,
    MAX_SURNAME_CHARS,
)
from verify.registry.imports import parse as graduates_module
from verify.registry.imports.parse import (
    COLUMN_NAMES,
    FILE_COLUMN,
    ROW_COLUMN,
    GraduateRow,
    ParseReport,
    RowError,
    parse_graduates,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
TODAY = dt.date(2026, 1, 1)
ENDED_COLUMNS = ("studies_ended_reason", "studies_ended_order", "studies_ended_order_date", "studied_from",
                 "studied_until")  # the анықтама's (seed 000, appendix 37), last in COLUMN_NAMES
COLUMNS = tuple(c for c in COLUMN_NAMES if c not in ENDED_COLUMNS)  # iin, surname, ..., group: the documented order
ALL_COLUMNS = COLUMNS + ENDED_COLUMNS
KINDS = ("college", "university")
EXAMPLE_XLSX = (EXAMPLES / "graduates-college.xlsx").read_bytes()


# ------------------------------------------------------------------------------------------------ helpers


def iin_from(first_seven: str) -> str:
    """A 12-digit IIN with a right check digit after `first_seven` digits, whatever date they spell."""
    for serial in range(10_000):
        digit = check_digit(f"{first_seven}{serial:04d}")
        if digit is not None:
            return f"{first_seven}{serial:04d}{digit}"
    raise AssertionError("no serial has a check digit")


IIN_A = make_iin(dt.date(2004, 5, 12), female=True, serial=27)
IIN_B = make_iin(dt.date(2004, 9, 3), serial=113, female=False)
IIN_C = make_iin(dt.date(2001, 4, 14), serial=634, female=False)


def good(**changes: str) -> dict[str, str]:
    """A valid TVE row as CSV text values, with `changes` applied."""
    row = {
        "iin": IIN_A, "surname": "Сейітқали", "name": "Әлия", "patronymic": "Нұрланқызы",
        "birth_date": "2004-05-12", "doc_type": "TVE", "programme": "06130100", "qualification": "4S06130103",
        "honours": "no", "award_date": "2025-06-27", "group": "ПО-21",
    }
    row.update(changes)
    return row


def bachelor(**changes: str) -> dict[str, str]:
    """A valid BD row."""
    base = {"iin": IIN_C, "surname": "Жұмабаев", "name": "Нұрсұлтан", "patronymic": "Асқарұлы",
            "birth_date": "2001-04-14", "doc_type": "BD", "programme": "6B06101", "qualification": "",
            "award_date": "2025-06-20", "group": "ИС-21-1"}
    return good(**{**base, **changes})


def csv_bytes(rows: Sequence[dict[str, str]], *, header: Sequence[str] = COLUMNS, delimiter: str = ",",
              bom: bool = False, columns: Sequence[str] = COLUMNS) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode()


def xlsx_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def parse_csv(data: bytes, **kwargs: int) -> ParseReport:
    return parse_graduates(data, filename="graduates.csv", today=TODAY, **kwargs)


def parse_xlsx(data: bytes, **kwargs: int) -> ParseReport:
    return parse_graduates(data, filename="graduates.xlsx", today=TODAY, **kwargs)


def where(report: ParseReport) -> set[tuple[int, str]]:
    return {(e.row, e.column) for e in report.errors}


def only_error(report: ParseReport) -> RowError:
    assert len(report.errors) == 1, report.errors
    return report.errors[0]


def load_example_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_graduates_xlsx", EXAMPLES / "make_graduates_xlsx.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# ------------------------------------------------------------------------------------------------ examples


def test_example_files_parse_to_the_same_rows() -> None:
    """One example per institution kind (issue 10 item 20: one file mixing them could be imported by no account)."""
    rows = []
    for kind in KINDS:
        from_csv = parse_csv((EXAMPLES / f"graduates-{kind}.csv").read_bytes())
        from_xlsx = parse_xlsx((EXAMPLES / f"graduates-{kind}.xlsx").read_bytes())
        assert from_csv.ok, from_csv.errors
        assert from_xlsx.ok, from_xlsx.errors
        assert from_csv.warnings == from_xlsx.warnings == ()
        assert len(from_csv.rows) == 6
        assert from_csv.rows == from_xlsx.rows
        assert [row.row for row in from_csv.rows] == list(range(2, 8))
        levels = {"college": {"TVE", "TVE_HONOURS", "POST_SECONDARY"}, "university": {"BD", "MD"}}[kind]
        assert {row.doc_type for row in from_csv.rows} == levels
        rows += from_csv.rows
    by_surname = {row.surname: row for row in rows}
    assert by_surname["Ким"].patronymic is None
    assert by_surname["Мұхамеджанов"].doc_type == "TVE_HONOURS"
    assert by_surname["Мұхамеджанов"].honours is True
    assert by_surname["Шәріпов"].name == "Аңсар"
    assert by_surname["Шәріпов"].programme == "7M01501"
    assert by_surname["Шәріпов"].qualification is None
    letters = "".join(row.surname + row.name + (row.patronymic or "") for row in rows).casefold()
    assert set("әғқңөұүһі") <= set(letters)


@pytest.mark.parametrize("kind", KINDS)
def test_example_xlsx_is_reproducible_from_its_script(kind: str) -> None:
    script = load_example_script()
    built = script.build(script.source_of(kind))
    with zipfile.ZipFile(io.BytesIO(built)) as new, zipfile.ZipFile(script.target_of(kind)) as committed:
        assert new.namelist() == committed.namelist()
        for name in new.namelist():
            assert new.read(name) == committed.read(name), name


# ------------------------------------------------------------------------------------------------ every bad row


def test_every_bad_row_and_column_is_named() -> None:
    bad_check = IIN_B[:11] + str((int(IIN_B[11]) + 1) % 10)
    rows = [
        good(),                                                                     # row 2: fine
        good(iin=bad_check, surname="Сейітқали2", birth_date="2004-13-01"),          # row 3: three columns
        good(iin=IIN_B, doc_type="XYZ", honours="maybe", group=""),                  # row 4: three columns
        bachelor(programme="7M01501", award_date="2027-01-01"),                       # row 5: two columns
        good(iin=make_iin(dt.date(2004, 1, 1), female=False, serial=1), birth_date="2004-01-01",
             qualification="", name="", patronymic="Ivanovich-"),                    # row 6: three columns
        bachelor(),                                                                   # row 7: fine
    ]
    report = parse_csv(csv_bytes(rows))
    assert not report.ok
    assert [row.row for row in report.rows] == [2, 7]
    assert where(report) == {
        (3, "iin"), (3, "surname"), (3, "birth_date"),
        (4, "doc_type"), (4, "honours"), (4, "group"),
        (5, "programme"), (5, "award_date"),
        (6, "qualification"), (6, "name"), (6, "patronymic"),
    }
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "check digit" in reasons[3, "iin"]
    assert "letters" in reasons[3, "surname"]
    assert "not a calendar date" in reasons[3, "birth_date"]
    assert "unknown document type 'XYZ'" in reasons[4, "doc_type"]
    assert "'maybe'" in reasons[4, "honours"]
    assert reasons[4, "group"] == "is required"
    assert "master's (7M)" in reasons[5, "programme"]
    assert "bachelor's (6B)" in reasons[5, "programme"]
    assert "in the future" in reasons[5, "award_date"]
    assert reasons[6, "qualification"] == "is required"
    assert reasons[6, "name"] == "is required"
    assert "hyphens" in reasons[6, "patronymic"]
    assert [e.row for e in report.errors] == sorted(e.row for e in report.errors)


# ------------------------------------------------------------------------------------------------ headers


KAZAKH = ("ЖСН", "Тегі", "Аты", "Әкесінің аты", "Туған күні", "Құжат түрі", "Мамандық", "Біліктілік", "Үздік",
          "Берілген күні", "Топ")
RUSSIAN = ("ИИН", "Фамилия", "Имя", "Отчество", "Дата рождения", "Тип документа", "Специальность", "Квалификация",
           "С отличием", "Дата выдачи", "Группа")
BILINGUAL = tuple(f"{kk} / {ru}" for kk, ru in zip(KAZAKH, RUSSIAN, strict=True))
SHOUTED = tuple(f"  {name.upper().replace('_', ' ')} " for name in COLUMNS)
RUSSIAN_LONG = ("ИИН", "ФАМИЛИЯ", "имя", "Отчество (при наличии)", "дата_рождения", "Вид документа",
                "Код образовательной программы", "Код квалификации", "Диплом с отличием", "Дата присуждения",
                "Учебная группа")


@pytest.mark.parametrize("header", [KAZAKH, RUSSIAN, BILINGUAL, SHOUTED, RUSSIAN_LONG],
                         ids=["kazakh", "russian", "bilingual", "shouted", "russian-long"])
def test_header_synonyms(header: tuple[str, ...]) -> None:
    expected = parse_csv(csv_bytes([good(), bachelor()]))
    report = parse_csv(csv_bytes([good(), bachelor()], header=header))
    assert report.ok, report.errors
    assert report.rows == expected.rows


def test_columns_in_any_order_and_optional_ones_absent() -> None:
    header = ("group", "award_date", "programme", "doc_type", "birth_date", "name", "surname", "iin")
    row = bachelor()
    data = ",".join(header) + "\n" + ",".join(row[c] for c in header) + "\n"
    report = parse_csv(data.encode())
    assert report.ok, report.errors
    assert report.rows[0].patronymic is None
    assert report.rows[0].honours is False
    assert report.rows[0].qualification is None


def test_unknown_duplicated_and_missing_columns() -> None:
    header = ("iin", "surname", "name", "Фамилия", "birth_date", "doc_type", "programme", "Оценка", "group")
    report = parse_csv((",".join(header) + "\n").encode())
    assert not report.rows
    assert where(report) == {(1, "surname"), (1, "Оценка"), (1, "award_date")}
    reasons = {e.column: e.reason for e in report.errors}
    assert "appears twice (columns 2 and 4)" in reasons["surname"]
    assert reasons["Оценка"].startswith("unknown column (column 8)")
    assert "дата выдачи" in reasons["award_date"]


def test_unknown_column_is_reported_and_rows_are_still_checked() -> None:
    data = csv_bytes([good(surname="")]).decode().splitlines()
    data[0] += ",Ескерту"
    data[1] += ",бәрі дұрыс"
    report = parse_csv("\n".join(data).encode())
    assert where(report) == {(1, "Ескерту"), (2, "surname")}


def test_full_name_column_gets_a_hint() -> None:
    report = parse_csv("ФИО,iin\n".encode())
    assert "split into surname, name and patronymic" in next(e for e in report.errors if e.column == "ФИО").reason


def test_a_value_under_no_header_is_an_error() -> None:
    data = csv_bytes([good()]).decode().replace("ПО-21", "ПО-21,,лишнее")
    error = only_error(parse_csv(data.encode()))
    assert (error.row, error.column) == (2, ROW_COLUMN)
    assert "column 13" in error.reason


def test_empty_header_row() -> None:
    error = only_error(parse_csv(b",,,\n" + csv_bytes([good()]).split(b"\n", 1)[1]))
    assert (error.row, error.column) == (1, FILE_COLUMN)
    assert "header row (row 1) is empty" in error.reason


# ------------------------------------------------------------------------------------------------ CSV dialects


def test_semicolon_csv_with_bom_and_quotes() -> None:
    expected = parse_csv(csv_bytes([good(), bachelor()]))
    rows = [good(group="ПО-21; кешкі"), bachelor(surname="Жұмабаев")]
    report = parse_csv(csv_bytes(rows, delimiter=";", bom=True))
    assert report.ok, report.errors
    assert report.rows[0].group == "ПО-21; кешкі"
    assert report.rows[0].iin == expected.rows[0].iin
    assert report.rows[1] == expected.rows[1]


def test_bom_comma_csv() -> None:
    report = parse_csv(csv_bytes([good()], bom=True))
    assert report.ok, report.errors
    assert report.rows[0].iin == IIN_A


def test_excel_sep_line() -> None:
    report = parse_csv(b"sep=;\r\n" + csv_bytes([good()], delimiter=";"))
    assert report.ok, report.errors
    assert report.rows[0].row == 3


def test_quoted_field_spanning_lines_counts_as_one_row() -> None:
    data = csv_bytes([good(group="ПО-21"), good(iin=IIN_B, surname="Мұхамеджанов", group="ПО\n21")])
    report = parse_csv(data)
    assert where(report) == {(3, "group")}
    assert "control" in report.errors[0].reason


def test_malformed_csv_is_a_file_error() -> None:
    data = csv_bytes([good()]) + b'"' + IIN_B.encode() + b'"x,a\n'
    error = only_error(parse_csv(data))
    assert (error.row, error.column) == (0, FILE_COLUMN)
    assert error.reason.startswith("malformed CSV at line 3")
    assert IIN_B not in error.reason


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        ("iin;фамилия\n".encode("cp1251"), "not UTF-8 text (first bad byte on line 1)"),
        ("iin,surname\n".encode("utf-16"), "UTF-16"),
        (csv_bytes([]), "no data rows"),
        (b"\n\n", "header row (row 1) is empty"),
    ],
    ids=["empty", "cp1251", "utf-16", "header-only", "blank-lines"],
)
def test_unreadable_csv(data: bytes, message: str) -> None:
    error = only_error(parse_csv(data))
    assert message in error.reason


def test_empty_rows_are_skipped_but_counted() -> None:
    lines = csv_bytes([good(), bachelor()]).decode().split("\r\n")
    data = "\r\n".join([lines[0], lines[1], ",,,,,,,,,,", "", lines[2], ""])
    report = parse_csv(data.encode())
    assert report.ok, report.errors
    assert [row.row for row in report.rows] == [2, 5]


# ------------------------------------------------------------------------------------------------ values


@pytest.mark.parametrize(("text", "expected"), [
    ("2004-05-12", dt.date(2004, 5, 12)),
    ("12.05.2004", dt.date(2004, 5, 12)),
    ("2.5.2004", dt.date(2004, 5, 2)),
    ("2004-05-12 00:00:00", dt.date(2004, 5, 12)),
])
def test_date_formats(text: str, expected: dt.date) -> None:
    report = parse_csv(csv_bytes([good(birth_date=text)]))
    assert report.rows[0].birth_date == expected


@pytest.mark.parametrize("text", ["12/05/2004", "2004.05.12", "31.02.2004", "20040512", "2004-W19-3", "вчера"])
def test_bad_dates(text: str) -> None:
    error = only_error(parse_csv(csv_bytes([good(award_date=text)])))
    assert (error.row, error.column) == (2, "award_date")


def test_iin_check_digit_wrong() -> None:
    wrong = IIN_A[:11] + str((int(IIN_A[11]) + 3) % 10)
    error = only_error(parse_csv(csv_bytes([good(iin=wrong)])))
    assert (error.row, error.column) == (2, "iin")
    assert "check digit does not match" in error.reason


@pytest.mark.parametrize(("first_seven", "reason"), [
    ("0413125", "not a valid birth date"),   # month 13
    ("0402305", "not a valid birth date"),   # 30 February
    ("0405127", "century"),                  # century digit 7
    ("0405120", "century"),                  # century digit 0
])
def test_iin_birth_date_impossible(first_seven: str, reason: str) -> None:
    error = only_error(parse_csv(csv_bytes([good(iin=iin_from(first_seven))])))
    assert error.column == "iin"
    assert reason in error.reason


@pytest.mark.parametrize(("iin", "reason"), [
    ("40512600278", "found 11 (a leading zero may have been lost"),
    ("04051260027X", "exactly 12 digits"),
    ("0405 1260 0278", "exactly 12 digits"),
    ("４０５１２６００２７８０", "exactly 12 digits"),  # fullwidth digits
    ("4.05126E+11", "exactly 12 digits"),
    ("", "is required"),
])
def test_iin_shape(iin: str, reason: str) -> None:
    error = only_error(parse_csv(csv_bytes([good(iin=iin)])))
    assert error.column == "iin"
    assert reason in error.reason


def test_iin_birth_date_differs_is_a_warning_only() -> None:
    report = parse_csv(csv_bytes([good(birth_date="2004-05-13", award_date="2025-06-27")]))
    assert report.ok
    assert len(report.rows) == 1
    assert [(w.row, w.column) for w in report.warnings] == [(2, "birth_date")]
    assert "encoded in the IIN" in report.warnings[0].reason


@pytest.mark.parametrize(("changes", "column", "reason"), [
    ({"award_date": "2026-01-02"}, "award_date", "in the future"),
    ({"birth_date": "2026-01-02"}, "birth_date", "in the future"),
    ({"award_date": "2018-05-11"}, "award_date", "less than 14 years after birth_date"),
    ({"award_date": "1899-12-31"}, "award_date", "before 1900-01-01"),
])
def test_date_bounds(changes: dict[str, str], column: str, reason: str) -> None:
    error = only_error(parse_csv(csv_bytes([good(**changes)])))
    assert error.column == column
    assert reason in error.reason


def test_award_date_on_the_fourteenth_birthday_and_today_are_accepted() -> None:
    leap = make_iin(dt.date(2008, 2, 29), serial=5, female=False)
    report = parse_csv(csv_bytes([
        good(award_date=TODAY.isoformat()),
        good(iin=leap, birth_date="2008-02-29", award_date="2022-03-01"),
    ]))
    assert report.ok, report.errors
    early = parse_csv(csv_bytes([good(iin=leap, birth_date="2008-02-29", award_date="2022-02-28")]))
    assert where(early) == {(2, "award_date")}


@pytest.mark.parametrize(("doc_type", "programme", "ok"), [
    ("BD", "6B06101", True), ("BQ", "6B06101", True), ("BD", "7M01501", False), ("BD", "06130100", False),
    ("MD", "7M01501", True), ("MBA", "7M04101", True), ("CMD", "7M01501", True), ("MD", "6B06101", False),
    ("MD", "8D05302", False), ("PHD", "8D05302", True), ("DBA", "8D04101", True), ("PD", "8D05302", True),
    ("PHD", "7M05302", False), ("CPR", "6B01101", True), ("CPR", "7M01101", True), ("CPR", "8D01101", True),
    ("CPR", "6M01101", False), ("TVE", "6B06101", False), ("POST_SECONDARY", "09130100", True),
    ("phd", "8d05302", True), ("BD", "6В06101", True), ("MD", "7М01501", True), ("PD", "8Д05302", True),
])
def test_programme_level_matches_doc_type(doc_type: str, programme: str, ok: bool) -> None:
    qualification = {"POST_SECONDARY": "4S09130103", "TVE": "4S06130103"}.get(doc_type, "")
    report = parse_csv(csv_bytes([bachelor(doc_type=doc_type, programme=programme, qualification=qualification)]))
    if ok:
        assert report.ok, report.errors
        assert report.rows[0].programme == programme.upper().translate(str.maketrans("ВМД", "BMD"))
        assert report.rows[0].doc_type == doc_type.upper()
    else:
        assert where(report) == {(2, "programme")}


def test_qualification_rules() -> None:
    report = parse_csv(csv_bytes([
        good(qualification="4s06130103"),                                     # lower case: accepted
        good(iin=IIN_B, birth_date="2004-09-03", qualification="4S07130103"),  # another specialty: warning
        bachelor(qualification="BQ-1"),                                       # bad HE code
        bachelor(iin=make_iin(dt.date(2001, 1, 2), female=False, serial=1), birth_date="2001-01-02",
                 qualification="6B06101"),
        good(iin=make_iin(dt.date(2004, 2, 3), female=False, serial=1), birth_date="2004-02-03",
             qualification="ТЕХНИК"),
    ]))
    assert where(report) == {(4, "qualification"), (6, "qualification")}
    assert [row.qualification for row in report.rows] == ["4S06130103", "4S07130103", "6B06101"]
    assert [(w.row, w.column) for w in report.warnings] == [(3, "qualification")]


@pytest.mark.parametrize(("text", "value"), [
    ("true", True), ("FALSE", False), ("1", True), ("0", False), ("Yes", True), ("no", False),
    ("иә", True), ("ЖОҚ", False), ("да", True), ("Нет", False), ("", False),
])
def test_honours_tokens(text: str, value: bool) -> None:
    report = parse_csv(csv_bytes([bachelor(honours=text)]))
    assert report.ok, report.errors
    assert report.rows[0].honours is value


def test_honours_against_doc_type() -> None:
    report = parse_csv(csv_bytes([
        good(doc_type="TVE_HONOURS", honours=""),
        good(iin=IIN_B, surname="Мұхамеджанов", doc_type="TVE_HONOURS", honours="no"),
        good(iin=make_iin(dt.date(2004, 1, 9), female=False, serial=1), birth_date="2004-01-09", doc_type="TVE",
             honours="иә"),
        good(iin=make_iin(dt.date(2004, 1, 10), female=False, serial=1), birth_date="2004-01-10", honours="2"),
    ]))
    assert report.rows[0].honours is True
    assert where(report) == {(3, "honours"), (4, "honours"), (5, "honours")}
    assert "TVE_HONOURS" in {e.row: e.reason for e in report.errors}[4]


def test_post_secondary_honours_is_its_own_type() -> None:
    """Seed 000, Rules item 5 names "орта білімнен кейінгі білім туралы үздік диплом" as a type of its own: a
    POST_SECONDARY row marked with honours is sent to POST_SEC_HONOURS, which carries honours and refuses "no"."""
    post = {"doc_type": "POST_SECONDARY", "programme": "09130100", "qualification": "4S09130103"}
    report = parse_csv(csv_bytes([
        good(**post, honours="иә"),
        good(iin=IIN_B, surname="Мұхамеджанов", **{**post, "doc_type": "POST_SEC_HONOURS"}, honours=""),
        good(iin=make_iin(dt.date(2004, 1, 9), female=False, serial=1), birth_date="2004-01-09",
             **{**post, "doc_type": "post_sec_honours"}, honours="жоқ"),
    ]))
    assert where(report) == {(2, "honours"), (4, "honours")}
    reasons = {e.row: e.reason for e in report.errors}
    assert "POST_SEC_HONOURS" in reasons[2] and "POST_SEC_HONOURS" in reasons[4]
    assert [(r.doc_type, r.honours) for r in report.rows] == [("POST_SEC_HONOURS", True)]


ENDED = {"studies_ended_reason": "өз қалауы бойынша", "studies_ended_order": "45-к",
         "studies_ended_order_date": "27.11.2025", "studied_from": "2024-09-01", "studied_until": "2025-11-27"}


@pytest.mark.parametrize(("changes", "bad"), [
    ({}, set()),  # a college's specialty, the reason, the order and the period
    ({"programme": "6B06101"}, set()),  # a university's programme
    ({"studied_from": "", "studied_until": ""}, set()),  # the period is optional
    ({"honours": "иә"}, {(2, "honours")}),  # the анықтама has no form with honours
    ({"programme": "ABC"}, {(2, "programme")}),
    ({"studies_ended_reason": "", "studies_ended_order_date": ""},
     {(2, "studies_ended_reason"), (2, "studies_ended_order_date")}),  # required with the анықтама
    ({"studies_ended_reason": "ш" * 201}, {(2, "studies_ended_reason")}),
    ({"studies_ended_order": IIN_B}, {(2, "studies_ended_order")}),  # an IIN is never printed
    ({"studied_from": "2025-12-01"}, {(2, "studied_until")}),  # from after until
    ({"studies_ended_order_date": "2099-01-01"}, {(2, "studies_ended_order_date")}),  # in the future
])
def test_certificate_of_incomplete_studies_rows(changes: dict[str, str], bad: set[tuple[int, str]]) -> None:
    """The анықтама (seed 000, appendix 37) names the specialty studied at any level, needs no qualification, and
    says why studies ended: the reason and the order's number and date ("шығарылған себебі, бұйрықтың нөмірі және
    күні"), with the period of study if given."""
    row = good(**{"doc_type": "INCOMPLETE", "qualification": "", "honours": "", **ENDED, **changes})
    report = parse_csv(csv_bytes([row], header=ALL_COLUMNS, columns=ALL_COLUMNS))
    assert where(report) == bad
    assert IIN_B not in repr(report.errors)
    if not bad:
        (parsed,) = report.rows
        assert (parsed.doc_type, parsed.qualification) == ("INCOMPLETE", None)
        assert (parsed.studies_ended_reason, parsed.studies_ended_order, parsed.studies_ended_order_date) == (
            "өз қалауы бойынша", "45-к", dt.date(2025, 11, 27))


def test_studies_ended_columns_belong_to_the_certificate_alone() -> None:
    report = parse_csv(csv_bytes([good(studies_ended_reason="өз қалауы бойынша", studied_from="2021-09-01")],
                                 header=ALL_COLUMNS, columns=ALL_COLUMNS))
    assert where(report) == {(2, "studies_ended_reason"), (2, "studied_from")}
    assert "INCOMPLETE" in report.errors[0].reason


@pytest.mark.parametrize(("changes", "column"), [
    ({"surname": "Сейітқали  Ұлы"}, "surname"),
    ({"surname": "Smith1"}, "surname"),
    ({"name": "-Әлия"}, "name"),
    ({"patronymic": "—"}, "patronymic"),
    ({"surname": "А" * (MAX_SURNAME_CHARS + 1)}, "surname"),
    ({"name": "Б" * (MAX_GIVEN_NAME_CHARS + 1)}, "name"),
    ({"patronymic": "В" * (MAX_PATRONYMIC_CHARS + 1)}, "patronymic"),
    ({"surname": "Сейітқали\u200b"}, "surname"),
    ({"surname": "Әбдірахманова-Ким", "name": "Гүл-Мәдина", "patronymic": "Серікқызы"}, None),
    ({"surname": "Д'Артаньян", "name": "Анна Мария", "patronymic": ""}, None),
    ({"surname": "А" * MAX_SURNAME_CHARS, "name": "Б" * MAX_GIVEN_NAME_CHARS, "patronymic": "В"}, "surname"),
    ({"group": "Г" * 33}, "group"),
    ({"group": "Г" * 32}, None),
])
def test_name_and_group_rules(changes: dict[str, str], column: str | None) -> None:
    report = parse_csv(csv_bytes([good(**changes)]))
    assert where(report) == (set() if column is None else {(2, column)})


def test_names_are_nfc_and_trimmed() -> None:
    report = parse_csv(csv_bytes([good(name="\u00a0Аи\u0306гүл ", patronymic=" ")]))  # и + combining breve = й
    assert report.ok, report.errors
    assert report.rows[0].name == "Айгүл"
    assert report.rows[0].patronymic is None


def test_mixed_alphabets_in_a_name_is_a_warning() -> None:
    report = parse_csv(csv_bytes([good(surname="Сейiтқали")]))  # Latin i
    assert report.ok
    assert [(w.row, w.column) for w in report.warnings] == [(2, "surname")]


def test_duplicate_rows_error_on_the_later_row() -> None:
    report = parse_csv(csv_bytes([good(), bachelor(), good(group="ПО-22"), good(programme="07130100",
                                                                               qualification="4S07130103")]))
    assert where(report) == {(4, ROW_COLUMN)}
    assert "duplicate of row 2" in report.errors[0].reason
    assert [row.row for row in report.rows] == [2, 3, 5]


def test_same_iin_for_another_person_is_an_error() -> None:
    report = parse_csv(csv_bytes([good(), good(doc_type="POST_SECONDARY", name="Әлия", surname="Сейітова")]))
    assert where(report) == {(3, "iin")}
    assert "row 2" in report.errors[0].reason


# ------------------------------------------------------------------------------------------------ XLSX cells


def test_xlsx_cell_types() -> None:
    iin_zero = make_iin(dt.date(2004, 5, 12), female=True, serial=27)  # starts with 0
    report = parse_xlsx(xlsx_bytes([
        COLUMNS,
        [int(iin_zero), "Сейітқали", "Әлия", None, dt.datetime(2004, 5, 12), "TVE", 6130100, "4S06130103",
         False, dt.date(2025, 6, 27), "ПО-21"],
        [],
        [IIN_C, "Жұмабаев", "Нұрсұлтан", "Асқарұлы", "14.04.2001", "BD", "6B06101", None, 1,
         dt.datetime(2025, 6, 20), 21],
    ]))
    assert report.ok, report.errors
    first, second = report.rows
    assert first.iin == iin_zero
    assert first.programme == "06130100"
    assert first.birth_date == dt.date(2004, 5, 12)
    assert (second.row, second.honours, second.group) == (4, True, "21")


def test_xlsx_bad_cells() -> None:
    report = parse_xlsx(xlsx_bytes([
        COLUMNS,
        [int(IIN_C) / 10, "Жұмабаев", "Нұрсұлтан", True, dt.datetime(2001, 4, 14, 10, 30), "BD", "6B06101", None,
         "no", 45833, "ИС"],
        [10**12 + 5, "Жұмабаев", "Нұрсұлтан", None, dt.date(2001, 4, 14), "BD", 6.5, None, 0.5,
         dt.time(12, 0), "ИС"],
    ]))
    assert where(report) == {
        (2, "iin"), (2, "patronymic"), (2, "birth_date"), (2, "award_date"),
        (3, "iin"), (3, "programme"), (3, "honours"), (3, "award_date"),
    }
    reasons = {(e.row, e.column): e.reason for e in report.errors}
    assert "format the IIN column as text" in reasons[2, "iin"]
    assert "time of day" in reasons[2, "birth_date"]
    assert "not a date" in reasons[2, "award_date"]


def test_xlsx_first_sheet_only_and_trailing_blank_cells() -> None:
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    first.append(COLUMNS)
    first.append([bachelor()[c] for c in COLUMNS])
    first.cell(row=10, column=30).number_format = "@"  # formatted but empty: widens the sheet's dimension
    other = workbook.create_sheet("Басқа")
    other.append(["nothing", "here"])
    out = io.BytesIO()
    workbook.save(out)
    report = parse_xlsx(out.getvalue())
    assert report.ok, report.errors
    assert len(report.rows) == 1


# ------------------------------------------------------------------------------------------------ files and limits


def test_oversized_file_is_refused() -> None:
    error = only_error(parse_csv(csv_bytes([good()]) + b" " * (20 * 1024 * 1024)))
    assert (error.row, error.column) == (0, FILE_COLUMN)
    assert "over the limit of 20.0 MB" in error.reason
    assert "over the limit" in only_error(parse_csv(csv_bytes([good()]), max_bytes=100)).reason


def test_too_many_rows_is_refused() -> None:
    data = csv_bytes([]) + b"x\n" * 100_001
    error = only_error(parse_csv(data))
    assert (error.row, error.column) == (0, FILE_COLUMN)
    assert "more than 100,000 data rows" in error.reason
    assert parse_csv(csv_bytes([good(), bachelor()]), max_rows=2).ok
    assert "more than 2 data rows" in only_error(parse_csv(csv_bytes([good()] * 3), max_rows=2)).reason
    rows = [COLUMNS] + [[bachelor()[c] for c in COLUMNS]] * 3
    assert "more than 2 data rows" in only_error(parse_xlsx(xlsx_bytes(rows), max_rows=2)).reason


def test_zip_bomb_is_refused_from_the_directory() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive, archive.open(
            "xl/worksheets/sheet1.xml", "w") as member:
        chunk = b"\0" * (1024 * 1024)
        for _ in range(201):
            member.write(chunk)
    bomb = out.getvalue()
    assert len(bomb) < 1024 * 1024
    error = only_error(parse_xlsx(bomb))
    assert (error.row, error.column) == (0, FILE_COLUMN)
    assert "would unpack to 201.0 MB, over the limit of 200.0 MB" in error.reason
    example = EXAMPLE_XLSX
    assert "would unpack" in only_error(parse_xlsx(example, max_uncompressed_bytes=10_000)).reason


def test_zip_member_larger_than_declared_is_not_read() -> None:
    data = bytearray(EXAMPLE_XLSX)
    name = b"xl/worksheets/sheet1.xml"
    central = data.index(b"PK\x01\x02")  # central directory entries: name at +46, sizes at +20/+24
    while data[central + 46: central + 46 + len(name)] != name:
        central = data.index(b"PK\x01\x02", central + 4)
    struct.pack_into("<I", data, central + 24, 100)  # declared uncompressed size: 100 bytes
    local = struct.unpack_from("<I", data, central + 42)[0]
    struct.pack_into("<I", data, local + 22, 100)
    report = parse_xlsx(bytes(data))
    assert where(report) == {(0, FILE_COLUMN)}
    assert not report.rows


def test_xml_entity_expansion_is_refused() -> None:
    entities = "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    sheet = (f'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY l0 "lol">{entities}]>'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
             '<row r="1"><c r="A1" t="inlineStr"><is><t>&l9;</t></is></c></row></sheetData></worksheet>')
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(EXAMPLE_XLSX)) as source, zipfile.ZipFile(out, "w") as target:
        for name in source.namelist():
            target.writestr(name, sheet if name == "xl/worksheets/sheet1.xml" else source.read(name))
    error = only_error(parse_xlsx(out.getvalue()))
    assert (error.row, error.column) == (0, FILE_COLUMN)


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("graduates.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, ".xls"),
    ("graduates.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "password"),
    ("graduates.xlsx", b"iin,surname\n", "not a valid XLSX"),
    ("graduates.csv", b"PK\x03\x04rest", "zip archive"),
    ("graduates.xlsx", b"PK\x03\x04" + b"\0" * 60, "not a valid XLSX"),
])
def test_wrong_file_kinds(filename: str, data: bytes, message: str) -> None:
    error = only_error(parse_graduates(data, filename=filename, today=TODAY))
    assert (error.row, error.column) == (0, FILE_COLUMN)
    assert message in error.reason


def test_zip_that_is_not_a_workbook() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hello.txt", "сәлем")
    error = only_error(parse_graduates(out.getvalue(), filename="GRADUATES.XLSX", today=TODAY))
    assert "could not be read" in error.reason


def test_unknown_extension_is_sniffed() -> None:
    assert parse_graduates(csv_bytes([good()]), filename="export", today=TODAY).ok
    assert parse_graduates(EXAMPLE_XLSX, filename="export.bin", today=TODAY).ok


# ------------------------------------------------------------------------------------------------ privacy


def assert_no_iin(report: ParseReport, iins: Sequence[str]) -> None:
    texts = [e.reason + " " + e.column for e in (*report.errors, *report.warnings)] + [repr(report), str(report)]
    for text in texts:
        for iin in iins:
            assert iin not in text
            assert iin[:6] + " " + iin[6:] not in text
        assert not re.search(r"[0-9]{10}", text), text


def test_no_iin_in_errors_or_repr() -> None:
    wrong = IIN_B[:11] + str((int(IIN_B[11]) + 1) % 10)
    header = list(COLUMNS)
    header[3] = IIN_C  # a headerless export: the first row is data
    rows = [
        good(),
        good(iin=wrong),
        good(iin=IIN_B, programme=IIN_C, doc_type=IIN_A, qualification=IIN_B, honours=IIN_C,
             award_date=IIN_A, birth_date="2004-09-04", group=IIN_C + "x" * 40),
        good(iin=IIN_C, surname=IIN_A, name=IIN_B, patronymic=IIN_C),
        good(iin=" " + IIN_A + " "),
        good(iin=IIN_B, programme=f"{IIN_C[:6]} {IIN_C[6:]}", doc_type="Д" * 33 + IIN_A, group="x"),
    ]
    for data in (csv_bytes(rows), csv_bytes(rows, header=header)):
        report = parse_csv(data)
        assert report.errors
        assert_no_iin(report, [IIN_A, IIN_B, IIN_C, wrong])
    report = parse_csv(csv_bytes([good(), good(iin=IIN_B, birth_date="2004-09-04", surname="Мұхамеджанов")]))
    assert report.ok
    assert report.warnings
    assert_no_iin(report, [IIN_A, IIN_B])
    assert "'************'" in repr(report.rows[0])
    assert repr(report.rows[0]).startswith("GraduateRow(row=2, iin='************', surname='Сейітқали'")
    assert report.rows[0].iin == IIN_A


# ------------------------------------------------------------------------------------------------ docs


def test_docs_list_every_header_and_limit() -> None:
    docs = (ROOT / "docs" / "IMPORT.md").read_text(encoding="utf-8").casefold()
    module_doc = (graduates_module.__doc__ or "").casefold()
    for column, aliases in COLUMN_NAMES.items():
        assert f"`{column}`" in docs
        assert column in module_doc
        for alias in aliases:
            assert alias in docs, alias
    for cap in (MAX_SURNAME_CHARS, MAX_GIVEN_NAME_CHARS, MAX_FULL_NAME_CHARS):
        assert f"at most {cap} characters" in docs
    assert f"1-{MAX_QUALIFICATION_CHARS} characters" in docs


def test_module_docstring_example() -> None:
    import doctest

    result = doctest.testmod(graduates_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 4
    assert result.failed == 0


# ------------------------------------------------------------------------------------------------ properties

TOKENS = [IIN_A, IIN_B, "", " ", "0", "1", "иә", "TVE", "BD", "PHD", "06130100", "6B06101", "7M01501",
          "4S06130103", "2004-05-12", "12.05.2004", "2025-06-27", "2027-01-01", "Әлия", "Ким", "ПО-21", "\x00",
          '"', "a,b", "a;b", "\u200b", "Ⅻ", "9" * 30]
CSV_FUZZ = st.one_of(
    st.binary(max_size=600),
    st.text(max_size=400).map(str.encode),
    st.lists(st.lists(st.sampled_from(TOKENS) | st.text(max_size=8), min_size=0, max_size=14), max_size=6).map(
        lambda rows: csv_bytes([dict(zip(COLUMNS, row, strict=False)) for row in rows],
                               header=COLUMNS if len(rows) % 2 else KAZAKH)),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=CSV_FUZZ)
def test_any_bytes_as_csv_give_a_report(data: bytes) -> None:
    report = parse_csv(data)
    assert isinstance(report, ParseReport)
    assert report.ok == (not report.errors)
    assert_no_iin(report, [IIN_A, IIN_B])


@st.composite
def damaged_xlsx(draw: st.DrawFn) -> bytes:
    data = bytearray(EXAMPLE_XLSX)
    for _ in range(draw(st.integers(1, 4))):
        data[draw(st.integers(0, len(data) - 1))] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


CELL = st.one_of(st.none(), st.booleans(), st.integers(-(10**13), 10**13),
                 st.sampled_from([t for t in TOKENS if t.isprintable()]),
                 st.floats(allow_nan=False, allow_infinity=False), st.dates(dt.date(1900, 3, 1)),
                 st.datetimes(dt.datetime(1900, 3, 1)),
                 st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=10))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(st.binary(max_size=400), damaged_xlsx(),
                      st.lists(st.lists(CELL, max_size=13), min_size=1, max_size=4).map(
                          lambda rows: xlsx_bytes([COLUMNS, *rows]))))
def test_any_bytes_as_xlsx_give_a_report(data: bytes) -> None:
    report = parse_xlsx(data)
    assert isinstance(report, ParseReport)
    assert_no_iin(report, [IIN_A, IIN_B])


CYRILLIC = "АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯаәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
NAME = st.lists(st.text(alphabet=CYRILLIC, min_size=1, max_size=7), min_size=1, max_size=2).map("-".join)
TVE_TYPES = ("TVE", "TVE_HONOURS", "POST_SECONDARY", "POST_SEC_HONOURS")
HONOURS_TYPES = ("TVE_HONOURS", "POST_SEC_HONOURS")
HE_PREFIX = {"BD": "6B", "BQ": "6B", "MD": "7M", "MBA": "7M", "CMD": "7M", "PHD": "8D", "DBA": "8D", "PD": "8D"}


@st.composite
def graduate(draw: st.DrawFn) -> GraduateRow:
    birth = draw(st.dates(dt.date(1950, 1, 1), dt.date(2008, 12, 31)))
    serial = draw(st.integers(0, 9999))
    century = (3 if birth.year < 2000 else 5) + draw(st.integers(0, 1))
    base = f"{birth:%y%m%d}{century}{serial:04d}"
    digit = check_digit(base)
    assume(digit is not None)
    doc_type = draw(st.sampled_from(TVE_TYPES + tuple(HE_PREFIX) + ("CPR", "INCOMPLETE")))
    digits = st.text(alphabet="0123456789", min_size=1, max_size=1)
    qualification: str | None
    ended: dict[str, object] = {}
    if doc_type in TVE_TYPES:
        programme = "".join(draw(st.lists(digits, min_size=6, max_size=6))) + "00"
        qualification = draw(st.sampled_from("345")) + draw(st.sampled_from("SW")) + programme[:6] + "0" + draw(digits)
        honours = doc_type in HONOURS_TYPES
    elif doc_type == "INCOMPLETE":  # the анықтама: a specialty of any level, no qualification, no honours
        programme = draw(st.sampled_from(["06130100", "6B06101", "7M01501"]))
        qualification, honours = None, False
        start, end = sorted(draw(st.lists(st.dates(dt.date(2000, 1, 1), TODAY), min_size=2, max_size=2)))
        ended = {"studies_ended_reason": draw(st.text(alphabet=CYRILLIC + " -", min_size=1, max_size=200)
                                              .map(str.strip).filter(bool)),
                 "studies_ended_order": draw(st.text(alphabet="0123456789-кКп", min_size=1, max_size=8)),
                 "studies_ended_order_date": end, "studied_from": draw(st.none() | st.just(start)),
                 "studied_until": draw(st.none() | st.just(end))}
    else:
        prefix = HE_PREFIX.get(doc_type) or draw(st.sampled_from(["6B", "7M", "8D"]))
        programme = prefix + "".join(draw(st.lists(digits, min_size=5, max_size=5)))
        qualification = draw(st.none() | st.text(alphabet="0123456789ABCZ", min_size=1,
                                                 max_size=MAX_QUALIFICATION_CHARS))
        honours = draw(st.booleans())
    surname, name, patronymic = draw(NAME), draw(NAME), draw(st.none() | NAME)
    assume(len(" ".join(p for p in (surname, name, patronymic) if p)) <= MAX_FULL_NAME_CHARS)
    earliest = birth.replace(year=birth.year + 14) if (birth.month, birth.day) != (2, 29) else \
        dt.date(birth.year + 14, 3, 1)
    return GraduateRow(
        row=0, iin=base + str(digit), surname=surname, name=name, patronymic=patronymic,
        birth_date=birth, doc_type=doc_type, programme=programme, qualification=qualification, honours=honours,
        award_date=draw(st.dates(max(earliest, dt.date(1990, 1, 1)), TODAY)),
        group=draw(st.text(alphabet=CYRILLIC + "0123456789-", min_size=1, max_size=32)), **ended,  # type: ignore[arg-type]
    )


@settings(max_examples=100, deadline=None)
@given(
    graduates=st.lists(graduate(), min_size=1, max_size=6, unique_by=lambda g: g.iin),
    delimiter=st.sampled_from([",", ";"]),
    bom=st.booleans(),
    dmy=st.booleans(),
    honours_words=st.sampled_from([("true", "false"), ("1", "0"), ("иә", "жоқ"), ("да", "нет"), ("Yes", "No")]),
)
def test_valid_rows_round_trip_through_csv(graduates: list[GraduateRow], delimiter: str, bom: bool, dmy: bool,
                                           honours_words: tuple[str, str]) -> None:
    def date(day: dt.date) -> str:
        return f"{day:%d.%m.%Y}" if dmy else day.isoformat()

    rows = [{
        "iin": g.iin, "surname": g.surname, "name": g.name, "patronymic": g.patronymic or "",
        "birth_date": date(g.birth_date), "doc_type": g.doc_type, "programme": g.programme,
        "qualification": g.qualification or "", "honours": honours_words[0] if g.honours else honours_words[1],
        "award_date": date(g.award_date), "group": g.group,
        "studies_ended_reason": g.studies_ended_reason or "", "studies_ended_order": g.studies_ended_order or "",
        **{c: "" if getattr(g, c) is None else date(getattr(g, c))
           for c in ("studies_ended_order_date", "studied_from", "studied_until")},
    } for g in graduates]
    report = parse_csv(csv_bytes(rows, header=ALL_COLUMNS, columns=ALL_COLUMNS, delimiter=delimiter, bom=bom))
    assert report.errors == ()
    assert report.warnings == ()
    expected = tuple(dataclasses.replace(g, row=i) for i, g in enumerate(graduates, start=2))
    assert report.rows == expected
