"""Grades of an appendix (транскрипт): one grade in up to four forms, checked against each other.

The appendix tables of the seeds give a grade in four columns at once (seed 000, appendix 37, annex 2, the grade
table of technical and vocational education: "%-бен" percent, "әріптік" letter, "балмен" points, "бағалаудың
сандық бесбалдық жүйесі бойынша" the five-point number), and school appendices a traditional grade in words (seed
000, appendices 4, 6, 10). The letters, points and percent bands are those of the credit system's letter-grade
scale as Kazakhstan's universities and colleges publish it (A 4.00 95-100 "excellent" ... D 1.00 50-54, FX 0.50
25-49, F 0 0-24, or F 0-49 where an institution has no FX). **Not in the seeds**: the scale is published with the
rules of the credit technology of the Ministry of Education and Science (Order No. 152 of 20 April 2011, as
universities cite it; we read the universities' copies, not the order); `LETTER_SCALE` is that table, and a
different institutional scale would be a new table, never a silent tolerance.

A grade with more than one form must be consistent under `LETTER_SCALE` (`Grade` raises `RecordError`
otherwise): a letter's points are its table value, its percent lies in its band, its five-point number is its
band's; a pass ("сынақ" / "зачтено") agrees with a passing grade.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from .errors import RecordError


@dataclass(frozen=True, slots=True)
class LetterBand:
    """One row of the letter-grade scale.

    Attributes:
        letter: "A", "A-", ..., "FX", "F".
        points: the digital equivalent in hundredths (A 400 = 4.00).
        percent_min, percent_max: the percent band, both included.
        five_point: the traditional grade of the band (5 excellent ... 2 unsatisfactory).
    """

    letter: str
    points: int
    percent_min: int
    percent_max: int
    five_point: int


LETTER_SCALE: tuple[LetterBand, ...] = (
    LetterBand("A", 400, 95, 100, 5), LetterBand("A-", 367, 90, 94, 5),
    LetterBand("B+", 333, 85, 89, 4), LetterBand("B", 300, 80, 84, 4), LetterBand("B-", 267, 75, 79, 4),
    LetterBand("C+", 233, 70, 74, 3), LetterBand("C", 200, 65, 69, 3), LetterBand("C-", 167, 60, 64, 3),
    LetterBand("D+", 133, 55, 59, 3), LetterBand("D", 100, 50, 54, 3),
    LetterBand("FX", 50, 25, 49, 2), LetterBand("F", 0, 0, 49, 2),
)
_BY_LETTER = {band.letter: band for band in LETTER_SCALE}
_BY_POINTS = {band.points: band for band in LETTER_SCALE}
PASSING_PERCENT = 50  # D's lower bound: the lowest passing grade
#: The traditional (five-point) grades in words, kk / ru / en (seed 000, appendices 4, 6, 10 print grades so).
FIVE_POINT_WORDS: dict[int, dict[str, str]] = {
    5: {"kk": "өте жақсы", "ru": "отлично", "en": "excellent"},
    4: {"kk": "жақсы", "ru": "хорошо", "en": "good"},
    3: {"kk": "қанағаттанарлық", "ru": "удовлетворительно", "en": "satisfactory"},
    2: {"kk": "қанағаттанарлықсыз", "ru": "неудовлетворительно", "en": "unsatisfactory"},
}
PASS_WORDS: dict[bool, dict[str, str]] = {
    True: {"kk": "сынақ", "ru": "зачтено", "en": "pass"},
    False: {"kk": "сынақ емес", "ru": "не зачтено", "en": "fail"},
}
_HUNDREDTH = Decimal("0.01")


def _five_point_of_percent(percent: int) -> int:
    for band in LETTER_SCALE:
        if band.percent_min <= percent <= band.percent_max:
            return band.five_point
    raise RecordError(f"grade: percent {percent} is outside 0..100")  # unreachable for 0..100


@dataclass(frozen=True, slots=True)
class Grade:
    """One grade, in any of its forms; at least one is given.

    Attributes:
        letter: "A", "A-", "B+", "B", "B-", "C+", "C", "C-", "D+", "D", "FX" or "F", or None.
        points: the digital equivalent 0.00..4.00 as a `Decimal` with two places (3.67), or None.
        percent: 0..100, or None.
        five_point: 2..5, the traditional grade, or None.
        passed: True for a pass ("сынақ" / "зачтено"), False for a fail, None when not graded so.

    Raises:
        RecordError: no form given, a value out of range, or forms that disagree under `LETTER_SCALE`.
    """

    letter: str | None = None
    points: Decimal | None = None
    percent: int | None = None
    five_point: int | None = None
    passed: bool | None = None

    def __post_init__(self) -> None:
        if all(v is None for v in (self.letter, self.points, self.percent, self.five_point, self.passed)):
            raise RecordError("grade: give at least one of letter, points, percent, five_point, passed")
        band = None
        if self.letter is not None:
            if not isinstance(self.letter, str) or self.letter not in _BY_LETTER:
                raise RecordError(f"grade: letter {self.letter!r} is not one of {', '.join(_BY_LETTER)}")
            band = _BY_LETTER[self.letter]
        if self.points is not None:
            if not isinstance(self.points, Decimal) or not self.points.is_finite() \
                    or self.points != self.points.quantize(_HUNDREDTH) or int(self.points * 100) not in _BY_POINTS:
                raise RecordError("grade: points must be a value of the letter scale (4.00, 3.67, ..., 0.50, 0)")
            by_points = _BY_POINTS[int(self.points * 100)]
            if band is not None and by_points is not band:
                raise RecordError(f"grade: letter {band.letter} is {band.points / 100:.2f} points, "
                                  f"not {self.points}")
            band = band or by_points
        if self.percent is not None:
            if type(self.percent) is not int or not 0 <= self.percent <= 100:
                raise RecordError("grade: percent must be a whole number 0..100")
            if band is not None and not band.percent_min <= self.percent <= band.percent_max:
                raise RecordError(f"grade: {self.percent} % is outside the band of {band.letter} "
                                  f"({band.percent_min}-{band.percent_max} %)")
        if self.five_point is not None:
            if type(self.five_point) is not int or self.five_point not in FIVE_POINT_WORDS:
                raise RecordError("grade: five_point must be 2, 3, 4 or 5")
            expected = band.five_point if band is not None else \
                None if self.percent is None else _five_point_of_percent(self.percent)
            if expected is not None and expected != self.five_point:
                raise RecordError(f"grade: the five-point grade of this grade is {expected}, not {self.five_point}")
        if self.passed is not None:
            if type(self.passed) is not bool:
                raise RecordError("grade: passed must be true or false")
            failing = self.is_failing_by_value()
            if failing is not None and failing == self.passed:
                raise RecordError(f"grade: marked {'a pass' if self.passed else 'a fail'} but the grade "
                                  f"{'fails' if failing else 'passes'}")

    def band(self) -> LetterBand | None:
        """The letter-scale row of this grade (from its letter or points), or None."""
        if self.letter is not None:
            return _BY_LETTER[self.letter]
        if self.points is not None:
            return _BY_POINTS[int(self.points * 100)]
        return None

    def is_failing_by_value(self) -> bool | None:
        """Whether the grade's value fails (FX, F, below 50 %, five-point 2); None when only pass/fail is given."""
        band = self.band()
        if band is not None:
            return band.five_point == 2
        if self.percent is not None:
            return self.percent < PASSING_PERCENT
        if self.five_point is not None:
            return self.five_point == 2
        return None

    @property
    def failing(self) -> bool:
        """Whether the grade fails (by value, or marked as a fail)."""
        by_value = self.is_failing_by_value()
        return by_value if by_value is not None else self.passed is False

    def effective_points(self) -> Decimal | None:
        """The digital equivalent that enters a GPA: given or from the letter; None for pass/fail or percent only."""
        band = self.band()
        return None if band is None else Decimal(band.points) / 100

    def effective_five_point(self) -> int | None:
        """The traditional grade: given, or from the letter, points or percent; None for a pass/fail grade."""
        if self.five_point is not None:
            return self.five_point
        band = self.band()
        if band is not None:
            return band.five_point
        return None if self.percent is None else _five_point_of_percent(self.percent)

    def describe(self, languages: Sequence[str]) -> str:
        """The grade as printed and shown: its given forms joined by " · " ("A- · 3.67 · 94 % · 5 (excellent)"),
        the five-point grade's word (or a pass/fail's) in each of `languages` ("kk", "ru", "en") joined by " / "
        (seed 000 appendix 37, annex 2: the four columns; the verdict page, one language; the print, kk and ru)."""
        parts = [value for value in (self.letter, None if self.points is None else f"{self.points:.2f}",
                                     None if self.percent is None else f"{self.percent} %") if value]
        five = self.effective_five_point()
        if five is not None:
            parts.append(f"{five} ({' / '.join(FIVE_POINT_WORDS[five][lang] for lang in languages)})")
        elif self.passed is not None:
            parts.append(" / ".join(PASS_WORDS[self.passed][lang] for lang in languages))
        return " · ".join(parts)

    def to_json(self) -> dict[str, object]:
        """JSON form: only the forms given (`points` as a number with two places)."""
        out: dict[str, object] = {}
        if self.letter is not None:
            out["letter"] = self.letter
        if self.points is not None:
            out["points"] = float(self.points)
        if self.percent is not None:
            out["percent"] = self.percent
        if self.five_point is not None:
            out["five_point"] = self.five_point
        if self.passed is not None:
            out["passed"] = self.passed
        return out

    @classmethod
    def from_json(cls, data: object) -> Grade:
        """Build from the shape of `to_json` (points as a number or decimal text).

        Raises:
            RecordError: not an object, an unknown member, or a grade the rules refuse.
        """
        if not isinstance(data, dict):
            raise RecordError("grade: must be an object")
        if unknown := set(data) - {"letter", "points", "percent", "five_point", "passed"}:
            raise RecordError(f"grade: unknown member(s) {', '.join(sorted(unknown))}")
        points = data.get("points")
        return cls(letter=data.get("letter"), points=None if points is None else to_decimal(points, "points"),
                   percent=data.get("percent"), five_point=data.get("five_point"), passed=data.get("passed"))


def to_decimal(value: object, label: str) -> Decimal:
    """A JSON number or decimal text as a `Decimal` (floats through their shortest text: 3.67 stays 3.67).

    Raises:
        RecordError: not a finite number.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise RecordError(f"{label}: must be a number")
    try:
        result = Decimal(str(value))
    except ArithmeticError:
        raise RecordError(f"{label}: must be a number") from None
    if not result.is_finite():
        raise RecordError(f"{label}: must be a finite number")
    return result
