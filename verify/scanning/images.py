"""Stages 1 and 2 of `verify.scan`: the caps and format from the header, then 8-bit grayscale pixels.

1. `probe_image`: byte cap, then the format by its magic bytes (JPEG, PNG, WebP only), then the pixel size
   from the header, refused above the pixel cap *before* any pixel is decoded (Pillow's `Image.open` is lazy).
   Errors: `ImageTooLargeError`, `UnsupportedImageError`, `UnreadableImageError`.
2. `load_gray`: decodes the pixels to 8-bit grayscale (JPEG straight to luma via the decoder's draft mode;
   transparency composited over white, so a black code on a transparent PNG stays readable).
   Error: `UnreadableImageError` (truncated or corrupt data).

Limits: the defaults admit a 12 MP phone photo (~3-8 MB as JPEG), a 600 dpi scan of the 210 x 150 mm insert
(~17.6 MP) and long phone screenshots. Measured peaks (whole process, ~75-80 MB of it imports): 209 MB for a
40 MP JPEG, 382 MB for a 40 MP RGBA PNG (Pillow decodes it as 160 MB of RGBA); the 30000 x 30000 PNG bomb is
refused from its header in a few ms. Pillow's own decompression-bomb guard (`Image.MAX_IMAGE_PIXELS`, default ~89 MP)
is left as it is (it is process-global); its error and warning are converted to `ImageTooLargeError` if raised.

EXIF orientation is not applied: QR detection is rotation-invariant, so it would cost a copy of the picture
and decode nothing more.

Sources: Pillow `Image.open(formats=)`, `Image.draft`; format signatures from the PNG spec (§5.2), JPEG (ITU T.81,
SOI marker FF D8 FF) and the WebP container (RIFF....WEBP).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import NDArray
from PIL import Image

from ..errors import ImageTooLargeError, UnreadableImageError, UnsupportedImageError

__all__ = ["DEFAULT_LIMITS", "FORMATS", "ScanLimits", "load_gray", "probe_image", "to_array"]

MiB: Final = 1024 * 1024

FORMATS: Final = ("JPEG", "PNG", "WEBP")
"""Pillow format ids that are decoded; everything else is `UnsupportedImageError`."""

_SIGNATURES: Final = ((b"\xff\xd8\xff", "JPEG"), (b"\x89PNG\r\n\x1a\n", "PNG"))
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
        max_candidates: the "candidates" pass reads crops around at most this many symbols that zxing-cpp
            found but could not decode (default 4; each costs a few ms).
        max_foreign_pixels: the "foreign" pass (symbols of other kinds) reads a copy reduced by an integer
            factor to at most this many pixels (default 200 000: ~2-4 ms; a 12 MP photo is read at 1/8).
    """

    max_image_bytes: int = 20 * MiB
    max_pixels: int = 40_000_000
    max_upscale_pixels: int = 12_000_000
    max_candidates: int = 4
    max_foreign_pixels: int = 200_000

    def __post_init__(self) -> None:
        for name in ("max_image_bytes", "max_pixels", "max_upscale_pixels", "max_candidates", "max_foreign_pixels"):
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
    pixels = to_array(gray)
    gray.close()
    return pixels


def to_array(gray: Image.Image) -> NDArray[np.uint8]:
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


