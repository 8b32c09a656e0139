"""Benchmark: picture bytes -> QR texts (`verify.scan`) on the synthetic set of tests/support/photos.py.

Generates `--count` pictures with one code (70 % phone photos, 15 % flatbed scans, 15 % screenshots; wanted
px/module spread evenly over --ppm-min..--ppm-max) and `--negatives` without any, all seeded, then for every
picture decodes the pixels once (`load_gray`) and runs `decode_gray` with each pass configuration, side by side:

- "plain": zxing-cpp alone (QR family);
- "+histogram +sharpened": then the global-histogram binarizer and an unsharp-masked copy, while nothing was read;
- "all passes" (the default, `verify.scan.PASSES`): then crops around undecoded candidates, a 1.5x upscaled,
  sharpened copy (only with a candidate) and the foreign symbologies on a reduced copy.

It prints a Markdown report: per configuration the decode rate, misreads (a decoded text that was not encoded),
false positives (any text from a picture without a code) and time per picture (load + decode, wall and CPU);
the decode rate by px/module bucket; the rate by kind of picture; and, each in a fresh process, the time of
`scan_image` and the peak RSS (`resource.getrusage`) for a 30000 x 30000 PNG bomb (~0.9 MB, refused) and for
the largest pictures the default limits accept (40 MP JPEG and RGBA PNG).

    .venv/bin/python bench/bench_scan.py --count 400

Generation runs in parallel (`--jobs`); decoding runs in this process, one picture at a time.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402
from support import photos  # noqa: E402

from verify.scan import PASSES, decode_gray, load_gray  # noqa: E402

CONFIGS: dict[str, tuple[str, ...]] = {
    "plain": PASSES[:1],
    "+histogram +sharpened": PASSES[:3],
    "all passes": PASSES,
}
BUCKETS: list[tuple[str, float, float]] = [
    ("< 2", 0.0, 2.0), ("2-3", 2.0, 3.0), ("3-4", 3.0, 4.0), ("4-6", 4.0, 6.0), ("6-8", 6.0, 8.0),
    ("8+", 8.0, float("inf")),
]

WORST_CASE_SCRIPT = textwrap.dedent(
    """
    import json, os, resource, sys, time
    # Linux carries ru_maxrss over fork + exec (this process starts with its parent's peak), so the work runs in
    # a forked child, whose counter starts from this fresh, small interpreter.
    pid = os.fork()
    if pid == 0:
        from PIL import Image
        from verify.scan import scan_image
        from verify.errors import Error
        if sys.argv[2] == "off":
            Image.MAX_IMAGE_PIXELS = None
        data = open(sys.argv[1], "rb").read()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        try:
            outcome = f"{len(scan_image(data))} text(s)"
        except Error as exc:
            outcome = exc.code
        elapsed = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        print(json.dumps({"outcome": outcome, "ms": elapsed * 1000, "rss_before_kib": before,
                          "rss_peak_kib": after}), flush=True)
        os._exit(0)
    sys.exit(os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]))
    """
)


@dataclass
class Outcome:
    """What one configuration did on one picture."""

    found: list[str]
    wall_ms: float
    cpu_ms: float


@dataclass
class Row:
    """One picture: its sample and the outcome per configuration."""

    sample: photos.Sample
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    def decoded(self, config: str) -> bool:
        return bool(self.sample.texts) and set(self.sample.texts) <= set(self.outcomes[config].found)

    def misreads(self, config: str) -> int:
        return len(set(self.outcomes[config].found) - set(self.sample.texts)) if self.sample.texts else 0

    def false_positives(self, config: str) -> int:
        return 0 if self.sample.texts else len(self.outcomes[config].found)


def _generate(args: tuple[int, int, int, float, float, int]) -> list[photos.Sample]:
    positives, negatives, seed, lo, hi, part = args
    return list(photos.synthetic_set(positives, negatives, seed=seed * 100 + part, ppm_range=(lo, hi)))


def generate(count: int, negatives: int, seed: int, ppm: tuple[float, float], jobs: int) -> list[photos.Sample]:
    """The synthetic set, made by `jobs` processes, each with its own seed (so the set depends on `jobs`)."""
    shares = [(count * (i + 1) // jobs - count * i // jobs, negatives * (i + 1) // jobs - negatives * i // jobs)
              for i in range(jobs)]
    tasks = [(p, n, seed, ppm[0], ppm[1], i) for i, (p, n) in enumerate(shares)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return [sample for part in pool.map(_generate, tasks) for sample in part]


def measure(samples: Sequence[photos.Sample]) -> list[Row]:
    """Decodes each picture once, then runs every configuration on its pixels (interleaved, same conditions)."""
    rows = []
    for sample in samples:
        wall, cpu = time.perf_counter(), time.process_time()
        pixels = load_gray(sample.data)
        load_wall, load_cpu = time.perf_counter() - wall, time.process_time() - cpu
        row = Row(sample)
        for name, passes in CONFIGS.items():
            wall, cpu = time.perf_counter(), time.process_time()
            found = decode_gray(pixels, passes=passes)
            row.outcomes[name] = Outcome(found, (time.perf_counter() - wall + load_wall) * 1000,
                                         (time.process_time() - cpu + load_cpu) * 1000)
        rows.append(row)
    return rows


def _large_picture(fmt: str, width: int = 7300, height: int = 5470) -> bytes:
    """A 40 MP picture without a code (blocky noise): the largest input the default limits accept."""
    rng = np.random.default_rng(0)
    bands = 4 if fmt == "PNG" else 3
    coarse = Image.fromarray(rng.integers(0, 256, (height // 8, width // 8, bands), dtype=np.uint8))
    image = coarse.resize((width, height), Image.Resampling.NEAREST if fmt == "PNG" else Image.Resampling.BICUBIC)
    buffer = io.BytesIO()
    image.save(buffer, fmt, **({"compress_level": 1} if fmt == "PNG" else {"quality": 85}))
    return buffer.getvalue()


def worst_cases() -> list[dict[str, object]]:
    """`scan_image` in a fresh process on hostile and maximal inputs: outcome, time and peak RSS."""
    cases = [
        ("30000 x 30000 PNG bomb, Pillow's guard on", photos.png_bomb(), "on"),
        ("30000 x 30000 PNG bomb, Pillow's guard off", photos.png_bomb(), "off"),
        ("40 MP JPEG, no code (accepted)", _large_picture("JPEG"), "on"),
        ("40 MP RGBA PNG, no code (accepted)", _large_picture("PNG"), "on"),
    ]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "input"
        for label, data, guard in cases:
            path.write_bytes(data)
            out = subprocess.run([sys.executable, "-c", WORST_CASE_SCRIPT, str(path), guard], capture_output=True,
                                 text=True, cwd=ROOT, check=True, timeout=300)
            results.append({"input": label, "bytes": len(data), **json.loads(out.stdout)})
    return results


def _pct(part: int, whole: int) -> str:
    return f"{100.0 * part / whole:.1f} % ({part}/{whole})" if whole else "-"


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values), q)) if values else float("nan")


def config_table(rows: Sequence[Row]) -> list[str]:
    positives = [r for r in rows if r.sample.texts]
    eligible = [r for r in positives if r.sample.ppm >= 3.0]
    negatives = [r for r in rows if not r.sample.texts]
    lines = ["| passes | decoded, all | decoded, >= 3 px/module | misreads | false positives | median ms (CPU) "
             "| p95 ms (CPU) | median ms, no code |",
             "|---|---|---|---|---|---|---|---|"]
    for name in CONFIGS:
        walls = [r.outcomes[name].wall_ms for r in rows]
        cpus = [r.outcomes[name].cpu_ms for r in rows]
        negative_ms = [r.outcomes[name].wall_ms for r in negatives]
        lines.append(
            f"| {name} | {_pct(sum(r.decoded(name) for r in positives), len(positives))} "
            f"| {_pct(sum(r.decoded(name) for r in eligible), len(eligible))} "
            f"| {sum(r.misreads(name) for r in rows)} | {sum(r.false_positives(name) for r in rows)} "
            f"| {statistics.median(walls):.0f} ({statistics.median(cpus):.0f}) "
            f"| {_percentile(walls, 95):.0f} ({_percentile(cpus, 95):.0f}) "
            f"| {statistics.median(negative_ms) if negative_ms else float('nan'):.0f} |"
        )
    return lines


def bucket_table(rows: Sequence[Row]) -> list[str]:
    lines = ["| px/module | pictures | " + " | ".join(CONFIGS) + " |", "|---|---|" + "---|" * len(CONFIGS)]
    for label, lo, hi in BUCKETS:
        members = [r for r in rows if r.sample.texts and lo <= r.sample.ppm < hi]
        if members:
            rates = " | ".join(_pct(sum(r.decoded(c) for r in members), len(members)) for c in CONFIGS)
            lines.append(f"| {label} | {len(members)} | {rates} |")
    return lines


def kind_table(rows: Sequence[Row]) -> list[str]:
    last = list(CONFIGS)[-1]
    lines = [f"| kind | pictures | MP (median) | decoded ({last}) | median ms | p95 ms |", "|---|---|---|---|---|---|"]
    for kind in sorted({r.sample.kind for r in rows}):
        members = [r for r in rows if r.sample.kind == kind]
        walls = [r.outcomes[last].wall_ms for r in members]
        pixels = statistics.median(r.sample.width * r.sample.height / 1e6 for r in members)
        decoded = _pct(sum(r.decoded(last) for r in members), len(members)) if members[0].sample.texts else "-"
        lines.append(f"| {kind} | {len(members)} | {pixels:.1f} | {decoded} | {statistics.median(walls):.0f} "
                     f"| {_percentile(walls, 95):.0f} |")
    return lines


def worst_case_table(results: Sequence[dict[str, object]]) -> list[str]:
    lines = ["| input | file bytes | outcome | scan_image ms | RSS before MB | peak RSS MB |",
             "|---|---|---|---|---|---|"]
    for r in results:
        before, peak = float(str(r["rss_before_kib"])) / 1024, float(str(r["rss_peak_kib"])) / 1024
        lines.append(f"| {r['input']} | {r['bytes']} | {r['outcome']} | {float(str(r['ms'])):.1f} "
                     f"| {before:.0f} | {peak:.0f} |")
    return lines


def misread_lines(rows: Sequence[Row]) -> list[str]:
    bad = [(r, c) for r in rows for c in CONFIGS if r.misreads(c) or r.false_positives(c)]
    return [f"- {r.sample.name} ({c}): {sorted(set(r.outcomes[c].found) - set(r.sample.texts))}" for r, c in bad]


def failure_lines(rows: Sequence[Row]) -> list[str]:
    last = list(CONFIGS)[-1]
    missed = [r for r in rows if r.sample.texts and not r.decoded(last) and r.sample.ppm >= 3.0]
    return [f"- {r.sample.name}: ppm {r.sample.ppm:.2f}, {r.sample.params}" for r in missed]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=200, help="pictures with a code (default 200)")
    parser.add_argument("--negatives", type=int, help="pictures without a code (default count / 4)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--ppm-min", type=float, default=1.8, help="smallest wanted px/module (default 1.8)")
    parser.add_argument("--ppm-max", type=float, default=10.0, help="largest wanted px/module (default 10)")
    parser.add_argument("--jobs", type=int, default=2, help="processes generating the set (default 2)")
    parser.add_argument("--no-worst-cases", action="store_true", help="skip the PNG bomb and 40 MP inputs")
    args = parser.parse_args(argv)
    argv_used = list(sys.argv[1:] if argv is None else argv)
    negatives = args.count // 4 if args.negatives is None else args.negatives

    started = time.perf_counter()
    samples = generate(args.count, negatives, args.seed, (args.ppm_min, args.ppm_max), max(1, args.jobs))
    generated = time.perf_counter() - started
    load_before = os.getloadavg()[0]
    rows = measure(samples)
    worst = [] if args.no_worst_cases else worst_cases()

    out = [
        "## Command", "", "```", "cd /work/main && .venv/bin/python " + shlex.join(["bench/bench_scan.py", *argv_used]),
        "```", "",
        f"Python {platform.python_version()}, zxing-cpp {package_version('zxing-cpp')}, "
        f"Pillow {package_version('pillow')}, numpy {package_version('numpy')}, {platform.machine()}; "
        f"set: {args.count} with a code + {negatives} without, seed {args.seed}, wanted px/module "
        f"{args.ppm_min}-{args.ppm_max}; generated in {generated:.0f} s; {os.cpu_count()} CPUs, load average "
        f"{load_before:.1f} before and {os.getloadavg()[0]:.1f} after the decoding (other jobs share the machine). "
        "Times per picture are load (decode to 8-bit gray) + QR decoding, wall (process CPU in brackets).",
        "", "## Pass configurations, side by side", "", *config_table(rows),
        "", "## Decode rate by px/module", "", *bucket_table(rows),
        "", "## By kind of picture (all passes)", "", *kind_table(rows),
    ]
    if worst:
        out += ["", "## Hostile and maximal inputs (each in a fresh process, default limits)", "",
                *worst_case_table(worst)]
    out += ["", "## Misreads and false positives", "", *(misread_lines(rows) or ["none"])]
    out += ["", "## Missed at >= 3 px/module (all passes)", "", *(failure_lines(rows) or ["none"])]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
