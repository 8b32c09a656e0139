"""A typical appendix for the tests and vectors: a bachelor's transcript of 42 rows (TEST data, no real person)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from verify.appendix import Appendix, AppendixItem, DiplomaRef, ItemKind, Totals
from verify.grades import LETTER_SCALE, Grade
from verify.issue import SignedRecord
from verify.registry.imports.appendix import COLUMNS, write_appendix_csv

SUBJECTS = (
    ("Қазақстанның қазіргі заман тарихы", "Современная история Казахстана", "Modern history of Kazakhstan"),
    ("Философия", "Философия", "Philosophy"),
    ("Шетел тілі", "Иностранный язык", "Foreign language"),
    ("Қазақ (орыс) тілі", "Казахский (русский) язык", "Kazakh (Russian) language"),
    ("Ақпараттық-коммуникациялық технологиялар", "Информационно-коммуникационные технологии",
     "Information and communication technologies"),
    ("Дене шынықтыру", "Физическая культура", "Physical education"),
    ("Математикалық талдау", "Математический анализ", "Mathematical analysis"),
    ("Сызықтық алгебра", "Линейная алгебра", "Linear algebra"),
    ("Дискретті математика", "Дискретная математика", "Discrete mathematics"),
    ("Алгоритмдер және деректер құрылымы", "Алгоритмы и структуры данных", "Algorithms and data structures"),
    ("Дерекқорлар", "Базы данных", "Databases"),
    ("Операциялық жүйелер", "Операционные системы", "Operating systems"),
    ("Компьютерлік желілер", "Компьютерные сети", "Computer networks"),
    ("Ақпараттық қауіпсіздік", "Информационная безопасность", "Information security"),
)


def _grade(i: int) -> Grade:
    band = LETTER_SCALE[i % 8]  # A .. C-: passing letters, each with its points, a percent of its band, five-point
    return Grade(letter=band.letter, points=Decimal(band.points) / 100, percent=band.percent_max,
                 five_point=band.five_point)


def typical_items() -> tuple[AppendixItem, ...]:
    """38 subjects and modules (kk, ru, en names; 5 credits, 150 hours), 2 practices, final attestation, thesis."""
    items: list[AppendixItem] = []
    for i in range(38):
        kk, ru, en = SUBJECTS[i % len(SUBJECTS)]
        suffix = f" {i // len(SUBJECTS) + 1}" if i >= len(SUBJECTS) else ""
        kind = ItemKind.MODULE if i % 5 == 4 else ItemKind.SUBJECT
        items.append(AppendixItem(kind, {"kk": kk + suffix, "ru": ru + suffix, "en": en + suffix}, _grade(i),
                                  hours=150, credits=Decimal(5), code=f"ИС {i + 1:02d}"))
    items.append(AppendixItem(ItemKind.PRACTICE, {"kk": "Оқу практикасы", "ru": "Учебная практика",
                                                  "en": "Educational practice"}, Grade(passed=True),
                              credits=Decimal(2)))
    items.append(AppendixItem(ItemKind.PRACTICE, {"kk": "Өндірістік практика", "ru": "Производственная практика",
                                                  "en": "Industrial practice"}, Grade(letter="A", points=Decimal(4)),
                              credits=Decimal(10)))
    items.append(AppendixItem(ItemKind.FINAL_ATTESTATION, {"kk": "Мамандық бойынша кешенді емтихан",
                                                           "ru": "Комплексный экзамен по специальности",
                                                           "en": "Comprehensive examination"},
                              Grade(letter="B+", percent=87), credits=Decimal(4)))
    items.append(AppendixItem(ItemKind.THESIS, {"kk": "QR кодтарындағы қолтаңбалы білім туралы құжаттар",
                                                "en": "Signed education documents in QR codes"},
                              Grade(letter="A-", percent=93, five_point=5), credits=Decimal(8)))
    return tuple(items)


def typical_appendix(signed: SignedRecord, **changes: object) -> Appendix:
    """The typical appendix of a signed diploma, totals declared as the rows give them."""
    items = typical_items()
    probe = Appendix(DiplomaRef.of(signed), signed.record.institution_bin, items)
    computed = probe.totals_computed()
    fields: dict[str, object] = {"diploma": DiplomaRef.of(signed), "institution_bin": signed.record.institution_bin,
                                 "items": items, "totals": Totals(computed.hours, computed.credits, computed.gpa)}
    fields.update(changes)
    return Appendix(**fields)  # type: ignore[arg-type]


SIGNED_AT = dt.datetime(2026, 7, 1, 9, 0, tzinfo=dt.UTC)


APPENDIX_COLUMNS = COLUMNS


def appendix_csv(items_by_iin: dict[str, tuple[AppendixItem, ...]], *, delimiter: str = ",") -> bytes:
    """An appendix file (docs/IMPORT.md "Appendix" columns) with these rows per IIN (TEST data)."""
    return write_appendix_csv(items_by_iin, delimiter=delimiter)
