"""Document types: reference data shipped with the code.

Each type has a code (carried in the record, docs/FORMAT.md §3 key 2), the series it is
printed with (fixed for higher education and the certificate of incomplete studies, taken
from the blank for TVE), the width of its number, how numbers are given, whether the blank
carries a QR code, and its names in Kazakh, Russian and English.

Sources:
    * TVE and post-secondary diplomas and the same with honours ("үздік диплом", item 5;
      "Үздік" / "С отличием" on the insert, item 15), QR 3 x 3 cm (item 19): seed 000,
      Rules items 3-20. The Kazakh names are those of items 4 and 5.
    * The certificate given to those who did not finish their studies ("Білім алуды
      аяқтамаған тұлғаларға берілетін анықтама"): seed 000, appendix 37 (its registration
      number, "Тіркеу нөмірі", and issue date, "Берілген күні"; the grade tables of its
      annexes 1 and 2; the reason studies ended, "шығарылған себебі").
    * Higher-education own-format series BD, BQ, MD, MBA, DBA, CMD, CPR, PhD, PD, numbered
      sequentially by the ministry's service: seed 001, item 7, whose Kazakh names are
      written here as the item writes them (CMD is "магистр дипломына куәлік", CPR a
      "сертификат"); item 7 row 9 writes "жоғары оқу орынан кейінгі", a misprint of the
      "жоғары оқу орнынан кейінгі" of rows 3-5 and 8, which we print corrected.
    * The Russian and English names are our translations: the seeds are the Kazakh texts.

Number width: seven digits is the blank rule of seed 000, Rules item 17 ("жеті саннан
тұратын нөмірі", TVE and post-secondary blanks). Seed 001, item 7 sets no width for the
higher-education series: we keep seven digits for them too, our choice, not a seed's.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class NumberingMode(enum.StrEnum):
    """How a document type gets its numbers."""

    SERVICE = "service"  # a counter per series in the registry (seed 001, item 7; the анықтама's register)
    BLANK = "blank"  # pre-printed blanks received by the college (seed 000, items 7, 17)


#: Width of every document number (digits): the blank rule of seed 000, Rules item 17, kept for the
#: service-numbered series, for which seed 001 item 7 sets no width (our choice).
NUMBER_WIDTH = 7


@dataclass(frozen=True, slots=True)
class DocumentType:
    """One document type.

    Attributes:
        cbor_id: the small integer that stands for the type in the payload (docs/FORMAT.md §3
            key 2); fixed for ever once published.
        code: the document-type code, 2-16 characters [A-Z0-9_].
        series: the fixed printed series, or None where the blank carries it (TVE).
        number_width: digits in a number (`NUMBER_WIDTH`).
        numbering: `NumberingMode`.
        qr_required: whether the blank carries the 30 mm QR code (seed 000 item 19: TVE and post-secondary
            diplomas; seed 001 item 7: the higher-education documents; the анықтама of appendix 37 has none,
            though the registry still signs its record).
        level: "tve", "higher" or "any" (the certificate of incomplete studies: any organisation gives it).
        honours: True for a diploma with honours ("үздік диплом", seed 000 item 5): its record carries honours.
        names: {"kk": ..., "ru": ..., "en": ...}.
        number_label: {"kk", "ru", "en"}: what the document calls its number ("Тіркеу нөмірі" on the анықтама), or
            None for "series and number".
    """

    cbor_id: int
    code: str
    series: str | None
    number_width: int
    numbering: NumberingMode
    qr_required: bool
    level: str
    names: dict[str, str]
    honours: bool = False
    number_label: dict[str, str] | None = None


def _he(cbor_id: int, code: str, series: str, kk: str, ru: str, en: str) -> DocumentType:
    return DocumentType(cbor_id, code, series, NUMBER_WIDTH, NumberingMode.SERVICE, True, "higher",
                        {"kk": kk, "ru": ru, "en": en})


def _tve(cbor_id: int, code: str, kk: str, ru: str, en: str, *, honours: bool = False) -> DocumentType:
    return DocumentType(cbor_id, code, None, NUMBER_WIDTH, NumberingMode.BLANK, True, "tve",
                        {"kk": kk, "ru": ru, "en": en}, honours=honours)


#: The fixed series of the анықтама (seed 000, appendix 37). The form has a registration number and no series;
#: the record needs one (docs/FORMAT.md §3 key 3), so "REG" (registration) stands for it: our choice, not seed text.
INCOMPLETE_SERIES = "REG"

DOCUMENT_TYPES: tuple[DocumentType, ...] = (
    # seed 000, Rules item 4 (the diplomas) and item 5 (with honours)
    _tve(
        1,
        "TVE",
        "Техникалық және кәсіптік білім туралы диплом",
        "Диплом о техническом и профессиональном образовании",
        "Diploma of technical and vocational education",
    ),
    _tve(
        2,
        "TVE_HONOURS",
        "Техникалық және кәсіптік білім туралы үздік диплом",
        "Диплом с отличием о техническом и профессиональном образовании",
        "Diploma with honours of technical and vocational education",
        honours=True,
    ),
    _tve(
        3,
        "POST_SECONDARY",
        "Орта білімнен кейінгі білім туралы диплом",
        "Диплом о послесреднем образовании",
        "Diploma of post-secondary education",
    ),
    _tve(
        4,
        "POST_SEC_HONOURS",
        "Орта білімнен кейінгі білім туралы үздік диплом",
        "Диплом с отличием о послесреднем образовании",
        "Diploma with honours of post-secondary education",
        honours=True,
    ),
    # seed 000, appendix 37: numbered by the registry's register, series INCOMPLETE_SERIES
    DocumentType(
        5,
        "INCOMPLETE",
        INCOMPLETE_SERIES,
        NUMBER_WIDTH,
        NumberingMode.SERVICE,
        False,
        "any",
        {
            "kk": "Білім алуды аяқтамаған тұлғаларға берілетін анықтама",
            "ru": "Справка, выдаваемая лицам, не завершившим обучение",
            "en": "Certificate for persons who did not complete their studies",
        },
        number_label={"kk": "Тіркеу нөмірі", "ru": "Регистрационный номер", "en": "Registration No."},
    ),
    # seed 001, item 7, rows 1-9
    _he(
        10,
        "BD",
        "BD",
        "Бакалавр дәрежесі берілетін жоғары білім туралы диплом",
        "Диплом о высшем образовании с присуждением степени бакалавра",
        "Higher education diploma with the degree of Bachelor",
    ),
    _he(
        11,
        "BQ",
        "BQ",
        "Біліктілік берілетін жоғары білім туралы диплом",
        "Диплом о высшем образовании с присвоением квалификации",
        "Higher education diploma with a qualification",
    ),
    _he(
        12,
        "MD",
        "MD",
        "Магистр дәрежесі берілетін жоғары оқу орнынан кейінгі білім туралы диплом",
        "Диплом о послевузовском образовании с присуждением степени магистра",
        "Postgraduate education diploma with the degree of Master",
    ),
    _he(
        13,
        "MBA",
        "MBA",
        "Іскерлік әкімшілік жүргізу магистрі дәрежесі берілетін жоғары оқу орнынан кейінгі білім туралы диплом",
        "Диплом о послевузовском образовании с присуждением степени магистра делового администрирования",
        "Postgraduate education diploma with the degree of Master of Business Administration",
    ),
    _he(
        14,
        "DBA",
        "DBA",
        "Іскерлік әкімшілік жүргізу докторы дәрежесі берілетін жоғары оқу орнынан кейінгі білім туралы диплом",
        "Диплом о послевузовском образовании с присуждением степени доктора делового администрирования",
        "Postgraduate education diploma with the degree of Doctor of Business Administration",
    ),
    _he(
        15,
        "CMD",
        "CMD",
        "Магистр дипломына куәлік",
        "Свидетельство к диплому магистра",
        "Attestation to a master's diploma",
    ),
    _he(
        16,
        "CPR",
        "CPR",
        "Педагогикалық қайта даярлау туралы сертификат",
        "Сертификат о педагогической переподготовке",
        "Certificate of pedagogical retraining",
    ),
    _he(
        17,
        "PHD",
        "PhD",
        "Философия докторы (PhD) дәрежесі берілетін жоғары оқу орнынан кейінгі білім туралы диплом",
        "Диплом о послевузовском образовании с присуждением степени доктора философии (PhD)",
        "Postgraduate education diploma with the degree of Doctor of Philosophy (PhD)",
    ),
    _he(
        18,
        "PD",
        "PD",
        "Бейіні бойынша доктор дәрежесі берілетін жоғары оқу орнынан кейінгі білім туралы диплом",
        "Диплом о послевузовском образовании с присуждением степени доктора по профилю",
        "Postgraduate education diploma with the degree of Doctor by profile",
    ),
)

_BY_CODE = {t.code: t for t in DOCUMENT_TYPES}
_BY_ID = {t.cbor_id: t for t in DOCUMENT_TYPES}


def get_document_type(code: str) -> DocumentType | None:
    """The document type with this code, or None."""
    return _BY_CODE.get(code)


def get_document_type_by_id(cbor_id: int) -> DocumentType | None:
    """The document type with this payload id (docs/FORMAT.md §3 key 2), or None."""
    return _BY_ID.get(cbor_id)


def document_type_for_series(series: str) -> DocumentType | None:
    """The type printed with this fixed series (higher education, the анықтама's "REG"), or None (a TVE blank's)."""
    for doc_type in DOCUMENT_TYPES:
        if doc_type.series == series:
            return doc_type
    return None


#: Blank series of TVE diplomas used by the development key store and the sample data.
#: Real blank series are set by the ministry per print run; a production signer lists them.
DEVELOPMENT_TVE_SERIES: tuple[str, ...] = ("ТКБ", "TKB")


def all_fixed_series() -> tuple[str, ...]:
    """Every fixed series: the higher-education ones (seed 001, item 7) and the анықтама's (`INCOMPLETE_SERIES`)."""
    return tuple(t.series for t in DOCUMENT_TYPES if t.series is not None)
