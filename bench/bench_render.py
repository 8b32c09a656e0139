"""Benchmark: QR text -> symbol -> SVG + PNG, ours (verify.qr: zxing-cpp/zint) against qrcode and segno.

Every implementation does the same work per code: encode the text at ECC level M as two segments
(alphanumeric prefix, numeric digits), write an SVG, and write a PNG with the same pixels per module
as `verify.qr.render_png` (>= 600 dpi at 30 mm, 4-module quiet zone). The implementations run
interleaved, in rounds (the order rotates every round); the tables give medians over the rounds.
One process, one thread: codes/s per core = 1000 / (process CPU ms per code); CPU time is also what
the smaller tables report, because wall time on a shared machine includes other processes' turns.

    .venv/bin/python bench/bench_render.py --count 200 --rounds 7

PDF timings (ours only) are printed after the main table unless --no-pdf is given.
"""

from __future__ import annotations

import argparse
import functools
import io
import math
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version as package_version
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import qrcode
import qrcode.image.pil
import qrcode.image.svg
import segno
import segno.consts
import zxingcpp
from machine import cpu_model
from PIL import Image
from qrcode.util import MODE_ALPHA_NUM, MODE_NUMBER, QRData

from verify.qr import (
    QrSymbol,
    encode_qr,
    png_geometry,
    qr_version_for,
    render_png,
    render_svg,
)
from verify.qrpdf import render_pdf, render_sheet_pdf

SIZE_MM = 30.0
MIN_DPI = 600
QUIET = 4


@dataclass(frozen=True)
class Output:
    version: int
    svg: bytes
    png: bytes


def pixels_per_module(version: int) -> int:
    """The k of verify.qr.render_png: ceil(600 dpi * 30 mm / 25.4 / total modules)."""
    return math.ceil(MIN_DPI * SIZE_MM / 25.4 / (17 + 4 * version + 2 * QUIET))


def dpi_for(version: int) -> float:
    return pixels_per_module(version) * (17 + 4 * version + 2 * QUIET) / (SIZE_MM / 25.4)


def ours(prefix: str, digits: str) -> Output:
    symbol = encode_qr(prefix + digits, max_version=12)
    return Output(symbol.version, render_svg(symbol), render_png(symbol))


def with_qrcode(prefix: str, digits: str) -> Output:
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=QUIET)
    code.add_data(QRData(prefix, MODE_ALPHA_NUM))
    code.add_data(QRData(digits, MODE_NUMBER))
    code.make(fit=True)
    version = int(code.version)
    code.box_size = pixels_per_module(version)
    svg = code.make_image(image_factory=qrcode.image.svg.SvgPathImage).to_string()
    buffer = io.BytesIO()
    dpi = dpi_for(version)
    code.make_image(image_factory=qrcode.image.pil.PilImage).save(buffer, dpi=(dpi, dpi))
    return Output(version, svg, buffer.getvalue())


def with_segno(prefix: str, digits: str) -> Output:
    segments = [(prefix, segno.consts.MODE_ALPHANUMERIC), (digits, segno.consts.MODE_NUMERIC)]
    symbol = segno.make(segments, error="m", boost_error=False, micro=False)
    version = int(symbol.version)
    total = 17 + 4 * version + 2 * QUIET
    svg = io.BytesIO()
    symbol.save(svg, kind="svg", scale=SIZE_MM / total, unit="mm", border=QUIET)
    png = io.BytesIO()
    symbol.save(png, kind="png", scale=pixels_per_module(version), border=QUIET, dpi=round(dpi_for(version)))
    return Output(version, svg.getvalue(), png.getvalue())


IMPLEMENTATIONS: dict[str, Callable[[str, str], Output]] = {
    "ours (zxing-cpp/zint + verify.qr)": ours,
    f"qrcode {package_version('qrcode')}": with_qrcode,
    f"segno {package_version('segno')}": with_segno,
}


def make_texts(count: int, digits_mean: int, seed: int, prefix: str) -> list[tuple[str, str]]:
    """Realistic QR texts: the prefix and digits_mean +- 10 digits (DESIGN.md: ~192 bytes of COSE = 465 digits)."""
    rng = random.Random(seed)
    texts = []
    for _ in range(count):
        length = rng.randint(digits_mean - 10, digits_mean + 10)
        texts.append((prefix, rng.choice("123456789") + "".join(rng.choices("0123456789", k=length - 1))))
    return texts


def check(name: str, outputs: list[Output], texts: list[tuple[str, str]]) -> None:
    """Outside the timing: the first PNG decodes to its text (every implementation does real work)."""
    with Image.open(io.BytesIO(outputs[0].png)) as image:
        found = [barcode.text for barcode in zxingcpp.read_barcodes(image.convert("L"))]
    if found != ["".join(texts[0])]:
        raise SystemExit(f"{name}: the first PNG does not decode to its text: {found!r}")


def pillow_png(symbol: QrSymbol, level: int) -> bytes:
    """The pixels of render_png, encoded by Pillow (mode "1"; Pillow writes pHYs from dpi=)."""
    k, side_px, ppm = png_geometry(symbol)
    light = np.ones((symbol.total_modules,) * 2, dtype=bool)
    light[QUIET:-QUIET, QUIET:-QUIET] = ~symbol.modules
    rows = np.repeat(np.packbits(np.repeat(light, k, axis=1), axis=1), k, axis=0)
    image = Image.frombytes("1", (side_px, side_px), rows.tobytes())
    buffer = io.BytesIO()
    image.save(buffer, "PNG", dpi=(ppm * 0.0254, ppm * 0.0254), compress_level=level)
    return buffer.getvalue()


def pillow_pngs(symbols: list[QrSymbol], level: int) -> list[bytes]:
    return [pillow_png(symbol, level) for symbol in symbols]


def median_ms(work: Callable[[], object], rounds: int) -> float:
    """Median process CPU time of `work()` over `rounds` runs, in ms."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        work()
        times.append((time.process_time() - start) * 1000)
    return statistics.median(times)




def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200, help="codes per round and implementation (default 200)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds; medians are reported (default 7)")
    parser.add_argument("--digits", type=int, default=465, help="mean digits after the prefix (default 465)")
    parser.add_argument("--prefix", default="HTTPS://V.EDU.KZ/V/", help="upper-case QR text prefix")
    parser.add_argument("--seed", type=int, default=2026, help="random seed of the texts")
    parser.add_argument("--no-pdf", action="store_true", help="skip the PDF timings (ours only)")
    args = parser.parse_args(argv)

    texts = make_texts(args.count, args.digits, args.seed, args.prefix)
    names = list(IMPLEMENTATIONS)
    wall_ms: dict[str, list[float]] = {name: [] for name in names}  # per code, one value per round
    cpu_ms: dict[str, list[float]] = {name: [] for name in names}  # process CPU time: robust to other load
    versions: dict[str, set[int]] = {name: set() for name in names}
    for name in names:  # warm-up (imports, caches) and the correctness check
        outputs = [IMPLEMENTATIONS[name](prefix, digits) for prefix, digits in texts[:5]]
        check(name, outputs, texts)
    for round_index in range(args.rounds):
        order = names[round_index % len(names) :] + names[: round_index % len(names)]
        for name in order:
            function = IMPLEMENTATIONS[name]
            start, start_cpu = time.perf_counter(), time.process_time()
            outputs = [function(prefix, digits) for prefix, digits in texts]
            cpu_ms[name].append((time.process_time() - start_cpu) * 1000 / len(texts))
            wall_ms[name].append((time.perf_counter() - start) * 1000 / len(texts))
            versions[name].update(output.version for output in outputs)

    math_versions = sorted({qr_version_for(len(prefix), len(digits)) for prefix, digits in texts})
    lengths = [len(digits) for _, digits in texts]
    print(
        f"Python {platform.python_version()}, {cpu_model()}, one thread; zxing-cpp {package_version('zxing-cpp')}, "
        f"numpy {package_version('numpy')}, Pillow {package_version('pillow')}"
    )
    print(
        f"{args.count} texts: `{args.prefix}` + {min(lengths)}-{max(lengths)} digits; {args.rounds} interleaved "
        f"rounds; work per code: encode (ECC M, alnum + numeric segments) + SVG + PNG (>= 600 dpi, 30 mm); "
        f"qr_version_for gives version(s) {', '.join(map(str, math_versions))}"
    )
    print()
    header = ["implementation", "wall ms/code", "min-max", "CPU ms/code", "codes/s per core", "vs qrcode", "version"]
    print("| " + " | ".join(header) + " |")
    print("|---|---:|---:|---:|---:|---:|---|")
    qrcode_cpu = statistics.median(cpu_ms[names[1]])
    for name in names:
        wall = statistics.median(wall_ms[name])
        spread = f"{min(wall_ms[name]):.3f}-{max(wall_ms[name]):.3f}"
        cpu = statistics.median(cpu_ms[name])
        shown = ", ".join(map(str, sorted(versions[name])))
        row = [name, f"{wall:.3f}", spread, f"{cpu:.3f}", f"{1000 / cpu:,.0f}", f"{qrcode_cpu / cpu:.1f}x", shown]
        print("| " + " | ".join(row) + " |")
    print()
    ours_wall, qrcode_wall = statistics.median(wall_ms[names[0]]), statistics.median(wall_ms[names[1]])
    ours_cpu = statistics.median(cpu_ms[names[0]])
    print(
        f"Ratio ours/qrcode (time per code): {ours_cpu / qrcode_cpu:.3f} CPU, {ours_wall / qrcode_wall:.3f} wall. "
        "Medians over rounds; codes/s per core = 1000 / CPU ms per code."
    )

    symbols = [encode_qr(prefix + digits) for prefix, digits in texts]
    stages: dict[str, Callable[[int], object]] = {
        "encode_qr": lambda i: encode_qr("".join(texts[i])),
        "render_svg": lambda i: render_svg(symbols[i]),
        "render_png": lambda i: render_png(symbols[i]),
    }
    stage_ms: dict[str, list[float]] = {stage: [] for stage in stages}
    for _ in range(args.rounds):
        for stage, run_stage in stages.items():
            start = time.process_time()
            for index in range(len(texts)):
                run_stage(index)
            stage_ms[stage].append((time.process_time() - start) * 1000 / len(texts))
    print()
    print("| ours, by stage | CPU ms per code (median) |")
    print("|---|---:|")
    for stage in stages:
        print(f"| {stage} | {statistics.median(stage_ms[stage]):.3f} |")

    # The PNG writer: render_png writes the chunks itself; the same 1-bit image through Pillow's encoder.
    png_ms = {
        "render_png (own chunks, zlib level 1, Up filter)": median_ms(
            lambda: [render_png(symbol) for symbol in symbols], args.rounds
        )
    }
    for level in (1, 6):
        png_ms[f"Pillow 1-bit, compress_level={level}, dpi="] = median_ms(
            functools.partial(pillow_pngs, symbols, level), args.rounds
        )
    print()
    print("| PNG writer, same 1-bit pixels and pHYs | CPU ms per code (median) |")
    print("|---|---:|")
    for label, total_ms in png_ms.items():
        print(f"| {label} | {total_ms / len(symbols):.3f} |")

    if not args.no_pdf:
        sample = symbols[: min(30, len(symbols))]
        caption = "BD 0000042 — Әбдірахманова Г."
        pdf_rounds = max(1, args.rounds // 2)
        plain = median_ms(lambda: [render_pdf(symbol) for symbol in sample[:10]], pdf_rounds) / 10
        captioned = median_ms(lambda: [render_pdf(symbol, caption=caption) for symbol in sample[:10]], pdf_rounds) / 10
        items = [(symbol, f"BD {i:07d} — Әбдірахманова Г.") for i, symbol in enumerate(sample)]
        sheet = median_ms(lambda: render_sheet_pdf(items), pdf_rounds)
        print()
        print("| ours, PDF (fpdf2) | CPU ms (median) |")
        print("|---|---:|")
        print(f"| render_pdf, no caption, per code | {plain:.1f} |")
        print(f"| render_pdf with a caption (DejaVuSans subset embedded), per code | {captioned:.1f} |")
        per_code = sheet / len(sample)
        print(f"| render_sheet_pdf, {len(sample)} codes on one A4 page | {sheet:.0f} ({per_code:.1f} per code) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
