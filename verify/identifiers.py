"""Kazakhstan identifiers and codes: IIN, BIN, series, document numbers, programme codes.

Pure functions, no I/O. They raise `verify.errors.RecordError` with a message that names
the field and the reason, so that an import report or an HTTP 422 can show it as is.

Sources:
    * IIN / BIN check digit: the 12th digit is sum(d_i * w_i) mod 11 with weights 1..11;
      if that gives 10, weights 3..11, 1, 2; 10 again means the number is invalid
      (the published algorithm of the national registers of IIN and BIN).
    * IIN layout: YYMMDD, then a century-and-sex digit (1/2: 1800s, 3/4: 1900s, 5/6: 2000s;
      odd male, even female), then four serial digits and the check digit.
    * Series: seed 000, Rules item 17 (blanks); seed 001, item 7 (the higher-education series).
    * Seven-digit numbers: the blank rule of seed 000, Rules item 17; seed 001 item 7 sets no width for the
      higher-education series, which the registry numbers with seven digits too (our choice).
"""

from __future__ import annotations

import datetime as dt
import operator
import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

from .errors import IinInTextError, RecordError
from .texts import text

_W1 = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)
_W2 = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)

#: Higher-education own-format series (seed 001, item 7), exactly as printed.
HIGHER_EDUCATION_SERIES: tuple[str, ...] = ("BD", "BQ", "MD", "MBA", "DBA", "CMD", "CPR", "PhD", "PD")

# Cyrillic letters that look like Latin ones, as typed by mistake into a Latin series.
_CYRILLIC_LOOKALIKES = str.maketrans(
    {
        "А": "A", "В": "B", "С": "C", "Е": "E", "Н": "H", "К": "K", "М": "M", "О": "O",
        "Р": "P", "Т": "T", "Х": "X", "а": "a", "с": "c", "е": "e", "о": "o", "р": "p",
        "х": "x", "һ": "h",
    }
)

# Whole-value patterns: anchored with \A and \Z (never `$`, which also matches before a final newline) and used
# with `fullmatch`, so that "0012345\n" is not a number (tests/core/test_anchored_patterns.py).
SERIES_RE = re.compile(r"\A(?:[A-Za-z]{1,4}|[А-ЯЁӘҒҚҢӨҰҮҺІ]{1,4})\Z")
NUMBER_RE = re.compile(r"\A[0-9]{7}\Z")
TVE_SPECIALTY_RE = re.compile(r"\A[0-9]{8}\Z")  # e.g. 06130100
TVE_QUALIFICATION_RE = re.compile(r"\A[0-9][A-Z][0-9]{8}\Z")  # e.g. 4S06130103
HE_PROGRAMME_RE = re.compile(r"\A[678][BMD][0-9]{5}\Z")  # e.g. 6B06101, 7M01501, 8D05302

# A run of digit groups joined by single separators a person types inside a number: space, no-break space, thin
# space, a dash of any kind, a dot, a slash ("900101 300123", "9001-0130-0123").
_DIGIT_GROUPS_RE = re.compile(r"[0-9]+(?:[ \u00a0\u2009\u202f\-\u2010-\u2015\u2212./][0-9]+)*")
_DIGITS_RE = re.compile(r"[0-9]+")
_HEX_LETTERS = frozenset("abcdefABCDEF")
_UUID_HEAD_RE = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-\Z")


def check_digit(digits: str) -> int | None:
    """Return the IIN/BIN check digit of the first 11 digits, or None where none exists.

    Args:
        digits: at least 11 ASCII digits; only the first 11 are used.

    Returns:
        0..9, or None when both weight rounds give 10 (such a number is never issued).
    """
    codes = digits[:11].encode("ascii")
    if len(codes) != 11 or not codes.isdigit():
        raise ValueError("check_digit: needs 11 ASCII digits")
    # sum((c - 48) * w) = sum(c * w) - 48 * sum(w), and both weight rows sum to 66 (it runs on every verification)
    for weights in (_W1, _W2):
        rest: int = (sum(map(operator.mul, codes, weights)) - 48 * 66) % 11
        if rest != 10:
            return rest
    return None


def _validate_twelve(value: str, *, field: str) -> str:
    if not isinstance(value, str) or len(value) != 12 or not value.isascii() or not value.isdigit():
        raise RecordError(text("v_id_12_digits", field=field))
    expected = check_digit(value)
    if expected is None or expected != int(value[11]):
        raise RecordError(text("v_id_check_digit", field=field, kind=field.upper()))
    return value


def validate_bin(value: str) -> str:
    """Validate a 12-digit BIN (business identification number); return it unchanged.

    Raises:
        RecordError: not 12 digits, or the check digit is wrong.
    """
    return _validate_twelve(value, field="bin")


def validate_iin(value: str) -> str:
    """Validate a 12-digit IIN: digits, check digit, a real birth date; return it unchanged.

    The IIN is personal data (DOMAIN.md, People and identifiers): never log or print it.
    Error messages here never repeat the value.

    Raises:
        RecordError: not 12 digits, impossible date or century digit, wrong check digit.
    """
    _validate_twelve(value, field="iin")
    iin_birth_date(value)
    return value


def iin_birth_date(iin: str) -> dt.date:
    """Birth date encoded in the first seven digits of an IIN.

    Raises:
        RecordError: century digit outside 1..6 or an impossible calendar date.
    """
    century_digit = int(iin[6])
    if century_digit not in range(1, 7):
        raise RecordError(text("v_id_century", field="iin"))
    century = 1800 + 100 * ((century_digit - 1) // 2)
    try:
        return dt.date(century + int(iin[0:2]), int(iin[2:4]), int(iin[4:6]))
    except ValueError:
        raise RecordError(text("v_id_birth_date", field="iin")) from None


def normalize_series(value: str) -> str:
    """Normalise a typed series: trim, and map Cyrillic look-alikes in a Latin series.

    A Cyrillic "С" typed into "CMD" becomes the Latin "C"; a known higher-education series
    is returned in its printed case ("phd" -> "PhD"). A series wholly in Cyrillic letters
    (a TVE blank series) is only upper-cased.

    Raises:
        RecordError: the result is not 1-4 letters of one alphabet.
    """
    typed = value.strip()
    latinised = typed.translate(_CYRILLIC_LOOKALIKES)
    if latinised.isascii():
        for known in HIGHER_EDUCATION_SERIES:
            if latinised.upper() == known.upper():
                return known
        typed = latinised.upper()
    else:
        typed = typed.upper()
    if not SERIES_RE.fullmatch(typed):
        raise RecordError(text("v_id_series", field="series"))
    return typed


@lru_cache(maxsize=4096)
def is_normalized_series(series: str) -> bool:
    """Whether `normalize_series` accepts `series` and leaves it as it is: a series as printed and signed.

    Cached (4,096 entries): there are a few hundred series in all, and every verification asks (issue 16 item 2).
    """
    try:
        return normalize_series(series) == series
    except RecordError:
        return False


@lru_cache(maxsize=4096)
def is_valid_bin(value: str) -> bool:
    """Whether `validate_bin` accepts `value`. Cached (4,096 entries): BINs are the institutions', a few thousand."""
    return _accepts(validate_bin, value)


def _accepts(check: Callable[[str], object], value: str) -> bool:
    """Whether `check` (a validator of this module) returns for `value` rather than raising `RecordError`."""
    try:
        check(value)
    except RecordError:
        return False
    return True


def validate_number(value: str) -> str:
    """A document number: exactly seven ASCII digits, leading zeros kept.

    Seven digits is the blank rule of seed 000, Rules item 17; seed 001 item 7 sets no width for the
    higher-education series, which keep seven digits here (our choice, `verify.doctypes.NUMBER_WIDTH`).

    Raises:
        RecordError: anything else.
    """
    if not isinstance(value, str) or not NUMBER_RE.fullmatch(value):
        raise RecordError(text("v_id_number", field="number"))
    return value


def validate_programme(value: str) -> str:
    """A TVE specialty code (8 digits) or a higher-education programme code (6B/7M/8D + 5 digits).

    Raises:
        RecordError: neither format.
    """
    if not isinstance(value, str) or not (TVE_SPECIALTY_RE.fullmatch(value) or HE_PROGRAMME_RE.fullmatch(value)):
        raise RecordError(text("v_id_programme", field="programme"))
    return value


def validate_qualification(value: str) -> str:
    """A TVE qualification code such as 4S06130103 (digit, letter, eight digits).

    Raises:
        RecordError: another shape.
    """
    if not isinstance(value, str) or not TVE_QUALIFICATION_RE.fullmatch(value):
        raise RecordError(text("v_id_qualification", field="qualification"))
    return value


def iins_in_text(text: str) -> list[str]:
    """Every checksum-valid IIN (`validate_iin`) typed into free text, also when its digits are grouped.

    The text is NFKC-normalised first (full-width digits count). In each run of digit groups joined by single
    separators (spaces, dashes, dots, slashes), a candidate is a group of exactly 12 digits, or consecutive
    groups whose digits add up to exactly 12 ("900101 300123", "90-01-01-30-01-23"). Digits inside a longer
    unbroken run are not an IIN (a 13-digit number is not one), nor a run glued to a Latin letter a-f or the last
    group of a UUID (a hash, a generated key such as a `uuid4()` batch key: as the tests' leak detector,
    `tests/support/leaks.py`), which keeps chance matches rare.

    Args:
        text: any text a person typed.

    Returns:
        The IINs found, as 12 ASCII digits each (personal data: never log or show them), in order.
    """
    found: list[str] = []
    normal = unicodedata.normalize("NFKC", text)
    for run in _DIGIT_GROUPS_RE.finditer(normal):
        start, end = run.span()
        if (start > 0 and normal[start - 1] in _HEX_LETTERS) or (end < len(normal) and normal[end] in _HEX_LETTERS) \
                or _UUID_HEAD_RE.search(normal, max(0, start - 24), start):
            continue  # part of a hexadecimal token (a UUID, a hash): random hex passes the IIN check by chance
        groups = _DIGITS_RE.findall(run.group())
        for start in range(len(groups)):
            digits = ""
            for group in groups[start:]:
                digits += group
                if len(digits) >= 12:
                    break
            if len(digits) == 12 and _is_iin(digits):
                found.append(digits)
    return found


def _is_iin(digits: str) -> bool:
    return _accepts(validate_iin, digits)


def refuse_iin_in_text(value: str, *, field: str) -> str:
    """Refuse free text that holds an IIN (`iins_in_text`); return the text unchanged otherwise.

    The one check of every free-text input that can reach a public answer, a signed record, an audit event or a
    log: correction reasons, annulment bases, write-off and disable reasons, token, partner and institution names,
    study groups, signer labels (DOMAIN.md, People and identifiers: the IIN never leaves the registry).

    Args:
        value: the text as typed.
        field: the input field's name, given back in the error.

    Raises:
        IinInTextError: the text holds a checksum-valid IIN; the message names the field, never the digits.
    """
    if iins_in_text(value):
        raise IinInTextError(f"{field}: holds an IIN (12 digits with a valid check digit); an IIN must not be "
                             "written into free text, which is shown to others — leave it out", field=field)
    return value
