"""The decision letter (web/officer/cases_letter.py): for any decided case, in Kazakh and Russian, a PDF that names
the institution, the application number, the document and the decision with every refusal ground; never a letter for
an undecided case or in another language."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from web.officer.cases_letter import letter_filename, render_letter
from web.officer.cases_schemas import REFUSAL_REASONS, ApplicationModel, DocumentRefModel
from web.ui.i18n import Translator

NAMES = {"kk": "Әл-Фараби атындағы Қазақ ұлттық университеті", "ru": "Казахский национальный университет"}
TEXT = st.text(alphabet="абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһі АБВГӘҒҚҢӨҰҮҺІ .,:;-()0123456789abcxyz",
               min_size=1, max_size=600).filter(str.strip)


def _case(**fields: object) -> ApplicationModel:
    values: dict[str, object] = {
        "number": "040140001236-2026-000017", "kind": "duplicate", "term": "duplicate", "state": "granted",
        "document": DocumentRefModel(series="ЖБ", number="0000042"), "scope": "document", "reason": "lost",
        "changes": None, "explanation": None, "received_on": dt.date(2026, 12, 1), "channel": "in_person",
        "presented": ["application"], "due_on": dt.date(2026, 12, 23), "due": None, "working_days_left": None,
        "prepared_by": "uni.registrar", "proposal": "grant", "refusal_reasons": [], "refusal_text": None,
        "notice_on": None, "hearing_until": None, "approved_by": "uni.head",
        "decided_at": dt.datetime(2026, 12, 9, 21, 0, tzinfo=dt.UTC),  # 10 December in Kazakhstan
        "result_document": DocumentRefModel(series="ЖБ", number="0000043"), "result_revision": None,
        "timeline": []}
    values.update(fields)
    return ApplicationModel.model_validate(values)


def _text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)


@settings(max_examples=20, deadline=None)
@given(lang=st.sampled_from(["kk", "ru"]), reasons=st.lists(st.sampled_from(REFUSAL_REASONS), min_size=1,
                                                              max_size=3, unique=True), refusal=TEXT)
def test_a_refusal_letter_names_the_case_and_every_ground(lang: str, reasons: list[str], refusal: str) -> None:
    case = _case(state="refused", proposal="refuse", refusal_reasons=reasons, refusal_text=refusal,
                 result_document=None, kind="correction", term="correction-he", reason=None)
    printed = _text(render_letter(case, institution=NAMES, bin_="040140001236", head="Head Officer", lang=lang))
    t = Translator(lang)
    assert case.number in printed and "040140001236" in printed and "ЖБ 0000042" in printed
    assert all(" ".join(t(f"case_refusal_{code}").split()) in printed for code in reasons)
    assert t.date(dt.date(2026, 12, 10)) in printed  # the day of the decision in Kazakhstan


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_a_grant_letter_names_what_was_done(lang: str) -> None:
    printed = _text(render_letter(_case(), institution=NAMES, bin_="040140001236", head="Head Officer", lang=lang))
    assert "ЖБ 0000043" in printed and NAMES[lang] in printed and "Head Officer" in printed
    corrected = _case(kind="correction", term="correction-he", reason=None, result_document=None, result_revision=2)
    assert Translator(lang)("letter_granted_correction", revision=2) in _text(render_letter(
        corrected, institution=NAMES, bin_="040140001236", head="Head Officer", lang=lang))
    assert letter_filename("040140001236-2026-000017", lang) == f"decision-040140001236-2026-000017-{lang}.pdf"


def test_no_letter_before_the_decision_nor_in_another_language() -> None:
    with pytest.raises(ValueError, match="decided case"):
        render_letter(_case(state="awaiting_approval"), institution=NAMES, bin_="040140001236", head="H", lang="kk")
    with pytest.raises(ValueError, match="decided case"):
        render_letter(_case(), institution=NAMES, bin_="040140001236", head="H", lang="en")
