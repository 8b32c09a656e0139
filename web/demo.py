"""`verify demo`: the main job on realistic data, in one command, then the service on it.

`add_demo_command(sub, settings)` adds the subcommand to the `verify` parser through the `verify.commands` entry
point (pyproject.toml), as `web.cli` adds `serve`: `verify/` never imports `web/`. `make demo` runs it.

    verify demo [--graduates 2000] [--seed 2026] [--out out/demo] [--no-serve] [--host H] [--port P]

The stages (`run_demo`; each prints its time to standard error, with a tqdm progress bar where it loops):

 1. keys         the development key store (`--keys-dir`, default keys/) is created if missing; a signer whose usage
                 ends within a day is rotated, a trust list past its expiry is published again; a production store,
                 or a signer scoped to one institution or without the demo's series, is refused.
 2. database     the demo registry `<VERIFY_DATA_DIR>/demo.db` (SQLite) is deleted and made again (Alembic
                 migrations): every run starts over, so the same seed gives the same registry. VERIFY_DATABASE_URL
                 is not used: the demo never touches the registry that `verify serve` uses.
 3. export       `verify.sampledata.write_export`: institutions.csv and a CSV and an XLSX per institution, under
                 `--out`/export.
 4. accounts     the ten institutions; an administrator "admin"; one officer per institution (role head: seed 001
                 item 7, the responsible person; a head may also annul) with a password made for this run and
                 printed once (argon2id with the VERIFY_PASSWORD_* costs of the service).
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
 9. lifecycle    in the first college: duplicate No. 1 instead of its second document (reason "lost", seed 000
                 items 21-25); in the first university: the surname typed with Russian letters in the export is
                 corrected (seed 000 appendix 38), revision 2; in the second college: the first document annulled.
10. inserts      PNG pictures of the six showcase documents' inserts, 210 x 150 mm at 300 dpi (`verify.insert`),
                 `--out`/inserts: a valid original, the replaced original, the duplicate (with its stamp), the
                 corrected document's revisions 1 and 2, the annulled document. Only these: an insert takes
                 ~0.1 s to draw and write as PNG (docs/bench-demo.md), about 20 minutes for 10,000 graduates,
                 and 3 GB of pictures.
11. check        each insert is scanned back (`verify.scan.scan_image`) and its code verified against the registry;
                 the verdicts must be VALID, REPLACED, VALID (duplicate), CORRECTED, VALID, ANNULLED.

Then it writes `--out`/demo.json (what was made, the links, the stage times; never a password), prints the links
to open (each showcase document's `/V/...` link, the scan page, the officers' sign-in) and the accounts, and unless
`--no-serve` runs the service on the demo registry in this process (`web.cli.cmd_serve`, uvicorn) until Ctrl+C.

Sources: seed 000 Rules items 7, 10, 17-19 (blanks, series and number, the 3 x 3 cm QR code), 21-25 (duplicates),
appendix 38 (corrections); seed 001 item 7 (service numbers, accounts of responsible persons).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import secrets
import shutil
import socket
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Final
from urllib.parse import urlsplit

from verify import Error
from verify.settings import Settings

from .settings import WebSettings

if TYPE_CHECKING:  # the registry, Pillow and tqdm are imported when the command runs, not by every `verify`
    from sqlalchemy import Engine
    from sqlmodel import Session
    from tqdm import tqdm

    from verify.keys import Signer
    from verify.registry.accounts import PasswordHashing
    from verify.registry.models import Document, Institution, Officer
    from verify.sampledata import Export, SampleData, SampleGraduate
    from verify.trust import TrustList

DEFAULT_GRADUATES: Final = 2000
DEFAULT_SEED: Final = 2026
DEFAULT_OUT: Final = Path("out/demo")
DEMO_DATABASE: Final = "demo.db"
"""The demo registry's file name under VERIFY_DATA_DIR."""
BLANK_SERIES: Final = "ТКБ"
"""The blank series the colleges receive: the first development TVE series (`verify.doctypes`)."""
ADMIN_USERNAME: Final = "admin"
SUMMARY_FILE: Final = "demo.json"
_OWNED_DIRS: Final = ("export", "sheets", "inserts")
_CAPTION_CHARS: Final = ("".join(chr(c) for c in range(0x20, 0x7F)) + "".join(chr(c) for c in range(0x400, 0x500))
                         + "—…×%№«»–")


# ------------------------------------------------------------------------------------------ the command
def add_demo_command(sub: argparse._SubParsersAction[argparse.ArgumentParser], settings: Settings) -> None:
    """Add `demo` to the `verify` parser's subparsers (the `verify.commands` entry point).

    Args:
        sub: the parser's subparsers action.
        settings: the core settings; `--host` and `--port` default to VERIFY_HOST and VERIFY_PORT.
    """
    web = _web_settings(settings)
    demo = sub.add_parser(
        "demo", help="the main job on realistic data: registry, documents, print sheets, inserts; then serve it",
        description="Build a demo registry from seeded sample data (institutions, officers, blanks, thousands of "
                    "graduates), issue every document, a duplicate, a correction and an annulment, write the print "
                    "sheets and pictures of the showcase inserts, print the links, and serve it. The demo registry "
                    "is <VERIFY_DATA_DIR>/demo.db, made again on every run.")
    demo.add_argument("--graduates", type=int, default=DEFAULT_GRADUATES,
                      help="graduates in all, over 10 institutions (default: %(default)s; at least 30)")
    demo.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the sample data (default: %(default)s)")
    demo.add_argument("--out", type=Path, default=DEFAULT_OUT,
                      help="directory for the export, sheets, inserts and demo.json (default: %(default)s)")
    demo.add_argument("--no-serve", action="store_true", help="stop after printing the links")
    demo.add_argument("--host", default=web.host, help="address to serve on [VERIFY_HOST, default: %(default)s]")
    demo.add_argument("--port", type=int, default=web.port, help="TCP port [VERIFY_PORT, default: %(default)s]")
    demo.set_defaults(handler=cmd_demo)


def cmd_demo(args: argparse.Namespace, settings: Settings) -> int:
    """`verify demo`: build the demo (`run_demo`), print the links and accounts, serve unless --no-serve.

    Returns:
        0 when every showcase verdict is the expected one (and after the service stops), 1 otherwise.

    Raises:
        verify.Error: a key store, database or file that cannot be used; the port is taken (checked first).
    """
    web = _web_settings(settings)
    if not args.no_serve:
        _check_port_free(args.host, args.port)
        _warn_on_other_host(args.base_url, args.host, args.port)
    config = DemoConfig(graduates=args.graduates, seed=args.seed, out=args.out, data_dir=web.data_dir,
                        keys_dir=args.keys_dir, passphrase=web.passphrase_bytes(), base_url=args.base_url,
                        password_costs=(web.password_time_cost, web.password_memory_kib, web.password_parallelism))
    result = run_demo(config)
    print_summary(result, sys.stdout, serving=not args.no_serve)
    ok = all(item.verdict == item.expected for item in result.showcase)
    if not ok or args.no_serve:
        return 0 if ok else 1
    from .cli import cmd_serve

    serve_args = argparse.Namespace(host=args.host, port=args.port, workers=1, keys_dir=args.keys_dir,
                                    base_url=args.base_url, trust_list=args.trust_list, root_cert=args.root_cert,
                                    database_url=result.database_url)
    return cmd_serve(serve_args, web)


def _web_settings(settings: Settings) -> WebSettings:
    if isinstance(settings, WebSettings):
        return settings
    return WebSettings(**settings.model_dump(exclude_unset=True))


def _check_port_free(host: str, port: int) -> None:
    """Refuse early (before minutes of work) when the port cannot be bound."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as exc:
        raise Error(f"cannot listen on {host}:{port} ({exc.strerror}): stop what uses it, or give --port") from None


def _warn_on_other_host(base_url: str, host: str, port: int) -> None:
    parts = urlsplit(base_url)
    if parts.hostname in ("127.0.0.1", "localhost", "::1") and (parts.port or 80) != port:
        print(f"warning: the QR links name {base_url} (VERIFY_BASE_URL) but the service listens on {host}:{port}; "
              "the links will not reach it", file=sys.stderr)


# ------------------------------------------------------------------------------------------ results
@dataclass(frozen=True, slots=True)
class DemoConfig:
    """The demo's inputs.

    Attributes:
        graduates: graduates in all (>= `verify.sampledata.MIN_GRADUATES`).
        seed: seed of the sample data.
        out: output directory (export/, sheets/, inserts/, demo.json).
        data_dir: VERIFY_DATA_DIR: the demo registry is `data_dir / DEMO_DATABASE`.
        keys_dir, passphrase: the key store (a development store is created if missing).
        base_url: the verification host written into the QR links (VERIFY_BASE_URL).
        password_costs: argon2id (time cost, memory in KiB, parallelism) of the account passwords.
    """

    graduates: int
    seed: int
    out: Path
    data_dir: Path
    keys_dir: Path
    passphrase: bytes | None
    base_url: str
    password_costs: tuple[int, int, int] = (3, 65536, 4)


@dataclass(frozen=True, slots=True)
class ShowcaseItem:
    """One showcase document: what it shows, its expected and actual verdicts, its insert picture.

    Attributes:
        role: "valid-original", "replaced-original", "duplicate", "corrected-old", "corrected-new" or "annulled".
        title: what it shows, for people.
        institution: the issuing institution's English name.
        series, number, revision: the signed record shown.
        qr_text: its QR text; `link(base_url)` is the page a phone opens.
        expected, status: the verdict (`verify.verifier.VERDICTS`) and registry status code it must get.
        verdict, actual_status: what the check gave for the code scanned back from the insert.
        insert: the insert picture (PNG, 210 x 150 mm at 300 dpi).
    """

    role: str
    title: str
    institution: str
    series: str
    number: str
    revision: int
    qr_text: str
    expected: str
    status: str
    verdict: str
    actual_status: str
    insert: Path

    def link(self, base_url: str) -> str:
        """The verification page of this document: `<base_url>/V/<digits>`."""
        from verify.codec import split_qr_text

        return f"{base_url.rstrip('/')}/V/{split_qr_text(self.qr_text)[1]}"


@dataclass(frozen=True, slots=True)
class Account:
    """A sign-in account made for this run; the password is shown once and never written to a file."""

    username: str
    password: str
    role: str
    institution: str | None


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


# ------------------------------------------------------------------------------------------ stages
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


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _bar(total: int, desc: str, unit: str) -> tqdm[Any]:
    from tqdm import tqdm

    return tqdm(total=total, desc=f"        {desc}", unit=unit, file=sys.stderr, dynamic_ncols=True, leave=False,
                mininterval=0.5)


@dataclass
class _World:
    """The registry rows made for the sample institutions, by BIN."""

    institutions: dict[str, Institution] = field(default_factory=dict)
    officers: dict[str, Officer] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Pick:
    """A showcase document chosen in the registry, before its insert is drawn."""

    role: str
    title: str
    document_id: int
    revision: int
    expected: str
    status: str


@dataclass(frozen=True, slots=True)
class _Drawn:
    """A showcase document whose insert is drawn: the pick, what the insert shows, and the picture's path."""

    pick: _Pick
    institution: str
    series: str
    number: str
    qr_text: str
    insert: Path


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
    from verify.sampledata import MIN_GRADUATES

    if config.graduates < MIN_GRADUATES:
        raise Error(f"--graduates: at least {MIN_GRADUATES} (three per institution)")
    stages = _Stages(log or sys.stderr, total=11)
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


def _build(config: DemoConfig, result: DemoResult, stages: _Stages, engine: Engine, signer: Signer) -> list[_Drawn]:
    from sqlmodel import Session

    from verify.registry.accounts import PasswordHashing
    from verify.sampledata import write_export

    with stages.stage("export", f"sample data, seed {config.seed}: {config.graduates} graduates as CSV and XLSX"):
        export = write_export(config.out / "export", seed=config.seed, graduates=config.graduates)
    data = export.data
    with Session(engine, expire_on_commit=False) as session:
        with stages.stage("accounts", "institutions, the administrator and one officer per institution"):
            time_cost, memory_kib, parallelism = config.password_costs
            hashing = PasswordHashing(time_cost=time_cost, memory_kib=memory_kib, parallelism=parallelism)
            world = _accounts(session, data, hashing, result)
        with stages.stage("blanks", f"blank ranges of series {BLANK_SERIES} received by the colleges"):
            _blanks(session, data, world)
        with stages.stage("import", "importing the exports (row by row, all or nothing)"):
            _import(session, export, world)
        with stages.stage("issue", f"issuing {config.graduates} documents, study group by study group"):
            batches = _issue(session, data, world, signer, config.base_url)
            result.documents = config.graduates
        with stages.stage("sheets", "A4 print sheets per study group (PDF, every code 30 mm)"):
            result.institutions = _sheets(session, data, batches, config.out / "sheets")
        with stages.stage("lifecycle", "a duplicate, a correction and an annulment"):
            picks = _lifecycle(session, data, world, signer, config.base_url)
        with stages.stage("inserts", "pictures of the six showcase inserts (210 x 150 mm, 300 dpi)"):
            return _inserts(session, picks, config.out / "inserts")


# ------------------------------------------------------------------------------------------ keys, database, files
def _prepare_out(out: Path) -> None:
    """Empty the demo's own subdirectories; refuse a non-empty directory that no demo made."""
    if out.exists() and any(out.iterdir()) and not (out / SUMMARY_FILE).is_file():
        raise Error(f"{out} holds files but no {SUMMARY_FILE}: not a demo output directory; give another --out")
    for name in _OWNED_DIRS:
        shutil.rmtree(out / name, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)


def _prepare_keys(config: DemoConfig) -> tuple[Signer, TrustList]:
    """The signer and trust list of a key store fit for the demo; a development store is made or refreshed."""
    from verify.doctypes import get_document_type
    from verify.keystore import KeyStore
    from verify.sampledata import HE_PROGRAMMES

    store = KeyStore(config.keys_dir, config.passphrase)
    at = _now()
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
    from verify.registry.db import make_engine, upgrade_database

    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    upgrade_database(url)
    return make_engine(url)


# ------------------------------------------------------------------------------------------ registry stages
def _accounts(session: Session, data: SampleData, hashing: PasswordHashing, result: DemoResult) -> _World:
    from verify.registry.accounts import create_admin, set_officer_password
    from verify.registry.institutions import create_institution, create_officer
    from verify.registry.models import InstitutionCreate, OfficerCreate

    world = _World()
    at = _now()
    password = _password()
    create_admin(session=session, username=ADMIN_USERNAME, full_name="Demo administrator (the ministry)",
                 password=password, hashing=hashing, at=at)
    result.accounts.append(Account(ADMIN_USERNAME, password, "administrator", None))
    with _bar(len(data.institutions), "accounts", "account") as bar:
        for sample in data.institutions:
            institution = create_institution(session=session, institution_create=InstitutionCreate(
                bin=sample.bin, name_kk=sample.name_kk, name_ru=sample.name_ru, name_en=sample.name_en,
                kind=sample.kind, region=sample.region), at=at)
            officer = create_officer(session=session, officer_create=OfficerCreate(
                username=sample.username, full_name=f"Demo officer, {sample.name_en}", role="head"),
                institution=institution, at=at)
            password = _password()
            set_officer_password(session=session, officer=officer, password=password, hashing=hashing, at=at)
            world.institutions[sample.bin], world.officers[sample.bin] = institution, officer
            result.accounts.append(Account(sample.username, password, "head", sample.name_en))
            bar.update()
    return world


def _password() -> str:
    """16 random URL-safe characters (96 bits), made for this run."""
    return secrets.token_urlsafe(12)


def _blanks(session: Session, data: SampleData, world: _World) -> None:
    """Each college receives as many blanks as it has graduates and 10 % more (10 at least)."""
    from verify.registry.blanks import add_blank_range

    at = _now()
    colleges = [i for i in data.institutions if i.kind == "college"]
    for index, college in enumerate(colleges, start=1):
        count = len(data.graduates_of(college.bin))
        first = index * 100_000 + 1
        add_blank_range(session=session, officer=world.officers[college.bin], series=BLANK_SERIES, first=first,
                        last=first + count + max(10, count // 10) - 1, at=at)


def _import(session: Session, export: Export, world: _World) -> None:
    """Import each institution's export: the CSV for even positions (0, 2, ...), the XLSX for odd ones."""
    from verify.registry.imports.load import import_graduates
    from verify.registry.imports.parse import parse_graduates

    at = _now()
    with _bar(len(export.data.graduates), "import", "row") as bar:
        for index, sample in enumerate(export.data.institutions):
            path = (export.csv if index % 2 == 0 else export.xlsx)[sample.bin]
            report = parse_graduates(path.read_bytes(), filename=path.name, today=at.date())
            outcome = import_graduates(session=session, report=report, institution=world.institutions[sample.bin],
                                       officer=world.officers[sample.bin], at=at)
            if not outcome.ok:
                first = outcome.errors[0]
                raise Error(f"{path}: {len(outcome.errors)} import error(s), e.g. row {first.row}, {first.column}: "
                            f"{first.reason}")
            bar.update(outcome.rows)


def _groups(graduates: tuple[SampleGraduate, ...]) -> list[str]:
    """The study groups in export order."""
    return list(dict.fromkeys(g.group for g in graduates))


def _issue(session: Session, data: SampleData, world: _World, signer: Signer, base_url: str
           ) -> dict[tuple[str, str], int]:
    """Issue every study group (`issue_group`); returns (BIN, group) -> batch id."""
    from verify.registry.documents import issue_group

    at = _now()
    batches: dict[tuple[str, str], int] = {}
    with _bar(len(data.graduates), "issue", "doc") as bar:
        for sample in data.institutions:
            for group in _groups(data.graduates_of(sample.bin)):
                start = int(bar.n)

                def progress(done: int, _total: int, start: int = start) -> None:
                    bar.update(start + done - bar.n)

                outcome = issue_group(session=session, officer=world.officers[sample.bin], group=group,
                                      idempotency_key=f"{sample.bin}:{group}:demo", signer=signer,
                                      base_url=base_url, at=at,
                                      blank_series=BLANK_SERIES if sample.kind == "college" else None,
                                      progress=progress)
                batches[(sample.bin, group)] = outcome.batch_id
    return batches


def _caption(record: Mapping[str, Any]) -> str:
    """Series, number, surname and initials ("ТКБ 0100001 — Сейітқали Ә. Н."), as on the web's print sheets."""
    holder = record["holder"]
    initials = " ".join(f"{part[0]}." for part in (holder["name"], holder.get("patronymic")) if part)
    return f"{record['series']} {record['number']} — {holder['surname']} {initials}"


def _sheets(session: Session, data: SampleData, batches: dict[tuple[str, str], int], directory: Path
            ) -> list[dict[str, Any]]:
    """One PDF per study group: the codes of its batch as first printed (revision 1), in number order."""
    from sqlmodel import col, select

    from verify import qr, qrpdf
    from verify.issue import MAX_QR_VERSION
    from verify.registry.models import Document, DocumentRevision

    entries: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="verify-demo-") as scratch, \
            _bar(len(data.graduates), "sheets", "code") as bar:
        font = _caption_font(Path(scratch))
        for sample in data.institutions:
            paths: list[str] = []
            groups = _groups(data.graduates_of(sample.bin))
            for group in groups:
                rows = session.exec(
                    select(DocumentRevision.qr_text, DocumentRevision.record)
                    .join(Document, col(Document.id) == DocumentRevision.document_id)
                    .where(Document.batch_id == batches[(sample.bin, group)], DocumentRevision.revision == 1)
                    .order_by(col(Document.series), col(Document.number))).all()
                session.rollback()  # end the read transaction (the write engine's BEGIN IMMEDIATE)
                items = [(qr.encode_qr(text, max_version=MAX_QR_VERSION), _caption(record)) for text, record in rows]
                path = directory / sample.username / f"{group}.pdf"
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(qrpdf.render_sheet_pdf(items, image_codes=True, font_path=font))
                paths.append(str(path))
                bar.update(len(items))
            entries.append({"bin": sample.bin, "username": sample.username, "name_en": sample.name_en,
                            "kind": sample.kind, "graduates": len(data.graduates_of(sample.bin)),
                            "groups": groups, "sheets": paths})
    return entries


def _caption_font(directory: Path) -> Path:
    """DejaVu Sans cut down to Latin, Cyrillic (Kazakh letters included) and the captions' punctuation.

    fpdf2 reads the whole font for every PDF (~23 ms for DejaVuSans.ttf's 6,000 glyphs, ~2 ms for this subset of
    ~400); with hundreds of group sheets that halves the sheets stage. fontTools comes with fpdf2.
    """
    from fontTools import subset  # type: ignore[import-untyped]

    from verify.qrpdf import find_caption_font

    options = subset.Options()
    options.layout_features = []
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.drop_tables = [*options.drop_tables, "FFTM"]  # FontForge's timestamps: fontTools cannot subset them
    font = subset.load_font(str(find_caption_font()), options)
    try:
        subsetter = subset.Subsetter(options)
        subsetter.populate(text=_CAPTION_CHARS)
        subsetter.subset(font)
        target = directory / "DejaVuSans-captions.ttf"
        subset.save_font(font, str(target), options)
    finally:
        font.close()
    return target


def _first_documents(session: Session, institution: Institution, count: int) -> list[Document]:
    from sqlmodel import col, select

    from verify.registry.models import Document

    return list(session.exec(select(Document).where(Document.institution_id == institution.id)
                             .order_by(col(Document.series), col(Document.number)).limit(count)))


def _lifecycle(session: Session, data: SampleData, world: _World, signer: Signer, base_url: str) -> list[_Pick]:
    """The duplicate, the correction and the annulment; the six showcase documents."""
    from sqlmodel import col, select

    from verify.registry.lifecycle import annul_document, correct_document, issue_duplicate
    from verify.registry.models import Document, Graduate, Holder

    colleges = [i for i in data.institutions if i.kind == "college"]
    university = next(i for i in data.institutions if i.kind == "university")
    first, lost = _first_documents(session, world.institutions[colleges[0].bin], 2)
    session.rollback()
    duplicate = issue_duplicate(session=session, officer=world.officers[colleges[0].bin], series=lost.series,
                                number=lost.number, reason="lost", signer=signer, base_url=base_url, at=_now())
    typo = next(g for g in data.graduates_of(university.bin) if g.intended_surname is not None)
    assert typo.intended_surname is not None
    corrected = session.exec(
        select(Document).join(Graduate, col(Graduate.id) == Document.graduate_id)
        .join(Holder, col(Holder.id) == Graduate.holder_id)
        .where(Holder.iin == typo.iin, col(Document.original_id).is_(None))).one()
    session.rollback()
    correct_document(session=session, officer=world.officers[university.bin], series=corrected.series,
                     number=corrected.number, changes={"surname": typo.intended_surname},
                     reason=f"the surname was typed with Russian letters in the export ({typo.surname} for "
                            f"{typo.intended_surname}); checked against the identity document",
                     signer=signer, base_url=base_url, at=_now())
    (annulled,) = _first_documents(session, world.institutions[colleges[1].bin], 1)
    session.rollback()
    annul_document(session=session, officer=world.officers[colleges[1].bin], series=annulled.series,
                   number=annulled.number, basis="order of the director No. 45: issued in error, the final "
                                                 "attestation was not passed (demo data)", at=_now())
    assert first.id is not None and lost.id is not None and duplicate.id is not None
    assert corrected.id is not None and annulled.id is not None
    return [
        _Pick("valid-original", "a valid original", first.id, 1, "VALID", "ORIGINAL_VALID"),
        _Pick("replaced-original", "the original that duplicate No. 1 replaced", lost.id, 1, "REPLACED", "REPLACED"),
        _Pick("duplicate", "duplicate No. 1, issued instead of it", duplicate.id, 1, "VALID", "DUPLICATE_VALID"),
        _Pick("corrected-old", "a corrected document: revision 1, as first printed", corrected.id, 1, "CORRECTED",
              "CORRECTED"),
        _Pick("corrected-new", "the same document: revision 2, after the correction", corrected.id, 2, "VALID",
              "ORIGINAL_VALID"),
        _Pick("annulled", "an annulled document", annulled.id, 1, "ANNULLED", "ANNULLED"),
    ]


def _inserts(session: Session, picks: list[_Pick], directory: Path) -> list[_Drawn]:
    """Draw each showcase document's insert as printed from the picked revision; PNG at 300 dpi."""
    from verify.insert import InsertFields, insert_png, render_insert
    from verify.registry.documents import get_revision, record_of
    from verify.registry.models import Document, Institution
    from verify.sampledata import programme_of, qualification_of

    directory.mkdir(parents=True, exist_ok=True)
    drawn: list[_Drawn] = []
    with _bar(len(picks), "inserts", "insert") as bar:
        for index, pick in enumerate(picks, start=1):
            document = session.get(Document, pick.document_id)
            assert document is not None
            institution = session.get(Institution, document.institution_id)
            assert institution is not None
            revision = get_revision(session=session, document=document, revision=pick.revision)
            session.rollback()
            record = record_of(revision)
            programme = programme_of(record.programme)
            qualification = qualification_of(record.qualification) if record.qualification else None
            fields = InsertFields.from_record(
                record, institution_kk=institution.name_kk, institution_ru=institution.name_ru,
                programme_names=(programme.kk, programme.ru),
                qualification_names=(qualification.kk, qualification.ru) if qualification else ("", ""))
            path = directory / f"{index}-{pick.role}.png"
            path.write_bytes(insert_png(render_insert(fields, revision.qr_text)))
            drawn.append(_Drawn(pick, institution.name_en, document.series, document.number, revision.qr_text, path))
            bar.update()
    return drawn


def _check(drawn: list[_Drawn], trust_list: TrustList, url: str, base_url: str) -> list[ShowcaseItem]:
    """Scan each insert back and verify its code against the registry, as a phone would."""
    from verify.codec import qr_prefix
    from verify.errors import ImageError
    from verify.registry.db import make_engine
    from verify.registry.lookup import RegistryStatusLookup
    from verify.scan import scan_image
    from verify.verifier import Verifier

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
            verdict: str
            if texts == [item.qr_text]:
                report = verifier.check(item.qr_text, at=_now())
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
        "links": _links(config.base_url),
        "accounts": [{"username": a.username, "role": a.role, "institution": a.institution}
                     for a in result.accounts],
        "timings_s": result.timings,
        "total_s": round(sum(result.timings.values()), 3),
    }
    path = config.out / SUMMARY_FILE
    path.write_text(json.dumps(summary, ensure_ascii=False, indent=2) + "\n", "utf-8")
    return path


def _links(base_url: str) -> dict[str, str]:
    """The service's pages to open; the officer console's sign-in page when this build has the console."""
    base = base_url.rstrip("/")
    links = {"home": f"{base}/", "scan": f"{base}/scan", "sign_in_api": f"{base}/api/v1/auth/login",
             "api_docs": f"{base}/docs"}
    if importlib.util.find_spec("web.console") is not None:
        links["console"] = f"{base}/console/login"
    return links


def print_summary(result: DemoResult, stream: IO[str], *, serving: bool) -> None:
    """Print the links to open, the accounts with their passwords, and where the files are.

    Args:
        result: `run_demo`'s result.
        stream: standard output.
        serving: whether the service starts next (the wording says so).
    """
    config = result.config
    base = config.base_url.rstrip("/")
    links = _links(config.base_url)
    write = stream.write
    write(f"\nDemo registry {result.database_url}: {len(result.institutions)} institutions, {result.documents:,} "
          f"documents (seed {config.seed}), built in {sum(result.timings.values()):.1f} s.\n")
    write(f"\nOpen these links{' (the service starts below; Ctrl+C stops it)' if serving else ''}:\n")
    for item in result.showcase:
        mark = "" if item.verdict == item.expected else f"   <-- expected {item.expected}"
        write(f"  {item.title} — {item.institution}, {item.series} {item.number}, revision {item.revision}: "
              f"{item.verdict} ({item.actual_status}){mark}\n    {item.link(base)}\n")
    write(f"  scan a photo of an insert, or look a document up: {links['scan']}\n")
    if "console" in links:
        write(f"  officers sign in to their console: {links['console']}\n")
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
