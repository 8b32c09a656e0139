"""A PostgreSQL primary and its streaming replica, made by a test for itself and removed after.

`replicated_cluster()` runs `initdb` for a primary on a free port of 127.0.0.1 (its own directory under /tmp),
starts it with `wal_level=replica`, makes the replica with `pg_basebackup -R -X stream` (a standby that
streams from the primary: PostgreSQL 15 documentation §27.2, §26.3 and the pg_basebackup reference) and starts it
on another free port; at the end both are stopped (`pg_ctl stop -m immediate`) and their directories removed.

The server programs are the ones of the machine's PostgreSQL (Debian's /usr/lib/postgresql/<version>/bin). The
servers refuse to run as root, so as root they run as the `postgres` user (`runuser`). Without the programs the
tests skip with the reason, or fail when CI=true (the replica tests are required there).
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest


@dataclass(frozen=True)
class Cluster:
    """A running primary and replica: their SQLAlchemy URLs, directories and programs."""

    primary_url: str
    replica_url: str
    primary_dir: Path
    replica_dir: Path
    bindir: Path

    def pg_ctl(self, *args: str) -> None:
        """Run pg_ctl (as the servers' owner)."""
        _run([str(self.bindir / "pg_ctl"), *args])

    def stop_replica(self) -> None:
        """Stop the replica at once (as a crash would)."""
        self.pg_ctl("stop", "-D", str(self.replica_dir), "-m", "immediate")

    def start_replica(self) -> None:
        """Start the replica again (it catches up from the primary)."""
        self.pg_ctl("start", "-w", "-D", str(self.replica_dir), "-l", str(self.replica_dir / "server.log"))


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: list[str]) -> None:
    if os.geteuid() == 0:
        command = ["runuser", "-u", "postgres", "--", *command]
    subprocess.run(command, check=True, capture_output=True, timeout=120)


def bindir_or_skip() -> Path:
    """The PostgreSQL server programs' directory, or a skip (a failure when CI=true) saying why not."""
    bindir = _bindir()
    reason = None
    if bindir is None:
        reason = "PostgreSQL server programs (initdb, pg_ctl, pg_basebackup) are not installed"
    elif os.geteuid() == 0 and shutil.which("runuser") is None:
        reason = "running as root without runuser to start PostgreSQL as the postgres user"
    if reason is not None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; the replica tests are required when CI=true")
        pytest.skip(reason)
    assert bindir is not None
    return bindir


@contextlib.contextmanager
def replicated_cluster() -> Iterator[Cluster]:
    """A primary and its streaming replica on free ports until the block ends (see the module docstring)."""
    bindir = bindir_or_skip()
    base = Path(tempfile.mkdtemp(prefix="verify-pgcluster-", dir="/tmp"))
    base.chmod(0o755)
    primary, replica = base / "primary", base / "replica"
    primary_port, replica_port = _free_port(), _free_port()
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    started: list[Path] = []
    try:
        _run([str(bindir / "initdb"), "-D", str(primary), "-U", "postgres", "--auth=trust", "--no-sync",
              "-E", "UTF8", "--locale=C.UTF-8"])
        with (primary / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {primary_port}\nlisten_addresses = '127.0.0.1'\n"
                       f"unix_socket_directories = '{primary}'\nwal_level = replica\nmax_wal_senders = 4\n"
                       "fsync = off\nfull_page_writes = off\nhot_standby = on\n")
        _run([str(bindir / "pg_ctl"), "start", "-w", "-D", str(primary), "-l", str(primary / "server.log")])
        started.append(primary)
        _run([str(bindir / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary_port), "-U", "postgres",
              "-D", str(replica), "-R", "-X", "stream", "--no-sync"])
        with (replica / "postgresql.conf").open("a") as conf:
            conf.write(f"port = {replica_port}\nunix_socket_directories = '{replica}'\n")
        _run([str(bindir / "pg_ctl"), "start", "-w", "-D", str(replica), "-l", str(replica / "server.log")])
        started.append(replica)
        yield Cluster(primary_url=f"postgresql+psycopg://postgres@127.0.0.1:{primary_port}/postgres",
                      replica_url=f"postgresql+psycopg://postgres@127.0.0.1:{replica_port}/postgres",
                      primary_dir=primary, replica_dir=replica, bindir=bindir)
    finally:
        for directory in reversed(started):
            with contextlib.suppress(subprocess.CalledProcessError, subprocess.TimeoutExpired):
                _run([str(bindir / "pg_ctl"), "stop", "-D", str(directory), "-m", "immediate"])
        shutil.rmtree(base, ignore_errors=True)
