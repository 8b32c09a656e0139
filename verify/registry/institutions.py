"""Institutions and officer accounts (admin surface; DESIGN.md, Surfaces).

An institution is a college (TVE, seed 000) or a university (own-format documents, seed 001
item 7), known by its BIN. Officers are the responsible persons appointed by the head's order
(seed 001, item 7); each account belongs to one institution.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from ..errors import ConflictError, NotFoundError
from ..identifiers import refuse_iin_in_text, validate_bin
from .access import unit_of_work
from .audit import append_event
from .models import Institution, InstitutionCreate, Officer, OfficerCreate


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
            raise ConflictError(f"an institution with BIN {institution_create.bin} is registered already")
        institution = Institution.model_validate(institution_create, update={"created_at": at})
        session.add(institution)
        try:
            session.flush()
        except IntegrityError:
            raise ConflictError(f"an institution with BIN {institution_create.bin} is registered already") from None
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
        raise NotFoundError(f"no institution {institution_id} in the registry")
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
        raise NotFoundError(f"no institution with BIN {bin}: register it with `verify institutions add`")
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
            raise ConflictError(f"the username {officer_create.username} is taken")
        officer = Officer.model_validate(officer_create, update={"institution_id": institution.id, "created_at": at,
                                                                 "active": True})
        session.add(officer)
        try:
            session.flush()
        except IntegrityError:
            raise ConflictError(f"the username {officer_create.username} is taken") from None
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
        raise NotFoundError(f"no officer account {username!r}: open one with `verify officers add`")
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
