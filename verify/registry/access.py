"""Officer scoping and the unit of work shared by the registry's services.

Every service takes the officer (an account bound to one institution, seed 001 item 7: the
persons appointed by the head's order generate numbers and QR codes, and the head answers for
it) and refuses objects of another institution. The officer comes from the account, never from
the request (DESIGN.md, Surfaces).

Closed institutions (seed 000, Rules item 23: when an education organisation closes, people turn to the archive
that keeps its records): the ministry names the archive institution (`institutions.archive_id`), and from then on

* the archive's officers read the closed institution's documents and graduates and handle them (duplicates,
  corrections, annulments): `handling_institution_id` is the archive (followed along a chain when the archive
  closed too), `require_custody` lets them act, `readable_institution_ids` lists them;
* the closed institution's own officers keep reading its records (they answer for what they did, seed 001 item 7)
  but change nothing: every writing service refuses them with `v_institution_closed` (`require_open`, called
  inside the service's transaction, and `require_custody`), naming the day it closed and the archive.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..errors import ConflictError, ForbiddenError, NotFoundError
from ..texts import Text, text
from .models import Institution, Officer, OfficerRole

#: Longest chain of archives followed (an archive that closed in turn names its own archive); closures are refused
#: when they would make a loop (`institutions.close_institution`), so this only bounds a damaged table.
MAX_ARCHIVE_CHAIN = 32


def officer_id(officer: Officer) -> int:
    """The officer's row id (a loaded account always has one)."""
    assert officer.id is not None, "officer is not saved"
    return officer.id


def require_writer(officer: Officer) -> None:
    """Refuse an inactive account or a viewer.

    Raises:
        ForbiddenError: the account may not change the registry.
    """
    if not officer.active:
        raise ForbiddenError(text("v_officer_inactive", username=officer.username))
    if not officer.may_write:
        raise ForbiddenError(text("v_officer_read_only", username=officer.username, role=officer.role))


def require_head(officer: Officer) -> None:
    """Refuse anyone but an active head of the institution (annulments).

    Raises:
        ForbiddenError: not an active head.
    """
    require_writer(officer)
    if officer.role != OfficerRole.HEAD.value:
        raise ForbiddenError(text("v_head_only", username=officer.username, role=officer.role))


def require_institution(officer: Officer, institution_id: int, *, what: Text) -> None:
    """Refuse an object of another institution than the officer's.

    Args:
        what: names the object in the message, e.g. `text("v_what_document", series="BD", number="0000042")`.

    Raises:
        ForbiddenError: the object belongs to another institution.
    """
    if officer.institution_id != institution_id:
        raise ForbiddenError(text("v_other_institution", what=what, username=officer.username))


def handling_institution_id(session: Session, institution_id: int) -> int:
    """The institution whose officers handle the records of `institution_id` now (seed 000, Rules item 23).

    An open institution handles its own; a closed one's records are handled by its archive, or, when the archive
    closed too, by the archive's archive, and so on to the first open one.

    Args:
        institution_id: an institution's row id (e.g. `Document.institution_id`).

    Returns:
        The row id of the open institution that handles them (`institution_id` itself when it is open).

    Raises:
        NotFoundError: no such institution, or the chain of archives loops or runs past `MAX_ARCHIVE_CHAIN`.
    """
    current = institution_id
    for _ in range(MAX_ARCHIVE_CHAIN):
        institution = session.get(Institution, current)
        if institution is None:
            raise NotFoundError(text("v_inst_not_found", id=current))
        if institution.archive_id is None:
            return current
        current = institution.archive_id
    raise NotFoundError(text("v_inst_not_found", id=institution_id))


def readable_institution_ids(session: Session, institution_id: int) -> list[int]:
    """The institutions whose records the officers of `institution_id` read: its own, and every closed one it
    handles (`handling_institution_id`), sorted.

    A closed institution's own officers read its records (the first element); they handle none.
    """
    closed = dict(session.exec(select(Institution.id, Institution.archive_id)
                               .where(col(Institution.archive_id).is_not(None))).all())
    out = {institution_id}
    for closed_id in closed:
        current, steps = closed_id, 0
        while current in closed and steps < MAX_ARCHIVE_CHAIN:
            current, steps = closed[current], steps + 1
        if current == institution_id:
            assert closed_id is not None
            out.add(closed_id)
    return sorted(out)


def _closed_refusal(session: Session, institution: Institution, officer: Officer) -> ForbiddenError:
    assert institution.id is not None and institution.closed_on is not None
    archive = session.get(Institution, handling_institution_id(session, institution.id))
    assert archive is not None
    return ForbiddenError(text("v_institution_closed", username=officer.username, institution=institution.bin,
                               date=institution.closed_on, archive=archive.bin))


def require_open(session: Session, officer: Officer) -> None:
    """Refuse an officer of a closed institution anything that writes (imports, issues, blanks).

    Raises:
        ForbiddenError: the officer's institution is closed (the message names the day and the archive).
    """
    institution = session.get(Institution, officer.institution_id)
    if institution is not None and institution.closed_on is not None:
        raise _closed_refusal(session, institution, officer)


def require_custody(session: Session, officer: Officer, institution_id: int, *, what: Text,
                    write: bool = True) -> None:
    """Refuse an object that the officer's institution neither owns nor keeps as an archive.

    The handling institution (`handling_institution_id`) may read and write; a closed institution's own officers
    may only read (`write=False`); anyone else neither.

    Args:
        institution_id: the object's institution (e.g. `Document.institution_id`).
        what: names the object in the message.
        write: whether the caller changes the object.

    Raises:
        ForbiddenError: another institution's object, or a write by an officer of the closed institution.
    """
    if officer.institution_id == handling_institution_id(session, institution_id):
        return
    if officer.institution_id == institution_id:
        if not write:
            return
        institution = session.get(Institution, institution_id)
        assert institution is not None
        raise _closed_refusal(session, institution, officer)
    raise ForbiddenError(text("v_other_institution", what=what, username=officer.username))


@contextmanager
def unit_of_work(session: Session) -> Iterator[None]:
    """Commit the session's transaction when the block ends, roll it back on any exception."""
    try:
        yield
        session.commit()
    except BaseException:
        session.rollback()
        raise


def flush_or_conflict(session: Session, message: str | Text) -> None:
    """Flush the session; a unique constraint it breaks (a name taken meanwhile) is a `ConflictError(message)`."""
    try:
        session.flush()
    except IntegrityError:
        raise ConflictError(message) from None
