"""No IIN in anything the whole test run saw (`support.leaks`): HTTP answers, log lines, captured output, pages, logs.

The checks are marked `leak_check` and moved to the very end of the run by `tests/conftest.py`, so they see what
every other test produced whatever the order of the files:

* `test_nothing_the_run_saw_holds_an_iin`: the recorders' findings, the web corpus and the servers' log files;
* `test_no_answer_or_log_line_holds_an_iin`: the web tests' corpus (`support.leaks.CORPUS`: every response body
  of their clients and raw sockets, every line the service logged) holds none of the IINs the tests planted and
  no 12-digit number that passes the IIN check (`verify.identifiers.validate_iin`: check digit, century digit, a
  real birth date). BINs have the same check digit but never a valid birth date here.

The other tests here show that the detector and each recorder work.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import uuid
from pathlib import Path

import httpx
import pytest
import requests
from sqlalchemy import create_engine
from sqlmodel import Session
from support import leaks
from support.leaks import CORPUS, SCANNER, LeakScanner, iins_in
from support.world import make_bin, make_iin

from verify.registry.models import GENESIS_HASH, AuditEvent, Holder, Institution, Partner, metadata
from web.http.logging import LOGGER_NAME, configure_logging


@pytest.fixture
def scanner(monkeypatch: pytest.MonkeyPatch) -> LeakScanner:
    """A fresh scanner in place of the session's, for the tests of the recorders."""
    fresh = LeakScanner(current_test="self-test")
    monkeypatch.setattr(leaks, "SCANNER", fresh)
    return fresh


def test_the_detector_finds_an_iin_and_skips_longer_runs_bins_hashes_and_uuids() -> None:
    iin = make_iin()
    assert iins_in(f'{{"x": "{iin}"}}') == [(iin, 7)]
    assert [found for found, _ in iins_in(f"Жеке сәйкестендіру нөмірі:{iin}.")] == [iin]
    assert iins_in("7" + iin + "7") == []
    assert iins_in(make_bin(1)) == []  # a BIN: no birth date in its first six digits
    assert iins_in(f"sha256 ab{iin}cd, kid {iin}e") == []  # inside hexadecimal tokens
    request_id = str(uuid.UUID(f"0b616e3d-385d-4fea-9b1c-{iin}"))
    assert iins_in(f'"instance": "urn:uuid:{request_id}"') == []
    assert iins_in(f"-{iin}") == [(iin, 1)]  # a dash alone does not make a UUID


def test_the_recorders_see_http_answers_of_httpx_and_requests_and_log_lines(scanner: LeakScanner,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    iin = make_iin()
    transport = httpx.MockTransport(lambda request: httpx.Response(200, headers={"X-Holder": iin}, content=b"{}"))
    with httpx.Client(transport=transport) as client:
        client.get("http://127.0.0.1/api/v1/echo")

    class Echo(requests.adapters.BaseAdapter):
        def send(self, request: requests.PreparedRequest, **kwargs: object) -> requests.Response:
            response = requests.Response()
            response.status_code, response._content = 200, f'{{"iin": "{iin}"}}'.encode()
            response.request = request
            return response

    session = requests.Session()
    session.mount("http://", Echo())
    session.get("http://127.0.0.1/api/v1/echo")
    logger = logging.getLogger("leakscan.self-test")
    handler = logging.StreamHandler(io.StringIO())
    logger.addHandler(handler)
    monkeypatch.setattr(logger, "propagate", False)
    try:
        logger.warning("holder %s", iin)
    finally:
        logger.removeHandler(handler)
    assert sorted(finding.source for finding in scanner.findings) == [
        "http GET /api/v1/echo 200 body", "http GET /api/v1/echo 200 headers", "log line (leakscan.self-test)"]
    assert all(iin not in str(finding) and finding.iin == iin[:6] + "******" for finding in scanner.findings)


def test_the_files_scan_reads_server_logs(scanner: LeakScanner, tmp_path: Path) -> None:
    iin = make_iin()
    # Named *.out, not *.log: the final check scans the session's *.log files and must not find this one.
    (tmp_path / "server.out").write_text(f'{{"event": "oops {iin}"}}\n', encoding="utf-8")
    (tmp_path / "notes.txt").write_text(iin, encoding="utf-8")
    scanner.scan_files(tmp_path, "*.out")
    assert [finding.source for finding in scanner.findings] == [f"file server.out ({tmp_path.name})"]


def test_any_handler_on_the_services_loggers_gets_scrubbed_records() -> None:
    configure_logging()
    iin = make_iin()
    out = io.StringIO()
    handler = logging.StreamHandler(out)  # e.g. an operator's log shipper, or pytest's capture
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(LOGGER_NAME)
    logger.addHandler(handler)
    try:
        try:
            raise RuntimeError(f"a database error quoting {iin}")
        except RuntimeError:
            logger.exception("failed for %s", iin)
    finally:
        logger.removeHandler(handler)
    assert iin not in out.getvalue() and out.getvalue().count("[12 digits]") == 2
    assert "RuntimeError: a database error quoting [12 digits]" in out.getvalue()


def test_the_registry_scan_reads_every_text_column_but_the_holders_iin(scanner: LeakScanner, tmp_path: Path) -> None:
    iin = make_iin()
    engine = create_engine(f"sqlite:///{tmp_path / 'registry.db'}")
    metadata.create_all(engine)
    at = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)
    with Session(engine) as session:  # rows written as main let them be: an IIN typed into free text
        session.add(Partner(name=f"app of {iin}", active=True, created_at=at))
        session.add(AuditEvent(seq=1, at=at, actor="admin", action="document.annul", object_type="document",
                               object_ref="BD 0000001", reason=f"order on {iin}", after={"basis": iin},
                               prev_hash=GENESIS_HASH, hash="00" * 32))
        institution = Institution(bin=make_bin(1), name_kk="К", name_ru="К", name_en="C", kind="college",
                                  region="Астана", created_at=at)
        session.add(institution)
        session.flush()
        session.add(Holder(institution_id=institution.id, iin=iin, surname="Әбдірахманова", name="Гүлнұр",
                           birth_date=dt.date(2004, 5, 12), created_at=at, updated_at=at))
        session.commit()
    scanner.scan_registry(engine)
    engine.dispose()
    assert sorted(finding.source for finding in scanner.findings) == [
        "registry row audit_events.after", "registry row audit_events.reason", "registry row partners.name"]
    assert scanner.counts["registry"] >= 10


@pytest.mark.leak_check
def test_nothing_the_run_saw_holds_an_iin(tmp_path_factory: pytest.TempPathFactory) -> None:
    leaks.scan_web_corpus()
    SCANNER.scan_files(tmp_path_factory.getbasetemp())
    SCANNER.checked = True
    counts = ", ".join(f"{kind}: {count}" for kind, count in sorted(SCANNER.counts.items()))
    assert not SCANNER.findings, f"IINs seen ({counts}):\n" + "\n".join(str(f) for f in SCANNER.findings)


# ----------------------------------------------------------------------------- the web tests' corpus
def iin_shaped(text: bytes) -> list[str]:
    """Every 12-digit run in `text` that is a valid IIN (the whole run's detector, `support.leaks.iins_in`:
    runs inside hex strings and UUIDs are skipped, as random hex passes the IIN check by chance)."""
    return [iin for iin, _ in iins_in(text)]


def test_the_detector_finds_an_iin_and_ignores_longer_digit_runs() -> None:
    iin = make_iin()
    assert iin_shaped(f'{{"x": "{iin}"}}'.encode()) == [iin]
    assert iin_shaped(("7" + iin + "7").encode()) == []
    assert iin_shaped(b"040140001236") == []  # the example BIN: no birth date on 40 January


@pytest.mark.leak_check
def test_no_answer_or_log_line_holds_an_iin() -> None:
    if len(CORPUS.bodies) < 100 or not CORPUS.lines or not CORPUS.iins:
        pytest.skip("run with the whole web test directory: the corpus is filled by the other tests")
    texts = [*CORPUS.bodies, *(line.encode("utf-8") for line in CORPUS.lines)]
    planted = [iin.encode() for iin in CORPUS.iins]
    assert [text[:200] for text in texts if any(iin in text for iin in planted)] == []
    assert [found for text in texts for found in iin_shaped(text)] == []
