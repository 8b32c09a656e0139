"""Registry commands of the `verify` command line, added to the core parser by `add_registry_commands`.

Commands (the officer comes from `--officer` or VERIFY_OFFICER; every write is scoped to the
officer's institution and audited):

    verify db init | upgrade
    verify institutions add --bin B --name-kk .. --name-ru .. --name-en .. --kind college|university --region R
    verify institutions list
    verify officers add --institution BIN --username U --full-name NAME [--role issuer|head|viewer]
    verify import FILE --institution BIN
    verify issue --group G --institution BIN [--idempotency-key K] [--series S] [--out DIR]
    verify issue RECORD.json --out DIR                  (the core command, unchanged)
    verify duplicate SERIES NUMBER --reason lost|damaged|name_changed|filling_error [--surname ..] [--out DIR]
    verify correct SERIES NUMBER --set field=value ... --reason R [--out DIR]
    verify annul SERIES NUMBER --basis TEXT
    verify blanks add SERIES FIRST LAST --institution BIN | write-off SERIES NUMBER --reason R | list
    verify audit verify
    verify check / verify scan [--offline]   ask the registry when a database exists

Exit status: 0 on success; 1 when an import file has errors (nothing written) or the audit
chain does not verify; 2 for any other error (the core `main`'s `except Error`).

Heavy modules (SQLAlchemy, Alembic) are imported inside the handlers, so that commands that do
not touch the registry start as fast as before.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Error, RecordError

if TYPE_CHECKING:
    from sqlmodel import Session

    from ..keys import Signer
    from ..settings import Settings
    from ..status import StatusLookup
    from .models import DocumentRevision, Officer

OFFICER_ENV = "VERIFY_OFFICER"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _parse_time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("give a time zone, e.g. 2026-11-21T10:00:00Z")
    return value


def _officer_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--officer", default=os.environ.get(OFFICER_ENV),
                        help=f"the officer's username [{OFFICER_ENV}]")


def _at_option(parser: argparse.ArgumentParser, what: str = "time of the change") -> None:
    parser.add_argument("--at", type=_parse_time, help=f"{what} (default: now)")


def add_registry_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser], settings: Settings) -> None:
    """Add the registry's subcommands to the core parser's subparsers (each sets `handler`).

    Also extends the core `issue` command (the record file becomes optional; `--group` issues
    a batch) and gives `check` and `scan` an `--offline` flag.
    """
    db = sub.add_parser("db", help="create or migrate the registry database")
    db_sub = db.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    db_sub.add_parser("init", help="create the database (SQLite file or PostgreSQL tables) and seed it")
    db_sub.add_parser("upgrade", help="run the migrations that are not applied yet")
    db.set_defaults(handler=cmd_db)

    inst = sub.add_parser("institutions", help="register institutions")
    inst_sub = inst.add_subparsers(dest="institutions_command", required=True, metavar="ACTION")
    add = inst_sub.add_parser("add", help="register a college or university")
    add.add_argument("--bin", required=True, help="12-digit BIN")
    add.add_argument("--name-kk", required=True, help="name in Kazakh")
    add.add_argument("--name-ru", required=True, help="name in Russian")
    add.add_argument("--name-en", required=True, help="name in English")
    add.add_argument("--kind", required=True, choices=("college", "university"))
    add.add_argument("--region", required=True)
    inst_sub.add_parser("list", help="list registered institutions")
    inst.set_defaults(handler=cmd_institutions)

    officers = sub.add_parser("officers", help="officer accounts")
    officers_sub = officers.add_subparsers(dest="officers_command", required=True, metavar="ACTION")
    oadd = officers_sub.add_parser("add", help="open an account bound to one institution")
    oadd.add_argument("--institution", required=True, metavar="BIN")
    oadd.add_argument("--username", required=True)
    oadd.add_argument("--full-name", required=True)
    oadd.add_argument("--role", choices=("issuer", "head", "viewer"), default="issuer")
    officers.set_defaults(handler=cmd_officers)

    imp = sub.add_parser("import", help="import graduates from a CSV or XLSX file (all or nothing)")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--institution", required=True, metavar="BIN")
    _officer_option(imp)
    _at_option(imp, "time of the import")
    imp.set_defaults(handler=cmd_import)

    issue = sub.choices["issue"]
    for action in issue._actions:
        if action.dest == "record":
            action.nargs, action.required, action.default = "?", False, None
            action.help = "record JSON (see examples/record.json); or use --group"
        elif action.dest == "out":
            action.required = False
            action.help = "output directory (required for RECORD.json; with --group: writes each QR)"
    issue.add_argument("--group", help="issue the documents of this study group from the registry")
    issue.add_argument("--institution", metavar="BIN", help="with --group: the institution (the officer's)")
    issue.add_argument("--idempotency-key", help="with --group: names the batch; retry with the same key "
                                                 "after a crash (default: a new key, printed)")
    issue.add_argument("--series", help="with --group, TVE: the blank series (default: the only one in stock)")
    _officer_option(issue)
    issue.set_defaults(handler=cmd_issue)

    dup = sub.add_parser("duplicate", help="issue duplicate No. N instead of a document (seed 000, items 21-25)")
    dup.add_argument("series")
    dup.add_argument("number")
    dup.add_argument("--reason", required=True, choices=("lost", "damaged", "name_changed", "filling_error"))
    dup.add_argument("--surname", help="the new surname (name_changed, filling_error)")
    dup.add_argument("--name", help="the new name")
    dup.add_argument("--patronymic", help="the new patronymic ('' for none)")
    dup.add_argument("--blank-series", help="TVE: the blank series (default: the replaced document's)")
    dup.add_argument("--blank-number", help="TVE: the blank to print on (default: the next free one)")
    dup.add_argument("--out", type=Path, help="write the duplicate's QR (SVG, PNG, PDF, text) here")
    _officer_option(dup)
    _at_option(dup)
    dup.set_defaults(handler=cmd_duplicate)

    cor = sub.add_parser("correct", help="correct a document's data: a new signed revision (seed 000 app. 38)")
    cor.add_argument("series")
    cor.add_argument("number")
    cor.add_argument("--set", dest="changes", action="append", required=True, metavar="FIELD=VALUE",
                     help="surname, name, patronymic, award_date, programme, qualification, honours (repeatable)")
    cor.add_argument("--reason", required=True)
    cor.add_argument("--out", type=Path, help="write the new revision's QR here")
    _officer_option(cor)
    _at_option(cor)
    cor.set_defaults(handler=cmd_correct)

    ann = sub.add_parser("annul", help="annul a document with its basis (final)")
    ann.add_argument("series")
    ann.add_argument("number")
    ann.add_argument("--basis", required=True, help="the order or decision it rests on")
    _officer_option(ann)
    _at_option(ann)
    ann.set_defaults(handler=cmd_annul)

    blanks = sub.add_parser("blanks", help="blank stock: ranges received, write-offs")
    blanks_sub = blanks.add_subparsers(dest="blanks_command", required=True, metavar="ACTION")
    badd = blanks_sub.add_parser("add", help="record a range of blanks received")
    badd.add_argument("series")
    badd.add_argument("first", help="first number, seven digits")
    badd.add_argument("last", help="last number, seven digits")
    badd.add_argument("--institution", required=True, metavar="BIN")
    boff = blanks_sub.add_parser("write-off", help="write off a spoiled blank")
    boff.add_argument("series")
    boff.add_argument("number")
    boff.add_argument("--reason", required=True)
    blist = blanks_sub.add_parser("list", help="the stock by series")
    blist.add_argument("--institution", required=True, metavar="BIN")
    for parser in (badd, boff, blist):
        _officer_option(parser)
        _at_option(parser)
    blanks.set_defaults(handler=cmd_blanks)

    audit = sub.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit_sub.add_parser("verify", help="recompute the hash chain; name the first event edited, deleted or moved")
    audit.set_defaults(handler=cmd_audit)

    for name in ("check", "scan"):
        if name in sub.choices:
            sub.choices[name].add_argument("--offline", action="store_true",
                                           help="do not ask the registry, even when a database exists")


# ------------------------------------------------------------------------------ helpers
def database_url(args: argparse.Namespace, settings: Settings) -> str:
    """--database-url / VERIFY_DATABASE_URL, or the SQLite file under the data directory."""
    return str(getattr(args, "database_url", None) or settings.resolved_database_url())


@contextmanager
def _session(args: argparse.Namespace, settings: Settings, *, readonly: bool = False) -> Iterator[Session]:
    """A session on the registry (checked to be at this code's migration); the engine is disposed after."""
    from sqlmodel import Session

    from .db import make_engine, require_current_schema

    engine = make_engine(database_url(args, settings), readonly=readonly)
    try:
        require_current_schema(engine)
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


def _signer(args: argparse.Namespace, settings: Settings) -> Signer:
    from ..keystore import KeyStore

    return KeyStore(args.keys_dir, settings.passphrase_bytes()).signer()


def _officer(session: Session, args: argparse.Namespace, *, institution_bin: str | None = None) -> Officer:
    from .institutions import get_institution_by_bin_or_raise, get_officer_by_username_or_raise

    if not args.officer:
        raise Error(f"give the officer's username: --officer or {OFFICER_ENV}")
    officer = get_officer_by_username_or_raise(session=session, username=args.officer)
    if institution_bin is not None:
        institution = get_institution_by_bin_or_raise(session=session, bin=institution_bin)
        if institution.id != officer.institution_id:
            from ..errors import ForbiddenError

            raise ForbiddenError(f"officer {officer.username} does not belong to institution {institution_bin}")
    return officer


def _write_qr(revision: DocumentRevision, out: Path) -> list[Path]:
    from ..issue import render_record
    from .documents import signed_record_of

    signed = signed_record_of(revision)
    images = render_record(signed)
    out.mkdir(parents=True, exist_ok=True)
    record = signed.record
    stem = f"{record.series}-{record.number}" + (f"-r{record.revision}" if record.revision > 1 else "")
    paths = [out / f"{stem}.{kind}" for kind in ("svg", "png", "pdf", "txt")]
    paths[0].write_bytes(images.svg)
    paths[1].write_bytes(images.png)
    paths[2].write_bytes(images.pdf)
    paths[3].write_text(signed.qr_text + "\n", "ascii")
    return paths


def registry_status_lookup(args: argparse.Namespace, settings: Settings) -> StatusLookup | None:
    """The registry lookup for `verify check` / `verify scan`, or None to verify offline.

    None when the command has no `--offline` flag (e.g. `verify demo`), when `--offline` is given,
    or when no registry database exists (the SQLite file is missing, or the server has no tables).
    """
    if getattr(args, "offline", True):
        return None
    from .db import database_exists, make_engine
    from .lookup import RegistryStatusLookup

    url = database_url(args, settings)
    if not database_exists(url):
        return None
    return RegistryStatusLookup.from_engine(make_engine(url, readonly=True, pooled=False))


# ------------------------------------------------------------------------------ handlers
def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    """`verify db init|upgrade`."""
    from sqlalchemy.engine import make_url

    from .db import current_revision, database_exists, head_revision, make_engine, upgrade_database

    url = database_url(args, settings)
    shown = make_url(url).render_as_string(hide_password=True)
    if args.db_command == "upgrade" and not database_exists(url):
        raise Error(f"no registry database at {shown}: run `verify db init`")
    if args.db_command == "init" and database_exists(url):
        engine = make_engine(url)
        try:
            at = current_revision(engine)
        finally:
            engine.dispose()
        if at == head_revision():
            print(f"registry database {shown} exists, at migration {at}; nothing to do")
            return 0
    revision = upgrade_database(url)
    print(f"registry database {shown} at migration {revision}")
    return 0


def cmd_institutions(args: argparse.Namespace, settings: Settings) -> int:
    """`verify institutions add|list`."""
    from pydantic import ValidationError
    from sqlmodel import col, select

    from .institutions import create_institution
    from .models import Institution, InstitutionCreate

    with _session(args, settings) as session:
        if args.institutions_command == "list":
            for institution in session.exec(select(Institution).order_by(col(Institution.bin))):
                print(f"{institution.bin}  {institution.kind:10}  {institution.region:20}  {institution.name_en}")
            return 0
        try:
            data = InstitutionCreate(bin=args.bin, name_kk=args.name_kk, name_ru=args.name_ru, name_en=args.name_en,
                                     kind=args.kind, region=args.region)
        except ValidationError as exc:
            raise RecordError(_validation_message(exc)) from None
        institution = create_institution(session=session, institution_create=data, at=_now())
        print(f"institution {institution.bin} registered ({institution.kind}, {institution.name_en})")
    return 0


def _validation_message(exc: Any) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_input=False))


def cmd_officers(args: argparse.Namespace, settings: Settings) -> int:
    """`verify officers add`."""
    from pydantic import ValidationError

    from .institutions import create_officer, get_institution_by_bin_or_raise
    from .models import OfficerCreate

    with _session(args, settings) as session:
        institution = get_institution_by_bin_or_raise(session=session, bin=args.institution)
        try:
            data = OfficerCreate(username=args.username, full_name=args.full_name, role=args.role)
        except ValidationError as exc:
            raise RecordError(_validation_message(exc)) from None
        officer = create_officer(session=session, officer_create=data, institution=institution, at=_now())
        print(f"officer {officer.username} ({officer.role}) of institution {institution.bin}")
    return 0


def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """`verify import FILE --institution BIN`: exit 1 (nothing written) when the file has errors."""

    from .imports.load import import_graduates
    from .imports.parse import parse_graduates
    from .institutions import get_institution_by_bin_or_raise

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise Error(f"{args.file}: cannot read ({exc.strerror})") from None
    at = args.at or _now()
    report = parse_graduates(data, filename=args.file.name, today=at.date())
    with _session(args, settings) as session:
        officer = _officer(session, args, institution_bin=args.institution)
        institution = get_institution_by_bin_or_raise(session=session, bin=args.institution)
        result = import_graduates(session=session, report=report, institution=institution, officer=officer, at=at)
    for problem in result.errors:
        print(f"{args.file}: row {problem.row}, {problem.column}: {problem.reason}", file=sys.stderr)
    for problem in result.warnings:
        print(f"{args.file}: row {problem.row}, {problem.column}: warning: {problem.reason}", file=sys.stderr)
    if not result.ok:
        print(f"{args.file}: {len(result.errors)} error(s); nothing was imported", file=sys.stderr)
        return 1
    print(f"{args.file}: {result.rows} rows: {result.holders_created} holders and {result.graduates_created} "
          f"graduates created, {result.holders_updated + result.graduates_updated} updated, "
          f"{result.unchanged} unchanged")
    return 0


def cmd_issue(args: argparse.Namespace, settings: Settings) -> int:
    """`verify issue RECORD.json --out DIR` (core) or `verify issue --group G --institution BIN` (registry)."""
    if args.group is None:
        if args.record is None or args.out is None:
            raise Error("give RECORD.json with --out DIR, or --group G --institution BIN")
        from ..cli import cmd_issue as core_issue

        return int(core_issue(args, settings))
    if args.record is not None:
        raise Error("give either RECORD.json or --group, not both")
    if args.institution is None:
        raise Error("--group needs --institution BIN")
    from sqlmodel import col, select
    from tqdm import tqdm

    from .documents import get_revision, issue_group
    from .models import Document

    key = args.idempotency_key or f"{args.institution}:{args.group}:{uuid.uuid4()}"
    if args.idempotency_key is None:
        print(f"batch key {key} (retry with --idempotency-key {key})", file=sys.stderr)
    signer = _signer(args, settings)
    at = args.at or _now()
    with _session(args, settings) as session:
        officer = _officer(session, args, institution_bin=args.institution)
        session.commit()
        with tqdm(desc=f"issue {args.group}", unit="doc", file=sys.stderr, dynamic_ncols=True) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            result = issue_group(session=session, officer=officer, group=args.group, idempotency_key=key,
                                 signer=signer, base_url=args.base_url, at=at, blank_series=args.series,
                                 progress=progress)
        if args.out is not None:
            documents = list(session.exec(select(Document).where(Document.batch_id == result.batch_id)
                                          .order_by(col(Document.number))))
            for document in tqdm(documents, desc="write QR", unit="doc", file=sys.stderr):
                _write_qr(get_revision(session=session, document=document), args.out)
            session.rollback()
    state = "already finished: nothing done" if result.replayed else "finished"
    print(f"batch {result.idempotency_key}: {result.total} graduates, {result.issued} issued now, "
          f"{result.skipped} issued before; {state}")
    return 0


def cmd_duplicate(args: argparse.Namespace, settings: Settings) -> int:
    """`verify duplicate SERIES NUMBER --reason R [--surname ..]`."""

    from ..record import HolderName
    from .documents import get_document_or_raise, get_revision, record_of
    from .lifecycle import issue_duplicate

    signer = _signer(args, settings)
    with _session(args, settings) as session:
        officer = _officer(session, args)
        new_name = None
        if args.surname is not None or args.name is not None or args.patronymic is not None:
            current = record_of(get_revision(session=session, document=get_document_or_raise(
                session=session, series=args.series, number=args.number))).holder
            patronymic = current.patronymic if args.patronymic is None else (args.patronymic or None)
            new_name = HolderName(args.surname or current.surname, args.name or current.name, patronymic)
        session.commit()
        duplicate = issue_duplicate(session=session, officer=officer, series=args.series, number=args.number,
                                    reason=args.reason, signer=signer, base_url=args.base_url, at=args.at or _now(),
                                    new_name=new_name, blank_series=args.blank_series, blank_number=args.blank_number)
        print(f"duplicate No. {duplicate.duplicate_no} {duplicate.series} {duplicate.number} issued; "
              f"the stamp reads: {duplicate.stamp('kk')} / {duplicate.stamp('ru')}")
        if args.out is not None:
            for path in _write_qr(get_revision(session=session, document=duplicate), args.out):
                print(f"  {path}")
        session.rollback()
    return 0


def cmd_correct(args: argparse.Namespace, settings: Settings) -> int:
    """`verify correct SERIES NUMBER --set field=value ... --reason R`."""

    from .lifecycle import correct_document

    changes: dict[str, str] = {}
    for item in args.changes:
        field, sep, value = item.partition("=")
        if not sep:
            raise RecordError(f"--set {item!r}: write FIELD=VALUE")
        changes[field.strip()] = value
    signer = _signer(args, settings)
    with _session(args, settings) as session:
        officer = _officer(session, args)
        session.commit()
        revision = correct_document(session=session, officer=officer, series=args.series, number=args.number,
                                    changes=changes, reason=args.reason, signer=signer, base_url=args.base_url,
                                    at=args.at or _now())
        changed = ", ".join(revision.changed_fields)
        print(f"{args.series} {args.number}: revision {revision.revision}; changed: {changed}")
        if args.out is not None:
            for path in _write_qr(revision, args.out):
                print(f"  {path}")
    return 0


def cmd_annul(args: argparse.Namespace, settings: Settings) -> int:
    """`verify annul SERIES NUMBER --basis TEXT`."""

    from .lifecycle import annul_document

    with _session(args, settings) as session:
        officer = _officer(session, args)
        session.commit()
        document = annul_document(session=session, officer=officer, series=args.series, number=args.number,
                                  basis=args.basis, at=args.at or _now())
        print(f"{document.series} {document.number} annulled: {document.annul_basis}")
    return 0


def cmd_blanks(args: argparse.Namespace, settings: Settings) -> int:
    """`verify blanks add|write-off|list`."""

    from .blanks import add_blank_range, stock_summary, write_off_blank
    from .numbering import format_number

    at = args.at or _now()
    with _session(args, settings) as session:
        institution_bin = getattr(args, "institution", None)
        officer = _officer(session, args, institution_bin=institution_bin)
        session.commit()
        if args.blanks_command == "add":
            blank_range = add_blank_range(session=session, officer=officer, series=args.series, first=args.first,
                                          last=args.last, at=at)
            print(f"blanks {blank_range.series} {format_number(blank_range.first_number)}-"
                  f"{format_number(blank_range.last_number)} received ({blank_range.size} blanks)")
        elif args.blanks_command == "write-off":
            blank = write_off_blank(session=session, officer=officer, series=args.series, number=args.number,
                                    reason=args.reason, at=at)
            print(f"blank {blank.series} {blank.number} written off: {blank.reason}")
        else:
            for line in stock_summary(session=session, institution_id=officer.institution_id):
                print(f"{line.series:6} received {line.received:>8}  used {line.used:>8}  written off "
                      f"{line.written_off:>6}  free {line.free:>8}  next {line.next_free or '-'}")
            session.rollback()
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    """`verify audit verify`: exit 1 and name the first bad event when the chain does not verify."""

    from ..errors import AuditChainError
    from .audit import verify_audit_chain

    with _session(args, settings, readonly=True) as session:
        try:
            summary = verify_audit_chain(session=session)
        except AuditChainError as exc:
            print(f"audit chain BROKEN at event {exc.seq}: {exc.message}", file=sys.stderr)
            return 1
    print(f"audit chain OK: {summary.events} events; head {summary.head_seq} {summary.head_hash}")
    return 0
