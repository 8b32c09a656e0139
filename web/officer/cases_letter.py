"""The printable decision letter of an application: a grant or a refusal, in Kazakh or Russian, as an A4 PDF (fpdf2,
set in DejaVu Sans, which covers the Kazakh Cyrillic letters: `verify.qrpdf.find_caption_font`).

The letter names the institution (and its BIN), the application number, the date it was received and the date of
the decision, the document it is about, and the decision: what was granted (the duplicate's number, the
correction's revision, the annulment), or the refusal with each of its grounds in words (seed 000 appendix 6 row
9) and the refusal text. It ends with the head who approved it. Only a decided case (granted or refused) has a
letter; the words are the catalogue's (`letter_*`, `case_refusal_*` messages).

Sources: seed 000 items 24 (the head signs) and 58 (a reasoned refusal); seed 000 appendix 6 row 9.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Final

from fpdf import FPDF

from verify.qrpdf import find_caption_font

from ..ui.i18n import KAZAKHSTAN_TIME, Translator
from .cases_schemas import ApplicationModel

LETTER_LANGUAGES: Final = ("kk", "ru")
"""The languages of the letter (the state language and Russian, the two the applicant may choose)."""
_FAMILY: Final = "DejaVuSans"
_MARGIN_MM: Final = 20.0
_BODY_PT: Final = 11.0
_TITLE_PT: Final = 14.0
_LINE_MM: Final = 6.0


def letter_filename(number: str, lang: str) -> str:
    """`decision-<number>-<lang>.pdf` (ASCII: the number is digits and dashes)."""
    return f"decision-{number}-{lang}.pdf"


def _decided_on(application: ApplicationModel) -> dt.date:
    at = application.decided_at
    return at.astimezone(KAZAKHSTAN_TIME).date() if at is not None else application.received_on


def _outcome(t: Translator, application: ApplicationModel) -> list[str]:
    if application.state == "refused":
        lines = [t("letter_refused", kind=t(f"case_kind_{application.kind}"))]
        lines += [f"– {t(f'case_refusal_{code}')}" for code in application.refusal_reasons]
        if application.refusal_text:
            lines.append(application.refusal_text)
        return lines
    if application.kind == "duplicate" and application.result_document is not None:
        return [t("letter_granted_duplicate", document=f"{application.result_document.series} "
                                                      f"{application.result_document.number}")]
    if application.kind == "correction" and application.result_revision is not None:
        return [t("letter_granted_correction", revision=application.result_revision)]
    if application.kind == "annulment":
        return [t("letter_granted_annulment")]
    return [t("letter_granted")]


def render_letter(application: ApplicationModel, *, institution: Mapping[str, str], bin_: str, head: str,
                  lang: str) -> bytes:
    """The decision letter as PDF bytes (one A4 page, more when the refusal text is long).

    Args:
        application: a decided case (state granted or refused).
        institution: the handling institution's names by language ("kk", "ru").
        bin_: its BIN.
        head: the full name of the head who approved the decision.
        lang: "kk" or "ru" (`LETTER_LANGUAGES`).

    Raises:
        ValueError: another language, or a case not decided (programming errors: the routes check both).
        FileNotFoundError: no DejaVu Sans font installed (`find_caption_font`).
    """
    if lang not in LETTER_LANGUAGES or application.state not in ("granted", "refused"):
        raise ValueError("a letter is for a decided case, in kk or ru")
    t = Translator(lang)
    pdf = FPDF(format="A4", unit="mm")
    pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    pdf.set_auto_page_break(True, margin=_MARGIN_MM)
    pdf.add_font(_FAMILY, fname=str(find_caption_font()))
    pdf.set_title(t("letter_title", number=application.number))
    pdf.set_creator("verify")
    pdf.add_page()
    width = pdf.w - 2 * _MARGIN_MM

    def paragraph(value: str, size: float = _BODY_PT, gap: float = 2.0) -> None:
        pdf.set_font(_FAMILY, size=size)
        pdf.multi_cell(width, _LINE_MM, value, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(gap)

    paragraph(f"{institution[lang]}\n{t('bin_value', bin=bin_)}", gap=6)
    paragraph(t("letter_title", number=application.number), size=_TITLE_PT, gap=4)
    paragraph("\n".join((
        t("letter_received", date=t.date(application.received_on)),
        t("letter_decided", date=t.date(_decided_on(application))),
        t("letter_document", document=f"{application.document.series} {application.document.number}"),
        t("letter_kind", kind=t(f"case_kind_{application.kind}")),
    )), gap=4)
    for line in _outcome(t, application):
        paragraph(line)
    pdf.ln(8)
    paragraph(t("letter_signed", head=head))
    return bytes(pdf.output())


__all__ = ["LETTER_LANGUAGES", "letter_filename", "render_letter"]
