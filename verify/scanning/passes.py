"""Stage 3 of `verify.scan`: grayscale pixels -> every symbol read, in passes that stop as soon as one reads.

The passes, in order (`PASSES`); each later pass runs only while no QR Code Model 2 (the kind this service
prints) has been read (once one is, the "candidates" pass still reads the other symbols found but not decoded:
a second code in the picture), and each is bounded in pixels, so in time:

1. "plain": zxing-cpp on the picture with its defaults (local-average binarizer, rotations, downscaled copies,
   inverted codes), QR family only (Model 2, Model 1, Micro QR, rMQR), asking also for the symbols it found but
   could not decode: their outlines are the *candidates* of pass 4.
2. "histogram": the same with the global-histogram binarizer. The local-average binarizer takes the texture of
   a surface (a code printed on a rice cracker) or the dark background next to a white card (codes on card
   over a T-shirt) for module edges; one threshold for the whole picture does not.
3. "sharpened": the same on an unsharp-masked copy (radius 1 px, 250 %): blur (defocus, motion, a messenger's
   resampling) is what defeats the plain pass at 2-4 px per module.
4. "candidates": around each candidate of the passes before (at most `ScanLimits.max_candidates`, largest
   first), a crop with a margin of half the symbol's size on every side, scaled so the symbol is about
   `_CROP_SIDE` px wide, read again: blurred (Gaussian, 1 px) for texture and noise, sharpened, with the
   global-histogram binarizer, and last by zbar (verify/scanning/zbar.py, where libzbar loads), whose
   symbol-wide grid fitting reads codes on bent paper.
5. "upscaled": a 1.5x bicubic, unsharp-masked copy of the whole picture, only when a candidate exists and
   the copy stays within `ScanLimits.max_upscale_pixels`; it reads codes of about 2 px per module.
6. "foreign": when no symbol of the QR family was read at all, zxing-cpp's other formats (Data Matrix, Aztec,
   PDF417, MaxiCode, the linear barcodes; inverted ones not tried) on a copy reduced to at most
   `ScanLimits.max_foreign_pixels`, so that a foreign code is answered "not a code of this service" rather
   than "no code found"; when zxing-cpp reads nothing there either, zbar's EAN/UPC readers on the same copy
   (`zbar.read_linear`, every 4th line): they read blurred product barcodes that zxing-cpp does not.

Micro QR, rMQR and Model 1 symbols are reported as foreign; one whose centre lies inside a QR Code Model 2
read from the same picture is dropped (a finder pattern of a real code once read as a Micro QR "9064").

Measured on tests/photos_real/ and the synthetic set of tests/support/photos.py: docs/bench-scan.md.

Sources: zxing-cpp 3.x Python API (`read_barcodes` with `binarizer=`, `return_errors=`, `Barcode.position`,
`Barcode.symbology_identifier`: "]Q0" is QR Code Model 1, ISO/IEC 18004 Annex F); Pillow `ImageFilter`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Final, NamedTuple

import numpy as np
import zxingcpp
from numpy.typing import NDArray
from PIL import Image, ImageFilter

from . import zbar
from .images import ScanLimits, to_array
from .symbols import QR_MODEL_2, Symbol, drop_shadowed, reading_order

__all__ = ["PASSES", "decode_symbols"]

Gray = NDArray[np.uint8]

PASSES: Final = ("plain", "histogram", "sharpened", "candidates", "upscaled", "foreign")
"""Decoder passes of `decode_symbols`, in the order they are tried."""

_B = zxingcpp.BarcodeFormat
_QR_FAMILY: Final = zxingcpp.BarcodeFormats(_B.QRCode)
_QR_FAMILY_LIST: Final = set(zxingcpp.barcode_formats_list(_QR_FAMILY))
_FOREIGN: Final = zxingcpp.BarcodeFormats(
    [f for f in zxingcpp.barcode_formats_list(zxingcpp.BarcodeFormats(_B.AllReadable)) if f not in _QR_FAMILY_LIST])
_SMOOTH: Final = ImageFilter.GaussianBlur(1)
_BLUR_UPSCALED: Final = ImageFilter.GaussianBlur(1.5)
_UPSCALE: Final = 1.5
_CROP_SIDE: Final = 480
"""Symbol width in px that a candidate crop is scaled to (~8 px per module for a version 10 symbol)."""


class _Read(NamedTuple):
    """What one zxing-cpp call gave: the symbols read, and the outlines of those found but not decoded."""

    symbols: list[Symbol]
    candidates: list[NDArray[np.float64]]


def _symbology(barcode: zxingcpp.Barcode) -> str:
    """zxing-cpp's format name, with QR Code Model 1 told apart from Model 2 by its symbology identifier."""
    name = barcode.format.name
    if name == "QRCode" and barcode.symbology_identifier.startswith("]Q0"):
        return "QRCodeModel1"
    return name


def _outline(barcode: zxingcpp.Barcode, scale: float, offset: tuple[float, float]) -> NDArray[np.float64]:
    """The symbol's four corners as (x, y) rows, in pixels of the original picture."""
    p = barcode.position
    corners = np.array([(c.x, c.y) for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)], float)
    outline: NDArray[np.float64] = corners / scale + np.array(offset)
    return outline


def _zxing(pixels: Gray, formats: zxingcpp.BarcodeFormats, *, scale: float = 1.0,
           offset: tuple[float, float] = (0.0, 0.0),
           binarizer: zxingcpp.Binarizer = zxingcpp.Binarizer.LocalAverage, try_invert: bool = True,
           try_downscale: bool = True) -> _Read:
    """zxing-cpp on one copy: `scale` times the original picture, its top-left corner at `offset` there."""
    read = _Read([], [])
    for barcode in zxingcpp.read_barcodes(pixels, formats=formats, binarizer=binarizer, try_invert=try_invert,
                                          try_downscale=try_downscale,
                                          return_errors=True, text_mode=zxingcpp.TextMode.Plain):
        outline = _outline(barcode, scale, offset)
        if barcode.valid:
            read.symbols.append(Symbol.from_outline(barcode.text, _symbology(barcode), outline))
        elif barcode.format.name == "QRCode":
            read.candidates.append(outline)
    return read


def _resized(pixels: Gray, size: tuple[int, int]) -> Gray:
    """A bicubic resize of `pixels` to `size` (width, height)."""
    source = Image.fromarray(pixels)
    resized = source.resize(size, Image.Resampling.BICUBIC)
    source.close()
    result = to_array(resized)
    resized.close()
    return result


def _smoothed(pixels: Gray) -> Gray:
    """A Gaussian blur (sigma 1 px) of `pixels`: texture and sensor noise are finer than a module."""
    source = Image.fromarray(pixels)
    blurred = source.filter(_SMOOTH)
    source.close()
    result = to_array(blurred)
    blurred.close()
    return result


def _unsharp(pixels: Gray, blur: ImageFilter.Filter = _SMOOTH) -> Gray:
    """Unsharp mask: pixels + 2.5 x (pixels - blurred), clipped, as one `Image.blend` with alpha 3.5.

    The same picture as Pillow's `UnsharpMask(radius, 250 %, threshold 0)` (within 1 grey level), in ~80 % of
    its time.
    """
    source = Image.fromarray(pixels)
    blurred = source.filter(blur)
    sharpened = Image.blend(blurred, source, 3.5)
    blurred.close()
    source.close()
    result = to_array(sharpened)
    sharpened.close()
    return result


def _crop_reads(pixels: Gray, outline: NDArray[np.float64]) -> list[Symbol]:
    """Pass 4 on one candidate: the crop around it, read in turn by each variant until one reads."""
    height, width = pixels.shape
    side = float(np.max(outline.max(axis=0) - outline.min(axis=0)))
    if side < 8:
        return []
    left, top = np.maximum(outline.min(axis=0) - side / 2, 0).astype(int)
    right, bottom = np.minimum(outline.max(axis=0) + side / 2, (width, height)).astype(int)
    crop = np.ascontiguousarray(pixels[top:bottom, left:right])
    scale = min(_CROP_SIDE / side, 4.0)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
    resized = _resized(crop, size)
    offset = (float(left), float(top))
    variants: list[Callable[[], list[Symbol]]] = [
        lambda: _zxing(_smoothed(resized), _QR_FAMILY, scale=scale, offset=offset).symbols,
        lambda: _zxing(_unsharp(resized), _QR_FAMILY, scale=scale, offset=offset).symbols,
        lambda: _zxing(resized, _QR_FAMILY, scale=scale, offset=offset,
                       binarizer=zxingcpp.Binarizer.GlobalHistogram).symbols,
        lambda: [Symbol.from_outline(text, QR_MODEL_2, np.array(points, float) + np.array(offset))
                 for text, points in zbar.read_qr(crop)],  # zbar at the photo's own scale: it fails upscaled
    ]
    for variant in variants:
        found = variant()
        if found:
            return found
    return []


def _largest_first(candidates: list[NDArray[np.float64]], limit: int) -> list[NDArray[np.float64]]:
    """At most `limit` candidates, largest first, each at most once (one whose centre lies in a kept one)."""
    kept: list[NDArray[np.float64]] = []
    for outline in sorted(candidates, key=lambda o: -float(np.ptp(o[:, 0]) * np.ptp(o[:, 1]))):
        low, high = outline.min(axis=0), outline.max(axis=0)
        centre = outline.mean(axis=0)
        if any(np.all(k.min(axis=0) <= centre) and np.all(centre <= k.max(axis=0)) for k in kept):
            continue
        if np.all(high - low > 0):
            kept.append(outline)
        if len(kept) == limit:
            break
    return kept


def _reduced(pixels: Gray, max_pixels: int) -> tuple[Gray, float]:
    """`pixels` reduced by the smallest integer factor that fits `max_pixels` (box filter), and its scale."""
    factor = max(1, math.ceil(math.sqrt(pixels.size / max_pixels)))
    if factor == 1:
        return pixels, 1.0
    source = Image.fromarray(pixels)
    reduced = source.reduce(factor)
    source.close()
    result = to_array(reduced)
    reduced.close()
    return result, 1.0 / factor


class _Scan:
    """The state of one `decode_symbols` call: what was read and the candidates seen so far."""

    def __init__(self, pixels: Gray, limits: ScanLimits) -> None:
        self.pixels = pixels
        self.limits = limits
        self.symbols: list[Symbol] = []
        self.candidates: list[NDArray[np.float64]] = []
        self.tried = 0  # candidates[:tried] went through the "candidates" pass

    def add(self, read: _Read) -> None:
        self.symbols.extend(read.symbols)
        self.candidates.extend(read.candidates)

    def done(self) -> bool:
        return any(s.symbology == QR_MODEL_2 for s in self.symbols)

    def run(self, name: str) -> None:
        """Runs the pass `name` (one of `PASSES`)."""
        getattr(self, "_" + name)()

    def _plain(self) -> None:
        self.add(_zxing(self.pixels, _QR_FAMILY))

    def _histogram(self) -> None:
        self.add(_zxing(self.pixels, _QR_FAMILY, binarizer=zxingcpp.Binarizer.GlobalHistogram))

    def _sharpened(self) -> None:
        self.add(_zxing(_unsharp(self.pixels), _QR_FAMILY, try_invert=False, try_downscale=False))

    def _candidates(self) -> None:
        pending = [o for o in self.candidates[self.tried:]
                   if not any(s.covers(Symbol.from_outline("", "", o)) for s in self.symbols)]
        self.tried = len(self.candidates)
        for outline in _largest_first(pending, self.limits.max_candidates):
            self.symbols.extend(_crop_reads(self.pixels, outline))

    def _upscaled(self) -> None:
        size = (round(self.pixels.shape[1] * _UPSCALE), round(self.pixels.shape[0] * _UPSCALE))
        if self.candidates and size[0] * size[1] <= self.limits.max_upscale_pixels:
            self.add(_zxing(_unsharp(_resized(self.pixels, size), _BLUR_UPSCALED), _QR_FAMILY, scale=_UPSCALE))

    def _foreign(self) -> None:
        if not self.symbols:
            reduced, scale = _reduced(self.pixels, self.limits.max_foreign_pixels)
            self.add(_zxing(reduced, _FOREIGN, scale=scale, try_invert=False))
            if not self.symbols:
                self.symbols.extend(Symbol.from_outline(text, symbology, np.array(points, float) / scale)
                                    for symbology, text, points in zbar.read_linear(reduced) if points)


def decode_symbols(pixels: Gray, *, passes: Sequence[str] = PASSES, limits: ScanLimits) -> list[Symbol]:
    """Every symbol read in a grayscale picture, running `passes` in order until a QR Code Model 2 is read.

    Args:
        pixels: shape (height, width), dtype uint8, C-contiguous.
        passes: names from `PASSES` (benchmarks and tests pass a subset).
        limits: the caps of the bounded passes (`max_candidates`, `max_upscale_pixels`, `max_foreign_pixels`).

    Returns:
        The symbols in reading order, exact duplicates (same symbology and text) removed, symbols of the QR
        family centred inside a QR Code Model 2 dropped.

    Raises:
        ValueError: a name in `passes` is not one of `PASSES`.
    """
    unknown = [name for name in passes if name not in PASSES]
    if unknown:
        raise ValueError(f"unknown decoder passes {unknown}; known: {', '.join(PASSES)}")
    scan = _Scan(pixels, limits)
    for i, name in enumerate(passes):
        scan.run(name)
        if scan.done():
            if "candidates" in passes[i + 1:]:  # other codes of the picture that were found but not decoded
                scan.run("candidates")
            break
    return reading_order(drop_shadowed(scan.symbols))
