"""Document types: reference data shipped with the code.

Each type has a code (carried in the record, docs/FORMAT.md §3 key 2), the series it is
printed with (fixed for higher education, taken from the blank for TVE), the width of its
number (7 digits, seed 000 Rules item 17), how numbers are given, whether it carries a QR
code, and its names in Kazakh, Russian and English.

Sources:
    * TVE and post-secondary diplomas, with honours ("Үздік" / "С отличием"), QR 3 x 3 cm:
      seed 000, Rules items 3-20 (item 19 for the QR code).
    * Higher-education own-format series BD, BQ, MD, MBA, DBA, CMD, CPR, PhD, PD, numbered
      sequentially by the ministry's service: seed 001, item 7.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class NumberingMode(enum.StrEnum):
    """How a document type gets its numbers."""

    SERVICE = "service"  # a counter per series in the registry (seed 001, item 7)
    BLANK = "blank"  # pre-printed blanks received by the college (seed 000, items 7, 17)


@dataclass(frozen=True, slots=True)
class DocumentType:
    """One document type.

    Attributes:
        cbor_id: the small integer that stands for the type in the payload (docs/FORMAT.md §3
            key 2); fixed for ever once published.
        code: the document-type code, 2-16 characters [A-Z0-9_].
        series: the fixed printed series, or None where the blank carries it (TVE).
        number_width: digits in a number (7).
        numbering: `NumberingMode`.
        qr_required: whether the blank carries the 30 mm QR code.
        level: "tve" or "higher".
        names: {"kk": ..., "ru": ..., "en": ...}.
    """

    cbor_id: int
    code: str
    series: str | None
    number_width: int
    numbering: NumberingMode
    qr_required: bool
    level: str
    names: dict[str, str]


def _he(cbor_id: int, code: str, series: str, kk: str, ru: str, en: str) -> DocumentType:
    return DocumentType(cbor_id, code, series, 7, NumberingMode.SERVICE, True, "higher", {"kk": kk, "ru": ru, "en": en})


def _tve(cbor_id: int, code: str, kk: str, ru: str, en: str) -> DocumentType:
    return DocumentType(cbor_id, code, None, 7, NumberingMode.BLANK, True, "tve", {"kk": kk, "ru": ru, "en": en})


DOCUMENT_TYPES: tuple[DocumentType, ...] = (
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
    ),
    _tve(
        3,
        "POST_SECONDARY",
        "Орта білімнен кейінгі білім туралы диплом",
        "Диплом о послесреднем образовании",
        "Diploma of post-secondary education",
    ),
    _he(10, "BD", "BD", "Бакалавр дипломы", "Диплом бакалавра", "Bachelor's diploma"),
    _he(
        11,
        "BQ",
        "BQ",
        "Біліктілік берілген жоғары білім туралы диплом",
        "Диплом о высшем образовании с присвоением квалификации",
        "Higher education diploma with a qualification",
    ),
    _he(12, "MD", "MD", "Магистр дипломы", "Диплом магистра", "Master's diploma"),
    _he(
        13,
        "MBA",
        "MBA",
        "Іскерлік әкімшілендіру магистрі (MBA) дипломы",
        "Диплом магистра делового администрирования (MBA)",
        "Master of Business Administration (MBA) diploma",
    ),
    _he(
        14,
        "DBA",
        "DBA",
        "Іскерлік әкімшілендіру докторы (DBA) дипломы",
        "Диплом доктора делового администрирования (DBA)",
        "Doctor of Business Administration (DBA) diploma",
    ),
    _he(
        15,
        "CMD",
        "CMD",
        "Магистр дипломына сертификат",
        "Сертификат к диплому магистра",
        "Certificate to a master's diploma",
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
        "Философия докторы (PhD) дипломы",
        "Диплом доктора философии (PhD)",
        "Doctor of Philosophy (PhD) diploma",
    ),
    _he(18, "PD", "PD", "Бейіні бойынша доктор дипломы", "Диплом доктора по профилю", "Doctor by profile diploma"),
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
    """The higher-education type printed with this fixed series, or None (TVE blank series)."""
    for doc_type in DOCUMENT_TYPES:
        if doc_type.series == series:
            return doc_type
    return None


#: Blank series of TVE diplomas used by the development key store and the sample data.
#: Real blank series are set by the ministry per print run; a production signer lists them.
DEVELOPMENT_TVE_SERIES: tuple[str, ...] = ("ТКБ", "TKB")


def all_fixed_series() -> tuple[str, ...]:
    """Every higher-education series printed with a fixed series (seed 001, item 7)."""
    return tuple(t.series for t in DOCUMENT_TYPES if t.series is not None)
