"""A registry holding a document in every state a verification page shows (TEST ONLY).

`build_cases(world)` issues, through the registry services, at T0 and the days after it:

    valid          BD, an original in force                                   VALID (ORIGINAL_VALID)
    replaced       BD, an original that duplicate No. 1 replaced (lost)       REPLACED
    duplicate      that duplicate No. 1                                       VALID (DUPLICATE_VALID)
    corrected      MD with honours, the QR of revision 1 after a correction    CORRECTED
                   of the surname and the award date
    annulled       BD, annulled by the head with a basis                      ANNULLED
    forged         the valid document's QR text with its last digit changed   BAD_SIGNATURE (step 5)
    not_in_registry a record signed with the registry's key but never stored   NOT_IN_REGISTRY

Each case carries the QR text, the expected verdict and the holder's names; `iins` are the IINs created, for the
no-IIN checks. Used by tests/web/test_pages.py (TestClient) and tests/browser/ (a real server and Chromium).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import text as sql

from support.world import BASE_URL, T0, World, issue_row, row
from verify.codec import split_qr_text
from verify.issue import sign_record
from verify.record import HolderName, Record
from verify.registry.documents import get_revision
from verify.registry.lifecycle import annul_document, correct_document, issue_duplicate

DAY = dt.timedelta(days=1)
INSTITUTION_NAMES = {"kk": "Астана мемлекеттік университеті", "ru": "Астанинский государственный университет",
                     "en": "Astana State University"}
"""Names the pages must show in each language (the registry tests' world names its university alike in all three)."""
ANNUL_BASIS = "Ректордың 2026 жылғы 3 шілдедегі № 17 бұйрығы"
CORRECTION_REASON = "тегі қате жазылған"


@dataclass(frozen=True)
class Case:
    """One document as a verifier meets it.

    Attributes:
        name: the key in `build_cases`' answer.
        verdict: the expected verdict code.
        qr_text: the full QR text (HTTPS://V.EDU.KZ/V/...).
        full_name: the holder's name as printed on this code ("" when the code is not authentic).
        series, number: as printed on this code.
    """

    name: str
    verdict: str
    qr_text: str
    full_name: str = ""
    series: str = ""
    number: str = ""

    @property
    def digits(self) -> str:
        """The digits after the prefix: the path of the link is /V/<digits>."""
        return split_qr_text(self.qr_text)[1]


@dataclass(frozen=True)
class Cases:
    """Every case by name, and the IINs created for them."""

    by_name: dict[str, Case]
    iins: frozenset[str]

    def __getitem__(self, name: str) -> Case:
        return self.by_name[name]


def _last_digit_changed(text: str) -> str:
    return text[:-1] + str((int(text[-1]) + 1) % 10)


def build_cases(world: World) -> Cases:
    """Issue the documents of the module docstring in `world` (a fresh registry: numbers start at 0000001).

    The university gets distinct names in kk, ru and en first (`INSTITUTION_NAMES`; the registry has no renaming
    service, so this TEST ONLY step writes the row).
    """
    with world.engine.begin() as connection:
        connection.execute(sql("UPDATE institutions SET name_kk = :kk, name_ru = :ru, name_en = :en WHERE id = :id"),
                           {**INSTITUTION_NAMES, "id": world.uni.id})
    iins: set[str] = set()

    def issue(n: int, **fields: object) -> tuple[str, str, str, str]:
        graduate = row(n, **fields)  # type: ignore[arg-type]
        iins.add(graduate.iin)
        document, revision = issue_row(world, graduate, at=T0)
        full_name = " ".join(p for p in (graduate.surname, graduate.name, graduate.patronymic) if p)
        return revision.qr_text, full_name, document.series, document.number

    cases: dict[str, Case] = {}
    text, name, series, number = issue(2)
    cases["valid"] = Case("valid", "VALID", text, name, series, number)
    cases["forged"] = Case("forged", "BAD_SIGNATURE", _last_digit_changed(text))

    text, name, series, number = issue(3, surname="Сәрсенбаев", name="Ерлан", patronymic="Қайратұлы")
    cases["replaced"] = Case("replaced", "REPLACED", text, name, series, number)
    with world.session() as session:
        duplicate = issue_duplicate(session=session, officer=world.uni_issuer, series=series, number=number,
                                    reason="lost", signer=world.signer, base_url=BASE_URL, at=T0 + DAY)
        duplicate_text = get_revision(session=session, document=duplicate).qr_text
    cases["duplicate"] = Case("duplicate", "VALID", duplicate_text, name, duplicate.series, duplicate.number)

    text, name, series, number = issue(4, doc_type="MD", programme="7M01101", surname="Жумабекова",
                                       name="Айгерім", patronymic="Болатқызы", honours=True)
    cases["corrected"] = Case("corrected", "CORRECTED", text, name, series, number)
    with world.session() as session:
        correct_document(session=session, officer=world.uni_issuer, series=series, number=number,
                         changes={"surname": "Жұмабекова", "award_date": "2026-06-29"}, reason=CORRECTION_REASON,
                         signer=world.signer, base_url=BASE_URL, at=T0 + 2 * DAY)

    text, name, series, number = issue(5, surname="Омаров", name="Данияр", patronymic=None)
    cases["annulled"] = Case("annulled", "ANNULLED", text, name, series, number)
    with world.session() as session:
        annul_document(session=session, officer=world.uni_head, series=series, number=number, basis=ANNUL_BASIS,
                       at=T0 + 3 * DAY)

    stray = Record(doc_type="BD", series="BD", number="0999999", holder=HolderName("Ахметова", "Дана"),
                   institution_bin=world.uni.bin, award_date=dt.date(2026, 6, 30), programme="6B06101")
    signed = sign_record(stray, signer=world.signer, base_url=BASE_URL, at=T0)
    cases["not_in_registry"] = Case("not_in_registry", "NOT_IN_REGISTRY", signed.qr_text, "Ахметова Дана", "BD",
                                    "0999999")
    return Cases(by_name=cases, iins=frozenset(iins))
