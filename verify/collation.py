"""Kazakh alphabetical order: the sort key of names in lists people read (graduates, by surname).

Python's `sorted` orders by code point, which puts the Kazakh letters Ә Ғ Қ Ң Ө Ұ Ү Һ І (U+04D8...U+0456) after Я.
The Kazakh Cyrillic alphabet (42 letters) has them beside their base letters:

    А Ә Б В Г Ғ Д Е Ё Ж З И Й К Қ Л М Н Ң О Ө П Р С Т У Ұ Ү Ф Х Һ Ц Ч Ш Щ Ъ Ы І Ь Э Ю Я

Source: CLDR's Kazakh collation (`common/collation/kk.xml`: `&А<ә<<<Ә &Г<ғ<<<Ғ &К<қ<<<Қ &Н<ң<<<Ң &О<ө<<<Ө
&У<ұ<<<Ұ<ү<<<Ү &Х<һ<<<Һ &Ы<і<<<І`, on top of the root order of Cyrillic, where Ё follows Е), the order ICU applies for
the locale `kk`. Russian names sort the same way (their letters are a subset, in the same order). Letters case-fold
first (primary strength), then case breaks ties; any other character (Latin letters, digits) sorts after the
Cyrillic letters by code point, and a space or hyphen before any letter (so "Ли" comes before "Лиза").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

KAZAKH_ALPHABET: Final = "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
"""The 42 lowercase letters of the Kazakh Cyrillic alphabet, in alphabetical order (module docstring)."""
_RANK: Final = {letter: rank for rank, letter in enumerate(KAZAKH_ALPHABET, start=2)}
_SEPARATORS: Final = frozenset(" -\u2010\u2011'’")
_OTHER: Final = len(KAZAKH_ALPHABET) + 2


def kazakh_key(text: str) -> tuple[tuple[int, ...], str]:
    """The sort key of one text in Kazakh alphabetical order: (ranks of its case-folded letters, the text itself).

    Example:
        >>> sorted(["Ярослав", "Әлия", "Амир", "Іңкәр", "Ыбырай"], key=kazakh_key)
        ['Амир', 'Әлия', 'Ыбырай', 'Іңкәр', 'Ярослав']
    """
    ranks = []
    for char in text.casefold():
        if char in _SEPARATORS:
            ranks.append(1)
        else:
            rank = _RANK.get(char)
            ranks.append(rank if rank is not None else _OTHER + ord(char))
    return tuple(ranks), text


def kazakh_name_key(surname: str, name: str, patronymic: str | None = None, *tie: int) -> tuple[object, ...]:
    """The sort key of a person in a list: surname, then name, then patronymic, in Kazakh alphabetical order, then
    `tie` (a row id, so that the order is total)."""
    parts: Sequence[str] = (surname, name, patronymic or "")
    return (*(kazakh_key(part) for part in parts), *tie)
