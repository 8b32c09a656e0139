"""Benchmark: the HTTP service on loopback, a real uvicorn server: verification with the registry vs a trivial answer,
and photo scans.

For each registry engine (SQLite, PostgreSQL) a fresh registry gets `--documents` issued documents (one university,
`issue_group`), and for each `--workers` count the service is started as in production (`python -m web serve
--workers N` in a subprocess, VERIFY_ENVIRONMENT=production, rate limits raised through VERIFY_RATE_*). Then:

1. **trivial**: `GET /api/v1/ping` ({"ok": true}, no database, no trust list) and **verify**: `POST /api/v1/verify`
   with the QR texts of all the registry's documents in turn (signature, trust list, the registry's status of the
   revision), alternately, `--rounds` times `--duration` seconds each after a short warm-up, with `--connections`
   keep-alive connections. Requests/s, p50 and p99 latency; the goal is verify >= 40 % of trivial.
2. **scan**: `POST /api/v1/scan` with a 12 MP photo (4000 x 3000 JPEG) of a diploma page with one of the
   documents' QR codes: the median latency of `--scan-sequential` photos sent one at a time, then photos/s with
   `--scan-concurrency` uploads at a time for `--scan-duration` seconds.

Every answer is checked first (ping says ok, verify says VALID, the scan finds the code and says VALID); during the
load any answer other than 200 is counted as an error and reported. The load generator is `wrk` (with a Lua
script cycling through the bodies; `apt-get install wrk`) when installed, else an asyncio `httpx` client
(`--client httpx`), which costs more CPU on the same machine. Only 127.0.0.1 is ever contacted.

    .venv/bin/python bench/bench_http.py --json
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import io
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from importlib.metadata import version as package_version
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import httpx  # noqa: E402
import numpy as np  # noqa: E402
from bench_registry import BASE_URL, T0, fresh_database, graduates_csv, setup_university  # noqa: E402
from benchdb import add_postgres_option  # noqa: E402
from machine import cpu_model  # noqa: E402
from PIL import Image, ImageDraw  # noqa: E402
from sqlmodel import Session, col, select  # noqa: E402

from verify import render_record  # noqa: E402
from verify.keystore import KeyStore  # noqa: E402
from verify.registry.db import make_engine  # noqa: E402
from verify.registry.documents import issue_group, signed_record_of  # noqa: E402
from verify.registry.imports.load import import_graduates  # noqa: E402
from verify.registry.imports.parse import parse_graduates  # noqa: E402
from verify.registry.institutions import get_institution_by_bin_or_raise, get_officer_by_username_or_raise  # noqa: E402
from verify.registry.models import DocumentRevision  # noqa: E402

HOST = "127.0.0.1"
PHOTO_SIZE = (4000, 3000)
CODE_PX = 480
"""30 mm at 16 px/mm: a phone photographing a whole A4 landscape page at 4000 px."""
RATES = "1000000/second"
"""The server's rate limits: counted on every request as in production, never reached by the one client that
sends all the load."""


# ------------------------------------------------------------------------------------------ preparation
@dataclass
class Registry:
    """A prepared registry: its URL, the QR texts of its documents, and one document's QR code as printed."""

    engine: str
    url: str
    qr_texts: list[str]
    code_png: bytes


def prepare_registry(engine_name: str, url: str, keys: KeyStore, count: int) -> Registry:
    """Import `count` graduates into a fresh registry and issue all their documents (one `issue_group`)."""
    setup_university(url)
    engine = make_engine(url)
    try:
        report = parse_graduates(graduates_csv(count, groups=1), filename="graduates.csv", today=T0.date())
        assert report.ok, report.errors[:3]
        with Session(engine, expire_on_commit=False) as session:
            university = get_institution_by_bin_or_raise(session=session, bin="040140001236")
            officer = get_officer_by_username_or_raise(session=session, username="bench")
            session.commit()
            result = import_graduates(session=session, report=report, institution=university, officer=officer,
                                      at=T0)
            assert result.ok, result.errors[:3]
            issued = issue_group(session=session, officer=officer, group="G000", idempotency_key="bench-http",
                                 signer=keys.signer(), base_url=BASE_URL, at=T0 + dt.timedelta(hours=1))
            assert issued.issued == count, issued
            revisions = session.exec(select(DocumentRevision).order_by(col(DocumentRevision.document_id))).all()
            session.commit()
        code_png = render_record(signed_record_of(revisions[0])).png
        return Registry(engine=engine_name, url=url, qr_texts=[r.qr_text for r in revisions], code_png=code_png)
    finally:
        engine.dispose()


def diploma_photo(code_png: bytes) -> bytes:
    """A 12 MP phone photo (JPEG) of a diploma page on a desk, lit unevenly, tilted, with sensor noise."""
    rng = np.random.default_rng(12)
    width, height = PHOTO_SIZE
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    desk = 95 + 25 * np.sin(x / 530.0) * np.cos(y / 410.0)
    photo = Image.fromarray(np.clip(desk, 0, 255).astype(np.uint8), "L").convert("RGB")
    page = Image.new("RGB", (3700, 2600), (247, 244, 234))
    draw = ImageDraw.Draw(page)
    draw.rectangle((60, 60, 3640, 2540), outline=(60, 70, 130), width=14)
    for line in range(14):  # lines of "text"
        top = 300 + line * 120
        for word in range(int(rng.integers(5, 11))):
            left = 260 + word * 260 + int(rng.integers(0, 60))
            draw.rectangle((left, top, left + int(rng.integers(90, 220)), top + 34), fill=(40, 40, 70))
    code = Image.open(io.BytesIO(code_png)).convert("RGB").resize((CODE_PX, CODE_PX), Image.Resampling.LANCZOS)
    page.paste(code, (3700 - CODE_PX - 260, 2600 - CODE_PX - 220))
    tilted = page.rotate(3.0, resample=Image.Resampling.BICUBIC, expand=True)
    mask = Image.new("L", page.size, 255).rotate(3.0, resample=Image.Resampling.BICUBIC, expand=True)
    photo.paste(tilted, ((width - tilted.width) // 2, (height - tilted.height) // 2), mask)
    light = (0.8 + 0.25 * (x / width)).astype(np.float32)[..., None]
    pixels = np.asarray(photo, dtype=np.float32) * light + rng.normal(0, 3.0, (height, width, 1)).astype(np.float32)
    buffer = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB").save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


# ------------------------------------------------------------------------------------------ the server
def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def server(registry: Registry, keys_dir: Path, workdir: Path, workers: int, scan_workers: int,
           port: int = 0) -> Iterator[tuple[str, int]]:
    """`python -m web serve` on 127.0.0.1:`port` (0: a free port) until the block ends; its base URL and pid."""
    port = port or free_port()
    environment = {
        **os.environ, "VERIFY_ENVIRONMENT": "production", "VERIFY_KEYS_DIR": str(keys_dir),
        "VERIFY_BASE_URL": BASE_URL, "VERIFY_DATABASE_URL": registry.url, "VERIFY_DATA_DIR": str(workdir / "data"),
        "VERIFY_RATE_VERIFY": RATES, "VERIFY_RATE_SCAN": RATES, "VERIFY_RATE_LOOKUP": RATES,
        "VERIFY_RATE_TRUST_LIST": RATES, "VERIFY_SCAN_WORKERS": str(scan_workers), "VERIFY_SCAN_QUEUE": "64",
    }
    environment.pop("PROMETHEUS_MULTIPROC_DIR", None)
    # The server runs this tree's code: an editable install of another checkout in the same interpreter would
    # otherwise be imported (the server's working directory is a temporary one).
    environment["PYTHONPATH"] = os.pathsep.join(filter(None, (str(ROOT), os.environ.get("PYTHONPATH"))))
    log = workdir / f"server-{registry.engine}-{workers}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "web", "serve", "--host", HOST, "--port", str(port),
                                    "--workers", str(workers)], env=environment, stdout=sink,
                                   stderr=subprocess.STDOUT, cwd=workdir)
    url = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(httpx.TransportError):
                if httpx.get(url + "/healthz", timeout=2).status_code == 200:
                    break
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"the server did not start:\n{log.read_text(errors='replace')[-3000:]}")
            time.sleep(0.2)
        yield url, process.pid
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def check_answers(url: str, registry: Registry, photo: bytes) -> None:
    """Stop unless ping, verify and scan give the right answers (the load must measure real work)."""
    ping = httpx.get(url + "/api/v1/ping", timeout=10)
    assert ping.status_code == 200 and ping.json() == {"ok": True}, ping.text
    for text in (registry.qr_texts[0], registry.qr_texts[-1]):
        verdict = httpx.post(url + "/api/v1/verify", json={"qr_text": text}, timeout=10).json()
        assert verdict["verdict"] == "VALID", verdict
    scanned = httpx.post(url + "/api/v1/scan", files={"photo": ("photo.jpg", photo, "image/jpeg")}, timeout=60)
    assert scanned.status_code == 200, scanned.text[:500]
    assert [r["verdict"] for r in scanned.json()["results"]] == ["VALID"], scanned.text[:500]


# ------------------------------------------------------------------------------------------ load
@dataclass
class Load:
    """One load run: requests/s, latency percentiles (ms), requests, answers other than 200 and errors."""

    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    non_200: int
    errors: int
    server_cpu_s: float = 0.0  # CPU seconds of the server's processes (and the database server's) during the run
    database_cpu_s: float = 0.0

    @property
    def per_cpu_s(self) -> float:
        """Requests per CPU second of the server's processes and of the database server: the rate a machine of
        its own would give, which other jobs on a shared machine cannot lower."""
        cpu = self.server_cpu_s + self.database_cpu_s
        return self.requests / cpu if cpu > 0 else 0.0


_WRK_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('\\nRESULT {"requests": %d, "duration_us": %d, "non_200": %d, "errors": %d, '
    .. '"p50_us": %d, "p99_us": %d}\\n', summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_script(path: Path, method: str, target: str, bodies: list[str] | None) -> None:
    """A wrk Lua script: GET the target, or POST the bodies in turn; prints a JSON summary at the end."""
    if bodies is None:
        requests = f'request = function() return wrk.format("{method}", "{target}") end\n'
    else:
        table = ",\n".join(json.dumps(body) for body in bodies)
        requests = (f"local bodies = {{\n{table}\n}}\nlocal i = 0\n"
                    "local headers = {[\"Content-Type\"] = \"application/json\"}\n"
                    "request = function()\n  i = i % #bodies + 1\n"
                    f'  return wrk.format("{method}", "{target}", headers, bodies[i])\nend\n')
    path.write_text(requests + _WRK_DONE, encoding="utf-8")


def run_wrk(url: str, script: Path, *, seconds: float, connections: int, threads: int) -> Load:
    """Run wrk; its summary."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "10s",
               "-s", str(script), url]
    output = subprocess.run(command, capture_output=True, text=True, check=True, timeout=seconds + 60).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    return Load(rps=result["requests"] / (result["duration_us"] / 1e6), p50_ms=result["p50_us"] / 1000,
                p99_ms=result["p99_us"] / 1000, requests=result["requests"], non_200=result["non_200"],
                errors=result["errors"])


async def _httpx_load(url: str, method: str, bodies: list[str] | None, *, seconds: float,
                      connections: int) -> Load:
    latencies: list[float] = []
    counts = {"non_200": 0, "errors": 0}
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    async with httpx.AsyncClient(limits=limits, timeout=10) as client:
        start = time.perf_counter()
        deadline = start + seconds

        async def worker(offset: int) -> None:
            i = offset
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                try:
                    if bodies is None:
                        response = await client.request(method, url)
                    else:
                        response = await client.request(method, url, content=bodies[i % len(bodies)],
                                                        headers={"Content-Type": "application/json"})
                        i += connections
                except httpx.HTTPError:
                    counts["errors"] += 1
                    continue
                latencies.append(time.perf_counter() - sent)
                if response.status_code != 200:
                    counts["non_200"] += 1

        await asyncio.gather(*(worker(n) for n in range(connections)))
        elapsed = time.perf_counter() - start
    latencies.sort()
    return Load(rps=len(latencies) / elapsed, p50_ms=1000 * latencies[len(latencies) // 2],
                p99_ms=1000 * latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
                requests=len(latencies), **counts)


@dataclass
class Case:
    """A load case: what to send."""

    name: str
    method: str
    path: str
    bodies: list[str] | None = None
    script: Path | None = None


def measure(url: str, case: Case, args: argparse.Namespace, seconds: float) -> Load:
    """One run of a case with the chosen load generator."""
    if args.client == "wrk":
        assert case.script is not None
        return run_wrk(url + case.path, case.script, seconds=seconds, connections=args.connections,
                       threads=args.threads)
    return asyncio.run(_httpx_load(url + case.path, case.method, case.bodies, seconds=seconds,
                                   connections=args.connections))


@dataclass
class ScanLoad:
    """Scans: median latency one at a time, photos/s and median latency with several at a time."""

    sequential_median_s: float
    photos_per_s: float
    concurrent_median_s: float
    photos: int
    non_200: int


def scan_load(url: str, photo: bytes, *, sequential: int, concurrency: int, seconds: float) -> ScanLoad:
    """Send the photo one at a time, then `concurrency` at a time for `seconds`."""
    files = {"photo": ("photo.jpg", photo, "image/jpeg")}
    alone = []
    with httpx.Client(timeout=60) as client:
        for _ in range(sequential):
            sent = time.perf_counter()
            response = client.post(url + "/api/v1/scan", files=files)
            alone.append(time.perf_counter() - sent)
            assert response.status_code == 200, response.text[:300]

    async def run() -> tuple[list[float], int, float]:
        latencies: list[float] = []
        failed = 0
        async with httpx.AsyncClient(timeout=120) as client:
            start = time.perf_counter()
            deadline = start + seconds

            async def worker() -> None:
                nonlocal failed
                while time.perf_counter() < deadline:
                    sent = time.perf_counter()
                    response = await client.post(url + "/api/v1/scan", files=files)
                    if response.status_code == 200:
                        latencies.append(time.perf_counter() - sent)
                    else:
                        failed += 1

            await asyncio.gather(*(worker() for _ in range(concurrency)))
            return latencies, failed, time.perf_counter() - start

    latencies, failed, elapsed = asyncio.run(run())
    return ScanLoad(sequential_median_s=statistics.median(alone), photos_per_s=len(latencies) / elapsed,
                    concurrent_median_s=statistics.median(latencies) if latencies else float("nan"),
                    photos=len(latencies), non_200=failed)


# ------------------------------------------------------------------------------------------ the run
@dataclass
class Row:
    """The results of one server configuration."""

    engine: str
    workers: int
    trivial: list[Load] = field(default_factory=list)
    verify: list[Load] = field(default_factory=list)
    scan: ScanLoad | None = None

    def median(self, case: str, name: str) -> float:
        """The median of a figure over the rounds of a case."""
        return statistics.median(getattr(run, name) for run in getattr(self, case))


_TICKS = os.sysconf("SC_CLK_TCK")


def _processes() -> dict[int, tuple[int, str, float]]:
    """Every process now: pid -> (parent pid, name, CPU seconds user + system), read from /proc."""
    found: dict[int, tuple[int, str, float]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError, ValueError, IndexError):
                stat = (entry / "stat").read_text()
                name, rest = stat.split("(", 1)[1].rsplit(")", 1)
                fields = rest.split()
                found[int(entry.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / _TICKS)
    return found


def _server_pids(processes: dict[int, tuple[int, str, float]], root: int) -> set[int]:
    """`root` and every descendant (uvicorn's supervisor -> workers -> decoding processes)."""
    wanted = {root}
    for _ in range(8):
        wanted |= {pid for pid, (parent, _, _) in processes.items() if parent in wanted}
    return wanted


def cpu_delta(before: dict[int, tuple[int, str, float]], after: dict[int, tuple[int, str, float]],
              pids: set[int]) -> float:
    """CPU seconds the processes `pids` used between two snapshots (one that started meanwhile: all of its time;
    one that ended meanwhile is not counted)."""
    return sum(after[pid][2] - (before[pid][2] if pid in before else 0.0) for pid in pids if pid in after)


def measured(url: str, case: Case, args: argparse.Namespace, pid: int, engine: str) -> Load:
    """`measure`, with the CPU seconds of the server (and of PostgreSQL's processes, for that engine) during it."""
    before = _processes()
    load = measure(url, case, args, args.duration)
    after = _processes()
    load.server_cpu_s = cpu_delta(before, after, _server_pids(after, pid))
    if engine == "postgresql":
        load.database_cpu_s = cpu_delta(before, after, {p for p, (_, name, _) in after.items() if name == "postgres"})
    return load


def run_configuration(registry: Registry, keys_dir: Path, workdir: Path, workers: int, photo: bytes,
                      args: argparse.Namespace) -> Row:
    """Start the server; warm up; trivial and verify alternately; then scans."""
    trivial = Case("trivial", "GET", "/api/v1/ping")
    bodies = [json.dumps({"qr_text": text}) for text in registry.qr_texts]
    verify = Case("verify", "POST", "/api/v1/verify", bodies=bodies)
    for case in (trivial, verify):
        case.script = workdir / f"{case.name}-{registry.engine}.lua"
        wrk_script(case.script, case.method, case.path, case.bodies)
    row = Row(engine=registry.engine, workers=workers)
    with server(registry, keys_dir, workdir, workers, args.scan_workers, args.port) as (url, pid):
        check_answers(url, registry, photo)
        for case in (trivial, verify):
            measure(url, case, args, args.warmup)
        for _ in range(args.rounds):
            row.trivial.append(measured(url, trivial, args, pid, registry.engine))
            row.verify.append(measured(url, verify, args, pid, registry.engine))
        if args.scan_duration > 0:
            row.scan = scan_load(url, photo, sequential=args.scan_sequential, concurrency=args.scan_concurrency,
                                 seconds=args.scan_duration)
    return row


def report(rows: list[Row], args: argparse.Namespace, photo: bytes, documents: int) -> str:
    """The Markdown tables."""
    lines = [
        f"Machine: {os.cpu_count()} CPUs, {platform.platform()}, Python {platform.python_version()}, "
        f"uvicorn {package_version('uvicorn')}, FastAPI {package_version('fastapi')}, load generator "
        f"{args.client} ({args.connections} connections" + (f", {args.threads} threads" if args.client == "wrk"
                                                             else "") + f"), {documents} documents per registry, "
        f"{args.rounds} round(s) of {args.duration:g} s per case (median shown). CPU {cpu_model()}; load average "
        f"{' / '.join(f'{x:.1f}' for x in os.getloadavg())} (1 / 5 / 15 min) when the report was written.",
        "",
        "| registry | workers | trivial req/s | p50 ms | p99 ms | verify req/s | p50 ms | p99 ms | verify / trivial |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        ratio = row.median("verify", "rps") / row.median("trivial", "rps")
        lines.append(
            f"| {row.engine} | {row.workers} | {row.median('trivial', 'rps'):,.0f} | "
            f"{row.median('trivial', 'p50_ms'):.1f} | {row.median('trivial', 'p99_ms'):.1f} | "
            f"{row.median('verify', 'rps'):,.0f} | {row.median('verify', 'p50_ms'):.1f} | "
            f"{row.median('verify', 'p99_ms'):.1f} | **{ratio:.0%}** |")
    failures = sum(run.non_200 + run.errors for row in rows for run in (*row.trivial, *row.verify))
    lines += ["", f"Answers other than 200 or connection errors during the load: {failures}.", "",
              "Every round (trivial and verify alternate; the ratio of each round's pair):", "",
              "| registry | workers | trivial req/s, each round | verify req/s, each round | verify / trivial, each |",
              "|---|---|---|---|---|"]
    for row in rows:
        pairs = list(zip(row.trivial, row.verify, strict=True))
        lines.append(f"| {row.engine} | {row.workers} | {', '.join(f'{t.rps:,.0f}' for t, _ in pairs)} | "
                     f"{', '.join(f'{v.rps:,.0f}' for _, v in pairs)} | "
                     f"{', '.join(f'{v.rps / t.rps:.0%}' for t, v in pairs)} |")
    lines += ["", "Per CPU second of the server's processes (and, on PostgreSQL, of the database server's): what a "
              "machine of its own would serve; other jobs on a shared machine do not lower it (the load generator's "
              "CPU is not counted):", "",
              "| registry | workers | trivial req per CPU s, each round | verify req per CPU s, each round | "
              "verify / trivial, each (median) |", "|---|---|---|---|---|"]
    for row in rows:
        pairs = list(zip(row.trivial, row.verify, strict=True))
        ratios = [v.per_cpu_s / t.per_cpu_s for t, v in pairs if t.per_cpu_s > 0]
        lines.append(f"| {row.engine} | {row.workers} | {', '.join(f'{t.per_cpu_s:,.0f}' for t, _ in pairs)} | "
                     f"{', '.join(f'{v.per_cpu_s:,.0f}' for _, v in pairs)} | "
                     f"{', '.join(f'{r:.0%}' for r in ratios)} (**{statistics.median(ratios):.0%}**) |")
    scans = [row for row in rows if row.scan is not None]
    if scans:
        lines += [
            "",
            f"Scan: {PHOTO_SIZE[0]} x {PHOTO_SIZE[1]} JPEG, {len(photo) / 1e6:.1f} MB, code {CODE_PX} px wide; "
            f"{args.scan_workers} decoding processes per worker; {args.scan_sequential} photos one at a time, "
            f"then {args.scan_concurrency} at a time for {args.scan_duration:g} s.",
            "",
            "| registry | workers | median latency, alone | photos/s | median latency under load | failed |",
            "|---|---|---|---|---|---|",
        ]
        for row in scans:
            assert row.scan is not None
            lines.append(f"| {row.engine} | {row.workers} | {row.scan.sequential_median_s:.2f} s | "
                         f"{row.scan.photos_per_s:.2f} | {row.scan.concurrent_median_s:.2f} s | "
                         f"{row.scan.non_200} |")
    return "\n".join(lines)




def main() -> None:
    """Parse the options, prepare the registries and the photo, run every configuration, print the report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("--documents", type=int, default=300, help="documents per registry")
    parser.add_argument("--workers", default="1,2", help="uvicorn worker counts to run, comma-separated")
    parser.add_argument("--engines", default="sqlite,postgresql")
    add_postgres_option(parser)
    parser.add_argument("--port", type=int, default=0,
                        help="TCP port of the servers it starts, one at a time (default: a free port each)")
    parser.add_argument("--client", choices=("wrk", "httpx"), default="wrk" if shutil.which("wrk") else "httpx")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per case and round")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of unmeasured load per case first")
    parser.add_argument("--rounds", type=int, default=5, help="trivial/verify rounds, alternating")
    parser.add_argument("--scan-workers", type=int, default=2, help="VERIFY_SCAN_WORKERS of the server")
    parser.add_argument("--scan-sequential", type=int, default=5)
    parser.add_argument("--scan-concurrency", type=int, default=4)
    parser.add_argument("--scan-duration", type=float, default=20.0, help="0 skips the scans")
    parser.add_argument("--json", action="store_true", help="print the raw results as JSON too")
    args = parser.parse_args()
    if HOST not in args.postgres_url and "localhost" not in args.postgres_url:
        raise SystemExit("only a PostgreSQL server on 127.0.0.1 is used by this benchmark")
    rows: list[Row] = []
    print(f"load average before: {' / '.join(f'{x:.1f}' for x in os.getloadavg())}", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="bench-http-") as tmp:
        workdir = Path(tmp)
        (workdir / "data").mkdir()
        keys = KeyStore(workdir / "keys")
        keys.init(at=T0 - dt.timedelta(days=1), environment="test")
        photo = b""
        for engine_name in args.engines.split(","):
            with fresh_database(engine_name, args.postgres_url, workdir) as url:
                started = time.perf_counter()
                registry = prepare_registry(engine_name, url, keys, args.documents)
                print(f"{engine_name}: {args.documents} documents issued in {time.perf_counter() - started:.1f} s",
                      file=sys.stderr)
                photo = diploma_photo(registry.code_png)
                for workers in (int(n) for n in args.workers.split(",")):
                    print(f"{engine_name}, {workers} worker(s)...", file=sys.stderr)
                    rows.append(run_configuration(registry, keys.path, workdir, workers, photo, args))
    print(report(rows, args, photo, args.documents))
    if args.json:
        print("\n```json")
        print(json.dumps([asdict(row) for row in rows], indent=1))
        print("```")


if __name__ == "__main__":
    main()
