"""A bounded pool of decoding processes: pictures are decoded out of the server process, one job per process.

Why not `concurrent.futures.ProcessPoolExecutor`: it cannot kill the one process whose job ran over its time
(only break the whole pool, failing every other job), it unpickles results, and its "spawn" start method
re-imports the server's main module in every worker. Here each worker is a fresh interpreter running
`python -m web.runtime.scanworker`, connected by a socket pair of its own (a `multiprocessing.connection.Connection` on
each side), capped by RLIMIT_AS.

Guarantees:

* at most `workers` pictures are decoded at once, and at most `queue` more wait for a process; one more job is
  refused at once with `PoolBusyError` (the route answers 503 with Retry-After);
* a job that runs over `timeout_s` seconds gets its process killed and replaced, and fails with
  `ScanFailedError("UNREADABLE_IMAGE")`; the other processes go on;
* a process that dies (a crash in a decoder library, the memory cap) is replaced the same way;
* `scan()` blocks the calling thread only: routes call it from the threadpool (plain `def` routes), so a slow
  picture never holds the event loop and other requests keep being answered.

Processes start on the first job (or `start()`), not when the pool is made; `close()` ends them.
"""

from __future__ import annotations

import json
import math
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from queue import Empty, Queue
from typing import Final, NoReturn

from ..http.logging import get_logger

_MAX_ANSWER_BYTES: Final = 1024 * 1024
_START_TIMEOUT_S: Final = 60.0
_JOIN_TIMEOUT_S: Final = 2.0


class PoolBusyError(Exception):
    """Every process is busy and the queue is full (or the pool is closing): answer 503 and retry later."""


class ScanFailedError(Exception):
    """The picture stage failed.

    Attributes:
        code: the `verify.Error` code of the stage: IMAGE_TOO_LARGE, UNSUPPORTED_IMAGE, UNREADABLE_IMAGE,
            NO_QR_CODE.
        detail: a sentence for a person.
    """

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(eq=False)
class _Worker:
    process: subprocess.Popen[bytes]
    conn: Connection
    ready: bool = field(default=False)


class ScanPool:
    """Decodes pictures in separate, capped, replaceable processes (see the module docstring).

    Args:
        workers: decoding processes (VERIFY_SCAN_WORKERS).
        queue: jobs that may wait for a process beyond those running (VERIFY_SCAN_QUEUE).
        timeout_s: seconds one job may take before its process is killed (VERIFY_SCAN_TIMEOUT_S).
        memory_bytes: address-space cap of each process, in bytes (VERIFY_SCAN_MEMORY_MIB).
        max_image_bytes, max_pixels: the caps the processes apply again (`verify.scan.ScanLimits`).
        on_change: called with (waiting, busy) whenever either changes (metrics).
    """

    def __init__(self, *, workers: int, queue: int, timeout_s: float, memory_bytes: int, max_image_bytes: int,
                 max_pixels: int, on_change: Callable[[int, int], None] | None = None) -> None:
        if workers < 1 or queue < 0 or timeout_s <= 0:
            raise ValueError("ScanPool: workers >= 1, queue >= 0 and timeout_s > 0 are required")
        self.workers = workers
        self.queue = queue
        self.timeout_s = timeout_s
        self.memory_bytes = memory_bytes
        self.max_image_bytes = max_image_bytes
        self.max_pixels = max_pixels
        self._on_change = on_change
        self._idle: Queue[_Worker] = Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._started = False
        self._closed = False
        self._waiting = 0
        self._busy = 0
        rounds = math.ceil((workers + queue) / workers)
        self._max_wait_s = rounds * (timeout_s + 5.0)

    # ------------------------------------------------------------------ state
    @property
    def waiting(self) -> int:
        """Jobs admitted and waiting for a process."""
        return self._waiting

    @property
    def busy(self) -> int:
        """Jobs being decoded now."""
        return self._busy

    @property
    def retry_after_s(self) -> int:
        """Seconds a refused client should wait: one job's time limit, rounded up."""
        return max(1, math.ceil(self.timeout_s))

    def _changed(self) -> None:
        if self._on_change is not None:
            self._on_change(self._waiting, self._busy)

    # ------------------------------------------------------------------ processes
    def _spawn(self) -> _Worker:
        server_end, worker_end = socket.socketpair()
        try:
            fd = worker_end.fileno()
            command = [sys.executable, "-m", "web.runtime.scanworker", str(fd), str(self.memory_bytes),
                       str(self.max_image_bytes), str(self.max_pixels)]
            process = subprocess.Popen(command, pass_fds=(fd,), stdin=subprocess.DEVNULL,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            worker_end.close()
        worker = _Worker(process=process, conn=Connection(server_end.detach()))
        with self._lock:
            self._all.add(worker)
        return worker

    def _end(self, worker: _Worker) -> None:
        """Kill a worker and forget it."""
        with self._lock:
            self._all.discard(worker)
        worker.conn.close()
        if worker.process.poll() is None:
            worker.process.kill()
        try:
            worker.process.wait(_JOIN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            get_logger().warning("a decoding process did not end after SIGKILL", extra={"pid": worker.process.pid})

    def _replace(self, worker: _Worker) -> None:
        """Kill a worker and put a fresh one in the idle queue (unless the pool is closing)."""
        self._end(worker)
        if not self._closed:
            self._idle.put(self._spawn())

    def start(self) -> None:
        """Start the processes (done by the first job otherwise); they import the decoders in the background."""
        with self._lock:
            if self._started or self._closed:
                return
            self._started = True
        for _ in range(self.workers):
            self._idle.put(self._spawn())

    def close(self) -> None:
        """End every process; jobs still admitted fail with `PoolBusyError` or see their process killed."""
        with self._lock:
            self._closed = True
            workers = list(self._all)
        for worker in workers:
            self._end(worker)

    # ------------------------------------------------------------------ jobs
    def scan(self, data: bytes) -> list[str]:
        """Decode one picture in a worker process; blocks the calling thread (never call it on the event loop).

        Args:
            data: the picture bytes (already checked by `verify.scan.probe_image`).

        Returns:
            The QR texts found, in reading order; never empty.

        Raises:
            PoolBusyError: every process busy and the queue full, no process free in time, or the pool closed.
            ScanFailedError: the picture stage failed (its `code` says which), the job ran over `timeout_s`, or
                the process died on the picture.
        """
        self.start()
        with self._lock:
            if self._closed:
                raise PoolBusyError("the decoding pool is shutting down")
            if self._waiting + self._busy >= self.workers + self.queue:
                raise PoolBusyError(f"all {self.workers} decoders are busy and {self.queue} pictures are waiting")
            self._waiting += 1
        self._changed()
        worker: _Worker | None = None
        try:
            worker = self._idle.get(timeout=self._max_wait_s)
        except Empty:
            raise PoolBusyError("no decoder became free in time") from None
        finally:
            with self._lock:
                self._waiting -= 1
                if worker is not None:
                    self._busy += 1
            self._changed()
        try:
            return self._run(worker, data)
        finally:
            with self._lock:
                self._busy -= 1
            self._changed()

    def _run(self, worker: _Worker, data: bytes) -> list[str]:
        """One job on `worker`; the worker (or its replacement) is back in the idle queue on return."""
        if self._closed:
            self._end(worker)
            raise PoolBusyError("the decoding pool is shutting down")
        try:
            if not worker.ready:
                if not worker.conn.poll(_START_TIMEOUT_S):
                    raise _WorkerLostError("a decoder did not start")
                worker.conn.recv_bytes(_MAX_ANSWER_BYTES)
                worker.ready = True
            worker.conn.send_bytes(data)
            started = time.monotonic()
            if not worker.conn.poll(self.timeout_s):
                raise _WorkerTimeoutError(time.monotonic() - started)
            raw = worker.conn.recv_bytes(_MAX_ANSWER_BYTES)
        except _WorkerTimeoutError:
            get_logger().warning("decoding process killed: over its time", extra={"seconds": self.timeout_s})
            self._replace(worker)
            raise ScanFailedError("UNREADABLE_IMAGE",
                                  f"decoding took longer than {self.timeout_s:g} s; the picture was given up") from None
        except (_WorkerLostError, EOFError, OSError):
            get_logger().warning("decoding process lost", extra={"reason": f"exit {worker.process.poll()}"})
            self._replace(worker)
            raise ScanFailedError("UNREADABLE_IMAGE", "the decoder failed on this picture") from None
        self._idle.put(worker)
        return _parse_answer(raw)


class _WorkerTimeoutError(Exception):
    """The job ran over its time."""


class _WorkerLostError(Exception):
    """The process did not start or answer."""


def _parse_answer(raw: bytes) -> list[str]:
    """The texts of a worker's JSON answer, or its stage error as `ScanFailedError`."""
    try:
        answer = json.loads(raw)
    except ValueError:
        raise ScanFailedError("UNREADABLE_IMAGE", "the decoder gave no readable answer") from None
    if isinstance(answer, dict) and isinstance(answer.get("texts"), list) and answer["texts"] \
            and all(isinstance(t, str) for t in answer["texts"]):
        return list(answer["texts"])
    if isinstance(answer, dict) and isinstance(answer.get("error"), str):
        _raise(answer["error"], str(answer.get("detail", "")))
    raise ScanFailedError("UNREADABLE_IMAGE", "the decoder gave no readable answer")


def _raise(code: str, detail: str) -> NoReturn:
    known = {"IMAGE_TOO_LARGE", "UNSUPPORTED_IMAGE", "UNREADABLE_IMAGE", "NO_QR_CODE"}
    raise ScanFailedError(code if code in known else "UNREADABLE_IMAGE", detail[:300])

