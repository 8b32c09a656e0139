"""Pictures of a diploma's insert sheet with its QR code in place: what the printed document looks like.

The insert sheet of a TVE or post-secondary diploma is 210 x 150 mm (seed 000, Rules items 7, 10, 18); it carries
the blank's series and seven-digit number (item 17), Kazakh on the left page and Russian on the right (item 14), and
the QR code of 3 x 3 cm (item 19). A duplicate carries the stamp "Түпнұсқаның орнына берілген № N телнұсқа" in its
upper right corner (item 25). `render_insert` draws such a sheet for a record, at `dpi` (300 by default: 2480 x
1772 px), with Pillow and the DejaVu Sans font of the print sheets (`verify.qrpdf.find_caption_font`):

* the frame, a pale guilloche background and the fold between the pages at 105 mm;
* on each page: the country, the document's name, series and number, the holder's full name, the institution, the
  specialty or programme, the qualification, the award date, "with honours" when so, and signature lines;
* the QR code with its quiet zone as a square of exactly 30 mm (354 px at 300 dpi) whose top left corner is at
  `QR_POSITION_MM` = (170, 110) mm: the lower right corner of the right page, 10 mm from both edges. Module edges
  are rounded to whole pixels (a module is 5 or 6 px at 300 dpi), so the side is 30 mm to half a pixel;
* for a duplicate, the stamp in the upper right corner, in Kazakh and Russian, in a band above the text.

The printed fields are what a verifier compares with the verification page; the IIN is never printed.

Example:
    >>> image = render_insert(fields, qr_text)          # doctest: +SKIP
    >>> image.size, image.info["dpi"]                    # doctest: +SKIP
    ((2480, 1772), (300, 300))
    >>> Path("insert.png").write_bytes(insert_png(image))  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import io
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ..doctypes import get_document_type
from ..qr import QUIET_ZONE_MODULES, QrSymbol, encode_qr
from ..qrpdf import find_caption_font
from ..record import Record, stamp_text

__all__ = ["INSERT_MM", "QR_POSITION_MM", "QR_SIZE_MM", "InsertFields", "insert_png", "qr_box_px", "render_insert"]

INSERT_MM: Final = (210.0, 150.0)
"""Width and height of the insert sheet in mm (seed 000, Rules item 18)."""

QR_SIZE_MM: Final = 30.0
"""Side of the QR code with its quiet zone in mm (seed 000, Rules item 19)."""

QR_POSITION_MM: Final = (170.0, 110.0)
"""Top left corner of the QR code's 30 mm square on the insert, in mm from the sheet's top left corner."""

_MM_PER_INCH: Final = 25.4
_MAX_QR_VERSION: Final = 12  # the record budget (verify.issue.MAX_QR_VERSION)
_PAPER: Final = (252, 251, 246)
_GUILLOCHE: Final = (214, 226, 238)
_FRAME: Final = (38, 60, 120)
_INK: Final = (22, 24, 38)
_LABEL: Final = (78, 88, 118)
_HONOURS: Final = (168, 24, 32)
_STAMP: Final = (58, 52, 170)
_PAGE_SPLIT_MM: Final = 105.0
_TEXT_TOP_MM: Final = 24.0  # the band above is kept for the duplicate's stamp


@dataclass(frozen=True, slots=True)
class InsertFields:
    """What the insert prints, in Kazakh (left page) and Russian (right page).

    Attributes:
        doc_type: document type code (`verify.doctypes`); its names head each page.
        series, number: as printed ("ТКБ", "0100001").
        full_name: surname, name and patronymic as printed (`verify.record.HolderName.full_name`).
        institution_kk, institution_ru: the institution's names.
        programme: specialty or programme code; programme_kk, programme_ru: its names ("" to print the code only).
        qualification: qualification code or None; qualification_kk, qualification_ru: its names ("" for none).
        honours: with honours ("Үздік" / "С отличием").
        award_date: the commission's decision, printed DD.MM.YYYY.
        duplicate_no: N of duplicate No. N (stamped in the upper right corner, seed 000 item 25), or None.
    """

    doc_type: str
    series: str
    number: str
    full_name: str
    institution_kk: str
    institution_ru: str
    programme: str
    programme_kk: str
    programme_ru: str
    qualification: str | None
    qualification_kk: str
    qualification_ru: str
    honours: bool
    award_date: dt.date
    duplicate_no: int | None = None

    @classmethod
    def from_record(cls, record: Record, *, institution_kk: str, institution_ru: str,
                    programme_names: tuple[str, str] = ("", ""),
                    qualification_names: tuple[str, str] = ("", "")) -> InsertFields:
        """The fields of a signed record, with the names the record holds only as codes.

        Args:
            record: the record (its duplicate number, if any, makes the stamp).
            institution_kk, institution_ru: the institution's names (the record holds its BIN).
            programme_names: (kk, ru) names of the programme code, or empty.
            qualification_names: (kk, ru) names of the qualification code, or empty.
        """
        return cls(doc_type=record.doc_type, series=record.series, number=record.number,
                   full_name=record.holder.full_name, institution_kk=institution_kk, institution_ru=institution_ru,
                   programme=record.programme, programme_kk=programme_names[0], programme_ru=programme_names[1],
                   qualification=record.qualification, qualification_kk=qualification_names[0],
                   qualification_ru=qualification_names[1], honours=record.honours, award_date=record.award_date,
                   duplicate_no=None if record.duplicate is None else record.duplicate.duplicate_no)


# Labels of each page: (Kazakh, Russian).
_LABELS: Final = {
    "country": ("ҚАЗАҚСТАН РЕСПУБЛИКАСЫ", "РЕСПУБЛИКА КАЗАХСТАН"),
    "name": ("Тегі, аты, әкесінің аты", "Фамилия, имя, отчество"),
    "institution": ("Білім беру ұйымы", "Организация образования"),
    "specialty": ("Мамандығы", "Специальность"),
    "programme": ("Білім беру бағдарламасы", "Образовательная программа"),
    "qualification": ("Біліктілігі", "Квалификация"),
    "award": ("Берілген күні", "Дата выдачи"),
    "honours": ("ҮЗДІК", "С ОТЛИЧИЕМ"),
    "head": ("Басшы", "Руководитель"),
    "seal": ("М.О.", "М.П."),
}


def qr_box_px(dpi: int = 300) -> tuple[int, int, int]:
    """(left, top, side) of the QR code's square on an insert drawn at `dpi`, in pixels.

    The side is round(30 mm * dpi / 25.4): 354 px at 300 dpi (29.97 mm), 709 px at 600 dpi.
    """
    scale = dpi / _MM_PER_INCH
    return round(QR_POSITION_MM[0] * scale), round(QR_POSITION_MM[1] * scale), round(QR_SIZE_MM * scale)


def _bold_path(regular: Path) -> Path:
    bold = regular.with_name(regular.name.replace("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"))
    return bold if bold.is_file() else regular


@lru_cache(maxsize=64)
def _font(path: str, size_px: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, size_px)


class _Pen:
    """Draws text in mm coordinates at one resolution."""

    def __init__(self, image: Image.Image, dpi: int, regular: Path) -> None:
        self.draw = ImageDraw.Draw(image)
        self.scale = dpi / _MM_PER_INCH
        self.dpi = dpi
        self.regular = str(regular)
        self.bold = str(_bold_path(regular))

    def px(self, mm: float) -> int:
        return round(mm * self.scale)

    def font(self, size_pt: float, *, bold: bool = False) -> ImageFont.FreeTypeFont:
        return _font(self.bold if bold else self.regular, max(1, round(size_pt / 72 * self.dpi)))

    def width_mm(self, text: str, font: ImageFont.FreeTypeFont) -> float:
        return float(font.getlength(text)) / self.scale

    def wrap(self, text: str, font: ImageFont.FreeTypeFont, width_mm: float) -> list[str]:
        lines: list[str] = []
        line = ""
        for word in text.split():
            candidate = f"{line} {word}" if line else word
            if not line or self.width_mm(candidate, font) <= width_mm:
                line = candidate
            else:
                lines.append(line)
                line = word
        if line:
            lines.append(line)
        return lines

    def text(self, x_mm: float, y_mm: float, text: str, font: ImageFont.FreeTypeFont,
             fill: tuple[int, int, int] = _INK, *, anchor: str = "ls") -> None:
        """Text with its baseline at y_mm; anchor "ls" (left), "ms" (centre) or "rs" (right)."""
        self.draw.text((self.px(x_mm), self.px(y_mm)), text, font=font, fill=fill, anchor=anchor)

    def block(self, x_mm: float, y_mm: float, text: str, size_pt: float, width_mm: float, *, bold: bool = False,
              fill: tuple[int, int, int] = _INK, max_lines: int = 3, centre: bool = False) -> float:
        """Wrapped text from baseline y_mm; returns the baseline after the last line."""
        font = self.font(size_pt, bold=bold)
        line_mm = size_pt * 1.3 / 72 * _MM_PER_INCH
        lines = self.wrap(text, font, width_mm)[:max_lines]
        for line in lines:
            if centre:
                self.text(x_mm + width_mm / 2, y_mm, line, font, fill, anchor="ms")
            else:
                self.text(x_mm, y_mm, line, font, fill)
            y_mm += line_mm
        return y_mm


def _guilloche(draw: ImageDraw.ImageDraw, width_px: int, scale: float) -> None:
    """Pale interlaced sine bands across the sheet (deterministic: the same sheet every time)."""
    xs = np.linspace(0.0, width_px, 360)
    for k in range(14):
        base = (12.0 + k * 9.0) * scale
        for phase in (0.0, math.pi * 2 / 3):
            amp, period = (2.2 + (k % 3) * 0.6) * scale, (26.0 + (k % 4) * 5.0) * scale
            ys = base + amp * np.sin(2 * math.pi * xs / period + phase + k)
            draw.line([(float(x), float(y)) for x, y in zip(xs, ys, strict=True)], fill=_GUILLOCHE,
                      width=max(1, round(0.12 * scale)))


def _frame(pen: _Pen) -> None:
    width, height = INSERT_MM
    for inset, line_mm in ((4.0, 0.7), (5.6, 0.25)):
        pen.draw.rectangle((pen.px(inset), pen.px(inset), pen.px(width - inset), pen.px(height - inset)),
                           outline=_FRAME, width=max(1, pen.px(line_mm)))
    for y in np.arange(8.0, height - 8.0, 3.0):  # the fold between the pages, dashed
        pen.draw.line((pen.px(_PAGE_SPLIT_MM), pen.px(float(y)), pen.px(_PAGE_SPLIT_MM), pen.px(float(y) + 1.5)),
                      fill=_GUILLOCHE, width=max(1, pen.px(0.3)))


#: The word heading a page (Kazakh, Russian) where it is not "ДИПЛОМ": CMD is a "куәлік" (seed 001 item 7 row 6), CPR
#: a "сертификат" (row 7), the анықтама a "анықтама" (seed 000 appendix 37); the Russian words are our translations.
_TITLES: dict[str, tuple[str, str]] = {"CMD": ("КУӘЛІК", "СВИДЕТЕЛЬСТВО"), "CPR": ("СЕРТИФИКАТ", "СЕРТИФИКАТ"),
                                       "INCOMPLETE": ("АНЫҚТАМА", "СПРАВКА")}


def _page(pen: _Pen, fields: InsertFields, *, lang: int, left_mm: float, width_mm: float) -> None:
    """One page: lang 0 = Kazakh (left), 1 = Russian (right); text never enters the QR code's square."""
    doc_type = get_document_type(fields.doc_type)
    names = (doc_type.names["kk"], doc_type.names["ru"]) if doc_type is not None else (fields.doc_type,) * 2
    title = _TITLES.get(fields.doc_type, ("ДИПЛОМ", "ДИПЛОМ"))[lang]
    y = _TEXT_TOP_MM
    pen.text(left_mm + width_mm / 2, y, _LABELS["country"][lang], pen.font(8.5, bold=True), _FRAME, anchor="ms")
    y += 10.0
    pen.text(left_mm + width_mm / 2, y, title, pen.font(20, bold=True), _FRAME, anchor="ms")
    y = pen.block(left_mm, y + 5.5, names[lang], 8, width_mm, fill=_LABEL, max_lines=2, centre=True)
    pen.text(left_mm + width_mm / 2, y + 1.5, f"{fields.series} № {fields.number}", pen.font(11, bold=True),
             anchor="ms")
    y += 9.0
    if fields.honours:
        pen.text(left_mm + width_mm / 2, y - 0.5, _LABELS["honours"][lang], pen.font(9, bold=True), _HONOURS,
                 anchor="ms")
        y += 4.5
    rows: list[tuple[str, str, bool]] = [(_LABELS["name"][lang], fields.full_name, True),
                                         (_LABELS["institution"][lang],
                                          (fields.institution_kk, fields.institution_ru)[lang], False)]
    programme_name = (fields.programme_kk, fields.programme_ru)[lang]
    label = "specialty" if fields.qualification is not None and doc_type is not None and doc_type.level == "tve" \
        else "programme"
    rows.append((_LABELS[label][lang], f"{fields.programme} {programme_name}".strip(), False))
    if fields.qualification is not None:
        qualification_name = (fields.qualification_kk, fields.qualification_ru)[lang]
        rows.append((_LABELS["qualification"][lang], f"{fields.qualification} {qualification_name}".strip(), False))
    rows.append((_LABELS["award"][lang], f"{fields.award_date:%d.%m.%Y}", False))
    qr_left = QR_POSITION_MM[0] - 3.0
    for label_text, value, strong in rows:
        pen.text(left_mm, y, label_text, pen.font(6.5), _LABEL)
        # right page: lines that reach the QR code's rows stop left of it
        usable = width_mm if left_mm + width_mm <= qr_left or y + 8.0 < QR_POSITION_MM[1] else qr_left - left_mm
        y = pen.block(left_mm, y + 4.6, value, 10.5 if strong else 8.5, usable, bold=strong, max_lines=2) + 1.6
    signature_y = INSERT_MM[1] - 16.0
    pen.text(left_mm, signature_y, _LABELS["head"][lang], pen.font(7), _LABEL)
    pen.draw.line((pen.px(left_mm + 20.0), pen.px(signature_y), pen.px(left_mm + 42.0), pen.px(signature_y)),
                  fill=_LABEL, width=max(1, pen.px(0.2)))
    pen.text(left_mm + 46.0, signature_y, _LABELS["seal"][lang], pen.font(7), _LABEL)


def _stamp(pen: _Pen, duplicate_no: int) -> None:
    """The duplicate's stamp in the upper right corner (seed 000, item 25), Kazakh then Russian."""
    right, top, width = INSERT_MM[0] - 8.0, 7.5, 84.0
    font = pen.font(7.5, bold=True)
    lines = [line for language in ("kk", "ru")
             for line in pen.wrap(stamp_text(duplicate_no, language), font, width - 4.0)]
    line_mm = 7.5 * 1.3 / 72 * _MM_PER_INCH
    bottom = top + 2.0 + line_mm * len(lines) + 0.8
    pen.draw.rounded_rectangle((pen.px(right - width), pen.px(top), pen.px(right), pen.px(bottom)),
                               radius=pen.px(1.5), outline=_STAMP, width=max(1, pen.px(0.45)))
    y = top + 1.4 + line_mm * 0.8
    for line in lines:
        pen.text(right - width / 2, y, line, font, _STAMP, anchor="ms")
        y += line_mm


def _paste_qr(image: Image.Image, symbol: QrSymbol, dpi: int) -> None:
    """The symbol with its quiet zone as a black-on-white square of `qr_box_px(dpi)`, module edges on whole px."""
    left, top, side = qr_box_px(dpi)
    padded = np.pad(symbol.modules, QUIET_ZONE_MODULES, constant_values=False)
    total = padded.shape[0]
    index = ((np.arange(side) + 0.5) * total / side).astype(np.intp)  # pixel centre -> module
    pixels = np.where(padded[np.ix_(index, index)], 0, 255).astype(np.uint8)
    image.paste(Image.fromarray(pixels, mode="L").convert("RGB"), (left, top))


def render_insert(fields: InsertFields, qr: str | QrSymbol, *, dpi: int = 300,
                  font_path: str | Path | None = None) -> Image.Image:
    """Draw the insert sheet with its QR code.

    Args:
        fields: what to print.
        qr: the record's QR text (encoded here at ECC M, version 12 at most) or its symbol.
        dpi: resolution; the image is round(210 / 25.4 * dpi) x round(150 / 25.4 * dpi) px (2480 x 1772 at 300).
        font_path: DejaVuSans.ttf (Kazakh Cyrillic); default `verify.qrpdf.find_caption_font()`; the bold face
            is taken from DejaVuSans-Bold.ttf beside it when there.

    Returns:
        An RGB image whose `info["dpi"]` is (dpi, dpi): `insert_png` writes it with that resolution.

    Raises:
        ValueError: dpi under 150 (the 30 mm code would have under 2.5 px a module).
        OverBudgetError, RecordError: the QR text does not fit version 12 or cannot be encoded.
        FileNotFoundError: no font file.
    """
    if dpi < 150:
        raise ValueError("dpi: at least 150")
    symbol = qr if isinstance(qr, QrSymbol) else encode_qr(qr, max_version=_MAX_QR_VERSION)
    regular = Path(font_path) if font_path is not None else find_caption_font()
    if not regular.is_file():
        raise FileNotFoundError(f"font {regular} not found")
    scale = dpi / _MM_PER_INCH
    size_px = (round(INSERT_MM[0] * scale), round(INSERT_MM[1] * scale))
    image = Image.new("RGB", size_px, _PAPER)
    pen = _Pen(image, dpi, regular)
    _guilloche(pen.draw, size_px[0], scale)
    _frame(pen)
    _page(pen, fields, lang=0, left_mm=12.0, width_mm=_PAGE_SPLIT_MM - 12.0 - 7.0)
    _page(pen, fields, lang=1, left_mm=_PAGE_SPLIT_MM + 7.0, width_mm=INSERT_MM[0] - _PAGE_SPLIT_MM - 7.0 - 12.0)
    if fields.duplicate_no is not None:
        _stamp(pen, fields.duplicate_no)
    _paste_qr(image, symbol, dpi)
    image.info["dpi"] = (dpi, dpi)
    return image


def insert_png(image: Image.Image) -> bytes:
    """The insert as PNG with its resolution in the pHYs chunk (pixels per metre = dpi / 0.0254).

    Pillow's `compress_level=3`: measured ~3 times faster than its default 6 on an insert, ~10 % larger.
    """
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=image.info.get("dpi", (300, 300)), compress_level=3)
    return buffer.getvalue()
