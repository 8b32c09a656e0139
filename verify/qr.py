"""QR text -> QR symbol -> images that print exactly 30 x 30 mm.

The QR text of a record (DESIGN.md, Record format) is `HTTPS://<host>/V/` followed by the
COSE bytes written as one decimal number. It is put in the symbol at error-correction level M
as two segments, alphanumeric for the upper-case prefix and numeric for the digits
(ISO/IEC 18004:2015 §7.3 and §7.4). The encoder is zint, through zxing-cpp; its mode
optimiser picks that segmentation (tests/core/test_qr.py checks the version against
`qr_version_for`, the capacity arithmetic of ISO/IEC 18004:2015 Table 7).

Diploma blanks of technical and vocational education carry the QR code at 3 x 3 cm (seed 000,
Rules item 19: "... QR код арқылы автоматты сәйкестендіру технологиясы (өлшемі 3x3 см.)
қолданылады"). Every renderer here therefore draws the symbol *with* its 4-module quiet zone
(ISO/IEC 18004:2015 §6.3, symbol structure) as a square of `size_mm` = 30 mm:

- `render_svg`: `width="30mm" height="30mm"`, viewBox in module units;
- `render_png`: 1-bit PNG, a whole number of pixels per module, at least 600 dpi, with a
  pHYs chunk (PNG spec (W3C, ISO/IEC 15948) §11.3.5.3) that makes the image 30.0 mm wide;
- `verify.qrpdf.render_pdf` and `render_sheet_pdf`: the PDF forms (one code; A4 sheets).

A record too long for the version budget (DESIGN.md, Size budget: version 10 typical,
12 at most) is refused with `OverBudgetError`, never printed smaller.

Example:
    >>> symbol = encode_qr("HTTPS://V.EDU.KZ/V/" + "1" * 477, max_version=12)
    >>> symbol.version, symbol.size, symbol.ec_level
    (10, 57, 'M')
    >>> qr_version_for(len("HTTPS://V.EDU.KZ/V/"), 477)
    10
    >>> render_svg(symbol)[:4]
    b'<svg'
"""

from __future__ import annotations

import math
import re
import struct
import zlib
from dataclasses import dataclass
from fractions import Fraction
from typing import ClassVar, Final
from xml.sax.saxutils import escape

import numpy as np
import numpy.typing as npt
import zxingcpp

from .errors import OverBudgetError, RecordError

__all__ = [
    "DEFAULT_SIZE_MM",
    "QUIET_ZONE_MODULES",
    "QrSymbol",
    "encode_qr",
    "png_geometry",
    "qr_version_for",
    "render_png",
    "render_svg",
]

#: Light modules on each side of the symbol (ISO/IEC 18004:2015 §6.3: the quiet zone is at least 4 modules wide).
QUIET_ZONE_MODULES: Final = 4

#: Printed side of the symbol with its quiet zone, in mm (seed 000, Rules item 19: 3 x 3 cm).
DEFAULT_SIZE_MM: Final = 30.0

#: Data codewords at ECC level M for versions 1-40 (ISO/IEC 18004:2015 Table 7, column "M").
_DATA_CODEWORDS_M: Final = (
    16, 28, 44, 64, 86, 108, 124, 154, 182, 216,
    254, 290, 334, 365, 415, 453, 507, 563, 627, 669,
    714, 782, 860, 914, 1000, 1062, 1128, 1193, 1267, 1373,
    1455, 1541, 1631, 1725, 1812, 1914, 1992, 2102, 2216, 2334,
)  # fmt: skip

_MODE_INDICATOR_BITS: Final = 4  # ISO/IEC 18004:2015 Table 2
_MAX_VERSION: Final = 40
_MM_PER_INCH: Final = Fraction(254, 10)

_XML_INVALID_RE: Final = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True)
class QrSymbol:
    """A QR code symbol as a matrix of modules (ISO/IEC 18004:2015 §6.3).

    Attributes:
        modules: numpy bool array of shape (n, n), True = dark module, without the quiet
            zone; n = 17 + 4 * version (21 to 177). Stored read-only.
        version: the symbol version, 1-40.
        ec_level: the error-correction level, "L", "M", "Q" or "H" ("M" from `encode_qr`).

    Raises:
        ValueError: the matrix is not a square bool array of the size the version implies,
            or the version or level is out of range.
    """

    modules: npt.NDArray[np.bool_]
    version: int
    ec_level: str = "M"

    QUIET_ZONE_MODULES: ClassVar[int] = QUIET_ZONE_MODULES

    def __post_init__(self) -> None:
        if not 1 <= self.version <= _MAX_VERSION:
            raise ValueError(f"QR version must be 1-{_MAX_VERSION}, not {self.version}")
        if self.ec_level not in ("L", "M", "Q", "H"):
            raise ValueError(f"ec_level must be L, M, Q or H, not {self.ec_level!r}")
        side = 17 + 4 * self.version
        modules = np.array(self.modules, dtype=np.bool_, copy=True)
        if modules.shape != (side, side):
            raise ValueError(f"version {self.version} needs {side} x {side} modules, not {modules.shape}")
        modules.flags.writeable = False
        object.__setattr__(self, "modules", modules)

    @property
    def size(self) -> int:
        """Side of the symbol in modules, without the quiet zone (17 + 4 * version)."""
        return int(self.modules.shape[0])

    @property
    def total_modules(self) -> int:
        """Side in modules including the quiet zone on both sides (size + 8)."""
        return self.size + 2 * QUIET_ZONE_MODULES

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, QrSymbol):
            return NotImplemented
        return (
            self.version == other.version
            and self.ec_level == other.ec_level
            and bool(np.array_equal(self.modules, other.modules))
        )

    def __hash__(self) -> int:
        return hash((self.version, self.ec_level, self.modules.tobytes()))

    def __repr__(self) -> str:
        return f"QrSymbol(version={self.version}, ec_level={self.ec_level!r}, size={self.size})"


def qr_version_for(prefix_len: int, digit_count: int) -> int:
    """Smallest QR version holding an alphanumeric and a numeric segment at ECC level M.

    The bit count per ISO/IEC 18004:2015 §7.4.3-7.4.4: each segment costs a 4-bit mode
    indicator plus a character-count indicator (Table 3: numeric 10/12/14 bits and
    alphanumeric 9/11/13 bits for versions 1-9/10-26/27-40), then 10 bits per 3 digits (4 or
    7 for a rest of 1 or 2) and 11 bits per 2 alphanumeric characters (6 for a last odd one).
    It must not exceed 8 x the data codewords of the version at level M (Table 7). The
    terminator may be cut short (§7.4.9), so it needs no room. An empty segment is left out.

    Used to refuse an over-budget record before anything is rendered. zint's mode optimiser is
    never larger; it can be one version smaller for texts with only a few (<= ~6) digits, which
    it merges into the alphanumeric segment, or with digits inside the host (tests/core/test_qr.py).

    Args:
        prefix_len: characters of the upper-case prefix `HTTPS://<host>/V/` (alphanumeric).
        digit_count: decimal digits after the prefix (numeric).

    Returns:
        The version, 1-40.

    Raises:
        ValueError: a negative length, or both lengths zero.
        OverBudgetError: the text does not fit even version 40.
    """
    if prefix_len < 0 or digit_count < 0:
        raise ValueError("prefix_len and digit_count must not be negative")
    if prefix_len == 0 and digit_count == 0:
        raise ValueError("an empty text has no QR version")
    for version, codewords in enumerate(_DATA_CODEWORDS_M, start=1):
        if _segment_bits(version, prefix_len, digit_count) <= 8 * codewords:
            return version
    raise OverBudgetError(
        f"a {prefix_len}-character prefix and {digit_count} digits do not fit QR version {_MAX_VERSION} at ECC M"
    )


def _segment_bits(version: int, prefix_len: int, digit_count: int) -> int:
    band = 0 if version <= 9 else 1 if version <= 26 else 2
    bits = 0
    if prefix_len:
        bits += _MODE_INDICATOR_BITS + (9, 11, 13)[band] + 11 * (prefix_len // 2) + 6 * (prefix_len % 2)
    if digit_count:
        bits += _MODE_INDICATOR_BITS + (10, 12, 14)[band] + 10 * (digit_count // 3) + (0, 4, 7)[digit_count % 3]
    return bits


def encode_qr(text: str, *, max_version: int = _MAX_VERSION) -> QrSymbol:
    """Encode a text as a QR symbol at ECC level M with zint's mode optimiser.

    For the record's QR text (upper-case prefix + digits) zint chooses the alphanumeric +
    numeric segmentation of DESIGN.md; any other text is encoded too (e.g. in byte mode).
    About 1 ms per version-10 symbol.

    Args:
        text: the QR text, e.g. `HTTPS://V.EDU.KZ/V/1234...`.
        max_version: refuse symbols above this version (1-40); 12 is the record budget.

    Returns:
        The symbol, without quiet zone.

    Raises:
        OverBudgetError: the symbol would need a version above `max_version`.
        RecordError: the text is empty or cannot be encoded (e.g. NUL characters, lone
            surrogates); zxing-cpp's errors are converted here.
        ValueError: `max_version` is not 1-40.
    """
    if not 1 <= max_version <= _MAX_VERSION:
        raise ValueError(f"max_version must be 1-{_MAX_VERSION}, not {max_version}")
    if not text:
        raise RecordError("an empty text cannot be put in a QR code")
    try:
        barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
        matrix = np.asarray(barcode.to_image(scale=1, add_quiet_zones=False))
        round_trip = barcode.text
    except ValueError as exc:  # zint reports a text over version 40 as "Input too long ..."
        if "too long" in str(exc):
            raise OverBudgetError(f"text of {len(text)} characters does not fit QR version 40 at ECC M") from exc
        raise RecordError(f"text cannot be encoded as a QR code: {exc}") from exc
    except (RuntimeError, UnicodeError) as exc:
        raise RecordError(f"text cannot be encoded as a QR code: {exc}") from exc
    if round_trip != text:
        raise RecordError("text cannot be encoded as a QR code: it does not survive encoding (NUL character?)")
    side = int(matrix.shape[0])
    version, rest = divmod(side - 17, 4)
    if rest or not 1 <= version <= _MAX_VERSION or matrix.shape != (side, side):
        raise RecordError(f"the encoder returned a {matrix.shape} matrix, not a QR code symbol")
    if version > max_version:
        raise OverBudgetError(f"the text needs QR version {version} at ECC M; at most {max_version} is allowed")
    return QrSymbol(modules=matrix == 0, version=version, ec_level="M")


def check_size_mm(size_mm: float) -> None:
    if not (math.isfinite(size_mm) and size_mm > 0):
        raise ValueError(f"size_mm must be a positive number of millimetres, not {size_mm!r}")


def dark_runs(symbol: QrSymbol, *, offset: int = 0) -> tuple[list[int], list[int], list[int]]:
    """Horizontal runs of dark modules: rows and start columns (plus `offset`) and lengths, in reading order."""
    size = symbol.size
    padded = np.zeros((size, size + 2), dtype=np.int8)
    padded[:, 1:-1] = symbol.modules
    edges = np.diff(padded, axis=1)
    rows, starts = np.nonzero(edges == 1)
    _, ends = np.nonzero(edges == -1)
    return (rows + offset).tolist(), (starts + offset).tolist(), (ends - starts).tolist()


def render_svg(symbol: QrSymbol, *, size_mm: float = DEFAULT_SIZE_MM, title: str | None = None) -> bytes:
    """Render the symbol as an SVG of `size_mm` x `size_mm` millimetres, quiet zone included.

    The viewBox is in module units (0 0 n+8 n+8); a white rectangle covers it and one
    `<path>` holds a rectangle per horizontal run of dark modules, with
    `shape-rendering="crispEdges"`. About 0.3 ms for version 10 (pure Python over ~850 runs).

    Args:
        symbol: the symbol to draw.
        size_mm: printed side in mm, quiet zone included (seed 000, Rules item 19: 30 mm).
        title: optional `<title>` text (accessible name), XML-escaped.

    Returns:
        UTF-8 SVG 1.1 document bytes.

    Raises:
        ValueError: `size_mm` is not a positive finite number, or `title` holds characters
            XML 1.0 forbids.
    """
    check_size_mm(size_mm)
    total = symbol.total_modules
    quiet = QUIET_ZONE_MODULES
    rows, starts, lengths = dark_runs(symbol, offset=quiet)
    # %-formatting measured fastest here (f-strings and str.format are 10-20 % slower)
    path = "".join(["M%d %dh%dv1h-%dz" % run for run in zip(starts, rows, lengths, lengths, strict=True)])  # noqa: UP031
    title_xml = ""
    if title is not None:
        if _XML_INVALID_RE.search(title):
            raise ValueError("title holds characters that XML 1.0 does not allow")
        title_xml = f"<title>{escape(title)}</title>"
    size = f"{size_mm:g}mm"
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="{size}" height="{size}" '
        f'viewBox="0 0 {total} {total}" shape-rendering="crispEdges">{title_xml}'
        f'<rect width="{total}" height="{total}" fill="#fff"/>'
        f'<path fill="#000" d="{path}"/></svg>\n'
    )
    return svg.encode("utf-8")


_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_PNG_ZLIB_LEVEL: Final = 1  # measured: 0.09 ms and ~2.8 kB at version 10, 600 dpi; level 6: 0.35 ms, ~1.8 kB
_PNG_FILTER_NONE: Final = 0
_PNG_FILTER_UP: Final = 2
_PNG_UNIT_METRE: Final = 1


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    """One PNG chunk: length, type, data, CRC-32 over type and data (PNG spec §5.3)."""
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_geometry(symbol: QrSymbol, *, size_mm: float = DEFAULT_SIZE_MM, min_dpi: int = 600) -> tuple[int, int, int]:
    """Pixel geometry of `render_png`: pixels per module, image side in px, pixels per metre.

    k = ceil(min_dpi * size_mm / 25.4 / total_modules) pixels per module, so the side is
    k * (n + 8) px; pixels per metre = round(side / size_mm * 1000), raised by one k if the
    rounding would put the resolution under `min_dpi`. The printed side is
    side / ppm * 1000 mm, within 0.5 / ppm * side mm (< 0.001 mm at 600 dpi) of `size_mm`.

    Args:
        symbol: the symbol to draw.
        size_mm: printed side in mm, quiet zone included.
        min_dpi: lowest resolution allowed, in dots per inch (>= 1).

    Returns:
        (pixels per module, side in px, pixels per metre for the pHYs chunk).

    Raises:
        ValueError: `size_mm` not positive or `min_dpi` < 1.
    """
    check_size_mm(size_mm)
    if min_dpi < 1:
        raise ValueError(f"min_dpi must be at least 1, not {min_dpi}")
    total = symbol.total_modules
    size = Fraction(size_mm)
    k = max(1, math.ceil(min_dpi * size / _MM_PER_INCH / total))
    while True:
        side_px = k * total
        ppm = round(side_px * 1000 / size)
        # dpi = ppm * 0.0254 must stay >= min_dpi after rounding ppm to a whole number
        if ppm * _MM_PER_INCH >= min_dpi * 1000:
            return k, side_px, ppm
        k += 1


def render_png(symbol: QrSymbol, *, size_mm: float = DEFAULT_SIZE_MM, min_dpi: int = 600) -> bytes:
    """Render the symbol as a 1-bit grayscale PNG that prints `size_mm` wide at >= `min_dpi`.

    Each module is a k x k block of pixels (k from `png_geometry`; 11 px for version 10 at
    30 mm, 600 dpi: 715 x 715 px, 605.36 dpi). The pHYs chunk (PNG spec (W3C, ISO/IEC 15948) §11.3.5.3;
    unit 1 = metre) holds round(side_px / size_mm * 1000) pixels per metre, so the image is
    size_mm +- 0.001 mm wide (30.0004 mm for version 10). The PNG is written directly
    (IHDR, pHYs, IDAT, IEND): rows that repeat the row above use filter type 2 (Up), and
    zlib level 1 keeps it at about 0.1 ms, 8-10x faster than Pillow's encoder.

    Args:
        symbol: the symbol to draw.
        size_mm: printed side in mm, quiet zone included (seed 000, Rules item 19: 30 mm).
        min_dpi: lowest resolution, in dots per inch.

    Returns:
        PNG file bytes (colour type 0, bit depth 1: 0 = black, 1 = white).

    Raises:
        ValueError: `size_mm` not positive or `min_dpi` < 1.
    """
    k, side_px, ppm = png_geometry(symbol, size_mm=size_mm, min_dpi=min_dpi)
    total = symbol.total_modules
    light = np.ones((total, total), dtype=np.bool_)
    quiet = QUIET_ZONE_MODULES
    light[quiet : quiet + symbol.size, quiet : quiet + symbol.size] = ~symbol.modules
    module_rows = np.packbits(np.repeat(light, k, axis=1), axis=1)  # (total, ceil(side_px / 8)), pad bits 0
    # Each module row becomes k scanlines: the first unfiltered, the other k-1 "Up" (all zero bytes).
    scanlines = np.zeros((total, k, 1 + module_rows.shape[1]), dtype=np.uint8)
    scanlines[:, 0, 0] = _PNG_FILTER_NONE
    scanlines[:, 0, 1:] = module_rows
    scanlines[:, 1:, 0] = _PNG_FILTER_UP
    header = struct.pack(">IIBBBBB", side_px, side_px, 1, 0, 0, 0, 0)  # 1-bit grayscale, no interlace
    return b"".join(
        (
            _PNG_SIGNATURE,
            _png_chunk(b"IHDR", header),
            _png_chunk(b"pHYs", struct.pack(">IIB", ppm, ppm, _PNG_UNIT_METRE)),
            _png_chunk(b"IDAT", zlib.compress(scanlines.tobytes(), _PNG_ZLIB_LEVEL)),
            _png_chunk(b"IEND", b""),
        )
    )
