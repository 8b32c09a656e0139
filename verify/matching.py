"""What a person types, folded for matching: surnames, series, document numbers (never for display).

An employer types the series, number and surname from the paper, on whatever keyboard is at hand: a Russian
layout without the Kazakh letters ("Бекмухамбетов" for "Бекмұхамбетов"), a Latin one for a Cyrillic series ("TKB"
for "ТКБ"), the number with the spaces it is printed with ("0100 001") or without its leading zeros. Every surface
that takes these (the lookup page, `POST /api/v1/lookup`, the registry's services behind the officers' API, the
console and the command line) goes through this one module, so the rule is the same everywhere. What is stored and
shown is never folded: a fold is only ever compared with another fold.

* `fold(text)`: a surname (or any name) as a matching key: NFC, case-folded, the Kazakh letters folded to their
  Russian look-alikes (ә->а, ғ->г, қ->к, ң->н, ө->о, ұ->у, ү->у, һ->х, і->и), ё->е, the Latin letters that look like
  Cyrillic ones (a, b, c, e, h, i, k, m, o, p, t, x, y) to those, hyphens and dashes to "-", runs of spaces to one.
* `series_key(text)`: a series as a matching key: `fold`, then the letters a reader writes for the same sound on the
  other keyboard (Б and B, D and Д, ...) to one letter. Compared only against the series the registry knows
  (`match_series`), never used to invent one.
* `parse_number(text)`: the document number rule: ASCII digits, optionally grouped by spaces (any Unicode space) or
  hyphens, at most seven, padded with leading zeros to seven (seed 000, Rules item 17: "series and a seven-digit
  number").

Sources: seed 000, Rules item 17 (seven digits); the letters of the Kazakh Cyrillic alphabet (42 letters: the 33 of
Russian and Ә Ғ Қ Ң Ө Ұ Ү Һ І); Unicode's confusables for Latin and Cyrillic (UTS #39, confusables.txt: the pairs
used here are its Latin-Cyrillic single-letter entries for lower case after case folding).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Final

from .errors import RecordError
from .texts import text

KAZAKH_TO_RUSSIAN: Final = {"ә": "а", "ғ": "г", "қ": "к", "ң": "н", "ө": "о", "ұ": "у", "ү": "у", "һ": "х", "і": "и",
                            "ё": "е"}
"""The nine Kazakh letters (lower case) to the Russian letter a Russian keyboard gives for them; and ё to е."""
LATIN_TO_CYRILLIC: Final = {"a": "а", "b": "в", "c": "с", "e": "е", "h": "н", "i": "и", "k": "к", "m": "м", "o": "о",
                            "p": "р", "t": "т", "x": "х", "y": "у"}
"""Latin letters (after case folding) that look like a Cyrillic letter in upper or lower case, to that letter (i: the
Kazakh і, folded on to и)."""
SERIES_SOUNDS: Final = {"б": "в", "d": "д", "g": "г", "l": "л", "f": "ф", "r": "р", "s": "с", "u": "у", "v": "в",
                        "z": "з", "n": "н", "q": "к"}
"""For series only: the letter typed for the same sound on the other keyboard ("TKB" for "ТКБ", "БД" for "BD")."""
_FOLD: Final = str.maketrans({**KAZAKH_TO_RUSSIAN, **LATIN_TO_CYRILLIC,
                              "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
                              "\u2212": "-"})
_SERIES: Final = str.maketrans(SERIES_SOUNDS)
NUMBER_DIGITS: Final = 7
"""A document number has seven digits (the blank rule of seed 000, Rules item 17; kept for the higher-education
series, for which seed 001 item 7 sets no width: `verify.doctypes.NUMBER_WIDTH`)."""
_GROUPED_NUMBER: Final = re.compile(r"[0-9]+(?:(?:\s+|\s*-\s*)[0-9]+)*")


def fold(text: str) -> str:
    """A name as a matching key (module docstring); never shown.

    Args:
        text: what was typed or stored (any Unicode).

    Returns:
        The key: NFC, case-folded, Kazakh and Latin look-alikes folded to Russian Cyrillic, one space between words.

    Example:
        >>> fold("Бекмұхамбетов") == fold("БЕКМУХАМБЕТОВ") == fold("Бeкмухамбeтов")  # the last with Latin e
        True
    """
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", text).casefold())
    return unicodedata.normalize("NFC", " ".join(folded.translate(_FOLD).split()))


def series_key(text: str) -> str:
    """A series as a matching key: `fold`, the same-sound letters of the other keyboard made one, no spaces.

    Example:
        >>> series_key("TKB") == series_key("ткб") == series_key("ТКБ")
        True
    """
    return "".join(fold(text).translate(_SERIES).split())


def match_series(typed: str, known: Iterable[str]) -> list[str]:
    """The series of `known` that `typed` may mean: the ones written exactly so first, then those of the same key.

    Args:
        typed: a series as a person typed it.
        known: the series the registry holds (or the reference data's).

    Returns:
        Matching series in order (exact, then same key; each once); [] when none matches.
    """
    stripped = typed.strip()
    key = series_key(stripped)
    exact, alike = [], []
    for series in dict.fromkeys(known):
        if series == stripped:
            exact.append(series)
        elif key and series_key(series) == key:
            alike.append(series)
    return exact + alike


def parse_number(typed: str) -> str:
    """A document number as typed: ASCII digits, maybe grouped by spaces or hyphens, padded to seven digits.

    Args:
        typed: e.g. "0100001", "0100 001", "100001", "0 100 001", "42".

    Returns:
        Seven ASCII digits ("0100001", "0000042").

    Raises:
        RecordError: no digits, a character other than digits and group separators, or more than seven digits
            (seed 000, Rules item 17).

    Example:
        >>> parse_number("0100 001"), parse_number("42")
        ('0100001', '0000042')
    """
    stripped = typed.strip() if isinstance(typed, str) else ""
    digits = "".join(c for c in stripped if "0" <= c <= "9")
    if not _GROUPED_NUMBER.fullmatch(stripped) or len(digits) > NUMBER_DIGITS:
        raise RecordError(text("v_number_typed", field="number"))
    return digits.zfill(NUMBER_DIGITS)


__all__ = ["KAZAKH_TO_RUSSIAN", "LATIN_TO_CYRILLIC", "NUMBER_DIGITS", "SERIES_SOUNDS", "fold", "match_series",
           "parse_number", "series_key"]
