"""Benchmark: the size of signed status lists for a national registry, and the time to build them.

    .venv/bin/python bench/bench_statuslist.py --documents 10000000 --not-in-force 0.01 --build 1000000

Generates a registry of `--documents` numbers over 13 series (higher-education series numbered by the
service's counters, gapless; TVE blank series received in ranges of 1,000 blanks per college, with 0.5 %
spoiled blanks written off and the tail of each college's last range unused), of which the share
`--not-in-force` is not a plain original in force: 60 % replaced by a duplicate (issued later in the same
series, 5 % of them on a blank of another series, with a reason and a day), 25 % corrected (revision 2, a
tenth of them 3), 15 % annulled. Every list is built with `build_status_list`, signed (EdDSA, TEST ONLY key)
and measured as the COSE bytes a verifier downloads. Then it times building and signing one list of
`--build` numbers (the registry's export of one series), median of `--rounds`, and verifying it
(`verify_status_list`). Sizes are deterministic for a seed; times are CPU seconds of this process
(`time.process_time`), so other load on the machine inflates them less.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import random
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from support.keys import entry, make_signer, trust_list  # noqa: E402

from verify.record import DuplicateOf  # noqa: E402
from verify.statuslist import NumberStatus, StatusList, Successor, build_status_list  # noqa: E402
from verify.statuslookup import verify_status_list  # noqa: E402

AT = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)
SIGNER = make_signer("bench status")
TRUST = trust_list((replace(entry(SIGNER, label="TEST ONLY bench status signer"), usage="status"),))
#: (series, share of all documents, numbered by blanks?)
SERIES = [("BD", 0.42, False), ("BQ", 0.05, False), ("MD", 0.09, False), ("MBA", 0.004, False),
          ("DBA", 0.001, False), ("CMD", 0.003, False), ("CPR", 0.01, False), ("PhD", 0.006, False),
          ("PD", 0.002, False), ("ТКБ", 0.2, True), ("ТКБӘ", 0.02, True), ("ТЖБ", 0.15, True), ("ОКБ", 0.044, True)]
REASONS = ["lost", "damaged", "name_changed", "filling_error"]


def numbers_of(count: int, blanks: bool, rng: random.Random) -> list[int]:
    """The issued numbers of one series: a counter from 1, or blank ranges of 1,000 with write-offs."""
    if not blanks:
        return list(range(1, count + 1))
    out: list[int] = []
    start = 1
    while len(out) < count:
        used = min(1000, count - len(out) + rng.randrange(0, 40))  # the last range of a college is partly used
        out.extend(n for n in range(start, start + used) if rng.random() >= 0.005 and len(out) < count)
        start += 1000
    return out


def rows_of(series: str, numbers: list[int], share: float, rng: random.Random,
            other_series: str) -> Iterator[tuple[int, NumberStatus | None]]:
    """(number, status) rows: duplicates take the highest numbers of the series (issued last)."""
    day = AT.date() - dt.timedelta(days=1)
    picked = rng.sample(range(len(numbers)), k=int(len(numbers) * share))
    statuses: dict[int, NumberStatus] = {}
    replaced = picked[: int(len(picked) * 0.6)]
    corrected = picked[len(replaced): len(replaced) + int(len(picked) * 0.25)]
    annulled = picked[len(replaced) + len(corrected):]
    # the duplicates are the last numbers issued in the series; an original cannot be its own duplicate
    duplicates = iter(numbers[::-1])
    for index in replaced:
        original = numbers[index]
        if original in statuses:  # already a duplicate of another: leave it in force
            continue
        when = day - dt.timedelta(days=rng.randrange(0, 3000))
        if rng.random() < 0.05:
            statuses[original] = NumberStatus(replaced_by=Successor(other_series, f"{rng.randrange(10**7):07d}",
                                                                    when, rng.choice(REASONS)))
            continue
        successor = next(duplicates)
        while successor in statuses or successor == original:
            successor = next(duplicates)
        statuses[original] = NumberStatus(replaced_by=Successor(series, f"{successor:07d}", when, rng.choice(REASONS)))
        statuses[successor] = NumberStatus(duplicate=DuplicateOf(1, series, f"{original:07d}"))
    for index in corrected:
        number = numbers[index]
        if number not in statuses:
            statuses[number] = NumberStatus(current_revision=3 if rng.random() < 0.1 else 2,
                                            corrected_on=day - dt.timedelta(days=rng.randrange(0, 3000)))
    for index in annulled:
        number = numbers[index]
        if number not in statuses:
            statuses[number] = NumberStatus(annulled_on=day - dt.timedelta(days=rng.randrange(0, 3000)))
    for number in numbers:
        yield number, statuses.get(number)


def registry(documents: int, share: float, seed: int) -> Iterator[tuple[str, int, StatusList]]:
    rng = random.Random(seed)
    for series, part, blanks in SERIES:
        numbers = numbers_of(max(1, int(documents * part)), blanks, rng)
        other = "ТКБ" if series != "ТКБ" else "ТЖБ"
        status_list = build_status_list(series, rows_of(series, numbers, share, rng, other), version=1, issued_at=AT)
        yield series, len(numbers), status_list


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=10_000_000)
    parser.add_argument("--not-in-force", type=float, default=0.01)
    parser.add_argument("--build", type=int, default=1_000_000, help="numbers in the timed single-list build")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(f"# Python {platform.python_version()} on {platform.machine()}, {AT.date()}")
    print(f"{args.documents:,} documents, {args.not_in_force:.1%} not in force, seed {args.seed}\n")
    print("| series | numbers | entries | list bytes (COSE) |\n|---|---:|---:|---:|")
    total_bytes = total_numbers = total_entries = 0
    for series, count, status_list in registry(args.documents, args.not_in_force, args.seed):
        signed = status_list.sign(SIGNER)
        entries = len(status_list.statuses)
        total_bytes, total_numbers, total_entries = total_bytes + len(signed), total_numbers + count, \
            total_entries + entries
        print(f"| {series} | {count:,} | {entries:,} | {len(signed):,} |")
    print(f"| all | {total_numbers:,} | {total_entries:,} | {total_bytes:,} ({total_bytes / 1e6:.3f} MB) |\n")

    rng = random.Random(args.seed)
    numbers = numbers_of(args.build, False, rng)
    rows = list(rows_of("BD", numbers, args.not_in_force, rng, "ТКБ"))
    build_s, verify_s = [], []
    for _ in range(args.rounds):
        started = time.process_time()
        signed = build_status_list("BD", rows, version=2, issued_at=AT).sign(SIGNER)
        build_s.append(time.process_time() - started)
        started = time.process_time()
        verify_status_list(signed, trust_list=TRUST, at=AT, series="BD")
        verify_s.append(time.process_time() - started)
    print(f"one list of {args.build:,} numbers ({len(signed):,} bytes): build + sign "
          f"{statistics.median(build_s):.2f} s, verify + decode {statistics.median(verify_s):.2f} s "
          f"(median of {args.rounds}, CPU seconds)")


if __name__ == "__main__":
    main()
