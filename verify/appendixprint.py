"""The appendix (transcript) printed with its diploma: an A4 PDF of its table in Kazakh and Russian.

Seed 000, Rules items 10-16: the appendix is printed like the blank, filled by a printing device, in Kazakh on the
left and Russian on the right (item 14); its table gives each subject, module, practice, the final attestation and
the thesis with its volume (hours or credits) and the grade in its four forms (seed 000 appendix 37, annex 2:
letter, points, percent, traditional). The forms say the appendix is not valid without its diploma ("... №
дипломсыз жарамсыз / без диплома № ... недействительно", appendices 4, 6, 10): the page says so, with the diploma's
series and number. A corrected appendix prints its revision, a duplicate of the appendix alone its stamp (seed 000,
Rules item 25 wording, "телнұсқа").

    render_appendix_pdf(appendix, holder=, institution=) -> bytes     one or more A4 pages (landscape)
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from fpdf import FPDF
from fpdf.fonts import FontFace

from .appendix import Appendix, AppendixItem, ItemKind
from .qrpdf import find_caption_font

_FAMILY = "DejaVu"
_MARGIN_MM = 12.0
_KINDS: Mapping[ItemKind, tuple[str, str]] = {
    ItemKind.SUBJECT: ("пән", "дисциплина"),
    ItemKind.MODULE: ("модуль", "модуль"),
    ItemKind.PRACTICE: ("практика", "практика"),
    ItemKind.FINAL_ATTESTATION: ("қорытынды аттестаттау", "итоговая аттестация"),
    ItemKind.THESIS: ("дипломдық жұмыс", "дипломная работа"),
}


def _name(item: AppendixItem) -> str:
    kk, ru = item.names.get("kk"), item.names.get("ru")
    if kk and ru and kk != ru:
        return f"{kk} / {ru}"
    return kk or ru or next(iter(item.names.values()))


def render_appendix_pdf(appendix: Appendix, *, holder: str, institution: Mapping[str, str],
                        font_path: Path | None = None) -> bytes:
    """The appendix as PDF bytes (A4 landscape; as many pages as its rows need, the header repeated).

    Args:
        appendix: the signed appendix's `Appendix` (as stored; its diploma reference is printed).
        holder: the holder's full name as printed on the diploma.
        institution: the institution's names by language ("kk", "ru").
        font_path: a TTF with Kazakh Cyrillic (default: DejaVu Sans, `qrpdf.find_caption_font`).

    Raises:
        FileNotFoundError: no DejaVu Sans font installed and none given.
    """
    pdf = FPDF(orientation="landscape", format="A4", unit="mm")
    pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    pdf.set_auto_page_break(True, margin=_MARGIN_MM)
    pdf.add_font(_FAMILY, fname=str(font_path or find_caption_font()))
    diploma = f"{appendix.diploma.series} № {appendix.diploma.number}"
    pdf.set_title(f"Appendix to diploma {appendix.diploma.series} {appendix.diploma.number}")
    pdf.set_creator("verify")
    pdf.add_page()
    width = pdf.w - 2 * _MARGIN_MM
    pdf.set_font(_FAMILY, size=12)
    pdf.multi_cell(width, 6, f"ДИПЛОМҒА ҚОСЫМША / ПРИЛОЖЕНИЕ К ДИПЛОМУ {diploma}", align="C",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.set_font(_FAMILY, size=9)
    lines = [f"{institution.get('kk', '')} / {institution.get('ru', '')}", holder,
             f"{diploma} дипломсыз жарамсыз / без диплома {diploma} недействительно"]
    if appendix.revision > 1:
        lines.append(f"түзетілген, {appendix.revision}-редакция / исправлено, редакция {appendix.revision}")
    if appendix.duplicate_no is not None:
        lines.append(f"№ {appendix.duplicate_no} телнұсқа / дубликат № {appendix.duplicate_no}")
    pdf.multi_cell(width, 5, "\n".join(lines), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font(_FAMILY, size=8)
    with pdf.table(col_widths=(8, 20, 104, 32, 14, 16, 79), text_align=("RIGHT", "LEFT", "LEFT", "LEFT", "RIGHT",
                                                                         "RIGHT", "LEFT"),
                   repeat_headings=1, line_height=4.5, headings_style=FontFace(emphasis="")) as table:
        table.row(("№", "Код", "Атауы / Наименование", "Түрі / Вид", "Сағат / Часы", "Кредит", "Баға / Оценка"))
        for index, item in enumerate(appendix.items, 1):
            kk, ru = _KINDS[item.kind]
            table.row((str(index), item.code or "", _name(item), f"{kk} / {ru}",
                       "" if item.hours is None else str(item.hours),
                       "" if item.credits is None else f"{item.credits:g}", item.grade.describe(("kk", "ru"))))
    totals = appendix.totals_computed()
    summary = []
    if totals.hours is not None:
        summary.append(f"Барлығы сағат / Всего часов: {totals.hours}")
    if totals.credits is not None:
        summary.append(f"Барлығы кредит / Всего кредитов: {totals.credits:g}")
    if totals.gpa is not None:
        summary.append(f"GPA: {totals.gpa:.2f}")
    average = appendix.five_point_average()
    if average is not None:
        summary.append(f"Орташа балл / Средний балл: {average:.2f}")
    pdf.ln(3)
    pdf.set_font(_FAMILY, size=9)
    pdf.multi_cell(width, 5, "   ".join(summary), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


__all__ = ["render_appendix_pdf"]
