"""Reference decoders that `verify scan` is compared with on the real-photo corpus (tests/photos_real/).

Each reference is used the way its documentation shows, on the same 8-bit grayscale pixels that `verify.scan`
decodes (`load_gray`), and answers a list of `Read` (symbology name as the library gives it, text):

- "zxing-cpp": `zxingcpp.read_barcodes(pixels)` with every default (all formats, local-average binarizer,
  rotations, downscaled copies, inverted codes, human-readable text);
- "pyzbar": `pyzbar.pyzbar.decode(pixels)` (libzbar 0.23, all symbologies); the data bytes as UTF-8, else
  Latin-1 (zbar already converts QR text to UTF-8). pyzbar 0.1.9 raises `ValueError` when zbar reports an
  unknown orientation; the same zbar scan is then repeated through pyzbar's ctypes bindings, without the
  orientation, so a reference is never weaker than the library under it;
- "opencv": `cv2.QRCodeDetector()`, both `detectAndDecodeMulti` and `detectAndDecode`, their union;
- "opencv-aruco": `cv2.QRCodeDetectorAruco()`, the same two calls. OpenCV's Python binding raises
  `UnicodeDecodeError` for a text that is not UTF-8: such a call reads nothing.

`available()` names the references whose libraries load here, and why the others do not.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np
import zxingcpp
from numpy.typing import NDArray

Gray = NDArray[np.uint8]
_Y800 = 808466521  # zbar's fourcc of 8-bit grayscale, as pyzbar passes it ('L800' in pyzbar/pyzbar.py)


class Read(NamedTuple):
    """One symbol a reference decoder read: its symbology, as that library names it, and its text."""

    symbology: str
    text: str


def read_zxing(pixels: Gray) -> list[Read]:
    """zxing-cpp's default reader."""
    return [Read(b.format.name, b.text) for b in zxingcpp.read_barcodes(pixels)]


def _zbar_text(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _zbar_lowlevel(pixels: Gray) -> list[Read]:
    """The zbar scan of `pyzbar.pyzbar.decode`, through pyzbar's ctypes bindings, without the orientation."""
    from pyzbar import wrapper as zw

    height, width = pixels.shape
    data = np.ascontiguousarray(pixels).tobytes()
    found = []
    scanner = zw.zbar_image_scanner_create()
    try:
        image = zw.zbar_image_create()
        try:
            zw.zbar_image_set_format(image, _Y800)
            zw.zbar_image_set_size(image, width, height)
            zw.zbar_image_set_data(image, ctypes.cast(data, ctypes.c_void_p), len(data), None)
            if zw.zbar_scan_image(scanner, image) < 0:
                return []
            symbol = zw.zbar_image_first_symbol(image)
            while symbol:
                raw = ctypes.string_at(zw.zbar_symbol_get_data(symbol), zw.zbar_symbol_get_data_length(symbol))
                try:
                    kind = zw.ZBarSymbol(symbol.contents.type).name
                except ValueError:
                    kind = f"zbar type {symbol.contents.type}"
                found.append(Read(kind, _zbar_text(raw)))
                symbol = zw.zbar_symbol_next(symbol)
        finally:
            zw.zbar_image_destroy(image)
    finally:
        zw.zbar_image_scanner_destroy(scanner)
    return found


def read_pyzbar(pixels: Gray) -> list[Read]:
    """pyzbar's `decode` (every symbology libzbar reads)."""
    from pyzbar import pyzbar

    try:
        return [Read(d.type, _zbar_text(d.data)) for d in pyzbar.decode(np.ascontiguousarray(pixels))]
    except ValueError:  # pyzbar 0.1.9: ZBarOrientation(-1) for a symbol of unknown orientation
        return _zbar_lowlevel(pixels)


def _read_opencv(detector: Any, pixels: Gray) -> list[Read]:
    import cv2

    texts: set[str] = set()
    try:
        ok, infos, _, _ = detector.detectAndDecodeMulti(pixels)
        if ok:
            texts.update(t for t in infos if t)
    except (cv2.error, UnicodeDecodeError):
        pass
    try:
        text, _, _ = detector.detectAndDecode(pixels)
        if text:
            texts.add(text)
    except (cv2.error, UnicodeDecodeError):
        pass
    return [Read("QR_CODE", t) for t in sorted(texts)]


def read_opencv(pixels: Gray) -> list[Read]:
    """OpenCV's `QRCodeDetector`."""
    import cv2

    return _read_opencv(cv2.QRCodeDetector(), pixels)


def read_opencv_aruco(pixels: Gray) -> list[Read]:
    """OpenCV's `QRCodeDetectorAruco`."""
    import cv2

    return _read_opencv(cv2.QRCodeDetectorAruco(), pixels)


READERS: dict[str, Callable[[Gray], list[Read]]] = {
    "zxing-cpp": read_zxing,
    "pyzbar": read_pyzbar,
    "opencv": read_opencv,
    "opencv-aruco": read_opencv_aruco,
}
"""The reference decoders by name, in the order of the benchmark's table."""


def available() -> dict[str, str | None]:
    """Each reference's name -> None when its library loads here, else the reason it does not."""
    reasons: dict[str, str | None] = {"zxing-cpp": None}
    try:
        from pyzbar import pyzbar  # noqa: F401
        reasons["pyzbar"] = None
    except ImportError as exc:  # pyzbar missing, or libzbar (Debian: libzbar0) not installed
        reasons["pyzbar"] = f"pyzbar/libzbar does not load: {exc}"
    try:
        import cv2
        cv2.QRCodeDetectorAruco()
        reasons["opencv"] = reasons["opencv-aruco"] = None
    except (ImportError, AttributeError) as exc:
        reasons["opencv"] = reasons["opencv-aruco"] = f"OpenCV does not load: {exc}"
    return reasons
