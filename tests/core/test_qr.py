"""Tests of verify/qr.py: QR text -> symbol -> SVG, PNG and PDF of exactly 30 x 30 mm.

The physical size is read back the way a printer or a layout program would: the PNG pHYs
chunk (PNG spec §11.3.5.3), the SVG width/height attributes, the PDF MediaBox and the
rectangles of its content stream under their transformation matrices. Every image is also
decoded (zxing-cpp, and pdfium for the PDFs) back to the QR text. Seed 000, Rules item 19:
the code on TVE diploma blanks is 3 x 3 cm.
"""

from __future__ import annotations

import io
import itertools
import random
from fractions import Fraction
from typing import Any
from xml.etree import ElementTree

import numpy as np
import numpy.typing as npt
import pytest
import zxingcpp
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from pypdf import PdfReader
from support.printed import MM_PER_INCH, PT_PER_MM, Box, code_squares, pdf_boxes, png_facts

from verify.errors import OverBudgetError, RecordError
from verify.qr import (
    QUIET_ZONE_MODULES,
    QrSymbol,
    encode_qr,
    png_geometry,
    qr_version_for,
    render_png,
    render_svg,
)
from verify.qrpdf import SheetLayout, find_caption_font, render_pdf, render_sheet_pdf

PREFIX = "HTTPS://V.EDU.KZ/V/"
SIZE_MM = 30.0
SIZE_TOLERANCE_MM = 0.1  # the brief: 30.0 +- 0.1 mm
KAZAKH_LETTERS = "АӘБВГҒДЕЁЖЗИЙКҚЛМНҢОӨПРСТУҰҮФХҺЦЧШЩЪЫІЬЭЮЯаәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя"
CAPTION = "BD 0000042 — Әбдірахманова Г."


def digits(count: int, seed: int = 0) -> str:
    """`count` pseudo-random decimal digits, the first one non-zero (as a record's number)."""
    rng = random.Random(seed)
    head = rng.choice("123456789")
    return head + "".join(rng.choices("0123456789", k=count - 1))


def qr_text(digit_count: int, seed: int = 0, prefix: str = PREFIX) -> str:
    return prefix + digits(digit_count, seed)


@pytest.fixture(scope="module")
def typical() -> tuple[str, QrSymbol]:
    """A typical record's text: ~190 bytes of COSE -> 477 digits -> version 10."""
    text = qr_text(477)
    return text, encode_qr(text, max_version=12)


def zxing_version(text: str) -> int:
    """The version zint picks, from the side of its matrix (17 + 4 * version)."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    side = np.asarray(barcode.to_image(scale=1, add_quiet_zones=False)).shape[0]
    return int(side - 17) // 4


def matrix_image(symbol: QrSymbol, scale: int = 3) -> npt.NDArray[np.uint8]:
    """8-bit picture of the symbol with its quiet zone, `scale` px per module."""
    quiet = QUIET_ZONE_MODULES
    light = np.full((symbol.total_modules,) * 2, 255, dtype=np.uint8)
    light[quiet:-quiet, quiet:-quiet][symbol.modules] = 0
    return np.repeat(np.repeat(light, scale, axis=0), scale, axis=1)


def read_qr(image: Any) -> list[zxingcpp.Barcode]:
    return zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)


# --- qr_version_for: ISO/IEC 18004 capacity arithmetic ------------------------------------------------------------

# ISO/IEC 18004:2015 Table 7, ECC level M: (version, numeric capacity, alphanumeric capacity);
# covers the three character-count-indicator bands (versions 1-9, 10-26, 27-40).
ISO_CAPACITY_M = [
    (1, 34, 20),
    (2, 63, 38),
    (5, 202, 122),
    (9, 432, 262),
    (10, 513, 311),
    (12, 691, 419),
    (40, 5596, 3391),
]


@pytest.mark.parametrize(("version", "numeric", "alnum"), ISO_CAPACITY_M)
def test_qr_version_for_matches_iso_single_segment_capacities(version: int, numeric: int, alnum: int) -> None:
    assert qr_version_for(0, numeric) == version
    assert qr_version_for(alnum, 0) == version
    if version < 40:
        assert qr_version_for(0, numeric + 1) == version + 1
        assert qr_version_for(alnum + 1, 0) == version + 1


def test_qr_version_for_agrees_with_the_qrcode_library() -> None:
    """Cross-check with an independent implementation: python-qrcode's `best_fit` for the same 2 segments."""
    qrcode = pytest.importorskip("qrcode")
    from qrcode.util import MODE_ALPHA_NUM, MODE_NUMBER, QRData

    for prefix in ("HTTPS://A/V/", PREFIX, "HTTPS://" + "A" * 20 + "/V/"):
        for digit_count in [*range(1, 60), *range(60, 5400, 41)]:
            code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M)
            code.add_data(QRData(prefix, MODE_ALPHA_NUM))
            code.add_data(QRData("1" * digit_count, MODE_NUMBER))
            assert qr_version_for(len(prefix), digit_count) == code.best_fit(), (len(prefix), digit_count)


def test_qr_version_for_refuses_beyond_version_40() -> None:
    with pytest.raises(OverBudgetError):
        qr_version_for(0, 5597)
    with pytest.raises(OverBudgetError):
        qr_version_for(3392, 0)


@pytest.mark.parametrize(("prefix_len", "digit_count"), [(-1, 10), (10, -1), (0, 0)])
def test_qr_version_for_rejects_bad_lengths(prefix_len: int, digit_count: int) -> None:
    with pytest.raises(ValueError, match=r"prefix_len|empty"):
        qr_version_for(prefix_len, digit_count)


@pytest.mark.parametrize(
    ("digit_count", "version"),
    [(477, 10), (478, 11), (655, 12), (656, 13)],
    ids=["typical-477", "first-of-11", "longest-655", "over-budget-656"],
)
def test_version_budget(digit_count: int, version: int) -> None:
    """DESIGN.md, Size budget: a typical record fits version 10, the longest version 12."""
    text = qr_text(digit_count)
    assert qr_version_for(len(PREFIX), digit_count) == version
    assert encode_qr(text).version == version
    if version <= 12:
        assert encode_qr(text, max_version=12).version == version
    else:
        with pytest.raises(OverBudgetError, match="version 13"):
            encode_qr(text, max_version=12)


HOSTS = ["A", "V.EDU.KZ", "Q.KZ", "X9999.KZ", "123.45.67.89", "VERIFY.EDU.GOV.KZ", "EDU-KZ.ORG", "A" * 20]


@pytest.mark.parametrize("host", HOSTS)
def test_zint_uses_the_two_segments_the_math_assumes(host: str) -> None:
    """zint's version equals the 2-segment arithmetic (alnum prefix + numeric digits).

    zint is never larger. With a few digits it may be one version smaller: it then merges them
    into the alphanumeric segment (5.5 bits a digit there against a 14-bit segment header plus
    3.33 bits a digit in numeric mode, so it pays below ~6 digits), which `qr_version_for` does
    not model; the QR text of a record has ~450-650 digits.
    """
    prefix = f"HTTPS://{host}/V/"
    for digit_count in [*range(1, 40), *range(40, 901, 23), 477, 655]:
        text = qr_text(digit_count, seed=digit_count, prefix=prefix)
        expected = qr_version_for(len(prefix), digit_count)
        actual = zxing_version(text)
        assert actual <= expected, f"zint chose version {actual} > {expected} for {len(prefix)}+{digit_count}"
        if digit_count >= 7:
            assert actual == expected, (len(prefix), digit_count)


@pytest.mark.parametrize("text", ["HTTPS://XXXXXX/V/123", "HTTPS://AAAAA/V/0000"])
def test_zint_merges_very_short_digit_runs(text: str) -> None:
    """The documented disagreement: 20 alphanumeric characters in one segment fit version 1 (123 bits)."""
    prefix_len = text.index("/V/") + 3
    assert qr_version_for(prefix_len, len(text) - prefix_len) == 2
    assert zxing_version(text) == 1


# --- encode_qr -----------------------------------------------------------------------------------------------------


def test_encode_qr_gives_a_read_only_bool_matrix(typical: tuple[str, QrSymbol]) -> None:
    text, symbol = typical
    assert symbol.version == 10
    assert symbol.ec_level == "M"
    assert symbol.size == 57 == 17 + 4 * symbol.version
    assert symbol.total_modules == 65
    assert symbol.QUIET_ZONE_MODULES == QUIET_ZONE_MODULES == 4
    assert symbol.modules.dtype == np.bool_
    assert symbol.modules.shape == (57, 57)
    assert not symbol.modules.flags.writeable
    # finder pattern at the top-left corner: a 7 x 7 dark ring, light ring, 3 x 3 dark core
    finder = symbol.modules[:7, :7]
    assert finder[0].all()
    assert finder[6].all()
    assert finder[:, 0].all()
    assert finder[:, 6].all()
    assert not finder[1, 1:6].any()
    assert finder[2:5, 2:5].all()
    assert encode_qr(text) == symbol
    assert hash(encode_qr(text)) == hash(symbol)
    assert encode_qr(qr_text(477, seed=1)) != symbol


def test_encode_qr_matrix_reads_back(typical: tuple[str, QrSymbol]) -> None:
    text, symbol = typical
    (barcode,) = read_qr(matrix_image(symbol))
    assert barcode.text == text
    assert barcode.ec_level == "M"
    assert barcode.extra["Version"] == "10"
    assert barcode.symbology_identifier == "]Q1"  # no ECI: a plain text symbol


def test_encode_qr_over_max_version() -> None:
    text = qr_text(477)
    with pytest.raises(OverBudgetError) as caught:
        encode_qr(text, max_version=9)
    assert isinstance(caught.value, RecordError)
    assert caught.value.code == "OVER_BUDGET"
    assert "version 10" in caught.value.message


def test_encode_qr_beyond_version_40_is_over_budget() -> None:
    with pytest.raises(OverBudgetError, match="version 40"):
        encode_qr(qr_text(6000))


@pytest.mark.parametrize("text", ["", "A\x00B", "\ud800" + PREFIX], ids=["empty", "nul-character", "lone-surrogate"])
def test_encode_qr_refuses_unencodable_text(text: str) -> None:
    with pytest.raises(RecordError) as caught:
        encode_qr(text)
    assert not isinstance(caught.value, OverBudgetError)


@pytest.mark.parametrize("max_version", [0, 41])
def test_encode_qr_rejects_bad_max_version(max_version: int) -> None:
    with pytest.raises(ValueError, match="max_version"):
        encode_qr(PREFIX + "1", max_version=max_version)


def test_qr_symbol_checks_its_shape() -> None:
    with pytest.raises(ValueError, match="21 x 21"):
        QrSymbol(modules=np.zeros((25, 25), dtype=bool), version=1)
    with pytest.raises(ValueError, match="version"):
        QrSymbol(modules=np.zeros((21, 21), dtype=bool), version=0)
    with pytest.raises(ValueError, match="ec_level"):
        QrSymbol(modules=np.zeros((21, 21), dtype=bool), version=1, ec_level="X")


hosts = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-", min_size=1, max_size=20)
digit_strings = st.text(alphabet="0123456789", min_size=1, max_size=700)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(host=hosts, number=digit_strings)
def test_any_host_and_digits_round_trip(host: str, number: str) -> None:
    """encode -> matrix -> zxing read gives the text back; zint never needs more than the 2-segment math.

    zint can need less: it may merge up to ~6 trailing digits into the alphanumeric segment, or give
    digits inside the host (e.g. `HTTPS://00000/V/0000`) a numeric segment of their own.
    """
    text = f"HTTPS://{host}/V/{number}"
    symbol = encode_qr(text)
    expected = qr_version_for(len(text) - len(number), len(number))
    assert symbol.version <= expected
    if len(number) >= 7 and not any(char.isdigit() for char in host):
        assert symbol.version == expected
    (barcode,) = read_qr(matrix_image(symbol, scale=2))
    assert barcode.text == text


# --- PNG -------------------------------------------------------------------------------------------------------------


def test_png_physical_size_and_resolution(typical: tuple[str, QrSymbol]) -> None:
    _, symbol = typical
    data = render_png(symbol)
    facts = png_facts(data)
    assert (facts.bit_depth, facts.colour_type) == (1, 0)  # 1-bit grayscale
    assert facts.unit == 1  # metre
    assert facts.ppm_x == facts.ppm_y
    assert facts.width_px == facts.height_px == 715  # 11 px per module x 65 modules
    assert abs(facts.width_mm - SIZE_MM) <= SIZE_TOLERANCE_MM
    assert abs(facts.width_mm - SIZE_MM) < 0.001  # achieved: 715 / 23833 ppm = 30.0004 mm
    assert facts.dpi >= 600
    with Image.open(io.BytesIO(data)) as image:
        dpi_x, dpi_y = image.info["dpi"]
        assert dpi_x == dpi_y >= 600
        assert abs(image.width / dpi_x * MM_PER_INCH - SIZE_MM) <= SIZE_TOLERANCE_MM


@pytest.mark.parametrize("version", [1, 2, 5, 10, 11, 12, 13, 20, 27, 40])
@pytest.mark.parametrize("min_dpi", [300, 600, 1200])
def test_png_geometry_every_version(version: int, min_dpi: int) -> None:
    side = 17 + 4 * version
    symbol = QrSymbol(modules=np.zeros((side, side), dtype=bool), version=version)
    k, side_px, ppm = png_geometry(symbol, min_dpi=min_dpi)
    assert side_px == k * (side + 8)
    exact_k = Fraction(min_dpi) * Fraction(SIZE_MM) / Fraction(254, 10) / (side + 8)
    assert k in (int(np.ceil(float(exact_k))), int(np.ceil(float(exact_k))) + 1)
    assert ppm * MM_PER_INCH / 1000 >= min_dpi
    assert abs(side_px / ppm * 1000 - SIZE_MM) < 0.01


@pytest.mark.parametrize("digit_count", [1, 100, 477, 655])
def test_png_modules_are_uniform_blocks(digit_count: int) -> None:
    symbol = encode_qr(qr_text(digit_count))
    data = render_png(symbol)
    with Image.open(io.BytesIO(data)) as image:
        assert image.mode == "1"
        pixels = np.asarray(image)  # True = white
    total = symbol.total_modules
    assert pixels.shape[0] % total == 0
    assert pixels.shape[1] % total == 0
    k = pixels.shape[0] // total
    blocks = pixels.reshape(total, k, total, k).transpose(0, 2, 1, 3).reshape(total, total, k * k)
    assert (blocks == blocks[:, :, :1]).all(), "a module block is not uniform"
    light = blocks[:, :, 0]
    quiet = QUIET_ZONE_MODULES
    assert light[:quiet].all()
    assert light[-quiet:].all()
    assert light[:, :quiet].all()
    assert light[:, -quiet:].all()
    assert np.array_equal(~light[quiet:-quiet, quiet:-quiet], symbol.modules)


@pytest.mark.parametrize("digit_count", [5, 477, 655])
def test_png_round_trip(digit_count: int) -> None:
    text = qr_text(digit_count, seed=7)
    data = render_png(encode_qr(text))
    with Image.open(io.BytesIO(data)) as image:
        (barcode,) = read_qr(image.convert("L"))
    assert barcode.text == text


def test_png_is_deterministic(typical: tuple[str, QrSymbol]) -> None:
    _, symbol = typical
    assert render_png(symbol) == render_png(encode_qr(typical[0]))


@pytest.mark.parametrize(("size_mm", "min_dpi"), [(0.0, 600), (-1.0, 600), (float("nan"), 600), (30.0, 0)])
def test_png_rejects_bad_arguments(typical: tuple[str, QrSymbol], size_mm: float, min_dpi: int) -> None:
    with pytest.raises(ValueError, match=r"size_mm|min_dpi"):
        render_png(typical[1], size_mm=size_mm, min_dpi=min_dpi)


# --- SVG -------------------------------------------------------------------------------------------------------------

SVG_NS = "{http://www.w3.org/2000/svg}"


def svg_modules(svg: bytes) -> tuple[ElementTree.Element, npt.NDArray[np.bool_]]:
    """Parse the SVG and paint its path's rectangles onto a module grid (quiet zone included)."""
    root = ElementTree.fromstring(svg)  # noqa: S314 (our own output, not untrusted input)
    _, _, width, height = (int(v) for v in root.attrib["viewBox"].split())
    grid = np.zeros((height, width), dtype=bool)
    (path,) = root.iter(f"{SVG_NS}path")
    for command in path.attrib["d"].split("M")[1:]:
        head, rest = command.split("h", 1)
        x, y = (int(v) for v in head.split())
        length = int(rest.split("v", 1)[0])
        assert rest == f"{length}v1h-{length}z"
        assert not grid[y, x : x + length].any(), "overlapping rectangles"
        grid[y, x : x + length] = True
    return root, grid


def test_svg_size_and_structure(typical: tuple[str, QrSymbol]) -> None:
    _, symbol = typical
    root, grid = svg_modules(render_svg(symbol))
    assert root.tag == f"{SVG_NS}svg"
    assert root.attrib["width"] == "30mm"
    assert root.attrib["height"] == "30mm"
    assert root.attrib["viewBox"] == "0 0 65 65"
    assert root.attrib["shape-rendering"] == "crispEdges"
    (background,) = root.iter(f"{SVG_NS}rect")
    assert background.attrib == {"width": "65", "height": "65", "fill": "#fff"}
    assert len(list(root.iter(f"{SVG_NS}path"))) == 1
    quiet = QUIET_ZONE_MODULES
    assert not grid[:quiet].any()
    assert not grid[-quiet:].any()
    assert not grid[:, :quiet].any()
    assert not grid[:, -quiet:].any()
    assert np.array_equal(grid[quiet:-quiet, quiet:-quiet], symbol.modules)


def test_svg_title_and_size_parameter(typical: tuple[str, QrSymbol]) -> None:
    _, symbol = typical
    root, _ = svg_modules(render_svg(symbol, size_mm=25.5, title='BD 0000042 <Әбдірахманова> & "Г."'))
    assert root.attrib["width"] == "25.5mm"
    (title,) = root.iter(f"{SVG_NS}title")
    assert title.text == 'BD 0000042 <Әбдірахманова> & "Г."'


def test_svg_rejects_bad_arguments(typical: tuple[str, QrSymbol]) -> None:
    with pytest.raises(ValueError, match="XML"):
        render_svg(typical[1], title="a\x00b")
    with pytest.raises(ValueError, match="size_mm"):
        render_svg(typical[1], size_mm=float("inf"))


# --- PDF -------------------------------------------------------------------------------------------------------------


def modules_in(square: Box, boxes: list[Box], total: int) -> npt.NDArray[np.bool_]:
    """The dark modules inside a code square, checking every edge lies on the module grid."""
    module = square.w / total
    grid = np.zeros((total, total), dtype=bool)
    for box in boxes:
        if box.gray != 0 or not (square.x - 0.01 <= box.x <= square.x + square.w):
            continue
        if not square.y - 0.01 <= box.y <= square.y + square.h:
            continue
        col, row = (box.x - square.x) / module, (box.y - square.y) / module
        length, height = box.w / module, box.h / module
        for value in (col, row, length, height):
            assert abs(value - round(value)) < 1e-3, "edge off the module grid"
        grid[round(row) : round(row + height), round(col) : round(col + length)] = True
    return grid


def assert_pdf_code(square: Box, boxes: list[Box], symbol: QrSymbol) -> None:
    assert abs(square.w - SIZE_MM) < 0.01
    assert abs(square.h - SIZE_MM) < 0.01
    grid = modules_in(square, boxes, symbol.total_modules)
    quiet = QUIET_ZONE_MODULES
    assert not grid[:quiet].any()
    assert not grid[-quiet:].any()
    assert np.array_equal(grid[quiet:-quiet, quiet:-quiet], symbol.modules)


def pdfium_read(data: bytes, page_index: int = 0, dpi: int = 300) -> list[str]:
    """Rasterise a PDF page with pdfium and decode its QR codes."""
    pdfium = pytest.importorskip("pypdfium2")
    document = pdfium.PdfDocument(data)
    try:
        image = document[page_index].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        document.close()
    return [barcode.text for barcode in read_qr(image)]


def test_pdf_page_is_the_code(typical: tuple[str, QrSymbol]) -> None:
    text, symbol = typical
    data = render_pdf(symbol)
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert (float(box.left), float(box.bottom)) == (0, 0)
    assert abs(float(box.width) / PT_PER_MM - SIZE_MM) < 0.01  # 85.04 pt = 30.0014 mm
    assert abs(float(box.height) / PT_PER_MM - SIZE_MM) < 0.01
    boxes = pdf_boxes(reader, 0)
    (square,) = code_squares(boxes)
    assert abs(square.x) < 0.01
    assert abs(square.y) < 0.01
    assert_pdf_code(square, boxes, symbol)
    assert pdfium_read(data, dpi=600) == [text]


def test_pdf_with_caption(typical: tuple[str, QrSymbol]) -> None:
    text, symbol = typical
    data = render_pdf(symbol, caption=CAPTION)
    reader = PdfReader(io.BytesIO(data))
    page = reader.pages[0]
    assert abs(float(page.mediabox.width) / PT_PER_MM - SIZE_MM) < 0.01
    height_mm = float(page.mediabox.height) / PT_PER_MM
    assert SIZE_MM + 2 < height_mm < SIZE_MM + 12
    boxes = pdf_boxes(reader, 0)
    (square,) = code_squares(boxes)
    assert abs(square.x) < 0.01
    assert abs(square.y) < 0.01
    assert_pdf_code(square, boxes, symbol)
    assert " ".join(page.extract_text().split()) == CAPTION
    assert reader.metadata is not None
    assert reader.metadata.title == CAPTION
    assert pdfium_read(data, dpi=600) == [text]


def test_pdf_long_caption_is_wrapped_or_cut(typical: tuple[str, QrSymbol]) -> None:
    caption = "BD 0000042 — " + "Әбдірахманова-Жолдасбекова Гүлнұрсұлтан Серікқызы " * 3
    reader = PdfReader(io.BytesIO(render_pdf(typical[1], caption=caption)))
    page_text = reader.pages[0].extract_text()
    assert page_text.startswith("BD 0000042")
    assert page_text.rstrip().endswith("…")
    assert len(page_text.splitlines()) == 3
    assert float(reader.pages[0].mediabox.height) / PT_PER_MM < SIZE_MM + 12


def test_pdf_rejects_blank_caption(typical: tuple[str, QrSymbol]) -> None:
    with pytest.raises(ValueError, match="caption"):
        render_pdf(typical[1], caption="  ")


def test_pdf_missing_font_file(typical: tuple[str, QrSymbol], tmp_path: Any) -> None:
    with pytest.raises(FileNotFoundError):
        render_pdf(typical[1], caption=CAPTION, font_path=tmp_path / "missing.ttf")


def test_caption_font_covers_kazakh() -> None:
    path = find_caption_font()
    assert path.is_file()
    font = TTFont(path, lazy=True)
    try:
        cmap = font.getBestCmap()
    finally:
        font.close()
    missing = [char for char in KAZAKH_LETTERS + "—…×%" if ord(char) not in cmap]
    assert not missing


def test_sheet_layout_for_30_mm() -> None:
    layout = SheetLayout.for_size(SIZE_MM)
    assert (layout.columns, layout.rows, layout.per_page) == (5, 6, 30)
    assert layout.left_mm >= 10
    assert layout.top_mm >= 10
    assert layout.left_mm + layout.columns * layout.cell_w_mm <= 200 + 1e-9
    assert layout.top_mm + layout.rows * layout.cell_h_mm <= 287 + 1e-9
    with pytest.raises(ValueError, match="A4"):
        SheetLayout.for_size(250.0)


def test_sheet_pdf_pages_codes_and_captions() -> None:
    count = 32  # 30 on the first page, 2 on the second
    texts = [qr_text(470 + i, seed=i) for i in range(count)]
    symbols = [encode_qr(text) for text in texts]
    captions = [f"BD {i:07d} — Әбдірахманова Г." for i in range(count)]
    data = render_sheet_pdf(list(zip(symbols, captions, strict=True)))
    reader = PdfReader(io.BytesIO(data))
    assert len(reader.pages) == 2
    for page in reader.pages:
        assert round(float(page.mediabox.width) / PT_PER_MM) == 210
        assert round(float(page.mediabox.height) / PT_PER_MM) == 297
    pages = [pdf_boxes(reader, 0), pdf_boxes(reader, 1)]
    placed = [(square, boxes) for boxes in pages for square in code_squares(boxes)]
    assert [len(code_squares(boxes)) for boxes in pages] == [30, 2]
    for (square, boxes), symbol in zip(placed, symbols, strict=True):
        assert square.x >= 10
        assert square.x + square.w <= 200
        assert square.y >= 10
        assert square.y + square.h <= 287
        assert_pdf_code(square, boxes, symbol)
    first_row = [square for square, _ in placed[:5]]
    assert all(abs(b.x - a.x - 38.0) < 1e-3 and abs(b.y - a.y) < 1e-3 for a, b in itertools.pairwise(first_row))
    page_text = " ".join(reader.pages[0].extract_text().split())
    assert all(caption in page_text for caption in captions[:30])
    assert "print at 100 %" in page_text
    assert "1/2" in page_text
    assert "BD 0000031 — Әбдірахманова Г." in reader.pages[1].extract_text()
    assert sorted(pdfium_read(data, 0)) == sorted(texts[:30])
    assert sorted(pdfium_read(data, 1)) == sorted(texts[30:])


def test_sheet_pdf_rejects_bad_items(typical: tuple[str, QrSymbol]) -> None:
    with pytest.raises(ValueError, match="at least one"):
        render_sheet_pdf([])
    with pytest.raises(ValueError, match="caption"):
        render_sheet_pdf([(typical[1], "")])
