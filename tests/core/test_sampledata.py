"""verify/demo/sampledata.py: reproducible, valid, realistic sample registry data and its CSV / XLSX exports."""

from __future__ import annotations

import datetime as dt
import importlib
import itertools
import sys
from collections import Counter
from pathlib import Path

import pytest

from verify.demo.sampledata import (
    KAZAKH_LETTERS,
    MAX_GROUP_SIZE,
    MIN_GRADUATES,
    SampleData,
    generate,
    graduates_csv,
    graduates_xlsx,
    iin_sequence,
    misspell,
    write_export,
)
from verify.identifiers import (
    HE_PROGRAMME_RE,
    TVE_QUALIFICATION_RE,
    TVE_SPECIALTY_RE,
    iin_birth_date,
    validate_bin,
    validate_iin,
)
from verify.record import (
    MAX_FULL_NAME_CHARS,
    MAX_GIVEN_NAME_CHARS,
    MAX_PATRONYMIC_CHARS,
    MAX_SURNAME_CHARS,
    HolderName,
)
from verify.registry.imports.parse import parse_graduates

TODAY = dt.date(2026, 11, 21)
COLLEGE_TYPES = {"TVE", "TVE_HONOURS", "POST_SECONDARY", "POST_SEC_HONOURS"}
UNIVERSITY_TYPES = {"BD", "MD", "MBA", "PHD"}

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def data() -> SampleData:
    return generate(seed=11, graduates=600)


def test_same_seed_same_data_other_seed_other_data() -> None:
    assert generate(seed=5, graduates=200) == generate(seed=5, graduates=200)
    other = generate(seed=6, graduates=200)
    assert other != generate(seed=5, graduates=200)
    assert {g.iin for g in other.graduates} != {g.iin for g in generate(seed=5, graduates=200).graduates}


def test_export_files_are_byte_for_byte_reproducible(tmp_path: Path) -> None:
    first = write_export(tmp_path / "a", seed=3, graduates=90)
    second = write_export(tmp_path / "b", seed=3, graduates=90)
    names = sorted(p.name for p in first.directory.iterdir())
    assert names == sorted(p.name for p in second.directory.iterdir())
    assert len(names) == 1 + 2 * len(first.data.institutions)  # institutions.csv, a CSV and an XLSX each
    for name in names:
        assert (first.directory / name).read_bytes() == (second.directory / name).read_bytes(), name


def test_counts_groups_and_institutions(data: SampleData) -> None:
    assert len(data.graduates) == 600
    kinds = Counter(i.kind for i in data.institutions)
    assert kinds == {"college": 6, "university": 4}
    assert len({i.region for i in data.institutions}) >= 5
    for institution in data.institutions:
        members = data.graduates_of(institution.bin)
        assert len(members) >= 3
        allowed = COLLEGE_TYPES if institution.kind == "college" else UNIVERSITY_TYPES
        assert {g.doc_type for g in members} <= allowed
        assert {g.programme for g in members} <= set(institution.programmes)
        for size in Counter(g.group for g in members).values():
            assert size <= MAX_GROUP_SIZE
        assert len({g.award_date for g in members if g.group == members[0].group}) == 1  # one decision a group
    assert {g.doc_type for g in data.graduates} >= {"TVE", "TVE_HONOURS", "POST_SECONDARY", "BD", "MD", "MBA", "PHD"}
    with pytest.raises(ValueError, match="at least"):
        generate(seed=1, graduates=MIN_GRADUATES - 1)


def test_every_bin_is_valid_and_shaped_like_a_legal_entity(data: SampleData) -> None:
    bins = [i.bin for i in data.institutions]
    assert len(set(bins)) == len(bins)
    for value in bins:
        assert validate_bin(value) == value
        assert 1 <= int(value[2:4]) <= 12  # YYMM of registration
        assert value[4:6] == "40"  # a resident legal entity, head organisation


def test_every_iin_is_valid_unique_and_matches_birth_date_and_sex(data: SampleData) -> None:
    iins = [g.iin for g in data.graduates]
    assert len(set(iins)) == len(iins)
    for graduate in data.graduates:
        assert validate_iin(graduate.iin) == graduate.iin
        assert iin_birth_date(graduate.iin) == graduate.birth_date
        century = int(graduate.iin[6])
        assert century % 2 == (0 if graduate.female else 1)
        assert century in ((3, 4) if graduate.birth_date.year < 2000 else (5, 6))
        assert (graduate.award_date - graduate.birth_date).days >= 14 * 365 + 3  # 14 years at least
        assert graduate.award_date <= TODAY


def test_names_fit_the_caps_and_the_schema(data: SampleData) -> None:
    for g in data.graduates:
        assert len(g.surname) <= MAX_SURNAME_CHARS
        assert len(g.name) <= MAX_GIVEN_NAME_CHARS
        assert g.patronymic is None or len(g.patronymic) <= MAX_PATRONYMIC_CHARS
        assert len(g.full_name) <= MAX_FULL_NAME_CHARS
        assert HolderName(g.surname, g.name, g.patronymic).full_name == g.full_name


def test_kazakh_letters_and_patronymic_variants_are_present(data: SampleData) -> None:
    text = " ".join(g.full_name for g in data.graduates).lower()
    assert [letter for letter in KAZAKH_LETTERS if letter not in text] == []
    patronymics = [g.patronymic for g in data.graduates]
    endings = Counter(next((e for e in ("ұлы", "қызы", "евич", "ович", "евна", "овна") if p and p.endswith(e)), p)
                      for p in patronymics)
    for ending in ("ұлы", "қызы", "ович", "овна", "евич", "евна", None):
        assert endings[ending] > 0, ending
    # Male and female forms follow the IIN's sex digit.
    for g in data.graduates:
        if g.patronymic and g.patronymic.endswith(("қызы", "овна", "евна")):
            assert g.female
        if g.patronymic and g.patronymic.endswith(("ұлы", "ович", "евич")):
            assert not g.female
    assert any(g.surname.endswith("ова") for g in data.graduates)
    assert any(g.surname in ("Ким", "Ли", "Пак", "Цой") for g in data.graduates)


def test_codes_have_their_real_formats(data: SampleData) -> None:
    for g in data.graduates:
        if g.doc_type in COLLEGE_TYPES:
            assert TVE_SPECIALTY_RE.match(g.programme)
            assert g.qualification is not None and TVE_QUALIFICATION_RE.match(g.qualification)
            assert g.qualification[2:8] == g.programme[:6]
            assert g.honours == (g.doc_type in ("TVE_HONOURS", "POST_SEC_HONOURS"))
        else:
            assert HE_PROGRAMME_RE.match(g.programme)
            assert g.qualification is None
            assert g.programme[:2] == {"BD": "6B", "MD": "7M", "MBA": "7M", "PHD": "8D"}[g.doc_type]


def test_one_typing_error_to_correct(data: SampleData) -> None:
    typos = [g for g in data.graduates if g.intended_surname is not None]
    assert len(typos) == 1
    (typo,) = typos
    university = next(i for i in data.institutions if i.kind == "university")
    assert typo.institution_bin == university.bin
    assert typo.doc_type == "BD"
    right = typo.intended_surname
    assert right is not None and misspell(right) == typo.surname
    differ = [(a, b) for a, b in zip(right, typo.surname, strict=True) if a != b]
    assert len(differ) == 1 and differ[0][0].lower() in KAZAKH_LETTERS and differ[0][1].lower() not in KAZAKH_LETTERS
    assert misspell("Жұмабаев") == "Жумабаев"
    assert misspell("Ким") is None


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_export_parses_without_errors_or_warnings(data: SampleData, kind: str) -> None:
    for institution in data.institutions:
        members = data.graduates_of(institution.bin)
        file = graduates_csv(members) if kind == "csv" else graduates_xlsx(members)
        report = parse_graduates(file, filename=f"{institution.username}.{kind}", today=TODAY)
        assert report.errors == ()
        assert report.warnings == ()
        assert len(report.rows) == len(members)
        for row, graduate in zip(report.rows, members, strict=True):
            assert (row.iin, row.surname, row.name, row.patronymic, row.birth_date) == \
                (graduate.iin, graduate.surname, graduate.name, graduate.patronymic, graduate.birth_date)
            assert (row.doc_type, row.programme, row.qualification, row.honours, row.award_date, row.group) == \
                (graduate.doc_type, graduate.programme, graduate.qualification, graduate.honours,
                 graduate.award_date, graduate.group)


def test_csv_looks_like_a_russian_excel_export(data: SampleData) -> None:
    text = graduates_csv(data.graduates_of(data.institutions[0].bin)).decode("utf-8")
    assert text.startswith("\ufeffИИН;Фамилия;Имя;Отчество;")
    first = text.splitlines()[1].split(";")
    assert first[4].count(".") == 2  # DD.MM.YYYY
    assert first[8] in ("да", "нет")


# ------------------------------------------------------------------------------------------ any count (issue 16 item 4)
def test_iin_sequence_gives_200000_distinct_valid_iins_of_the_birth_dates_it_walks() -> None:
    """The benchmarks' people: 200,000 IINs, each 12 digits with its check digit, none twice, each of a day from
    the first birth date on (the former bench generator wrote 13-digit IINs from row 19,999 on)."""
    first = dt.date(2004, 5, 12)
    iins = list(itertools.islice(iin_sequence(first, female=True), 200_000))
    assert len(set(iins)) == 200_000
    for iin in iins:
        assert validate_iin(iin) == iin
        assert iin[6] == "6"  # a woman born in the 2000s
    births = sorted({iin_birth_date(iin) for iin in iins})
    assert births[0] == first and (births[-1] - first).days == len(births) - 1


def test_bench_registry_export_of_200000_graduates_parses_without_a_rejected_row() -> None:
    """bench/bench_registry.py's CSV of 200,000 graduates: every row is accepted by the import parser, so the
    benchmarks measure past 20,000 (issue 16 item 4)."""
    sys.path.insert(0, str(REPO / "bench"))
    try:
        bench_registry = importlib.import_module("bench_registry")
    finally:
        sys.path.remove(str(REPO / "bench"))
    data = bench_registry.graduates_csv(200_000, groups=400)
    report = parse_graduates(data, filename="bench.csv", today=dt.date(2026, 7, 1), max_rows=200_000,
                             max_bytes=len(data))
    assert not report.errors
    assert len(report.rows) == 200_000
    assert len({row.iin for row in report.rows}) == 200_000


def test_generate_200000_graduates_have_distinct_valid_iins() -> None:
    data = generate(seed=5, graduates=200_000)
    iins = [g.iin for g in data.graduates]
    assert len(iins) == 200_000 and len(set(iins)) == 200_000
    for graduate in data.graduates:
        assert validate_iin(graduate.iin) == graduate.iin
        assert iin_birth_date(graduate.iin) == graduate.birth_date
