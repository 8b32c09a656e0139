"""Public reads from a streaming replica, never a verdict the replica is too stale to give (issue 14 item 4).

A primary and its streaming replica are started for this module (`support.pgcluster`). The replica's replay is
paused (`pg_wal_replay_pause()`, PostgreSQL 15 documentation Table 9.91) to play a replica that has not yet seen a
duplicate; the guard then sends the original's check to the primary, which answers REPLACED.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from support.pgcluster import Cluster, replicated_cluster
from support.web import METRICS_HEADERS, Issued, bearer, issue, officer_token, web_settings
from support.world import Keys, World, build_world, duplicate, later

from verify import Verifier
from verify.registry.db import make_engine, upgrade_database
from verify.registry.lookup import RegistryStatusLookup
from verify.registry.replica import REPLICA_SOURCE, ReplicaGuard, ReplicaRoutedLookup, lsn_value
from web.app import create_app

CHECK_AT = later(24 * 60)


@pytest.fixture(scope="module")
def cluster() -> Iterator[Cluster]:
    with replicated_cluster() as running:
        upgrade_database(running.primary_url)
        yield running


@pytest.fixture(scope="module")
def world(cluster: Cluster, keys: Keys) -> Iterator[World]:
    """The registry on the cluster's primary (one for the module: each test issues its own documents)."""
    built = build_world(cluster.primary_url, signer=keys.store.signer(), trust_list=keys.store.trust_list())
    yield built
    built.dispose()


def replica_sql(cluster: Cluster, statement: str) -> None:
    engine = make_engine(cluster.replica_url, autocommit=True, pooled=False)
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def wait_until(condition: Callable[[], bool], *, seconds: float = 20.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition did not come true in time"
        time.sleep(0.05)


def usable(guard: ReplicaGuard) -> bool:
    guard.sample()
    return guard.reading().as_of is not None


def test_lsn_values_compare_as_positions() -> None:
    assert lsn_value("0/3001178") == 0x3001178
    assert lsn_value("16/B374D848") == (0x16 << 32) | 0xB374D848
    assert lsn_value("1/0") > lsn_value("0/FFFFFFFF")
    with pytest.raises(ValueError, match="not a WAL position"):
        lsn_value("3001178")


def test_a_replica_that_has_not_replayed_a_duplicate_never_answers_valid_for_its_original(
        cluster: Cluster, world: World, keys: Keys) -> None:
    issued = issue(world)
    primary = make_engine(cluster.primary_url, readonly=True, autocommit=True)
    replica = make_engine(cluster.replica_url, readonly=True, autocommit=True)
    guard = ReplicaGuard(primary=primary, replica=replica, max_lag_s=0.5)
    targets: list[str] = []
    routed = ReplicaRoutedLookup(primary=RegistryStatusLookup(primary, details=True),
                                 replica=RegistryStatusLookup(replica, details=True), guard=guard,
                                 on_read=targets.append)
    verifier = Verifier(keys.trust_list, status_lookup=routed)
    try:
        wait_until(lambda: usable(guard))
        report = verifier.check(issued.revision.qr_text, at=CHECK_AT)
        assert (report.verdict, targets[-1], report.status_source) == ("VALID", "replica", REPLICA_SOURCE)
        assert report.status_as_of is not None and report.status_as_of <= CHECK_AT

        replica_sql(cluster, "SELECT pg_wal_replay_pause()")
        duplicate(world, issued.document, at=later(60))
        time.sleep(0.6)  # longer than max_lag_s: the replica's last good sample ages past the bound
        guard.sample()
        assert guard.reading().as_of is None and "lags" in guard.reading().reason
        report = verifier.check(issued.revision.qr_text, at=CHECK_AT)
        assert (report.verdict, targets[-1]) == ("REPLACED", "primary")

        replica_sql(cluster, "SELECT pg_wal_replay_resume()")
        wait_until(lambda: usable(guard))
        report = verifier.check(issued.revision.qr_text, at=CHECK_AT)
        assert (report.verdict, targets[-1]) == ("REPLACED", "replica")
    finally:
        replica_sql(cluster, "SELECT pg_wal_replay_resume()")
        primary.dispose()
        replica.dispose()


def test_this_instances_own_write_is_read_from_the_primary_until_the_replica_has_it(
        cluster: Cluster, world: World, keys: Keys) -> None:
    issued = issue(world)
    primary = make_engine(cluster.primary_url, readonly=True, autocommit=True)
    replica = make_engine(cluster.replica_url, readonly=True, autocommit=True)
    guard = ReplicaGuard(primary=primary, replica=replica, max_lag_s=60)
    try:
        wait_until(lambda: usable(guard))
        replica_sql(cluster, "SELECT pg_wal_replay_pause()")
        duplicate(world, issued.document, at=later(60))
        guard.note_write()
        guard.sample()
        assert guard.reading().as_of is None  # within the 60 s bound, but not past this instance's write
        replica_sql(cluster, "SELECT pg_wal_replay_resume()")
        wait_until(lambda: usable(guard))
    finally:
        replica_sql(cluster, "SELECT pg_wal_replay_resume()")
        primary.dispose()
        replica.dispose()


def replica_reads(client: TestClient, target: str) -> float:
    text_ = client.get("/metrics", headers=METRICS_HEADERS).text
    match = re.search(rf'^verify_replica_reads_total{{target="{target}"}} ([0-9.]+)$', text_, re.MULTILINE)
    return float(match.group(1)) if match else 0.0


def test_the_service_verifies_through_the_replica_and_through_the_primary_when_it_stops(
        cluster: Cluster, world: World, keys: Keys, tmp_path: Path) -> None:
    issued: Issued = issue(world)
    settings = web_settings(world, keys, tmp_path, database_replica_url=cluster.replica_url, replica_max_lag_s=2)
    with TestClient(create_app(settings)) as client:
        guard = client.app.state.services.replica.guard  # type: ignore[attr-defined]
        wait_until(lambda: guard.reading().as_of is not None)
        answer = client.post("/api/v1/verify", json={"qr_text": issued.revision.qr_text})
        assert answer.status_code == 200 and answer.json()["verdict"] == "VALID"
        assert answer.json()["status_source"] == REPLICA_SOURCE
        page = client.get("/V/" + issued.revision.qr_text.split("/V/", 1)[1], headers={"Accept": "application/json"})
        assert page.status_code == 200 and page.json()["verdict"] == "VALID"
        assert replica_reads(client, "replica") >= 2
        lag = float(re.search(r"^verify_replica_lag_seconds ([-0-9.e]+)$",
                              client.get("/metrics", headers=METRICS_HEADERS).text, re.MULTILINE).group(1))  # type: ignore[union-attr]
        assert 0 <= lag <= 2

        cluster.stop_replica()
        try:
            wait_until(lambda: guard.reading().as_of is None)
            for _ in range(5):
                answer = client.post("/api/v1/verify", json={"qr_text": issued.revision.qr_text})
                assert answer.status_code == 200 and answer.json()["verdict"] == "VALID"
                assert answer.json()["status_source"] == "registry"
            assert replica_reads(client, "primary") >= 5
        finally:
            cluster.start_replica()


def test_an_annulment_through_this_instance_is_seen_at_once_though_the_replica_has_not_replayed_it(
        cluster: Cluster, world: World, keys: Keys, tmp_path: Path) -> None:
    """Read your own writes: the head annuls through the API while the replica's replay is paused; the very next
    public check through the same instance says ANNULLED (from the primary), within the replica's lag bound."""
    issued = issue(world)
    head_token, _ = officer_token(world, world.uni_head)
    registrar_token, _ = officer_token(world, world.uni_issuer)
    settings = web_settings(world, keys, tmp_path, database_replica_url=cluster.replica_url, replica_max_lag_s=60)
    with TestClient(create_app(settings)) as client:
        guard = client.app.state.services.replica.guard  # type: ignore[attr-defined]
        wait_until(lambda: guard.reading().as_of is not None)
        replica_sql(cluster, "SELECT pg_wal_replay_pause()")
        try:
            path = f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}/annulment"
            applied = client.post(path, json={"basis": "order No. 41"}, headers=bearer(registrar_token))
            assert applied.status_code == 202, applied.text
            annulled = client.post(f"/api/v1/officer/applications/{applied.json()['number']}/approve",
                                   headers=bearer(head_token))
            assert annulled.status_code == 200, annulled.text
            answer = client.post("/api/v1/verify", json={"qr_text": issued.revision.qr_text})
            assert answer.json()["verdict"] == "ANNULLED" and answer.json()["status_source"] == "registry"
        finally:
            replica_sql(cluster, "SELECT pg_wal_replay_resume()")
