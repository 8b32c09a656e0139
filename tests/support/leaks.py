"""The one IIN-leak harness: looks for IINs in everything the test run saw (answers, logs, output, pages, files).

`tests/conftest.py` installs the recorders at the start of the session and `tests/test_zz_iin_leaks.py` (moved to
the very end of the run by that conftest) asserts that nothing was found. What is scanned, as it is produced:

* every HTTP response read in this process, body and headers: `httpx` and `httpx2` (Starlette's `TestClient`,
  the real-server tests), `requests` (schemathesis's in-process ASGI client);
* every log line any `logging.Handler` formats in this process (the service's JSON lines, pytest's `caplog` and
  report capture, anything else);
* the captured stdout, stderr and log sections of every test report;
* pages a Playwright browser loaded (`Page.goto` answers, `Page.content()`), when the browser tests run;
* every stored row of every text column of a test registry (`scan_registry`, when `support.world.World` is
  disposed): free text a person typed (a correction reason, an annulment basis, a name) is what the public pages,
  the API and the audit log show; only `holders.iin` holds an IIN by design;
* at the end: every `*.log` file under the session's temporary directory (the servers the tests start in
  subprocesses write there) and `CORPUS` (every answer of the web tests' clients, raw socket answers and server
  output, and the IINs the tests gave their graduates).

The detector: a run of exactly 12 digits that is a valid IIN (`verify.identifiers.validate_iin`: century digit,
a real birth date, the check digit). Runs that are part of a hexadecimal token (a hex letter right before or after:
hashes, key ids) or the last group of a UUID (request ids) are not IINs and are skipped: random hex passes the
IIN check about once in 20 000 tokens, which would make the check flaky. Only the request bodies the tests send
are not scanned (the partner look-up sends an IIN by design). Everything here is TEST ONLY.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Engine, String, select
from sqlalchemy.exc import SQLAlchemyError

from verify.errors import RecordError
from verify.identifiers import validate_iin
from verify.registry.models import metadata
from web.http.logging import JsonFormatter

_TWELVE_DIGITS = re.compile(rb"(?<![0-9])[0-9]{12}(?![0-9])")
_HEX_LETTERS = frozenset(b"abcdefABCDEF")
_UUID_HEAD = re.compile(rb"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-\Z")
_CONTEXT = 40
IIN_COLUMNS = frozenset({("holders", "iin")})
"""The registry columns that hold an IIN by design (never shown, never logged)."""


def iins_in(data: bytes | str) -> list[tuple[str, int]]:
    """Every IIN in `data` with its offset (see the module docstring for what is skipped)."""
    text = data.encode("utf-8", "replace") if isinstance(data, str) else data
    found = []
    for match in _TWELVE_DIGITS.finditer(text):
        start, end = match.span()
        if (start > 0 and text[start - 1] in _HEX_LETTERS) or (end < len(text) and text[end] in _HEX_LETTERS):
            continue
        if start >= 24 and _UUID_HEAD.search(text, start - 24, start):
            continue
        try:
            found.append((validate_iin(match.group().decode("ascii")), start))
        except RecordError:
            continue
    return found


def masked(iin: str) -> str:
    """An IIN as the report shows it: the birth date, the rest hidden."""
    return iin[:6] + "******"


@dataclass(frozen=True)
class Finding:
    """One IIN seen somewhere.

    Attributes:
        source: what produced it, e.g. "http GET /api/v1/officer/graduates 200 body" or "log line".
        test: the test that was running (its node id), or "" outside any test.
        iin: the IIN, masked (birth date only).
        context: the text around it, the IIN masked.
    """

    source: str
    test: str
    iin: str
    context: str

    def __str__(self) -> str:
        return f"{self.iin} in {self.source} during {self.test or '(no test)'}: ...{self.context}..."


@dataclass
class LeakScanner:
    """Scans texts as they are produced and keeps what it found (never the texts themselves).

    Attributes:
        findings: every IIN found, once per (source, test, IIN).
        counts: how many texts of each kind were scanned ("http", "log", "output", "page", "file").
        current_test: the node id of the running test (set by the conftest's hooks).
        checked: whether the leak-check test has run (and reported the findings).
    """

    findings: list[Finding] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    current_test: str = ""
    checked: bool = False
    _seen: set[tuple[str, str, str]] = field(default_factory=set)

    def scan(self, kind: str, source: str, data: bytes | str) -> None:
        """Scan one text of a kind ("http", "log", ...) from a source."""
        self.counts[kind] = self.counts.get(kind, 0) + 1
        self._scan(source, data)

    def _scan(self, source: str, data: bytes | str) -> None:
        if not data:
            return
        text = data.encode("utf-8", "replace") if isinstance(data, str) else data
        for iin, offset in iins_in(text):
            key = (source, self.current_test, iin)
            if key in self._seen:
                continue
            self._seen.add(key)
            around = text[max(0, offset - _CONTEXT):offset + 12 + _CONTEXT].decode("utf-8", "replace")
            self.findings.append(Finding(source=source, test=self.current_test, iin=masked(iin),
                                         context=around.replace(iin, masked(iin)).replace("\n", " ")))

    def scan_http(self, method: str, url: str, status: int, headers: Iterable[tuple[Any, Any]],
                  body: bytes) -> None:
        """Scan an HTTP answer: every header line, then the body."""
        where = f"http {method} {url} {status}"
        lines = [f"{_text(name)}: {_text(value)}" for name, value in headers]
        self._scan(f"{where} headers", "\n".join(lines))
        self.scan("http", f"{where} body", body)

    def scan_registry(self, engine: Engine) -> None:
        """Scan the stored rows of every text and JSON column of a registry but `holders.iin` (an IIN by design).

        A database that cannot be read (dropped already, not migrated) is skipped: its tests failed or ran
        without one, and the column scan is about what was written.
        """
        try:
            with engine.connect() as connection:
                for table in metadata.sorted_tables:
                    columns = [c for c in table.columns if _is_text(c.type) and (table.name, c.name) not in IIN_COLUMNS]
                    if not columns:
                        continue
                    for stored in connection.execute(select(*columns)):
                        for column, value in zip(columns, stored, strict=True):
                            if value is not None:
                                self.scan("registry", f"registry row {table.name}.{column.name}", str(value))
                connection.rollback()
        except SQLAlchemyError:
            return

    def scan_files(self, root: Path, pattern: str = "*.log") -> None:
        """Scan every file under `root` matching `pattern` (the logs of servers run in subprocesses)."""
        for path in sorted(root.rglob(pattern)):
            try:
                data = path.read_bytes()
            except OSError:
                continue
            self.scan("file", f"file {path.name} ({path.parent.name})", data)


def _is_text(column_type: Any) -> bool:
    """A text or JSON column type, also behind a TypeDecorator (SQLModel's AutoString)."""
    return isinstance(column_type, (String, JSON)) or isinstance(getattr(column_type, "impl", None), (String, JSON))


def _text(value: Any) -> str:
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


SCANNER = LeakScanner()
"""The scanner of this test process."""


@dataclass
class Corpus:
    """What the web tests saw: response bodies (bytes), log lines (str), and the IINs they created."""

    bodies: list[bytes] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)
    iins: set[str] = field(default_factory=set)


CORPUS = Corpus()
"""The web tests' corpus: `support.web.RecordingClient` keeps every answer here, `CorpusHandler` every line the
service logs, `support.web.issue` and `graduates_csv` every IIN they plant."""


class CorpusHandler(logging.Handler):
    """Formats every record of the service's logger as the server would, into the corpus."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the formatted line."""
        CORPUS.lines.append(self.format(record))


# ----------------------------------------------------------------------------- recorders
def _patch(owner: Any, name: str, make: Callable[[Any], Any]) -> None:
    original = getattr(owner, name)
    if getattr(original, "_leakscan", False):
        return
    replacement = make(original)
    replacement._leakscan = True
    setattr(owner, name, replacement)


def _httpx_reader(original: Any) -> Any:
    def read(self: Any) -> bytes:
        content: bytes = original(self)
        _record_httpx(self, content)
        return content

    return read


def _httpx_async_reader(original: Any) -> Any:
    async def aread(self: Any) -> bytes:
        content: bytes = await original(self)
        _record_httpx(self, content)
        return content

    return aread


def _record_httpx(response: Any, content: bytes) -> None:
    if getattr(response, "_leakscan_done", False):
        return
    try:
        request = response.request
    except RuntimeError:  # built with its content and no request yet: the client reads it again once sent
        return
    response._leakscan_done = True
    SCANNER.scan_http(request.method, str(request.url.path), response.status_code, response.headers.raw, content)


def _requests_sender(original: Any) -> Any:
    def send(self: Any, request: Any, **kwargs: Any) -> Any:
        response = original(self, request, **kwargs)
        if not kwargs.get("stream"):
            path = str(request.path_url).split("?", 1)[0]
            SCANNER.scan_http(str(request.method), path, response.status_code, response.headers.items(),
                              response.content or b"")
        return response

    return send


def _formatter(original: Any) -> Any:
    def format(self: logging.Handler, record: logging.LogRecord) -> str:
        line: str = original(self, record)
        SCANNER.scan("log", f"log line ({record.name})", line)
        return line

    return format


def install() -> None:
    """Start recording: patch the HTTP clients that are installed and `logging.Handler.format` (idempotent)."""
    for module_name in ("httpx", "httpx2"):
        try:
            module = __import__(module_name)
        except ImportError:
            continue
        _patch(module.Response, "read", _httpx_reader)
        _patch(module.Response, "aread", _httpx_async_reader)
    try:
        import requests
    except ImportError:
        pass
    else:
        _patch(requests.Session, "send", _requests_sender)
    _patch(logging.Handler, "format", _formatter)


def install_playwright() -> None:
    """Record the pages a Playwright browser loads, once `playwright.sync_api` has been imported by a test."""
    module = sys.modules.get("playwright.sync_api")
    if module is None:
        return

    def goto(original: Any) -> Any:
        def wrapped(self: Any, url: str, *args: Any, **kwargs: Any) -> Any:
            response = original(self, url, *args, **kwargs)
            if response is not None:
                try:
                    body = response.body()
                except Exception:  # a redirect or an aborted navigation has no body
                    body = b""
                SCANNER.scan_http("GET", str(url).split("?", 1)[0], response.status,
                                  response.headers.items(), body)
            return response

        return wrapped

    def content(original: Any) -> Any:
        def wrapped(self: Any, *args: Any, **kwargs: Any) -> str:
            html: str = original(self, *args, **kwargs)
            SCANNER.scan("page", "browser page content", html)
            return html

        return wrapped

    _patch(module.Page, "goto", goto)
    _patch(module.Page, "content", content)


def scan_web_corpus() -> None:
    """Scan `CORPUS` (the web tests' answers, raw socket answers and server output)."""
    for line in CORPUS.lines:
        SCANNER.scan("corpus", "web tests' server output", line)
    for body in CORPUS.bodies:
        SCANNER.scan("corpus", "web tests' recorded answer", body)


__all__ = ["CORPUS", "IIN_COLUMNS", "SCANNER", "Corpus", "CorpusHandler", "Finding", "LeakScanner", "iins_in",
           "install",
           "install_playwright", "masked", "scan_web_corpus"]
