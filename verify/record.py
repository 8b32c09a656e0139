"""The education-document record: what a QR code signs (docs/FORMAT.md §3).

A `Record` is the registry's data about one printed document, checked against the schema
of record format version 1 when it is built. It never holds the holder's IIN (DESIGN.md,
Record format): the IIN stays in the registry.

Example:
    >>> import datetime as dt
    >>> r = Record(doc_type="BD", series="BD", number="0000042",
    ...            holder=HolderName("Әбдірахманова", "Гүлнұр", "Серікқызы"),
    ...            institution_bin="000740000728", award_date=dt.date(2026, 6, 30),
    ...            programme="6B06101")
    >>> r.holder.full_name
    'Әбдірахманова Гүлнұр Серікқызы'
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from .doctypes import DocumentType, get_document_type
from .errors import RecordError
from .identifiers import (
    NUMBER_RE,
    is_normalized_series,
    is_valid_bin,
    normalize_series,
    validate_bin,
    validate_number,
)
from .texts import text

FORMAT_VERSION = 1

#: Name caps (characters, after NFC): keep the longest record within QR version 12 at ECC M
#: with the longest allowed prefix (docs/FORMAT.md §5); measured in tests/core/test_budget.py.
MAX_SURNAME_CHARS = 32
MAX_GIVEN_NAME_CHARS = 24
MAX_PATRONYMIC_CHARS = 24
MAX_FULL_NAME_CHARS = 44  # surname, name and patronymic joined by single spaces

MAX_PROGRAMME_CHARS = 8  # TVE specialty 06130100, higher-education programme 6B06101
MAX_QUALIFICATION_CHARS = 10  # TVE qualification 4S06130103
MAX_DUPLICATE_NO = 99
MAX_REVISION = 999
EARLIEST_AWARD_DATE = dt.date(1900, 1, 1)

# Letters of the Kazakh and Russian Cyrillic alphabets and of the Kazakh Latin alphabet (2021).
_LETTER = "A-Za-zÄäĞğÑñÖöŞşŪūÜüĪıİА-Яа-яЁёӘәҒғҚқҢңӨөҰұҮүҺһІі"
# Used with `fullmatch`: `re.match` with `$` would let a final newline through (tests/core/test_anchored_patterns.py).
_NAME_PART_RE = re.compile(rf"[{_LETTER}](?:[{_LETTER}]|[-' ](?=[{_LETTER}]))*")
_CODE_RE = re.compile(r"[0-9A-Z]+")
#: A holder's two (three) name parts joined by NUL, each of the grammar of `_NAME_PART_RE`: one match for the whole
#: name (`HolderName`'s fast path). Exactly one (two) NUL matches, so a part holding a NUL never does; NUL composes
#: with nothing under NFC, so the joined name is NFC exactly when every part is.
#: Each part written as runs of letters joined by single separators: the language of `_NAME_PART_RE` without its
#: look-ahead per character (tests/core/test_record.py checks that the two agree).
_NAME_RUNS = rf"[{_LETTER}]+(?:[-' ][{_LETTER}]+)*"
_HOLDER_RE = re.compile(rf"{_NAME_RUNS}\x00{_NAME_RUNS}")
_HOLDER3_RE = re.compile(rf"{_NAME_RUNS}\x00{_NAME_RUNS}\x00{_NAME_RUNS}")
_SET = object.__setattr__  # the fields of a frozen dataclass are set through object's own setter



def check_name_part(value: str, *, label: str, limit: int) -> str:
    """One part of a holder's name by the rules of `HolderName` (the import checks every part this way).

    Raises:
        RecordError: not NFC text of 1-`limit` Kazakh or Russian letters with single hyphens, apostrophes or
            spaces between them; the message starts with `label`.
    """
    if not isinstance(value, str):
        raise RecordError(text("v_rec_text", field=label))
    if value != unicodedata.normalize("NFC", value):
        raise RecordError(text("v_rec_nfc", field=label))
    if not value or len(value) > limit:
        raise RecordError(text("v_rec_length", field=label, limit=limit))
    if not _NAME_PART_RE.fullmatch(value):
        raise RecordError(text("v_rec_name_letters", field=label))
    return value


@dataclass(frozen=True, slots=True)
class HolderName:
    """The holder's full name exactly as printed: surname, name, patronymic if any.

    The patronymic is optional (seed 000, appendix 1: "әкесінің аты (болған жағдайда)").
    Every part is NFC text of letters with single hyphens, apostrophes or spaces between
    letters; caps are `MAX_*_CHARS`.

    Raises:
        RecordError: on any part that breaks these rules.
    """

    surname: str
    name: str
    patronymic: str | None = None

    def __post_init__(self) -> None:
        if not self._is_valid():
            self._check_each()

    def _is_valid(self) -> bool:
        """Every rule in one test, for a valid name (a name is built on every verification: issue 16 item 2): the
        parts joined by NUL matched once by `_HOLDER_RE`, NFC checked once (NUL composes with nothing). False sends
        the name through `_check_each`, part by part, which names the first fault."""
        surname, name, patronymic = self.surname, self.name, self.patronymic
        if type(surname) is str and type(name) is str and len(surname) <= MAX_SURNAME_CHARS \
                and len(name) <= MAX_GIVEN_NAME_CHARS:
            if patronymic is None:
                joined, grammar = f"{surname}\x00{name}", _HOLDER_RE
            elif type(patronymic) is str and len(patronymic) <= MAX_PATRONYMIC_CHARS:
                joined, grammar = f"{surname}\x00{name}\x00{patronymic}", _HOLDER3_RE
            else:
                return False
            return len(joined) <= MAX_FULL_NAME_CHARS and grammar.fullmatch(joined) is not None \
                and unicodedata.is_normalized("NFC", joined)
        return False

    def _check_each(self) -> None:
        """The rules part by part: raises RecordError for the first that fails."""
        check_name_part(self.surname, label="surname", limit=MAX_SURNAME_CHARS)
        check_name_part(self.name, label="name", limit=MAX_GIVEN_NAME_CHARS)
        if self.patronymic is not None:
            check_name_part(self.patronymic, label="patronymic", limit=MAX_PATRONYMIC_CHARS)
        if len(self.full_name) > MAX_FULL_NAME_CHARS:
            raise RecordError(text("v_rec_full_name", field="full name", limit=MAX_FULL_NAME_CHARS))

    @property
    def full_name(self) -> str:
        """Surname, name and patronymic joined by single spaces."""
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)


STAMP_LANGUAGES = ("kk", "ru", "en")
_STAMP_TEXTS = {
    "kk": "Түпнұсқаның орнына берілген № {n} телнұсқа",
    "ru": "Дубликат № {n} выдан взамен оригинала",
    "en": "Duplicate No. {n} issued instead of the original",
}


def stamp_text(duplicate_no: int, language: str = "kk") -> str:
    """The stamp of duplicate No. N in its upper right corner (seed 000, item 25), in "kk", "ru" or "en".

    The one copy of the stamp's words: the registry's documents, the pages and the drawn inserts use it.

    Raises:
        KeyError: another language.
    """
    return _STAMP_TEXTS[language].format(n=duplicate_no)


@dataclass(frozen=True, slots=True)
class DuplicateOf:
    """What a duplicate (телнұсқа) says about the original it replaces.

    The stamp "Түпнұсқаның орнына берілген № N телнұсқа" (seed 000, item 25) carries N.

    Attributes:
        duplicate_no: N, 1..99 (the first duplicate is 1, a duplicate of it 2, ...).
        original_series: the series of the original document.
        original_number: its seven-digit number.
    """

    duplicate_no: int
    original_series: str
    original_number: str

    def __post_init__(self) -> None:
        if type(self.duplicate_no) is not int or not 1 <= self.duplicate_no <= MAX_DUPLICATE_NO:
            raise RecordError(text("v_rec_duplicate_no", field="duplicate number", limit=MAX_DUPLICATE_NO))
        if normalize_series(self.original_series) != self.original_series:
            raise RecordError(text("v_rec_normalised", field="original series"))
        validate_number(self.original_number)


@dataclass(frozen=True, slots=True)
class Record:
    """One education document as record format version 1 signs it (docs/FORMAT.md §3).

    Attributes:
        doc_type: document type code from `verify.doctypes.DOCUMENT_TYPES`.
        series: series as printed, normalised (`identifiers.normalize_series`).
        number: seven digits as text (leading zeros matter).
        holder: `HolderName`.
        institution_bin: the issuing institution's 12-digit BIN with a valid check digit.
        award_date: date of the commission's decision (no later than signing time).
        programme: specialty or programme code (8 digits, or 6B06101 style), <= 12 chars.
        qualification: qualification code, <= 12 chars [0-9A-Z], or None.
        honours: True for a diploma with honours ("Үздік" / "С отличием").
        duplicate: `DuplicateOf` for a duplicate, else None.
        revision: 1 for the first issue, +1 for each correction (seed 000, appendix 38).

    Raises:
        RecordError: on any field that breaks the schema; the message names the field.
    """

    doc_type: str
    series: str
    number: str
    holder: HolderName
    institution_bin: str
    award_date: dt.date
    programme: str
    qualification: str | None = None
    honours: bool = False
    duplicate: DuplicateOf | None = None
    revision: int = 1
    version: int = field(default=FORMAT_VERSION)

    def __post_init__(self) -> None:
        if not self._is_valid():
            self._check_each()

    def _check_each(self) -> None:
        """The schema's rules one by one, in the order of docs/FORMAT.md §3: raises for the first that fails."""
        if self.version != FORMAT_VERSION:
            raise RecordError(text("v_rec_version", field="version", version=FORMAT_VERSION))
        doc_type = get_document_type(self.doc_type) if isinstance(self.doc_type, str) else None
        if doc_type is None:
            raise RecordError(text("v_rec_doc_type", field="doc_type"))
        if not isinstance(self.series, str) or normalize_series(self.series) != self.series:
            raise RecordError(text("v_rec_normalised", field="series"))
        if doc_type.series is not None and self.series != doc_type.series:
            raise RecordError(text("v_rec_series_of_type", field="series", doc_type=doc_type.code,
                                        series=doc_type.series))
        validate_number(self.number)
        if not isinstance(self.holder, HolderName):
            raise RecordError(text("v_rec_holder", field="holder"))
        validate_bin(self.institution_bin)
        if type(self.award_date) is not dt.date or self.award_date < EARLIEST_AWARD_DATE:
            raise RecordError(text("v_rec_award_date", field="award_date"))
        _check_code(self.programme, label="programme", limit=MAX_PROGRAMME_CHARS)
        if self.qualification is not None:
            _check_code(self.qualification, label="qualification", limit=MAX_QUALIFICATION_CHARS)
        if type(self.honours) is not bool:
            raise RecordError(text("v_rec_bool", field="honours"))
        if self.duplicate is not None and not isinstance(self.duplicate, DuplicateOf):
            raise RecordError(text("v_rec_duplicate", field="duplicate"))
        if type(self.revision) is not int or not 1 <= self.revision <= MAX_REVISION:
            raise RecordError(text("v_rec_revision", field="revision", limit=MAX_REVISION))

    def _is_valid(self) -> bool:
        """Every rule of `__post_init__` in one expression, for the common valid record (a record is built on every
        verification: issue 16 item 2); False sends it through the checks one by one, which name the first fault.
        The exact types of the fields are required here (a subclass of str goes the long way)."""
        doc_type = get_document_type(self.doc_type) if type(self.doc_type) is str else None
        qualification = self.qualification
        return (doc_type is not None and self.version == FORMAT_VERSION and type(self.series) is str
                and type(self.number) is str and type(self.holder) is HolderName and type(self.institution_bin) is str
                and type(self.award_date) is dt.date and type(self.programme) is str
                and (qualification is None or type(qualification) is str) and type(self.honours) is bool
                and (self.duplicate is None or type(self.duplicate) is DuplicateOf)
                and type(self.revision) is int and self.revision >= 1
                and _values_pass(doc_type, self.series, self.number, self.institution_bin, self.award_date,
                                 self.programme, qualification, self.revision))

    @classmethod
    def decoded(cls, doc_type: DocumentType, series: str, number: str, holder: HolderName, institution_bin: str,
                award_date: dt.date, programme: str, qualification: str | None, honours: bool,
                duplicate: DuplicateOf | None, revision: int) -> Record:
        """The record of a payload's fields, whose types and ranges `verify.codec.decode_payload` checked: only the
        rules it cannot know are tested here (issue 16 item 2: the record built without re-validation of what the
        decoder checked).

        Args:
            doc_type: the type the payload's id names; series, number, programme, qualification: `str` (or None);
            holder: a `HolderName` (checked when built); institution_bin: 12 ASCII digits; award_date: a `date`
            from 1970; honours: bool; duplicate: a `DuplicateOf` or None; revision: an int >= 1.

        Returns:
            The same `Record` as `Record(...)` of these fields.

        Raises:
            RecordError: as `Record(...)` (which then names the first fault).
        """
        if _values_pass(doc_type, series, number, institution_bin, award_date, programme, qualification, revision):
            record = object.__new__(cls)
            _SET(record, "doc_type", doc_type.code)
            _SET(record, "series", series)
            _SET(record, "number", number)
            _SET(record, "holder", holder)
            _SET(record, "institution_bin", institution_bin)
            _SET(record, "award_date", award_date)
            _SET(record, "programme", programme)
            _SET(record, "qualification", qualification)
            _SET(record, "honours", honours)
            _SET(record, "duplicate", duplicate)
            _SET(record, "revision", revision)
            _SET(record, "version", FORMAT_VERSION)
            return record
        return cls(doc_type.code, series, number, holder, institution_bin, award_date, programme, qualification,
                   honours, duplicate, revision)

    def with_changes(self, **changes: Any) -> Record:
        """A copy with some fields changed, validated again (for corrections)."""
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The record as a JSON object (the shape of examples/record.json)."""
        out: dict[str, Any] = {
            "doc_type": self.doc_type,
            "series": self.series,
            "number": self.number,
            "holder": {"surname": self.holder.surname, "name": self.holder.name},
            "institution_bin": self.institution_bin,
            "award_date": self.award_date.isoformat(),
            "programme": self.programme,
            "honours": self.honours,
            "revision": self.revision,
        }
        if self.holder.patronymic is not None:
            out["holder"]["patronymic"] = self.holder.patronymic
        if self.qualification is not None:
            out["qualification"] = self.qualification
        if self.duplicate is not None:
            out["duplicate"] = {
                "duplicate_no": self.duplicate.duplicate_no,
                "original_series": self.duplicate.original_series,
                "original_number": self.duplicate.original_number,
            }
        return out

    @classmethod
    def from_json(cls, data: Any) -> Record:
        """Build a record from the JSON shape of `to_json` (series is normalised here).

        Raises:
            RecordError: a missing, unknown or invalid field.
        """
        if not isinstance(data, dict):
            raise RecordError(text("v_rec_object", field="record"))
        allowed = {"doc_type", "series", "number", "holder", "institution_bin", "award_date", "programme",
                   "qualification", "honours", "duplicate", "revision"}
        unknown = sorted(set(data) - allowed)
        if unknown:
            raise RecordError(text("v_rec_unknown_fields", field="record", fields=", ".join(unknown)))
        try:
            holder = data["holder"]
            if not isinstance(holder, dict) or set(holder) - {"surname", "name", "patronymic"}:
                raise RecordError(text("v_rec_holder_object", field="holder"))
            dup = data.get("duplicate")
            if dup is not None and not isinstance(dup, dict):
                raise RecordError(text("v_rec_duplicate_object", field="duplicate"))
            return cls(
                doc_type=data["doc_type"],
                series=normalize_series(str(data["series"])),
                number=data["number"],
                holder=HolderName(holder["surname"], holder["name"], holder.get("patronymic")),
                institution_bin=data["institution_bin"],
                award_date=_parse_date(data["award_date"]),
                programme=data["programme"],
                qualification=data.get("qualification"),
                honours=data.get("honours", False),
                duplicate=None if dup is None else DuplicateOf(
                    dup["duplicate_no"], normalize_series(str(dup["original_series"])), dup["original_number"]
                ),
                revision=data.get("revision", 1),
            )
        except KeyError as exc:
            raise RecordError(text("v_rec_missing_field", field="record", name=str(exc.args[0]))) from None


def _values_pass(doc_type: DocumentType, series: str, number: str, institution_bin: str, award_date: dt.date,
                 programme: str, qualification: str | None, revision: int) -> bool:
    """The value rules of `Record._check_each` for fields that have their types (and a revision >= 1): the series
    normalised and the one its type prints, seven digits, the BIN's check digit, the award date's floor, the codes'
    grammar and caps, the revision's cap. The one test of `Record._is_valid` and `Record.decoded`."""
    return (is_normalized_series(series) and (doc_type.series is None or series == doc_type.series)
            and NUMBER_RE.fullmatch(number) is not None and is_valid_bin(institution_bin)
            and award_date >= EARLIEST_AWARD_DATE and len(programme) <= MAX_PROGRAMME_CHARS
            and _CODE_RE.fullmatch(programme) is not None
            and (qualification is None or (len(qualification) <= MAX_QUALIFICATION_CHARS
                                           and _CODE_RE.fullmatch(qualification) is not None))
            and revision <= MAX_REVISION)


def _parse_date(value: Any) -> dt.date:
    if not isinstance(value, str):
        raise RecordError(text("v_rec_iso_date", field="award_date"))
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise RecordError(text("v_rec_iso_date", field="award_date")) from None


def _check_code(value: Any, *, label: str, limit: int) -> None:
    if not isinstance(value, str) or not 1 <= len(value) <= limit or not _CODE_RE.fullmatch(value):
        raise RecordError(text("v_rec_code", field=label, limit=limit))
