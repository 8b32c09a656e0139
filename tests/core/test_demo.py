"""`verify demo` (web/demo.py): the main job on 60 graduates, without serving, in a temporary directory.

The demo runs once for the module (in this process, through `verify.cli.main`); the tests then look at what it
made: the registry, the print sheets, the inserts, demo.json and the printed links and accounts, and verify every
showcase link again with a verifier of their own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pypdfium2 as pdfium
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import func
from sqlmodel import Session, col, select

from verify.cli import main
from verify.codec import qr_prefix
from verify.keystore import KeyStore
from verify.registry.accounts import PasswordHashing, authenticate_password
from verify.registry.audit import verify_audit_chain
from verify.registry.db import make_engine
from verify.registry.lookup import RegistryStatusLookup
from verify.registry.models import Batch, Document, DocumentRevision, Institution
from verify.registry.tlog import prove_revision
from verify.status import LogEvidence
from verify.transparency import TrustListLogCheck
from verify.verifier import Verifier

GRADUATES = 60
BASE_URL = "http://127.0.0.1:8000"
PASSWORD_COSTS = {"VERIFY_PASSWORD_TIME_COST": "1", "VERIFY_PASSWORD_MEMORY_KIB": "1024",
                  "VERIFY_PASSWORD_PARALLELISM": "1"}
PT_PER_MM = 72 / 25.4


@dataclass(frozen=True)
class Run:
    """One `verify demo` run: its exit code, output and directories."""

    code: int
    stdout: str
    stderr: str
    root: Path
    out: Path
    keys: Path
    url: str

    @property
    def summary(self) -> dict[str, Any]:
        return dict(json.loads((self.out / "demo.json").read_text("utf-8")))


def run_demo(root: Path, *args: str) -> Run:
    """`verify --keys-dir ROOT/keys ... demo --no-serve --out ROOT/out ARGS` with VERIFY_DATA_DIR=ROOT/data."""
    stdout, stderr = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {"VERIFY_DATA_DIR": str(root / "data"), **PASSWORD_COSTS}.items():
            patch.setenv(name, value)
        patch.delenv("VERIFY_DATABASE_URL", raising=False)
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            code = main(["--keys-dir", str(root / "keys"), "--base-url", BASE_URL, "demo", "--no-serve",
                         "--out", str(root / "out"), *args])
    return Run(code, stdout.getvalue(), stderr.getvalue(), root, root / "out", root / "keys",
               f"sqlite:///{root / 'data' / 'demo.db'}")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Run:
    run = run_demo(tmp_path_factory.mktemp("demo"), "--graduates", str(GRADUATES), "--seed", "7")
    assert run.code == 0, run.stdout + run.stderr
    return run


@pytest.fixture(scope="module")
def session(demo: Run) -> Iterator[Session]:
    engine = make_engine(demo.url, readonly=True)
    with Session(engine) as db:
        yield db
    engine.dispose()


def test_every_document_issued_with_a_duplicate_a_correction_and_an_annulment(demo: Run, session: Session) -> None:
    documents = list(session.exec(select(Document)))
    assert len(documents) == GRADUATES + 1  # and the duplicate
    states = [d.state for d in documents]
    assert states.count("replaced") == 1 and states.count("annulled") == 1
    duplicates = [d for d in documents if d.duplicate_no is not None]
    assert len(duplicates) == 1 and duplicates[0].duplicate_no == 1 and duplicates[0].duplicate_reason == "lost"
    assert [d.current_revision for d in documents].count(2) == 1
    assert session.exec(select(func.count()).select_from(DocumentRevision)).one() == GRADUATES + 2
    institutions = list(session.exec(select(Institution)))
    assert len(institutions) == 10
    colleges = {i.id for i in institutions if i.kind == "college"}
    for document in documents:  # blanks for colleges (series ТКБ), the service's series for universities
        assert (document.series == "ТКБ") == (document.institution_id in colleges)
    assert all(b.state == "done" for b in session.exec(select(Batch)))
    assert verify_audit_chain(session=session).events > GRADUATES
    assert demo.summary["documents"] == GRADUATES


def test_the_demo_leaves_cases_in_every_state_the_console_lists(demo: Run, session: Session) -> None:
    """Issue 13: the duplicate, correction and annulment are cases a registrar prepared and a head approved; more
    cases stay registered, overdue, due soon, awaiting approval and refused; the operator's actions are the
    operator's."""
    from verify.registry.cases import due_counts, local_day
    from verify.registry.models import Application, AuditEvent, Officer

    states = sorted(a.state for a in session.exec(select(Application)))
    assert states == sorted(["granted"] * 3 + ["registered", "under_review", "under_review", "refused",
                             "awaiting_approval"])
    counts = due_counts(session, today=local_day(_now()))
    assert counts["overdue"] >= 1 and counts["soon"] >= 1
    roles = {o.username: o.role for o in session.exec(select(Officer))}
    approvals = list(session.exec(select(AuditEvent).where(AuditEvent.action == "application.approve")))
    assert len(approvals) == 4 and all(roles[e.actor] == "head" for e in approvals)
    assert all(e.after is not None and roles[e.after["prepared_by"]] == "registrar" for e in approvals)
    created = list(session.exec(select(AuditEvent).where(AuditEvent.action == "officer.create")))
    assert created and all(e.actor.startswith("operator:") for e in created)


def test_showcase_links_get_their_verdicts(demo: Run) -> None:
    """Each printed /V/ link, verified again here against the demo registry, gives the expected verdict."""
    showcase = demo.summary["showcase"]
    assert [item["role"] for item in showcase] == ["valid-original", "replaced-original", "duplicate",
                                                   "corrected-old", "corrected-new", "annulled"]
    assert [item["expected"] for item in showcase] == ["VALID", "REPLACED", "VALID", "CORRECTED", "VALID",
                                                       "ANNULLED"]
    store = KeyStore(demo.keys)
    engine = make_engine(demo.url, readonly=True)
    try:
        verifier = Verifier(store.trust_list(), accepted_prefixes=(qr_prefix(BASE_URL),),
                            status_lookup=RegistryStatusLookup.from_engine(engine))
        for item in showcase:
            link = item["link"]
            assert link in demo.stdout
            digits = re.fullmatch(r"http://127\.0\.0\.1:8000/V/([0-9]+)", link)
            assert digits is not None
            report = verifier.check(qr_prefix(BASE_URL) + digits.group(1), at=_now())
            assert (report.verdict, report.status) == (item["expected"], item["status"]), item["role"]
            assert item["verdict"] == item["expected"]
            assert report.record is not None and report.record.revision == item["revision"]
    finally:
        engine.dispose()
    corrected = [item for item in showcase if item["role"].startswith("corrected")]
    assert corrected[0]["number"] == corrected[1]["number"]


def test_the_demo_signs_a_first_checkpoint_so_its_documents_are_provable_at_once(demo: Run) -> None:
    """Issue 15: the demo's log has a checkpoint covering every revision, and a showcase document is proven
    against it (the proof the log's API and the partner API give)."""
    store = KeyStore(demo.keys)
    engine = make_engine(demo.url, readonly=True)
    try:
        with Session(engine) as session:
            proof = prove_revision(session, series=demo.summary["showcase"][0]["series"],
                                   number=demo.summary["showcase"][0]["number"], revision=1)
            revision = session.exec(select(DocumentRevision).join(Document).where(
                col(Document.number) == demo.summary["showcase"][0]["number"])).first()
        assert proof is not None and proof.checkpoint is not None and revision is not None
        evidence = LogEvidence(leaf_index=proof.leaf_index, leaf_hash=proof.leaf_hash, tree_size=proof.tree_size,
                               proof=proof.proof, checkpoint=proof.checkpoint)
        said = TrustListLogCheck(store.trust_list()).check(cose=revision.cose, evidence=evidence)
        assert said.key == "v_step_log_proven"
    finally:
        engine.dispose()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def test_links_and_accounts_are_printed_and_the_passwords_work(demo: Run) -> None:
    assert f"{BASE_URL}/scan" in demo.stdout
    assert f"{BASE_URL}/api/v1/auth/login" in demo.stdout
    assert demo.summary["links"]["scan"] == f"{BASE_URL}/scan"
    accounts = re.findall(r"^  ([a-z-]+)\s+(\S{16})  (administrator|head|registrar)", demo.stdout,
                          flags=re.MULTILINE)
    assert len(accounts) == 21  # the administrator, a head and a registrar per institution
    assert accounts[0][0] == "admin"
    assert [role for _, _, role in accounts[1:3]] == ["head", "registrar"]
    assert {role for _, _, role in accounts[1:]} == {"head", "registrar"}
    summary_text = (demo.out / "demo.json").read_text("utf-8")
    assert all(password not in summary_text for _, password, _ in accounts)  # never written to a file
    hashing = PasswordHashing(time_cost=1, memory_kib=1024, parallelism=1)
    engine = make_engine(demo.url)
    try:
        with Session(engine) as db:
            for username, password, _ in (accounts[0], accounts[1]):
                at = _now()
                assert authenticate_password(session=db, username=username, password=password, hashing=hashing,
                                             at=at) is not None
                assert authenticate_password(session=db, username=username, password=password + "x",
                                             hashing=hashing, at=at) is None
    finally:
        engine.dispose()
    for stage in ("keys", "database", "export", "accounts", "blanks", "import", "issue", "sheets", "lifecycle",
                  "inserts", "check"):
        assert stage in demo.summary["timings_s"]
        assert f"{stage}: " in demo.stderr  # each stage reports its time


def test_export_is_written_per_institution(demo: Run) -> None:
    export = demo.out / "export"
    names = sorted(p.name for p in export.iterdir())
    assert "institutions.csv" in names
    assert len([n for n in names if n.endswith(".csv") and not n.endswith("-appendix.csv")]) == 11
    assert len([n for n in names if n.endswith(".xlsx")]) == 10
    assert len([n for n in names if n.endswith("-appendix.csv")]) == 10  # the graduates' appendices (grades)


def test_every_demo_diploma_has_a_signed_appendix_that_verifies_with_it(demo: Run, session: Session) -> None:
    """The demo imports the sample graduates' appendices (verify.demo.transcripts) with their exports: each
    document carries a signed appendix that names it (issue 17 item 1)."""
    from verify.appendixcheck import check_appendix
    from verify.registry.models import DocumentAppendix

    documents = session.exec(select(Document)).all()
    signed = session.exec(select(DocumentAppendix)).all()
    assert {a.document_id for a in signed} == {d.id for d in documents if d.doc_type != "INCOMPLETE"}
    sample = signed[0]
    revision = session.exec(select(DocumentRevision).where(DocumentRevision.document_id == sample.document_id,
                                                           DocumentRevision.revision == sample.diploma_revision)).one()
    report = check_appendix(sample.cose, diploma_text=revision.qr_text, trust_list=KeyStore(demo.keys).trust_list(),
                            at=dt.datetime.now(dt.UTC))
    assert report.verdict == "VALID", [s.to_json() for s in report.steps]


def test_print_sheets_one_per_group_codes_30_mm_and_readable(demo: Run, session: Session) -> None:
    sheets = sorted((demo.out / "sheets").rglob("*.pdf"))
    groups = {(b.institution_id, b.study_group) for b in session.exec(select(Batch))}
    assert len(sheets) == len(groups) == sum(len(i["groups"]) for i in demo.summary["institutions"])
    codes = 0
    for path in sheets:
        reader = PdfReader(path)
        for page in reader.pages:
            content = page.get_contents()
            assert content is not None
            placements = re.findall(rb"([0-9.]+) 0 0 ([0-9.]+) [0-9.]+ [0-9.]+ cm /I", content.get_data())
            codes += len(placements)
            for width, height in placements:  # each code an image placed exactly 30 x 30 mm
                assert float(width) / PT_PER_MM == pytest.approx(30.0, abs=0.005)
                assert float(height) / PT_PER_MM == pytest.approx(30.0, abs=0.005)
    assert codes == GRADUATES
    # The biggest sheet, rendered at 300 dpi, reads back as exactly its batch's codes (revision 1, as printed).
    path = max(sheets, key=lambda p: p.stat().st_size)
    page = pdfium.PdfDocument(path.read_bytes())[0]
    pixels = np.asarray(page.render(scale=300 / 72).to_pil().convert("L"))
    found = sorted(b.text for b in zxingcpp.read_barcodes(pixels, formats=zxingcpp.BarcodeFormat.QRCode))
    group = path.stem
    batch = session.exec(select(Batch).where(Batch.study_group == group,
                                             Batch.institution_id == _institution_id(session, path))).one()
    texts = sorted(session.exec(select(DocumentRevision.qr_text).join(
        Document, col(Document.id) == DocumentRevision.document_id).where(
        Document.batch_id == batch.id, DocumentRevision.revision == 1)))
    assert found == texts[:30]
    # Each page says whose codes these are (issue 10 item 20): the institution, its BIN and the group.
    heading = " ".join((PdfReader(path).pages[0].extract_text() or "").split())
    institution = next(i for i in demo.summary["institutions"] if i["username"] == path.parent.name)
    assert f"{institution['name_en']} · BIN {institution['bin']} · group {group}" in heading


def _institution_id(session: Session, sheet: Path) -> int:
    username = sheet.parent.name
    summary = next(i for i in json.loads((sheet.parents[2] / "demo.json").read_text("utf-8"))["institutions"]
                   if i["username"] == username)
    institution = session.exec(select(Institution).where(Institution.bin == summary["bin"])).one()
    assert institution.id is not None
    return institution.id


def test_inserts_of_the_showcase(demo: Run) -> None:
    inserts = sorted((demo.out / "inserts").glob("*.png"))
    assert [p.name for p in inserts] == ["1-valid-original.png", "2-replaced-original.png", "3-duplicate.png",
                                         "4-corrected-old.png", "5-corrected-new.png", "6-annulled.png"]
    for path in inserts:
        with Image.open(path) as image:
            assert image.size == (2480, 1772)
            assert image.info["dpi"][0] == pytest.approx(300, abs=0.01)
    assert [Path(item["insert"]).name for item in demo.summary["showcase"]] == [p.name for p in inserts]


def test_a_second_run_starts_over_with_the_same_data(demo: Run, tmp_path: Path) -> None:
    """Same seed, same registry: the run replaces the demo database instead of adding to it."""
    first = run_demo(tmp_path, "--graduates", "30", "--seed", "7")
    again = run_demo(tmp_path, "--graduates", "30", "--seed", "7")
    assert first.code == again.code == 0
    keys = ("role", "series", "number", "revision", "verdict")
    assert [{k: i[k] for k in keys} for i in first.summary["showcase"]] == \
        [{k: i[k] for k in keys} for i in again.summary["showcase"]]
    engine = make_engine(again.url, readonly=True)
    with Session(engine) as db:
        assert db.exec(select(func.count()).select_from(Document)).one() == 31
    engine.dispose()


def test_refuses_a_foreign_output_directory_and_too_few_graduates(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "thesis.tex").write_text("mine", "utf-8")
    refused = run_demo(tmp_path, "--graduates", "30")
    assert refused.code == 2
    assert "not a demo output directory" in refused.stderr
    assert (tmp_path / "out" / "thesis.tex").read_text("utf-8") == "mine"
    too_few = run_demo(tmp_path / "other", "--graduates", "10")
    assert too_few.code == 2
    assert "at least 30" in too_few.stderr
