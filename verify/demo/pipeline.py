"""The demo's pipeline: the main job on realistic data, from an empty registry to verified inserts.

`run_demo(config)` builds a demo registry and its files; `verify demo` (`web.demo`, the adapter that also serves
it) runs it, prints the summary (`print_summary`) and starts the service.

The stages (`run_demo`; each prints its time to standard error, with a tqdm progress bar where it loops):

 1. keys         the development key store (`--keys-dir`, default keys/) is created if missing; a signer whose usage
                 ends within a day is rotated, a trust list past its expiry is published again; a production store,
                 or a signer scoped to one institution or without the demo's series, is refused.
 2. database     the demo registry `<VERIFY_DATA_DIR>/demo.db` (SQLite) is deleted and made again (Alembic
                 migrations): every run starts over, so the same seed gives the same registry. VERIFY_DATABASE_URL
                 is not used: the demo never touches the registry that `verify serve` uses.
 3. export       `verify.demo.sampledata.write_export`: institutions.csv and a CSV and an XLSX per institution, under
                 `--out`/export.
 4. accounts     the ten institutions; an administrator "admin"; a head (username the institution's) and a registrar
                 ("<institution>-registrar") per institution (seed 001 item 7: the responsible persons; the head
                 approves applications, seed 000 item 24), each with a password made for this run and printed once
                 (argon2id with the VERIFY_PASSWORD_* costs of the service); audited as "operator:<OS user>".
 5. blanks       each college receives a range of blanks of series ТКБ (seed 000 items 7, 17): as many as it has
                 graduates and 10 % more (10 at least), 0100001-... for the first college, 0200001-... for the next.
 6. import       every institution's export through `parse_graduates` and `import_graduates`: the CSV for the 1st,
                 3rd, ... institution, the XLSX for the 2nd, 4th, ... (both readers are exercised); any error stops.
 7. issue        `issue_group` for every study group: service numbers for the universities (seed 001 item 7), the
                 next free blank for the colleges; one transaction and audit event per document.
 8. sheets       A4 print sheets (PDF) per study group, `--out`/sheets/<institution>/<group>.pdf: every code exactly
                 30 mm, drawn as a 1-bit image of one pixel per module (`render_sheet_pdf(image_codes=True)`: a
                 page is ~5 times faster than with vector codes), captions set in a subset of DejaVu Sans (fpdf2
                 reads the font for every file: ~2 ms for the subset, ~23 ms for the whole font).
 9. lifecycle    applications (`verify.registry.cases`), each prepared by the registrar and approved by the head: in
                 the first college duplicate No. 1 instead of its second document (reason "lost", seed 000 items
                 21-25); in the first university the surname typed with Russian letters in the export is corrected
                 (seed 000 appendix 38), revision 2; in the second college the first document annulled. Then
                 applications left registered, overdue, due soon, awaiting approval and refused (`casework`).
10. inserts      PNG pictures of the six showcase documents' inserts, 210 x 150 mm at 300 dpi (`verify.demo.insert`),
                 `--out`/inserts: a valid original, the replaced original, the duplicate (with its stamp), the
                 corrected document's revisions 1 and 2, the annulled document. Only these: an insert takes
                 ~0.1 s to draw and write as PNG (docs/bench-demo.md), about 20 minutes for 10,000 graduates,
                 and 3 GB of pictures.
11. check        each insert is scanned back (`verify.scan.scan_image`) and its code verified against the registry;
                 the verdicts must be VALID, REPLACED, VALID (duplicate), CORRECTED, VALID, ANNULLED.

Then it writes `--out`/demo.json (what was made, the links the caller gave, the stage times; never a password).

Sources: seed 000 Rules items 7, 10, 17-19 (blanks, series and number, the 3 x 3 cm QR code), 21-25 (duplicates),
appendix 38 (corrections); seed 001 item 7 (service numbers, accounts of responsible persons).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final

from ..errors import Error, KeyStoreError
from ..status import Verdict
from .stages import (
    BLANK_SERIES,
    Account,
    Drawn,
    draw_inserts,
    import_exports,
    issue_groups,
    make_accounts,
    now,
    receive_blanks,
    run_lifecycle,
    write_sheets,
)

if TYPE_CHECKING:  # the registry is imported when the demo runs, not by every `verify`
    from sqlalchemy import Engine
    from sqlmodel import Session

    from ..signerset import ScopedSigner
    from ..trust import TrustList

DEFAULT_GRADUATES: Final = 2000
DEFAULT_SEED: Final = 2026
DEFAULT_OUT: Final = Path("out/demo")
DEMO_DATABASE: Final = "demo.db"
"""The demo registry's file name under VERIFY_DATA_DIR."""
SUMMARY_FILE: Final = "demo.json"
_OWNED_DIRS: Final = ("export", "sheets", "inserts")


# ------------------------------------------------------------------------------------------ results
@dataclass(frozen=True, slots=True)
class DemoConfig:
    """The demo's inputs.

    Attributes:
        graduates: graduates in all (>= `verify.demo.sampledata.MIN_GRADUATES`).
        seed: seed of the sample data.
        out: output directory (export/, sheets/, inserts/, demo.json).
        data_dir: VERIFY_DATA_DIR: the demo registry is `data_dir / DEMO_DATABASE`.
        keys_dir, passphrase: the key store (a development store is created if missing).
        base_url: the verification host written into the QR links (VERIFY_BASE_URL).
        password_costs: argon2id (time cost, memory in KiB, parallelism) of the account passwords.
        links: the service's pages to open (name -> URL), written into demo.json (the adapter that serves knows
            them: `web.demo`).
        log_origin: the transparency log's origin (`Settings.resolved_log_origin`): the demo signs a first
            checkpoint of its log, so its documents are provable at once; None signs none.
    """

    graduates: int
    seed: int
    out: Path
    data_dir: Path
    keys_dir: Path
    passphrase: bytes | None
    base_url: str
    password_costs: tuple[int, int, int] = (3, 65536, 4)
    links: Mapping[str, str] = field(default_factory=dict)
    log_origin: str | None = None


@dataclass(frozen=True, slots=True)
class ShowcaseItem:
    """One showcase document: what it shows, its expected and actual verdicts, its insert picture.

    Attributes:
        role: "valid-original", "replaced-original", "duplicate", "corrected-old", "corrected-new" or "annulled".
        title: what it shows, for people.
        institution: the issuing institution's English name.
        series, number, revision: the signed record shown.
        qr_text: its QR text; `link(base_url)` is the page a phone opens.
        expected, status: the verdict (`verify.status.Verdict`) and registry status code it must get.
        verdict, actual_status: what the check gave for the code scanned back from the insert ("NOT_SCANNED"
            when the code could not be read back).
        insert: the insert picture (PNG, 210 x 150 mm at 300 dpi).
    """

    role: str
    title: str
    institution: str
    series: str
    number: str
    revision: int
    qr_text: str
    expected: Verdict
    status: str
    verdict: Verdict | str
    actual_status: str
    insert: Path

    def link(self, base_url: str) -> str:
        """The verification page of this document: `<base_url>/V/<digits>`."""
        from ..qrtext import split_qr_text

        return f"{base_url.rstrip('/')}/V/{split_qr_text(self.qr_text)[1]}"


@dataclass
class DemoResult:
    """What `run_demo` made.

    Attributes:
        config: the inputs.
        database_url: the demo registry (SQLite).
        institutions: one entry per institution: bin, username, name_en, kind, graduates, groups, sheets (paths).
        documents: documents issued in the groups (the duplicate not counted).
        showcase: the six showcase documents, in the order of the module docstring.
        accounts: the administrator and the officers, with their passwords.
        timings: stage name -> seconds, in order.
        summary_path: the demo.json written.
    """

    config: DemoConfig
    database_url: str
    institutions: list[dict[str, Any]] = field(default_factory=list)
    documents: int = 0
    showcase: list[ShowcaseItem] = field(default_factory=list)
    accounts: list[Account] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)
    summary_path: Path | None = None

    @property
    def sheets(self) -> list[Path]:
        """Every print sheet written."""
        return [Path(path) for entry in self.institutions for path in entry["sheets"]]


class _Stages:
    """Times the stages and reports each on a stream (standard error)."""

    def __init__(self, stream: IO[str], total: int) -> None:
        self.stream = stream
        self.total = total
        self.timings: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str, what: str) -> Iterator[None]:
        """Announce the stage, run the block, record and print its time in seconds under `name`."""
        number = len(self.timings) + 1
        print(f"[{number:>2}/{self.total}] {what}", file=self.stream, flush=True)
        start = time.perf_counter()
        yield
        self.timings[name] = round(time.perf_counter() - start, 3)
        print(f"        {name}: {self.timings[name]:.1f} s", file=self.stream, flush=True)


def run_demo(config: DemoConfig, *, log: IO[str] | None = None) -> DemoResult:
    """Build the demo registry and its files (the stages of the module docstring) and write `demo.json`.

    Args:
        config: `DemoConfig`.
        log: where the stage lines go (default: standard error); progress bars always go to standard error.

    Returns:
        `DemoResult`, showcase verdicts included (the caller decides what a wrong one means).

    Raises:
        verify.Error: too few graduates; the key store cannot be used for the demo; an import file has errors
            (a bug in the sample data); the output directory holds files of something else.
    """
    from .sampledata import MIN_GRADUATES

    if config.graduates < MIN_GRADUATES:
        raise Error(f"--graduates: at least {MIN_GRADUATES} (three per institution)")
    stages = _Stages(log or sys.stderr, total=12 if config.log_origin is not None else 11)
    url = f"sqlite:///{config.data_dir / DEMO_DATABASE}"
    result = DemoResult(config=config, database_url=url)
    _prepare_out(config.out)
    with stages.stage("keys", f"development keys in {config.keys_dir}"):
        signer, trust_list = _prepare_keys(config)
    with stages.stage("database", f"a fresh demo registry {config.data_dir / DEMO_DATABASE}"):
        engine = _fresh_database(config.data_dir / DEMO_DATABASE, url)
    try:
        drawn = _build(config, result, stages, engine, signer)
    finally:
        engine.dispose()
    with stages.stage("check", "scanning the inserts back and verifying them against the registry"):
        result.showcase = _check(drawn, trust_list, url, config.base_url)
    result.timings = stages.timings
    result.summary_path = _write_summary(result)
    return result


def _build(config: DemoConfig, result: DemoResult, stages: _Stages, engine: Engine,
           signer: ScopedSigner) -> list[Drawn]:
    from sqlmodel import Session

    from ..registry.accounts import PasswordHashing
    from .sampledata import write_export

    with stages.stage("export", f"sample data, seed {config.seed}: {config.graduates} graduates as CSV and XLSX"):
        export = write_export(config.out / "export", seed=config.seed, graduates=config.graduates)
    data = export.data
    with Session(engine, expire_on_commit=False) as session:
        with stages.stage("accounts", "institutions, the administrator and one officer per institution"):
            time_cost, memory_kib, parallelism = config.password_costs
            hashing = PasswordHashing(time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism)
            world = make_accounts(session, data, hashing, result.accounts)
        with stages.stage("blanks", f"blank ranges of series {BLANK_SERIES} received by the colleges"):
            receive_blanks(session, data, world)
        with stages.stage("import", "importing the exports (row by row, all or nothing)"):
            import_exports(session, export, world)
        with stages.stage("issue", f"issuing {config.graduates} documents, study group by study group"):
            batches = issue_groups(session, data, world, signer, config.base_url)
            result.documents = config.graduates
        with stages.stage("sheets", "A4 print sheets per study group (PDF, every code 30 mm)"):
            result.institutions = write_sheets(session, data, batches, config.out / "sheets")
        with stages.stage("lifecycle", "a duplicate, a correction and an annulment"):
            picks = run_lifecycle(session, data, world, signer, config.base_url)
        if config.log_origin is not None:
            with stages.stage("log", "a signed checkpoint of the transparency log (issue 15)"):
                _checkpoint(session, config)
        with stages.stage("inserts", "pictures of the six showcase inserts (210 x 150 mm, 300 dpi)"):
            return draw_inserts(session, picks, config.out / "inserts")


def _checkpoint(session: Session, config: DemoConfig) -> None:
    """Sign the log's first checkpoint with the key store's log signer (`verify serve` signs the later ones)."""
    from ..keystore import KeyStore
    from ..registry.tlog import make_checkpoint
    from ..transparency import LogNoteSigner

    assert config.log_origin is not None
    signer = LogNoteSigner(config.log_origin, KeyStore(config.keys_dir, config.passphrase).signer("log"))
    make_checkpoint(session, signer=signer, origin=config.log_origin, at=now())


# ------------------------------------------------------------------------------------------ keys, database, files
def _prepare_out(out: Path) -> None:
    """Empty the demo's own subdirectories; refuse a non-empty directory that no demo made."""
    if out.exists() and any(out.iterdir()) and not (out / SUMMARY_FILE).is_file():
        raise Error(f"{out} holds files but no {SUMMARY_FILE}: not a demo output directory; give another --out")
    for name in _OWNED_DIRS:
        shutil.rmtree(out / name, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)


def _prepare_keys(config: DemoConfig) -> tuple[ScopedSigner, TrustList]:
    """The signer and trust list of a key store fit for the demo; a development store is made or refreshed."""
    from ..doctypes import get_document_type
    from ..keystore import KeyStore
    from .sampledata import HE_PROGRAMMES

    store = KeyStore(config.keys_dir, config.passphrase)
    at = now()
    if not store.exists():
        store.init(at=at)
        print(f"        created a development key store in {store.path}", file=sys.stderr)
    trust_list = store.trust_list()
    if trust_list.environment == "production":
        raise Error(f"{store.path} is a production key store: the demo signs only with development or test keys; "
                    "give another --keys-dir")
    signer = store.signer()
    entry = next(e for e in trust_list.signers if e.kid == signer.kid)
    if entry.usage_until <= at + dt.timedelta(days=1):
        trust_list = store.rotate(at=at)
        signer = store.signer()
        entry = next(e for e in trust_list.signers if e.kid == signer.kid)
        print(f"        the active signer's usage period was ending: rotated to {signer.kid.hex()}", file=sys.stderr)
    try:
        store.signer("status")
    except KeyStoreError:  # the status lists of the offline scan page need a status signer (issue 12)
        trust_list = store.rotate(at=at, usage="status")
        print("        made a status signer for the signed status lists", file=sys.stderr)
    try:
        store.signer("log")
    except KeyStoreError:  # the transparency log's checkpoints, signed by `verify serve` (issue 15)
        trust_list = store.rotate(at=at, usage="log")
        print("        made a log signer for the transparency log's checkpoints", file=sys.stderr)
    if trust_list.is_expired(at):
        trust_list = store.export(at=at)
        print(f"        the trust list was past its expiry: published version {trust_list.version}", file=sys.stderr)
    needed = {BLANK_SERIES} | {doc_type.series for programme in HE_PROGRAMMES.values()
                               if (doc_type := get_document_type(programme.doc_type)) is not None
                               and doc_type.series is not None}
    missing = sorted(needed - entry.scope.series)
    if missing or entry.scope.institution_bin is not None:
        raise Error(f"the active signer of {store.path} may not sign every demo document (missing series: "
                    f"{', '.join(missing) or 'none'}; scoped to institution: {entry.scope.institution_bin or 'no'}); "
                    "give another --keys-dir, where a development store is made")
    return signer, trust_list


def _fresh_database(path: Path, url: str) -> Engine:
    """Delete the demo registry's file (and its WAL) and migrate a new one; an engine on it."""
    from ..registry.db import make_engine, upgrade_database

    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade_database(url)
    return make_engine(url)


def _check(drawn: list[Drawn], trust_list: TrustList, url: str, base_url: str) -> list[ShowcaseItem]:
    """Scan each insert back and verify its code against the registry, as a phone would."""
    from ..errors import ImageError
    from ..qrtext import qr_prefix
    from ..registry.db import make_engine
    from ..registry.lookup import RegistryStatusLookup
    from ..scan import scan_image
    from ..verifier import Verifier

    engine = make_engine(url, readonly=True, pooled=False)
    try:
        verifier = Verifier(trust_list, accepted_prefixes=(qr_prefix(base_url),),
                            status_lookup=RegistryStatusLookup.from_engine(engine))
        items = []
        for item in drawn:
            try:
                texts = scan_image(item.insert.read_bytes())
            except ImageError:
                texts = []
            verdict: Verdict | str
            if texts == [item.qr_text]:
                report = verifier.check(item.qr_text, at=now())
                verdict, status = report.verdict, report.status
            else:
                verdict, status = "NOT_SCANNED", "NOT_CHECKED"
            pick = item.pick
            items.append(ShowcaseItem(role=pick.role, title=pick.title, institution=item.institution,
                                      series=item.series, number=item.number, revision=pick.revision,
                                      qr_text=item.qr_text, expected=pick.expected, status=pick.status,
                                      verdict=verdict, actual_status=status, insert=item.insert))
        return items
    finally:
        engine.dispose()


# ------------------------------------------------------------------------------------------ reporting
def _write_summary(result: DemoResult) -> Path:
    """`<out>/demo.json`: what was made, the links and the stage times (never a password)."""
    config = result.config
    summary = {
        "seed": config.seed,
        "graduates": config.graduates,
        "documents": result.documents,
        "base_url": config.base_url,
        "database_url": result.database_url,
        "keys_dir": str(config.keys_dir),
        "institutions": result.institutions,
        "showcase": [{"role": item.role, "title": item.title, "institution": item.institution,
                      "series": item.series, "number": item.number, "revision": item.revision,
                      "expected": item.expected, "status": item.status, "verdict": item.verdict,
                      "actual_status": item.actual_status, "insert": str(item.insert),
                      "qr_text": item.qr_text, "link": item.link(config.base_url)} for item in result.showcase],
        "links": dict(config.links),
        "accounts": [{"username": a.username, "role": a.role, "institution": a.institution}
                     for a in result.accounts],
        "timings_s": result.timings,
        "total_s": round(sum(result.timings.values()), 3),
    }
    path = config.out / SUMMARY_FILE
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return path


def print_summary(result: DemoResult, stream: IO[str], *, serving: bool) -> None:
    """Print the links to open, the accounts with their passwords, and where the files are.

    Args:
        result: `run_demo`'s result.
        stream: standard output.
        serving: whether the service starts next (the wording says so).
    """
    config = result.config
    base = config.base_url.rstrip("/")
    links = config.links
    write = stream.write
    write(f"\nDemo registry {result.database_url}: {len(result.institutions)} institutions, {result.documents:,} "
          f"documents (seed {config.seed}), built in {sum(result.timings.values()):.1f} s.\n")
    write(f"\nOpen these links{' (the service starts below; Ctrl+C stops it)' if serving else ''}:\n")
    for item in result.showcase:
        mark = "" if item.verdict == item.expected else f"   <-- expected {item.expected}"
        write(f"  {item.title} — {item.institution}, {item.series} {item.number}, revision {item.revision}: "
              f"{item.verdict} ({item.actual_status}){mark}\n    {item.link(base)}\n")
    if "scan" in links:
        write(f"  scan a photo of an insert, or look a document up: {links['scan']}\n")
    if "console" in links:
        write(f"  officers sign in to their console: {links['console']}\n")
    if "sign_in_api" in links and "api_docs" in links:
        write(f"  the API (sign in with POST {links['sign_in_api']}): {links['api_docs']}\n")
    write("\nAccounts (passwords made for this run, shown only here):\n")
    width = max(len(a.username) for a in result.accounts)
    for account in result.accounts:
        whose = f", {account.institution}" if account.institution else ""
        write(f"  {account.username:<{width}}  {account.password}  {account.role}{whose}\n")
    sheets = result.sheets
    write(f"\nFiles in {config.out}: export/ (CSV and XLSX per institution), sheets/ ({len(sheets)} PDF print "
          f"sheets), inserts/ ({len(result.showcase)} PNG inserts at 300 dpi), {SUMMARY_FILE}\n")
    if not serving:
        write(f"Serve this registry later with: VERIFY_DATABASE_URL={result.database_url} verify serve\n")
    stream.flush()
