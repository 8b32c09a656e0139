"""Benchmark: sign + SVG + PNG per record (ours vs the `qrcode` library), and verification per second.

    .venv/bin/python bench/bench_issue.py --count 300 --rounds 5

Both issue paths do the same work per record: sign the record (COSE_Sign1, EdDSA), build its
QR text, encode it at ECC M in two segments, write an SVG and a PNG with the same pixels per
module (>= 600 dpi at 30 mm). Only the QR encoder and renderers differ. They run interleaved
in rounds (order alternating); the table gives the median round. Rates are per CPU second of the
benchmark process (`time.process_time`), i.e. per core, so other load on the machine does not
deflate them; run it on a quiet machine all the same. Verification: `Verifier.check`
over distinct signed records, no registry, one thread (per core). Also prints the QR version and
module size of a typical record (30-character Kazakh name) and of the longest the schema allows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))

from bench_render import with_qrcode  # noqa: E402
from support.keys import make_signer, sample_record, verifier_for_signers  # noqa: E402

from verify import qr, qrtext  # noqa: E402
from verify.issue import SignedRecord, sign_record  # noqa: E402
from verify.record import DuplicateOf, HolderName, Record  # noqa: E402

BASE_URL = "https://v.edu.kz"
AT = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)
SIGNER = make_signer("bench")


def records(count: int) -> list[Record]:
    """Distinct typical records: BD diplomas with 30-character Kazakh names, numbers 1..count."""
    names = [("Тұрсынбекова", "Әйгерім", "Асқарқызы"), ("Жұмағалиев", "Нұрсұлтан", "Ерланұлы"),
             ("Сейітқалиева", "Гүлнәр", "Бауыржанқызы"), ("Әбдіхалықов", "Дәурен", "Серікұлы")]
    return [sample_record(number=f"{i:07d}", holder=HolderName(*names[i % len(names)])) for i in range(1, count + 1)]


def ours(record: Record) -> tuple[bytes, bytes]:
    signed = sign_record(record, signer=SIGNER, base_url=BASE_URL, at=AT)
    symbol = qr.encode_qr(signed.qr_text, max_version=12)
    return qr.render_svg(symbol), qr.render_png(symbol)


def theirs(record: Record) -> tuple[bytes, bytes]:
    signed = sign_record(record, signer=SIGNER, base_url=BASE_URL, at=AT)
    prefix, digits = qrtext.split_qr_text(signed.qr_text)
    out = with_qrcode(prefix, digits)
    return out.svg, out.png


def timed(fn: Callable[[Record], object], batch: list[Record]) -> float:
    """CPU seconds of this process for the batch: per-core cost, robust to other load on the machine."""
    start = time.process_time()
    for record in batch:
        fn(record)
    return time.process_time() - start


def bench_issue(batch: list[Record], rounds: int) -> dict[str, list[float]]:
    results: dict[str, list[float]] = {"verify (zxing-cpp/zint)": [], "qrcode library": []}
    for r in range(rounds):
        order = [("verify (zxing-cpp/zint)", ours), ("qrcode library", theirs)]
        for name, fn in order if r % 2 == 0 else reversed(order):
            results[name].append(len(batch) / timed(fn, batch))
    return results


def bench_verify(signed: list[SignedRecord], rounds: int) -> list[float]:
    verifier = verifier_for_signers(SIGNER)
    rates = []
    for _ in range(rounds):
        start = time.process_time()
        for s in signed:
            report = verifier.check(s.qr_text, at=AT)
            assert report.verdict == "VALID"
        rates.append(len(signed) / (time.process_time() - start))
    return rates


def budget_rows() -> list[tuple[str, int, int, float]]:
    typical = sample_record(holder=HolderName("Тұрсынбекова", "Әйгерім", "Асқарқызы"))
    longest = sample_record(doc_type="TVE_HONOURS", series="ӘҒҚҢ", number="9999999",
                            holder=HolderName("Ғ" * 22, "Ұ" * 10, "Ү" * 10), institution_bin="990340001121",
                            programme="06130100", qualification="4S06130103", honours=True,
                            duplicate=DuplicateOf(99, "ӘҒҚҢ", "9999998"), revision=999)
    tve = sample_record(doc_type="TVE", series="ТКБ", programme="06130100", qualification="4S06130103",
                        holder=HolderName("Тұрсынбекова", "Әйгерім", "Асқарқызы"))
    rows = []
    for label, record, url in (("typical BD, 30-character Kazakh name", typical, BASE_URL),
                               ("typical TVE, same name, Cyrillic series + qualification", tve, BASE_URL),
                               ("longest the schema allows, 24-character prefix", longest, "http://127.0.0.1:8000")):
        signed = sign_record(record, signer=SIGNER, base_url=url, at=AT)
        symbol = qr.encode_qr(signed.qr_text)
        rows.append((label, len(signed.cose), symbol.version, 30.0 / (symbol.size + 8)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="records per round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    batch = records(args.count)
    issue = bench_issue(batch, args.rounds)
    signed = [sign_record(r, signer=SIGNER, base_url=BASE_URL, at=AT) for r in records(max(args.count * 10, 3000))]
    verify_rates = bench_verify(signed, args.rounds)

    print(f"Python {platform.python_version()}, {platform.machine()}, one process, one thread, rates per CPU second; "
          f"{args.count} distinct records per round, {args.rounds} rounds, median round.\n")
    print("| sign + SVG + PNG | records/s per core (median) | ms per record |")
    print("|---|---|---|")
    medians = {name: statistics.median(rates) for name, rates in issue.items()}
    for name, rate in medians.items():
        print(f"| {name} | {rate:,.0f} | {1000 / rate:.2f} |")
    ours_rate, theirs_rate = medians["verify (zxing-cpp/zint)"], medians["qrcode library"]
    print(f"\nRatio verify / qrcode library: **{ours_rate / theirs_rate:.1f}x**\n")
    v = statistics.median(verify_rates)
    print(f"| verification (`Verifier.check`, no registry, {len(signed)} distinct records) | checks/s per core "
          "(median) | µs per check |")
    print("|---|---|---|")
    print(f"| EdDSA, 11 steps, registry step skipped | {v:,.0f} | {1e6 / v:.0f} |\n")
    print("| record | COSE bytes | QR version (ECC M) | module at 30 mm |")
    print("|---|---|---|---|")
    for label, size, version, module in budget_rows():
        print(f"| {label} | {size} | {version} | {module:.3f} mm |")


if __name__ == "__main__":
    main()
