"""The registry world of the tests: valid IINs and BINs, graduate rows, the session's key store, a small registry.

* `make_iin`, `make_bin`: identifiers with real check digits (`verify.identifiers.check_digit`) from serial numbers,
  so that every test can have fresh people;
* `Keys`, `new_key_store`: the TEST ONLY key store of a test session, its active signer and trust list;
* `World`, `build_world`: institutions and officers in a migrated registry; `row`, `issue_row`, `duplicate`,
  `correct`, `annul`: its documents through the registry services;
* `postgres_url_or_skip`, `new_postgres_schema`, `drop_postgres_schema`, `postgres_database`: a fresh PostgreSQL
  schema per test (skipped with the reason when the server is missing, a failure when CI=true).

Everything here is TEST ONLY data.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from sqlmodel import Session

from support import leaks
from verify.identifiers import check_digit
from verify.keys import Signer
from verify.keystore import KeyStore
from verify.record import HolderName
from verify.registry.db import make_engine
from verify.registry.documents import get_revision, issue_document
from verify.registry.imports.load import ImportResult, import_graduates
from verify.registry.imports.parse import GraduateRow, ParseReport
from verify.registry.institutions import create_institution, create_officer
from verify.registry.lifecycle import annul_document, correct_document, issue_duplicate
from verify.registry.lookup import RegistryStatusLookup
from verify.registry.models import Document, DocumentRevision, Institution, InstitutionCreate, Officer, OfficerCreate
from verify.trust import TrustList
from verify.verifier import Verifier

UTC = dt.UTC
#: The tests' clock: the key store is made a day before, documents are signed from T0 on.
T0 = dt.datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
BASE_URL = "https://v.edu.kz"
POSTGRES_URL = os.environ.get("VERIFY_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")

_serials = itertools.count(1)


def make_iin(birth: dt.date = dt.date(2004, 5, 12), *, female: bool = True, serial: int | None = None) -> str:
    """A valid IIN of a person born on `birth` (the century digit by the year and `female`).

    Args:
        birth: the birth date its first six digits spell.
        female: the century digit's parity (odd: male, even: female).
        serial: the first serial number to try (the first one from it with a check digit is taken, so the same
            arguments give the same IIN); None takes a fresh serial of this test process each time.
    """
    century = {18: 1, 19: 3, 20: 5}[birth.year // 100] + int(female)
    while True:
        number = next(_serials) % 10000 if serial is None else serial
        base = f"{birth:%y%m%d}{century}{number:04d}"
        digit = check_digit(base)
        if digit is not None:
            return base + str(digit)
        if serial is not None:
            serial += 1


def make_bin(serial: int) -> str:
    """A valid BIN (12 digits with a check digit) from a serial number."""
    for extra in range(10):
        base = f"0401400{serial % 1000:03d}{extra}"
        digit = check_digit(base)
        if digit is not None:
            return base + str(digit)
    raise AssertionError("no BIN")


def row(n: int, *, iin: str | None = None, doc_type: str = "BD", programme: str = "6B06101", group: str = "G1",
        surname: str = "Әбдірахманова", name: str = "Гүлнұр", patronymic: str | None = "Серікқызы",
        award: dt.date = dt.date(2026, 6, 30), honours: bool = False, qualification: str | None = None,
        birth: dt.date = dt.date(2004, 5, 12)) -> GraduateRow:
    """A checked graduate row (as `parse_graduates` returns), row number n."""
    if qualification is None and doc_type in ("TVE", "TVE_HONOURS", "POST_SECONDARY", "POST_SEC_HONOURS"):
        qualification = "4S06130103"
    return GraduateRow(row=n, iin=iin or make_iin(birth), surname=surname, name=name, patronymic=patronymic,
                       birth_date=birth, doc_type=doc_type, programme=programme, qualification=qualification,
                       honours=honours or doc_type in ("TVE_HONOURS", "POST_SEC_HONOURS"), award_date=award,
                       group=group)


def rows(count: int, **kwargs: object) -> tuple[GraduateRow, ...]:
    """`count` rows of fresh people (row numbers from 2, after the header)."""
    return tuple(row(i + 2, **kwargs) for i in range(count))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Keys:
    """The TEST ONLY key store of the test session, its active signer and trust list."""

    store: KeyStore
    signer: Signer
    trust_list: TrustList

    @classmethod
    def of(cls, store: KeyStore) -> Keys:
        """The keys of a key store (its active signer and trust list now)."""
        return cls(store=store, signer=store.signer(), trust_list=store.trust_list())


def new_key_store(path: Path) -> KeyStore:
    """A TEST ONLY key store made a day before T0 (its signer may sign for a year)."""
    store = KeyStore(path)
    store.init(at=T0 - dt.timedelta(days=1), environment="test")
    return store


@dataclass
class World:
    """A registry with a university, a college and another university, and their officers.

    Attributes:
        url, engine: the database (read-write engine).
        signer, trust_list: the TEST ONLY key store's active signer and its trust list.
        uni, college, other: institutions; `uni_*`, `col_*`, `other_issuer`: officers.
    """

    url: str
    engine: Engine
    signer: Signer
    trust_list: TrustList
    uni: Institution
    college: Institution
    other: Institution
    uni_issuer: Officer
    uni_head: Officer
    uni_viewer: Officer
    col_issuer: Officer
    col_head: Officer
    other_issuer: Officer
    readonly: Engine | None = field(default=None)

    def session(self) -> Session:
        """A new session (loaded objects stay usable after commit)."""
        return Session(self.engine, expire_on_commit=False)

    def verifier(self) -> Verifier:
        """A verifier that asks this registry (through a read-only engine)."""
        if self.readonly is None:
            self.readonly = make_engine(self.url, readonly=True)
        return Verifier(self.trust_list, status_lookup=RegistryStatusLookup.from_engine(self.readonly))

    def import_rows(self, graduate_rows: tuple[GraduateRow, ...], *, officer: Officer | None = None,
                    institution: Institution | None = None) -> ImportResult:
        """Import rows for the university (by default) and assert nothing went wrong."""
        with self.session() as session:
            result = import_graduates(session=session, report=ParseReport(rows=graduate_rows, errors=()),
                                      institution=institution or self.uni, officer=officer or self.uni_issuer, at=T0)
        assert result.ok, result.errors
        return result

    def scalar(self, sql: str, **params: object) -> object:
        """One value of a raw SQL query."""
        with self.engine.connect() as connection:
            value = connection.execute(text(sql), params).scalar()
            connection.rollback()
            return value

    def dispose(self) -> None:
        """Scan the stored free text for IINs (`support.leaks`), then close every pooled connection (before forking,
        and at the end)."""
        leaks.SCANNER.scan_registry(self.engine)
        self.engine.dispose()
        if self.readonly is not None:
            self.readonly.dispose()


def build_world(url: str, *, signer: Signer, trust_list: TrustList) -> World:
    """Institutions and officers in a migrated, empty registry at `url`."""
    engine = make_engine(url)
    with Session(engine, expire_on_commit=False) as session:
        def institution(serial: int, kind: str, name: str) -> Institution:
            return create_institution(session=session, institution_create=InstitutionCreate(
                bin=make_bin(serial), name_kk=name, name_ru=name, name_en=name, kind=kind, region="Астана"), at=T0)

        uni = institution(1, "university", "Университет")
        college = institution(2, "college", "Колледж")
        other = institution(3, "university", "Басқа университет")

        def officer(username: str, role: str, place: Institution) -> Officer:
            return create_officer(session=session, officer_create=OfficerCreate(
                username=username, full_name=f"Officer {username}", role=role), institution=place, at=T0)

        return World(url=url, engine=engine, signer=signer, trust_list=trust_list, uni=uni, college=college,
                     other=other, uni_issuer=officer("uni.issuer", "issuer", uni),
                     uni_head=officer("uni.head", "head", uni), uni_viewer=officer("uni.viewer", "viewer", uni),
                     col_issuer=officer("col.issuer", "issuer", college), col_head=officer("col.head", "head", college),
                     other_issuer=officer("other.issuer", "issuer", other))


def later(minutes: int) -> dt.datetime:
    """T0 plus some minutes."""
    return T0 + dt.timedelta(minutes=minutes)


def chunks(values: list[int], size: int) -> Iterator[list[int]]:
    """Consecutive slices of `values`."""
    for start in range(0, len(values), size):
        yield values[start:start + size]


def graduate_id_of(world: World, graduate_row: GraduateRow, institution: Institution | None = None) -> int:
    """The graduate id of a row imported by `institution` (default: the university), by IIN, doc type and programme."""
    value = world.scalar(
        "SELECT g.id FROM graduates g JOIN holders h ON h.id = g.holder_id "
        "WHERE h.iin = :iin AND g.doc_type = :doc_type AND g.programme = :programme "
        "AND g.institution_id = :institution_id",
        iin=graduate_row.iin, doc_type=graduate_row.doc_type, programme=graduate_row.programme,
        institution_id=(institution or world.uni).id)
    assert isinstance(value, int)
    return value


def issue_row(world: World, graduate_row: GraduateRow, *, officer: Officer | None = None,
              institution: Institution | None = None, at: dt.datetime = T0,
              blank_series: str | None = None, blank_number: str | None = None) -> tuple[Document, DocumentRevision]:
    """Import one row and issue its original; return the document and its revision 1."""
    officer = officer or world.uni_issuer
    world.import_rows((graduate_row,), officer=officer, institution=institution)
    with world.session() as session:
        document = issue_document(session=session, officer=officer,
                                  graduate_id=graduate_id_of(world, graduate_row, institution),
                                  signer=world.signer, base_url=BASE_URL, at=at, blank_series=blank_series,
                                  blank_number=blank_number)
        revision = get_revision(session=session, document=document)
        session.commit()
    return document, revision


def duplicate(world: World, document: Document, *, reason: str = "lost", at: dt.datetime,
              new_name: HolderName | None = None) -> tuple[Document, DocumentRevision]:
    """Issue a duplicate instead of `document` (by the university's issuer); the duplicate and its revision."""
    with world.session() as session:
        dup = issue_duplicate(session=session, officer=world.uni_issuer, series=document.series,
                              number=document.number, reason=reason, signer=world.signer, base_url=BASE_URL, at=at,
                              new_name=new_name)
        revision = get_revision(session=session, document=dup)
        session.commit()
    return dup, revision


def correct(world: World, document: Document, changes: dict[str, object], *, at: dt.datetime,
            reason: str = "a typing error in the registry") -> DocumentRevision:
    """Correct `document` (by the university's issuer); the new revision."""
    with world.session() as session:
        return correct_document(session=session, officer=world.uni_issuer, series=document.series,
                                number=document.number, changes=changes, reason=reason, signer=world.signer,
                                base_url=BASE_URL, at=at)


def annul(world: World, document: Document, *, at: dt.datetime, basis: str = "order No. 17 of the rector") -> Document:
    """Annul `document` (by the university's head)."""
    with world.session() as session:
        return annul_document(session=session, officer=world.uni_head, series=document.series,
                              number=document.number, basis=basis, at=at)


# ----------------------------------------------------------------------------- PostgreSQL
def _postgres_admin_url() -> str:
    return POSTGRES_URL.replace("postgresql+psycopg://", "postgresql://", 1)


def postgres_url_or_skip() -> str:
    """The server URL, or a skip (a failure when CI=true) saying why it cannot be used."""
    import psycopg

    try:
        with psycopg.connect(_postgres_admin_url(), connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as exc:
        reason = f"PostgreSQL not reachable at {POSTGRES_URL} ({type(exc).__name__}: {str(exc).strip()[:200]})"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; the PostgreSQL tests are required when CI=true")
        pytest.skip(f"{reason}; set VERIFY_TEST_POSTGRES_URL or start the server (required when CI=true)")
    return POSTGRES_URL


def new_postgres_schema(base_url: str) -> tuple[str, str]:
    """(schema, URL whose search_path is the new, empty schema)."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_postgres_admin_url(), autocommit=True) as connection:
        connection.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in base_url else "?"
    return schema, f"{base_url}{separator}options={quote(f'-csearch_path={schema}')}"


def drop_postgres_schema(schema: str) -> None:
    """Drop a test schema and everything in it."""
    import psycopg

    with psycopg.connect(_postgres_admin_url(), autocommit=True) as connection:
        connection.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


@contextmanager
def postgres_database() -> Iterator[str]:
    """A fresh, empty PostgreSQL schema's URL; a skip when the server is missing (a failure when CI=true)."""
    schema, url = new_postgres_schema(postgres_url_or_skip())
    try:
        yield url
    finally:
        drop_postgres_schema(schema)
