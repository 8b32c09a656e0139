"""The authorization matrix: every operation of the OpenAPI document x every kind of principal x whose object.

The expected answers are kept in `authz_expected.csv` (next to this file), one row per operation and object:

    method, path           the operation as the OpenAPI document names it
    object                 A: an object of institution A (or its officer, token, holder); B: of institution B;
                           C: a document of an institution that closed with A as the archive of its records
                           (seed 000, Rules item 23: A's officers handle it, B's learn nothing);
                           -: the operation has no object (a list, a creation, a public answer)
    anonymous ... cookie_a the expected status for each principal: 2xx, or the exact 4xx code
    note                   why, for a reviewer (not read by the test)

The principals (`PRINCIPALS`): `anonymous` (nothing sent); `officer_a` (an issuer of A, bearer token with
officer:read and officer:write); `head_a` (the head of A, the same scopes; the only one who may annul);
`officer_b` (an issuer of B); `partner` (partner:read); `admin` (admin); `disabled` (the token of an officer of A
whose account was disabled afterwards; the token itself is made valid again so that only the account's flag
refuses it); `revoked` (a revoked token of the issuer of A); `cookie_a` (the issuer of A signed in with the session
cookie, sending no X-CSRF-Token: safe methods pass, unsafe ones must get 403 csrf-failed).

Every request is valid for its operation (bodies built per operation below), so that the status says what the
authorization decided. An unsafe request gets a fresh object of its own (a new document, graduate, token,
officer, blank...), so no cell depends on another; safe requests share one document per institution.
The operation list comes from `app.openapi()`: an operation without a row (or without a request builder here)
fails the test, and every mismatch is reported at once.

To see what the service answers now (e.g. after adding an operation), run with VERIFY_AUTHZ_WRITE=<path>: the
actual table is written there; review every cell before copying it over the expected one.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlmodel import select
from support.appendixdata import typical_items
from support.keys import ed25519_key
from support.leaks import CORPUS
from support.tlog import LOG_ORIGIN
from support.web import (
    ADMIN_PASSWORD,
    COOKIE,
    PASSWORD,
    STAFF_SETTINGS,
    Issued,
    MakeClient,
    assert_problem,
    bearer,
    give_password,
    graduates_csv,
    https,
    login,
    make_admin,
    officer_token,
    partner_token,
    qr_png,
)
from support.world import BASE_URL, T0, Keys, World, graduate_id_of, issue_row, make_bin, make_iin, row

from verify.keystore import KeyStore
from verify.registry.accounts import create_token, revoke_token, set_officer_active
from verify.registry.blanks import add_blank_range
from verify.registry.cases import (
    approve,
    propose,
    register_application,
    send_refusal_notice,
    start_review,
)
from verify.registry.credentialoffers import make_offer
from verify.registry.documents import issue_document
from verify.registry.institutions import close_institution, create_institution, create_officer
from verify.registry.models import (
    Document,
    DocumentRevision,
    GraduateAppendix,
    Institution,
    InstitutionCreate,
    Officer,
    OfficerCreate,
)
from verify.registry.tlog import make_checkpoint
from verify.transparency import Ed25519NoteSigner

EXPECTED = Path(__file__).with_name("authz_expected.csv")
PRINCIPALS = ("anonymous", "officer_a", "head_a", "officer_b", "partner", "admin", "disabled", "revoked", "cookie_a")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
NOW = dt.datetime.now(dt.UTC)
KAZAKHSTAN = dt.timezone(dt.timedelta(hours=5))


@pytest.fixture
def keys(keys: Keys, tmp_path: Path) -> Keys:
    """A copy of the session's TEST ONLY key store: the matrix rotates and revokes signers."""
    target = tmp_path / "own-keys"
    shutil.copytree(keys.store.path, target)
    return Keys.of(KeyStore(target))


@dataclass(frozen=True)
class Call:
    """One request: method, URL (path and query) and the keyword arguments of `TestClient.request`."""

    method: str
    url: str
    kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Matrix:
    """The world of the matrix: principals' credentials, shared objects, and makers of fresh objects.

    Attributes:
        shared: a document in force of A and of B, for the safe (reading) requests.
        holder_iins: the IINs of their holders (for the partner's look-up).
        qr_text, scan_png: the QR text of A's shared document, and its code as printed (PNG).
    """

    world: World
    client: TestClient
    keys: Keys
    headers: dict[str, dict[str, str]]
    passwords: dict[str, tuple[str, str]]
    shared: dict[str, Document] = field(default_factory=dict)
    holder_iins: dict[str, str] = field(default_factory=dict)
    qr_text: str = ""
    scan_png: bytes = b""
    serial: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    bins: Iterator[int] = field(default_factory=lambda: itertools.count(999, -1))

    def new_bin(self) -> str:
        """The BIN of an institution a request makes (counting down from 999, clear of `make_bin(100 + serial)`)."""
        return make_bin(next(self.bins))
    decided_cases: dict[str, str] = field(default_factory=dict)
    appendix_documents: dict[str, Document] = field(default_factory=dict)
    other_head: Officer | None = None

    def institution(self, owner: str) -> Institution:
        """A is the university, B another university."""
        return self.world.uni if owner == "A" else self.world.other

    def issuer(self, owner: str) -> Officer:
        """The issuer of A or of B."""
        return self.world.uni_issuer if owner == "A" else self.world.other_issuer

    def name(self, prefix: str) -> str:
        """A fresh name."""
        return f"{prefix}-{next(self.serial)}"

    def graduate(self, owner: str, group: str | None = None) -> int:
        """A fresh graduate of the owner's institution (imported, no document)."""
        graduate = row(2, group=group or self.name("MX"))
        CORPUS.iins.add(graduate.iin)
        self.world.import_rows((graduate,), officer=self.issuer(owner), institution=self.institution(owner))
        return graduate_id_of(self.world, graduate, self.institution(owner))

    def document(self, owner: str, group: str | None = None) -> tuple[Document, str]:
        """A fresh document in force of the owner's institution, and its holder's IIN."""
        graduate = row(2, group=group or self.name("MX"))
        CORPUS.iins.add(graduate.iin)
        document, _ = issue_row(self.world, graduate, officer=self.issuer(owner),
                                institution=self.institution(owner))
        return document, graduate.iin

    def closed_document(self) -> Document:
        """A document of a fresh institution that then closed, its records kept by A (the university)."""
        serial = next(self.serial)
        with self.world.session() as session:
            closing = create_institution(session=session, institution_create=InstitutionCreate(
                bin=self.new_bin(), name_kk="Жабық", name_ru="Закрытый", name_en="Closed",
                kind="university", region="Астана"), at=T0)
            issuer = create_officer(session=session, officer_create=OfficerCreate(
                username=f"closed.issuer.{serial}", full_name="Closed Issuer", role="issuer"), institution=closing,
                at=T0)
        graduate = row(2, group=self.name("CLOSED"))
        CORPUS.iins.add(graduate.iin)
        document, _ = issue_row(self.world, graduate, officer=issuer, institution=closing)
        with self.world.session() as session:
            close_institution(session=session, bin=closing.bin, archive_bin=self.world.uni.bin, closed_on=NOW.date(),
                              at=NOW)
        return document

    def printed(self) -> Document:
        """A TVE document of a fresh college printed on a ТКБ blank; the college then closed with A as its archive,
        and A holds a ТКБ blank to reprint it on."""
        serial = next(self.serial)
        number = 3 * serial + 5_000_000
        with self.world.session() as session:
            college = create_institution(session=session, institution_create=InstitutionCreate(
                bin=self.new_bin(), name_kk="Колледж", name_ru="Колледж", name_en="College", kind="college",
                region="Астана"), at=T0)
            issuer = create_officer(session=session, officer_create=OfficerCreate(
                username=f"printing.issuer.{serial}", full_name="Printing Issuer", role="issuer"),
                institution=college, at=T0)
            add_blank_range(session=session, officer=issuer, series="ТКБ", first=f"{number:07d}",
                            last=f"{number:07d}", at=NOW)
            add_blank_range(session=session, officer=self.world.uni_issuer, series="ТКБ", first=f"{number + 1:07d}",
                            last=f"{number + 1:07d}", at=NOW)
        graduate = row(2, doc_type="TVE", programme="06130100", group=self.name("PRINT"))
        CORPUS.iins.add(graduate.iin)
        document, _ = issue_row(self.world, graduate, officer=issuer, institution=college)
        with self.world.session() as session:
            close_institution(session=session, bin=college.bin, archive_bin=self.world.uni.bin, closed_on=NOW.date(),
                              at=NOW)
        return document

    def fresh_bin(self) -> str:
        """The BIN of a fresh institution (to close)."""
        bin_ = self.new_bin()
        with self.world.session() as session:
            create_institution(session=session, institution_create=InstitutionCreate(
                bin=bin_, name_kk="Жабылатын", name_ru="Закрывается", name_en="Closing", kind="college",
                region="Астана"), at=T0)
        return bin_

    def token(self, owner: str) -> int:
        """A fresh token of the owner's issuer."""
        _, token = officer_token(self.world, self.issuer(owner), name=self.name("victim"))
        assert token.id is not None
        return token.id

    def officer(self, owner: str, *, active: bool = True) -> str:
        """A fresh officer account of the owner's institution; its username."""
        username = self.name(f"victim.{owner.lower()}")
        with self.world.session() as session:
            officer = create_officer(session=session, officer_create=OfficerCreate(
                username=username, full_name="Victim Officer", role="issuer"),
                institution=self.institution(owner), at=T0)
            if not active:
                set_officer_active(session=session, officer=officer, active=False, at=NOW)
        return username

    def blank(self, owner: str) -> tuple[str, str]:
        """A fresh blank in the owner's stock: (series, number)."""
        number = f"{next(self.serial) * 10:07d}"
        with self.world.session() as session:
            add_blank_range(session=session, officer=self.issuer(owner), series="WO", first=number, last=number,
                            at=NOW)
        return "WO", number

    def case(self, owner: str, state: str = "registered") -> str:
        """A fresh application of the owner's institution about a fresh document, taken to `state` (registered,
        under_review, refusal_notice, awaiting_approval or granted) through the registry's case service; its
        number. The owner's registrar prepares it; a head of the institution approves it."""
        document, _ = self.document(owner)
        registrar, today = self.issuer(owner), NOW.astimezone(KAZAKHSTAN).date()
        with self.world.session() as session:
            number = register_application(session, registrar, kind="duplicate", series=document.series,
                                          number=document.number, received_on=today, channel="in_person",
                                          presented=["application"], reason="lost", at=NOW).number
            if state != "registered":
                start_review(session, registrar, number=number, at=NOW)
            if state == "refusal_notice":
                send_refusal_notice(session, registrar, number=number, reasons=["documents_not_compliant"],
                                    text="the loss announcement is missing", at=NOW)
            if state in ("awaiting_approval", "granted"):
                propose(session, registrar, number=number, decision="grant", at=NOW)
            if state == "granted":
                approve(session, self.head(owner), number=number, signer=self.world.signer, base_url=BASE_URL,
                        at=NOW)
        return number

    def decided(self, owner: str) -> str:
        """A granted application of the owner's institution, made once (for the safe requests)."""
        if owner not in self.decided_cases:
            self.decided_cases[owner] = self.case(owner, "granted")
        return self.decided_cases[owner]

    def head(self, owner: str) -> Officer:
        """The head of A, or a head of B made once (the world has none)."""
        if owner == "A":
            return self.world.uni_head
        if self.other_head is None:
            with self.world.session() as session:
                self.other_head = create_officer(session=session, officer_create=OfficerCreate(
                    username="other.head", full_name="Head of B", role="head"), institution=self.world.other, at=T0)
        return self.other_head

    def retired_signer(self) -> str:
        """Rotate the key store's signer of any institution; its kid (hex): retired, not revoked (other requests
        may have made institutions' own signers, which stay active)."""
        general = next(e for e in self.keys.store.document_signers().entries if e.scope.institution_bin is None)
        self.keys.store.rotate(at=dt.datetime.now(dt.UTC), series=general.scope.series)
        return general.kid.hex()


# ----------------------------------------------------------------------------- requests per operation
Builder = Callable[[Matrix, str, str], Call]
BUILDERS: dict[tuple[str, str], Builder] = {}


def builds(method: str, path: str) -> Callable[[Builder], Builder]:
    """Register the request builder of an operation: (matrix, principal, owner "A" / "B" / "-") -> Call."""

    def register(function: Builder) -> Builder:
        BUILDERS[(method, path)] = function
        return function

    return register


def _doc_path(document: Document, suffix: str = "") -> str:
    return f"/api/v1/officer/documents/{document.series}/{document.number}{suffix}"


# public
builds("GET", "/V/{digits}")(lambda m, p, o: Call(
    "GET", f"/V/{m.qr_text.rsplit('/', 1)[-1]}", {"headers": {"Accept": "application/json"}}))
builds("POST", "/api/v1/verify")(lambda m, p, o: Call("POST", "/api/v1/verify", {"json": {"qr_text": m.qr_text}}))
builds("POST", "/api/v1/scan")(lambda m, p, o: Call(
    "POST", "/api/v1/scan", {"files": {"photo": ("qr.png", m.scan_png, "image/png")}}))
builds("POST", "/api/v1/lookup")(lambda m, p, o: Call("POST", "/api/v1/lookup", {"json": {
    "series": m.shared["A"].series, "number": m.shared["A"].number, "surname": "Әбдірахманова"}}))
builds("GET", "/api/v1/trust-list")(lambda m, p, o: Call("GET", "/api/v1/trust-list"))
builds("GET", "/api/v1/status-lists")(lambda m, p, o: Call("GET", "/api/v1/status-lists"))
builds("GET", "/api/v1/status-lists/{series}")(lambda m, p, o: Call("GET", "/api/v1/status-lists/ZZ"))
builds("GET", "/api/v1/ping")(lambda m, p, o: Call("GET", "/api/v1/ping"))
builds("GET", "/healthz")(lambda m, p, o: Call("GET", "/healthz"))
builds("GET", "/metrics")(lambda m, p, o: Call("GET", "/metrics"))
builds("GET", "/problems/{slug}")(lambda m, p, o: Call("GET", "/problems/forbidden"))
builds("GET", "/api/v1/log/checkpoint")(lambda m, p, o: Call("GET", "/api/v1/log/checkpoint"))
builds("GET", "/api/v1/log/proof/inclusion")(lambda m, p, o: Call(
    "GET", f"/api/v1/log/proof/inclusion?series={m.shared['A'].series}&number={m.shared['A'].number}"))
builds("GET", "/api/v1/log/proof/consistency")(lambda m, p, o: Call(
    "GET", "/api/v1/log/proof/consistency?first=1&second=2"))
builds("GET", "/api/v1/log/entries")(lambda m, p, o: Call("GET", "/api/v1/log/entries?start=0&end=2"))


# accounts
@builds("POST", "/api/v1/auth/login")
def _login(m: Matrix, principal: str, owner: str) -> Call:
    username, password = m.passwords.get(principal, ("nobody.at.all", "a wrong password here"))
    return Call("POST", "/api/v1/auth/login", {"json": {"username": username, "password": password}})


builds("POST", "/api/v1/auth/logout")(lambda m, p, o: Call("POST", "/api/v1/auth/logout"))
builds("GET", "/api/v1/auth/me")(lambda m, p, o: Call("GET", "/api/v1/auth/me"))
builds("GET", "/api/v1/auth/tokens")(lambda m, p, o: Call("GET", "/api/v1/auth/tokens"))
builds("POST", "/api/v1/auth/tokens")(lambda m, p, o: Call("POST", "/api/v1/auth/tokens", {"json": {
    "name": "matrix", "scopes": [{"partner": "partner:read", "admin": "admin"}.get(p, "officer:read")]}}))
builds("DELETE", "/api/v1/auth/tokens/{token_id}")(lambda m, p, o: Call(
    "DELETE", f"/api/v1/auth/tokens/{m.token(o)}"))

# officers
builds("GET", "/api/v1/officer/graduates")(lambda m, p, o: Call("GET", "/api/v1/officer/graduates"))
builds("GET", "/api/v1/officer/documents")(lambda m, p, o: Call("GET", "/api/v1/officer/documents"))
builds("GET", "/api/v1/officer/blanks")(lambda m, p, o: Call("GET", "/api/v1/officer/blanks"))
builds("GET", "/api/v1/officer/audit")(lambda m, p, o: Call("GET", "/api/v1/officer/audit"))
builds("POST", "/api/v1/officer/documents")(lambda m, p, o: Call(
    "POST", "/api/v1/officer/documents", {"json": {"graduate_id": m.graduate(o)}}))
builds("GET", "/api/v1/officer/documents/{series}/{number}")(lambda m, p, o: Call(
    "GET", _doc_path(m.closed_document() if o == "C" else m.shared[o])))
for _kind in ("svg", "png", "pdf"):
    builds("GET", f"/api/v1/officer/documents/{{series}}/{{number}}/qr.{_kind}")(
        lambda m, p, o, kind=_kind: Call("GET", _doc_path(m.shared[o], f"/qr.{kind}")))  # type: ignore[misc]
builds("POST", "/api/v1/officer/documents/{series}/{number}/duplicates")(lambda m, p, o: Call(
    "POST", _doc_path(m.closed_document() if o == "C" else m.document(o)[0], "/duplicates"),
    {"json": {"reason": "lost"}}))
builds("POST", "/api/v1/officer/documents/{series}/{number}/corrections")(lambda m, p, o: Call(
    "POST", _doc_path(m.closed_document() if o == "C" else m.document(o)[0], "/corrections"),
    {"json": {"changes": {"programme": "6B06102"}, "reason": "application 114: wrong code"}}))
builds("POST", "/api/v1/officer/documents/{series}/{number}/annulment")(lambda m, p, o: Call(
    "POST", _doc_path(m.closed_document() if o == "C" else m.document(o)[0], "/annulment"),
    {"json": {"basis": "order No. 7"}}))
builds("POST", "/api/v1/officer/documents/{series}/{number}/reprint")(lambda m, p, o: Call(
    "POST", _doc_path(m.printed() if o == "C" else m.document(o)[0], "/reprint"), {"json": {"reason": "paper jam"}}))
builds("POST", "/api/v1/officer/blanks/ranges")(lambda m, p, o: Call(
    "POST", "/api/v1/officer/blanks/ranges",
    {"json": {"series": "MX", "first": f"{next(m.serial) * 10:07d}", "last": f"{next(m.serial) * 10:07d}"}}))


# applications (cases)
_APPLICATIONS = "/api/v1/officer/applications"
builds("GET", _APPLICATIONS)(lambda m, p, o: Call("GET", _APPLICATIONS))
builds("GET", f"{_APPLICATIONS}/{{number}}")(lambda m, p, o: Call("GET", f"{_APPLICATIONS}/{m.decided(o)}"))
builds("GET", f"{_APPLICATIONS}/{{number}}/letter")(lambda m, p, o: Call(
    "GET", f"{_APPLICATIONS}/{m.decided(o)}/letter", {"params": {"lang": "ru"}}))
builds("POST", f"{_APPLICATIONS}/{{number}}/review")(lambda m, p, o: Call(
    "POST", f"{_APPLICATIONS}/{m.case(o)}/review"))
builds("POST", f"{_APPLICATIONS}/{{number}}/notice")(lambda m, p, o: Call(
    "POST", f"{_APPLICATIONS}/{m.case(o, 'under_review')}/notice",
    {"json": {"reasons": ["documents_not_compliant"], "text": "the loss announcement is missing"}}))
builds("POST", f"{_APPLICATIONS}/{{number}}/hearing")(lambda m, p, o: Call(
    "POST", f"{_APPLICATIONS}/{m.case(o, 'refusal_notice')}/hearing",
    {"json": {"statement": "the announcement will be brought"}}))
builds("POST", f"{_APPLICATIONS}/{{number}}/proposal")(lambda m, p, o: Call(
    "POST", f"{_APPLICATIONS}/{m.case(o, 'under_review')}/proposal", {"json": {"decision": "grant"}}))
builds("POST", f"{_APPLICATIONS}/{{number}}/approve")(lambda m, p, o: Call(
    "POST", f"{_APPLICATIONS}/{m.case(o, 'awaiting_approval')}/approve"))
builds("POST", f"{_APPLICATIONS}/{{number}}/return")(lambda m, p, o: Call(
    "POST", f"{_APPLICATIONS}/{m.case(o, 'awaiting_approval')}/return", {"json": {"comment": "check the date"}}))


@builds("POST", _APPLICATIONS)
def _register(m: Matrix, principal: str, owner: str) -> Call:
    document, _ = m.document(owner)
    return Call("POST", _APPLICATIONS, {"json": {
        "kind": "duplicate", "series": document.series, "number": document.number,
        "received_on": NOW.astimezone(KAZAKHSTAN).date().isoformat(), "channel": "egov",
        "presented": ["application", "digital_identity_document"], "reason": "lost"}})


@builds("GET", "/api/v1/officer/sheets")
def _sheets(m: Matrix, principal: str, owner: str) -> Call:
    group = m.world.scalar("SELECT study_group FROM graduates WHERE id = :g", g=m.shared[owner].graduate_id)
    return Call("GET", "/api/v1/officer/sheets", {"params": {"group": group}})


@builds("POST", "/api/v1/officer/imports")
def _import(m: Matrix, principal: str, owner: str) -> Call:
    data = graduates_csv([row(2, group=m.name("IMP"))])
    return Call("POST", "/api/v1/officer/imports", {"files": {"file": ("graduates.csv", data, "text/csv")}})


@builds("POST", "/api/v1/officer/batches")
def _batch(m: Matrix, principal: str, owner: str) -> Call:
    group = m.name("BATCH")
    m.graduate(owner, group)
    return Call("POST", "/api/v1/officer/batches",
                {"json": {"group": group}, "headers": {"Idempotency-Key": str(uuid.uuid4())}})


@builds("POST", "/api/v1/officer/blanks/write-offs")
def _write_off(m: Matrix, principal: str, owner: str) -> Call:
    series, number = m.blank(owner)
    return Call("POST", "/api/v1/officer/blanks/write-offs",
                {"json": {"series": series, "number": number, "reason": "spoiled in the printer"}})


# partner
builds("POST", "/api/v1/partner/documents")(lambda m, p, o: Call(
    "POST", "/api/v1/partner/documents", {"json": {"iin": m.holder_iins[o]}}))
builds("GET", "/api/v1/partner/events")(lambda m, p, o: Call(
    "GET", "/api/v1/partner/events", {"params": {"after": 0, "limit": 10}}))

builds("POST", "/api/v1/partner/credential-offers")(lambda m, p, o: Call(
    "POST", "/api/v1/partner/credential-offers",
    {"json": {"iin": m.holder_iins[o], "series": m.shared[o].series, "number": m.shared[o].number}}))


# wallets (OID4VCI) and the public links of a credential
builds("GET", "/.well-known/openid-credential-issuer")(lambda m, p, o: Call(
    "GET", "/.well-known/openid-credential-issuer"))
builds("GET", "/.well-known/oauth-authorization-server")(lambda m, p, o: Call(
    "GET", "/.well-known/oauth-authorization-server"))
builds("POST", "/oid4vci/nonce")(lambda m, p, o: Call("POST", "/oid4vci/nonce"))
builds("POST", "/oid4vci/credential")(lambda m, p, o: Call("POST", "/oid4vci/credential", {"json": {}}))
builds("POST", "/api/v1/officer/documents/{series}/{number}/credential-offer")(lambda m, p, o: Call(
    "POST", _doc_path(m.shared[o], "/credential-offer")))


@builds("GET", "/api/v1/officer/documents/{series}/{number}/appendix.pdf")
def _appendix_pdf(m: Matrix, principal: str, owner: str) -> Call:
    if not m.appendix_documents:
        graduate = row(2, group=m.name("APX"))
        CORPUS.iins.add(graduate.iin)
        m.world.import_rows((graduate,), officer=m.issuer(owner), institution=m.institution(owner))
        graduate_id = graduate_id_of(m.world, graduate, m.institution(owner))
        with m.world.session() as session:
            session.add(GraduateAppendix(graduate_id=graduate_id, imported_at=NOW,
                                         items=[item.to_json() for item in typical_items()[:3]]))
            session.commit()
            document = issue_document(session=session, officer=m.issuer(owner), graduate_id=graduate_id,
                                      signer=m.world.signer, base_url=BASE_URL, at=NOW)
        m.appendix_documents[owner] = document
    return Call("GET", _doc_path(m.appendix_documents[owner], "/appendix.pdf"))


builds("GET", "/api/v1/institutions/{bin}")(lambda m, p, o: Call("GET", f"/api/v1/institutions/{m.world.uni.bin}"))
builds("GET", "/api/v1/keys/{kid}")(lambda m, p, o: Call("GET", f"/api/v1/keys/{m.keys.signer.kid.hex()}"))
builds("GET", "/api/v1/achievements/{doc_type}/{programme}")(lambda m, p, o: Call(
    "GET", "/api/v1/achievements/BD/6B06101"))


@builds("POST", "/oid4vci/token")
def _wallet_token(m: Matrix, principal: str, owner: str) -> Call:
    with m.world.session() as session:
        offer = make_offer(session=session, document_id=m.shared[owner].id, actor="matrix", at=NOW)
    grant = "urn:ietf:params:oauth:grant-type:pre-authorized_code"
    return Call("POST", "/oid4vci/token", {"data": {"grant_type": grant, "pre-authorized_code": offer.code,
                                                     "tx_code": offer.tx_code}})


@builds("GET", "/api/v1/status-lists/{series}/bitstring/r{revision}")
def _bitstring(m: Matrix, principal: str, owner: str) -> Call:
    if not m.keys.store.trust_list().candidates(b"", usage="status") and not any(
            e.usage == "status" for e in m.keys.store.trust_list().signers):
        m.keys.store.rotate(at=NOW, usage="status")
    return Call("GET", "/api/v1/status-lists/BD/bitstring/r1")


# admin
builds("GET", "/api/v1/admin/institutions")(lambda m, p, o: Call("GET", "/api/v1/admin/institutions"))
builds("POST", "/api/v1/admin/institutions")(lambda m, p, o: Call("POST", "/api/v1/admin/institutions", {"json": {
    "bin": make_bin(100 + next(m.serial)), "name_kk": "Жаңа колледж", "name_ru": "Новый колледж",
    "name_en": "New College", "kind": "college", "region": "Алматы"}}))
builds("POST", "/api/v1/admin/officers")(lambda m, p, o: Call("POST", "/api/v1/admin/officers", {"json": {
    "institution_bin": m.institution(o).bin, "username": m.name("new.officer"), "full_name": "New Officer",
    "role": "issuer", "password": "a long enough password"}}))
builds("GET", "/api/v1/admin/officers")(lambda m, p, o: Call(
    "GET", "/api/v1/admin/officers", {"params": {"institution_bin": m.institution(o).bin}}))
builds("POST", "/api/v1/admin/officers/{username}/disable")(lambda m, p, o: Call(
    "POST", f"/api/v1/admin/officers/{m.officer(o)}/disable", {"json": {"reason": "order No. 12"}}))
builds("POST", "/api/v1/admin/officers/{username}/enable")(lambda m, p, o: Call(
    "POST", f"/api/v1/admin/officers/{m.officer(o, active=False)}/enable"))
builds("POST", "/api/v1/admin/officers/{username}/password")(lambda m, p, o: Call(
    "POST", f"/api/v1/admin/officers/{m.officer(o)}/password", {"json": {"password": "another long password"}}))
builds("GET", "/api/v1/admin/partners")(lambda m, p, o: Call("GET", "/api/v1/admin/partners"))
builds("POST", "/api/v1/admin/partners")(lambda m, p, o: Call(
    "POST", "/api/v1/admin/partners", {"json": {"name": m.name("Partner")}}))
builds("POST", "/api/v1/admin/partners/{partner_id}/tokens")(lambda m, p, o: Call(
    "POST", f"/api/v1/admin/partners/{partner_token(m.world, m.name('Partner'))[1].id}/tokens",
    {"json": {"name": "matrix", "days": 30}}))
builds("PUT", "/api/v1/admin/partners/{partner_id}/webhook")(lambda m, p, o: Call(
    "PUT", f"/api/v1/admin/partners/{partner_token(m.world, m.name('Partner'))[1].id}/webhook",
    {"json": {"url": "https://documents.example/hooks", "secret": "whsec_" + "QUJD" * 8}}))
builds("GET", "/api/v1/admin/tokens")(lambda m, p, o: Call("GET", "/api/v1/admin/tokens"))
builds("DELETE", "/api/v1/admin/tokens/{token_id}")(lambda m, p, o: Call(
    "DELETE", f"/api/v1/admin/tokens/{m.token(o)}"))
builds("GET", "/api/v1/admin/signers")(lambda m, p, o: Call("GET", "/api/v1/admin/signers"))
builds("POST", "/api/v1/admin/signers/rotate")(lambda m, p, o: Call(
    "POST", "/api/v1/admin/signers/rotate", {"json": {"alg": "EdDSA", "institution_bin": m.institution("A").bin}}))
builds("POST", "/api/v1/admin/institutions/{bin}/close")(lambda m, p, o: Call(
    "POST", f"/api/v1/admin/institutions/{m.fresh_bin()}/close",
    {"json": {"archive_bin": m.institution("B").bin, "closed_on": NOW.date().isoformat()}}))
builds("POST", "/api/v1/admin/institutions/{bin}/signer")(lambda m, p, o: Call(
    "POST", f"/api/v1/admin/institutions/{m.institution(o).bin}/signer"))
builds("POST", "/api/v1/admin/signers/{kid}/revoke")(lambda m, p, o: Call(
    "POST", f"/api/v1/admin/signers/{m.retired_signer()}/revoke",
    {"json": {"compromised_at": dt.datetime.now(dt.UTC).isoformat(), "reason": "matrix"}}))
builds("POST", "/api/v1/admin/trust-list/publish")(lambda m, p, o: Call(
    "POST", "/api/v1/admin/trust-list/publish", {"json": {"ttl_days": 30}}))


# ----------------------------------------------------------------------------- the world
def _principals(world: World, client: TestClient) -> tuple[dict[str, dict[str, str]], dict[str, tuple[str, str]]]:
    """Bearer or cookie headers of every principal, and the sign-in of those that have a password."""
    for officer in (world.uni_issuer, world.uni_head, world.other_issuer):
        give_password(world, officer)
    admin = make_admin(world)
    with world.session() as session:
        admin_token, _ = create_token(session=session, owner=admin, name="matrix", scopes=["admin"], at=NOW,
                                      expires_at=NOW + dt.timedelta(days=1), actor="admin")
        gone = create_officer(session=session, officer_create=OfficerCreate(
            username="uni.gone", full_name="Officer Gone", role="issuer"), institution=world.uni, at=T0)
    give_password(world, gone)
    disabled_token, disabled_row = officer_token(world, gone)
    with world.session() as session:
        set_officer_active(session=session, officer=gone, active=False, at=NOW)
    with world.engine.begin() as connection:  # only the account's flag refuses it now
        connection.execute(text("UPDATE api_tokens SET revoked_at = NULL WHERE id = :i"), {"i": disabled_row.id})
    revoked_token, revoked_row = officer_token(world, world.uni_issuer, name="revoked")
    with world.session() as session:
        revoke_token(session=session, token_id=revoked_row.id or 0, at=NOW, actor="admin")
    signed_in = client.post("/api/v1/auth/login", json={"username": "uni.issuer", "password": PASSWORD})
    assert signed_in.status_code == 200, signed_in.text
    cookie = client.cookies.get(COOKIE)
    client.cookies.clear()
    headers = {
        "anonymous": {},
        "officer_a": bearer(officer_token(world, world.uni_issuer)[0]),
        "head_a": bearer(officer_token(world, world.uni_head)[0]),
        "officer_b": bearer(officer_token(world, world.other_issuer)[0]),
        "partner": bearer(partner_token(world)[0]),
        "admin": bearer(admin_token),
        "disabled": bearer(disabled_token),
        "revoked": bearer(revoked_token),
        "cookie_a": {"Cookie": f"{COOKIE}={cookie}"},
    }
    passwords = {"officer_a": ("uni.issuer", PASSWORD), "head_a": ("uni.head", PASSWORD),
                 "officer_b": ("other.issuer", PASSWORD), "admin": ("ministry.admin", ADMIN_PASSWORD),
                 "disabled": ("uni.gone", PASSWORD), "revoked": ("uni.issuer", PASSWORD),
                 "cookie_a": ("uni.issuer", PASSWORD)}
    return headers, passwords


@pytest.fixture
def matrix(make_client: MakeClient, world: World, keys: Keys) -> Matrix:
    """The app (cheap hashing, generous limits) and the principals, with one document in force per institution."""
    client = https(make_client(**STAFF_SETTINGS))
    headers, passwords = _principals(world, client)
    built = Matrix(world=world, client=client, keys=keys, headers=headers, passwords=passwords)
    for owner in ("A", "B"):
        built.shared[owner], built.holder_iins[owner] = built.document(owner, group=f"SHARED-{owner}")
    with world.session() as session:
        revision = session.exec(select(DocumentRevision).where(
            DocumentRevision.document_id == built.shared["A"].id)).one()
        session.commit()
    built.qr_text = revision.qr_text
    built.scan_png = qr_png(Issued(document=built.shared["A"], revision=revision))
    with world.session() as session:  # a signed checkpoint of the transparency log (a TEST ONLY note key)
        make_checkpoint(session, signer=Ed25519NoteSigner(LOG_ORIGIN, ed25519_key("authz log TEST ONLY")),
                        origin=LOG_ORIGIN, at=T0)
    return built


# ----------------------------------------------------------------------------- the table
def _status_class(status: int) -> str:
    return "2xx" if 200 <= status < 300 else str(status)


def _expected_rows() -> list[dict[str, str]]:
    with EXPECTED.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _operations(client: TestClient) -> list[tuple[str, str]]:
    document = client.app.openapi()  # type: ignore[attr-defined]
    return [(method.upper(), path) for path, operations in document["paths"].items() for method in operations]


def _problem_slug(response: Any) -> str:
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        return str(response.json().get("type", "")).rsplit("/", 1)[-1]
    return ""


def _refusal_problems(method: str, principal: str, response: Any) -> list[str]:
    """What is wrong with a refusal beyond its status: its problem type and the Bearer challenge of a 401."""
    status, slug = response.status_code, _problem_slug(response)
    wanted = {401: {"unauthorized", "login-failed"}, 403: {"forbidden", "csrf-failed"}, 404: {"not-found"}}
    if principal == "cookie_a" and method in UNSAFE and status == 403:
        wanted[403] = {"csrf-failed"}
    problems = []
    if status in wanted and slug not in wanted[status]:
        problems.append(f"{status} of type {slug or response.headers.get('content-type')}, not {wanted[status]}")
    if status == 401 and not response.headers.get("www-authenticate", "").startswith("Bearer"):
        problems.append("401 without a Bearer challenge")
    return problems


def test_every_operation_answers_every_principal_as_the_table_says(matrix: Matrix) -> None:
    rows = _expected_rows()
    assert rows and list(rows[0])[:3 + len(PRINCIPALS)] == ["method", "path", "object", *PRINCIPALS]
    operations = _operations(matrix.client)
    listed = {(r["method"], r["path"]) for r in rows}
    problems = [f"{m} {p}: no row in {EXPECTED.name}" for m, p in operations if (m, p) not in listed]
    problems += [f"{m} {p}: a row but no such operation" for m, p in sorted(listed - set(operations))]
    problems += [f"{m} {p}: no request builder in this test" for m, p in operations if (m, p) not in BUILDERS]
    actual_rows: list[dict[str, str]] = []
    for expected in rows:
        key = (expected["method"], expected["path"])
        if key not in BUILDERS:
            continue
        actual = {"method": key[0], "path": key[1], "object": expected["object"], "note": expected.get("note", "")}
        for principal in PRINCIPALS:
            call = BUILDERS[key](matrix, principal, expected["object"])
            kwargs = dict(call.kwargs)
            kwargs["headers"] = {**kwargs.get("headers", {}), **matrix.headers[principal]}
            matrix.client.cookies.clear()
            response = matrix.client.request(call.method, call.url, **kwargs)
            got = _status_class(response.status_code)
            actual[principal] = got
            where = f"{key[0]} {key[1]} [{expected['object']}] {principal}"
            if got != expected[principal]:
                problems.append(f"{where}: expected {expected[principal]}, got {response.status_code} "
                                f"{_problem_slug(response)}")
            problems += [f"{where}: {problem}" for problem in _refusal_problems(call.method, principal, response)]
        actual_rows.append(actual)
    if os.environ.get("VERIFY_AUTHZ_WRITE"):
        with Path(os.environ["VERIFY_AUTHZ_WRITE"]).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["method", "path", "object", *PRINCIPALS, "note"])
            writer.writeheader()
            writer.writerows(actual_rows)
    cells = len(actual_rows) * len(PRINCIPALS)
    assert not problems, f"{len(problems)} problem(s) in {cells} cells:\n" + "\n".join(problems)


def test_a_cookie_session_with_its_csrf_token_acts_as_the_officer_and_ends_at_sign_out(matrix: Matrix) -> None:
    client = matrix.client
    client.cookies.clear()
    csrf = {"X-CSRF-Token": login(client, "uni.head")}
    graduate_id = matrix.graduate("A")
    issued = client.post("/api/v1/officer/documents", json={"graduate_id": graduate_id}, headers=csrf)
    assert issued.status_code == 201, issued.text
    document = issued.json()
    annulled = client.post(f"/api/v1/officer/documents/{document['series']}/{document['number']}/annulment",
                           json={"basis": "order No. 8"}, headers=csrf)
    assert annulled.status_code == 202 and annulled.json()["state"] == "awaiting_approval"
    other = client.post("/api/v1/officer/documents", json={"graduate_id": matrix.graduate("B")}, headers=csrf)
    assert_problem(other, 404, "not-found")
    assert_problem(client.post("/api/v1/admin/partners", json={"name": "x"}, headers=csrf), 403, "forbidden")
    assert client.post("/api/v1/auth/logout", headers=csrf).status_code == 204
    assert_problem(client.get("/api/v1/auth/me"), 401, "unauthorized")


def test_the_session_of_an_officer_disabled_after_sign_in_is_refused(matrix: Matrix) -> None:
    client = matrix.client
    client.cookies.clear()
    username = matrix.officer("A")
    with matrix.world.session() as session:
        officer = session.exec(select(Officer).where(Officer.username == username)).one()
        session.commit()
    give_password(matrix.world, officer)
    csrf = {"X-CSRF-Token": login(client, username)}
    assert client.get("/api/v1/officer/graduates").status_code == 200
    disabled = client.post(f"/api/v1/admin/officers/{username}/disable", json={"reason": "order No. 13"},
                           headers=matrix.headers["admin"])
    assert disabled.status_code == 200, disabled.text
    assert_problem(client.get("/api/v1/officer/graduates"), 401, "unauthorized")
    assert_problem(client.post("/api/v1/auth/tokens", json={"name": "x", "scopes": ["officer:read"]}, headers=csrf),
                   401, "unauthorized")


# ----------------------------------------------------------------------------- graduates across institutions
def _graduates_of(matrix: Matrix, principal: str) -> list[dict[str, Any]]:
    answer = matrix.client.get("/api/v1/officer/graduates", params={"limit": 500}, headers=matrix.headers[principal])
    assert answer.status_code == 200, answer.text
    graduates: list[dict[str, Any]] = answer.json()["graduates"]
    return graduates


def _import_as(matrix: Matrix, principal: str, graduate: Any) -> Any:
    matrix.client.cookies.clear()
    return matrix.client.post("/api/v1/officer/imports", headers=matrix.headers[principal],
                              files={"file": ("graduates.csv", graduates_csv([graduate]), "text/csv")})


def test_b_importing_a_person_of_a_neither_reads_nor_changes_nor_learns_anything_of_a(matrix: Matrix) -> None:
    """Issue 10, item 8: (a) B sees only its own spelling, (b) B's import answers the same whether or not A
    registered the IIN (no birth-date oracle), (c) B's import does not rename A's not-yet-issued graduate."""
    a_graduate_id = matrix.graduate("A", group=matrix.name("CROSS"))
    iin = matrix.world.scalar("SELECT h.iin FROM holders h JOIN graduates g ON g.holder_id = h.id WHERE g.id = :g",
                              g=a_graduate_id)
    assert isinstance(iin, str)
    a_before = [g for g in _graduates_of(matrix, "officer_a") if g["id"] == a_graduate_id]
    as_b = row(2, iin=iin, surname="Абдрахманова", name="Гульнур", patronymic=None, birth=dt.date(2004, 5, 13),
               group=matrix.name("B-CROSS"))
    stranger = row(2, iin=make_iin(dt.date(2004, 5, 12)), surname="Абдрахманова", name="Гульнур", patronymic=None,
                   birth=dt.date(2004, 5, 13), group=as_b.group)
    CORPUS.iins.add(stranger.iin)
    # (b) the same answer for an IIN A registered (another birth date) and for one nobody registered
    known, unknown = _import_as(matrix, "officer_b", as_b), _import_as(matrix, "officer_b", stranger)
    assert known.status_code == unknown.status_code == 200, known.text
    assert known.json() == unknown.json()
    # (a) B's list shows B's spelling; nothing of A's record
    b_names = [g["holder"] for g in _graduates_of(matrix, "officer_b") if g["group"] == as_b.group]
    assert {"surname": "Абдрахманова", "name": "Гульнур", "patronymic": None} in b_names
    assert all(name["surname"] != "Әбдірахманова" for name in b_names)
    # (c) A's graduate keeps A's spelling, and A signs it
    assert [g for g in _graduates_of(matrix, "officer_a") if g["id"] == a_graduate_id] == a_before
    issued = matrix.client.post("/api/v1/officer/documents", json={"graduate_id": a_graduate_id},
                                headers=matrix.headers["officer_a"])
    assert issued.status_code == 201, issued.text
    assert issued.json()["holder"] == {"surname": "Әбдірахманова", "name": "Гүлнұр", "patronymic": "Серікқызы"}
