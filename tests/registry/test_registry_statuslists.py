"""The registry's signed status lists (issue 12 item 1): dirty in the same transaction, signed only when due, one
version at a time, and every document's verdict from the list equal to the registry's.

Both engines run each test (conftest: `db_url` is parametrised).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlmodel import Session
from support.statuslists import lifecycle_world
from support.world import BASE_URL, Keys, World, issue_row, later, new_key_store, row

from verify.codec import qr_prefix
from verify.errors import StatusListError
from verify.keystore import KeyStore
from verify.registry.db import make_engine
from verify.registry.lifecycle import annul_document
from verify.registry.models import Document, StatusListRow
from verify.registry.statuslists import RegistryVersionState, any_due, published_lists, sign_due_lists
from verify.statuslookup import StatusListLookup, verify_status_list
from verify.verifier import Verifier

SIGNED_AT = later(60)


def row_of(world: World, series: str) -> StatusListRow | None:
    with Session(world.engine) as session:
        return session.get(StatusListRow, series)


def test_every_verdict_from_the_signed_list_is_the_registry_s(status_world: World, status_keys: KeyStore) -> None:
    revisions = lifecycle_world(status_world)
    assert sign_due_lists(engine=status_world.engine, keys=status_keys, at=SIGNED_AT) == ["BD"]
    stored = row_of(status_world, "BD")
    assert stored is not None and stored.cose is not None and (stored.version, stored.dirty) == (1, False)
    trust_list = status_keys.trust_list()
    signed = verify_status_list(stored.cose, trust_list=trust_list, at=SIGNED_AT, series="BD")
    assert signed.count == 5 and signed.issued_at == SIGNED_AT
    offline = Verifier(trust_list, status_lookup=StatusListLookup([signed]), status_required=True,
                       accepted_prefixes=(qr_prefix(BASE_URL),))
    online = status_world.verifier()
    verdicts = {}
    for name, revision in revisions.items():
        theirs = online.check(revision.qr_text, at=later(61))
        mine = offline.check(revision.qr_text, at=later(61))
        assert mine.verdict == theirs.verdict, name
        verdicts[name] = mine.verdict
        assert mine.to_json()["status_source"] == "signed status list BD v1"
    assert verdicts == {"in_force": "VALID", "corrected_old": "CORRECTED", "corrected_new": "VALID",
                        "replaced": "REPLACED", "duplicate": "VALID", "annulled": "ANNULLED"}


def test_a_change_marks_its_series_dirty_in_its_own_transaction(status_world: World, status_keys: KeyStore) -> None:
    document, _ = issue_row(status_world, row(2))
    assert row_of(status_world, "BD").dirty  # type: ignore[union-attr]
    sign_due_lists(engine=status_world.engine, keys=status_keys, at=later(5))
    assert not row_of(status_world, "BD").dirty  # type: ignore[union-attr]
    with Session(status_world.engine, expire_on_commit=False) as session:  # a change rolled back marks nothing
        loaded = session.get(Document, document.id)
        assert loaded is not None
        loaded.state = "annulled"
        session.add(loaded)
        session.flush()
        session.rollback()
    assert not row_of(status_world, "BD").dirty  # type: ignore[union-attr]
    with Session(status_world.engine, expire_on_commit=False) as session:
        annul_document(session=session, officer=status_world.uni_head, series="BD", number=document.number,
                       basis="order No. 17", at=later(6))
    assert row_of(status_world, "BD").dirty  # type: ignore[union-attr]


def test_only_due_series_are_signed_and_versions_go_up(status_world: World, status_keys: KeyStore) -> None:
    issue_row(status_world, row(2))
    issue_row(status_world, row(3, doc_type="MD", programme="7M06101"))
    assert sign_due_lists(engine=status_world.engine, keys=status_keys, at=later(5)) == ["BD", "MD"]
    assert sign_due_lists(engine=status_world.engine, keys=status_keys, at=later(6)) == []
    with Session(status_world.engine) as session:
        assert not any_due(session, at=later(6))
    issue_row(status_world, row(4), at=later(7))
    assert sign_due_lists(engine=status_world.engine, keys=status_keys, at=later(8)) == ["BD"]
    assert (row_of(status_world, "BD").version, row_of(status_world, "MD").version) == (2, 1)  # type: ignore[union-attr]
    # a list at its next update (24 h) is due again, so that no published list goes stale
    next_day = later(5) + dt.timedelta(hours=24)
    assert sign_due_lists(engine=status_world.engine, keys=status_keys, at=next_day) == ["MD"]
    assert sign_due_lists(engine=status_world.engine, keys=status_keys, at=later(9), force=True) == ["BD", "MD"]
    with Session(status_world.engine) as session:
        assert [(r.series, r.version) for r in published_lists(session)] == [("BD", 3), ("MD", 3)]


def test_a_key_store_without_a_status_signer_is_a_clear_error(status_world: World, tmp_path: Path) -> None:
    issue_row(status_world, row(2))
    bare = new_key_store(tmp_path / "bare")
    with pytest.raises(StatusListError, match="verify keys rotate --usage status"):
        sign_due_lists(engine=status_world.engine, keys=bare, at=later(5))
    assert row_of(status_world, "BD").dirty  # type: ignore[union-attr]


def test_the_registry_remembers_the_highest_version_seen(world: World, keys: Keys) -> None:
    state = RegistryVersionState(world.engine)
    assert state.highest("trust-list/ab") == 0 and state.kept("trust-list/ab") is None
    state.keep("trust-list/ab", 4, b"v4")
    state.raise_to("trust-list/ab", 3)
    assert state.kept("trust-list/ab") == (4, b"v4")
    again = RegistryVersionState(world.engine)  # another process, after a restart
    assert again.highest("trust-list/ab") == 4
    again.raise_to("trust-list/ab", 5)
    assert again.kept("trust-list/ab") == (5, None)


def test_two_instances_at_once_sign_one_version(status_world: World, status_keys: KeyStore) -> None:
    """Both see BD due; the row lock (PostgreSQL FOR UPDATE, SQLite BEGIN IMMEDIATE) lets one sign, and the other
    finds it no longer due."""
    from concurrent.futures import ThreadPoolExecutor

    issue_row(status_world, row(2))
    engines = [make_engine(status_world.url) for _ in range(4)]
    try:
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda e: sign_due_lists(engine=e, keys=status_keys, at=later(5)), engines))
    finally:
        for engine in engines:
            engine.dispose()
    assert sorted(results) == [[], [], [], ["BD"]]
    assert row_of(status_world, "BD").version == 1  # type: ignore[union-attr]


def test_a_series_outside_the_signer_s_scope_holds_up_no_other(status_world: World, tmp_path: Path) -> None:
    store = new_key_store(tmp_path / "scoped")
    store.rotate(at=later(1), usage="status", series=frozenset({"MD"}))
    issue_row(status_world, row(2))
    issue_row(status_world, row(3, doc_type="MD", programme="7M06101"))
    with pytest.raises(StatusListError, match=r"series BD is outside the status signer's scope.*signed: MD"):
        sign_due_lists(engine=status_world.engine, keys=store, at=later(5))
    assert row_of(status_world, "MD").version == 1 and row_of(status_world, "BD").dirty  # type: ignore[union-attr]
