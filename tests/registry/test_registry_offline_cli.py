"""Offline verification through the command line on a registry world (issue 12 items 1, 4 and Done-when; issue 10
items 3, 4): `verify status-list export`, then `verify check --offline --status-lists DIR` gives every document
the verdict the registry gives online; lists older than one seen, expired, or signed by a document signer are
refused (AUTHENTIC_STATUS_UNKNOWN, never VALID); without a registry and without `--offline` an error says how
to point at one; a trust list older than one seen is refused after a restart.

Both engines run each test (conftest: `db_url` is parametrised); the commands run in process (`verify.cli.main`).
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from support.statuslists import lifecycle_world
from support.world import BASE_URL, World

from verify.cli import main
from verify.issue import render_record
from verify.keystore import KeyStore
from verify.registry.documents import signed_record_of
from verify.statuslist import build_status_list


class Cli:
    """`verify ...` in process with the world's database and keys; returns (exit status, stdout, stderr)."""

    def __init__(self, url: str, store: KeyStore, capsys: pytest.CaptureFixture[str]) -> None:
        self.base = ["--database-url", url, "--keys-dir", str(store.path), "--base-url", BASE_URL]
        self.capsys = capsys

    def __call__(self, *args: str) -> tuple[int, str, str]:
        code = main([*self.base, *args])
        out, err = self.capsys.readouterr()
        return code, out, err

    def verdict(self, *args: str) -> tuple[int, str]:
        code, out, err = self(*args, "--json")
        assert out, err
        report = json.loads(out)
        assert set(report) >= {"verdict", "status_source", "status_as_of"}
        return code, report["verdict"]


@pytest.fixture
def cli(status_world: World, status_keys: KeyStore, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> Cli:
    for name in ("VERIFY_TRUST_LIST", "VERIFY_ROOT_CERT", "VERIFY_KEY_PASSPHRASE"):
        monkeypatch.delenv(name, raising=False)
    return Cli(status_world.url, status_keys, capsys)


def test_every_document_gives_its_online_verdict_offline_from_exported_lists(cli: Cli, status_world: World,
                                                                              tmp_path: Path) -> None:
    revisions = lifecycle_world(status_world)
    lists = tmp_path / "lists"
    code, out, _ = cli("status-list", "export", "--out", str(lists))
    assert code == 0 and out.startswith("BD: version 1")
    assert sorted(p.name for p in lists.iterdir()) == ["BD.cose", "index.json"]
    expected = {"in_force": (0, "VALID"), "corrected_old": (1, "CORRECTED"), "corrected_new": (0, "VALID"),
                "replaced": (1, "REPLACED"), "duplicate": (0, "VALID"), "annulled": (1, "ANNULLED")}
    for name, revision in revisions.items():
        assert cli.verdict("check", revision.qr_text) == expected[name], name  # online
        assert cli.verdict("check", "--offline", "--status-lists", str(lists), revision.qr_text) == expected[name]
        code, out, _ = cli("check", "--offline", "--status-lists", str(lists), revision.qr_text, "--json")
        assert json.loads(out)["status_source"] == "signed status list BD v1"
    png = tmp_path / "replaced.png"
    png.write_bytes(render_record(signed_record_of(revisions["replaced"])).png)
    code, out, _ = cli("scan", "--offline", "--status-lists", str(lists), str(png), "--json")
    assert (code, json.loads(out)["verdict"]) == (1, "REPLACED")
    # without lists, offline: authentic, status unknown, exit 3 -- never VALID, also for the annulled one
    for name, revision in revisions.items():
        assert cli.verdict("check", "--offline", revision.qr_text) == (3, "AUTHENTIC_STATUS_UNKNOWN"), name


def test_without_a_registry_check_and_scan_say_how_to_point_at_one(cli: Cli, status_world: World,
                                                                   tmp_path: Path) -> None:
    revisions = lifecycle_world(status_world)
    missing = ["--database-url", f"sqlite:///{tmp_path / 'nowhere' / 'verify.db'}"]
    code, out, err = cli(*missing, "check", revisions["annulled"].qr_text)
    assert code == 2 and out == "" and "--database-url" in err and "--offline" in err
    png = tmp_path / "code.png"
    png.write_bytes(render_record(signed_record_of(revisions["annulled"])).png)
    code, out, err = cli(*missing, "scan", str(png))
    assert code == 2 and "--offline" in err
    code, out, _ = cli(*missing, "scan", "--offline", str(png), "--json")
    assert code == 3 and json.loads(out)["verdict"] == "AUTHENTIC_STATUS_UNKNOWN"
    assert cli("check", "--status-lists", str(tmp_path), revisions["in_force"].qr_text)[0] == 2


def test_older_expired_and_document_signed_lists_are_refused(cli: Cli, status_world: World, status_keys: KeyStore,
                                                             tmp_path: Path) -> None:
    revisions = lifecycle_world(status_world)
    lists, old = tmp_path / "lists", tmp_path / "old"
    assert cli("status-list", "export", "--out", str(old))[0] == 0
    assert cli("status-list", "export", "--out", str(lists), "--force")[0] == 0
    annulled = revisions["annulled"].qr_text
    offline = ("check", "--offline", "--status-lists", str(lists), annulled)
    assert cli.verdict(*offline) == (1, "ANNULLED")  # v2 seen: recorded in lists/verify-state.json
    shutil.copyfile(old / "BD.cose", lists / "BD.cose")  # one version older than the one seen
    code, out, err = cli(*offline, "--json")
    assert (code, json.loads(out)["verdict"]) == (3, "AUTHENTIC_STATUS_UNKNOWN")
    assert "version 1 is older than version 2 already seen" in err
    assert cli("status-list", "export", "--out", str(lists))[0] == 0  # the registry's v2 again
    later = (dt.datetime.now(dt.UTC) + dt.timedelta(days=8)).isoformat()
    code, out, err = cli(*offline, "--at", later, "--json")
    assert json.loads(out)["verdict"] == "AUTHENTIC_STATUS_UNKNOWN" and "expired" in err
    forged = build_status_list("BD", [], version=99, issued_at=dt.datetime.now(dt.UTC)).sign(status_keys.signer())
    (lists / "BD.cose").write_bytes(forged)  # signed by the document signer
    code, out, err = cli(*offline, "--json")
    assert json.loads(out)["verdict"] == "AUTHENTIC_STATUS_UNKNOWN" and "not a status signer" in err


def test_a_trust_list_older_than_one_seen_is_refused_after_a_restart(cli: Cli, status_world: World,
                                                                     status_keys: KeyStore, tmp_path: Path) -> None:
    """Issue 10 item 4's scenario: v4 revoked a signer; v3 comes back; the CLI refuses it and keeps v4's verdict."""
    revisions = lifecycle_world(status_world)
    folder = tmp_path / "offline"
    folder.mkdir()
    store = KeyStore(tmp_path / "keys")
    shutil.copytree(status_keys.path, store.path)
    older = store.trust_list_path.read_bytes()
    at = dt.datetime.now(dt.UTC)
    newer_list = store.revoke(store.signer().kid, compromised_at=at - dt.timedelta(days=400), at=at,
                              reason="key compromise")
    (folder / "older.json").write_bytes(older)
    (folder / "trust-list.json").write_bytes(store.trust_list_path.read_bytes())
    text = revisions["in_force"].qr_text
    base = ("--keys-dir", str(store.path), "--trust-list")
    code, out, _ = cli(*base, str(folder / "trust-list.json"), "check", "--offline", text, "--json")
    assert json.loads(out)["verdict"] == "SIGNER_REVOKED" and newer_list.version >= 2
    shutil.copyfile(folder / "older.json", folder / "trust-list.json")  # a restart, and the older list is back
    code, out, err = cli(*base, str(folder / "trust-list.json"), "check", "--offline", text)
    assert code == 2 and out == "" and f"older than version {newer_list.version} already seen" in err
    assert (folder / "verify-state.json").is_file()
