"""No IIN into free text (issue 10, item 7): every registry service that stores text a person typed refuses one.

A correction reason and an annulment basis are shown on the public `/V/` page and in `POST /api/v1/verify`; write-off
and disable reasons, token, partner, officer and institution names, study groups and batch keys reach the officers'
answers, the audit log and the logs; a signer's revocation reason is published in the trust list. Each is checked
by the one detector (`verify.identifiers.refuse_iin_in_text`) where the registry takes it, so the API, the console
and the command line refuse alike: `IinInTextError` naming the field, never the digits, and nothing written
(the audit chain does not move). Both engines run each test (conftest: `db_url` is parametrised).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import JSON, String
from support.world import BASE_URL, T0, World, issue_row, later, make_bin, make_iin, new_key_store, row

from verify.errors import IinInTextError
from verify.registry.accounts import create_admin, create_token, ensure_officer_account, set_officer_active
from verify.registry.blanks import add_blank_range, write_off_blank
from verify.registry.documents import issue_group
from verify.registry.imports.parse import parse_graduates
from verify.registry.institutions import create_institution, create_officer
from verify.registry.lifecycle import annul_document, correct_document
from verify.registry.models import InstitutionCreate, OfficerCreate, metadata
from verify.registry.partner import create_partner

IIN = make_iin(dt.date(1990, 1, 1), serial=4242)
WRITTEN_FORMS = (IIN, f"ЖСН {IIN[:6]} {IIN[6:]}", f"({IIN[:4]}-{IIN[4:8]}-{IIN[8:]})")


def _audit_seq(world: World) -> object:
    return world.scalar("SELECT seq FROM audit_head WHERE id = 1")


def refused(world: World, field: str, action: Callable[[], object]) -> None:
    """`action` raises IinInTextError for `field`, without the digits, and writes nothing."""
    before = _audit_seq(world)
    with pytest.raises(IinInTextError) as caught:
        action()
    assert caught.value.field == field and IIN not in str(caught.value)
    assert _audit_seq(world) == before


@pytest.mark.parametrize("typed", WRITTEN_FORMS)
def test_a_correction_reason_or_an_annulment_basis_with_an_iin_is_refused(world: World, typed: str) -> None:
    document, _ = issue_row(world, row(2))
    with world.session() as session:
        refused(world, "reason", lambda: correct_document(
            session=session, officer=world.uni_issuer, series=document.series, number=document.number,
            changes={"programme": "6B06102"}, reason=f"application of {typed}", signer=world.signer,
            base_url=BASE_URL, at=later(5)))
        refused(world, "basis", lambda: annul_document(
            session=session, officer=world.uni_head, series=document.series, number=document.number,
            basis=f"order 41, holder {typed}", at=later(6)))
    assert world.scalar("SELECT count(*) FROM document_revisions") == 1
    assert world.scalar("SELECT state FROM documents") == "valid"


def test_blank_write_off_reasons_study_groups_and_batch_keys_with_an_iin_are_refused(world: World) -> None:
    with world.session() as session:
        add_blank_range(session=session, officer=world.col_issuer, series="ЖБ", first="0000001", last="0000010",
                        at=T0)
        refused(world, "reason", lambda: write_off_blank(session=session, officer=world.col_issuer, series="ЖБ",
                                                         number="0000001", reason=f"torn, {IIN}", at=later(1)))
    world.import_rows((row(3),))
    with world.session() as session:
        refused(world, "idempotency_key", lambda: issue_group(
            session=session, officer=world.uni_issuer, group="G1", idempotency_key=f"batch {IIN}",
            signer=world.signer, base_url=BASE_URL, at=later(2)))
        refused(world, "group", lambda: issue_group(
            session=session, officer=world.uni_issuer, group=f"G1 {IIN}", idempotency_key="batch-1",
            signer=world.signer, base_url=BASE_URL, at=later(2)))
    assert world.scalar("SELECT count(*) FROM batches") == 0


def test_an_import_refuses_a_study_group_that_holds_an_iin() -> None:
    graduate = row(4)
    data = ("iin,surname,name,birth_date,doc_type,programme,award_date,group\n"
            f"{graduate.iin},{graduate.surname},{graduate.name},{graduate.birth_date},BD,6B06101,"
            f"{graduate.award_date},ИС {IIN[:6]} {IIN[6:]}\n").encode()
    report = parse_graduates(data, filename="graduates.csv", today=T0.date())
    assert [(e.row, e.column) for e in report.errors] == [(2, "group")]
    assert IIN[:6] not in report.errors[0].reason and not report.rows


def test_names_and_reasons_of_accounts_tokens_partners_and_institutions_with_an_iin_are_refused(
        world: World) -> None:
    with world.session() as session:
        for name in ("name_kk", "name_ru", "name_en", "region"):
            values = {"bin": make_bin(40), "name_kk": "Колледж", "name_ru": "Колледж", "name_en": "College",
                      "kind": "college", "region": "Астана", name: f"Колледж {IIN}"}
            refused(world, name, lambda values=values: create_institution(  # type: ignore[misc]
                session=session, institution_create=InstitutionCreate(**values), at=T0))
        refused(world, "full_name", lambda: create_officer(
            session=session, officer_create=OfficerCreate(username="new.one", full_name=f"Иванов {IIN}",
                                                          role="issuer"), institution=world.uni, at=T0))
        refused(world, "username", lambda: create_officer(
            session=session, officer_create=OfficerCreate(username=IIN, full_name="Иванов", role="issuer"),
            institution=world.uni, at=T0))
        refused(world, "full_name", lambda: create_admin(session=session, username="ministry", full_name=IIN,
                                                         password=None, hashing=None, at=T0))  # type: ignore[arg-type]
        refused(world, "name", lambda: create_partner(session=session, name=f"app {IIN}", at=T0))
        account = ensure_officer_account(session=session, officer=world.uni_issuer, at=T0)
        session.commit()
        refused(world, "name", lambda: create_token(
            session=session, owner=account, name=f"robot {IIN}", scopes=["officer:read"], at=T0,
            expires_at=T0 + dt.timedelta(days=1), actor="admin", officer=world.uni_issuer))
        refused(world, "reason", lambda: set_officer_active(session=session, officer=world.uni_viewer, active=False,
                                                            at=T0, reason=f"order about {IIN}"))
    assert world.scalar("SELECT count(*) FROM institutions") == 3
    assert world.scalar("SELECT count(*) FROM partners") == 0


def test_a_signer_revocation_reason_with_an_iin_is_refused_and_the_trust_list_kept(tmp_path: Path) -> None:
    store = new_key_store(tmp_path / "keys")
    before = store.trust_list()
    kid = before.signers[0].kid
    with pytest.raises(IinInTextError) as caught:
        store.revoke(kid, compromised_at=T0, at=T0, reason=f"laptop of {IIN}")
    assert caught.value.field == "reason"
    assert store.trust_list() == before


# Every text column of the registry, and why no IIN can be in it. A new column fails the test below until it is
# placed here: typed by a person (then refused at input by `refuse_iin_in_text`, and tested above) or not.
TYPED_BY_A_PERSON = {
    ("institutions", "name_kk"), ("institutions", "name_ru"), ("institutions", "name_en"),
    ("institutions", "region"),  # create_institution
    ("partners", "name"),  # create_partner
    ("officers", "username"), ("officers", "full_name"),  # create_officer
    ("accounts", "username"), ("accounts", "full_name"),  # create_admin (officers' accounts copy the officer's)
    ("api_tokens", "name"),  # create_token
    ("batches", "idempotency_key"), ("batches", "study_group"),  # issue_group
    ("graduates", "study_group"),  # the import's group column (checks._check_group)
    ("documents", "annul_basis"),  # annul_document
    ("blanks", "reason"),  # write_off_blank
    ("document_revisions", "reason"),  # correct_document
    ("partner_webhooks", "url"),  # set_webhook (tests/registry/test_registry_outbox.py)
    # the cases (issue 13): the statement, a correction's values, a refusal's text, the hearing's statement and the
    # head's comment (which the timeline's details repeat): refused at input (tests/registry/test_cases_service.py)
    ("applications", "explanation"), ("applications", "changes"), ("applications", "refusal_text"),
    ("application_events", "details"),
    # why an анықтама's studies ended (the import's columns, refused with an IIN: tests/core/test_graduates.py)
    ("graduates", "studies_ended_reason"), ("graduates", "studies_ended_order"),
    # the appendix: its rows' names (the import refuses a name holding an IIN, tests/registry/
    # test_registry_appendices.py) and the reason of a correction or duplicate of the appendix alone
    ("graduate_appendices", "items"), ("document_appendices", "reason"),
}
NOT_TYPED_FREELY = {
    # a wallet's offers (verify.registry.credentialoffers): SHA-256 digests in hex, "officer:<username>" or
    # "partner:<name>", the wallet key's did:jwk (base64url of a public key); the appendix's digest and kid in hex
    ("credential_offers", "code_sha256"), ("credential_offers", "tx_code_sha256"),
    ("credential_offers", "token_sha256"), ("credential_offers", "created_by"), ("credential_offers", "subject_id"),
    ("credential_nonces", "nonce_sha256"), ("document_appendices", "payload_sha256"), ("document_appendices", "kid"),
    # codes, enumerations and states the registry checks against a closed set or a pattern
    ("counters", "series"), ("document_types", "code"), ("document_types", "series"),
    ("document_types", "numbering"), ("document_types", "level"), ("document_types", "name_kk"),
    ("document_types", "name_ru"), ("document_types", "name_en"), ("institutions", "bin"), ("institutions", "kind"),
    ("officers", "role"), ("accounts", "kind"), ("batches", "series"), ("batches", "state"),
    ("blank_ranges", "series"), ("graduates", "doc_type"), ("graduates", "programme"),
    ("graduates", "qualification"), ("documents", "doc_type"), ("documents", "series"), ("documents", "number"),
    ("documents", "state"), ("documents", "duplicate_reason"), ("blanks", "series"), ("blanks", "number"),
    ("blanks", "state"), ("api_tokens", "scopes"), ("batches", "graduate_ids"),
    ("blank_ranges", "kind"), ("documents", "annul_kind"),  # BlankKind, AnnulmentKind (issue 13 item 5)
    # names under verify.record.HolderName's rules (letters, hyphens, apostrophes, spaces: no digit)
    ("holders", "surname"), ("holders", "name"), ("holders", "patronymic"),
    # the signed record (HolderName and codes), its digits (one run of hundreds), hashes and key ids (hex)
    ("document_revisions", "record"), ("document_revisions", "qr_text"), ("document_revisions", "payload_sha256"),
    ("document_revisions", "kid"), ("document_revisions", "changed_fields"), ("audit_head", "hash"),
    ("audit_events", "prev_hash"), ("audit_events", "hash"), ("accounts", "password_hash"),
    ("api_tokens", "secret_hash"), ("api_tokens", "hint"), ("auth_sessions", "secret_hash"),
    ("registry_meta", "key"), ("registry_meta", "value"),
    # status lists (series codes, hex hashes) and version states (keys made from a root's hash and a series)
    ("status_lists", "series"), ("status_lists", "sha256"), ("version_states", "key"),
    # written by the services from the values above (usernames, references, the refused-at-input texts)
    ("api_tokens", "created_by"), ("audit_events", "actor"), ("audit_events", "action"),
    ("audit_events", "object_type"), ("audit_events", "object_ref"), ("audit_events", "reason"),
    ("audit_events", "before"), ("audit_events", "after"),
    # the one column that holds an IIN by design (never shown, never logged)
    ("holders", "iin"),
    # the transparency log: a document's series, number and institution BIN as its entry checked them
    # (verify.transparency.entries), and the checkpoint note the service signed
    ("tlog_entries", "series"), ("tlog_entries", "number"), ("tlog_entries", "institution_bin"),
    ("tlog_checkpoints", "note"),
    # the outbox (verify.registry.outbox): codes and numbers of the document, a UUID, the holder's keyed reference
    ("outbox_events", "event_id"), ("outbox_events", "kind"), ("outbox_events", "institution_bin"),
    ("outbox_events", "doc_type"), ("outbox_events", "series"), ("outbox_events", "number"),
    ("outbox_events", "replaces_series"), ("outbox_events", "replaces_number"), ("outbox_events", "holder_ref"),
    # a webhook's secret (whsec_ + base64, checked), the worker's name and its error (a status or a class name)
    ("partner_webhooks", "secret"), ("partner_webhooks", "lease_owner"), ("partner_webhooks", "last_error"),
    # a case's number (BIN, year, counter) and its enumerations; the timeline's step and officer's username
    ("applications", "number"), ("applications", "kind"), ("applications", "term"), ("applications", "scope"),
    ("applications", "reason"), ("applications", "channel"), ("applications", "presented"), ("applications", "state"),
    ("applications", "proposal"), ("applications", "refusal_reasons"), ("application_events", "action"),
    ("application_events", "actor_kind"), ("application_events", "actor_name"),
}


def test_every_text_column_is_either_checked_at_input_or_not_typed_freely() -> None:
    def is_text(column_type: object) -> bool:
        return isinstance(column_type, (String, JSON)) or isinstance(getattr(column_type, "impl", None),
                                                                     (String, JSON))

    columns = {(t.name, c.name) for t in metadata.sorted_tables for c in t.columns if is_text(c.type)}
    assert not TYPED_BY_A_PERSON & NOT_TYPED_FREELY
    assert columns == TYPED_BY_A_PERSON | NOT_TYPED_FREELY
