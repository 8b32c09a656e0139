"""Measuring printed codes: the chunks and physical size of a PNG, the filled boxes of a PDF page, in mm. TEST ONLY.

Used by the QR tests (tests/core/test_qr.py) and by every test that checks a printed code is exactly 30 mm (the
officer API, the console, the browser tests). Sources: PNG specification §5 (chunks, CRC), §11.3.5.3 (pHYs);
ISO 32000-1 §8.3.4 (PDF transformation matrices).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

from pypdf import PdfReader
from pypdf.generic import ContentStream

MM_PER_INCH = 25.4
PT_PER_MM = 72 / 25.4
SIZE_MM = 30.0


def png_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    """(type, data) of every chunk, checking the signature and every CRC (PNG spec §5)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks = []
    offset = 8
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        (crc,) = struct.unpack(">I", data[offset + 8 + length : offset + 12 + length])
        assert crc == zlib.crc32(kind + body), kind
        chunks.append((kind, body))
        offset += 12 + length
    assert chunks[0][0] == b"IHDR"
    assert chunks[-1][0] == b"IEND"
    return chunks


@dataclass(frozen=True)
class PngFacts:
    width_px: int
    height_px: int
    bit_depth: int
    colour_type: int
    ppm_x: int
    ppm_y: int
    unit: int

    @property
    def width_mm(self) -> float:
        return self.width_px / self.ppm_x * 1000

    @property
    def dpi(self) -> float:
        return self.ppm_x * MM_PER_INCH / 1000


def png_facts(data: bytes) -> PngFacts:
    chunks = dict(png_chunks(data))
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert interlace == 0
    ppm_x, ppm_y, unit = struct.unpack(">IIB", chunks[b"pHYs"])
    return PngFacts(width, height, depth, colour, ppm_x, ppm_y, unit)


@dataclass(frozen=True)
class Box:
    """A filled rectangle in mm from the page's top-left corner, and its fill gray (0 black, 1 white)."""

    x: float
    y: float
    w: float
    h: float
    gray: float


Matrix = tuple[float, float, float, float, float, float]


def multiply(m: Matrix, n: Matrix) -> Matrix:
    """m x n for PDF matrices [a b c d e f] (ISO 32000-1 §8.3.4)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def pdf_boxes(reader: PdfReader, page_index: int) -> list[Box]:
    """Every `re` filled on the page, transformed by the CTM in effect (q/Q/cm/g tracked)."""
    page = reader.pages[page_index]
    page_h = float(page.mediabox.height)
    ctm: Matrix = (1, 0, 0, 1, 0, 0)
    gray = 0.0
    stack: list[tuple[Matrix, float]] = []
    pending: list[tuple[float, float, float, float]] = []
    boxes: list[Box] = []
    for operands, operator in ContentStream(page.get_contents(), reader).operations:
        if operator == b"q":
            stack.append((ctm, gray))
        elif operator == b"Q":
            ctm, gray = stack.pop()
        elif operator == b"cm":
            ctm = multiply(tuple(float(v) for v in operands), ctm)  # type: ignore[arg-type]
        elif operator == b"g":
            gray = float(operands[0])
        elif operator == b"re":
            x, y, w, h = (float(v) for v in operands)
            a, b, c, d, e, f = ctm
            assert (b, c) == (0, 0), "no rotation expected"
            x0, y0 = a * x + e, d * y + f
            x1, y1 = a * (x + w) + e, d * (y + h) + f
            pending.append((min(x0, x1), page_h - max(y0, y1), abs(x1 - x0), abs(y1 - y0)))
        elif operator in (b"f", b"f*", b"F"):
            boxes.extend(
                Box(x / PT_PER_MM, y / PT_PER_MM, w / PT_PER_MM, h / PT_PER_MM, gray) for x, y, w, h in pending
            )
            pending = []
        elif operator in (b"n", b"S", b"s", b"B", b"b"):
            pending = []
    return boxes


def code_squares(boxes: list[Box], size_mm: float = SIZE_MM) -> list[Box]:
    """The white squares of `size_mm` (the code with its quiet zone)."""
    return [b for b in boxes if b.gray == 1 and abs(b.w - size_mm) < 0.01 and abs(b.h - size_mm) < 0.01]


