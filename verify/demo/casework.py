"""The demo's open applications: cases in every state the console lists (issue 13; `verify.registry.cases`).

After the showcase's granted duplicate, correction and annulment (`stages.run_lifecycle`), these are left:

    colleges        a duplicate just registered (damaged original)
                    a duplicate received five weeks ago, under review: overdue
                    a TVE correction under review: due within 3 working days (seed 004, row 3)
                    a duplicate refused after the notice and the hearing (seed 000, item 58; appendix 6 row 9)
    a university    a correction awaiting the head's approval

Each is prepared by the institution's demo registrar; the refusal is decided by its demo head.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlmodel import Session

    from ..signerset import SignerChooser
    from .stages import World


def open_cases(session: Session, world: World, *, signer: SignerChooser, base_url: str, at: dt.datetime,
               exclude: frozenset[int] = frozenset()) -> list[str]:
    """Leave applications registered, overdue, due soon, awaiting approval and refused; their numbers.

    The documents are the last issued ones in force without an application (colleges' for the duplicates, the TVE
    correction and the refusal; a university's for the pending correction), never those of `exclude` (the showcase).

    Args:
        at: the time of the steps (aware); the overdue one was received five weeks before its day.
    """
    from sqlmodel import col, select

    from ..registry import cases
    from ..registry.models import Application, Document, DocumentState, Institution

    today = cases.local_day(at)
    tick = iter(range(1, 1000))
    bins = {institution.id: bin_ for bin_, institution in world.institutions.items()}

    def later() -> dt.datetime:
        return at + dt.timedelta(seconds=next(tick))

    def documents(kind: str, count: int) -> list[tuple[str, str, str]]:
        """(BIN, series, number) of the last `count` documents in force of institutions of `kind`."""
        taken = select(Application.document_id)
        found = session.exec(select(Document).join(Institution, col(Institution.id) == Document.institution_id)
                             .where(Institution.kind == kind, Document.state == DocumentState.VALID.value,
                                    col(Document.id).not_in(taken), col(Document.id).not_in(exclude))
                             .order_by(col(Document.id).desc()).limit(count)).all()
        session.rollback()
        return [(bins[d.institution_id], d.series, d.number) for d in found]

    made: list[Application] = []
    fresh, old, typo, refused_doc = documents("college", 4)
    made.append(cases.register_application(
        session, world.officers[fresh[0]], kind="duplicate", series=fresh[1], number=fresh[2], received_on=today,
        channel="in_person", presented=["application", "identity_document", "damaged_original"], reason="damaged",
        at=later()))
    overdue = cases.register_application(
        session, world.officers[old[0]], kind="duplicate", series=old[1], number=old[2],
        received_on=today - dt.timedelta(days=35), channel="egov",
        presented=["application", "digital_identity_document", "loss_announcement"], reason="lost", at=later())
    made.append(cases.start_review(session, world.officers[old[0]], number=overdue.number, at=later()))
    soon = cases.register_application(
        session, world.officers[typo[0]], kind="correction", series=typo[1], number=typo[2], received_on=today,
        channel="egov", presented=["electronic_copy"], changes={"qualification": "4S06130104"},
        explanation="the qualification code on the diploma differs from the commission's decision", at=later())
    made.append(cases.start_review(session, world.officers[typo[0]], number=soon.number, at=later()))

    refusing = world.officers[refused_doc[0]]
    refused = cases.register_application(
        session, refusing, kind="duplicate", series=refused_doc[1], number=refused_doc[2], received_on=today,
        channel="in_person", presented=["application"], reason="lost", at=later())
    cases.start_review(session, refusing, number=refused.number, at=later())
    cases.send_refusal_notice(session, refusing, number=refused.number, reasons=["documents_not_compliant"],
                              text="no identity document and no announcement of the loss were presented",
                              at=later())
    cases.record_hearing(session, refusing, number=refused.number,
                         statement="the applicant could not present the announcement of the loss", at=later())
    cases.propose(session, refusing, number=refused.number, decision="refuse", at=later())
    made.append(cases.approve(session, world.heads[refused_doc[0]], number=refused.number, signer=signer,
                              base_url=base_url, at=later()))

    ((place, series, number),) = documents("university", 1)
    made.append(cases.register_and_grant(
        session, world.officers[place], kind="correction", series=series, number=number, received_on=today,
        channel="egov", presented=["electronic_copy"], changes={"award_date": "2026-06-26"},
        explanation="the award date differs from the order of the rector", at=later()))
    return [application.number for application in made]
