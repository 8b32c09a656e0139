"""The API's refusals in the reader's language with a stable `code` (issue 10 item 15, the residue).

For a sample of each family that spoke English only — sign-in and tokens, the body and media-type limits, the
Idempotency-Key, the log API's ranges, the status lists, unknown paths, refused pictures, a database that refuses
connections (on the routes the app's own handler answers), the trust list's, the audit chain's and the codec's
errors — the kk and ru answers (Accept-Language) differ from the English one, say the catalogue's text, and carry
the same `code`: the `verify` error's code, or the message id of the web layer's own refusal.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient
from support.web import (
    STAFF_SETTINGS,
    Issued,
    MakeClient,
    assert_problem,
    bearer,
    https,
    officer_token,
    refuse_database,
)
from support.world import World

from verify.codec import qr_prefix
from verify.errors import AuditChainError, KeyStoreError, RecordError, TrustListError
from verify.keystore import KeyStore
from verify.texts import Text
from verify.trust import TrustList
from web.app import localized
from web.problems.errors import ProblemRoute, problem_from_error
from web.problems.handlers import install_problem_handlers
from web.ui.i18n import CATALOGUE, Translator

LANGS = ("kk", "ru", "en")


def _in_each_language(send: Callable[[dict[str, str]], Any], status: int, slug: str) -> dict[str, dict[str, Any]]:
    """The problem answered to the same request in kk, ru and en (Accept-Language)."""
    return {lang: assert_problem(send({"Accept-Language": lang}), status, slug) for lang in LANGS}


def _said_in_each_language(bodies: dict[str, dict[str, Any]], code: str, key: str | None = None,
                           **values: object) -> None:
    """The same `code` in every language; kk and ru differ from en; each is the catalogue's text of `key`."""
    assert {body["code"] for body in bodies.values()} == {code}, bodies
    assert len({body["detail"] for body in bodies.values()}) == 3, bodies
    for lang, body in bodies.items():
        if key is not None:
            assert body["detail"] == Translator(lang).text(Text(key, values)), (lang, body)
    assert any(ord(ch) > 0x400 for ch in bodies["ru"]["detail"])  # Cyrillic, not English
    assert any(ch in "әғқңөұүһі" for ch in bodies["kk"]["detail"].lower()), bodies["kk"]


def test_sign_in_tokens_and_body_limits_are_said_in_the_readers_language(make_client: MakeClient,
                                                                        world: World) -> None:
    api = https(make_client(**STAFF_SETTINGS))
    wrong = _in_each_language(lambda h: api.post("/api/v1/auth/login", json={"username": "nobody",
                                                                            "password": "wrong password 1"},
                                                 headers=h), 401, "login-failed")
    _said_in_each_language(wrong, "e_login_failed", "e_login_failed")
    anonymous = _in_each_language(lambda h: api.get("/api/v1/auth/me", headers=h), 401, "unauthorized")
    _said_in_each_language(anonymous, "e_sign_in", "e_sign_in")
    form = _in_each_language(lambda h: api.post("/api/v1/auth/login", content=b"username=a",
                                                headers={**h, "Content-Type": "application/x-www-form-urlencoded"}),
                             415, "unsupported-media-type")
    _said_in_each_language(form, "e_json_only", "e_json_only")
    unreadable = _in_each_language(lambda h: api.post("/api/v1/auth/login", content=b'{"username": "\xff"}',
                                                      headers={**h, "Content-Type": "application/json"}),
                                   400, "bad-request")
    _said_in_each_language(unreadable, "e_body_unreadable", "e_body_unreadable")


def test_the_idempotency_key_and_scopes_are_said_in_the_readers_language(make_client: MakeClient,
                                                                          world: World) -> None:
    api = https(make_client(**STAFF_SETTINGS))
    issuer = bearer(officer_token(world, world.uni_issuer)[0])
    batch = {"group": "ИС-22-1"}
    missing = _in_each_language(lambda h: api.post("/api/v1/officer/batches", json=batch, headers={**issuer, **h}),
                                400, "bad-request")
    _said_in_each_language(missing, "e_idempotency_needed", "e_idempotency_needed")
    too_long = _in_each_language(lambda h: api.post("/api/v1/officer/batches", json=batch,
                                                    headers={**issuer, **h, "Idempotency-Key": "k" * 300}),
                                 400, "bad-request")
    assert {b["detail"].split(":")[0] for b in too_long.values()} == {"Idempotency-Key"}  # the header, not translated
    _said_in_each_language(too_long, "e_idempotency_chars")
    reader = bearer(officer_token(world, world.uni_issuer, scopes=("officer:read",), name="reader")[0])
    scope = _in_each_language(lambda h: api.post("/api/v1/auth/tokens", json={"name": "more", "scopes": [
        "officer:write"]}, headers={**reader, **h}), 422, "invalid-data")
    _said_in_each_language(scope, "e_scopes_not_held")


def test_the_log_api_status_lists_and_unknown_paths_are_said_in_the_readers_language(
        make_client: MakeClient, issued: Issued) -> None:
    api = https(make_client())
    beyond = _in_each_language(lambda h: api.get("/api/v1/log/proof/consistency?first=1&second=900", headers=h),
                               422, "invalid-data")
    _said_in_each_language(beyond, "TRANSPARENCY")
    assert "900" in beyond["kk"]["detail"] and "900" in beyond["ru"]["detail"]
    entries = _in_each_language(lambda h: api.get("/api/v1/log/entries?start=800&end=900", headers=h),
                                422, "invalid-data")
    _said_in_each_language(entries, "TRANSPARENCY")
    query = _in_each_language(lambda h: api.get("/api/v1/log/proof/inclusion?leaf_index=0", headers=h),
                              422, "invalid-data")
    _said_in_each_language(query, "e_log_proof_query", "e_log_proof_query")
    absent = _in_each_language(lambda h: api.get("/api/v1/log/proof/inclusion?series=MD&number=0999999",
                                                 headers=h), 404, "not-found")
    _said_in_each_language(absent, "NOT_FOUND", "v_log_revision_absent", series="MD", number="0999999", revision=1)
    no_list = _in_each_language(lambda h: api.get("/api/v1/status-lists/QQ", headers=h), 404, "not-found")
    _said_in_each_language(no_list, "e_no_status_list", "e_no_status_list", series="QQ")
    nowhere = _in_each_language(lambda h: api.get("/api/v1/nowhere", headers=h), 404, "not-found")
    assert {b.get("code") for b in nowhere.values()} == {None}  # a path of no route: the type is the code
    assert len({b["detail"] for b in nowhere.values()}) == 3
    assert nowhere["ru"]["detail"] == CATALOGUE["e_no_resource"]["ru"]


def test_a_refused_picture_says_the_scan_pages_sentence_with_the_stages_code(make_client: MakeClient) -> None:
    api = https(make_client())
    refused = _in_each_language(lambda h: api.post("/api/v1/scan", files={"photo": ("a.gif", b"GIF89a" + b"\0" * 64,
                                                                                      "image/gif")}, headers=h),
                                415, "unsupported-media-type")
    _said_in_each_language(refused, "UNSUPPORTED_IMAGE")
    for lang, body in refused.items():
        assert body["detail"].startswith(CATALOGUE["scan_unsupported-media-type"][lang]), (lang, body)


def test_a_database_that_refuses_connections_is_said_in_the_readers_language_on_every_route_class(
        make_client: MakeClient, issued: Issued) -> None:
    """Regression: the app's own outage handler (the public API's routes, outside `ProblemRoute`) answered in
    English only; it looked for a localizer that was never installed."""
    api = https(make_client())
    refuse_database(api)
    lookup = {"series": "BD", "number": "0000001", "surname": "Әбдірахманова"}
    for send in (lambda h: api.post("/api/v1/lookup", json=lookup, headers=h),
                 lambda h: api.get("/api/v1/log/checkpoint", headers=h)):
        bodies = _in_each_language(send, 503, "unavailable")
        assert len({body["detail"] for body in bodies.values()}) == 3, bodies
        assert all(body.get("code") for body in bodies.values()), bodies


# ----------------------------------------------------------------------------- errors of the library
def _answer(error: Exception) -> TestClient:
    """A tiny app with the service's problem handlers and localizer, whose one API route raises `error`."""
    app = FastAPI()
    install_problem_handlers(app, localize=localized)
    router = APIRouter(route_class=ProblemRoute)

    @router.get("/fail")
    def fail() -> None:
        raise error

    app.include_router(router)
    return TestClient(app)


def _refusal(make: Callable[[], object], error: type[Exception]) -> Exception:
    with pytest.raises(error) as caught:
        make()
    return caught.value


def _trust_list_error(text: str) -> TrustListError:
    error = _refusal(lambda: TrustList.from_json(text, root=None), TrustListError)  # type: ignore[arg-type]
    assert isinstance(error, TrustListError)
    return error


LIBRARY_ERRORS: dict[str, tuple[Callable[[], Exception], str, int]] = {
    "trust list: a duplicate key": (lambda: _trust_list_error('{"payload": {}, "payload": {}}'), "TRUST_LIST", 503),
    "trust list: an integer beyond I-JSON": (lambda: _trust_list_error(json.dumps({"version": 2 ** 53 + 1})),
                                             "TRUST_LIST", 503),
    "codec: a base URL with a path": (lambda: _refusal(lambda: qr_prefix("https://v.edu.kz/x"), RecordError),
                                      "INVALID_RECORD", 422),
    "audit chain": (lambda: AuditChainError(Text("v_audit_edited", {"seq": 7}), seq=7), "AUDIT_CHAIN", 422),
    "key store: a status signer scoped to an institution": (
        lambda: _refusal(lambda: KeyStore(Path("/nonexistent")).rotate(at=dt.datetime(2026, 9, 1, tzinfo=dt.UTC),
                                                                      usage="status", institution_bin="123456789012"),
                         KeyStoreError), "KEY_STORE", 503),
}


@pytest.mark.parametrize("case", sorted(LIBRARY_ERRORS))
def test_the_librarys_errors_at_the_edges_are_answered_in_the_readers_language(case: str) -> None:
    make, code, status = LIBRARY_ERRORS[case]
    error = make()
    assert getattr(error, "text", None) is not None  # raised with a Text, not an English string
    client = _answer(error)
    bodies = {lang: client.get("/fail", headers={"Accept-Language": lang}).json() for lang in LANGS}
    assert {body["status"] for body in bodies.values()} == {status}
    assert {body["code"] for body in bodies.values()} == {code}
    assert len({body["detail"] for body in bodies.values()}) == 3, bodies
    assert problem_from_error(error).detail in bodies["en"]["detail"]  # type: ignore[arg-type]
    assert all(any(ord(ch) > 0x400 for ch in bodies[lang]["detail"]) for lang in ("kk", "ru"))
