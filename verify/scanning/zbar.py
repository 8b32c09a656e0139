"""The optional zbar readers of `verify.scan`: libzbar's QR reader on a crop, its EAN/UPC readers on a reduced
picture, through pyzbar's ctypes bindings.

zbar samples a QR symbol on a grid it fits to the timing and alignment patterns across the whole symbol, so it
reads codes on bent or curved paper whose modules no longer lie on one perspective grid, where zxing-cpp finds
the symbol but fails its error correction (measured on tests/photos_real/: zxing/qrcode-4/08.png, a card bent
over a T-shirt). It runs only on crops around such a failed zxing-cpp detection.

`read_linear` runs zbar's EAN-13, EAN-8, UPC-A and UPC-E readers (and no other) in the "foreign" pass, when
nothing else was read: zbar finds the edges of bars on each scan line from the grey-level derivative, so it reads
blurred product barcodes whose bars zxing-cpp's thresholds merge (tests/photos_real/: zxing/ean13-2/01.png and
02.png), and a foreign code is then answered "not a code of this service" rather than "no code found". It scans
every `LINEAR_DENSITY`-th row and column of a picture already reduced to `ScanLimits.max_foreign_pixels`, so its
cost is bounded (about 0.4 ms median on the real photos, docs/bench-scan.md).

Each call enables only the readers it needs: the smaller the surface of a C decoder on uploaded pictures, the
better (libzbar 0.23.92-7+deb12u1 carries the Debian fixes of CVE-2023-40889 in the QR reader and CVE-2023-40890
in the DataBar reader, which stays off). Both are optional: when pyzbar is missing or libzbar (Debian: libzbar0)
does not load, `available()` is False and they read nothing.

pyzbar's own `decode` is not used: pyzbar 0.1.9 raises `ValueError` for a symbol whose orientation zbar leaves
unknown; the same calls are made here without asking for the orientation.

Sources: zbar's C API (zbar.h: `zbar_image_scanner_set_config`, `zbar_scan_image`, `zbar_symbol_get_loc_*`),
pyzbar 0.1.9 `pyzbar/wrapper.py` (the ctypes declarations used here) and `pyzbar/pyzbar.py` ('Y800' fourcc).
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
from types import ModuleType
from typing import Final

import numpy as np
from numpy.typing import NDArray

__all__ = ["LINEAR_DENSITY", "LINEAR_SYMBOLOGIES", "available", "read_linear", "read_qr"]

_Y800: Final = 808466521  # zbar's fourcc of 8-bit grayscale ("Y800"), as pyzbar passes it
LINEAR_SYMBOLOGIES: Final = ("EAN13", "EAN8", "UPCA", "UPCE")
"""zbar's 1-D readers that `read_linear` enables (zbar's and zxing-cpp's names agree), each with a check digit."""
LINEAR_DENSITY: Final = 4
"""`read_linear` scans every 4th row and every 4th column (zbar's X_DENSITY and Y_DENSITY): measured on the real
photos, the same reads as every line at a quarter of the time."""


@functools.cache
def _wrapper() -> ModuleType | None:
    """pyzbar's ctypes wrapper with libzbar loaded, or None when either is missing."""
    try:
        from pyzbar import wrapper

        wrapper.load_libzbar()
    except (ImportError, OSError):
        return None
    module: ModuleType = wrapper
    return module


def available() -> bool:
    """Whether the zbar pass can run here (pyzbar installed and libzbar loadable)."""
    return _wrapper() is not None


def read_qr(pixels: NDArray[np.uint8]) -> list[tuple[str, list[tuple[int, int]]]]:
    """Every QR code zbar reads in a grayscale picture.

    Args:
        pixels: shape (height, width), dtype uint8.

    Returns:
        (text, outline) per symbol: the text as zbar gives it (UTF-8 after its charset conversion; a symbol
        whose bytes are not UTF-8 is left out) and the outline's points as (x, y) pixels of `pixels`. Empty when
        zbar is not available.
    """
    return [(text, outline) for _, text, outline in _scan(pixels, ("QRCODE",), density=1)]


def read_linear(pixels: NDArray[np.uint8]) -> list[tuple[str, str, list[tuple[int, int]]]]:
    """Every EAN-13, EAN-8, UPC-A or UPC-E barcode zbar reads in a grayscale picture, on every `LINEAR_DENSITY`-th
    row and column.

    Args:
        pixels: shape (height, width), dtype uint8 (a reduced copy: the cost grows with the pixels).

    Returns:
        (symbology, text, points) per symbol: symbology one of `LINEAR_SYMBOLOGIES`, the digits, and the points
        where scan lines crossed it as (x, y) pixels of `pixels`. Empty when zbar is not available.
    """
    return _scan(pixels, LINEAR_SYMBOLOGIES, density=LINEAR_DENSITY)


def _scan(pixels: NDArray[np.uint8], symbologies: tuple[str, ...], *,
          density: int) -> list[tuple[str, str, list[tuple[int, int]]]]:
    """zbar with only `symbologies` enabled (pyzbar's `ZBarSymbol` names), scanning every `density`-th line."""
    zw = _wrapper()
    if zw is None:
        return []
    height, width = pixels.shape
    pixels = np.ascontiguousarray(pixels)  # zbar reads the array's memory in place; `pixels` outlives the scan
    found = []
    scanner = zw.zbar_image_scanner_create()
    try:
        zw.zbar_image_scanner_set_config(scanner, zw.ZBarSymbol.NONE, zw.ZBarConfig.CFG_ENABLE, 0)
        for name in symbologies:
            zw.zbar_image_scanner_set_config(scanner, zw.ZBarSymbol[name], zw.ZBarConfig.CFG_ENABLE, 1)
        zw.zbar_image_scanner_set_config(scanner, zw.ZBarSymbol.NONE, zw.ZBarConfig.CFG_X_DENSITY, density)
        zw.zbar_image_scanner_set_config(scanner, zw.ZBarSymbol.NONE, zw.ZBarConfig.CFG_Y_DENSITY, density)
        image = zw.zbar_image_create()
        try:
            zw.zbar_image_set_format(image, _Y800)
            zw.zbar_image_set_size(image, width, height)
            zw.zbar_image_set_data(image, pixels.ctypes.data_as(ctypes.c_void_p), pixels.size, None)
            if zw.zbar_scan_image(scanner, image) > 0:
                symbol = zw.zbar_image_first_symbol(image)
                while symbol:
                    kind = zw.ZBarSymbol(symbol.contents.type).name
                    raw = ctypes.string_at(zw.zbar_symbol_get_data(symbol), zw.zbar_symbol_get_data_length(symbol))
                    outline = [(int(zw.zbar_symbol_get_loc_x(symbol, i)), int(zw.zbar_symbol_get_loc_y(symbol, i)))
                               for i in range(zw.zbar_symbol_get_loc_size(symbol))]
                    with contextlib.suppress(UnicodeDecodeError):  # never a text other than the one encoded
                        found.append((kind, raw.decode("utf-8"), outline))
                    symbol = zw.zbar_symbol_next(symbol)
        finally:
            zw.zbar_image_destroy(image)
    finally:
        zw.zbar_image_scanner_destroy(scanner)
    return found
