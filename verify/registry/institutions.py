"""Institutions and officer accounts (admin surface; DESIGN.md, Surfaces).

An institution is a college (TVE, seed 000) or a university (own-format documents, seed 001
item 7), known by its BIN. Officers are the responsible persons appointed by the head's order
(seed 001, item 7); each account belongs to one institution.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..errors import ConflictError, NotFoundError, RecordError
from ..identifiers import refuse_iin_in_text, validate_bin
from ..texts import text
from ..transparency import StatusChangeEntry
from .access import handling_institution_id, readable_institution_ids, unit_of_work
from .audit import append_event
from .models import Institution, InstitutionCreate, Officer, OfficerCreate
from .tlog import log_status_change


def create_institution(*, session: Session, institution_create: InstitutionCreate, at: dt.datetime,
                       actor: str = "admin") -> Institution:
    """Register an institution; commits.

    Args:
        institution_create: validated input (BIN check digit, names kk/ru/en, kind, region).
        at: the time of registration (aware).
        actor: who does it (an administrator's name; officers cannot create institutions).

    Returns:
        The new `Institution`.

    Raises:
        ConflictError: an institution with this BIN exists.
        IinInTextError: a name or the region holds an IIN.
    """
    for name in ("name_kk", "name_ru", "name_en", "region"):
        refuse_iin_in_text(getattr(institution_create, name), field=name)
    with unit_of_work(session):
        if get_institution_by_bin(session=session, bin=institution_create.bin) is not None:
            raise ConflictError(text("v_inst_bin_taken", bin=institution_create.bin))
        institution = Institution.model_validate(institution_create, update={"created_at": at})
        session.add(institution)
        try:
            session.flush()
        except IntegrityError:
            raise ConflictError(text("v_inst_bin_taken", bin=institution_create.bin)) from None
        assert institution.id is not None
        append_event(session=session, at=at, action="institution.create", object_type="institution",
                     object_ref=institution.bin, actor=actor, institution_id=institution.id,
                     after=institution_create.model_dump())
    return institution


def get_institution(*, session: Session, institution_id: int) -> Institution:
    """The institution with this id (e.g. an officer's `institution_id`).

    Raises:
        NotFoundError: no such institution.
    """
    institution = session.get(Institution, institution_id)
    if institution is None:
        raise NotFoundError(text("v_inst_not_found", id=institution_id))
    return institution


def get_institution_by_bin(*, session: Session, bin: str) -> Institution | None:
    """The institution with this BIN, or None."""
    return session.exec(select(Institution).where(Institution.bin == bin)).first()


def get_institution_by_bin_or_raise(*, session: Session, bin: str) -> Institution:
    """The institution with this BIN.

    Raises:
        RecordError: not a valid BIN.
        NotFoundError: no institution has it.
    """
    validate_bin(bin)
    institution = get_institution_by_bin(session=session, bin=bin)
    if institution is None:
        raise NotFoundError(text("v_inst_no_bin", bin=bin))
    return institution


def create_officer(*, session: Session, officer_create: OfficerCreate, institution: Institution, at: dt.datetime,
                   actor: str = "admin") -> Officer:
    """Open an officer account bound to `institution`; commits.

    Raises:
        ConflictError: the username is taken.
        IinInTextError: the username or the full name holds an IIN.
    """
    assert institution.id is not None
    refuse_iin_in_text(officer_create.username, field="username")
    refuse_iin_in_text(officer_create.full_name, field="full_name")
    with unit_of_work(session):
        if get_officer_by_username(session=session, username=officer_create.username) is not None:
            raise ConflictError(text("v_acc_username_taken", username=officer_create.username))
        officer = Officer.model_validate(officer_create, update={"institution_id": institution.id, "created_at": at,
                                                                 "active": True})
        session.add(officer)
        try:
            session.flush()
        except IntegrityError:
            raise ConflictError(text("v_acc_username_taken", username=officer_create.username)) from None
        append_event(session=session, at=at, action="officer.create", object_type="officer",
                     object_ref=officer.username, actor=actor, institution_id=institution.id,
                     after={"username": officer.username, "full_name": officer.full_name, "role": officer.role,
                            "institution": institution.bin})
    return officer


def get_officer_by_username(*, session: Session, username: str) -> Officer | None:
    """The officer account with this username, or None."""
    return session.exec(select(Officer).where(Officer.username == username)).first()


def get_officer_by_username_or_raise(*, session: Session, username: str) -> Officer:
    """The officer account with this username.

    Raises:
        NotFoundError: no such account.
    """
    officer = get_officer_by_username(session=session, username=username)
    if officer is None:
        raise NotFoundError(text("v_inst_no_officer", username=repr(username)))
    return officer


def list_institutions(*, session: Session) -> list[Institution]:
    """Every registered institution, by BIN."""
    return list(session.exec(select(Institution).order_by(col(Institution.bin))))


def list_officers(*, session: Session, institution_id: int | None = None) -> list[Officer]:
    """Every officer account by username, or those of one institution."""
    statement = select(Officer).order_by(col(Officer.username))
    if institution_id is not None:
        statement = statement.where(Officer.institution_id == institution_id)
    return list(session.exec(statement))


def close_institution(*, session: Session, bin: str, archive_bin: str, closed_on: dt.date, at: dt.datetime,
                      actor: str = "admin") -> Institution:
    """Mark an institution closed on `closed_on` and name the archive that keeps its records; commits.

    Seed 000, Rules item 23: when a secondary, TVE or post-secondary organisation closes, people turn to the archive
    at its location, whose copies and extracts have the legal force of the originals. From then on the archive's
    officers read and handle the closed institution's documents (duplicates, corrections, annulments), and its own
    officers may only read them (`verify.registry.access`). The closure is an audit event and a transparency log
    entry (status kind 4, docs/TRANSPARENCY.md). A closure is final here: reopening is not offered.

    Args:
        bin: the closing institution's BIN.
        archive_bin: the BIN of the registered institution that keeps its records; open, and not the closing one.
        closed_on: the day it closed (not after `at`).
        at: when the ministry records it (aware).
        actor: the administrator's name.

    Returns:
        The closed `Institution`.

    Raises:
        RecordError: a malformed BIN, the archive is the institution itself, or `closed_on` is after `at`.
        NotFoundError: no institution has one of the BINs.
        ConflictError: the institution is closed already, or the archive is closed.
    """
    validate_bin(bin)
    validate_bin(archive_bin)
    if archive_bin == bin:
        raise RecordError(text("v_close_self", field="archive_bin", bin=bin))
    if closed_on > at.astimezone(dt.UTC).date():
        raise RecordError(text("v_close_future", field="closed_on", date=closed_on))
    with unit_of_work(session):
        institution = session.exec(select(Institution).where(Institution.bin == bin).with_for_update()).first()
        if institution is None:
            raise NotFoundError(text("v_inst_no_bin", bin=bin))
        archive = get_institution_by_bin_or_raise(session=session, bin=archive_bin)
        if institution.closed_on is not None:
            raise ConflictError(text("v_close_closed", bin=bin, date=institution.closed_on))
        if archive.closed_on is not None:
            raise ConflictError(text("v_close_archive_closed", bin=archive_bin, date=archive.closed_on))
        assert institution.id is not None and archive.id is not None
        institution.closed_on, institution.archive_id = closed_on, archive.id
        session.add(institution)
        session.flush()
        log_status_change(session, StatusChangeEntry.closure(institution_bin=bin, archive_bin=archive_bin, at=at),
                          at=at)
        append_event(session=session, at=at, action="institution.close", object_type="institution",
                     object_ref=bin, actor=actor, institution_id=institution.id,
                     before={"closed_on": None, "archive": None},
                     after={"closed_on": closed_on.isoformat(), "archive": archive_bin})
    return institution


def get_archive(*, session: Session, institution: Institution) -> Institution | None:
    """The open institution that keeps a closed institution's records now (`handling_institution_id`), or None for
    an open one."""
    if institution.closed_on is None:
        return None
    assert institution.id is not None
    return session.get(Institution, handling_institution_id(session, institution.id))


__all__ = ["close_institution", "create_institution", "create_officer", "get_archive", "get_institution",
           "get_institution_by_bin", "get_institution_by_bin_or_raise", "get_officer_by_username",
           "get_officer_by_username_or_raise", "handling_institution_id", "list_institutions", "list_officers",
           "readable_institution_ids"]
