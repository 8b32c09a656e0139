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

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text
from support.pgcluster import Cluster, replicated_cluster
from support.servers import wait_until_healthy
from support.web import METRICS_HEADERS, METRICS_TOKEN, Issued, bearer, issue, officer_token
from support.world import BASE_URL, Keys, World, build_world, new_key_store

from verify.registry.db import upgrade_database

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
LOOKUP_LIMIT = 20
CUT = -1
"""Status recorded for a request the proxy closed without an answer."""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of an environment file (comments and blank lines skipped)."""
    pairs = (line.split("=", 1) for line in path.read_text("utf-8").splitlines()
             if line.strip() and not line.lstrip().startswith("#"))
    return {key.strip(): value.strip() for key, value in pairs}


@dataclass
class Process:
    """A started server process (its own process group) and its log."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path
    url: str = ""

    def kill(self) -> None:
        """SIGKILL to the whole process group (the uvicorn supervisor and its workers), as a crash would."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def start(name: str, command: list[str], env: dict[str, str], workdir: Path) -> Process:
    log = workdir / f"{name}.log"
    with log.open("wb") as sink:
        process = subprocess.Popen(command, env=env, stdout=sink, stderr=subprocess.STDOUT, cwd=workdir,
                                   start_new_session=True)
    return Process(name=name, process=process, log=log)


@dataclass
class Running:
    """The whole cluster."""

    pg: Cluster
    world: World
    keys: Keys
    proxy: str
    instances: dict[str, Process]
    processes: list[Process] = field(default_factory=list)

    def metric(self, instance: str, pattern: str) -> float:
        """Sum of the samples whose line matches `pattern` in one instance's /metrics."""
        body = httpx.get(self.instances[instance].url + "/metrics", headers=METRICS_HEADERS, timeout=5).text
        return sum(float(line.rsplit(" ", 1)[1]) for line in body.splitlines() if re.match(pattern, line))


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    if shutil.which("haproxy") is None or shutil.which("redis-server") is None:
        reason = "haproxy and redis-server (Debian packages haproxy, redis-server) are needed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; the cluster test is required when CI=true")
        pytest.skip(reason)
    workdir = tmp_path_factory.mktemp("cluster")
    keys = Keys.of(new_key_store(workdir / "keys"))
    processes: list[Process] = []
    with replicated_cluster() as pg:
        upgrade_database(pg.primary_url)
        world = build_world(pg.primary_url, signer=keys.store.signer(), trust_list=keys.store.trust_list())
        try:
            redis_port = free_port()
            redis = start("redis", ["redis-server", "--port", str(redis_port), "--bind", "127.0.0.1", "--save", "",
                                    "--appendonly", "no"], dict(os.environ), workdir)
            processes.append(redis)
            instances: dict[str, Process] = {}
            for name in ("a", "b"):
                port = free_port()
                env = {**os.environ, **env_file(DEPLOY / "verify.env"),
                       "VERIFY_KEYS_DIR": str(keys.store.path), "VERIFY_BASE_URL": BASE_URL,
                       "VERIFY_DATABASE_URL": pg.primary_url, "VERIFY_DATABASE_REPLICA_URL": pg.replica_url,
                       "VERIFY_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                       "VERIFY_DATA_DIR": str(workdir / f"data-{name}"), "VERIFY_METRICS_TOKEN": METRICS_TOKEN,
                       "VERIFY_RATE_VERIFY": "1000000/minute", "VERIFY_RATE_LOOKUP": f"{LOOKUP_LIMIT}/hour"}
                env.pop("PROMETHEUS_MULTIPROC_DIR", None)
                instance = start(f"instance-{name}", [sys.executable, "-m", "web", "serve", "--host", "127.0.0.1",
                                                      "--port", str(port)], env, workdir)
                instance.url = f"http://127.0.0.1:{port}"
                processes.append(instance)
                instances[name] = instance
            for instance in instances.values():
                wait_until_healthy(instance.url, instance.process, instance.log, timeout_s=60)
            proxy_port = free_port()
            proxy = start("haproxy", ["haproxy", "-db", "-f", str(DEPLOY / "haproxy.cfg")],
                          {**os.environ, "VERIFY_PROXY_BIND": f"127.0.0.1:{proxy_port}",
                           "VERIFY_INSTANCE_A": instances["a"].url.removeprefix("http://"),
                           "VERIFY_INSTANCE_B": instances["b"].url.removeprefix("http://")}, workdir)
            processes.append(proxy)
            proxy_url = f"http://127.0.0.1:{proxy_port}"
            wait_until_healthy(proxy_url, proxy.process, proxy.log, timeout_s=30)
            yield Running(pg=pg, world=world, keys=keys, proxy=proxy_url, instances=instances, processes=processes)
        finally:
            for process in reversed(processes):
                process.stop()
            world.dispose()


def report(figure: str) -> None:
    """Print a check's figure where CI's log shows it (pytest captures stdout otherwise)."""
    sys.__stdout__.write(f"\n[cluster] {figure}\n")
    sys.__stdout__.flush()


def verify_text(url: str, qr_text: str) -> httpx.Response:
    return httpx.post(url + "/api/v1/verify", json={"qr_text": qr_text}, timeout=10)


def wait_for(condition: Callable[[], bool], *, seconds: float = 20.0) -> float:
    """Seconds until `condition` held."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < seconds, "not in time"
        time.sleep(0.02)
    return time.monotonic() - started


def test_1_verifications_through_the_proxy_read_from_the_replica(cluster: Running) -> None:
    issued = issue(cluster.world)
    before = sum(cluster.metric(name, r'verify_replica_reads_total\{target="replica"\}') for name in "ab")
    time.sleep(1.0)  # the guards' first samples
    answers = [verify_text(cluster.proxy, issued.revision.qr_text) for _ in range(20)]
    assert {a.status_code for a in answers} == {200} and {a.json()["verdict"] for a in answers} == {"VALID"}
    after = sum(cluster.metric(name, r'verify_replica_reads_total\{target="replica"\}') for name in "ab")
    report(f"requests served by the replica: {after - before:.0f} of 20")
    assert after - before >= 10


def test_2_a_duplicate_through_instance_a_is_seen_replaced_through_instance_b(cluster: Running) -> None:
    issued = issue(cluster.world)
    token, _ = officer_token(cluster.world, cluster.world.uni_issuer)
    path = f"/api/v1/officer/documents/{issued.document.series}/{issued.document.number}/duplicates"
    made = httpx.post(cluster.instances["a"].url + path, json={"reason": "lost"}, headers=bearer(token), timeout=30)
    assert made.status_code == 201, made.text
    seconds = wait_for(lambda: verify_text(cluster.instances["b"].url,
                                           issued.revision.qr_text).json()["verdict"] == "REPLACED", seconds=10)
    report(f"time until instance B saw the duplicate: {seconds:.2f} s (bound: 1 s lag + sampling)")
    assert seconds <= 1.5


def test_3_rate_limits_are_shared_across_instances(cluster: Running) -> None:
    issued = issue(cluster.world)
    body = {"series": issued.document.series, "number": issued.document.number, "surname": "Нет"}
    statuses = [httpx.post(cluster.instances["ab"[i % 2]].url + "/api/v1/lookup", json=body, timeout=10).status_code
                for i in range(LOOKUP_LIMIT + 10)]
    passed = sum(1 for s in statuses if s != 429)
    report(f"lookups passed through both instances: {passed} (limit {LOOKUP_LIMIT}/hour, shared in Redis)")
    assert passed == LOOKUP_LIMIT and statuses.count(429) == 10


def test_4_killing_an_instance_under_load_loses_no_write_and_no_answer(cluster: Running) -> None:
    originals = [issue(cluster.world) for _ in range(40)]
    head, _ = officer_token(cluster.world, cluster.world.uni_head)
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
                try:
                    answer = client.post(cluster.proxy + path, json={"basis": "order No. 7"}, headers=bearer(head))
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
    errors = sum(1 for s in statuses if s >= 500 or s == CUT)
    report(f"5xx or cut connections during the instance kill: {errors} of {len(statuses)} answers; accepted annulments: {len(accepted)}, "
           f"lost: {len(lost)}")
    assert errors == 0 and lost == [] and len(accepted) >= 30


def test_5_stopping_the_replica_sends_reads_to_the_primary_without_errors(cluster: Running) -> None:
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
