"""Benchmark: in-process verification against a bare Ed25519 check of the same bytes (issue 16 item 2).

    .venv/bin/python bench/bench_verify.py --count 3000 --rounds 7
    .venv/bin/python bench/bench_verify.py --count 3000 --callgrind 2000

Distinct typical records (BD diplomas, 30-character Kazakh names) signed with EdDSA by a TEST ONLY signer; three
measurements over the same QR texts, alternating every `--block` codes (50) within each round:

* **bare Ed25519**: libsodium's verify (PyNaCl `VerifyKey.verify`, the call the verifier makes) of each code's
  Sig_structure bytes and signature, precomputed: the signature's own cost, nothing else;
* **check, offline**: `Verifier.check(text, at=...)` without a status source (steps 1-10, step 11 skipped);
* **check with status lists**: `Verifier(..., status_lookup=StatusListLookup([list]))`: the same plus step 11 from a
  verified, signed status list of the series held in memory (the offline verifier's lookup; no stub).

Rates are per CPU second of this process (`time.process_time`, each measurement's blocks summed), the median of the
rounds; the ratio check / bare is computed per round and its median given. Alternating block by block, not round by
round, is what makes the ratio repeatable here: the shared CPU's speed drifts within seconds. `--callgrind N` counts
instructions instead (`valgrind --tool=callgrind` runs this script four times: setup alone, then N bare checks, N
offline checks, N checks with status lists), which other load cannot change; instructions are not time
(libsodium's arithmetic retires more instructions per cycle than the interpreter), so both are given.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import nacl.signing  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from machine import cpu_model  # noqa: E402
from support.keys import entry, make_signer, sample_record, trust_list  # noqa: E402

from verify import codec, qrtext  # noqa: E402
from verify.issue import sign_record  # noqa: E402
from verify.record import HolderName  # noqa: E402
from verify.statuslist import build_status_list  # noqa: E402
from verify.statuslookup import StatusListLookup, verify_status_list  # noqa: E402
from verify.trust import TrustList  # noqa: E402
from verify.verifier import Verifier  # noqa: E402

BASE_URL = "https://v.edu.kz"
AT = dt.datetime(2026, 11, 21, 12, tzinfo=dt.UTC)
SIGNED_AT = dt.datetime(2026, 11, 20, 12, tzinfo=dt.UTC)
NAMES = [("Тұрсынбекова", "Әйгерім", "Асқарқызы"), ("Жұмағалиев", "Нұрсұлтан", "Ерланұлы"),
         ("Сейітқалиева", "Гүлнәр", "Бауыржанқызы"), ("Әбдіхалықов", "Дәурен", "Серікұлы")]


class World:
    """The codes, the trust list, the verifiers and the bare key of one run."""

    def __init__(self, count: int) -> None:
        document = make_signer("bench verify: document signer")
        status = make_signer("bench verify: status signer")
        from dataclasses import replace
        self.trust_list: TrustList = trust_list((entry(document, label="TEST ONLY document signer"),
                                                 replace(entry(status, label="TEST ONLY status signer"),
                                                         usage="status")))
        records = [sample_record(number=f"{i:07d}", holder=HolderName(*NAMES[i % len(NAMES)]))
                   for i in range(1, count + 1)]
        self.texts = [sign_record(r, signer=document, base_url=BASE_URL, at=SIGNED_AT).qr_text for r in records]
        rows = [(r.number, None) for r in records]
        signed_list = build_status_list("BD", rows, version=1, issued_at=SIGNED_AT).sign(status)
        lookup = StatusListLookup([verify_status_list(signed_list, trust_list=self.trust_list, at=AT)])
        self.offline = Verifier(self.trust_list)
        self.with_lists = Verifier(self.trust_list, status_lookup=lookup, status_required=True)
        raw = document.certificate.public_key().public_bytes(serialization.Encoding.Raw,
                                                             serialization.PublicFormat.Raw)
        self.key = nacl.signing.VerifyKey(raw)
        self.signed: list[tuple[bytes, bytes]] = []
        for text in self.texts:
            sign1 = codec.parse_sign1(qrtext.digits_to_bytes(qrtext.split_qr_text(text)[1]))
            self.signed.append((sign1.to_be_signed(), sign1.signature))
        for verifier in (self.offline, self.with_lists):  # every code verifies (and warms the caches once)
            assert all(verifier.check(t, at=AT).verdict == "VALID" for t in self.texts[:50])

    def bare(self, start: int, n: int) -> None:
        verify, signed = self.key.verify, self.signed
        for i in range(start, start + n):
            data, signature = signed[i % len(signed)]
            verify(data, signature)

    def check_offline(self, start: int, n: int) -> None:
        check, texts = self.offline.check, self.texts
        for i in range(start, start + n):
            check(texts[i % len(texts)], at=AT)

    def check_with_lists(self, start: int, n: int) -> None:
        check, texts = self.with_lists.check, self.texts
        for i in range(start, start + n):
            check(texts[i % len(texts)], at=AT)


def bench_time(world: World, rounds: int, block: int) -> dict[str, list[float]]:
    """Rates per CPU second of each measurement, one per round.

    Each round runs every code once per measurement, in blocks of `block` codes that alternate between the three
    (the order rotating from block to block), and sums each one's CPU time (`time.process_time`) over its blocks:
    on a shared machine whose speed drifts within seconds, each measurement then sees the same machine, where
    back-to-back runs of a whole round each saw another (ratios of 0.45 to 0.80 within one run before).
    """
    names = {"bare Ed25519 (libsodium)": world.bare, "check, offline": world.check_offline,
             "check with status lists": world.check_with_lists}
    order = list(names.items())
    count = len(world.texts)
    rates: dict[str, list[float]] = {name: [] for name in names}
    clock = time.process_time
    for _ in range(rounds):
        spent = dict.fromkeys(names, 0.0)
        for index, start in enumerate(range(0, count, block)):
            n = min(block, count - start)
            turn = index % len(order)
            for name, fn in order[turn:] + order[:turn]:
                began = clock()
                fn(start, n)
                spent[name] += clock() - began
        for name in names:
            rates[name].append(count / spent[name])
    return rates


_COLLECTED = re.compile(r"Collected : (\d+)")


def bench_callgrind(count: int, n: int) -> dict[str, float]:
    """Instructions per operation: three runs of this script under callgrind (setup only, N bare, N checks)."""
    totals: dict[str, int] = {}
    procs = {}
    for mode in ("setup", "bare", "offline", "lists"):
        cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable, __file__,
               "--count", str(count), "--inner", mode, "--inner-n", str(n)]
        # One BLAS thread and a fixed hash seed: a library's idle BLAS threads (imported with the scanner's stack) and
        # randomised dict layouts made the setup's own count vary by ~3 % between runs (~70,000 per operation at 1,000).
        environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "PYTHONHASHSEED": "0"}
        procs[mode] = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                                       env=environment)
    for mode, proc in procs.items():
        _, err = proc.communicate()
        found = _COLLECTED.findall(err)
        if proc.returncode != 0 or not found:
            raise SystemExit(f"callgrind run {mode} failed: {err[-2000:]}")
        totals[mode] = int(found[-1])
    return {mode: (totals[mode] - totals["setup"]) / n for mode in ("bare", "offline", "lists")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=3000, help="distinct codes")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--block", type=int, default=50,
                        help="codes per block: the three measurements alternate block by block")
    parser.add_argument("--callgrind", type=int, default=0, metavar="N",
                        help="count instructions of N operations under valgrind instead of timing")
    parser.add_argument("--inner", choices=("setup", "bare", "offline", "lists"), help=argparse.SUPPRESS)
    parser.add_argument("--inner-n", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        world = World(args.count)
        {"setup": lambda s, n: None, "bare": world.bare, "offline": world.check_offline,
         "lists": world.check_with_lists}[args.inner](0, args.inner_n)
        return
    load_before = os.getloadavg()
    print(f"Python {platform.python_version()}, {platform.machine()}, {cpu_model()}, one process, one thread; "
          f"{args.count} distinct codes; load average before {load_before[0]:.1f}")
    if args.callgrind:
        per_op = bench_callgrind(args.count, args.callgrind)
        print(f"\ncallgrind, {args.callgrind} operations per mode, instructions per operation:\n")
        print("| | instructions per operation | bare / this (instruction ratio) |")
        print("|---|---|---|")
        names = {"bare": "bare Ed25519 (libsodium)", "offline": "check, offline", "lists": "check with status lists"}
        for mode, count in per_op.items():
            print(f"| {names[mode]} | {count:,.0f} | {per_op['bare'] / count:.2f} |")
        return
    world = World(args.count)
    rates = bench_time(world, args.rounds, args.block)
    load_after = os.getloadavg()
    bare = rates["bare Ed25519 (libsodium)"]
    print(f"{args.rounds} rounds of {args.count} operations per measurement, alternating every {args.block}; rates "
          f"per CPU second; load average after {load_after[0]:.1f}\n")
    print("| | median per CPU second | µs | every round | ratio to bare, per round (median) |")
    print("|---|---|---|---|---|")
    for name, values in rates.items():
        ratios = [v / b for v, b in zip(values, bare, strict=True)]
        med = statistics.median(values)
        print(f"| {name} | {med:,.0f} | {1e6 / med:.1f} | {', '.join(f'{v:,.0f}' for v in values)} | "
              f"{', '.join(f'{r:.2f}' for r in ratios)} (**{statistics.median(ratios):.2f}**) |")




if __name__ == "__main__":
    main()
