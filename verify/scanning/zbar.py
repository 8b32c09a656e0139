"""The optional zbar pass of `verify.scan`: libzbar's QR reader on a crop, through pyzbar's ctypes bindings.

zbar samples a QR symbol on a grid it fits to the timing and alignment patterns across the whole symbol, so it
reads codes on bent or curved paper whose modules no longer lie on one perspective grid, where zxing-cpp finds
the symbol but fails its error correction (measured on tests/photos_real/: zxing/qrcode-4/08.png, a card bent
over a T-shirt). It runs only on crops around such a failed zxing-cpp detection.

Only the QR reader of zbar is enabled (the 1-D readers are off): it is the one that adds reads here, and the
smaller the surface of a C decoder on uploaded pictures, the better (libzbar 0.23.92-7+deb12u1 carries the
Debian fixes of CVE-2023-40889 and CVE-2023-40890). The pass is optional: when pyzbar is missing or libzbar
(Debian: libzbar0) does not load, `available()` is False and the pass reads nothing.

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

__all__ = ["available", "read_qr"]

_Y800: Final = 808466521  # zbar's fourcc of 8-bit grayscale ("Y800"), as pyzbar passes it


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
    zw = _wrapper()
    if zw is None:
        return []
    height, width = pixels.shape
    pixels = np.ascontiguousarray(pixels)  # zbar reads the array's memory in place; `pixels` outlives the scan
    found = []
    scanner = zw.zbar_image_scanner_create()
    try:
        zw.zbar_image_scanner_set_config(scanner, zw.ZBarSymbol.NONE, zw.ZBarConfig.CFG_ENABLE, 0)
        zw.zbar_image_scanner_set_config(scanner, zw.ZBarSymbol.QRCODE, zw.ZBarConfig.CFG_ENABLE, 1)
        image = zw.zbar_image_create()
        try:
            zw.zbar_image_set_format(image, _Y800)
            zw.zbar_image_set_size(image, width, height)
            zw.zbar_image_set_data(image, pixels.ctypes.data_as(ctypes.c_void_p), pixels.size, None)
            if zw.zbar_scan_image(scanner, image) > 0:
                symbol = zw.zbar_image_first_symbol(image)
                while symbol:
                    raw = ctypes.string_at(zw.zbar_symbol_get_data(symbol), zw.zbar_symbol_get_data_length(symbol))
                    outline = [(int(zw.zbar_symbol_get_loc_x(symbol, i)), int(zw.zbar_symbol_get_loc_y(symbol, i)))
                               for i in range(zw.zbar_symbol_get_loc_size(symbol))]
                    with contextlib.suppress(UnicodeDecodeError):  # never a text other than the one encoded
                        found.append((raw.decode("utf-8"), outline))
                    symbol = zw.zbar_symbol_next(symbol)
        finally:
            zw.zbar_image_destroy(image)
    finally:
        zw.zbar_image_scanner_destroy(scanner)
    return found
