"""Benchmark: `verify scan` and the reference decoders on real photos (tests/photos_real/, see its README.md).

For every photo the pixels are decoded to 8-bit gray once (`verify.scan.load_gray`); then each reader runs on
the same pixels, one after the other (same conditions): zxing-cpp's default reader, pyzbar, OpenCV's
QRCodeDetector and QRCodeDetectorAruco (as tests/support/refdecoders.py calls them) and `verify scan`'s reader
(`decode_symbols`, every pass). "union" is what at least one reference reads. It prints a Markdown report:

- QR codes (the QR family: Model 2 and the foreign Model 1, Micro QR, rMQR) read / expected, misreads (texts read
  that the photo does not hold), false positives (photos without any symbol in which something was read), CPU
  ms per photo (median, p95) over all photos and over those without a code;
- the same for the photos of other symbologies (Data Matrix, Aztec, PDF417, EAN-13);
- `verify scan` end to end (`scan_image`: the file's bytes to texts, load included), median and p95;
- 12 MP frames (4032 x 3024, JPEG 90) made by enlarging three corpus photos (none of the corpus is 12 MP): a
  small code in a large frame, a photo without any code, a dense code;
- which pass of `verify scan` first read each code it reads, and every code a reference reads that it misses.

Times are CPU time of this process (`time.process_time`), the minimum of `--repeat` runs per photo and reader.

    .venv/bin/python bench/bench_photos.py --repeat 3
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402
from numpy.typing import NDArray  # noqa: E402
from PIL import Image  # noqa: E402
from support import refdecoders  # noqa: E402

from verify.errors import Error  # noqa: E402
from verify.scan import PASSES, QR_FAMILY, decode_symbols, load_gray, scan_image, zbar_available  # noqa: E402

CORPUS = ROOT / "tests" / "photos_real"

from machine import cpu_model  # noqa: E402

OURS = "verify scan"
UNION = "union of the references"
TWELVE_MP = [("boofcv/qrcode/image03.jpg", "a fruit sticker: a small code in a large frame"),
             ("boofcv/nocode/kayak_04.jpg", "no code"),
             ("zxing-cpp/qrcode-2/high-res-1.jpg", "a dense code filling the frame")]

Gray = NDArray[np.uint8]


def _ours(pixels: Gray) -> list[str]:
    return [s.text for s in decode_symbols(pixels)]


def _texts_of(read: Callable[[Gray], list[refdecoders.Read]]) -> Callable[[Gray], list[str]]:
    return lambda pixels: [r.text for r in read(pixels)]


def readers() -> dict[str, Callable[[Gray], list[str]]]:
    """Every reader that loads here, by name: the references, then `verify scan`."""
    available = refdecoders.available()
    found: dict[str, Callable[[Gray], list[str]]] = {}
    for name, read in refdecoders.READERS.items():
        if available[name] is None:
            found[name] = _texts_of(read)
        else:
            print(f"skipping {name}: {available[name]}", file=sys.stderr)
    found[OURS] = _ours
    return found


def timed(read: Callable[[Gray], list[str]], pixels: Gray, repeat: int) -> tuple[set[str], float]:
    """The texts read and the minimum CPU time in ms over `repeat` runs."""
    best, texts = float("inf"), set()
    for _ in range(repeat):
        start = time.process_time()
        texts = set(read(pixels))
        best = min(best, (time.process_time() - start) * 1000)
    return texts, best


def first_pass(pixels: Gray, text: str) -> str:
    """The first pass of `verify scan` after which `text` is read (runs longer prefixes of `PASSES`)."""
    for end in range(1, len(PASSES) + 1):
        if text in {s.text for s in decode_symbols(pixels, passes=PASSES[:end])}:
            return PASSES[end - 1]
    return "-"


def measure(photos: Sequence[dict[str, Any]], names: dict[str, Callable[[Gray], list[str]]],
            repeat: int) -> list[dict[str, Any]]:
    """One row per photo: what each reader read, its time, and the load time of `verify scan`."""
    rows = []
    for photo in photos:
        data = (CORPUS / photo["file"]).read_bytes()
        start = time.process_time()
        pixels = load_gray(data)
        load_ms = (time.process_time() - start) * 1000
        row: dict[str, Any] = {"photo": photo, "read": {}, "ms": {}, "load_ms": load_ms}
        for name, read in names.items():
            row["read"][name], row["ms"][name] = timed(read, pixels, repeat)
        refs = [n for n in names if n != OURS]
        row["read"][UNION] = set().union(*(row["read"][n] for n in refs))
        end_to_end = []
        for _ in range(repeat):
            start = time.process_time()
            with contextlib.suppress(Error):
                scan_image(data)
            end_to_end.append((time.process_time() - start) * 1000)
        row["scan_image_ms"] = min(end_to_end)
        row["passes"] = {t: first_pass(pixels, t) for t in row["read"][OURS] & _texts(photo)}
        rows.append(row)
    return rows


def _texts(photo: dict[str, Any], family: bool | None = None) -> set[str]:
    """The expected texts of a photo: all, the QR family's (family=True) or the other symbologies' (False)."""
    return {c["text"] for c in photo["codes"]
            if family is None or (c["symbology"] in QR_FAMILY) == family}


def _ms(values: list[float]) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{statistics.median(ordered):.1f} / {ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]:.1f}"


def table(rows: list[dict[str, Any]], names: list[str], family: bool) -> None:
    """The real-photo table for the QR family (family=True) or the other symbologies."""
    chosen = [r for r in rows if _texts(r["photo"], family) or not r["photo"]["codes"]]
    expected = sum(len(_texts(r["photo"], family)) for r in chosen)
    negatives = [r for r in chosen if not r["photo"]["codes"] and not r["photo"]["unread"]]
    print("| reader | codes read / expected | misreads | false positives (photos) | ms per photo, median / p95 "
          "| ms per photo without a code, median / p95 |")
    print("|---|---|---|---|---|---|")
    for name in [*names, UNION]:
        read = sum(len(r["read"][name] & _texts(r["photo"], family)) for r in chosen)
        wrong = sum(len(r["read"][name] - _texts(r["photo"])) for r in chosen if r["photo"]["codes"])
        false = sum(1 for r in negatives if r["read"][name])
        times = [r["ms"][name] for r in chosen] if name != UNION else []
        neg = [r["ms"][name] for r in negatives] if name != UNION else []
        label = f"**{name}**" if name == OURS else name
        print(f"| {label} | {read} / {expected} | {wrong} | {false} of {len(negatives)} | {_ms(times)} | {_ms(neg)} |")


def twelve_mp(names: dict[str, Callable[[Gray], list[str]]]) -> None:
    """Each reader on 12 MP frames made from corpus photos; `verify scan` also end to end (bytes to texts)."""
    print("| 12 MP frame (4032 x 3024, JPEG 90) | " + " | ".join(names) + " | `scan_image` (load + decode) |")
    print("|---|" + "---|" * (len(names) + 1))
    for file, what in TWELVE_MP:
        image = Image.open(CORPUS / file).convert("RGB")
        size = (4032, 3024) if image.width >= image.height else (3024, 4032)
        buffer = io.BytesIO()
        image.resize(size, Image.Resampling.BICUBIC).save(buffer, "JPEG", quality=90)
        data = buffer.getvalue()
        pixels = load_gray(data)
        cells = []
        for read in names.values():
            texts, ms = timed(read, pixels, 1)
            cells.append(f"{ms:.0f} ms ({len(texts)} read)")
        start = time.process_time()
        try:
            outcome = f"{len(scan_image(data))} text(s)"
        except Error as exc:
            outcome = exc.code
        total = (time.process_time() - start) * 1000
        print(f"| {file}: {what} | " + " | ".join(cells) + f" | {total:.0f} ms, {outcome} |")


def details(rows: list[dict[str, Any]]) -> None:
    """Which pass read what; what a reference reads and `verify scan` does not; what nobody reads."""
    counts: dict[str, int] = {}
    for r in rows:
        for found in r["passes"].values():
            counts[found] = counts.get(found, 0) + 1
    print("First pass of `verify scan` that reads each code it reads: "
          + ", ".join(f"{name} {counts.get(name, 0)}" for name in PASSES) + ".\n")
    for name in PASSES[1:-1]:
        files = [r["photo"]["file"] for r in rows if name in r["passes"].values()]
        if files:
            print(f"- {name}: {', '.join(files)}")
    print()
    print("Codes a reference reads and `verify scan` does not:\n")
    missed = [(r["photo"]["file"], t, [n for n in r["read"] if n not in (OURS, UNION) and t in r["read"][n]])
              for r in rows for t in sorted((r["read"][UNION] - r["read"][OURS]) & _texts(r["photo"]))]
    print("\n".join(f"- {f}: {t[:40]!r} (read by {', '.join(by)})" for f, t, by in missed) or "- none")
    print("\nCodes no reader reads (photo: texts):\n")
    for r in rows:
        unread = _texts(r["photo"]) - r["read"][UNION] - r["read"][OURS]
        if unread or r["photo"]["unread"]:
            print(f"- {r['photo']['file']}: {len(unread) + r['photo']['unread']}")


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per photo and reader; the minimum counts")
    args = parser.parse_args(argv)
    photos = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))["photos"]
    names = readers()
    load_before = os.getloadavg()
    rows = measure(photos, names, args.repeat)
    load_after = os.getloadavg()
    cpu = cpu_model()
    print("# Real photos: `verify scan` and the reference decoders (`bench/bench_photos.py`)\n")
    print(f"{len(photos)} photos of tests/photos_real/; Python {platform.python_version()}, zxing-cpp "
          f"{package_version('zxing-cpp')}, pyzbar {package_version('pyzbar')} (libzbar loads: {zbar_available()}), "
          f"opencv-python-headless {package_version('opencv-python-headless')}, Pillow {package_version('pillow')}; "
          f"CPU {cpu}, {os.cpu_count()} CPUs; load average {load_before[0]:.1f} before and {load_after[0]:.1f} "
          f"after the corpus. CPU ms per photo on its gray pixels, the minimum of {args.repeat} runs.\n")
    print("## QR codes (Model 2, and Model 1, Micro QR, rMQR as foreign symbols)\n")
    table(rows, list(names), family=True)
    print("\n## Other symbologies (Data Matrix, Aztec, PDF417, EAN-13 photos)\n")
    table(rows, list(names), family=False)
    ours = [r["scan_image_ms"] for r in rows]
    negatives = [r["scan_image_ms"] for r in rows if not r["photo"]["codes"] and not r["photo"]["unread"]]
    loads = [r["load_ms"] for r in rows]
    print(f"\n`scan_image` end to end (bytes to texts, load included), median / p95 ms: all photos {_ms(ours)}; "
          f"without a code {_ms(negatives)}; the load (`load_gray`) alone {_ms(loads)}.\n")
    print("## 12 MP\n")
    twelve_mp(names)
    print("\n## Passes and misses\n")
    details(rows)


if __name__ == "__main__":
    main()
