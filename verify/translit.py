"""The Latin transliteration of a holder's name, as printed in a Kazakhstan passport (for display and exports only).

A reader abroad cannot read Kazakh Cyrillic; the English page, the exports (verify.vc, verify.elm) and prints show
the holder's name in Latin letters beside the Cyrillic one. The Latin form is **never used for matching**: one
Cyrillic name has several Latin spellings in the wild (a passport may carry the spelling its holder asked for), so
a lookup by a Latin name would miss people; the registry matches only the Cyrillic name as printed on the diploma.

The table (`LETTERS`):

* **Russian letters** follow ICAO Doc 9303 "Machine Readable Travel Documents", Part 3 "Specifications Common to
  all MRTDs" (8th edition, 2021), Section 6 "Transliteration of multinational Latin-based characters and of
  Cyrillic characters", Table B (Cyrillic): Ж ZH, Х KH, Ц TS, Ч CH, Ш SH, Щ SHCH, Ъ IE, Ы Y, Э E, Ю IU, Я IA,
  Й I, Ё E, Ь omitted; the other letters one for one. The Kazakh І (shared with Ukrainian and Belarusian) is I in
  the same table.
* **Kazakh letters** Ә Ғ Қ Ң Ө Ұ Ү Һ are not in Table B. Kazakhstan's passports write them as the plain Latin
  letter of the same base: Ә A, Ғ G, Қ K, Ң N, Ө O, Ұ U, Ү U, Һ H (so "Қайрат" is KAIRAT, "Әлібек" ALIBEK,
  "Хилл" KHILL as reported of a Kazakhstan passport in 2017). **Uncertain source**: we could not read the order of
  Kazakhstan's Ministry of Internal Affairs that sets the passport table itself; the Kazakh letters follow the
  reduction above, which is what Kazakhstan's passports show, and a name's holder may have asked for another
  spelling (the Ministry answers that the name "may be printed in the transcription the citizen needs, on a written
  application"). README, Limits, says so.
* **Kazakh Latin letters** of the 2021 alphabet, which a record may already hold (docs/FORMAT.md §3.1), follow
  ICAO Doc 9303 Part 3 Table A, taking its plain-letter option where it offers two, to agree with the Cyrillic
  rule: Ä A, Ö O, Ü U (Table A also allows AE, OE, UE), Ğ G, Ñ N, Ş S, Ū U, Ī I, ı I, İ I.

The output is upper case, as in a passport's visual zone, of the ASCII letters A-Z, with the record's spaces,
hyphens and apostrophes kept: `latin_name(HolderName("Әбдірахманова", "Гүлнұр", "Серікқызы")).full_name` is
`"ABDIRAKHMANOVA GULNUR SERIKKYZY"`.
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import RecordError
from .record import HolderName

#: Upper-case letter -> its Latin letters (upper case). Lower-case letters are looked up through `str.upper`.
LETTERS: dict[str, str] = {
    # ICAO Doc 9303 Part 3, Section 6, Table B (Cyrillic): the Russian alphabet
    "А": "A", "Б": "B", "В": "V", "Г": "G", "Д": "D", "Е": "E", "Ё": "E", "Ж": "ZH", "З": "Z", "И": "I",
    "Й": "I", "К": "K", "Л": "L", "М": "M", "Н": "N", "О": "O", "П": "P", "Р": "R", "С": "S", "Т": "T",
    "У": "U", "Ф": "F", "Х": "KH", "Ц": "TS", "Ч": "CH", "Ш": "SH", "Щ": "SHCH", "Ъ": "IE", "Ы": "Y", "Ь": "",
    "Э": "E", "Ю": "IU", "Я": "IA",
    # Table B: І (Ukrainian, Belarusian; the Kazakh І)
    "І": "I",
    # Kazakh letters outside Table B: the base Latin letter, as Kazakhstan's passports print them (see above)
    "Ә": "A", "Ғ": "G", "Қ": "K", "Ң": "N", "Ө": "O", "Ұ": "U", "Ү": "U", "Һ": "H",
    # Kazakh Latin alphabet (2021) through ICAO Doc 9303 Part 3, Section 6, Table A, plain-letter options
    "Ä": "A", "Ğ": "G", "Ñ": "N", "Ö": "O", "Ş": "S", "Ū": "U", "Ü": "U", "Ī": "I", "İ": "I",
}
# Lower-case letters whose upper case is not one of the keys above (dotless ı upper-cases to the ASCII I).
_LOWER_ONLY = {"ı": "I"}
_KEPT = frozenset(" -'")


@dataclass(frozen=True, slots=True)
class LatinName:
    """A holder's name in Latin letters (upper case A-Z, with the record's spaces, hyphens and apostrophes).

    Attributes:
        surname, name: the parts; patronymic: None when the record has none.
    """

    surname: str
    name: str
    patronymic: str | None = None

    @property
    def full_name(self) -> str:
        """Surname, name and patronymic (when non-empty) joined by single spaces."""
        return " ".join(p for p in (self.surname, self.name, self.patronymic) if p)


def transliterate(text: str) -> str:
    """One name part in Latin letters by the table of this module (`LETTERS`).

    Args:
        text: a name part of the record's alphabet (docs/FORMAT.md §3.1): Kazakh and Russian Cyrillic, Kazakh
            Latin, ASCII letters, spaces, hyphens, apostrophes.

    Returns:
        Upper-case ASCII letters with the spaces, hyphens and apostrophes kept (Ь writes nothing).

    Raises:
        RecordError: a character outside the record's alphabet (a name that `HolderName` would refuse).
    """
    out: list[str] = []
    for char in text:
        if char in _KEPT:
            out.append(char)
        elif "A" <= char <= "Z" or "a" <= char <= "z":
            out.append(char.upper())
        elif char in _LOWER_ONLY:
            out.append(_LOWER_ONLY[char])
        elif (latin := LETTERS.get(char.upper())) is not None:
            out.append(latin)
        else:
            raise RecordError(f"name: {char!r} (U+{ord(char):04X}) is not a letter of the record's alphabet")
    return "".join(out)


def latin_name(holder: HolderName) -> LatinName:
    """The holder's name in Latin letters, for the English page, prints and exports; never for matching.

    Args:
        holder: the `HolderName` exactly as printed (validated by the record schema).

    Returns:
        `LatinName`, upper case as in a passport ("ABDIRAKHMANOVA", "GULNUR", "SERIKKYZY").

    Raises:
        RecordError: a character outside the record's alphabet (not possible for a valid `HolderName`).
    """
    return LatinName(
        surname=transliterate(holder.surname),
        name=transliterate(holder.name),
        patronymic=None if holder.patronymic is None else transliterate(holder.patronymic),
    )
