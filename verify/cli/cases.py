"""Applications on the command line: cases for duplicates, corrections and annulments, and their terms.

    verify cases due --kind duplicate|correction-tve|correction-he --received YYYY-MM-DD[THH:MM]
    verify cases register SERIES NUMBER --kind K --presented KIND ... [--received D] [--channel C] [--reason R]
                          [--scope S] [--set FIELD=VALUE ...] [--explanation TEXT]
    verify cases review|show NUMBER;  verify cases list [--state S] [--kind K] [--due overdue|soon]
    verify cases notice NUMBER --ground G ... --text T;  verify cases hearing NUMBER --statement S
    verify cases propose NUMBER --decision grant|refuse [--ground G ...] [--text T]
    verify cases approve NUMBER [--out DIR];  verify cases return NUMBER --comment C

`due` prints the registration day, the last day for a preliminary refusal notice and, on its last line, the due date
(YYYY-MM-DD): the last line is a contract (tools read it). The terms and the calendar are `verify.workdays` (seed 000,
Rules items 22, 33, 43, 53, 56, 58, 63; seed 004 row 3; seed 001 appendix 18 row 3). The other commands act for the
officer whose credentials they are given (`common.acting_officer`) through `verify.registry.cases`; `verify duplicate`,
`correct` and `annul` register an application and propose to grant it (`register_and_propose`), and only
`cases approve` by a head of the institution who did not prepare it makes it take effect (issue 13, item 3).
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import RecordError
from ..settings import Settings
from ..workdays import TERMS, WorkCalendar, deadlines
from .common import (
    Subparsers,
    acting_officer,
    at_option,
    credential_options,
    now,
    registry_session,
    signer,
    write_code_files,
)

if TYPE_CHECKING:
    from sqlmodel import Session

    from ..registry.cases import ApplicationView
    from ..registry.models import Application

KINDS = ("duplicate", "correction", "annulment")
STATES = ("registered", "under_review", "refusal_notice", "hearing", "awaiting_approval", "granted", "refused")
CHANNELS = ("in_person", "egov")
PRESENTED = ("application", "identity_document", "digital_identity_document", "damaged_original",
             "name_change_certificate", "loss_announcement", "electronic_copy")
GROUNDS = ("unreliable_documents", "documents_not_compliant", "no_personal_data_consent")
AWAITING = "awaiting the head's approval"


def add_case_commands(sub: Subparsers[argparse.ArgumentParser]) -> None:
    """`verify cases due|register|review|notice|hearing|propose|approve|return|list|show`."""
    cases = sub.add_parser("cases", help="applications for duplicates, corrections and annulments: cases and terms")
    cases_sub = cases.add_subparsers(dest="cases_command", required=True, metavar="SUBCOMMAND")
    due = cases_sub.add_parser("due", help="the due date of an application (last line: YYYY-MM-DD)")
    due.add_argument("--kind", choices=tuple(TERMS), required=True, help="the service applied for")
    due.add_argument("--received", type=_received, required=True,
                     help="the day (YYYY-MM-DD) or local time (YYYY-MM-DDTHH:MM) the application was received")
    due.set_defaults(handler=_due)

    register = cases_sub.add_parser("register", help="register an application about a document")
    register.add_argument("series")
    register.add_argument("number")
    register.add_argument("--kind", choices=KINDS, required=True)
    register.add_argument("--reason", choices=("lost", "damaged", "name_changed", "filling_error"),
                          help="a duplicate's reason (seed 000 item 21, seed 003 item 9)")
    register.add_argument("--scope", choices=("document", "appendix"), default="document",
                          help="a duplicate of the whole document or of its appendix alone (seed 000, appendix 5)")
    register.add_argument("--set", dest="changes", action="append", metavar="FIELD=VALUE",
                          help="a correction's new value, or a duplicate's new surname/name/patronymic (repeatable)")
    register.add_argument("--explanation", help="the applicant's statement (a correction's error, an annulment's "
                          "basis)")
    application_options(register)
    register.set_defaults(handler=_register)

    for name, help_text in (("review", "start reviewing a registered application"),
                            ("show", "an application with its timeline")):
        parser = cases_sub.add_parser(name, help=help_text)
        parser.add_argument("application", metavar="NUMBER")
        credential_options(parser)
        at_option(parser)
        parser.set_defaults(handler=_review if name == "review" else _show)

    notice = cases_sub.add_parser("notice", help="notify a preliminary refusal (seed 000, item 58)")
    notice.add_argument("application", metavar="NUMBER")
    notice.add_argument("--ground", action="append", required=True, choices=GROUNDS,
                        help="a ground of seed 000 appendix 6 row 9 (repeatable)")
    notice.add_argument("--text", required=True, help="the reasoned text of the preliminary decision")
    hearing = cases_sub.add_parser("hearing", help="record the hearing after a refusal notice")
    hearing.add_argument("application", metavar="NUMBER")
    hearing.add_argument("--statement", required=True, help="what the applicant said or objected")
    propose = cases_sub.add_parser("propose", help="propose the decision; a head approves it")
    propose.add_argument("application", metavar="NUMBER")
    propose.add_argument("--decision", choices=("grant", "refuse"), required=True)
    propose.add_argument("--ground", action="append", choices=GROUNDS, help="a refusal's ground (repeatable)")
    propose.add_argument("--text", help="a refusal's reasoned text (default: the notice's)")
    approve = cases_sub.add_parser("approve", help="approve the proposal (a head; not the one who prepared it)")
    approve.add_argument("application", metavar="NUMBER")
    approve.add_argument("--out", type=Path, metavar="DIR",
                         help="write the duplicate's or the new revision's QR (SVG, PNG, PDF, text) here")
    back = cases_sub.add_parser("return", help="return a proposal for review, with a comment (a head)")
    back.add_argument("application", metavar="NUMBER")
    back.add_argument("--comment", required=True)
    for parser, handler in ((notice, _notice), (hearing, _hearing), (propose, _propose), (approve, _approve),
                            (back, _return)):
        credential_options(parser)
        at_option(parser)
        parser.set_defaults(handler=handler)

    listing = cases_sub.add_parser("list", help="applications: overdue first, then due soon, then by due date")
    listing.add_argument("--state", choices=STATES)
    listing.add_argument("--kind", choices=KINDS)
    listing.add_argument("--due", choices=("overdue", "soon"))
    listing.add_argument("--limit", type=int, default=50)
    listing.add_argument("--offset", type=int, default=0)
    credential_options(listing)
    at_option(listing, "the day the terms are judged on")
    listing.set_defaults(handler=_list)


def application_options(parser: argparse.ArgumentParser) -> None:
    """What registering an application asks besides the document: when and how it came, what was presented."""
    parser.add_argument("--received", type=dt.date.fromisoformat, metavar="YYYY-MM-DD",
                        help="the day the application was received (default: today in Kazakhstan)")
    parser.add_argument("--channel", choices=CHANNELS, default="in_person", help="default: %(default)s")
    parser.add_argument("--presented", action="append", choices=PRESENTED, metavar="KIND",
                        help=f"a kind of document presented (repeatable; default: application): {', '.join(PRESENTED)}")
    credential_options(parser)
    at_option(parser)


def parse_assignments(items: list[str] | None) -> dict[str, str]:
    """`FIELD=VALUE` items as a dict.

    Raises:
        RecordError: an item without "=".
    """
    changes: dict[str, str] = {}
    for item in items or ():
        field, sep, value = item.partition("=")
        if not sep:
            raise RecordError(f"--set {item!r}: write FIELD=VALUE")
        changes[field.strip()] = value
    return changes


def _complete_name(session: Session, series: str, number: str, parts: dict[str, Any]) -> dict[str, Any]:
    """A duplicate's new name with the parts not given taken from the document's current record."""
    from ..registry.documents import get_document_or_raise, get_revision, record_of

    holder = record_of(get_revision(session=session, document=get_document_or_raise(
        session=session, series=series, number=number))).holder
    return {"surname": parts.get("surname") or holder.surname, "name": parts.get("name") or holder.name,
            "patronymic": holder.patronymic if parts.get("patronymic") is None else parts["patronymic"]}


def _application_values(session: Session, args: argparse.Namespace, *, kind: str,
                        changes: dict[str, Any] | None) -> dict[str, Any]:
    from ..registry.cases import local_day

    at = args.at or now()
    if kind == "duplicate" and changes:
        changes = _complete_name(session, args.series, args.number, changes)
    return {"series": args.series, "number": args.number, "received_on": args.received or local_day(at),
            "channel": args.channel, "presented": args.presented or ["application"], "changes": changes, "at": at}


def register_and_propose(args: argparse.Namespace, settings: Settings, *, kind: str, reason: str | None, scope: str,
                         changes: dict[str, Any] | None, explanation: str | None) -> int:
    """`verify duplicate|correct|annul`: register the application and propose to grant it (`register_and_grant`);
    print its number and that it awaits the head's approval."""
    from ..registry.cases import register_and_grant

    with registry_session(args, settings) as session:
        officer = acting_officer(session, args)
        values = _application_values(session, args, kind=kind, changes=changes)
        session.commit()
        application = register_and_grant(session, officer, kind=kind, reason=reason, scope=scope,
                                         explanation=explanation, **values)
        _print_registered(application)
    print(f"application {application.number}: {AWAITING}")
    return 0


def _print_registered(application: Application) -> None:
    due = application.due_on.isoformat() if application.due_on else "no term"
    print(f"application {application.number} registered ({application.kind}, received "
          f"{application.received_on.isoformat()}, due {due})")


def _register(args: argparse.Namespace, settings: Settings) -> int:
    from ..registry.cases import register_application

    with registry_session(args, settings) as session:
        officer = acting_officer(session, args)
        values = _application_values(session, args, kind=args.kind, changes=parse_assignments(args.changes) or None)
        session.commit()
        application = register_application(session, officer, kind=args.kind, reason=args.reason, scope=args.scope,
                                           explanation=args.explanation, **values)
        _print_registered(application)
    return 0


def _step(args: argparse.Namespace, settings: Settings, action: str, **kwargs: Any) -> int:
    from ..registry import cases

    with registry_session(args, settings) as session:
        officer = acting_officer(session, args)
        session.commit()
        application = getattr(cases, action)(session, officer, number=args.application, at=args.at or now(),
                                              **kwargs)
        print(f"application {application.number}: {application.state.replace('_', ' ')}")
    return 0


def _review(args: argparse.Namespace, settings: Settings) -> int:
    return _step(args, settings, "start_review")


def _notice(args: argparse.Namespace, settings: Settings) -> int:
    return _step(args, settings, "send_refusal_notice", reasons=args.ground, text=args.text)


def _hearing(args: argparse.Namespace, settings: Settings) -> int:
    return _step(args, settings, "record_hearing", statement=args.statement)


def _propose(args: argparse.Namespace, settings: Settings) -> int:
    code = _step(args, settings, "propose", decision=args.decision, reasons=args.ground or (), text=args.text)
    print(f"application {args.application}: {AWAITING}")
    return code


def _return(args: argparse.Namespace, settings: Settings) -> int:
    return _step(args, settings, "return_for_review", comment=args.comment)


def _approve(args: argparse.Namespace, settings: Settings) -> int:
    from ..registry.cases import approve
    from ..registry.documents import get_revision, signed_record_of
    from ..registry.models import Document

    document_signer = signer(args, settings)
    with registry_session(args, settings) as session:
        head = acting_officer(session, args)
        session.commit()
        application = approve(session, head, number=args.application, signer=document_signer,
                              base_url=args.base_url, at=args.at or now())
        print(f"application {application.number}: {application.state}")
        result = session.get(Document, application.result_document_id) if application.result_document_id else None
        if result is not None:
            print(f"duplicate No. {result.duplicate_no} {result.series} {result.number} issued; the stamp reads: "
                  f"{result.stamp('kk')} / {result.stamp('ru')}")
        if application.result_revision is not None:
            print(f"revision {application.result_revision} signed")
        if args.out is not None and (result is not None or application.result_revision is not None):
            document = result or session.get(Document, application.document_id)
            assert document is not None
            revision = get_revision(session=session, document=document)
            for path in write_code_files(signed_record_of(revision), args.out).values():
                print(f"  {path}")
        session.rollback()
    return 0


def _line(view: ApplicationView) -> str:
    flag = "OVERDUE" if view.overdue else ("due soon" if view.due_soon else "")
    due = view.due_on.isoformat() if view.due_on else "-"
    return f"{view.number:22}  {view.kind:10}  {view.state:17}  {view.document:14}  due {due:10}  {flag}".rstrip()


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from ..registry.cases import list_applications, local_day

    with registry_session(args, settings, readonly=True) as session:
        officer = acting_officer(session, args, write=False)
        for view in list_applications(session, officer, state=args.state, kind=args.kind, due=args.due,
                                      today=local_day(args.at or now()), limit=args.limit, offset=args.offset):
            print(_line(view))
        session.rollback()
    return 0


def _show(args: argparse.Namespace, settings: Settings) -> int:
    from ..registry.cases import get_application, local_day

    with registry_session(args, settings, readonly=True) as session:
        officer = acting_officer(session, args, write=False)
        view = get_application(session, officer, number=args.application, today=local_day(args.at or now()))
        session.rollback()
    print(_line(view))
    print(f"received {view.received_on.isoformat()} ({view.channel}); presented: {', '.join(view.presented)}")
    if view.reason or view.changes or view.explanation:
        print(f"reason: {view.reason or '-'}; changes: {dict(view.changes or {})}; "
              f"statement: {view.explanation or '-'}")
    if view.proposal:
        print(f"proposal: {view.proposal} by {view.prepared_by}")
    if view.refusal_reasons or view.refusal_text:
        print(f"refusal: {', '.join(view.refusal_reasons)}: {view.refusal_text or ''}")
    if view.approved_by:
        print(f"decided by {view.approved_by}; result: {view.result_document or view.result_revision or '-'}")
    for step in view.timeline:
        print(f"  {step.at:%Y-%m-%d %H:%M}Z  {step.actor:20}  {step.action:8}  {dict(step.details)}")
    return 0


def _received(text: str) -> dt.date | dt.datetime:
    try:
        return dt.date.fromisoformat(text) if len(text) == 10 else dt.datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not YYYY-MM-DD or YYYY-MM-DDTHH:MM") from None


def _due(args: argparse.Namespace, settings: Settings) -> int:
    terms = deadlines(args.kind, args.received, WorkCalendar())
    print(f"term: {terms.term.working_days} working days ({terms.term.source})")
    print(f"registered: {terms.registered.isoformat()}")
    print(f"preliminary refusal notice by: {terms.refusal_notice_by.isoformat()}")
    print(terms.due.isoformat())
    return 0
