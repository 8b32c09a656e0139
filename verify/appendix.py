"""The diploma's appendix (қосымша / приложение, the transcript): its data model and strict rules (docs/FORMAT.md §10).

Every blank consists of a cover, the insert sheet and the appendix (seed 000, Rules item 7); the appendix is
printed like the blank (items 10-11), in Kazakh on the left and Russian on the right (item 14), on the honours
blank's paper for a diploma with honours (items 11, 15). Its tables list each subject or module with its volume in
hours or credits and its grade as percent, letter, points and five-point number (seed 000, appendix 37, annex 2:
the only technical-and-vocational grade table in the seeds; the school appendices 4, 6 and 10 list subjects and
grades). An appendix is not valid without its main document: the forms say "(... № ___ аттестатсыз жарамсыз)",
"invalid without certificate No. ___" (seed 000, appendices 4, 6, 10), so an `Appendix` names its diploma by
series, number, revision and the SHA-256 of the diploma's signed payload. The appendix can be duplicated alone
(seed 000, Rules appendix 5: "қосымшаның телнұсқасын"), and corrected alone: it has its own revision and duplicate
number. Admission scores applicants from the grades of the education document in digital form (seed 002, items 12,
54, 55, 61), so the grades are data (`verify.grades.Grade`), not text. Practice, final attestation and the thesis
are rows of the issue's list (issue 17); the seeds give no form for them.

    Appendix(diploma=DiplomaRef.of(signed), institution_bin=..., items=(AppendixItem(...), ...))
    appendix.totals_computed()         hours, credits, GPA (credit-weighted points)
    appendix.five_point_average()      the document's average grade (seed 002, item 61)
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import IntEnum
from typing import Any

from .doctypes import INCOMPLETE_SERIES
from .errors import RecordError
from .grades import Grade, to_decimal
from .identifiers import normalize_series, refuse_iin_in_text, validate_bin, validate_number
from .record import EARLIEST_AWARD_DATE, MAX_DUPLICATE_NO, MAX_REVISION

MAX_ITEMS = 200
MAX_ITEM_NAME_CHARS = 200
MAX_THESIS_TITLE_CHARS = 400
MAX_HOURS = 10_000
MAX_CREDITS = Decimal(300)
LANGUAGES = ("kk", "ru", "en")
GPA_TOLERANCE = Decimal("0.01")
_CODE_RE = re.compile(r"^[0-9A-Za-zА-ЯЁӘҒҚҢӨҰҮҺІа-яёәғқңөұүһі][0-9A-Za-zА-ЯЁӘҒҚҢӨҰҮҺІа-яёәғқңөұүһі .\-/]{0,23}$")
MAX_REASON_CHARS = 200
MAX_ORDER_NUMBER_CHARS = 32
_TENTH = Decimal("0.1")
_HUNDREDTH = Decimal("0.01")


class ItemKind(IntEnum):
    """What a row of the appendix is (its payload code, docs/FORMAT.md §10.3)."""

    SUBJECT = 1  # пән / дисциплина
    MODULE = 2  # модуль (seed 000, appendix 37, annex 2: "модуль мен оқыту нәтижесі")
    PRACTICE = 3  # кәсіптік практика / профессиональная практика
    FINAL_ATTESTATION = 4  # қорытынды аттестаттау: the examination of the commission (seed 000, Rules item 4)
    THESIS = 5  # дипломдық жұмыс (жоба): its title is the row's name

    @property
    def label(self) -> str:
        """The JSON name: "subject", "module", "practice", "final_attestation", "thesis"."""
        return self.name.lower()

    @classmethod
    def from_label(cls, label: object) -> ItemKind:
        """The kind with this JSON name.

        Raises:
            RecordError: another name.
        """
        for kind in cls:
            if kind.label == label:
                return kind
        raise RecordError(f"item kind: {label!r} is not one of {', '.join(k.label for k in cls)}")


def check_text(value: object, *, label: str, limit: int) -> str:
    """A name or title: NFC text of 1..limit characters, no control or format characters, no outer spaces.

    Raises:
        RecordError: otherwise (the message names `label`).
    """
    if not isinstance(value, str) or not 1 <= len(value) <= limit:
        raise RecordError(f"{label}: must be text of 1-{limit} characters")
    if value != unicodedata.normalize("NFC", value):
        raise RecordError(f"{label}: must be in Unicode NFC form")
    if value != value.strip() or any(unicodedata.category(c)[0] == "C" for c in value):
        raise RecordError(f"{label}: no control characters and no leading or trailing spaces")
    return value


@dataclass(frozen=True, slots=True)
class AppendixItem:
    """One row of the appendix.

    Attributes:
        kind: `ItemKind`.
        names: {"kk": ..., "ru": ...[, "en": ...]}: Kazakh and Russian are required (seed 000, Rules item 14);
            a thesis title needs one language at least (it is printed as written).
        grade: the `Grade`.
        hours: academic hours (1..10,000), or None.
        credits: credits (ECTS-based academic credits, or the college's credits) as a `Decimal` with at most one
            decimal place, 0 < credits <= 300, or None. A subject, module or practice gives hours or credits
            (seed 000, appendix 37, annex 2: "сағатпен/кредитпен").
        code: the module or subject code of the curriculum (1-24 letters, digits, spaces, `.`, `-`, `/`), or None.

    Raises:
        RecordError: any field that breaks these rules; a failed final attestation or thesis (a diploma is
            given after the final attestation is passed: seed 000, Rules item 4).
    """

    kind: ItemKind
    names: Mapping[str, str]
    grade: Grade
    hours: int | None = None
    credits: Decimal | None = None
    code: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ItemKind):
            raise RecordError("item: kind must be an ItemKind")
        if not isinstance(self.names, Mapping) or not self.names or set(self.names) - set(LANGUAGES):
            raise RecordError("item: names must map some of kk, ru, en to text")
        limit = MAX_THESIS_TITLE_CHARS if self.kind is ItemKind.THESIS else MAX_ITEM_NAME_CHARS
        for lang, text in self.names.items():
            check_text(text, label=f"item name ({lang})", limit=limit)
        if self.kind is not ItemKind.THESIS and not {"kk", "ru"} <= set(self.names):
            raise RecordError("item: the Kazakh and the Russian name are both required (seed 000, Rules item 14)")
        object.__setattr__(self, "names", {lang: self.names[lang] for lang in LANGUAGES if lang in self.names})
        if not isinstance(self.grade, Grade):
            raise RecordError("item: grade must be a Grade")
        if self.hours is not None and (type(self.hours) is not int or not 1 <= self.hours <= MAX_HOURS):
            raise RecordError(f"item: hours must be a whole number 1..{MAX_HOURS}")
        if self.credits is not None and (not isinstance(self.credits, Decimal) or not self.credits.is_finite()
                                         or self.credits != self.credits.quantize(_TENTH)
                                         or not 0 < self.credits <= MAX_CREDITS):
            raise RecordError(f"item: credits must be above 0 and at most {MAX_CREDITS}, with one decimal place")
        if self.kind in (ItemKind.SUBJECT, ItemKind.MODULE, ItemKind.PRACTICE) \
                and self.hours is None and self.credits is None:
            raise RecordError("item: a subject, module or practice gives its hours or credits "
                              "(seed 000, appendix 37, annex 2)")
        if self.code is not None and (not isinstance(self.code, str) or not _CODE_RE.match(self.code)):
            raise RecordError("item: code must be 1-24 letters, digits, spaces, '.', '-' or '/'")
        if self.kind in (ItemKind.FINAL_ATTESTATION, ItemKind.THESIS) and self.grade.failing:
            raise RecordError("item: a failed final attestation or thesis cannot stand in a diploma's appendix "
                              "(seed 000, Rules item 4)")

    def to_json(self) -> dict[str, Any]:
        """JSON form (docs/FORMAT.md §10.6)."""
        out: dict[str, Any] = {"kind": self.kind.label, "names": dict(self.names), "grade": self.grade.to_json()}
        if self.code is not None:
            out["code"] = self.code
        if self.hours is not None:
            out["hours"] = self.hours
        if self.credits is not None:
            out["credits"] = float(self.credits)
        return out

    @classmethod
    def from_json(cls, data: object) -> AppendixItem:
        """Build from the shape of `to_json`.

        Raises:
            RecordError: a missing, unknown or invalid member.
        """
        if not isinstance(data, dict):
            raise RecordError("item: must be an object")
        if unknown := set(data) - {"kind", "names", "grade", "code", "hours", "credits"}:
            raise RecordError(f"item: unknown member(s) {', '.join(sorted(unknown))}")
        if "names" not in data or "grade" not in data or "kind" not in data:
            raise RecordError("item: kind, names and grade are required")
        credits = data.get("credits")
        return cls(kind=ItemKind.from_label(data["kind"]), names=data["names"],
                   grade=Grade.from_json(data["grade"]), hours=data.get("hours"),
                   credits=None if credits is None else to_decimal(credits, "credits"), code=data.get("code"))


@dataclass(frozen=True, slots=True)
class StudiesEnded:
    """Why and when the studies of an анықтама's holder ended (seed 000, appendix 37, annex 2: "шығарылды
    (шығарылған себебі, бұйрықтың нөмірі және күні)", expelled: the reason, the order's number and date; the form's
    "20__ жылғы «__» ... 20__ жылғы «__» ... дейін ОҚЫДЫ", studied from ... until ...).

    Printed under the annex's grade table, so it is signed with the appendix (docs/FORMAT.md §10.3 key 10); only
    the appendix of an анықтама (series `verify.doctypes.INCOMPLETE_SERIES`) carries it, and that one must.

    Attributes:
        reason: the reason studies ended, as the order words it (1-200 characters, `check_text`; never an IIN).
        order_number: the number of the head's order (1-32 characters, `check_text`; never an IIN).
        order_date: the order's date (from 1900-01-01).
        studied_from, studied_until: the period of study printed on the form, each optional; from <= until.

    Raises:
        RecordError: a field that breaks these rules (`IinInTextError` for an IIN in the text).
    """

    reason: str
    order_number: str
    order_date: dt.date
    studied_from: dt.date | None = None
    studied_until: dt.date | None = None

    def __post_init__(self) -> None:
        refuse_iin_in_text(check_text(self.reason, label="studies ended: reason", limit=MAX_REASON_CHARS),
                           field="studies_ended.reason")
        refuse_iin_in_text(check_text(self.order_number, label="studies ended: order number",
                                      limit=MAX_ORDER_NUMBER_CHARS), field="studies_ended.order_number")
        for label, day in (("order date", self.order_date), ("studied from", self.studied_from),
                           ("studied until", self.studied_until)):
            if day is not None and (type(day) is not dt.date or day < EARLIEST_AWARD_DATE):
                raise RecordError(f"studies ended: {label} must be a date from {EARLIEST_AWARD_DATE}")
        if self.studied_from is not None and self.studied_until is not None \
                and self.studied_from > self.studied_until:
            raise RecordError("studies ended: studied from must not be after studied until")

    def to_json(self) -> dict[str, Any]:
        """JSON form: reason, order_number, order_date and the period's ends given (ISO dates)."""
        out: dict[str, Any] = {"reason": self.reason, "order_number": self.order_number,
                               "order_date": self.order_date.isoformat()}
        if self.studied_from is not None:
            out["studied_from"] = self.studied_from.isoformat()
        if self.studied_until is not None:
            out["studied_until"] = self.studied_until.isoformat()
        return out

    @classmethod
    def from_json(cls, data: object) -> StudiesEnded:
        """Build from the shape of `to_json`.

        Raises:
            RecordError: a missing, unknown or invalid member.
        """
        members = {"reason", "order_number", "order_date", "studied_from", "studied_until"}
        if not isinstance(data, dict) or set(data) - members \
                or not {"reason", "order_number", "order_date"} <= set(data):
            raise RecordError("studies_ended: an object with reason, order_number, order_date and optionally "
                              "studied_from, studied_until")

        def day(name: str) -> Any:
            value = data.get(name)
            if value is None:
                return None
            try:
                return dt.date.fromisoformat(value)
            except (TypeError, ValueError):
                raise RecordError(f"studies_ended: {name} must be a date YYYY-MM-DD") from None

        return cls(reason=data["reason"], order_number=data["order_number"], order_date=day("order_date"),
                   studied_from=day("studied_from"), studied_until=day("studied_until"))


@dataclass(frozen=True, slots=True)
class DiplomaRef:
    """The diploma an appendix belongs to: one signed revision of one document.

    Attributes:
        series, number: the diploma's (normalised series, seven digits).
        revision: the diploma record's revision (1..999) whose payload is named.
        payload_sha256: the SHA-256 of the diploma's signed payload bytes (32 bytes; `SignedRecord.payload_sha256`).

    Raises:
        RecordError: a field that breaks the record's rules.
    """

    series: str
    number: str
    revision: int
    payload_sha256: bytes

    def __post_init__(self) -> None:
        if not isinstance(self.series, str) or normalize_series(self.series) != self.series:
            raise RecordError("diploma series: must be given in its normalised form")
        validate_number(self.number)
        if type(self.revision) is not int or not 1 <= self.revision <= MAX_REVISION:
            raise RecordError(f"diploma revision: must be 1..{MAX_REVISION}")
        if type(self.payload_sha256) is not bytes or len(self.payload_sha256) != 32:
            raise RecordError("diploma payload digest: must be 32 bytes (SHA-256)")

    @classmethod
    def of(cls, signed: Any) -> DiplomaRef:
        """The reference to a `verify.issue.SignedRecord` (its record's series, number, revision, payload hash)."""
        record = signed.record
        return cls(record.series, record.number, record.revision, signed.payload_sha256)


@dataclass(frozen=True, slots=True)
class Totals:
    """Totals printed under the table; each, when given, must equal what the rows give (`Appendix`).

    Attributes:
        hours: the sum of the rows' hours, or None.
        credits: the sum of the rows' credits, or None.
        gpa: the credit-weighted mean of the rows' points (GPA), 0.00..4.00, within 0.01 of the computed, or None.
    """

    hours: int | None = None
    credits: Decimal | None = None
    gpa: Decimal | None = None

    def to_json(self) -> dict[str, Any]:
        """JSON form: only the totals given."""
        out: dict[str, Any] = {}
        if self.hours is not None:
            out["hours"] = self.hours
        if self.credits is not None:
            out["credits"] = float(self.credits)
        if self.gpa is not None:
            out["gpa"] = float(self.gpa)
        return out


@dataclass(frozen=True)
class Appendix:
    """An appendix to one diploma revision (docs/FORMAT.md §10).

    Attributes:
        diploma: `DiplomaRef` of the diploma it belongs to.
        institution_bin: the issuing institution's BIN (the diploma's).
        items: the rows, 1..200, in printed order; at most one thesis.
        totals: the totals printed, or None.
        revision: 1, +1 for each correction of the appendix alone (seed 000, appendix 38: corrections).
        duplicate_no: N for a duplicate of the appendix issued alone (seed 000, Rules appendix 5), else None.
        studies_ended: `StudiesEnded`, required for the appendix of an анықтама (the main document's series is
            `verify.doctypes.INCOMPLETE_SERIES`, seed 000 appendix 37) and refused for any other.

    Raises:
        RecordError: any rule broken; the message names the row ("item 3: ...").
    """

    diploma: DiplomaRef
    institution_bin: str
    items: tuple[AppendixItem, ...]
    totals: Totals | None = None
    revision: int = 1
    duplicate_no: int | None = None
    studies_ended: StudiesEnded | None = None
    _computed: Totals = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.diploma, DiplomaRef):
            raise RecordError("appendix: diploma must be a DiplomaRef")
        validate_bin(self.institution_bin)
        if not isinstance(self.items, tuple) or not 1 <= len(self.items) <= MAX_ITEMS \
                or not all(isinstance(i, AppendixItem) for i in self.items):
            raise RecordError(f"appendix: 1..{MAX_ITEMS} items")
        if sum(1 for i in self.items if i.kind is ItemKind.THESIS) > 1:
            raise RecordError("appendix: at most one thesis")
        if type(self.revision) is not int or not 1 <= self.revision <= MAX_REVISION:
            raise RecordError(f"appendix: revision must be 1..{MAX_REVISION}")
        if self.duplicate_no is not None and (type(self.duplicate_no) is not int
                                              or not 1 <= self.duplicate_no <= MAX_DUPLICATE_NO):
            raise RecordError(f"appendix: duplicate number must be 1..{MAX_DUPLICATE_NO}")
        if self.studies_ended is not None and not isinstance(self.studies_ended, StudiesEnded):
            raise RecordError("appendix: studies_ended must be a StudiesEnded")
        if (self.diploma.series == INCOMPLETE_SERIES) != (self.studies_ended is not None):
            raise RecordError(f"appendix: studies_ended is given with, and only with, the appendix of an анықтама "
                              f"(series {INCOMPLETE_SERIES}, seed 000 appendix 37)")
        computed = _compute_totals(self.items)
        object.__setattr__(self, "_computed", computed)
        if self.totals is not None:
            _check_totals(self.totals, computed)

    def totals_computed(self) -> Totals:
        """Hours and credits summed over the rows; GPA = sum(credits x points) / sum(credits) over the rows with
        both, rounded half up to 0.01 (None where no row has both)."""
        return self._computed

    def five_point_average(self) -> Decimal | None:
        """The average traditional grade of the graded rows, rounded half up to 0.01 (seed 002, item 61: "білім
        туралы құжаттың орташа балы"); None when no row has a five-point value (only pass/fail grades)."""
        values = [v for i in self.items if (v := i.grade.effective_five_point()) is not None]
        if not values:
            return None
        return (Decimal(sum(values)) / len(values)).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)

    def to_json(self) -> dict[str, Any]:
        """JSON form (docs/FORMAT.md §10.6): what import, the partner API and the pages read."""
        out: dict[str, Any] = {
            "diploma": {"series": self.diploma.series, "number": self.diploma.number,
                        "revision": self.diploma.revision, "payload_sha256": self.diploma.payload_sha256.hex()},
            "institution_bin": self.institution_bin,
            "revision": self.revision,
            "items": [i.to_json() for i in self.items],
        }
        if self.duplicate_no is not None:
            out["duplicate_no"] = self.duplicate_no
        if self.totals is not None:
            out["totals"] = self.totals.to_json()
        if self.studies_ended is not None:
            out["studies_ended"] = self.studies_ended.to_json()
        return out

    @classmethod
    def from_json(cls, data: object) -> Appendix:
        """Build from the shape of `to_json`; the row of a refused item is named ("item 3: ...").

        Raises:
            RecordError: a missing, unknown or invalid member.
        """
        if not isinstance(data, dict):
            raise RecordError("appendix: must be an object")
        allowed = {"diploma", "institution_bin", "revision", "items", "duplicate_no", "totals", "studies_ended"}
        if unknown := set(data) - allowed:
            raise RecordError(f"appendix: unknown member(s) {', '.join(sorted(unknown))}")
        try:
            dip, items, totals, ended = data["diploma"], data["items"], data.get("totals"), data.get("studies_ended")
            if not isinstance(dip, dict) or set(dip) != {"series", "number", "revision", "payload_sha256"}:
                raise RecordError("appendix: diploma must have series, number, revision and payload_sha256")
            if not isinstance(items, list):
                raise RecordError("appendix: items must be a list")
            digest = dip["payload_sha256"]
            if not isinstance(digest, str) or len(digest) != 64 or not re.fullmatch(r"[0-9a-f]{64}", digest):
                raise RecordError("appendix: diploma payload_sha256 must be 64 lower-case hex digits")
            parsed: list[AppendixItem] = []
            for index, item in enumerate(items, start=1):
                try:
                    parsed.append(AppendixItem.from_json(item))
                except RecordError as exc:
                    raise RecordError(f"item {index}: {exc.message}") from None
            return cls(
                diploma=DiplomaRef(normalize_series(str(dip["series"])), dip["number"], dip["revision"],
                                   bytes.fromhex(digest)),
                institution_bin=data["institution_bin"], items=tuple(parsed),
                totals=None if totals is None else _totals_from_json(totals),
                revision=data.get("revision", 1), duplicate_no=data.get("duplicate_no"),
                studies_ended=None if ended is None else StudiesEnded.from_json(ended),
            )
        except KeyError as exc:
            raise RecordError(f"appendix: missing member {exc.args[0]}") from None


def _totals_from_json(data: object) -> Totals:
    if not isinstance(data, dict) or set(data) - {"hours", "credits", "gpa"}:
        raise RecordError("totals: an object with hours, credits and gpa, each optional")
    credits, gpa = data.get("credits"), data.get("gpa")
    return Totals(hours=data.get("hours"), credits=None if credits is None else to_decimal(credits, "credits"),
                  gpa=None if gpa is None else to_decimal(gpa, "gpa"))


def _compute_totals(items: tuple[AppendixItem, ...]) -> Totals:
    hours = [i.hours for i in items if i.hours is not None]
    credits = [i.credits for i in items if i.credits is not None]
    weighted = [(i.credits, p) for i in items
                if i.credits is not None and (p := i.grade.effective_points()) is not None]
    gpa = None
    if weighted:
        total = sum((c for c, _ in weighted), Decimal(0))
        gpa = (sum((c * p for c, p in weighted), Decimal(0)) / total).quantize(_HUNDREDTH, rounding=ROUND_HALF_UP)
    return Totals(hours=sum(hours) if hours else None,
                  credits=sum(credits, Decimal(0)) if credits else None, gpa=gpa)


def _check_totals(declared: Totals, computed: Totals) -> None:
    if not isinstance(declared, Totals):
        raise RecordError("appendix: totals must be a Totals")
    if declared.hours is not None and (type(declared.hours) is not int or declared.hours != computed.hours):
        raise RecordError(f"totals: hours {declared.hours} differ from the rows' sum {computed.hours}")
    if declared.credits is not None and (not isinstance(declared.credits, Decimal)
                                         or declared.credits != computed.credits):
        raise RecordError(f"totals: credits {declared.credits} differ from the rows' sum {computed.credits}")
    if declared.gpa is not None:
        if not isinstance(declared.gpa, Decimal) or not declared.gpa.is_finite() \
                or declared.gpa != declared.gpa.quantize(_HUNDREDTH) or not 0 <= declared.gpa <= 4:
            raise RecordError("totals: gpa must be 0.00..4.00 with two decimal places")
        if computed.gpa is None or abs(declared.gpa - computed.gpa) > GPA_TOLERANCE:
            raise RecordError(f"totals: gpa {declared.gpa} differs from the rows' credit-weighted points "
                              f"{computed.gpa}")
