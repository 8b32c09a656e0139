"""Benchmark: the main job, `verify demo --graduates 10000 --no-serve`, end to end on one core.

Each run is a fresh process (`python -m verify.cli ... demo`) pinned to one CPU with `os.sched_setaffinity`, in a
fresh temporary directory (a new development key store, a new demo registry, a new output directory), with the
service's default password hashing (argon2id, 64 MiB). The wall time includes the interpreter's start and the
imports; the stage times come from the run's own demo.json (`verify.demo.pipeline`). Every run must end with the
six showcase verdicts as expected, or the benchmark stops. Goal: the whole job under 120 s.

Two side measurements, in this process (pinned to the same CPU), explain two choices of the demo:

- print sheets: `render_sheet_pdf` per code with vector codes (fpdf2 paths) and with `image_codes=True` (a 1-bit
  image of one pixel per module), one A4 page of 30 captioned codes, and the caption font in full or as the demo's
  subset;
- inserts: `render_insert` and `insert_png` per insert at 300 dpi (why only the six showcase inserts are drawn).

    .venv/bin/python bench/bench_demo.py --graduates 10000 --repeat 3
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version as package_version
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

GOAL_S = 120.0


def run_demo(graduates: int, seed: int, cpu: int) -> tuple[float, float, dict[str, Any]]:
    """(wall seconds, CPU seconds, demo.json) of one pinned `verify demo` run in a fresh directory.

    The CPU time (user + system, of the child, from `resource.getrusage(RUSAGE_CHILDREN)`) does not grow when other
    processes share the CPU; the wall time does.
    """
    with tempfile.TemporaryDirectory(prefix="bench-demo-") as tmp:
        work = Path(tmp)
        env = {k: v for k, v in os.environ.items() if not k.startswith("VERIFY_")}
        env["VERIFY_DATA_DIR"] = str(work / "data")
        command = [sys.executable, "-m", "verify.cli", "--keys-dir", str(work / "keys"), "demo", "--graduates",
                   str(graduates), "--seed", str(seed), "--no-serve", "--out", str(work / "out")]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False,
                                preexec_fn=lambda: os.sched_setaffinity(0, {cpu}))
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu_s = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        if result.returncode != 0:
            raise SystemExit(f"verify demo failed ({result.returncode}):\n{result.stderr[-2000:]}")
        summary = json.loads((work / "out" / "demo.json").read_text("utf-8"))
    wrong = [s["role"] for s in summary["showcase"] if s["verdict"] != s["expected"]]
    if wrong:
        raise SystemExit(f"showcase verdicts not as expected: {wrong}")
    return wall, cpu_s, summary


def per_item_ms(action: Callable[[], object], items: int, rounds: int = 3) -> float:
    """Best of `rounds` runs of `action`, in ms per item."""
    best = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        action()
        best = min(best, time.perf_counter() - start)
    return best * 1000 / items


def side_measurements() -> list[tuple[str, float]]:
    """Sheets (vector / image codes, full / subset font) per code and inserts per insert, in ms."""
    import random

    from verify.demo.insert import InsertFields, insert_png, render_insert
    from verify.demo.stages import caption_font
    from verify.qr import encode_qr
    from verify.qrpdf import render_sheet_pdf
    from verify.record import HolderName, Record

    rng = random.Random(1)
    texts = ["HTTP://127.0.0.1:8000/V/1" + "".join(rng.choice("0123456789") for _ in range(480)) for _ in range(30)]
    items = [(encode_qr(text), f"ТКБ {i:07d} — Әбдірахманова Г. С.") for i, text in enumerate(texts)]
    out: list[tuple[str, float]] = []
    out.append(("encode_qr, per code (version 11)", per_item_ms(lambda: [encode_qr(t) for t in texts], 30)))
    out.append(("sheet, vector codes, per code (30 on a page)",
                per_item_ms(lambda: render_sheet_pdf(items), 30)))
    out.append(("sheet, image codes, per code (30 on a page)",
                per_item_ms(lambda: render_sheet_pdf(items, image_codes=True), 30)))
    with tempfile.TemporaryDirectory() as tmp:
        font = caption_font(Path(tmp))
        out.append(("sheet, image codes, per code (25 a file, full font)",
                    per_item_ms(lambda: [render_sheet_pdf(items[:25], image_codes=True) for _ in range(4)], 100)))
        out.append(("sheet, image codes, per code (25 a file, subset font)",
                    per_item_ms(lambda: [render_sheet_pdf(items[:25], image_codes=True, font_path=font)
                                         for _ in range(4)], 100)))
    record = Record(doc_type="TVE", series="ТКБ", number="0100001", holder=HolderName("Сейітқали", "Әлия",
                    "Нұрланқызы"), institution_bin="040140001236", award_date=dt.date(2026, 6, 27),
                    programme="06130100", qualification="4S06130103")
    fields = InsertFields.from_record(record, institution_kk="Медеу цифрлық технологиялар колледжі",
                                      institution_ru="Колледж цифровых технологий «Медеу»")
    out.append(("insert: render_insert at 300 dpi, per insert",
                per_item_ms(lambda: render_insert(fields, texts[0]), 1)))
    image = render_insert(fields, texts[0])
    out.append(("insert: insert_png (PNG, level 3), per insert", per_item_ms(lambda: insert_png(image), 1)))
    return out


def main() -> int:
    """Run the benchmark and print Markdown (and the raw runs as JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--graduates", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--repeat", type=int, default=1, help="runs (the median is reported)")
    parser.add_argument("--cpu", type=int, default=0, help="the CPU every run is pinned to (default: 0)")
    parser.add_argument("--no-side", action="store_true", help="skip the sheet and insert side measurements")
    parser.add_argument("--json", action="store_true", help="print the raw runs as JSON too")
    args = parser.parse_args()
    os.sched_setaffinity(0, {args.cpu})
    runs = []
    for index in range(args.repeat):
        wall, cpu_s, summary = run_demo(args.graduates, args.seed, args.cpu)
        runs.append({"wall_s": round(wall, 2), "cpu_s": round(cpu_s, 2), "timings_s": summary["timings_s"],
                     "total_s": summary["total_s"], "documents": summary["documents"],
                     "sheets": sum(len(i["sheets"]) for i in summary["institutions"])})
        print(f"run {index + 1}/{args.repeat}: {wall:.1f} s wall, {cpu_s:.1f} s CPU", file=sys.stderr)
    print(f"# verify demo --graduates {args.graduates} --no-serve, pinned to CPU {args.cpu}\n")
    print(f"Python {platform.python_version()}, SQLite (WAL), fpdf2 {package_version('fpdf2')}, Pillow "
          f"{package_version('pillow')}, zxing-cpp {package_version('zxing-cpp')}; {os.cpu_count()} CPUs, "
          f"load average {', '.join(f'{x:.1f}' for x in os.getloadavg())} at the end.\n")
    print(f"{runs[0]['documents']:,} documents, {runs[0]['sheets']} print sheets, 6 inserts per run.\n")
    print("| stage | median s | runs (s) |")
    print("|---|---|---|")
    for stage in runs[0]["timings_s"]:
        values = [r["timings_s"][stage] for r in runs]
        print(f"| {stage} | {statistics.median(values):.1f} | {', '.join(f'{v:.1f}' for v in values)} |")
    walls = [r["wall_s"] for r in runs]
    wall = statistics.median(walls)
    cpus = [r["cpu_s"] for r in runs]
    print(f"| **whole command, wall (with start-up)** | **{wall:.1f}** | {', '.join(f'{v:.1f}' for v in walls)} |")
    print(f"| **whole command, CPU (user + system)** | **{statistics.median(cpus):.1f}** | "
          f"{', '.join(f'{v:.1f}' for v in cpus)} |")
    cpu = statistics.median(cpus)
    print(f"\nGoal: under {GOAL_S:.0f} s on one core: wall **{'met' if wall < GOAL_S else 'not met'}** (median), "
          f"CPU **{'met' if cpu < GOAL_S else 'not met'}** (median); fastest wall {min(walls):.1f} s.")
    if not args.no_side:
        print("\n| side measurement | ms |")
        print("|---|---|")
        for name, value in side_measurements():
            print(f"| {name} | {value:.2f} |")
    if args.json:
        print("\n```json\n" + json.dumps(runs, indent=2) + "\n```")
    return 0


if __name__ == "__main__":
    sys.exit(main())
