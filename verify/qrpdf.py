"""PDF forms of a QR code: one code on a 30 mm page, and A4 print sheets (fpdf2).

The code is drawn as vector rectangles, exactly `size_mm` = 30 mm with its quiet zone
(seed 000, Rules item 19: 3 x 3 cm), so it prints at its size at 100 % scale. Captions are
set in DejaVu Sans, which covers the Kazakh Cyrillic letters (fpdf2's core fonts are Latin-1).

- `render_pdf`: one page 30 mm wide; with a caption the page grows downwards and the code
  keeps the top 30 x 30 mm;
- `render_sheet_pdf`: A4 sheets of many captioned codes with cut lines, for printing a group. With
  `image_codes=True` each code is a 1-bit image of one pixel per module instead (`_draw_symbol_image`): the
  same 30 mm square, ~0.4 ms a code instead of 12-40 ms for the vector paths, so a full page with its captions
  is ~5 times faster to write (docs/bench-demo.md); for sheets of thousands of codes.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
from fpdf import FPDF
from fpdf.drawing import GraphicsContext, PaintedPath
from fpdf.drawing_primitives import DeviceGray
from fpdf.enums import PathPaintRule
from PIL import Image

from .qr import DEFAULT_SIZE_MM, QUIET_ZONE_MODULES, QrSymbol, check_size_mm, dark_runs

__all__ = ["SheetLayout", "find_caption_font", "render_pdf", "render_sheet_pdf"]

_PT_PER_MM: Final = 72 / 25.4
# Where a Unicode TTF font for captions (Kazakh Cyrillic) is looked for, in this order.
_FONT_FILES: Final = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),  # Debian/Ubuntu: fonts-dejavu-core
    Path("/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf"),  # Fedora: dejavu-sans-fonts
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),  # Arch: ttf-dejavu
    Path("/usr/local/share/fonts/DejaVuSans.ttf"),
)
_FONT_FAMILY: Final = "DejaVuSans"
_CAPTION_SIZES_PT: Final = (6.0, 5.5, 5.0)  # tried largest first, fewest lines first
_CAPTION_MIN_PT: Final = 4.5  # last resort, with the text cut short by "…"
_CAPTION_LINE_SPACING: Final = 1.2  # line height / font size
_CAPTION_GAP_MM: Final = 1.0  # between the code (its quiet zone) and the caption
_CAPTION_PAD_MM: Final = 1.0  # caption text kept this far from the page or cell edge

# A4 print sheet (ISO 216: 210 x 297 mm).
_A4_MM: Final = (210.0, 297.0)
_SHEET_MARGIN_MM: Final = 10.0  # unprinted border of the sheet (printer's non-printable area)
_CUT_MARGIN_MM: Final = 4.0  # white between the 30 mm square and the cut lines around its cell
_SHEET_CAPTION_LINES: Final = 2
_CUT_LINE_MM: Final = 0.1
_CUT_LINE_GRAY: Final = 160  # 0 = black, 255 = white
_SHEET_NOTE_PT: Final = 7.0
PRINT_NOTE: Final = "print at 100 % (no scaling)"
"""The print sheet's instruction when no translation is given (the command line, the demo)."""



def find_caption_font() -> Path:
    """Locate DejaVuSans.ttf, the Unicode font used for captions (Kazakh Cyrillic).

    fpdf2 bundles no TTF font and its core fonts are Latin-1 only. Looked for, in order:
    the system font directories of Debian/Ubuntu (package `fonts-dejavu-core`), Fedora and
    Arch, then the copy inside an installed matplotlib (`mpl-data/fonts/ttf/`), found
    without importing it. Callers can pass their own file as `font_path` instead.

    Returns:
        Path of an existing DejaVuSans.ttf.

    Raises:
        FileNotFoundError: no copy is installed (fix: `apt-get install fonts-dejavu-core`).
    """
    candidates = list(_FONT_FILES)
    spec = importlib.util.find_spec("matplotlib")
    if spec is not None and spec.origin is not None:
        candidates.append(Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf" / "DejaVuSans.ttf")
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    raise FileNotFoundError(
        "DejaVuSans.ttf not found (looked in: " + ", ".join(map(str, candidates)) + "); "
        "install it with `apt-get install fonts-dejavu-core` or pass font_path="
    )


def _new_pdf(page_mm: tuple[float, float], font_path: str | Path | None, with_text: bool) -> FPDF:
    pdf = FPDF(orientation="portrait", unit="mm", format=page_mm)
    pdf.set_margin(0)
    pdf.set_auto_page_break(False)
    pdf.set_creator("verify")
    if with_text:
        pdf.add_font(_FONT_FAMILY, fname=str(font_path if font_path is not None else find_caption_font()))
    return pdf


def _draw_symbol(pdf: FPDF, symbol: QrSymbol, *, x_mm: float, y_mm: float, size_mm: float) -> None:
    """Draw the symbol with its quiet zone as a size_mm square whose top-left corner is (x_mm, y_mm)."""
    module_mm = size_mm / symbol.total_modules
    background = PaintedPath()
    background.style.fill_color = DeviceGray(1.0)
    background.style.stroke_color = None
    background.style.paint_rule = PathPaintRule.FILL_NONZERO
    background.rectangle(x_mm, y_mm, size_mm, size_mm)
    dark = PaintedPath()
    dark.style.fill_color = DeviceGray(0.0)
    dark.style.stroke_color = None
    dark.style.paint_rule = PathPaintRule.FILL_NONZERO
    x0 = x_mm + QUIET_ZONE_MODULES * module_mm
    y0 = y_mm + QUIET_ZONE_MODULES * module_mm
    rows, starts, lengths = dark_runs(symbol)
    for row, col, length in zip(rows, starts, lengths, strict=True):
        # one path, one fill: no seams between neighbouring runs in anti-aliasing viewers
        dark.rectangle(x0 + col * module_mm, y0 + row * module_mm, length * module_mm, module_mm)
    group = GraphicsContext()
    group.add_item(background, clone=False)
    group.add_item(dark, clone=False)
    pdf.draw_path(group, copy=False)  # copy=True would deep-copy ~900 rectangles (~50 ms)


def _draw_symbol_image(pdf: FPDF, symbol: QrSymbol, *, x_mm: float, y_mm: float, size_mm: float) -> None:
    """Draw the symbol with its quiet zone as a 1-bit image of one pixel per module, placed as a size_mm square.

    The image is (n + 8) x (n + 8) pixels, white = light module; fpdf2 stores a 1-bit picture as a CCITT G4
    stream (~1.3 kB for version 11) and places it with `w = h = size_mm` through the page's transformation
    matrix, so the printed side is exactly `size_mm` (to fpdf2's 0.01 pt). The image dictionary carries no
    /Interpolate, so it is drawn without smoothing (ISO 32000-1 §8.9.5.3, Table 89: Interpolate defaults to
    false): each module stays a sharp square at any zoom (checked with pdfium at 600 dpi: no grey pixels).
    """
    light = np.pad(~symbol.modules, QUIET_ZONE_MODULES, constant_values=True)
    pdf.image(Image.fromarray(light), x=x_mm, y=y_mm, w=size_mm, h=size_mm)


def _wrap(pdf: FPDF, text: str, width_mm: float) -> list[str]:
    """Greedy word wrap at the current font; words wider than the line are broken by characters."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        candidate = f"{line} {word}" if line else word
        if pdf.get_string_width(candidate) <= width_mm:
            line = candidate
            continue
        if line:
            lines.append(line)
        line = ""
        for char in word:
            if line and pdf.get_string_width(line + char) > width_mm:
                lines.append(line)
                line = ""
            line += char
    if line:
        lines.append(line)
    return lines


def _fit_caption(pdf: FPDF, text: str, width_mm: float, max_lines: int) -> tuple[float, list[str]]:
    """Font size (pt) and lines for a caption: fewest lines first, then the largest size."""
    for line_count in range(1, max_lines + 1):
        for size_pt in _CAPTION_SIZES_PT:
            pdf.set_font(_FONT_FAMILY, size=size_pt)
            lines = _wrap(pdf, text, width_mm)
            if len(lines) <= line_count:
                return size_pt, lines
    pdf.set_font(_FONT_FAMILY, size=_CAPTION_MIN_PT)
    lines = _wrap(pdf, text, width_mm)[:max_lines]
    last = lines[-1]
    while last and pdf.get_string_width(last + "…") > width_mm:
        last = last[:-1]
    lines[-1] = last.rstrip() + "…"
    return _CAPTION_MIN_PT, lines


def _caption_height_mm(size_pt: float, line_count: int) -> float:
    return line_count * size_pt * _CAPTION_LINE_SPACING / _PT_PER_MM


def _draw_caption(pdf: FPDF, lines: Sequence[str], size_pt: float, *, center_x_mm: float, top_mm: float) -> None:
    """Centred lines, the first line's box starting at top_mm (baseline at 0.8 of the line height)."""
    pdf.set_font(_FONT_FAMILY, size=size_pt)
    line_mm = size_pt * _CAPTION_LINE_SPACING / _PT_PER_MM
    for index, line in enumerate(lines):
        baseline = top_mm + index * line_mm + 0.8 * line_mm
        pdf.text(center_x_mm - pdf.get_string_width(line) / 2, baseline, line)


def _clean_caption(caption: str) -> str:
    text = " ".join(caption.split())
    if not text:
        raise ValueError("caption must not be blank")
    return text


def render_pdf(
    symbol: QrSymbol,
    *,
    size_mm: float = DEFAULT_SIZE_MM,
    caption: str | None = None,
    font_path: str | Path | None = None,
) -> bytes:
    """Render the symbol as a one-page vector PDF, the code exactly `size_mm` x `size_mm`.

    Without a caption the page is `size_mm` x `size_mm` (the MediaBox, to 0.01 pt) and the
    code with its quiet zone fills it: place it at 100 % in a layout. With a caption the page
    stays `size_mm` wide and grows downwards by a caption band: the code keeps the top
    `size_mm` square, the caption is centred under it in DejaVu Sans, 6-5 pt on up to three
    lines (4.5 pt and cut short with "…" beyond that). The code is a white square and one
    filled path of rectangles (one per run of dark modules), coordinates to 0.0001 mm.

    Args:
        symbol: the symbol to draw.
        size_mm: printed side of the code in mm, quiet zone included (seed 000, Rules item 19).
        caption: optional text under the code, e.g. "BD 0000042 — Әбдірахманова Г.".
        font_path: TTF font for the caption; default `find_caption_font()`. Read only when
            there is a caption.

    Returns:
        PDF file bytes.

    Raises:
        ValueError: `size_mm` not positive, or a blank caption.
        FileNotFoundError: a caption is given and no font file is found.
    """
    check_size_mm(size_mm)
    if caption is None:
        pdf = _new_pdf((size_mm, size_mm), font_path, with_text=False)
        pdf.add_page()
        _draw_symbol(pdf, symbol, x_mm=0.0, y_mm=0.0, size_mm=size_mm)
        return bytes(pdf.output())
    text = _clean_caption(caption)
    pdf = _new_pdf((size_mm, size_mm), font_path, with_text=True)
    pdf.set_title(text)
    size_pt, lines = _fit_caption(pdf, text, size_mm - 2 * _CAPTION_PAD_MM, max_lines=3)
    page_h = size_mm + _CAPTION_GAP_MM + _caption_height_mm(size_pt, len(lines)) + _CAPTION_PAD_MM
    pdf.add_page(format=(size_mm, page_h))
    _draw_symbol(pdf, symbol, x_mm=0.0, y_mm=0.0, size_mm=size_mm)
    _draw_caption(pdf, lines, size_pt, center_x_mm=size_mm / 2, top_mm=size_mm + _CAPTION_GAP_MM)
    return bytes(pdf.output())


@dataclass(frozen=True)
class SheetLayout:
    """Geometry of `render_sheet_pdf` on A4 portrait, all lengths in mm.

    Cells of `cell_w_mm` x `cell_h_mm` touch each other; each holds a code of `size_mm`
    (quiet zone included) `_CUT_MARGIN_MM` = 4 mm inside its cut lines, with the caption
    under it. The grid is centred inside the 10 mm sheet margin.
    """

    size_mm: float
    columns: int
    rows: int
    cell_w_mm: float
    cell_h_mm: float
    left_mm: float
    top_mm: float

    @property
    def per_page(self) -> int:
        """Codes on one sheet."""
        return self.columns * self.rows

    @classmethod
    def for_size(cls, size_mm: float) -> SheetLayout:
        """The largest grid of `size_mm` codes with two caption lines that fits an A4 sheet.

        Raises:
            ValueError: not even one code fits.
        """
        check_size_mm(size_mm)
        cell_w = size_mm + 2 * _CUT_MARGIN_MM
        caption_h = _caption_height_mm(max(_CAPTION_SIZES_PT), _SHEET_CAPTION_LINES)
        cell_h = _CUT_MARGIN_MM + size_mm + _CAPTION_GAP_MM + caption_h + _CUT_MARGIN_MM
        usable_w = _A4_MM[0] - 2 * _SHEET_MARGIN_MM
        usable_h = _A4_MM[1] - 2 * _SHEET_MARGIN_MM
        columns = int(usable_w // cell_w)
        rows = int(usable_h // cell_h)
        if columns < 1 or rows < 1:
            raise ValueError(f"a {size_mm} mm code does not fit an A4 sheet")
        return cls(
            size_mm=size_mm,
            columns=columns,
            rows=rows,
            cell_w_mm=cell_w,
            cell_h_mm=cell_h,
            left_mm=(_A4_MM[0] - columns * cell_w) / 2,
            top_mm=(_A4_MM[1] - rows * cell_h) / 2,
        )


def render_sheet_pdf(
    items: Sequence[tuple[QrSymbol, str]],
    *,
    size_mm: float = DEFAULT_SIZE_MM,
    font_path: str | Path | None = None,
    image_codes: bool = False,
    heading: str = "",
    print_note: str = PRINT_NOTE,
) -> bytes:
    """Render A4 print sheets of captioned codes, each code exactly `size_mm` x `size_mm`.

    At 30 mm a sheet holds 5 columns x 6 rows = 30 codes (`SheetLayout.for_size`), filled
    row by row; more items continue on further pages. Each cell is framed by thin grey cut
    lines 4 mm outside the code's quiet zone; the caption (e.g. "BD 0000042 —
    Әбдірахманова Г.") is centred under the code, 6-5 pt on at most two lines. The top
    margin of every page carries the heading (whose codes: the institution and the study group), then
    the size, "print at 100 %" and the page number.

    Args:
        items: (symbol, caption) pairs, in print order; at least one.
        size_mm: printed side of every code in mm, quiet zone included (seed 000, Rules item 19).
        font_path: TTF font for captions; default `find_caption_font()`.
        image_codes: draw each code as a 1-bit image of one pixel per module (`_draw_symbol_image`) instead
            of vector rectangles: the same placement and size, ~0.4 ms a code instead of 12-40 ms, ~1.3 kB a code.
        heading: the first line of every page's top margin, in the reader's language ("" for none).
        print_note: the words after the size on the second line, in the reader's language.

    Returns:
        PDF file bytes, ceil(len(items) / per_page) A4 pages.

    Raises:
        ValueError: no items, a blank caption, or `size_mm` too large for A4.
        FileNotFoundError: no font file is found.
    """
    if not items:
        raise ValueError("a sheet needs at least one code")
    layout = SheetLayout.for_size(size_mm)
    captions = [_clean_caption(caption) for _, caption in items]
    pdf = _new_pdf(_A4_MM, font_path, with_text=True)
    pages = math.ceil(len(items) / layout.per_page)
    text_width = layout.cell_w_mm - 2 * _CAPTION_PAD_MM
    draw = _draw_symbol_image if image_codes else _draw_symbol
    for page in range(pages):
        pdf.add_page()
        chunk = range(page * layout.per_page, min(len(items), (page + 1) * layout.per_page))
        used_rows = math.ceil(len(chunk) / layout.columns)
        _draw_cut_lines(pdf, layout, cells=len(chunk), rows=used_rows)
        pdf.set_font(_FONT_FAMILY, size=_SHEET_NOTE_PT)
        if heading.strip():
            pdf.text(_SHEET_MARGIN_MM, _SHEET_MARGIN_MM - 6.5, _clean_caption(heading))
        pdf.text(
            _SHEET_MARGIN_MM,
            _SHEET_MARGIN_MM - 3.0,
            f"QR {size_mm:g} × {size_mm:g} mm — {_clean_caption(print_note)}   {page + 1}/{pages}",
        )
        for slot, index in enumerate(chunk):
            row, column = divmod(slot, layout.columns)
            cell_x = layout.left_mm + column * layout.cell_w_mm
            cell_y = layout.top_mm + row * layout.cell_h_mm
            code_x = cell_x + _CUT_MARGIN_MM
            code_y = cell_y + _CUT_MARGIN_MM
            draw(pdf, items[index][0], x_mm=code_x, y_mm=code_y, size_mm=size_mm)
            size_pt, lines = _fit_caption(pdf, captions[index], text_width, max_lines=_SHEET_CAPTION_LINES)
            _draw_caption(
                pdf,
                lines,
                size_pt,
                center_x_mm=cell_x + layout.cell_w_mm / 2,
                top_mm=code_y + size_mm + _CAPTION_GAP_MM,
            )
    return bytes(pdf.output())


def _draw_cut_lines(pdf: FPDF, layout: SheetLayout, *, cells: int, rows: int) -> None:
    """Grey lines along every cell border of the used cells (a full grid for full rows)."""
    pdf.set_draw_color(_CUT_LINE_GRAY)
    pdf.set_line_width(_CUT_LINE_MM)
    for row in range(rows):
        in_row = min(layout.columns, cells - row * layout.columns)
        top = layout.top_mm + row * layout.cell_h_mm
        bottom = top + layout.cell_h_mm
        right = layout.left_mm + in_row * layout.cell_w_mm
        pdf.line(layout.left_mm, top, right, top)
        pdf.line(layout.left_mm, bottom, right, bottom)
        for column in range(in_row + 1):
            x = layout.left_mm + column * layout.cell_w_mm
            pdf.line(x, top, x, bottom)
