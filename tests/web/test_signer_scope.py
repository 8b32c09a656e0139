"""Issue 10 item 6: the registry signs a document only with a signer whose scope holds its series and institution.

The case of the issue: the active document signer is scoped to series MD and institution B; an officer of A
corrects A's BD document. Before the fix the correction answered 201 and the stored revision verified
OUT_OF_SCOPE; now it is a 409 problem with the stable code NO_SIGNER_IN_SCOPE and a detail in the reader's
language, and nothing is stored (no revision, no audit event). A correction or a duplicate is signed when the head
approves its application (`web.officer.cases_api`): that approval is refused, and the case still awaits it.
"""

from __future__ import annotations

import datetime as dt
import html as html_lib
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from support.caseflow import APPLICATIONS, apply_for
from support.web import (
    PASSWORD,
    STAFF_SETTINGS,
    Issued,
    MakeClient,
    assert_problem,
    audit_head,
    bearer,
    count,
    give_password,
    https,
    officer_token,
)
from support.world import T0, World

from verify.keystore import KeyStore
from verify.registry.documents import get_document, get_revision
from verify.verifier import Verifier
from web.ui.i18n import CATALOGUE


@pytest.fixture
def scoped_store(tmp_path: Path, world: World) -> KeyStore:
    """A TEST ONLY key store whose only document signer may sign series MD for institution B (`world.other`)."""
    store = KeyStore(tmp_path / "scoped-keys")
    store.init(at=T0 - dt.timedelta(days=1), environment="test", series=frozenset({"MD"}),
               institution_bin=world.other.bin)
    return store


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_a_correction_no_active_signer_may_sign_is_409_and_stores_nothing(
        make_client: MakeClient, world: World, issued: Issued, scoped_store: KeyStore, lang: str) -> None:
    api = https(make_client(keys_dir=scoped_store.path, **STAFF_SETTINGS))
    issuer = bearer(officer_token(world, world.uni_issuer)[0])
    head = bearer(officer_token(world, world.uni_head)[0])
    series, number = issued.document.series, issued.document.number
    assert series == "BD"
    application = apply_for(api, f"/api/v1/officer/documents/{series}/{number}", "/corrections",
                            {"changes": {"programme": "6B06102"}, "reason": "application 12"}, issuer)
    before = (count(world, "document_revisions"), count(world, "documents"), audit_head(world))
    answer = api.post(f"{APPLICATIONS}/{application['number']}/approve", headers={**head, "Accept-Language": lang})
    if answer.status_code == 200:  # what main did: the stored revision is out of the signer's scope
        with world.session() as session:
            document = get_document(session=session, series=series, number=number)
            assert document is not None
            stored = get_revision(session=session, document=document)
        report = Verifier(scoped_store.trust_list()).check(stored.qr_text, at=dt.datetime.now(dt.UTC))
        pytest.fail(f"200: the registry stored a revision that verifies {report.verdict}")
    body = assert_problem(answer, 409, "signer-scope")
    assert body["code"] == "NO_SIGNER_IN_SCOPE" and body["reason"] == "series"
    assert body["detail"] == CATALOGUE["signer_scope_series"][lang].format(series="BD", bin=world.uni.bin)
    assert (count(world, "document_revisions"), count(world, "documents"), audit_head(world)) == before
    assert api.get(f"{APPLICATIONS}/{application['number']}", headers=issuer).json()["state"] == "awaiting_approval"


def test_a_duplicate_is_refused_alike(make_client: MakeClient, world: World, issued: Issued,
                                                     scoped_store: KeyStore) -> None:
    api: TestClient = https(make_client(keys_dir=scoped_store.path, **STAFF_SETTINGS))
    issuer = bearer(officer_token(world, world.uni_issuer)[0])
    head = bearer(officer_token(world, world.uni_head)[0])
    path = f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}"
    application = apply_for(api, path, "/duplicates", {"reason": "lost"}, issuer)
    before = (count(world, "document_revisions"), count(world, "documents"), audit_head(world))
    body = assert_problem(api.post(f"{APPLICATIONS}/{application['number']}/approve", headers=head), 409,
                          "signer-scope")
    assert body["code"] == "NO_SIGNER_IN_SCOPE"
    assert (count(world, "document_revisions"), count(world, "documents"), audit_head(world)) == before


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}"[^>]*value="([^"]*)"', html) or re.search(
        rf'value="([^"]*)"[^>]*name="{name}"', html)
    assert found is not None, name
    return found.group(1)


def _sign_in(client: TestClient, username: str) -> None:
    login = client.get("/console/login").text
    signed_in = client.post("/console/session", data={"username": username, "password": PASSWORD,
                                                      "login_token": _field(login, "login_token")},
                            follow_redirects=False)
    assert signed_in.status_code == 303


def test_the_console_names_the_refusal_in_the_readers_language(make_client: MakeClient, world: World,
                                                               issued: Issued, scoped_store: KeyStore) -> None:
    give_password(world, world.uni_issuer)
    give_password(world, world.uni_head)
    client = https(make_client(keys_dir=scoped_store.path, **STAFF_SETTINGS))
    _sign_in(client, world.uni_issuer.username)
    path = f"/console/documents/{issued.document.series}/{issued.document.number}"
    form = client.get(f"{path}/correction?lang=ru").text
    values = {name: _field(form, name) for name in ("surname", "name", "patronymic", "award_date", "qualification",
                                                    "revision", "csrf_token")}
    applied = client.post(f"{path}/correction", data={**values, "honours": "no", "programme": "6B06102",
                                                      "reason": "application 12", "confirm": "yes"},
                          follow_redirects=False)
    assert applied.status_code == 303 and applied.headers["location"].startswith("/console/cases/")
    case = applied.headers["location"].split("?", 1)[0]
    client.cookies.clear()
    _sign_in(client, world.uni_head.username)
    csrf = _field(client.get(f"{case}?lang=ru").text, "csrf_token")
    before = (count(world, "document_revisions"), count(world, "documents"), audit_head(world))
    answer = client.post(f"{case}/approve", data={"confirm": "yes", "csrf_token": csrf})
    assert answer.status_code == 409
    assert CATALOGUE["c_error_signer_scope"]["ru"] in html_lib.unescape(answer.text)
    assert (count(world, "document_revisions"), count(world, "documents"), audit_head(world)) == before
