"""Image bytes -> every symbol in the picture. Decoding only: nothing here verifies or trusts a text.

Three stages, each with its own error (verify/errors.py), so a caller can tell the person what went wrong:

1. `probe_image`: byte cap, format by magic bytes (JPEG, PNG, WebP), pixel size from the header, all before
   any pixel is decoded (verify/scanning/images.py).
2. `load_gray`: 8-bit grayscale pixels (verify/scanning/images.py).
3. `decode_symbols` / `decode_gray`: zxing-cpp (and, where libzbar loads, zbar on crops and zbar's EAN/UPC readers
   on a reduced copy) in bounded passes (`PASSES`, verify/scanning/passes.py) that stop once a QR Code Model 2 is
   read.

Two answers for callers:

- `scan_image(data) -> list[str]`: the texts of the QR Code Model 2 symbols, the only kind this service prints.
  A picture without one raises `NoQRCodeError`, or its subclass `ForeignCodeError` ("not a code of this
  service", code FOREIGN_CODE) when symbols of other kinds were read: a Data Matrix, a barcode, a Micro QR, an
  rMQR or a QR Code Model 1.
- `read_symbols(data) -> list[Symbol]`: every symbol read, typed (`Symbol.symbology`,
  `Symbol.is_service_kind`), for a caller that shows what a foreign symbol is.

Whether a QR Code Model 2 text is one of this service's records is the verifier's step 1 (docs/FORMAT.md §7).
Measured on real photos (tests/photos_real/) and on the synthetic set (tests/support/photos.py): docs/bench-scan.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from .errors import ForeignCodeError, NoQRCodeError, UnreadableImageError
from .scanning import zbar
from .scanning.images import DEFAULT_LIMITS, FORMATS, ScanLimits, load_gray, probe_image
from .scanning.passes import PASSES
from .scanning.passes import decode_symbols as _decode_symbols
from .scanning.symbols import QR_FAMILY, QR_MODEL_2, Symbol

__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "PASSES",
    "QR_FAMILY",
    "QR_MODEL_2",
    "ScanLimits",
    "Symbol",
    "decode_gray",
    "decode_symbols",
    "load_gray",
    "probe_image",
    "read_symbols",
    "scan_image",
    "zbar_available",
]


def zbar_available() -> bool:
    """Whether the zbar readers run here (pyzbar installed, libzbar loadable): the zbar variant of the "candidates"
    pass and the EAN/UPC readers of the "foreign" pass."""
    return zbar.available()


def decode_symbols(pixels: NDArray[np.uint8], *, passes: Sequence[str] = PASSES,
                   limits: ScanLimits = DEFAULT_LIMITS) -> list[Symbol]:
    """Every symbol in a grayscale picture, of any kind zxing-cpp reads.

    Args:
        pixels: shape (height, width), dtype uint8, as returned by `load_gray`.
        passes: names from `PASSES`, tried in the given order (benchmarks and tests pass a subset).
        limits: the caps of the bounded passes.

    Returns:
        The symbols in reading order of their centres (top to bottom, then left to right), exact duplicates
        removed; empty when nothing was read.

    Raises:
        UnreadableImageError: `pixels` is not a non-empty 2-D uint8 array, or a decoder failed on it.
        ValueError: a name in `passes` is not one of `PASSES` (a programming error, not an input error).
    """
    if pixels.ndim != 2 or pixels.dtype != np.uint8 or pixels.size == 0:
        raise UnreadableImageError(f"expected a non-empty 2-D uint8 array, got {pixels.dtype} {pixels.shape}")
    pixels = np.ascontiguousarray(pixels)
    try:
        return _decode_symbols(pixels, passes=passes, limits=limits)
    except ValueError:
        raise
    except Exception as exc:  # zxing-cpp, zbar or Pillow failing on valid pixels: report, never leak
        raise UnreadableImageError(f"decoding failed: {type(exc).__name__}: {exc}") from exc


def decode_gray(pixels: NDArray[np.uint8], *, passes: Sequence[str] = PASSES,
                limits: ScanLimits = DEFAULT_LIMITS) -> list[str]:
    """The texts of every QR Code Model 2 in a grayscale picture (`decode_symbols`, other kinds left out).

    Args, Raises: as `decode_symbols`.

    Returns:
        The texts in reading order, exact duplicates removed; empty when no QR Code Model 2 was read.
    """
    return [s.text for s in decode_symbols(pixels, passes=passes, limits=limits) if s.is_service_kind]


def read_symbols(data: bytes, *, limits: ScanLimits = DEFAULT_LIMITS) -> list[Symbol]:
    """Finds every symbol in a picture; the texts are not checked in any way.

    Args:
        data: the encoded picture (JPEG, PNG or WebP): a phone photo, a flatbed scan or a screenshot.
        limits: byte and pixel caps, checked before any pixel is decoded, and the caps of the passes.

    Returns:
        Every symbol read, in reading order; never empty.

    Raises:
        ImageTooLargeError: over the byte cap, or over the pixel cap by the header.
        UnsupportedImageError: not a JPEG, PNG or WebP file.
        UnreadableImageError: truncated or corrupt picture.
        NoQRCodeError: the picture was read but no symbol of any kind was found in it.
    """
    symbols = decode_symbols(load_gray(data, limits), limits=limits)
    if not symbols:
        raise NoQRCodeError("no QR code found in the picture")
    return symbols


def scan_image(data: bytes, *, limits: ScanLimits = DEFAULT_LIMITS) -> list[str]:
    """Finds every QR Code Model 2 in a picture and returns its text; the texts are not checked in any way.

    Args:
        data: the encoded picture (JPEG, PNG or WebP): a phone photo, a flatbed scan or a screenshot.
        limits: byte and pixel caps, checked before any pixel is decoded, and the caps of the passes.

    Returns:
        The QR texts (str), top to bottom then left to right, exact duplicates removed; never empty.

    Raises:
        ImageTooLargeError: over the byte cap, or over the pixel cap by the header.
        UnsupportedImageError: not a JPEG, PNG or WebP file.
        UnreadableImageError: truncated or corrupt picture.
        ForeignCodeError: no QR Code Model 2, but symbols of other kinds (not a code of this service).
        NoQRCodeError: the picture was read but no symbol of any kind was found in it.
    """
    symbols = read_symbols(data, limits=limits)
    texts = [s.text for s in symbols if s.is_service_kind]
    if not texts:
        kinds = tuple(dict.fromkeys(s.symbology for s in symbols))
        raise ForeignCodeError(f"no QR code of this service in the picture; read instead: {', '.join(kinds)}",
                               symbologies=kinds)
    return texts
