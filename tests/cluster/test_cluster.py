"""The service as a ministry runs it, on this machine with real processes (issue 14 item 5; `make cluster-test`).

The test starts, on free ports of 127.0.0.1, and stops afterwards: a PostgreSQL primary and its streaming replica
(`support.pgcluster`), its own Redis, two `verify serve` instances with two workers each (settings from
deploy/verify.env), and HAProxy with deploy/haproxy.cfg, the files the compose file uses. It checks, and prints
the figure of each check:

* a verification through the proxy reads from the replica (replica reads counted by the instances' metrics);
* a duplicate issued through instance A is seen as REPLACED through instance B within the replica's lag bound;
* rate limits are shared: through both instances together no more lookups pass than the limit allows;
* killing instance A (SIGKILL to its whole process group) under load of verifications and annulments: no answer
  with a 5xx status through the proxy, and every annulment the proxy answered 200 is in the registry;
* stopping the replica sends reads to the primary with no 5xx.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
from sqlalchemy import text
from support.cluster import Running, running_cluster, tools_or_skip
from support.web import Issued, bearer, issue, officer_token

LOOKUP_LIMIT = 20
Report = Callable[[str], None]
CUT = -1
"""Status recorded for a request the proxy closed without an answer."""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    tools_or_skip()
    with running_cluster(tmp_path_factory.mktemp("cluster"), env={
            "VERIFY_RATE_VERIFY": "1000000/minute", "VERIFY_RATE_LOOKUP": f"{LOOKUP_LIMIT}/hour"}) as running:
        yield running


@pytest.fixture
def report(capsys: pytest.CaptureFixture[str]) -> Report:
    """Print a check's figure in the test run's own output (CI's log), past pytest's capture."""

    def write(figure: str) -> None:
        with capsys.disabled():
            print(f"\n[cluster] {figure}")

    return write


def verify_text(url: str, qr_text: str) -> httpx.Response:
    return httpx.post(url + "/api/v1/verify", json={"qr_text": qr_text}, timeout=10)


def wait_for(condition: Callable[[], bool], *, seconds: float = 20.0) -> float:
    """Seconds until `condition` held."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "not in time"
        time.sleep(0.02)
    return time.monotonic() - started


def test_1_verifications_through_the_proxy_read_from_the_replica(cluster: Running, report: Report) -> None:
    issued = issue(cluster.world)
    before = sum(cluster.metric(name, r'verify_replica_reads_total\{target="replica"\}') for name in "ab")
    time.sleep(1.0)  # the guards' first samples
    answers = [verify_text(cluster.proxy, issued.revision.qr_text) for _ in range(20)]
    assert {a.status_code for a in answers} == {200} and {a.json()["verdict"] for a in answers} == {"VALID"}
    after = sum(cluster.metric(name, r'verify_replica_reads_total\{target="replica"\}') for name in "ab")
    report(f"requests served by the replica: {after - before:.0f} of 20")
    assert after - before >= 10


def test_2_a_duplicate_through_instance_a_is_seen_replaced_through_instance_b(cluster: Running, report: Report) -> None:
    issued = issue(cluster.world)
    token, _ = officer_token(cluster.world, cluster.world.uni_issuer)
    head, _ = officer_token(cluster.world, cluster.world.uni_head)
    path = f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}/duplicates"
    applied = httpx.post(cluster.instances["a"].url + path, json={"reason": "lost"}, headers=bearer(token), timeout=30)
    assert applied.status_code == 202, applied.text
    made = httpx.post(f"{cluster.instances['a'].url}/api/v1/officer/applications/{applied.json()['number']}/approve",
                      headers=bearer(head), timeout=30)
    assert made.status_code == 200, made.text
    seconds = wait_for(lambda: verify_text(cluster.instances["b"].url,
                                           issued.revision.qr_text).json()["verdict"] == "REPLACED", seconds=10)
    report(f"time until instance B saw the duplicate: {seconds:.2f} s (bound: 1 s lag + sampling)")
    assert seconds <= 1.5


def test_3_rate_limits_are_shared_across_instances(cluster: Running, report: Report) -> None:
    issued = issue(cluster.world)
    body = {"series": issued.document.series, "number": issued.document.number, "surname": "Нет"}
    statuses = [httpx.post(cluster.instances["ab"[i % 2]].url + "/api/v1/lookup", json=body, timeout=10).status_code
                for i in range(LOOKUP_LIMIT + 10)]
    passed = sum(1 for s in statuses if s != 429)
    report(f"lookups passed through both instances: {passed} (limit {LOOKUP_LIMIT}/hour, shared in Redis)")
    assert passed == LOOKUP_LIMIT and statuses.count(429) == 10


def test_4_killing_an_instance_under_load_loses_no_write_and_no_answer(cluster: Running, report: Report) -> None:
    originals = [issue(cluster.world) for _ in range(40)]
    head, _ = officer_token(cluster.world, cluster.world.uni_head)
    registrar, _ = officer_token(cluster.world, cluster.world.uni_issuer)
    statuses: list[int] = []
    accepted: list[Issued] = []
    stop = threading.Event()

    def verifications() -> None:
        with httpx.Client(timeout=10) as client:
            while not stop.is_set():
                try:
                    statuses.append(client.post(cluster.proxy + "/api/v1/verify",
                                                json={"qr_text": originals[0].revision.qr_text}).status_code)
                except httpx.TransportError:  # the proxy closed the connection without an answer: as bad as a 5xx
                    statuses.append(CUT)

    def annulments() -> None:
        with httpx.Client(timeout=30) as client:
            for document in originals[1:]:
                path = f"/api/v1/officer/documents/{document.document.series}/{document.document.number}/annulment"
                try:  # the registrar applies, the head approves (the annulment takes effect then)
                    applied = client.post(cluster.proxy + path, json={"basis": "order No. 7"},
                                          headers=bearer(registrar))
                    statuses.append(applied.status_code)
                    if applied.status_code != 202:
                        continue
                    answer = client.post(f"{cluster.proxy}/api/v1/officer/applications/{applied.json()['number']}"
                                         "/approve", headers=bearer(head))
                except httpx.TransportError:
                    statuses.append(CUT)
                    continue
                statuses.append(answer.status_code)
                if answer.status_code == 200:
                    accepted.append(document)
                time.sleep(0.05)

    workers = [threading.Thread(target=verifications) for _ in range(3)] + [threading.Thread(target=annulments)]
    for worker in workers:
        worker.start()
    time.sleep(0.7)
    cluster.instances["a"].kill()
    workers[-1].join(60)
    time.sleep(1.0)
    stop.set()
    for worker in workers:
        worker.join(30)
    with cluster.world.engine.connect() as connection:
        annulled = {row[0] for row in connection.execute(text("SELECT number FROM documents WHERE state = 'annulled'"))}
    lost = [d.document.number for d in accepted if d.document.number not in annulled]
    errors, cut = sum(1 for s in statuses if s >= 500), statuses.count(CUT)
    report(f"5xx during the instance kill: {errors} of {len(statuses)} requests; connections closed without an "
           f"answer: {cut}; accepted annulments: {len(accepted)}, lost: {len(lost)}")
    assert errors == 0 and lost == [] and len(accepted) >= 30
    # A request whose answer was on its way when the instance died cannot always be resent by the proxy (README,
    # Limits): seen in 1 of about 1,400 requests in some runs, never more than a few.
    assert cut <= max(2, len(statuses) // 200)


def test_5_stopping_the_replica_sends_reads_to_the_primary_without_errors(cluster: Running, report: Report) -> None:
    issued = issue(cluster.world)
    cluster.pg.stop_replica()
    try:
        answers = [verify_text(cluster.proxy, issued.revision.qr_text) for _ in range(20)]
    finally:
        cluster.pg.start_replica()
    errors = sum(1 for a in answers if a.status_code >= 500)
    sources = {a.json().get("status_source") for a in answers if a.status_code == 200}
    report(f"replica stopped: {errors} 5xx of 20 verifications; status sources {sorted(map(str, sources))}")
    assert errors == 0 and {a.json()["verdict"] for a in answers} == {"VALID"}
