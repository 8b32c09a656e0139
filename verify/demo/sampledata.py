"""Realistic sample registry data, made reproducibly from a seed: institutions, graduates and their exports.

Everything is made by pure functions of the seed (`random.Random(seed)`: the same seed gives the same data, byte for
byte, in every run and on every machine); `write_export` writes the files a college or university would export from
the National Education Database (НОБД / ҰБДБ, seed 000 item 20) and upload: one CSV and one XLSX per institution, in
the column set of docs/IMPORT.md, because an import goes into one institution and its document types must match the
institution's kind (colleges: TVE and post-secondary diplomas, seed 000; universities: own-format higher-education
documents, seed 001 item 7).

What is modelled:

* **Institutions**: six colleges and four universities in seven regions (Almaty, Astana, Shymkent, Karaganda,
  Aktobe, Pavlodar, Oskemen), with names in Kazakh, Russian and English (fictional names of real shapes), and BINs
  of the national register's layout: YYMM of registration, 4 (a resident legal entity), 0 (a head organisation),
  a five-digit serial and the check digit (`verify.identifiers.check_digit`; serials without a check digit are
  skipped, as the register never issues them).
* **Programmes**: TVE specialty codes of eight digits whose first four are the ISCED-F 2013 narrow field
  (06130100 software, 07130100 electrical equipment, 09130100 nursing, ...) with qualification codes of a level
  digit, a letter and eight digits starting with the specialty's first six (4S06130103; docs/IMPORT.md);
  higher-education programme codes 6B (bachelor), 7M (master, MBA), 8D (doctoral) and five digits (6B06101,
  7M04111, 8D06101). Codes and names follow the classifiers' formats; they are not copied from them.
* **Graduates**: Kazakh names (about 72 %), Russian (18 %) and Korean, Ukrainian, German and Tatar ones (10 %), with
  the Kazakh letters ә ғ қ ң ө ұ ү һ і; surnames in the male and female forms (-ов / -ова, -ский / -ская, and
  indeclinable ones); patronymics "if any" (seed 000 appendix 1): Kazakh -ұлы / -қызы, Russian -ович / -евич /
  -овна / -евна, or none. Names stay within the record's caps (`verify.record.MAX_*_CHARS`). Birth dates fit the
  level (TVE about 19, bachelors about 22, masters and doctors older); the IIN is YYMMDD of the birth date, the
  century-and-sex digit (3/4 for the 1900s, 5/6 for the 2000s; odd male, even female), a four-digit serial and the
  check digit, unique in the data set. Each study group has one award date (the commission's decision, June 2026)
  and 25 graduates at most; about 8 % of TVE and post-secondary diplomas are with honours (TVE_HONOURS,
  POST_SEC_HONOURS), 10-15 % of bachelor and master diplomas.
* **One typing error** to correct (seed 000 appendix 38): in the first university, the first bachelor with a Kazakh
  letter in the surname is exported with that letter typed as its Russian look-alike ("Жумабаев" for "Жұмабаев");
  `SampleGraduate.intended_surname` keeps the right spelling.

Example:
    >>> data = generate(seed=7, graduates=60)
    >>> len(data.institutions), len(data.graduates)
    (10, 60)
    >>> data == generate(seed=7, graduates=60)
    True
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Final

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell

from ..identifiers import check_digit
from ..record import HolderName
from .reference import (
    BIRTH_RANGES,
    HE_PROGRAMMES,
    HONOURS_SHARE,
    INSTITUTIONS,
    KZ_FATHERS,
    KZ_FATHERS_RU,
    KZ_FEMALE,
    KZ_INDECLINABLE,
    KZ_MALE,
    KZ_SURNAMES,
    OTHER_SURNAMES,
    RU_FEMALE,
    RU_MALE,
    RU_PATRONYMICS,
    RU_SURNAMES,
    STUDY_YEARS,
    TVE_SPECIALTIES,
    InstitutionSpec,
    Programme,
    Qualification,
    programme_of,
    qualification_of,
)

__all__ = [
    "AWARD_YEAR",
    "CSV_HEADER",
    "HE_PROGRAMMES",
    "INSTITUTIONS",
    "KAZAKH_LETTERS",
    "MAX_GROUP_SIZE",
    "MIN_GRADUATES",
    "TVE_SPECIALTIES",
    "XLSX_HEADER",
    "Export",
    "Programme",
    "Qualification",
    "SampleData",
    "SampleGraduate",
    "SampleInstitution",
    "generate",
    "graduates_csv",
    "graduates_xlsx",
    "institutions_csv",
    "make_bin",
    "make_iin",
    "misspell",
    "programme_of",
    "qualification_of",
    "write_export",
]

AWARD_YEAR: Final = 2026
"""The year of every award date (the class of 2026): fixed, so the data do not depend on today's date."""

MIN_GRADUATES: Final = 30
"""Fewest graduates `generate` accepts: three per institution."""

MAX_GROUP_SIZE: Final = 25
"""Most graduates in one study group."""

KAZAKH_LETTERS: Final = "әғқңөұүһі"
"""The lower-case letters of the Kazakh alphabet that Russian lacks."""

_LOOKALIKES: Final = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")
_FIXED_TIME: Final = dt.datetime(2026, 7, 1, 9, 0, 0)  # XLSX document properties and zip member times

#: A college diploma type -> its type with honours (seed 000, Rules item 5).
_HONOURS_TYPE = {"TVE": "TVE_HONOURS", "POST_SECONDARY": "POST_SEC_HONOURS"}


# ------------------------------------------------------------------------------------------ records
@dataclass(frozen=True, slots=True)
class SampleInstitution:
    """A college or university of the sample data.

    Attributes:
        bin: 12-digit BIN with a valid check digit.
        kind: "college" or "university" (`verify.registry.models.InstitutionKind`).
        region: the city in Kazakh ("Қарағанды"); region_en in English.
        name_kk, name_ru, name_en: the institution's names.
        username: the officer account's username and the export files' stem ("medeu-college").
        programmes: the codes of its specialties or programmes.
    """

    bin: str
    kind: str
    region: str
    region_en: str
    name_kk: str
    name_ru: str
    name_en: str
    username: str
    programmes: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SampleGraduate:
    """One graduate, as the export lists them (the columns of docs/IMPORT.md).

    Attributes:
        institution_bin: the institution that awards the document.
        iin: 12-digit IIN consistent with `birth_date` and `female` (personal data: fictional here).
        surname, name, patronymic: as exported; patronymic None when the person has none.
        intended_surname: the right spelling when the export typed the surname wrongly, else None.
        female: the sex the IIN's seventh digit encodes.
        birth_date: date of birth.
        doc_type: "TVE", "TVE_HONOURS", "POST_SECONDARY", "BD", "MD", "MBA" or "PHD".
        programme: the specialty or programme code; qualification: the TVE qualification code or None.
        honours: with honours ("Үздік" / "С отличием").
        award_date: the commission's decision (the same for a whole group).
        group: the study group ("ПО-23-1").
    """

    institution_bin: str
    iin: str
    surname: str
    name: str
    patronymic: str | None
    intended_surname: str | None
    female: bool
    birth_date: dt.date
    doc_type: str
    programme: str
    qualification: str | None
    honours: bool
    award_date: dt.date
    group: str

    @property
    def full_name(self) -> str:
        """Surname, name and patronymic joined by single spaces, as exported."""
        return " ".join(part for part in (self.surname, self.name, self.patronymic) if part)


@dataclass(frozen=True, slots=True)
class SampleData:
    """The institutions and graduates made from one seed.

    Attributes:
        seed: the seed.
        institutions: `INSTITUTIONS` with their BINs, colleges first.
        graduates: every graduate, by institution, then group, then surname.
    """

    seed: int
    institutions: tuple[SampleInstitution, ...]
    graduates: tuple[SampleGraduate, ...]

    def graduates_of(self, bin: str) -> tuple[SampleGraduate, ...]:
        """The graduates of the institution with this BIN, in export order."""
        return tuple(g for g in self.graduates if g.institution_bin == bin)


# ------------------------------------------------------------------------------------------ identifiers
def make_iin(rng: random.Random, *, birth_date: dt.date, female: bool, used: set[str]) -> str:
    """A new IIN for a person born on `birth_date`: YYMMDD, century-and-sex digit, serial, check digit.

    The century digit is 3 (male) or 4 (female) for the 1900s and 5 or 6 for the 2000s. Serials whose check digit
    does not exist (both weight rounds give 10) are skipped, as are IINs in `used`; the new one is added to it.

    Raises:
        ValueError: a birth date outside 1900-2099.
    """
    if not 1900 <= birth_date.year <= 2099:
        raise ValueError("birth_date: the IIN's century digit covers 1900-2099 here")
    century = (4 if female else 3) if birth_date.year < 2000 else (6 if female else 5)
    while True:
        base = f"{birth_date:%y%m%d}{century}{rng.randrange(1, 10_000):04d}"
        digit = check_digit(base)
        if digit is not None and base + str(digit) not in used:
            iin = base + str(digit)
            used.add(iin)
            return iin


def iin_sequence(first_birth_date: dt.date, *, female: bool) -> Iterator[str]:
    """Distinct valid IINs without end, in a fixed order: every serial 0001-9999 of a birth date that has a check
    digit, then the next day's (for benchmarks and tests that need any number of people; `make_iin` draws at random).

    Each IIN's birth date (`verify.identifiers.iin_birth_date`) is the day it was made for, so an export can write
    the matching birth-date column. About 9,090 IINs a day: 200,000 span 23 days.

    Raises:
        ValueError: the sequence reaches a birth date after 2099 (the century digits cover 1900-2099 here).
    """
    day = first_birth_date
    while True:
        if not 1900 <= day.year <= 2099:
            raise ValueError("birth_date: the IIN's century digit covers 1900-2099 here")
        century = (4 if female else 3) if day.year < 2000 else (6 if female else 5)
        for serial in range(1, 10_000):
            base = f"{day:%y%m%d}{century}{serial:04d}"
            digit = check_digit(base)
            if digit is not None:
                yield base + str(digit)
        day += dt.timedelta(days=1)


def make_bin(rng: random.Random, *, year: int, month: int, used: set[str]) -> str:
    """A new BIN of a resident legal entity's head organisation registered in `year`-`month`.

    Layout: YYMM of registration, 4 (resident legal entity), 0 (head organisation, not a branch), five serial
    digits, the check digit; serials without a check digit are skipped, as are BINs in `used`.
    """
    while True:
        base = f"{year % 100:02d}{month:02d}40{rng.randrange(1, 100_000):05d}"
        digit = check_digit(base)
        if digit is not None and base + str(digit) not in used:
            value = base + str(digit)
            used.add(value)
            return value


def misspell(surname: str) -> str | None:
    """The surname with its first Kazakh-only letter typed as the Russian look-alike ("Жұмабаев" -> "Жумабаев").

    The typing error of a Russian keyboard layout; None when the surname has no Kazakh-only letter.
    """
    for index, char in enumerate(surname):
        if char.lower() in KAZAKH_LETTERS:
            return surname[:index] + char.translate(_LOOKALIKES) + surname[index + 1:]
    return None


# ------------------------------------------------------------------------------------------ people
def _feminine(surname: str) -> str:
    """The female form of a surname: -ов/-ев/-ёв/-ин + а, -ский -> -ская; others are indeclinable."""
    if surname.endswith("ский"):
        return surname[:-2] + "ая"
    if surname.endswith(("ов", "ев", "ёв", "ин")):
        return surname + "а"
    return surname


def _female_share(code: str) -> float:
    """Share of women among the graduates of a programme: most in nursing, pharmacy and teaching (fields 01, 09)."""
    field = code[:2] if code.isdigit() else code[2:4]
    return 0.8 if field in ("01", "09") else 0.45


def _date_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randrange((last - first).days + 1))


def _person(rng: random.Random, female: bool, *, kazakh_letter_surname: bool = False
            ) -> tuple[str, str, str | None]:
    """(surname, name, patronymic) of one person."""
    roll = 0.0 if kazakh_letter_surname else rng.random()
    if roll < 0.72:  # Kazakh
        form = rng.random()
        if kazakh_letter_surname:
            base = rng.choice([s for s in KZ_SURNAMES if any(c in KAZAKH_LETTERS for c in s.lower())])
            surname = _feminine(base) if female else base
        elif form < 0.8:
            surname = _feminine(rng.choice(KZ_SURNAMES)) if female else rng.choice(KZ_SURNAMES)
        elif form < 0.9:
            surname = rng.choice(KZ_INDECLINABLE)
        else:  # the newer style: the father's name with -ұлы / -қызы as the surname, and no patronymic
            surname = rng.choice(KZ_FATHERS) + ("қызы" if female else "ұлы")
        name = rng.choice(KZ_FEMALE if female else KZ_MALE)
        kind = 1.0 if surname.endswith(("ұлы", "қызы")) else rng.random()
        if kind < 0.65:
            patronymic: str | None = rng.choice(KZ_FATHERS) + ("қызы" if female else "ұлы")
        elif kind < 0.9:
            patronymic = rng.choice(KZ_FATHERS_RU) + ("овна" if female else "ович")
        else:
            patronymic = None
        return surname, name, patronymic
    if roll < 0.9:  # Russian
        base = rng.choice(RU_SURNAMES)
        surname = _feminine(base) if female else base
    else:  # Korean, Ukrainian, German, Tatar
        base = rng.choice(OTHER_SURNAMES)
        surname = _feminine(base) if female and base.endswith("ин") else base
    name = rng.choice(RU_FEMALE if female else RU_MALE)
    pair = rng.choice(RU_PATRONYMICS)
    patronymic = (pair[1] if female else pair[0]) if rng.random() < 0.9 else None
    return surname, name, patronymic


# ------------------------------------------------------------------------------------------ generation
def _apportion(total: int, weights: Sequence[float], minimum: int) -> list[int]:
    """Split `total` into parts proportional to `weights`, each at least `minimum` (largest remainders)."""
    spare = total - minimum * len(weights)
    exact = [spare * w / sum(weights) for w in weights]
    parts = [int(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


def _institutions(rng: random.Random) -> tuple[SampleInstitution, ...]:
    used: set[str] = set()
    return tuple(
        SampleInstitution(bin=make_bin(rng, year=spec.registered[0], month=spec.registered[1], used=used),
                          kind=spec.kind, region=spec.region, region_en=spec.region_en, name_kk=spec.name_kk,
                          name_ru=spec.name_ru, name_en=spec.name_en, username=spec.username,
                          programmes=tuple(code for code, _ in spec.programmes))
        for spec in INSTITUTIONS)


def _graduates_of(rng: random.Random, spec: InstitutionSpec, institution: SampleInstitution, count: int,
                  used_iins: set[str]) -> list[SampleGraduate]:
    out: list[SampleGraduate] = []
    shares = _apportion(count, [share for _, share in spec.programmes], 0)
    for (code, _), size in zip(spec.programmes, shares, strict=True):
        if size == 0:
            continue
        programme = programme_of(code)
        groups = -(-size // MAX_GROUP_SIZE)
        for group_index, group_size in enumerate(_apportion(size, [1.0] * groups, 0), start=1):
            admitted = AWARD_YEAR - STUDY_YEARS[programme.doc_type]
            group = f"{programme.abbr}-{admitted % 100:02d}-{group_index}"
            award = dt.date(AWARD_YEAR, 6, rng.randrange(15, 31))
            members = []
            for _ in range(group_size):
                female = rng.random() < _female_share(code)
                surname, name, patronymic = _person(rng, female)
                birth = _date_between(rng, *BIRTH_RANGES[programme.doc_type])
                doc_type = programme.doc_type
                honours = rng.random() < HONOURS_SHARE[doc_type]
                if honours and doc_type in _HONOURS_TYPE:  # a type of its own (seed 000, Rules item 5)
                    doc_type = _HONOURS_TYPE[doc_type]
                qualification = None
                if programme.qualifications:  # the first is the usual one: 80 %, the others share the rest
                    others = len(programme.qualifications) - 1
                    weights = [0.8, *[0.2 / others] * others] if others else [1.0]
                    qualification = rng.choices(programme.qualifications, weights=weights)[0].code
                members.append(SampleGraduate(
                    institution_bin=institution.bin, iin=make_iin(rng, birth_date=birth, female=female,
                                                                  used=used_iins),
                    surname=surname, name=name, patronymic=patronymic, intended_surname=None, female=female,
                    birth_date=birth, doc_type=doc_type, programme=code, qualification=qualification,
                    honours=honours, award_date=award, group=group))
            out.extend(sorted(members, key=lambda g: (g.surname, g.name, g.patronymic or "", g.iin)))
    return out


def _with_typing_error(rng: random.Random, graduates: list[SampleGraduate]) -> list[SampleGraduate]:
    """The first bachelor gets a surname with a Kazakh letter, exported misspelt (`misspell`)."""
    index = next((i for i, g in enumerate(graduates) if g.doc_type == "BD"), 0)
    graduate = graduates[index]
    right = graduate.surname
    if misspell(right) is None:
        right = _person(rng, graduate.female, kazakh_letter_surname=True)[0]
    wrong = misspell(right)
    assert wrong is not None
    out = list(graduates)
    out[index] = replace(graduate, surname=wrong, intended_surname=right)
    return out


def generate(*, seed: int, graduates: int) -> SampleData:
    """Institutions and `graduates` graduates, the same for the same seed.

    Graduates are spread over the institutions by fixed weights (three at least each), over an institution's
    programmes by their shares, and into study groups of at most `MAX_GROUP_SIZE`.

    Args:
        seed: any integer.
        graduates: how many graduates in all (>= `MIN_GRADUATES`).

    Returns:
        `SampleData`; every name passes `verify.record.HolderName` (the caps of `verify.record`).

    Raises:
        ValueError: fewer than `MIN_GRADUATES` graduates.
    """
    if graduates < MIN_GRADUATES:
        raise ValueError(f"graduates: at least {MIN_GRADUATES} (three per institution)")
    rng = random.Random(seed)
    institutions = _institutions(rng)
    used_iins: set[str] = set()
    counts = _apportion(graduates, [spec.weight for spec in INSTITUTIONS], 3)
    everyone: list[SampleGraduate] = []
    first_university = True
    for spec, institution, count in zip(INSTITUTIONS, institutions, counts, strict=True):
        members = _graduates_of(rng, spec, institution, count, used_iins)
        if spec.kind == "university" and first_university:
            members = _with_typing_error(rng, members)
            first_university = False
        everyone.extend(members)
    for graduate in everyone:  # the record's schema: letters only, within the caps
        HolderName(graduate.surname, graduate.name, graduate.patronymic)
    return SampleData(seed=seed, institutions=institutions, graduates=tuple(everyone))


# ------------------------------------------------------------------------------------------ exports
CSV_HEADER: Final = ("ИИН", "Фамилия", "Имя", "Отчество", "Дата рождения", "Тип документа", "Специальность",
                     "Квалификация", "С отличием", "Дата выдачи", "Группа")
"""Header of the CSV exports: Russian column names (docs/IMPORT.md), as Excel in a Russian locale writes them."""

XLSX_HEADER: Final = ("ЖСН / ИИН", "Тегі / Фамилия", "Аты / Имя", "Әкесінің аты / Отчество",
                      "Туған күні / Дата рождения", "Құжат түрі / Тип документа",
                      "Білім беру бағдарламасы / Образовательная программа", "Біліктілік / Квалификация",
                      "Үздік / С отличием", "Берілген күні / Дата выдачи", "Топ / Группа")
"""Header of the XLSX exports: bilingual Kazakh / Russian column names (docs/IMPORT.md)."""


def graduates_csv(graduates: Sequence[SampleGraduate]) -> bytes:
    """The graduates as "CSV UTF-8" of Excel in a Russian locale: BOM, semicolons, DD.MM.YYYY, да / нет, CRLF."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for g in graduates:
        writer.writerow((g.iin, g.surname, g.name, g.patronymic or "", f"{g.birth_date:%d.%m.%Y}", g.doc_type,
                         g.programme, g.qualification or "", "да" if g.honours else "нет", f"{g.award_date:%d.%m.%Y}",
                         g.group))
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def graduates_xlsx(graduates: Sequence[SampleGraduate]) -> bytes:
    """The graduates as an XLSX workbook: bilingual headers, IIN and codes as text cells, dates as date cells.

    Reproducible: fixed document properties and zip member times, so the same graduates give the same bytes.
    """
    workbook = Workbook(write_only=True)
    workbook.properties.creator = "verify sample data"
    workbook.properties.created = _FIXED_TIME
    workbook.properties.modified = _FIXED_TIME
    sheet = workbook.create_sheet("Түлектер")
    sheet.append(list(XLSX_HEADER))

    def text(value: str | None) -> Cell | None:
        if value is None:
            return None
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "@"
        return cell

    def date(value: dt.date) -> Cell:  # a date cell: midnight, shown as a date
        cell = WriteOnlyCell(sheet, value=dt.datetime.combine(value, dt.time()))
        cell.number_format = "DD.MM.YYYY"
        return cell

    for g in graduates:
        sheet.append([text(g.iin), g.surname, g.name, g.patronymic, date(g.birth_date), g.doc_type,
                      text(g.programme), text(g.qualification), "иә" if g.honours else "жоқ", date(g.award_date),
                      g.group])
    raw = io.BytesIO()
    workbook.save(raw)
    return _reproducible_zip(raw.getvalue())


def _reproducible_zip(xlsx: bytes) -> bytes:
    """Rewrite the workbook's zip with fixed member times and a fixed `modified` property (openpyxl stamps now)."""
    stamp = _FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(xlsx)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:(?:created|modified)>)",
                              rb"\g<1>" + stamp + rb"\g<2>", data)
            member = zipfile.ZipInfo(info.filename, date_time=_FIXED_TIME.timetuple()[:6])
            member.compress_type = zipfile.ZIP_DEFLATED
            member.external_attr = 0o644 << 16
            target.writestr(member, data)
    return out.getvalue()


def institutions_csv(institutions: Sequence[SampleInstitution]) -> bytes:
    """The institutions as UTF-8 CSV (comma): bin, kind, region, name_kk, name_ru, name_en, username."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("bin", "kind", "region", "name_kk", "name_ru", "name_en", "username"))
    for i in institutions:
        writer.writerow((i.bin, i.kind, i.region, i.name_kk, i.name_ru, i.name_en, i.username))
    return buffer.getvalue().encode("utf-8")


@dataclass(frozen=True, slots=True)
class Export:
    """What `write_export` wrote.

    Attributes:
        data: the sample data.
        directory: where.
        institutions: the path of institutions.csv.
        csv: BIN -> the institution's graduates as CSV (`graduates_csv`).
        xlsx: BIN -> the same graduates as XLSX (`graduates_xlsx`).
    """

    data: SampleData
    directory: Path
    institutions: Path
    csv: dict[str, Path]
    xlsx: dict[str, Path]


def write_export(directory: Path, *, seed: int, graduates: int) -> Export:
    """Generate the sample data and write its exports: `institutions.csv`, then `<username>.csv` and
    `<username>.xlsx` for each institution (the same graduates in both).

    Args:
        directory: created if missing; files of the same names are replaced.
        seed, graduates: as `generate`.

    Returns:
        `Export`: the data and the paths written.

    Raises:
        ValueError: fewer than `MIN_GRADUATES` graduates.
        OSError: the directory cannot be written.
    """
    data = generate(seed=seed, graduates=graduates)
    directory.mkdir(parents=True, exist_ok=True)
    institutions = directory / "institutions.csv"
    institutions.write_bytes(institutions_csv(data.institutions))
    csv_paths: dict[str, Path] = {}
    xlsx_paths: dict[str, Path] = {}
    for institution in data.institutions:
        members = data.graduates_of(institution.bin)
        csv_paths[institution.bin] = directory / f"{institution.username}.csv"
        csv_paths[institution.bin].write_bytes(graduates_csv(members))
        xlsx_paths[institution.bin] = directory / f"{institution.username}.xlsx"
        xlsx_paths[institution.bin].write_bytes(graduates_xlsx(members))
    return Export(data=data, directory=directory, institutions=institutions, csv=csv_paths, xlsx=xlsx_paths)
