"""Deterministic synthetic pictures of diploma inserts, for testing and benchmarking `verify.scan`.

Every picture is made from a seed alone, so a failing case can be regenerated and inspected:
`make_photo(seed=17, ppm=3.2).save("/tmp/p.jpg")` writes the exact bytes the test saw.

What is modelled (all lengths in mm on paper, all sizes in pixels of the output picture):

- the insert: 210 x 150 mm, paper tone, guilloche background lines, double border, a heading and lines of
  text-like glyphs, a stamp and a signature; the QR code is 30 x 30 mm *including* its 4-module quiet zone
  (DESIGN.md "Size budget"), so one module is 30 / (N + 8) mm for a symbol of N x N modules (N = 57, 61 or 65
  for versions 10, 11, 12);
- phone photos (`make_photo`): the insert on a desk, rotated, tilted in perspective, unevenly lit, defocused and
  motion-blurred, with colour cast, sensor noise and JPEG or WebP compression, 1 to 12 MP;
- flatbed scans (`make_scan`): 200 to 600 dpi, a small skew, mild blur and noise, JPEG or PNG;
- screenshots (`make_screenshot`): the insert rendered anti-aliased on a screen-sized canvas, PNG or lossless WebP;
- pictures without any QR code (`make_negative`): the insert without its code, with a Data Matrix instead of a
  QR code, random textures, and photo-like noise.

`ppm` ("pixels per module") is the measured size of one module in the output picture: the square root of the
area of the symbol's quadrilateral (quiet zone excluded) divided by N. Every `Sample` records it with the other
parameters used, so results can be bucketed by it.

Sources: the geometry follows ISO/IEC 18004 (module count 17 + 4 * version, 4-module quiet zone); the 12 MP
frame (4032 x 3024) is a common phone sensor size.
"""

from __future__ import annotations

import io
import math
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field

import cv2
import numpy as np
import zxingcpp
from numpy.typing import NDArray
from PIL import Image, ImageDraw

PAGE_MM = (210.0, 150.0)
"""Width and height of the insert in mm."""

QR_MM = 30.0
"""Printed side of the QR code in mm, quiet zone of 4 modules included."""

QUIET_MODULES = 4
PREFIX = "HTTPS://V.EDU.KZ/V/"
MAX_FRAME_PIXELS = 12_000_000
MIN_FRAME_PIXELS = 1_000_000

Gray = NDArray[np.uint8]
Field = NDArray[np.float32]


@dataclass(frozen=True)
class Sample:
    """One synthetic picture and what it holds.

    Attributes:
        name: unique, human-readable id (kind and seed), e.g. "photo-17".
        kind: "photo", "scan", "screenshot", "two-codes" or, without a QR code, "insert", "datamatrix",
            "texture", "noise".
        data: the encoded picture (bytes of a JPEG, PNG or WebP file).
        fmt: "JPEG", "PNG" or "WEBP".
        width: picture width in pixels.
        height: picture height in pixels.
        texts: the QR texts encoded in the picture, empty when it holds none.
        ppm: measured pixels per module of the smallest code (0.0 when there is no code).
        params: every other parameter used to make the picture (version, angles, blur sigma in pixels, ...).
    """

    name: str
    kind: str
    data: bytes
    fmt: str
    width: int
    height: int
    texts: tuple[str, ...]
    ppm: float
    params: dict[str, float | int | str] = field(default_factory=dict)

    def save(self, path: str) -> None:
        """Write the encoded picture to `path` (for inspecting a failing case)."""
        with open(path, "wb") as f:
            f.write(self.data)


@dataclass(frozen=True)
class Placement:
    """A 2-D code printed on the insert: its module matrix (0 = dark) and top-left corner in mm."""

    matrix: Gray
    x_mm: float
    y_mm: float
    side_mm: float = QR_MM
    quiet: int = QUIET_MODULES

    @property
    def modules(self) -> int:
        """Symbol width in modules, quiet zone excluded."""
        return int(self.matrix.shape[1])


# --- codes --------------------------------------------------------------------------------------------------


def qr_text(rng: np.random.Generator) -> str:
    """A text shaped like ours: the upper-case prefix and 440-620 decimal digits (QR versions 10-12 at ECC M)."""
    digits = rng.integers(0, 10, size=int(rng.integers(440, 621)))
    return PREFIX + "1" + "".join(map(str, digits.tolist()))


def qr_matrix(text: str) -> Gray:
    """The module matrix of `text` as QR code at ECC M, without quiet zone: uint8, N x N, 0 = dark, 255 = light."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    return np.asarray(barcode.to_image(scale=1, add_quiet_zones=False), dtype=np.uint8)


def datamatrix_matrix(text: str) -> Gray:
    """The module matrix of `text` as Data Matrix (a 2-D code that `scan` must not report)."""
    barcode = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.DataMatrix)
    return np.asarray(barcode.to_image(scale=1, add_quiet_zones=False), dtype=np.uint8)


def version_of(matrix: Gray) -> int:
    """QR version from the symbol width N = 17 + 4 * version."""
    return (int(matrix.shape[0]) - 17) // 4


# --- the insert -----------------------------------------------------------------------------------------------


def _mm(value: float, scale: float) -> int:
    return round(value * scale)


def _draw_guilloche(draw: ImageDraw.ImageDraw, rng: np.random.Generator, scale: float) -> None:
    width, height = PAGE_MM
    xs = np.linspace(0.0, width, 400)
    for k in range(int(rng.integers(10, 18))):
        base = 8.0 + k * (height - 16.0) / 16.0
        amp, period, phase = rng.uniform(1.5, 4.0), rng.uniform(15.0, 40.0), rng.uniform(0, 2 * math.pi)
        ys = base + amp * np.sin(2 * math.pi * xs / period + phase)
        points = [(float(x * scale), float(y * scale)) for x, y in zip(xs, ys, strict=True)]
        draw.line(points, fill=int(rng.integers(200, 225)), width=max(1, _mm(0.15, scale)))


def _draw_border(draw: ImageDraw.ImageDraw, scale: float) -> None:
    width, height = PAGE_MM
    for inset, line in ((5.0, 0.6), (6.5, 0.25)):
        box = (_mm(inset, scale), _mm(inset, scale), _mm(width - inset, scale), _mm(height - inset, scale))
        draw.rectangle(box, outline=40, width=max(1, _mm(line, scale)))


def _draw_word(draw: ImageDraw.ImageDraw, rng: np.random.Generator, x: float, y: float, size: float,
               scale: float) -> float:
    """Draws glyph-like strokes of one word with baseline at y mm; returns the x mm where the word ends."""
    ink = int(rng.integers(15, 70))
    for _ in range(int(rng.integers(2, 10))):
        glyph_w = size * rng.uniform(0.35, 0.7)
        tall = rng.random() < 0.3
        top = y - size * (1.0 if tall else 0.65)
        stroke = max(size * 0.12, 0.12)
        # a glyph: a stem and a bowl or a bar, which is enough to look like print to a detector
        draw.rectangle((_mm(x, scale), _mm(top, scale), _mm(x + stroke, scale), _mm(y, scale)), fill=ink)
        if rng.random() < 0.6:
            draw.ellipse((_mm(x, scale), _mm(y - size * 0.6, scale), _mm(x + glyph_w, scale), _mm(y, scale)),
                         outline=ink, width=max(1, _mm(stroke, scale)))
        else:
            draw.rectangle((_mm(x, scale), _mm(top, scale), _mm(x + glyph_w, scale), _mm(top + stroke, scale)),
                           fill=ink)
        x += glyph_w + size * 0.18
    return x


def _overlaps(box: tuple[float, float, float, float], keep_out: list[tuple[float, float, float, float]]) -> bool:
    x0, y0, x1, y1 = box
    return any(x0 < b[2] and b[0] < x1 and y0 < b[3] and b[1] < y1 for b in keep_out)


def _draw_text(draw: ImageDraw.ImageDraw, rng: np.random.Generator, scale: float,
               keep_out: list[tuple[float, float, float, float]]) -> None:
    width, height = PAGE_MM
    # heading, centred
    _draw_line_of_words(draw, rng, scale, keep_out, y=22.0, x_from=55.0, x_to=155.0, size=5.0)
    y = 34.0
    while y < height - 12.0:
        size = float(rng.uniform(2.2, 3.4))
        _draw_line_of_words(draw, rng, scale, keep_out, y=y, x_from=12.0, x_to=width - 12.0, size=size)
        y += size * rng.uniform(1.8, 2.6)


def _draw_line_of_words(draw: ImageDraw.ImageDraw, rng: np.random.Generator, scale: float,
                        keep_out: list[tuple[float, float, float, float]], *, y: float, x_from: float, x_to: float,
                        size: float) -> None:
    x = x_from + rng.uniform(0.0, 10.0)
    while x < x_to - 15.0:
        word_box = (x, y - size, x + 6.0 * size, y + 0.5)
        if _overlaps(word_box, keep_out):
            x += 2.0 * size
            continue
        x = _draw_word(draw, rng, x, y, size, scale) + size * rng.uniform(0.6, 1.2)
        if rng.random() < 0.08:
            x += rng.uniform(10.0, 40.0)  # a gap between fields of a form


def _draw_stamp_and_signature(draw: ImageDraw.ImageDraw, rng: np.random.Generator, scale: float) -> None:
    cx, cy, r = rng.uniform(40.0, 70.0), rng.uniform(105.0, 120.0), rng.uniform(15.0, 19.0)
    ink = int(rng.integers(70, 130))
    for radius, line in ((r, 0.7), (r - 4.0, 0.4)):
        box = (_mm(cx - radius, scale), _mm(cy - radius, scale), _mm(cx + radius, scale), _mm(cy + radius, scale))
        draw.ellipse(box, outline=ink, width=max(1, _mm(line, scale)))
    t = np.linspace(0.0, 1.0, 120)
    sx = 80.0 + 40.0 * t + 3.0 * np.sin(t * rng.uniform(20.0, 40.0))
    sy = 125.0 + 4.0 * np.sin(t * rng.uniform(8.0, 16.0)) + 2.0 * np.cos(t * rng.uniform(25.0, 45.0))
    points = [(float(x * scale), float(y * scale)) for x, y in zip(sx, sy, strict=True)]
    draw.line(points, fill=int(rng.integers(20, 80)), width=max(1, _mm(0.4, scale)))


def _paste_code(page: Gray, placement: Placement, scale: float, paper: int, ink: int) -> None:
    """Prints a code at `scale` px/mm, anti-aliased (box filter), over its whole square incl. the quiet zone."""
    padded = np.pad(placement.matrix, placement.quiet, constant_values=255)
    side = _mm(placement.side_mm, scale)
    # exact area coverage: upsample by an integer factor with nearest, then box-filter down to `side`
    factor = max(1, math.ceil(side / padded.shape[0]) * 2)
    big = Image.fromarray(np.kron(padded, np.ones((factor, factor), dtype=np.uint8)))
    light = np.asarray(big.resize((side, side), Image.Resampling.BOX), dtype=np.float32) / 255.0
    x0, y0 = _mm(placement.x_mm, scale), _mm(placement.y_mm, scale)
    page[y0:y0 + side, x0:x0 + side] = np.round(ink + (paper - ink) * light).astype(np.uint8)


def render_insert(rng: np.random.Generator, scale: float, codes: list[Placement]) -> Gray:
    """The insert at `scale` px/mm as 8-bit grayscale (about 210 * scale x 150 * scale pixels).

    The area of each code (with its quiet zone and a 1 mm margin) is kept free of clutter.
    """
    width, height = PAGE_MM
    paper = int(rng.integers(232, 250))
    image = Image.new("L", (_mm(width, scale), _mm(height, scale)), paper)
    draw = ImageDraw.Draw(image)
    _draw_guilloche(draw, rng, scale)
    _draw_border(draw, scale)
    keep_out = [(c.x_mm - 1.0, c.y_mm - 1.0, c.x_mm + c.side_mm + 1.0, c.y_mm + c.side_mm + 1.0) for c in codes]
    for box in keep_out:
        draw.rectangle(tuple(_mm(v, scale) for v in box), fill=paper)  # type: ignore[arg-type]
    _draw_text(draw, rng, scale, keep_out)
    _draw_stamp_and_signature(draw, rng, scale)
    page = np.array(image, dtype=np.uint8)
    for code in codes:
        _paste_code(page, code, scale, paper, ink=int(rng.integers(10, 45)))
    return page


def default_placement(rng: np.random.Generator, matrix: Gray) -> Placement:
    """The code in the lower right corner of the insert, as printed, with a little jitter."""
    return Placement(matrix, x_mm=float(rng.uniform(168.0, 172.0)), y_mm=float(rng.uniform(108.0, 112.0)))


# --- photometric and geometric degradations --------------------------------------------------------------------


def _smooth_field(rng: np.random.Generator, shape: tuple[int, int], cells: int, low: float, high: float) -> Field:
    """A smooth random field in [low, high]: a coarse grid of random values, cubic-upsampled to `shape` (h, w)."""
    coarse = rng.uniform(low, high, size=(cells, cells)).astype(np.float32)
    out = cv2.resize(coarse, (shape[1], shape[0]), interpolation=cv2.INTER_CUBIC)
    return np.clip(out, low, high).astype(np.float32)


def _desk(rng: np.random.Generator, shape: tuple[int, int]) -> Field:
    """A desk or table: a mid-gray smooth field with wood-like stripes."""
    h, w = shape
    base = _smooth_field(rng, shape, 6, 50.0, 170.0)
    y = np.arange(h, dtype=np.float32)[:, None]
    stripes = 12.0 * np.sin(y / rng.uniform(8.0, 30.0) + 3.0 * np.sin(np.arange(w, dtype=np.float32) / 300.0))
    return (base + stripes).astype(np.float32)


def _illumination(rng: np.random.Generator, shape: tuple[int, int]) -> tuple[Field, dict[str, float]]:
    """Uneven light: a gradient, a vignette and a soft shadow, as a gain field in about [0.4, 1.05].

    Computed on a grid 8 times coarser and upsampled: the field is smooth, and this keeps 12 MP frames quick.
    """
    h, w = shape
    yy, xx = np.mgrid[0 : max(h // 8, 2), 0 : max(w // 8, 2)].astype(np.float32)
    xx, yy = xx / (xx.shape[1] - 1) - 0.5, yy / (yy.shape[0] - 1) - 0.5
    gx, gy = rng.uniform(-0.35, 0.35), rng.uniform(-0.35, 0.35)
    vignette = float(rng.uniform(0.0, 0.4))
    gain = 0.95 + gx * xx + gy * yy - vignette * (xx * xx + yy * yy)
    shadow = float(rng.uniform(0.0, 0.35)) if rng.random() < 0.5 else 0.0
    if shadow:
        cx, cy, rad = rng.uniform(-0.5, 0.5), rng.uniform(-0.5, 0.5), rng.uniform(0.2, 0.5)
        soft = 1.0 / (1.0 + np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2 - rad * rad) / 0.01))
        gain = gain - shadow * (1.0 - soft)
    params = {"light_gx": float(gx), "light_gy": float(gy), "vignette": vignette, "shadow": shadow}
    full = cv2.resize(np.clip(gain, 0.4, 1.05).astype(np.float32), (w, h), interpolation=cv2.INTER_LINEAR)
    return full, params


def _warp(page: Gray, homography: NDArray[np.float64], canvas: Field, bend: float) -> Field:
    """Maps the page into `canvas` through `homography`, the paper bowed by `bend` page px (a sine across it).

    Works in bands of rows to keep memory near the size of the canvas.
    """
    h, w = canvas.shape
    inverse = np.linalg.inv(homography).astype(np.float32)
    source = page.astype(np.float32)
    xs = np.arange(w, dtype=np.float32)[None, :]
    for top in range(0, h, 512):
        ys = np.arange(top, min(top + 512, h), dtype=np.float32)[:, None]
        den = inverse[2, 0] * xs + inverse[2, 1] * ys + inverse[2, 2]
        u = (inverse[0, 0] * xs + inverse[0, 1] * ys + inverse[0, 2]) / den
        v = (inverse[1, 0] * xs + inverse[1, 1] * ys + inverse[1, 2]) / den
        v -= bend * np.sin(np.pi * u / page.shape[1])
        band = canvas[top:top + ys.shape[0]]
        cv2.remap(source, u, v, cv2.INTER_LINEAR, dst=band, borderMode=cv2.BORDER_TRANSPARENT)
    return canvas


def _add_glare(rng: np.random.Generator, image: Field, near: NDArray[np.float32]) -> float:
    """Adds (in place) a soft specular highlight near the point `near` (x, y px) in 30 % of photos; its peak."""
    if rng.random() >= 0.3:
        return 0.0
    h, w = image.shape
    peak = float(rng.uniform(20.0, 90.0))
    radius = float(rng.uniform(0.05, 0.2) * min(h, w))
    cx, cy = near + rng.uniform(-1.5, 1.5, size=2).astype(np.float32) * radius
    xs = (np.arange(w, dtype=np.float32) - cx) ** 2
    for top in range(0, h, 512):
        ys = (np.arange(top, min(top + 512, h), dtype=np.float32)[:, None] - cy) ** 2
        image[top:top + ys.shape[0]] += peak * np.exp(-(xs + ys) / (2 * radius * radius))
    return peak


def _blur(rng: np.random.Generator, image: Field, ppm: float) -> tuple[Field, dict[str, float]]:
    """Defocus (Gaussian, sigma in px, partly proportional to the module size) and a little motion blur."""
    sigma = float(rng.uniform(0.3, 0.8) + rng.uniform(0.0, 0.25) * ppm)
    out = cv2.GaussianBlur(image, (0, 0), sigma)
    motion = float(rng.uniform(0.0, 0.25) * ppm) if rng.random() < 0.4 else 0.0
    if motion >= 1.0:
        length = round(motion) | 1
        kernel = np.zeros((length, length), np.float32)
        kernel[length // 2, :] = 1.0 / length
        angle = rng.uniform(0.0, 180.0)
        rot = cv2.getRotationMatrix2D((length / 2 - 0.5, length / 2 - 0.5), angle, 1.0)
        kernel = cv2.warpAffine(kernel, rot, (length, length))
        out = cv2.filter2D(out, -1, kernel / max(float(kernel.sum()), 1e-6))
    return out.astype(np.float32), {"blur_sigma_px": sigma, "motion_px": motion}


def _to_color(rng: np.random.Generator, gray: Field, noise_sigma: float) -> NDArray[np.uint8]:
    """A colour picture with a light colour cast and sensor noise (sigma in 8-bit levels).

    The noise is a full-resolution luma part shared by the channels plus a coarser chroma part per channel
    (half resolution, half the sigma), as after demosaicing.
    """
    h, w = gray.shape
    gains = (1.0, float(rng.uniform(0.93, 1.0)), float(rng.uniform(0.82, 1.0)))  # R, G, B: warm indoor light
    luma = gray + rng.standard_normal(gray.shape, dtype=np.float32) * noise_sigma
    channels = []
    for gain in gains:
        chroma = rng.standard_normal((max(h // 2, 1), max(w // 2, 1)), dtype=np.float32) * (noise_sigma / 2)
        chroma = cv2.resize(chroma, (w, h), interpolation=cv2.INTER_LINEAR)
        channels.append(np.clip(luma * gain + chroma, 0, 255).astype(np.uint8))
    return np.dstack(channels)


def _encode(image: Image.Image, fmt: str, quality: int) -> bytes:
    buffer = io.BytesIO()
    if fmt == "JPEG":
        image.save(buffer, "JPEG", quality=quality, subsampling=2)
    elif fmt == "WEBP":
        image.save(buffer, "WEBP", quality=quality, lossless=quality >= 100, method=4)
    else:
        image.save(buffer, "PNG", compress_level=1)  # fast; scanners and screenshot tools rarely squeeze hard
    return buffer.getvalue()


def _symbol_quads(codes: list[Placement], scale: float) -> list[NDArray[np.float32]]:
    """Corners (4 x 2, page px) of each symbol without its quiet zone."""
    quads = []
    for code in codes:
        module = code.side_mm / (code.modules + 2 * code.quiet)
        x0, y0 = code.x_mm + code.quiet * module, code.y_mm + code.quiet * module
        x1, y1 = x0 + code.modules * module, y0 + code.modules * module
        quads.append(np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], np.float32) * scale)
    return quads


def _ppm(quad: NDArray[np.float32], modules: int) -> float:
    x, y = quad[:, 0], quad[:, 1]
    area = 0.5 * abs(float(np.dot(x, np.roll(y, 1)) - np.dot(y, np.roll(x, 1))))
    return math.sqrt(area) / modules


def _transform(points: NDArray[np.float32], matrix: NDArray[np.float64]) -> NDArray[np.float32]:
    return cv2.perspectiveTransform(points.reshape(-1, 1, 2), matrix).reshape(-1, 2).astype(np.float32)


# --- pictures -----------------------------------------------------------------------------------------------


def _frame_size(rng: np.random.Generator, page_px: tuple[float, float]) -> tuple[int, int, str]:
    """Frame (w, h) of 1-12 MP at 4:3: the whole insert if it fits at 55-90 % of the width, else a close-up."""
    coverage = rng.uniform(0.55, 0.9)
    w = page_px[0] / coverage
    framing = "whole"
    if w * w * 0.75 > MAX_FRAME_PIXELS:
        framing = "closeup"
        w = math.sqrt(rng.uniform(2_000_000, MAX_FRAME_PIXELS) / 0.75)
    w = max(w, math.sqrt(MIN_FRAME_PIXELS / 0.75))
    return int(w), int(w * 0.75), framing


def _place_page(rng: np.random.Generator, page_shape: tuple[int, int], frame: tuple[int, int], zoom: float,
                tilt: float, angle: float, quads: list[NDArray[np.float32]],
                framing: str) -> NDArray[np.float64]:
    """Homography page px -> frame px: rotate, zoom, tilt (corner jitter), then shift the codes into view."""
    ph, pw = page_shape
    fw, fh = frame
    corners = np.array([[0, 0], [pw, 0], [pw, ph], [0, ph]], np.float32)
    c, s = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    rot = np.array([[c, -s], [s, c]], np.float32)
    dst = ((corners - np.array([pw / 2, ph / 2], np.float32)) @ rot.T) * zoom
    diag = math.hypot(pw, ph) * zoom
    dst += rng.uniform(-tilt, tilt, size=(4, 2)).astype(np.float32) * diag
    if framing == "whole":
        dst += np.array([fw / 2, fh / 2], np.float32) - dst.mean(axis=0)
    else:
        homography = cv2.getPerspectiveTransform(corners, dst.astype(np.float32))
        centre = _transform(np.vstack(quads), homography).mean(axis=0)
        target = np.array([rng.uniform(0.35, 0.65) * fw, rng.uniform(0.35, 0.65) * fh], np.float32)
        dst += target - centre
    homography = cv2.getPerspectiveTransform(corners, dst.astype(np.float32))
    # keep every symbol inside the frame, 3 % of its short side from the edges
    points = _transform(np.vstack(quads), homography)
    margin = 0.03 * min(fw, fh)
    shift = np.zeros(2, np.float32)
    shift += np.maximum(0.0, margin - points.min(axis=0))
    shift -= np.maximum(0.0, points.max(axis=0) - (np.array([fw, fh], np.float32) - margin))
    move = np.array([[1, 0, shift[0]], [0, 1, shift[1]], [0, 0, 1]], np.float64)
    return move @ homography


def _photo_codes(rng: np.random.Generator, two: bool) -> tuple[list[Placement], list[str]]:
    texts = [qr_text(rng)]
    codes = [default_placement(rng, qr_matrix(texts[0]))]
    if two:
        texts.append(qr_text(rng))
        x_mm, y_mm = float(rng.uniform(12.0, 20.0)), float(rng.uniform(40.0, 50.0))
        codes.append(Placement(qr_matrix(texts[1]), x_mm=x_mm, y_mm=y_mm))
    return codes, texts


def make_photo(seed: int, ppm: float, *, two_codes: bool = False, with_code: bool = True) -> Sample:
    """A phone photo of the insert at about `ppm` pixels per module (measured value in the sample).

    Args:
        seed: seeds every random choice.
        ppm: wanted pixels per module; the result differs by the tilt (`Sample.ppm` is measured).
        two_codes: print a second, different QR code on the insert (both must be found).
        with_code: False makes a negative: the same insert and photo, with the code's square left blank.
    """
    rng = np.random.default_rng(seed)
    codes, texts = _photo_codes(rng, two_codes)
    module_mm = QR_MM / (codes[0].modules + 2 * QUIET_MODULES)
    target_scale = ppm / module_mm  # px/mm in the photo
    page_scale = target_scale * rng.uniform(1.0, 1.25)  # render a little finer, the warp shrinks it
    page = render_insert(rng, page_scale, codes if with_code else [])
    quads = _symbol_quads(codes, page_scale)
    frame_w, frame_h, framing = _frame_size(rng, (PAGE_MM[0] * target_scale, PAGE_MM[1] * target_scale))
    angle = float(rng.uniform(-180.0, 180.0) if rng.random() < 0.25 else rng.uniform(-15.0, 15.0))
    tilt = float(rng.uniform(0.0, 0.06))
    homography = _place_page(rng, page.shape[:2], (frame_w, frame_h), target_scale / page_scale, tilt, angle,
                             quads, framing)
    bend = float(rng.uniform(0.0, 8.0) * page_scale) if rng.random() < 0.5 else 0.0
    warped = _warp(page, homography, _desk(rng, (frame_h, frame_w)), bend)
    measured = min(_ppm(_transform(q, homography), c.modules) for q, c in zip(quads, codes, strict=True))
    light, light_params = _illumination(rng, (frame_h, frame_w))
    lit = warped * light
    glare = _add_glare(rng, lit, _transform(np.vstack(quads), homography).mean(axis=0))
    blurred, blur_params = _blur(rng, lit, measured)
    noise = float(rng.uniform(1.5, 6.0) if rng.random() < 0.8 else rng.uniform(6.0, 12.0))
    pixels = _to_color(rng, blurred, noise)
    fmt = "WEBP" if rng.random() < 0.15 else "JPEG"
    quality = int(rng.integers(60, 96))
    params: dict[str, float | int | str] = {
        "seed": seed, "version": version_of(codes[0].matrix), "framing": framing, "angle_deg": angle,
        "tilt": tilt, "bend_mm": bend / page_scale, "glare": glare, "noise_sigma": noise, "quality": quality,
        "page_scale_px_per_mm": page_scale,
        **light_params, **blur_params,
    }
    kind = ("two-codes" if two_codes else "photo") if with_code else "insert"
    return Sample(
        name=f"{kind}-{seed}", kind=kind, data=_encode(Image.fromarray(pixels), fmt, quality), fmt=fmt,
        width=frame_w, height=frame_h, texts=tuple(texts) if with_code else (),
        ppm=measured if with_code else 0.0, params=params,
    )


def make_scan(seed: int, dpi: float) -> Sample:
    """A flatbed scan of the insert at `dpi` (200-600), skewed by up to 2 degrees; cropped to 12 MP around the code.

    One module is 30 / (N + 8) mm, so `ppm` is about dpi / 25.4 * 30 / (N + 8) (e.g. 4.9 at 300 dpi, version 12).
    """
    rng = np.random.default_rng(seed)
    text = qr_text(rng)
    code = default_placement(rng, qr_matrix(text))
    scale = dpi / 25.4
    page = render_insert(rng, scale, [code])
    h, w = page.shape
    angle = float(rng.uniform(-2.0, 2.0))
    rot = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    skewed = cv2.warpAffine(page.astype(np.float32), rot, (w, h), flags=cv2.INTER_LINEAR,
                            borderMode=cv2.BORDER_CONSTANT, borderValue=250.0)
    quad = _transform(_symbol_quads([code], scale)[0], np.vstack([rot, [0, 0, 1]]).astype(np.float64))
    if w * h > MAX_FRAME_PIXELS:  # a partial scan: the lower right part of the insert
        side_w, side_h = int(math.sqrt(MAX_FRAME_PIXELS * w / h)), int(math.sqrt(MAX_FRAME_PIXELS * h / w))
        skewed = skewed[h - side_h:, w - side_w:]
        quad = quad - np.array([w - side_w, h - side_h], np.float32)
    sigma = float(rng.uniform(0.4, 0.9))
    gray = cv2.GaussianBlur(skewed, (0, 0), sigma)
    noise = float(rng.uniform(0.5, 2.5))
    gray = np.clip(gray + rng.standard_normal(gray.shape, dtype=np.float32) * noise, 0, 255).astype(np.uint8)
    fmt = "PNG" if rng.random() < 0.4 else "JPEG"
    quality = int(rng.integers(80, 96))
    image = Image.fromarray(gray) if rng.random() < 0.5 else Image.fromarray(gray).convert("RGB")
    params: dict[str, float | int | str] = {"seed": seed, "version": version_of(code.matrix), "dpi": dpi,
                                            "angle_deg": angle, "blur_sigma_px": sigma, "noise_sigma": noise,
                                            "quality": quality, "mode": image.mode}
    return Sample(name=f"scan-{seed}", kind="scan", data=_encode(image, fmt, quality), fmt=fmt,
                  width=image.width, height=image.height, texts=(text,), ppm=_ppm(quad, code.modules),
                  params=params)


def make_screenshot(seed: int, ppm: float) -> Sample:
    """A screenshot of the insert in a viewer: anti-aliased rendering at `ppm` on a desktop or phone screen.

    When the zoomed insert is larger than the screen, the view is scrolled so that the code is in sight.
    """
    rng = np.random.default_rng(seed)
    text = qr_text(rng)
    code = default_placement(rng, qr_matrix(text))
    scale = ppm * (code.modules + 2 * QUIET_MODULES) / QR_MM
    page = render_insert(rng, scale, [code])
    ph, pw = page.shape
    sw, sh = [(1920, 1080), (2560, 1440), (1170, 2532)][int(rng.integers(0, 3))]
    screen = np.full((sh, sw), int(rng.integers(40, 90)), np.uint8)  # the viewer's dark background
    quad = _symbol_quads([code], scale)[0]
    centre = quad.mean(axis=0)
    # page offset on the screen: centred if it fits, else scrolled to bring the code near the middle
    x0 = (sw - pw) // 2 if pw <= sw else int(sw * rng.uniform(0.35, 0.65) - centre[0])
    y0 = 80 + (sh - 80 - ph) // 2 if ph <= sh - 80 else int(sh * rng.uniform(0.4, 0.65) - centre[1])
    sx0, sy0 = max(x0, 0), max(y0, 80)
    sx1, sy1 = min(x0 + pw, sw), min(y0 + ph, sh)
    screen[sy0:sy1, sx0:sx1] = page[sy0 - y0:sy1 - y0, sx0 - x0:sx1 - x0]
    screen[:60, :] = 235  # a toolbar
    fmt = "PNG" if rng.random() < 0.7 else "WEBP"
    image = Image.fromarray(screen).convert("RGB")
    return Sample(name=f"screenshot-{seed}", kind="screenshot", data=_encode(image, fmt, 100), fmt=fmt,
                  width=sw, height=sh, texts=(text,), ppm=_ppm(quad, code.modules),
                  params={"seed": seed, "version": version_of(code.matrix), "scale_px_per_mm": scale,
                          "screen": f"{sw}x{sh}"})


def make_negative(seed: int, kind: str) -> Sample:
    """A picture without any QR code.

    Args:
        seed: seeds every random choice.
        kind: "insert" (the insert photographed without its code), "datamatrix" (a Data Matrix where the QR code
            would be), "texture" (random stripes, checkers and blobs) or "noise" (photo-like smooth noise).
    """
    if kind == "insert":
        return make_photo(seed, ppm=float(np.random.default_rng(seed).uniform(2.0, 8.0)), with_code=False)
    rng = np.random.default_rng(seed)
    w, h = 1600, 1200
    if kind == "datamatrix":
        code = Placement(datamatrix_matrix(qr_text(rng)[:200]), x_mm=170.0, y_mm=110.0, quiet=2)
        image = Image.fromarray(render_insert(rng, 7.0, [code]))
    elif kind == "texture":
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        period = rng.uniform(3.0, 40.0, size=3)
        pattern = (np.sin(xx / period[0]) * np.sin(yy / period[1]) > 0).astype(np.float32) * 120.0
        pattern += 60.0 * np.sin((xx + yy) / period[2]) + _smooth_field(rng, (h, w), 8, 0.0, 60.0)
        image = Image.fromarray(np.clip(pattern + 40.0, 0, 255).astype(np.uint8))
    elif kind == "noise":
        smooth = _smooth_field(rng, (h, w), 24, 0.0, 255.0)
        grain = rng.standard_normal((h, w), dtype=np.float32) * 25.0
        image = Image.fromarray(_to_color(rng, np.clip(smooth + grain, 0, 255), 4.0))
    else:
        raise ValueError(f"unknown negative kind {kind!r}")
    return Sample(name=f"{kind}-{seed}", kind=kind, data=_encode(image, "JPEG", 90), fmt="JPEG",
                  width=image.width, height=image.height, texts=(), ppm=0.0, params={"seed": seed})


NEGATIVE_KINDS = ("insert", "datamatrix", "texture", "noise")


# --- hostile files -------------------------------------------------------------------------------------------


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_file(width: int, height: int, idat: bytes) -> bytes:
    """A PNG of 8-bit grayscale with the given header size and IDAT payload (which need not match it)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b"")


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A valid all-black 8-bit grayscale PNG: 30000 x 30000 (900 MB of pixels) in about 0.9 MB.

    Compressed row by row, so making it needs no more than a row of memory (~2.5 s for the default size).
    """
    compressor = zlib.compressobj(9)
    row = bytes(width + 1)  # filter type 0, then `width` zero bytes
    parts = [compressor.compress(row) for _ in range(height)]
    parts.append(compressor.flush())
    return png_file(width, height, b"".join(parts))


def synthetic_set(positives: int, negatives: int, *, seed: int = 0, ppm_range: tuple[float, float] = (1.8, 10.0),
                  ) -> Iterator[Sample]:
    """The synthetic set, generated lazily: `positives` pictures with one code, then `negatives` without.

    Positives are 70 % photos, 15 % scans (200-600 dpi), 15 % screenshots; their wanted ppm is spread evenly over
    `ppm_range` (stratified, so every bucket gets its share) in a seeded random order. Negatives cycle through
    `NEGATIVE_KINDS`.
    """
    rng = np.random.default_rng(seed)
    lo, hi = ppm_range
    targets = lo + (hi - lo) * (np.arange(positives) + rng.uniform(0, 1, positives)) / max(positives, 1)
    rng.shuffle(targets)
    for i, ppm in enumerate(targets.tolist()):
        item_seed = seed * 100_000 + i
        roll = rng.random()
        if roll < 0.15:
            module_mm = QR_MM / 73.0  # a version 12 symbol: the smallest modules
            yield make_scan(item_seed, dpi=float(np.clip(ppm / module_mm * 25.4, 200.0, 600.0)))
        elif roll < 0.30:
            yield make_screenshot(item_seed, ppm)
        else:
            yield make_photo(item_seed, ppm)
    for j in range(negatives):
        yield make_negative(seed * 100_000 + 50_000 + j, NEGATIVE_KINDS[j % len(NEGATIVE_KINDS)])
