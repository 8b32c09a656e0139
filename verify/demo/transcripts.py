"""The sample graduates' appendices (transcripts): subjects or modules, practice, final attestation and thesis with
hours or credits and grades, exported as the appendix CSV the import reads (docs/IMPORT.md "The appendix").

Fictional, reproducible from each graduate's IIN (the same graduate always gets the same grades): a college's
diploma lists modules in hours (seed 000 appendix 37, annex 2: "модуль ... сағатпен"), a university's subjects in
credits and hours; an honours diploma's grades are A and A- only (seed 000, Rules item 5: honours for excellent
grades). Graduates of the анықтама (INCOMPLETE) get no appendix here.

    appendix_rows(graduate) -> tuple[AppendixItem, ...]
    appendix_csv(graduates) -> bytes            the import's appendix file (UTF-8, comma)
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal

from ..appendix import AppendixItem, ItemKind
from ..grades import LETTER_SCALE, Grade
from ..registry.imports.appendix import write_appendix_csv
from .sampledata import SampleGraduate

COLLEGE_MODULES = (
    ("Кәсіби қазақ тілі", "Профессиональный казахский язык", "Professional Kazakh"),
    ("Кәсіби орыс тілі", "Профессиональный русский язык", "Professional Russian"),
    ("Кәсіби шетел тілі", "Профессиональный иностранный язык", "Professional foreign language"),
    ("Ақпараттық технологиялар", "Информационные технологии", "Information technologies"),
    ("Еңбекті қорғау және қауіпсіздік техникасы", "Охрана труда и техника безопасности",
     "Occupational safety"),
    ("Кәсіпорын экономикасы", "Экономика предприятия", "Economics of the enterprise"),
    ("Арнайы технология", "Специальная технология", "Special technology"),
    ("Техникалық сызу", "Техническое черчение", "Technical drawing"),
)
UNIVERSITY_SUBJECTS = (
    ("Қазақстанның қазіргі заман тарихы", "Современная история Казахстана", "Modern history of Kazakhstan"),
    ("Философия", "Философия", "Philosophy"),
    ("Шетел тілі", "Иностранный язык", "Foreign language"),
    ("Ақпараттық-коммуникациялық технологиялар", "Информационно-коммуникационные технологии",
     "Information and communication technologies"),
    ("Математика", "Математика", "Mathematics"),
    ("Зерттеу әдістері", "Методы исследования", "Research methods"),
    ("Мамандыққа кіріспе", "Введение в специальность", "Introduction to the field"),
    ("Кәсіби практикум", "Профессиональный практикум", "Professional workshop"),
)
_UNIVERSITY = frozenset({"BD", "BQ", "MD", "MBA", "DBA", "CMD", "CPR", "PHD", "PD"})


def _grade(rng: random.Random, *, honours: bool) -> Grade:
    band = LETTER_SCALE[rng.randrange(2) if honours else rng.randrange(8)]  # A, A- ... C-: passing bands
    return Grade(letter=band.letter, points=Decimal(band.points) / 100,
                 percent=rng.randint(band.percent_min, band.percent_max), five_point=band.five_point)


def appendix_rows(graduate: SampleGraduate) -> tuple[AppendixItem, ...]:
    """The graduate's appendix rows (empty for an анықтама), reproducible from the IIN."""
    if graduate.doc_type == "INCOMPLETE":
        return ()
    rng = random.Random(graduate.iin)
    university = graduate.doc_type in _UNIVERSITY
    rows: list[AppendixItem] = []
    for index, (kk, ru, en) in enumerate(UNIVERSITY_SUBJECTS if university else COLLEGE_MODULES, start=1):
        kind = ItemKind.SUBJECT if university else ItemKind.MODULE
        rows.append(AppendixItem(kind, {"kk": kk, "ru": ru, "en": en}, _grade(rng, honours=graduate.honours),
                                 hours=150 if university else rng.choice((72, 96, 120, 144)),
                                 credits=Decimal(5) if university else None,
                                 code=f"{'П' if university else 'КМ'} {index:02d}"))
    rows.append(AppendixItem(ItemKind.PRACTICE, {"kk": "Өндірістік практика", "ru": "Производственная практика",
                                                 "en": "Industrial practice"}, Grade(passed=True),
                             hours=None if university else 360, credits=Decimal(10) if university else None))
    rows.append(AppendixItem(ItemKind.FINAL_ATTESTATION, {"kk": "Қорытынды аттестаттау", "ru": "Итоговая аттестация",
                                                          "en": "Final attestation"},
                             _grade(rng, honours=graduate.honours), credits=Decimal(4) if university else None))
    if university:
        rows.append(AppendixItem(ItemKind.THESIS, {"kk": "Дипломдық жұмыс", "ru": "Дипломная работа",
                                                   "en": "Thesis"}, _grade(rng, honours=graduate.honours),
                                 credits=Decimal(8)))
    return tuple(rows)


def appendix_csv(graduates: Sequence[SampleGraduate]) -> bytes:
    """The appendix file of these graduates (docs/IMPORT.md "The appendix"; `write_appendix_csv`)."""
    return write_appendix_csv({graduate.iin: appendix_rows(graduate) for graduate in graduates})
