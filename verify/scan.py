"""Image bytes -> every QR text in the picture. Decoding only: nothing here verifies or trusts a text.

Three stages, each with its own error (verify/errors.py), so a caller can tell the person what went wrong:

1. `probe_image`: byte cap, then the format by its magic bytes (JPEG, PNG, WebP only), then the pixel size
   from the header, refused above the pixel cap *before* any pixel is decoded (Pillow's `Image.open` is lazy).
   Errors: `ImageTooLargeError`, `UnsupportedImageError`, `UnreadableImageError`.
2. `load_gray`: decodes the pixels to 8-bit grayscale (JPEG straight to luma via the decoder's draft mode;
   transparency composited over white, so a black code on a transparent PNG stays readable).
   Error: `UnreadableImageError` (truncated or corrupt data).
3. `decode_gray`: zxing-cpp, QR Code Model 2 only, in passes (`PASSES`); a fallback pass runs only when the
   passes before it found nothing. `scan_image` raises `NoQRCodeError` when no pass finds a code.

Decoder passes and why (measured on the synthetic set of tests/support/photos.py; numbers in docs/bench-scan.md):

- "plain": zxing-cpp with its defaults (local-average binarizer, rotations, downscaled copies, inverted codes).
  It reads every synthetic code of 4 px per module or more, ~97-99 % at 3-4 px, ~70-78 % at 2-3 px.
- "sharpened": the same on an unsharp-masked copy (radius 1 px, 250 %). Blur (defocus, motion, a messenger's
  resampling) is what defeats the plain pass at 2-4 px per module; sharpening restores the module edges.
- "upscaled": a 1.5x bicubic copy, unsharp-masked (radius 1.5 px, 250 %), only for pictures of at most
  `ScanLimits.max_upscale_pixels` / 2.25 pixels (all its gains were on pictures under 3 MP); it helps codes of
  about 2 px per module. Together the two fallbacks lift 2-3 px per module from ~70-78 % to ~96 %, with no
  misread and no false positive, for ~0.1-0.3 s more on pictures without a code.
- Tried and dropped (no gain on the plain pass's failures, or less than the kept ones for more time): a
  global-histogram binarizer pass, background-normalised copies, a denoise-then-upscale copy, 2x upscales,
  other unsharp radii (0.7-3 px). pyzbar: libzbar is not installed. OpenCV's WeChat detector: needs
  opencv-contrib (its `cv2` replaces the opencv-python-headless the tests use) and, for its CNN detector and
  super-resolution, model files from outside the package index; without them see docs/bench-scan.md.
- Micro QR and rMQR are not read: zxing's `QRCode` family includes them, and on a synthetic screenshot a
  finder pattern of a real code was read as a Micro QR symbol "9064". Model 1 is obsolete. So
  `BarcodeFormat.QRCodeModel2` only.

EXIF orientation is not applied: QR detection is rotation-invariant, so it would cost a copy of the picture
and decode nothing more.

Limits: the defaults admit a 12 MP phone photo (~3-8 MB as JPEG), a 600 dpi scan of the 210 x 150 mm insert
(~17.6 MP) and long phone screenshots. Measured peaks (whole process, ~75-80 MB of it imports): 209 MB for a
40 MP JPEG, 382 MB for a 40 MP RGBA PNG (Pillow decodes it as 160 MB of RGBA); the 30000 x 30000 PNG bomb is
refused from its header in a few ms. Pillow's own decompression-bomb guard (`Image.MAX_IMAGE_PIXELS`, default ~89 MP) is
left as it is (it is process-global); its error and warning are converted to `ImageTooLargeError` if raised.

Sources: zxing-cpp 3.x Python API (`read_barcodes`, `BarcodeFormat.QRCodeModel2`); Pillow `Image.open(formats=)`,
`Image.draft`, `ImageFilter.UnsharpMask`; format signatures from the PNG spec (§5.2), JPEG (ITU T.81, SOI marker
FF D8 FF) and the WebP container (RIFF....WEBP).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, NamedTuple

import numpy as np
import zxingcpp
from numpy.typing import NDArray
from PIL import Image, ImageFilter

from .errors import ImageTooLargeError, NoQRCodeError, UnreadableImageError, UnsupportedImageError

__all__ = [
    "DEFAULT_LIMITS",
    "FORMATS",
    "PASSES",
    "ScanLimits",
    "decode_gray",
    "load_gray",
    "probe_image",
    "scan_image",
]

MiB: Final = 1024 * 1024

FORMATS: Final = ("JPEG", "PNG", "WEBP")
"""Pillow format ids that are decoded; everything else is `UnsupportedImageError`."""

PASSES: Final = ("plain", "sharpened", "upscaled")
"""Decoder passes of `decode_gray`, in the order they are tried."""

_SIGNATURES: Final = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"))
_QR: Final = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCodeModel2)
_SHARPEN: Final = ImageFilter.UnsharpMask(radius=1, percent=250, threshold=2)
_SHARPEN_UPSCALED: Final = ImageFilter.UnsharpMask(radius=1.5, percent=250, threshold=2)
_UPSCALE: Final = 1.5
_BAND_BYTES: Final = 4 * MiB


@dataclass(frozen=True)
class ScanLimits:
    """Caps applied before any pixel is decoded.

    Attributes:
        max_image_bytes: largest accepted input, in bytes (default 20 MiB: a 12 MP JPEG is ~3-8 MB, a 600 dpi
            PNG scan of the insert up to ~15 MB).
        max_pixels: largest accepted width x height, in pixels, read from the header (default 40 000 000).
        max_upscale_pixels: the "upscaled" pass runs only if the upscaled copy (2.25 x the pixels) stays within
            this many pixels (default 12 000 000, i.e. pictures up to 5.3 MP; it takes ~0.25 s there).
    """

    max_image_bytes: int = 20 * MiB
    max_pixels: int = 40_000_000
    max_upscale_pixels: int = 12_000_000

    def __post_init__(self) -> None:
        for name in ("max_image_bytes", "max_pixels", "max_upscale_pixels"):
            if getattr(self, name) <= 0:
                raise ValueError(f"ScanLimits.{name} must be positive")


DEFAULT_LIMITS: Final = ScanLimits()


# --- stage 1: probe -------------------------------------------------------------------------------------------


def _sniff(data: bytes) -> str | None:
    """The format by its signature (magic bytes), or None for anything but JPEG, PNG and WebP."""
    for magic, fmt in _SIGNATURES:
        if data.startswith(magic):
            return fmt
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "WEBP"
    return None


def _open(data: bytes, limits: ScanLimits) -> tuple[str, Image.Image]:
    """Opens lazily (header only) and applies the byte, format and pixel caps; see `probe_image`."""
    if len(data) > limits.max_image_bytes:
        raise ImageTooLargeError(f"image of {len(data)} bytes is over the cap of {limits.max_image_bytes} bytes")
    fmt = _sniff(data)
    if fmt is None:
        raise UnsupportedImageError("not a JPEG, PNG or WebP image")
    try:
        # only the plugin of the signature's format is tried; `fmt` is one of FORMATS
        image = Image.open(io.BytesIO(data), formats=[fmt])
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageTooLargeError(f"{fmt} image refused by its header size: {exc}") from exc
    except Exception as exc:  # any failure of Pillow's header parser: corrupt, truncated or not really `fmt`
        raise UnreadableImageError(f"{fmt} header could not be read: {type(exc).__name__}: {exc}") from exc
    width, height = image.size
    if width <= 0 or height <= 0:
        image.close()
        raise UnreadableImageError(f"{fmt} image has an empty size {width} x {height}")
    if width * height > limits.max_pixels:
        image.close()
        raise ImageTooLargeError(
            f"{fmt} image of {width} x {height} pixels is over the cap of {limits.max_pixels} pixels"
        )
    return fmt, image


def probe_image(data: bytes, limits: ScanLimits = DEFAULT_LIMITS) -> tuple[str, int, int]:
    """Checks the caps and the format from the header alone, without decoding pixels.

    Args:
        data: the encoded picture, as uploaded.
        limits: byte and pixel caps.

    Returns:
        (format, width, height): the Pillow format id ("JPEG", "PNG" or "WEBP") and the size in pixels.

    Raises:
        ImageTooLargeError: over `limits.max_image_bytes` bytes, or over `limits.max_pixels` pixels by the
            header (also when Pillow's own decompression-bomb guard fires).
        UnsupportedImageError: the bytes do not start like a JPEG, PNG or WebP file (GIF, BMP, TIFF, HEIC, ...).
        UnreadableImageError: the signature is right but the header is corrupt or truncated.
    """
    fmt, image = _open(data, limits)
    with image:
        return fmt, image.width, image.height


# --- stage 2: pixels --------------------------------------------------------------------------------------------


def _gray_pixels(image: Image.Image) -> NDArray[np.uint8]:
    """8-bit grayscale pixels, transparent areas white (composited over white).

    Closes `image` and each intermediate as soon as it is used up, so that at most about two full-size copies
    live at once (a 40 MP RGBA PNG: 160 MB decoded, then 80 MB LA, then 40 MB gray).
    """
    if image.has_transparency_data:
        luma_alpha = image.convert("LA")
        image.close()
        luma, alpha = luma_alpha.split()
        luma_alpha.close()
        gray = Image.new("L", luma.size, 255)
        gray.paste(luma, (0, 0), alpha)
        luma.close()
        alpha.close()
    elif image.mode != "L":
        gray = image.convert("L")
        image.close()
    else:
        gray = image
    pixels = _to_array(gray)
    gray.close()
    return pixels


def _to_array(gray: Image.Image) -> NDArray[np.uint8]:
    """Copies an "L" image into a new array band by band (`np.asarray(image)` would hold two extra copies)."""
    width, height = gray.size
    pixels = np.empty((height, width), dtype=np.uint8)
    rows = max(1, _BAND_BYTES // width)
    for top in range(0, height, rows):
        bottom = min(top + rows, height)
        pixels[top:bottom] = np.asarray(gray.crop((0, top, width, bottom)), dtype=np.uint8)
    return pixels


def load_gray(data: bytes, limits: ScanLimits = DEFAULT_LIMITS) -> NDArray[np.uint8]:
    """Decodes the picture to 8-bit grayscale after the checks of `probe_image`.

    For a JPEG the decoder outputs luma directly (draft mode at full size), which saves the colour planes.

    Args:
        data: the encoded picture.
        limits: byte and pixel caps.

    Returns:
        The pixels, shape (height, width), dtype uint8, 0 = black.

    Raises:
        ImageTooLargeError, UnsupportedImageError: as `probe_image`.
        UnreadableImageError: the pixel data is truncated or corrupt, or Pillow failed in any other way.
    """
    fmt, image = _open(data, limits)
    try:
        with image:
            if fmt == "JPEG":
                image.draft("L", image.size)
            image.load()
            return _gray_pixels(image)
    except Exception as exc:  # Pillow raises OSError, SyntaxError, ValueError, EOFError, struct.error, ...
        raise UnreadableImageError(f"{fmt} image could not be decoded: {type(exc).__name__}: {exc}") from exc


# --- stage 3: codes ---------------------------------------------------------------------------------------------


class _Found(NamedTuple):
    """A decoded code: centre and height in pixels of the original picture, and its text."""

    y: float
    x: float
    height: float
    text: str


def _read(pixels: NDArray[np.uint8], scale: float) -> list[_Found]:
    """zxing-cpp on one grayscale copy (`scale` times the original picture)."""
    found = []
    for barcode in zxingcpp.read_barcodes(pixels, formats=_QR, text_mode=zxingcpp.TextMode.Plain):
        p = barcode.position
        ys = [c.y for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
        xs = [c.x for c in (p.top_left, p.top_right, p.bottom_right, p.bottom_left)]
        found.append(_Found(sum(ys) / 4 / scale, sum(xs) / 4 / scale, (max(ys) - min(ys)) / scale, barcode.text))
    return found


def _preprocess(name: str, pixels: NDArray[np.uint8], limits: ScanLimits) -> tuple[NDArray[np.uint8], float] | None:
    """The copy a fallback pass decodes and its scale to the original, or None when the pass does not apply."""
    source = Image.fromarray(pixels)
    if name == "sharpened":
        copy = source.filter(_SHARPEN)
        scale = 1.0
    else:  # "upscaled"
        size = (round(source.width * _UPSCALE), round(source.height * _UPSCALE))
        if size[0] * size[1] > limits.max_upscale_pixels:
            return None
        upscaled = source.resize(size, Image.Resampling.BICUBIC)
        copy = upscaled.filter(_SHARPEN_UPSCALED)
        upscaled.close()
        scale = _UPSCALE
    source.close()
    result = _to_array(copy)
    copy.close()
    return result, scale


def _run_pass(name: str, pixels: NDArray[np.uint8], limits: ScanLimits) -> list[_Found]:
    """One decoder pass of `PASSES` on the grayscale picture."""
    if name == "plain":
        return _read(pixels, 1.0)
    prepared = _preprocess(name, pixels, limits)
    return [] if prepared is None else _read(*prepared)


def _reading_order(found: list[_Found]) -> list[str]:
    """Texts in reading order, exact duplicates removed (first kept).

    Codes form one row while their centres lie within half a code's height of the row's first (topmost) code;
    rows go top to bottom, codes in a row left to right.
    """
    rows: list[list[_Found]] = []
    for code in sorted(found):
        if rows and code.y - rows[-1][0].y < rows[-1][0].height / 2:
            rows[-1].append(code)
        else:
            rows.append([code])
    texts: list[str] = []
    for row in rows:
        for code in sorted(row, key=lambda c: (c.x, c.text)):
            if code.text not in texts:
                texts.append(code.text)
    return texts


def decode_gray(pixels: NDArray[np.uint8], *, passes: Sequence[str] = PASSES,
                limits: ScanLimits = DEFAULT_LIMITS) -> list[str]:
    """Every QR code text in a grayscale picture; the next pass runs only while nothing was found.

    Args:
        pixels: shape (height, width), dtype uint8, as returned by `load_gray`.
        passes: names from `PASSES`, tried in the given order (benchmarks pass a subset).
        limits: `max_upscale_pixels` bounds the "upscaled" pass.

    Returns:
        The texts in reading order of their centres (top to bottom, then left to right), exact duplicates
        removed; empty when no pass found a QR code.

    Raises:
        UnreadableImageError: `pixels` is not a 2-D uint8 array, or zxing-cpp failed on it.
        ValueError: a name in `passes` is not one of `PASSES` (a programming error, not an input error).
    """
    if pixels.ndim != 2 or pixels.dtype != np.uint8 or pixels.size == 0:
        raise UnreadableImageError(f"expected a non-empty 2-D uint8 array, got {pixels.dtype} {pixels.shape}")
    unknown = [name for name in passes if name not in PASSES]
    if unknown:
        raise ValueError(f"unknown decoder passes {unknown}; known: {', '.join(PASSES)}")
    pixels = np.ascontiguousarray(pixels)
    for name in passes:
        try:
            found = _run_pass(name, pixels, limits)
        except Exception as exc:  # zxing-cpp or Pillow failing on valid pixels: report, never leak
            raise UnreadableImageError(f"decoder pass {name!r} failed: {type(exc).__name__}: {exc}") from exc
        if found:
            return _reading_order(found)
    return []


def scan_image(data: bytes, *, limits: ScanLimits = DEFAULT_LIMITS) -> list[str]:
    """Finds every QR code in a picture and returns its text; the texts are not checked in any way.

    Args:
        data: the encoded picture (JPEG, PNG or WebP): a phone photo, a flatbed scan or a screenshot.
        limits: byte and pixel caps, checked before any pixel is decoded.

    Returns:
        The QR texts (str), top to bottom then left to right, exact duplicates removed; never empty.

    Raises:
        ImageTooLargeError: over the byte cap, or over the pixel cap by the header.
        UnsupportedImageError: not a JPEG, PNG or WebP file.
        UnreadableImageError: truncated or corrupt picture.
        NoQRCodeError: the picture was read but no QR code was found in it.
    """
    texts = decode_gray(load_gray(data, limits), limits=limits)
    if not texts:
        raise NoQRCodeError("no QR code found in the picture")
    return texts
