"""The registry on the command line: the database, institutions, imports, batch issue, the lifecycle, blanks, audit.

    verify db init | upgrade
    verify institutions add --bin B --name-kk .. --name-ru .. --name-en .. --kind college|university --region R
    verify institutions list
    verify institutions close BIN --archive ARCHIVE_BIN [--at YYYY-MM-DD]   (seed 000, Rules item 23)
    verify import FILE --institution BIN
    verify issue --group G --institution BIN [--idempotency-key K] [--series S] [--out DIR]   (`records` owns
                                                                                    `issue`; it calls `issue_group`)
    verify duplicate SERIES NUMBER --reason lost|damaged|name_changed|filling_error [--surname ..] [--out DIR]
    verify correct SERIES NUMBER --set field=value ... --reason R [--out DIR]
    verify annul SERIES NUMBER --basis TEXT [--kind order|issued_in_error]
    verify blanks add SERIES FIRST LAST --institution BIN [--kind ordinary|honours|altyn_belgi]
                  | write-off SERIES NUMBER --reason R | list
                  | reprint SERIES NUMBER --reason R [--blank NUMBER] [--out DIR]   (spoiled while printing)
    verify audit verify       (the audit chain, then the transparency log and its audit anchors)

The officer comes from `--officer` or VERIFY_OFFICER; every write is scoped to the officer's institution and
audited. Exit status: 0 on success; 1 when an import file has errors (nothing written) or the audit chain does not
verify; 2 for any other error (`verify.cli.main`'s one `except Error`).

Heavy modules (SQLAlchemy, Alembic, tqdm) are imported inside the handlers, so that commands that do not touch the
registry start as fast as before.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import uuid
from pathlib import Path

from ..errors import AuditChainError, Error, LogStoreError, RecordError
from ..settings import Settings
from .common import (
    Subparsers,
    acting_officer,
    at_option,
    database_url,
    now,
    officer_option,
    registry_session,
    signer,
    validation_message,
    write_code_files,
)
from .tlog import checkpoint_after_batch

DUPLICATE_REASONS = ("lost", "damaged", "name_changed", "filling_error")


def add_database_commands(sub: Subparsers[argparse.ArgumentParser]) -> None:
    """Add `db` and `institutions` (each sets its `handler`)."""
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
    close = inst_sub.add_parser("close", help="mark an institution closed and name the archive that keeps its "
                                              "records (seed 000, Rules item 23)")
    close.add_argument("bin", metavar="BIN", help="the closing institution's 12-digit BIN")
    close.add_argument("--archive", required=True, metavar="ARCHIVE_BIN",
                       help="BIN of the registered institution that keeps its records; its officers then handle the "
                            "closed institution's duplicates, corrections and annulments")
    close.add_argument("--at", type=_day, metavar="YYYY-MM-DD", help="the day it closed (default: today)")
    inst.set_defaults(handler=cmd_institutions)


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r}: give a day as YYYY-MM-DD") from None


def add_document_commands(sub: Subparsers[argparse.ArgumentParser]) -> None:
    """Add `import`, `duplicate`, `correct`, `annul`, `blanks` and `audit` (each sets its `handler`)."""
    imp = sub.add_parser("import", help="import graduates from a CSV or XLSX file (all or nothing)")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--institution", required=True, metavar="BIN")
    imp.add_argument("--appendix", type=Path, metavar="FILE",
                     help="the appendix rows (grades) as a second CSV; an XLSX's sheet 'appendix' is read without it")
    officer_option(imp)
    at_option(imp, "time of the import")
    imp.set_defaults(handler=cmd_import)

    dup = sub.add_parser("duplicate", help="issue duplicate No. N instead of a document (seed 000, items 21-25)")
    dup.add_argument("series")
    dup.add_argument("number")
    dup.add_argument("--reason", required=True, choices=DUPLICATE_REASONS)
    dup.add_argument("--surname", help="the new surname (name_changed, filling_error)")
    dup.add_argument("--name", help="the new name")
    dup.add_argument("--patronymic", help="the new patronymic ('' for none)")
    dup.add_argument("--blank-series", help="TVE: the blank series (default: the replaced document's)")
    dup.add_argument("--blank-number", help="TVE: the blank to print on (default: the next free one)")
    dup.add_argument("--out", type=Path, help="write the duplicate's QR (SVG, PNG, PDF, text) here")
    officer_option(dup)
    at_option(dup)
    dup.set_defaults(handler=cmd_duplicate)

    cor = sub.add_parser("correct", help="correct a document's data: a new signed revision (seed 000 app. 38)")
    cor.add_argument("series")
    cor.add_argument("number")
    cor.add_argument("--set", dest="changes", action="append", required=True, metavar="FIELD=VALUE",
                     help="surname, name, patronymic, award_date, programme, qualification, honours (repeatable)")
    cor.add_argument("--reason", required=True)
    cor.add_argument("--out", type=Path, help="write the new revision's QR here")
    officer_option(cor)
    at_option(cor)
    cor.set_defaults(handler=cmd_correct)

    ann = sub.add_parser("annul", help="annul a document with its basis (final)")
    ann.add_argument("series")
    ann.add_argument("number")
    ann.add_argument("--basis", required=True, help="the order or decision it rests on")
    ann.add_argument("--kind", choices=("order", "issued_in_error"), default="order",
                     help="order: final (default); issued_in_error: the graduate may then get a new original")
    officer_option(ann)
    at_option(ann)
    ann.set_defaults(handler=cmd_annul)

    blanks = sub.add_parser("blanks", help="blank stock: ranges received, write-offs")
    blanks_sub = blanks.add_subparsers(dest="blanks_command", required=True, metavar="ACTION")
    badd = blanks_sub.add_parser("add", help="record a range of blanks received")
    badd.add_argument("series")
    badd.add_argument("first", help="first number, seven digits")
    badd.add_argument("last", help="last number, seven digits")
    badd.add_argument("--institution", required=True, metavar="BIN")
    badd.add_argument("--kind", choices=("ordinary", "honours", "altyn_belgi"), default="ordinary",
                      help="the cover (seed 000, item 8): ordinary dark blue (default), honours red, altyn_belgi "
                           "light blue")
    boff = blanks_sub.add_parser("write-off", help="write off a spoiled blank")
    boff.add_argument("series")
    boff.add_argument("number")
    boff.add_argument("--reason", required=True)
    blist = blanks_sub.add_parser("list", help="the stock by series")
    blist.add_argument("--institution", required=True, metavar="BIN")
    brep = blanks_sub.add_parser("reprint", help="a blank spoiled while printing: write it off and reprint the "
                                                 "document on a new blank (a new number; the spoiled code annulled)")
    brep.add_argument("series")
    brep.add_argument("number", help="the document's number (its spoiled blank's)")
    brep.add_argument("--reason", required=True, help="what happened to the blank")
    brep.add_argument("--blank", metavar="NUMBER", help="the new blank (default: the next free one of its kind)")
    brep.add_argument("--out", type=Path, help="write the reprint's QR (SVG, PNG, PDF, text) here")
    for parser in (badd, boff, blist, brep):
        officer_option(parser)
        at_option(parser)
    blanks.set_defaults(handler=cmd_blanks)

    audit = sub.add_parser("audit", help="the audit log")
    audit_sub = audit.add_subparsers(dest="audit_command", required=True, metavar="ACTION")
    audit_sub.add_parser("verify", help="recompute the hash chain; name the first event edited, deleted or moved")
    audit.set_defaults(handler=cmd_audit)


# ------------------------------------------------------------------------------ database and institutions
def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    """`verify db init|upgrade`."""
    from sqlalchemy.engine import make_url

    from ..registry.db import current_revision, database_exists, head_revision, make_engine, upgrade_database

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
    """`verify institutions add|list|close`."""
    from pydantic import ValidationError

    from ..registry.institutions import close_institution, create_institution, list_institutions
    from ..registry.models import InstitutionCreate

    with registry_session(args, settings) as session:
        if args.institutions_command == "list":
            rows = list_institutions(session=session)
            bins = {i.id: i.bin for i in rows}
            for institution in rows:
                closed = "" if institution.closed_on is None else \
                    f"  closed {institution.closed_on}, archive {bins.get(institution.archive_id)}"
                print(f"{institution.bin}  {institution.kind:10}  {institution.region:20}  {institution.name_en}"
                      f"{closed}")
            return 0
        if args.institutions_command == "close":
            at = now()
            institution = close_institution(session=session, bin=args.bin, archive_bin=args.archive,
                                            closed_on=args.at or at.date(), at=at)
            print(f"institution {institution.bin} closed on {institution.closed_on}; its records are kept by "
                  f"{args.archive}")
            return 0
        try:
            data = InstitutionCreate(bin=args.bin, name_kk=args.name_kk, name_ru=args.name_ru, name_en=args.name_en,
                                     kind=args.kind, region=args.region)
        except ValidationError as exc:
            raise RecordError(validation_message(exc)) from None
        institution = create_institution(session=session, institution_create=data, at=now())
        print(f"institution {institution.bin} registered ({institution.kind}, {institution.name_en})")
    return 0


# ------------------------------------------------------------------------------ graduates and documents
def cmd_import(args: argparse.Namespace, settings: Settings) -> int:
    """`verify import FILE --institution BIN`: exit 1 (nothing written) when the file has errors."""
    from tqdm import tqdm

    from ..registry.appendices import import_with_appendix
    from ..registry.imports.appendix import parse_appendix
    from ..registry.imports.parse import parse_graduates
    from ..registry.institutions import get_institution_by_bin_or_raise

    try:
        data = args.file.read_bytes()
    except OSError as exc:
        raise Error(f"{args.file}: cannot read ({exc.strerror})") from None
    at = args.at or now()
    print(f"{args.file}: reading {len(data):,} bytes", file=sys.stderr, flush=True)
    report = parse_graduates(data, filename=args.file.name, today=at.date())
    appendix_source = args.appendix or args.file
    try:
        appendix_data = data if args.appendix is None else args.appendix.read_bytes()
    except OSError as exc:
        raise Error(f"{args.appendix}: cannot read ({exc.strerror})") from None
    appendix = None if args.appendix is None and not args.file.name.lower().endswith(".xlsx") else \
        parse_appendix(appendix_data, filename=appendix_source.name, graduate_iins={r.iin for r in report.rows})
    print(f"{args.file}: {len(report.rows):,} rows read, {len(report.errors)} error(s); checking against the "
          f"registry", file=sys.stderr, flush=True)
    with registry_session(args, settings) as session, \
            tqdm(total=2 * len(report.rows), desc="import", unit="row", file=sys.stderr, dynamic_ncols=True,
                 disable=None, mininterval=0.5) as bar:
        officer = acting_officer(session, args, institution_bin=args.institution)
        institution = get_institution_by_bin_or_raise(session=session, bin=args.institution)

        def advance(done: int, total: int) -> None:
            """The bar on a terminal; every tenth as a line, which a log or a pipe keeps as well."""
            bar.update(done - bar.n)
            if done * 10 // total != (done - 1) * 10 // total:
                print(f"{args.file}: import {done * 100 // total} % ({done:,} of {total:,} steps)", file=sys.stderr,
                      flush=True)

        result = import_with_appendix(session=session, report=report, appendix=appendix, institution=institution,
                                      officer=officer, at=at, progress=advance)
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
    if appendix is not None and appendix.items:
        print(f"{appendix_source}: appendices of {len(appendix.items)} graduate(s), "
              f"{sum(len(rows) for rows in appendix.items.values())} rows")
    return 0


def issue_group(args: argparse.Namespace, settings: Settings) -> int:
    """`verify issue --group G --institution BIN [--idempotency-key K] [--series S] [--out DIR]` (a batch).

    Raises:
        Error: no `--institution`; the registry's errors (`verify.registry.documents.issue_group`).
    """
    if args.institution is None:
        raise Error("--group needs --institution BIN")
    from tqdm import tqdm

    from ..registry.documents import batch_revisions, issue_group, signed_record_of

    key = args.idempotency_key or f"{args.institution}:{args.group}:{uuid.uuid4()}"
    if args.idempotency_key is None:
        print(f"batch key {key} (retry with --idempotency-key {key})", file=sys.stderr)
    document_signer = signer(args, settings)
    at = args.at or now()
    with registry_session(args, settings) as session:
        officer = acting_officer(session, args, institution_bin=args.institution)
        session.commit()
        with tqdm(desc=f"issue {args.group}", unit="doc", file=sys.stderr, dynamic_ncols=True) as bar:

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            result = issue_group(session=session, officer=officer, group=args.group, idempotency_key=key,
                                 signer=document_signer, base_url=args.base_url, at=at, blank_series=args.series,
                                 progress=progress)
        if args.out is not None:
            revisions = batch_revisions(session=session, batch_id=result.batch_id)
            for revision in tqdm(revisions, desc="write QR", unit="doc", file=sys.stderr):
                write_code_files(signed_record_of(revision), args.out)
            session.rollback()
    state = "already finished: nothing done" if result.replayed else "finished"
    print(f"batch {result.idempotency_key}: {result.total} graduates, {result.issued} issued now, "
          f"{result.skipped} issued before; {state}")
    checkpoint_after_batch(args, settings)
    return 0


def cmd_duplicate(args: argparse.Namespace, settings: Settings) -> int:
    """`verify duplicate SERIES NUMBER --reason R [--surname ..]`."""
    from ..record import HolderName
    from ..registry.documents import get_document_or_raise, get_revision, record_of, signed_record_of
    from ..registry.lifecycle import issue_duplicate

    document_signer = signer(args, settings)
    with registry_session(args, settings) as session:
        officer = acting_officer(session, args)
        new_name = None
        if args.surname is not None or args.name is not None or args.patronymic is not None:
            current = record_of(get_revision(session=session, document=get_document_or_raise(
                session=session, series=args.series, number=args.number))).holder
            patronymic = current.patronymic if args.patronymic is None else (args.patronymic or None)
            new_name = HolderName(args.surname or current.surname, args.name or current.name, patronymic)
        session.commit()
        duplicate = issue_duplicate(session=session, officer=officer, series=args.series, number=args.number,
                                    reason=args.reason, signer=document_signer, base_url=args.base_url,
                                    at=args.at or now(), new_name=new_name, blank_series=args.blank_series,
                                    blank_number=args.blank_number)
        print(f"duplicate No. {duplicate.duplicate_no} {duplicate.series} {duplicate.number} issued; "
              f"the stamp reads: {duplicate.stamp('kk')} / {duplicate.stamp('ru')}")
        if args.out is not None:
            paths = write_code_files(signed_record_of(get_revision(session=session, document=duplicate)), args.out)
            for path in paths.values():
                print(f"  {path}")
        session.rollback()
    return 0


def cmd_correct(args: argparse.Namespace, settings: Settings) -> int:
    """`verify correct SERIES NUMBER --set field=value ... --reason R`."""
    from ..registry.documents import signed_record_of
    from ..registry.lifecycle import correct_document

    changes: dict[str, str] = {}
    for item in args.changes:
        field, sep, value = item.partition("=")
        if not sep:
            raise RecordError(f"--set {item!r}: write FIELD=VALUE")
        changes[field.strip()] = value
    document_signer = signer(args, settings)
    with registry_session(args, settings) as session:
        officer = acting_officer(session, args)
        session.commit()
        revision = correct_document(session=session, officer=officer, series=args.series, number=args.number,
                                    changes=changes, reason=args.reason, signer=document_signer,
                                    base_url=args.base_url, at=args.at or now())
        changed = ", ".join(revision.changed_fields)
        print(f"{args.series} {args.number}: revision {revision.revision}; changed: {changed}")
        if args.out is not None:
            for path in write_code_files(signed_record_of(revision), args.out).values():
                print(f"  {path}")
    return 0


def cmd_annul(args: argparse.Namespace, settings: Settings) -> int:
    """`verify annul SERIES NUMBER --basis TEXT`."""
    from ..registry.lifecycle import annul_document

    with registry_session(args, settings) as session:
        officer = acting_officer(session, args)
        session.commit()
        document = annul_document(session=session, officer=officer, series=args.series, number=args.number,
                                  basis=args.basis, at=args.at or now(), kind=args.kind)
        print(f"{document.series} {document.number} annulled: {document.annul_basis}")
    return 0


# ------------------------------------------------------------------------------ blanks and audit
def cmd_blanks(args: argparse.Namespace, settings: Settings) -> int:
    """`verify blanks add|write-off|list|reprint`."""
    from ..registry.blanks import add_blank_range, stock_summary, write_off_blank
    from ..registry.documents import get_revision, signed_record_of
    from ..registry.numbering import format_number
    from ..registry.printing import reprint_on_new_blank

    at = args.at or now()
    with registry_session(args, settings) as session:
        institution_bin = getattr(args, "institution", None)
        officer = acting_officer(session, args, institution_bin=institution_bin)
        session.commit()
        if args.blanks_command == "add":
            blank_range = add_blank_range(session=session, officer=officer, series=args.series, first=args.first,
                                          last=args.last, at=at, kind=args.kind)
            print(f"blanks {blank_range.series} {format_number(blank_range.first_number)}-"
                  f"{format_number(blank_range.last_number)} received ({blank_range.size} blanks, {blank_range.kind})")
        elif args.blanks_command == "reprint":
            reprint = reprint_on_new_blank(session=session, officer=officer, series=args.series, number=args.number,
                                           reason=args.reason, signer=signer(args, settings), base_url=args.base_url,
                                           at=at, blank_number=args.blank)
            print(f"blank {args.series} {args.number} written off (spoiled while printing: {args.reason}); the "
                  f"document is reprinted as {reprint.series} {reprint.number}; the spoiled code is annulled")
            if args.out is not None:
                for path in write_code_files(signed_record_of(get_revision(session=session, document=reprint)),
                                             args.out).values():
                    print(f"  {path}")
            session.rollback()
        elif args.blanks_command == "write-off":
            blank = write_off_blank(session=session, officer=officer, series=args.series, number=args.number,
                                    reason=args.reason, at=at)
            print(f"blank {blank.series} {blank.number} written off: {blank.reason}")
        else:
            for line in stock_summary(session=session, institution_id=officer.institution_id):
                print(f"{line.series:6} {line.kind:11} received {line.received:>8}  used {line.used:>8}  written off "
                      f"{line.written_off:>6}  free {line.free:>8}  next {line.next_free or '-'}")
            session.rollback()
    return 0


def cmd_audit(args: argparse.Namespace, settings: Settings) -> int:
    """`verify audit verify`: exit 1 and name the first bad event when the chain does not verify, or the first bad
    row of the transparency log (its entries, stored hashes, head, checkpoints, and the audit anchors it holds)."""
    from ..registry.audit import verify_audit_chain
    from ..registry.tlog import verify_log

    with registry_session(args, settings, readonly=True) as session:
        try:
            summary = verify_audit_chain(session=session)
        except AuditChainError as exc:
            print(f"audit chain BROKEN at event {exc.seq}: {exc.message}", file=sys.stderr)
            return 1
        print(f"audit chain OK: {summary.events} events; head {summary.head_seq} {summary.head_hash}")
        try:
            log = verify_log(session)
        except LogStoreError as exc:
            print(f"transparency log BROKEN: {exc.message}", file=sys.stderr)
            return 1
    print(f"transparency log OK: {log.entries} entries, root {log.root_hash.hex()}; {log.checkpoints} checkpoints "
          f"and {log.anchors} audit anchors match")
    return 0
