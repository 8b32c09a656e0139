"""`GET /api/v1/status-lists` and `GET /api/v1/status-lists/{series}` (issue 12 item 2), and the trust list's caching.

The key store of these tests has a status signer (`support.statuslists.status_key_store`); a list is signed on the
first request after a lifecycle change, then served with a strong ETag (304 on If-None-Match) by every request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from support.statuslists import status_key_store
from support.web import ISSUED_AT, METRICS_HEADERS, MakeClient, assert_problem, issue
from support.world import BASE_URL, Keys, World, annul, later

from verify.cli import main, offline
from verify.keystore import KeyStore
from verify.registry.db import make_engine, session_factory
from verify.statuslookup import verify_status_list
from verify.verifier import Verifier
from web.deps import utcnow
from web.public.verdict import render_verdict


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Keys:
    """This module's TEST ONLY key store: a document signer and a status signer."""
    return Keys.of(status_key_store(tmp_path_factory.mktemp("status-web-keys") / "keys"))


def _index(client: TestClient) -> dict[str, object]:
    response = client.get("/api/v1/status-lists")
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    schema = json.loads(resources.files("verify.schemas").joinpath("status-list-index.schema.json").read_text())
    jsonschema.Draft202012Validator(schema).validate(body)
    return body


def test_the_index_and_each_list_are_published_signed_and_cached(client: TestClient, world: World,
                                                                 keys: Keys) -> None:
    issued = issue(world)
    index = _index(client)
    (entry,) = index["lists"]  # type: ignore[misc]
    assert (entry["series"], entry["version"]) == ("BD", 1)
    listed = client.get("/api/v1/status-lists/BD")
    assert listed.status_code == 200 and listed.headers["content-type"] == "application/cose"
    assert listed.headers["etag"] == f'"{entry["sha256"]}"' == f'"{hashlib.sha256(listed.content).hexdigest()}"'
    assert listed.headers["cache-control"] == "public, max-age=60" and len(listed.content) == entry["bytes"]
    signed = verify_status_list(listed.content, trust_list=keys.store.trust_list(), at=utcnow(), series="BD")
    assert signed.status_of(issued.document.number) is not None and signed.version == 1
    again = client.get("/api/v1/status-lists/BD", headers={"If-None-Match": listed.headers["etag"]})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == listed.headers["etag"]
    index_response = client.get("/api/v1/status-lists")
    assert client.get("/api/v1/status-lists", headers={"If-None-Match": index_response.headers["etag"]}) \
        .status_code == 304
    assert _index(client) == index  # nothing changed: nothing signed again

    annul(world, issued.document, at=later(30))
    (entry2,) = _index(client)["lists"]  # type: ignore[misc]
    assert entry2["version"] == 2 and entry2["sha256"] != entry["sha256"]
    newer = client.get("/api/v1/status-lists/BD", headers={"If-None-Match": listed.headers["etag"]})
    assert newer.status_code == 200
    status = verify_status_list(newer.content, trust_list=keys.store.trust_list(), at=utcnow(), series="BD") \
        .status_of(issued.document.number)
    assert status is not None and status.annulled_on is not None


def test_an_unknown_series_is_a_404_problem(client: TestClient, world: World) -> None:
    issue(world)
    for path in ("/api/v1/status-lists/XX", "/api/v1/status-lists/" + "A" * 40, "/api/v1/status-lists/B%01D"):
        assert_problem(client.get(path), 404, "not-found")


def test_an_unreachable_registry_is_503_with_retry_after(client: TestClient, world: World) -> None:
    issue(world)
    services = client.app.state.services  # type: ignore[attr-defined]
    services.sessions = session_factory(create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none"))
    for path in ("/api/v1/status-lists", "/api/v1/status-lists/BD"):
        response = client.get(path)
        assert_problem(response, 503, "unavailable")
        assert response.headers["retry-after"] == "30"


def test_without_a_status_signer_nothing_is_listed_and_a_list_is_503(make_client: MakeClient, world: World,
                                                                     tmp_path_factory: pytest.TempPathFactory) -> None:
    from support.world import new_key_store

    issue(world)
    bare = Keys.of(new_key_store(tmp_path_factory.mktemp("bare") / "keys"))
    client = make_client(keys_dir=bare.store.path)
    assert _index(client)["lists"] == []
    response = client.get("/api/v1/status-lists/BD")
    assert_problem(response, 503, "unavailable")


def test_the_trust_list_answers_304_to_its_etag_and_to_a_star(client: TestClient) -> None:
    first = client.get("/api/v1/trust-list")
    assert first.headers["cache-control"] == "public, max-age=300"
    for tag in (first.headers["etag"], "W/" + first.headers["etag"], f'"other", {first.headers["etag"]}', "*"):
        assert client.get("/api/v1/trust-list", headers={"If-None-Match": tag}).status_code == 304
    assert client.get("/api/v1/trust-list", headers={"If-None-Match": '"other"'}).status_code == 200


def test_an_older_trust_list_is_never_loaded_nor_served_after_a_restart(make_client: MakeClient, world: World,
                                                                         keys: Keys, tmp_path: Path) -> None:
    """Issue 10 item 4: v(n+1) revoked the signer; after a restart the file holds v(n) again. The service keeps
    serving and verifying with v(n+1) (kept in the registry), so a post-compromise record stays SIGNER_REVOKED."""
    issued = issue(world)
    store = KeyStore(tmp_path / "keys-copy")
    shutil.copytree(keys.store.path, store.path)
    older = store.trust_list_path.read_bytes()
    newer = store.revoke(store.signer().kid, compromised_at=ISSUED_AT - dt.timedelta(hours=1),
                         at=utcnow(), reason="key compromise")
    first = make_client(keys_dir=store.path)
    assert first.get("/api/v1/trust-list").json()["payload"]["version"] == newer.version
    assert first.post("/api/v1/verify", json={"qr_text": issued.revision.qr_text}).json()["verdict"] \
        == "SIGNER_REVOKED"
    store.trust_list_path.write_bytes(older)  # the older publication is back, and the service restarts
    again = make_client(keys_dir=store.path)
    served = again.get("/api/v1/trust-list")
    assert served.json()["payload"]["version"] == newer.version
    assert again.post("/api/v1/verify", json={"qr_text": issued.revision.qr_text}).json()["verdict"] \
        == "SIGNER_REVOKED"
    assert again.get("/healthz").json()["trust_list"]["version"] == newer.version


@pytest.mark.parametrize(("lang", "headline"), [("kk", "Шынайы; мәртебесі белгісіз"),
                                                 ("ru", "Подлинный; статус неизвестен"),
                                                 ("en", "Authentic; status unknown")])
def test_the_page_says_authentic_status_unknown_in_each_language(world: World, keys: Keys, lang: str,
                                                                 headline: str) -> None:
    """Issue 10 item 3: the page wording of AUTHENTIC_STATUS_UNKNOWN (not "invalid", never "valid")."""
    issued = issue(world)
    report = Verifier(keys.store.trust_list(), status_required=True).check(issued.revision.qr_text,
                                                                          at=ISSUED_AT + dt.timedelta(hours=1))
    assert report.verdict == "AUTHENTIC_STATUS_UNKNOWN"
    page = render_verdict(report, lang=lang)
    assert headline in page and 'data-verdict="AUTHENTIC_STATUS_UNKNOWN"' in page


def test_sync_fetches_the_lists_and_refuses_older_ones(client: TestClient, world: World, keys: Keys,
                                                       tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """`verify sync --from URL --dir DIR` against the service (its HTTP answers through the test client), then
    `verify check --offline --status-lists DIR`; a server that hands out an older status list or trust list is
    refused with a clear error and the files in use are kept (issue 12 item 4, docs/OFFLINE.md)."""
    issued = issue(world)
    replaced: dict[str, bytes] = {}

    def fetch(url: str) -> bytes:
        path = url.removeprefix("https://v.edu.kz")
        if path in replaced:
            return replaced[path]
        response = client.get(path)
        assert response.status_code == 200, response.text
        return response.content

    monkeypatch.setattr(offline, "fetch", fetch)
    folder = tmp_path / "synced"

    def cli(*args: str) -> tuple[int, str, str]:
        code = main(["--keys-dir", str(keys.store.path), "--base-url", BASE_URL, *args])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, err = cli("sync", "--from", "https://v.edu.kz", "--dir", str(folder))
    assert code == 0, err
    assert sorted(p.name for p in folder.iterdir()) == ["BD.cose", "index.json", "trust-list.json",
                                                        "verify-state.json", "verify-state.json.lock"]
    offline_check = ("check", "--offline", "--status-lists", str(folder), issued.revision.qr_text, "--json")
    code, out, _ = cli(*offline_check)
    report = json.loads(out)
    assert (code, report["verdict"], report["status_source"]) == (0, "VALID", "signed status list BD v1")
    old_list, old_trust = (folder / "BD.cose").read_bytes(), (folder / "trust-list.json").read_bytes()
    old_index = (folder / "index.json").read_bytes()

    annul(world, issued.document, at=later(30))
    assert cli("sync", "--from", "https://v.edu.kz", "--dir", str(folder))[0] == 0
    code, out, _ = cli(*offline_check)
    assert (code, json.loads(out)["verdict"]) == (1, "ANNULLED")
    current = (folder / "BD.cose").read_bytes()

    replaced["/api/v1/status-lists"] = old_index  # a server (or a cache) that hands out the older list
    replaced["/api/v1/status-lists/BD"] = old_list
    code, out, err = cli("sync", "--from", "https://v.edu.kz", "--dir", str(folder))
    assert code == 2 and "version 1 is older than version 2 already seen" in err and "BD.cose kept" in err
    assert (folder / "BD.cose").read_bytes() == current
    assert [e["version"] for e in json.loads((folder / "index.json").read_bytes())["lists"]] == [2]
    assert json.loads(cli(*offline_check)[1])["verdict"] == "ANNULLED"

    store = KeyStore(tmp_path / "keys-copy")
    shutil.copytree(keys.store.path, store.path)
    newer = store.export(at=utcnow())
    replaced.clear()
    replaced["/api/v1/trust-list"] = store.trust_list_path.read_bytes()
    assert cli("sync", "--from", "https://v.edu.kz", "--dir", str(folder))[0] == 0
    replaced["/api/v1/trust-list"] = old_trust
    code, _, err = cli("sync", "--from", "https://v.edu.kz", "--dir", str(folder))
    assert code == 2 and f"older than version {newer.version} already seen" in err and "kept" in err
    assert json.loads((folder / "trust-list.json").read_bytes())["payload"]["version"] == newer.version


def test_the_status_lists_are_rate_limited_like_the_trust_list(make_client: MakeClient, world: World) -> None:
    issue(world)
    client = make_client(rate_trust_list="3/minute")
    answers = [client.get(path).status_code for path in ("/api/v1/status-lists", "/api/v1/status-lists/BD",
                                                         "/api/v1/status-lists", "/api/v1/status-lists/BD")]
    assert answers == [200, 200, 200, 429]
    assert client.get("/api/v1/trust-list").status_code == 200  # a bucket of its own, at the same rate


def test_an_instance_that_may_only_read_serves_the_lists_stored(client: TestClient, world: World) -> None:
    """docs/DEPLOY.md: a public instance with a read-only role cannot sign a due list; it serves the list signed
    before (until its expiry) instead of failing."""
    issued = issue(world)
    assert [e["version"] for e in _index(client)["lists"]] == [1]  # type: ignore[union-attr]
    annul(world, issued.document, at=later(30))
    office = client.app.state.backoffice  # type: ignore[attr-defined]
    office.engine = make_engine(world.url, readonly=True)
    try:
        assert [e["version"] for e in _index(client)["lists"]] == [1]  # type: ignore[union-attr]
        assert client.get("/api/v1/status-lists/BD").status_code == 200
    finally:
        office.engine.dispose()


def test_metrics_give_each_series_status_list_version_and_expiry(client: TestClient, world: World) -> None:
    """Issue 14 item 8: an alert can fire before a published status list expires."""
    issue(world)
    entry = _index(client)["lists"][0]  # type: ignore[index]
    text = client.get("/metrics", headers=METRICS_HEADERS).text
    assert 'verify_status_list_version{series="BD"} 1.0' in text
    expiry = next(line for line in text.splitlines()
                  if line.startswith('verify_status_list_expiry_timestamp_seconds{series="BD"}'))
    assert float(expiry.rsplit(" ", 1)[1]) == dt.datetime.fromisoformat(
        str(entry["expires_at"]).replace("Z", "+00:00")).timestamp()
