"""The shapes of a graduates import: checked rows, the problems found, the report, the columns.

`verify.registry.imports.parse` reads a file into a `Table` and `verify.registry.imports.checks` checks it into a
`ParseReport` of `GraduateRow`s and `RowError`s; `verify.registry.imports.load` writes the rows of a report that
is `ok` (all or nothing). The column names accepted (Kazakh, Russian, English) are `COLUMN_NAMES`; the full table
is in `verify.registry.imports.parse` and docs/IMPORT.md.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field, fields

from ...texts import Text

MAX_COLUMNS = 64  # header cells; the documented set has 11
MAX_CELL_CHARS = 1_000  # characters in one cell, after trimming
MAX_GROUP_CHARS = 32
MAX_REASON_CHARS = 200  # the анықтама's reason studies ended (verify.appendix.MAX_REASON_CHARS)
MAX_ORDER_CHARS = 32  # the number of the order that ended them (verify.appendix.MAX_ORDER_NUMBER_CHARS)
MIN_AWARD_AGE_YEARS = 14  # an award date earlier than birth date + 14 years is refused

FILE_COLUMN = "(file)"  # RowError.column of problems with the file as a whole (row 0)
ROW_COLUMN = "(row)"  # RowError.column of problems with a row as a whole

# Canonical column -> accepted header names (compared after `header_key`). Kazakh first, then Russian.
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
    # the анықтама only (seed 000, appendix 37: "шығарылды (шығарылған себебі, бұйрықтың нөмірі және күні)")
    "studies_ended_reason": ("reason studies ended", "шығарылған себебі", "оқудан шығарылу себебі",
                             "причина отчисления"),
    "studies_ended_order": ("expulsion order", "бұйрықтың нөмірі", "бұйрық нөмірі", "номер приказа"),
    "studies_ended_order_date": ("expulsion order date", "бұйрықтың күні", "бұйрық күні", "дата приказа"),
    "studied_from": ("studies began", "оқу басталған күні", "дата начала обучения"),
    "studied_until": ("studies ended", "оқу аяқталған күні", "дата окончания обучения"),
}
REQUIRED_COLUMNS: tuple[str, ...] = (
    "iin", "surname", "name", "birth_date", "doc_type", "programme", "award_date", "group",
)


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
        studies_ended_reason, studies_ended_order, studies_ended_order_date: for the анықтама (doc_type
            INCOMPLETE, seed 000 appendix 37) only, and required with it: why studies ended (1-200 characters) and
            the head's order (number 1-32 characters, date); free text holding no IIN. None for other types.
        studied_from, studied_until: the анықтама's period of study, each optional (from <= until).
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
    studies_ended_reason: str | None = None
    studies_ended_order: str | None = None
    studies_ended_order_date: dt.date | None = None
    studied_from: dt.date | None = None
    studied_until: dt.date | None = None

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
        text: the same as a `verify.texts.Text` (message id and parameters), which the service shows in the
            reader's language; None for a reason given as plain English.
    """

    row: int
    column: str
    reason: str
    text: Text | None = field(default=None, compare=False)

    @classmethod
    def of(cls, row: int, column: str, text: Text) -> RowError:
        """The problem of `row` and `column` said by `text` (its English form is `reason`)."""
        return cls(row, column, text.english(), text)


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


@dataclass(slots=True)
class Table:
    """A file read into raw cell values: the header row's number and cells, then (row number, cells) per row."""

    header_row: int
    header: tuple[object, ...]
    rows: list[tuple[int, tuple[object, ...]]] = field(default_factory=list)  # (row number, raw cells)


def is_empty(value: object) -> bool:
    """Whether a cell holds nothing (None, or only spaces)."""
    return value is None or (isinstance(value, str) and not value.strip())


def header_key(text: str) -> str:
    """A header as compared: NFC, case-folded, ``_`` as a space, runs of spaces as one."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().replace("_", " ").split())


_NAME_TO_COLUMN: dict[str, str] = {
    header_key(alias): column for column, aliases in COLUMN_NAMES.items() for alias in (column, *aliases)
}


def column_for(header: str) -> str | None:
    """The canonical column a header names, or None; ``Тегі / Фамилия`` counts when all parts agree."""
    key = header_key(header)
    if key in _NAME_TO_COLUMN:
        return _NAME_TO_COLUMN[key]
    if "/" in key:
        found = {_NAME_TO_COLUMN.get(part.strip()) for part in key.split("/")}
        if len(found) == 1:
            return found.pop()
    return None
