"""Applications on the command line: the terms of the document services in working days.

    verify cases due --kind duplicate|correction-tve|correction-he --received YYYY-MM-DD[THH:MM]

prints the registration day, the last day for a preliminary refusal notice and, on its last line, the due date
(YYYY-MM-DD): the last line is a contract (tools read it). The terms and the calendar are `verify.workdays`
(seed 000, Rules items 22, 33, 43, 53, 56, 58, 63; seed 004 row 3; seed 001 appendix 18 row 3).
"""

from __future__ import annotations

import argparse
import datetime as dt

from ..settings import Settings
from ..workdays import TERMS, WorkCalendar, deadlines
from .common import Subparsers


def add_case_commands(sub: Subparsers[argparse.ArgumentParser]) -> None:
    """`verify cases due`."""
    cases = sub.add_parser("cases", help="applications for duplicates and corrections: their terms")
    cases_sub = cases.add_subparsers(dest="cases_command", required=True, metavar="SUBCOMMAND")
    due = cases_sub.add_parser("due", help="the due date of an application (last line: YYYY-MM-DD)")
    due.add_argument("--kind", choices=tuple(TERMS), required=True, help="the service applied for")
    due.add_argument("--received", type=_received, required=True,
                     help="the day (YYYY-MM-DD) or local time (YYYY-MM-DDTHH:MM) the application was received")
    due.set_defaults(handler=_due)


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
