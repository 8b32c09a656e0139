"""Tests of verify/scan.py, stage by stage: caps and formats, pixels, codes, then the synthetic photo set.

The synthetic pictures come from tests/support/photos.py (seeded; `Sample.save` writes a failing case to disk).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import zxingcpp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from numpy.typing import NDArray
from PIL import Image
from support import photos

from verify.errors import (
    Error,
    ForeignCodeError,
    ImageTooLargeError,
    NoQRCodeError,
    UnreadableImageError,
    UnsupportedImageError,
)
from verify.scan import (
    DEFAULT_LIMITS,
    PASSES,
    ScanLimits,
    Symbol,
    decode_gray,
    load_gray,
    probe_image,
    read_symbols,
    scan_image,
)

ROOT = Path(__file__).resolve().parents[2]
TEXT = photos.PREFIX + "1" + "0123456789" * 47  # 471 digits: version 10 at ECC M, like a typical record
OTHER = photos.PREFIX + "1" + "9876543210" * 55  # version 11


def flat_code(text: str, ppm: int = 4, quiet: int = 4) -> NDArray[np.uint8]:
    """A code as a screen would show it: `ppm` px per module, white quiet zone; uint8, 0 = black."""
    matrix = np.pad(photos.qr_matrix(text), quiet, constant_values=255)
    return np.kron(matrix, np.ones((ppm, ppm), dtype=np.uint8))


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def code_png() -> bytes:
    return encode(Image.fromarray(flat_code(TEXT)), "PNG")


@pytest.fixture(scope="module")
def code_jpeg() -> bytes:
    return encode(Image.fromarray(flat_code(TEXT)).convert("RGB"), "JPEG", quality=90)


# --- stage 1: caps and formats ------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "options"), [("PNG", {}), ("JPEG", {"quality": 90}), ("WEBP", {"lossless": True})])
def test_probe_reads_format_and_size_of_each_allowed_format(fmt: str, options: dict[str, object]) -> None:
    pixels = flat_code(TEXT)
    data = encode(Image.fromarray(pixels).convert("RGB"), fmt, **options)
    assert probe_image(data) == (fmt, pixels.shape[1], pixels.shape[0])
    assert scan_image(data) == [TEXT]


def test_byte_cap_is_inclusive(code_png: bytes) -> None:
    assert scan_image(code_png, limits=ScanLimits(max_image_bytes=len(code_png))) == [TEXT]
    with pytest.raises(ImageTooLargeError, match="bytes"):
        scan_image(code_png, limits=ScanLimits(max_image_bytes=len(code_png) - 1))


def test_pixel_cap_is_checked_on_the_header_before_decoding() -> None:
    # 8000 x 6000 = 48 MP: over our 40 MP cap, under Pillow's own bomb guard (~89 MP); the pixel data is garbage,
    # so only a refusal before decoding can give ImageTooLargeError.
    data = photos.png_file(8000, 6000, idat=b"not zlib data")
    with pytest.raises(ImageTooLargeError, match="8000 x 6000"):
        probe_image(data)
    with pytest.raises(ImageTooLargeError):
        scan_image(data)
    with pytest.raises(UnreadableImageError):  # the same file under a higher cap reaches the decoder, which fails
        scan_image(data, limits=ScanLimits(max_pixels=48_000_000))


def test_pillow_bomb_guard_is_converted() -> None:
    # 20000 x 20000 = 400 MP: over twice Pillow's MAX_IMAGE_PIXELS, so Pillow itself raises at open.
    data = photos.png_file(20_000, 20_000, idat=b"")
    with pytest.raises(ImageTooLargeError):
        scan_image(data, limits=ScanLimits(max_pixels=10**9))


@pytest.mark.slow
def test_png_bomb_is_refused_without_allocating(tmp_path: Path) -> None:
    """30000 x 30000 PNG under 1 MB: refused in a fresh process whose peak RSS stays under 300 MB.

    Checked twice: with Pillow's bomb guard (it fires first) and with it switched off (our cap alone).
    """
    data = photos.png_bomb()
    assert len(data) < 1_000_000
    path = tmp_path / "bomb.png"
    path.write_bytes(data)
    script = textwrap.dedent(
        """
        import json, os, resource, sys
        # Linux carries ru_maxrss over fork + exec (this process starts with the test runner's peak), so the
        # work runs in a forked child, whose counter starts from this fresh, small interpreter.
        pid = os.fork()
        if pid == 0:
            from PIL import Image
            from verify.errors import ImageTooLargeError
            from verify.scan import scan_image
            if sys.argv[2] == "off":
                Image.MAX_IMAGE_PIXELS = None
            data = open(sys.argv[1], "rb").read()
            try:
                scan_image(data)
                outcome = "accepted"
            except ImageTooLargeError:
                outcome = "refused"
            maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(json.dumps({"outcome": outcome, "maxrss_kib": maxrss}), flush=True)
            os._exit(0)
        sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
        """
    )
    for guard in ("on", "off"):
        result = subprocess.run([sys.executable, "-c", script, str(path), guard], capture_output=True, text=True,
                                cwd=ROOT, check=True, timeout=120)
        report = json.loads(result.stdout)
        assert report["outcome"] == "refused", guard
        assert report["maxrss_kib"] < 300 * 1024, report


@pytest.mark.parametrize("fmt", ["GIF", "BMP", "TIFF", "ICO"])
def test_other_formats_are_refused_even_when_pillow_could_read_them(fmt: str) -> None:
    data = encode(Image.fromarray(flat_code(TEXT, ppm=2)), fmt)
    with pytest.raises(UnsupportedImageError):
        probe_image(data)
    with pytest.raises(UnsupportedImageError):
        scan_image(data)


@pytest.mark.parametrize("data", [b"", b"\xff\xd8", b"RIFF\x00\x00\x00\x00WAVE", b"%PDF-1.7\n", b"<html></html>"])
def test_non_images_are_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedImageError):
        scan_image(data)


@pytest.mark.parametrize("data", [b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, b"\xff\xd8\xff\xe0" + b"\x00" * 40,
                                  b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"\x00" * 20])
def test_right_signature_with_corrupt_header_is_unreadable(data: bytes) -> None:
    with pytest.raises(UnreadableImageError):
        scan_image(data)


def test_scan_imports_without_opencv() -> None:
    # a None entry in sys.modules makes any `import cv2` raise ImportError
    script = "import sys; sys.modules['cv2'] = None; import verify.scan; print('imported')"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "imported"


def test_scan_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="max_pixels"):
        ScanLimits(max_pixels=0)
    assert DEFAULT_LIMITS.max_pixels == 40_000_000


# --- stage 2: pixels ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_truncated_file_is_unreadable(fmt: str, code_png: bytes, code_jpeg: bytes) -> None:
    data = code_jpeg if fmt == "JPEG" else code_png
    probe_image(data[: len(data) // 2])  # the header is intact ...
    with pytest.raises(UnreadableImageError):  # ... the pixels are not
        scan_image(data[: len(data) // 2])


@pytest.mark.parametrize("mode", ["1", "L", "P", "RGB", "CMYK", "I;16"])
def test_any_mode_is_read_as_grayscale(mode: str) -> None:
    pixels = flat_code(TEXT)
    image = Image.fromarray(pixels.astype(np.uint16) * 257) if mode == "I;16" else Image.fromarray(pixels).convert(mode)
    fmt = "JPEG" if mode == "CMYK" else "PNG"
    gray = load_gray(encode(image, fmt))
    assert gray.dtype == np.uint8 and gray.shape == pixels.shape
    assert decode_gray(gray) == [TEXT]


def test_transparent_background_is_composited_over_white() -> None:
    # black modules on a transparent background whose hidden colour is black too: dropping alpha would give an
    # all-black picture
    dark = flat_code(TEXT) == 0
    rgba = np.zeros((*dark.shape, 4), dtype=np.uint8)
    rgba[..., 3] = np.where(dark, 255, 0)
    assert scan_image(encode(Image.fromarray(rgba), "PNG")) == [TEXT]


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_exif_orientation_is_not_needed(orientation: int) -> None:
    image = Image.fromarray(flat_code(TEXT)).convert("RGB")
    exif = Image.Exif()
    exif[0x0112] = orientation
    assert scan_image(encode(image, "JPEG", quality=90, exif=exif.tobytes())) == [TEXT]


# --- stage 3: codes -----------------------------------------------------------------------------------------


def test_readable_picture_without_code_raises_no_qr_code() -> None:
    with pytest.raises(NoQRCodeError):
        scan_image(encode(Image.new("L", (640, 480), 240), "PNG"))
    sample = photos.make_negative(3, "texture")
    with pytest.raises(NoQRCodeError):
        scan_image(sample.data)


def _symbol_pixels(symbology: str, text: str, scale: int) -> NDArray[np.uint8]:
    """A symbol made by zxing-cpp (zint), `scale` px per module, with its quiet zone; uint8, 0 = black."""
    image = zxingcpp.create_barcode(text, getattr(zxingcpp.BarcodeFormat, symbology)).to_image(scale=scale)
    pixels = np.asarray(image, dtype=np.uint8)
    return np.ascontiguousarray(pixels[..., 0] if pixels.ndim == 3 else pixels)


@pytest.mark.parametrize(("symbology", "text"), [
    ("MicroQRCode", "12345"), ("RMQRCode", "HELLO RMQR"), ("DataMatrix", "DM TEXT"), ("Aztec", "AZTEC"),
    ("PDF417", "PDF TEXT"), ("EAN13", "9780804816632"), ("Code128", "CODE128"),
])
def test_a_foreign_symbol_is_not_a_code_of_this_service(symbology: str, text: str) -> None:
    data = encode(Image.fromarray(_symbol_pixels(symbology, text, 4)), "PNG")
    with pytest.raises(ForeignCodeError) as raised:
        scan_image(data)
    assert raised.value.code == "FOREIGN_CODE" and raised.value.symbologies == (symbology,)
    assert text not in raised.value.message  # the kind is told, the foreign text stays with the caller
    assert isinstance(raised.value, NoQRCodeError)  # callers that only tell "no code of ours" keep working
    (symbol,) = read_symbols(data)
    assert (symbol.symbology, symbol.text, symbol.is_service_kind) == (symbology, text, False)


def test_qr_model_1_is_not_a_code_of_this_service() -> None:
    data = (ROOT / "tests" / "symbols" / "qr-model-1.png").read_bytes()
    with pytest.raises(ForeignCodeError) as raised:
        scan_image(data)
    assert raised.value.symbologies == ("QRCodeModel1",)
    assert [(s.symbology, s.text) for s in read_symbols(data)] == [("QRCodeModel1", "QR Code Model 1 ")]


def test_a_service_code_beside_a_foreign_symbol_is_read_alone() -> None:
    foreign = _symbol_pixels("DataMatrix", "DM TEXT", 6)
    canvas = _canvas([(flat_code(TEXT), 0, 0), (foreign, 40, 320)], (300, 460))
    assert scan_image(encode(Image.fromarray(canvas), "PNG")) == [TEXT]


def test_a_small_data_matrix_in_a_large_photo_is_below_the_foreign_pass_resolution() -> None:
    """The "foreign" pass reads a copy reduced to `max_foreign_pixels`: a 30 mm Data Matrix on a photo of the
    whole insert (1470 x 1050 px) needs the full resolution, so it is "no code found" at the default cap."""
    data = photos.make_negative(5, "datamatrix").data
    with pytest.raises(NoQRCodeError) as raised:
        scan_image(data)
    assert not isinstance(raised.value, ForeignCodeError)
    with pytest.raises(ForeignCodeError):
        scan_image(data, limits=ScanLimits(max_foreign_pixels=1470 * 1050))


def test_two_codes_in_one_photo_are_both_found() -> None:
    sample = photos.make_photo(11, ppm=5.0, two_codes=True)
    assert sorted(scan_image(sample.data)) == sorted(sample.texts)
    assert len(set(sample.texts)) == 2


def _canvas(codes: list[tuple[NDArray[np.uint8], int, int]], shape: tuple[int, int]) -> NDArray[np.uint8]:
    """White canvas of `shape` (h, w) with each code pasted at its (top, left) pixel."""
    canvas = np.full(shape, 255, dtype=np.uint8)
    for code, top, left in codes:
        canvas[top:top + code.shape[0], left:left + code.shape[1]] = code
    return canvas


def test_texts_come_in_reading_order_without_duplicates() -> None:
    first, second = flat_code(TEXT), flat_code(OTHER)  # 260 and 276 px
    # side by side, the right one 100 px lower (less than half a code's height): one row, left to right
    row = _canvas([(second, 100, 300), (first, 0, 0)], (400, 600))
    assert decode_gray(row) == [TEXT, OTHER]
    assert decode_gray(np.ascontiguousarray(row[::-1, ::-1])) == [OTHER, TEXT]  # turned by 180 degrees
    # stacked, the lower one further left: two rows, top first
    column = _canvas([(second, 300, 0), (first, 0, 300)], (600, 600))
    assert decode_gray(column) == [TEXT, OTHER]
    # the same code twice: one text
    assert decode_gray(_canvas([(first, 0, 0), (first, 0, 300)], (300, 600))) == [TEXT]


def test_decode_gray_checks_its_input() -> None:
    with pytest.raises(UnreadableImageError):
        decode_gray(np.zeros((10, 10, 3), dtype=np.uint8))
    with pytest.raises(UnreadableImageError):
        decode_gray(np.zeros((0, 10), dtype=np.uint8))
    with pytest.raises(ValueError, match="unknown decoder passes"):
        decode_gray(flat_code(TEXT), passes=("plain", "magic"))


def test_whole_picture_passes_read_a_clean_code_and_nothing_from_a_blank() -> None:
    for name in ("plain", "histogram", "sharpened"):
        assert decode_gray(flat_code(TEXT), passes=(name,)) == [TEXT], name
    for name in PASSES:
        assert decode_gray(np.full((300, 300), 255, np.uint8), passes=(name,)) == [], name
    # the other passes work on what the passes before found: alone, they read nothing
    for name in ("candidates", "upscaled", "foreign"):
        assert decode_gray(flat_code(TEXT), passes=(name,)) == [], name


def _upscale_case() -> tuple[NDArray[np.uint8], int]:
    """A synthetic photo (1154 x 866 px, 1.87 px/module, blurred) only the "upscaled" pass reads, and the pixel
    count of its upscaled copy."""
    sample = photos.make_photo(300063, 1.849254727995885)
    return load_gray(sample.data), round(sample.width * 1.5) * round(sample.height * 1.5)


def test_upscaled_pass_runs_after_a_candidate_within_its_pixel_cap() -> None:
    pixels, upscaled_pixels = _upscale_case()
    assert decode_gray(pixels, passes=("plain",)) == []
    assert decode_gray(pixels, passes=("upscaled",)) == []  # no candidate seen: not run
    limits = ScanLimits(max_upscale_pixels=upscaled_pixels)
    assert len(decode_gray(pixels, passes=("plain", "upscaled"), limits=limits)) == 1
    limits = ScanLimits(max_upscale_pixels=upscaled_pixels - 1)
    assert decode_gray(pixels, passes=("plain", "upscaled"), limits=limits) == []


# --- the synthetic set --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def synthetic() -> list[photos.Sample]:
    """60 pictures: 48 with one code (photos, scans, screenshots; 2-10 px/module), 12 without any."""
    return list(photos.synthetic_set(48, 12, seed=7, ppm_range=(2.0, 10.0)))


@pytest.fixture(scope="module")
def synthetic_results(synthetic: list[photos.Sample]) -> list[list[str]]:
    results = []
    for sample in synthetic:
        try:
            results.append(scan_image(sample.data))
        except NoQRCodeError:
            results.append([])
    return results


@pytest.mark.slow
def test_synthetic_decode_rate_where_a_module_covers_3_px(synthetic: list[photos.Sample],
                                                          synthetic_results: list[list[str]]) -> None:
    eligible = [(s, r) for s, r in zip(synthetic, synthetic_results, strict=True) if s.texts and s.ppm >= 3.0]
    assert len(eligible) >= 35
    missed = [f"{s.name} ppm={s.ppm:.2f} {s.params}" for s, r in eligible if set(s.texts) - set(r)]
    assert len(missed) <= 0.01 * len(eligible), "\n".join(missed)


@pytest.mark.slow
def test_synthetic_no_misreads_and_no_false_positives(synthetic: list[photos.Sample],
                                                      synthetic_results: list[list[str]]) -> None:
    assert sum(1 for s in synthetic if not s.texts) == 12
    for sample, texts in zip(synthetic, synthetic_results, strict=True):
        assert set(texts) <= set(sample.texts), sample.name  # every decoded text was encoded; none from nothing


@pytest.mark.slow
def test_synthetic_fallback_passes_add_decodes(synthetic: list[photos.Sample],
                                               synthetic_results: list[list[str]]) -> None:
    """The kept fallbacks earn their place: they read codes the plain pass misses (here: 2 at 2.5-2.7 px/module)."""
    gained = [s.name for s, r in zip(synthetic, synthetic_results, strict=True)
              if s.texts and set(s.texts) <= set(r) and not decode_gray(load_gray(s.data), passes=PASSES[:1])]
    assert len(gained) >= 1


# --- property tests: any bytes give texts or one of our errors ------------------------------------------------


def check_contract(data: bytes) -> None:
    try:
        symbols = read_symbols(data)
    except Error:
        symbols = []
    assert all(isinstance(s, Symbol) and isinstance(s.text, str) and s.symbology for s in symbols)
    try:
        texts = scan_image(data)
    except ForeignCodeError as exc:
        foreign: ForeignCodeError | None = exc
        texts = []
    except Error:
        return
    else:
        foreign = None
    if foreign is not None:
        assert symbols and not any(s.is_service_kind for s in symbols) and foreign.symbologies
        return
    assert isinstance(texts, list) and texts
    assert texts == [s.text for s in symbols if s.is_service_kind]


@given(st.binary(max_size=2048))
@settings(max_examples=300, deadline=None)
def test_any_bytes_give_texts_or_our_error(data: bytes) -> None:
    check_contract(data)


@given(st.sampled_from([b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"RIFF\x00\x01\x00\x00WEBPVP8L"]),
       st.binary(max_size=512))
@settings(max_examples=200, deadline=None)
def test_any_bytes_behind_a_valid_signature_give_texts_or_our_error(signature: bytes, rest: bytes) -> None:
    check_contract(signature + rest)


SMALL_CODE = photos.PREFIX + "12345"


def _small_seeds() -> dict[str, bytes]:
    image = Image.fromarray(flat_code(SMALL_CODE, ppm=3))
    return {
        "PNG": encode(image, "PNG"),
        "JPEG": encode(image.convert("RGB"), "JPEG", quality=85),
        "WEBP": encode(image, "WEBP", lossless=True),
    }


SEEDS = _small_seeds()


@st.composite
def mutated_image(draw: st.DrawFn) -> bytes:
    """A valid small PNG/JPEG/WebP with a QR code, then bytes overwritten, a slice cut out, or the tail cut."""
    data = bytearray(SEEDS[draw(st.sampled_from(sorted(SEEDS)))])
    for _ in range(draw(st.integers(0, 8))):
        # bias towards bytes 8-63, the header (sizes, chunk lengths) after the signature
        at = draw(st.one_of(st.integers(8, min(63, len(data) - 1)), st.integers(0, len(data) - 1)))
        data[at] = draw(st.integers(0, 255))
    if draw(st.booleans()):
        start = draw(st.integers(0, len(data)))
        del data[start:start + draw(st.integers(0, 64))]
    if draw(st.booleans()):
        data = data[: draw(st.integers(0, len(data)))]
    return bytes(data)


@given(mutated_image())
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_mutated_images_give_texts_or_our_error(data: bytes) -> None:
    check_contract(data)


def test_mutation_seeds_decode() -> None:
    for fmt, data in SEEDS.items():
        assert scan_image(data) == [SMALL_CODE], fmt


def test_a_qr_family_symbol_inside_a_service_code_is_dropped_and_one_beside_it_kept() -> None:
    from verify.scanning.symbols import drop_shadowed

    code = Symbol(TEXT, "QRCode", x=100, y=100, height=80)
    inside = Symbol("9064", "MicroQRCode", x=70, y=70, height=12)  # a finder pattern read as Micro QR
    beside = Symbol("12345", "MicroQRCode", x=200, y=100, height=20)
    barcode = Symbol("9780804816632", "EAN13", x=100, y=110, height=30)  # other kinds are never dropped
    assert drop_shadowed([inside, code, beside, barcode]) == [code, beside, barcode]
