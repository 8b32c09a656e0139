"""A whole deployment on this machine, with real processes: the cluster of tests/cluster and bench/bench_cluster.py.

`running_cluster()` starts, on free ports of 127.0.0.1, and stops afterwards: a PostgreSQL primary and its
streaming replica (`support.pgcluster`), its own Redis, one or two `verify serve` instances (two workers each,
settings from deploy/verify.env) and HAProxy with deploy/haproxy.cfg: the files deploy/compose.yaml uses.
Each process runs in its own process group, so `Process.kill()` ends an instance as a crash would.
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
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from support.pgcluster import Cluster, replicated_cluster
from support.servers import wait_until_healthy
from support.web import METRICS_HEADERS, METRICS_TOKEN
from support.world import BASE_URL, Keys, World, build_world, new_key_store
from verify.registry.db import upgrade_database

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


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


@contextlib.contextmanager
def running_cluster(workdir: Path, *, instances: int = 2, env: dict[str, str] | None = None) -> Iterator[Running]:
    """The whole cluster (see the module docstring) until the block ends; `instances` 1 puts the one instance
    behind both of the proxy's server lines. `env` adds settings to every instance (after deploy/verify.env)."""
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
            started: dict[str, Process] = {}
            for name in "ab"[:instances]:
                port = free_port()
                settings = {**os.environ, **env_file(DEPLOY / "verify.env"),
                            "VERIFY_KEYS_DIR": str(keys.store.path), "VERIFY_BASE_URL": BASE_URL,
                            "VERIFY_DATABASE_URL": pg.primary_url, "VERIFY_DATABASE_REPLICA_URL": pg.replica_url,
                            "VERIFY_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
                            "VERIFY_DATA_DIR": str(workdir / f"data-{name}"), "VERIFY_METRICS_TOKEN": METRICS_TOKEN,
                            **(env or {})}
                settings.pop("PROMETHEUS_MULTIPROC_DIR", None)
                instance = start(f"instance-{name}", [sys.executable, "-m", "web", "serve", "--host", "127.0.0.1",
                                                      "--port", str(port)], settings, workdir)
                instance.url = f"http://127.0.0.1:{port}"
                processes.append(instance)
                started[name] = instance
            for instance in started.values():
                wait_until_healthy(instance.url, instance.process, instance.log, timeout_s=60)
            proxy_port = free_port()
            second = started.get("b", started["a"])
            proxy = start("haproxy", ["haproxy", "-db", "-f", str(DEPLOY / "haproxy.cfg")],
                          {**os.environ, "VERIFY_PROXY_BIND": f"127.0.0.1:{proxy_port}",
                           "VERIFY_INSTANCE_A": started["a"].url.removeprefix("http://"),
                           "VERIFY_INSTANCE_B": second.url.removeprefix("http://")}, workdir)
            processes.append(proxy)
            proxy_url = f"http://127.0.0.1:{proxy_port}"
            wait_until_healthy(proxy_url, proxy.process, proxy.log, timeout_s=30)
            yield Running(pg=pg, world=world, keys=keys, proxy=proxy_url, instances=started, processes=processes)
        finally:
            for process in reversed(processes):
                process.stop()
            world.dispose()


def tools_or_skip() -> None:
    """Skip (fail when CI=true) without haproxy and redis-server."""
    if shutil.which("haproxy") is None or shutil.which("redis-server") is None:
        reason = "haproxy and redis-server (Debian packages haproxy, redis-server) are needed"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; the cluster test is required when CI=true")
        pytest.skip(reason)
