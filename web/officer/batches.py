"""The console's batches: a batch issue running in a thread of this process, and its progress as the pages show it.

The form carries a fresh idempotency key; the registry stores it as `<BIN>:<key>` like the API, so a double
submit, a reload or a second worker continue the same batch and never issue twice. The run's progress is read from
the registry (the snapshot's graduates that have an original: `web.officer.service.batch_of_key`), so any worker
can answer the status; a run that failed (or a process that stopped) leaves the batch running, and its page offers
to continue it with the same key.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Final

from fastapi import Request

from verify import Error
from verify.registry.accounts import Identity
from verify.registry.models import BatchState
from verify.texts import Text

from ..deps import utcnow
from ..http.logging import get_logger
from ..problems.errors import problem_from_error
from ..problems.handlers import ProblemError
from ..runtime.backoffice import BackOffice
from ..ui.i18n import Translator
from . import service

KEPT_RUNS: Final = 200
"""Finished batch runs remembered by a process (their error messages); older ones are forgotten first."""


@dataclass
class BatchRun:
    """One batch running in a thread of this process: its progress and how it ended."""

    stored_key: str
    done: int = 0
    total: int = 0
    running: bool = True
    error: str | None = None
    error_text: Text | None = None
    issued: int | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def advance(self, done: int, total: int) -> None:
        """The registry's progress callback: (graduates done, graduates in the snapshot)."""
        with self.lock:
            self.done, self.total = done, total

    def end(self, *, issued: int | None = None, error: str | None = None, error_text: Text | None = None) -> None:
        """The run is over: finished (`issued`) or failed (`error`, in English; `error_text`, its `Text`)."""
        with self.lock:
            self.running, self.issued, self.error, self.error_text = False, issued, error, error_text


class BatchRuns:
    """The batch runs of one process, by their stored key (`<BIN>:<key>`)."""

    def __init__(self) -> None:
        self._runs: dict[str, BatchRun] = {}
        self._lock = threading.Lock()

    def get(self, stored_key: str) -> BatchRun | None:
        """The run of a key in this process, if any."""
        with self._lock:
            return self._runs.get(stored_key)

    def start(self, stored_key: str, work: Callable[[BatchRun], None]) -> BatchRun:
        """Run `work` in a new thread unless a run of the key is going on already (a double submit)."""
        with self._lock:
            current = self._runs.get(stored_key)
            if current is not None and current.running:
                return current
            run = BatchRun(stored_key=stored_key)
            self._runs.pop(stored_key, None)
            self._runs[stored_key] = run
            finished = [key for key, old in self._runs.items() if not old.running]
            for key in finished[:max(0, len(self._runs) - KEPT_RUNS)]:
                del self._runs[key]
        threading.Thread(target=work, args=(run,), name=f"console-batch-{stored_key[-12:]}", daemon=True).start()
        return run


_RUNS_LOCK = threading.Lock()


def runs_of(request: Request) -> BatchRuns:
    """The batch runs of the app serving the request (made on first use)."""
    state = request.app.state
    with _RUNS_LOCK:
        runs: BatchRuns | None = getattr(state, "console_batch_runs", None)
        if runs is None:
            runs = BatchRuns()
            state.console_batch_runs = runs
    return runs


def batch_work(office: BackOffice, identity: Identity, group: str, blank_series: str | None) -> Callable[[BatchRun],
                                                                                                          None]:
    """What a run's thread does: the officer service's batch of the run's key, its progress, how it ended."""
    def work(run: BatchRun) -> None:
        try:
            result = service.run_batch(office, identity, group=group, stored_key=run.stored_key,
                                       blank_series=blank_series, at=utcnow(), progress=run.advance)
            run.end(issued=result.issued)
        except Error as exc:
            problem = problem_from_error(exc)
            run.end(error=str(problem.detail), error_text=problem.text)
        except Exception as exc:  # the thread must record any failure; the page offers to continue
            get_logger().error("console batch failed", extra={"error": type(exc).__name__})
            run.end(error="the server failed; the failure was logged", error_text=Text("e_batch_server_failed"))

    return work


@dataclass(frozen=True, slots=True)
class BatchStatus:
    """A batch's progress as the page and the status JSON show it.

    Attributes:
        key: the key as the officer gave it; group: the study group.
        state: "starting" (the thread has not recorded the batch yet), "running", "done", "failed" (the run in
            this process stopped with `error`) or "stalled" (running in the registry, but not in this process:
            another worker runs it, or a process stopped; continuing with the key is safe).
        done, total: graduates of the snapshot that have their original, and all of them.
        error: why the run failed (the registry's words, in English); error_text: the same as a `Text`, which the
            page says in its language (None where the refusal has none).
    """

    key: str
    group: str
    state: str
    done: int
    total: int
    error: str | None = None
    batch_id: int | None = None
    error_text: Text | None = None

    @property
    def finished(self) -> bool:
        """This process will do nothing more for the batch (done, or the run here failed)."""
        return self.state in ("done", "failed")


def batch_status(request: Request, office: BackOffice, identity: Identity, *, stored_key: str,
                 key: str) -> BatchStatus:
    """The progress of the officer's batch with this key, from the registry and this process's run.

    Raises:
        ProblemError: not-found, no batch with the key in the institution nor a run of it here.
    """
    run = runs_of(request).get(stored_key)
    state = service.batch_of_key(office, identity, stored_key=stored_key)
    if state is None:
        if run is None:
            raise ProblemError("not-found", "no batch with this key in your institution", text=Text("c_p_no_batch"))
        if run.running:
            return BatchStatus(key=key, group="", state="starting", done=0, total=0)
        return BatchStatus(key=key, group="", state="failed", done=0, total=0, error=run.error,
                           error_text=run.error_text)
    batch = state.batch
    total = len(batch.graduate_ids)
    if batch.state == BatchState.DONE.value:
        phase, error = "done", None
    elif run is not None and run.running:
        phase, error = "running", None
    elif run is not None and run.error is not None:
        phase, error = "failed", run.error
    else:
        phase, error = "stalled", None
    return BatchStatus(key=key, group=batch.study_group, state=phase, done=state.done, total=total, error=error,
                       batch_id=batch.id, error_text=run.error_text if error is not None and run is not None else None)


def progress_text(t: Translator, status: BatchStatus) -> str:
    """The batch's progress in words (the status line of the batch page)."""
    if status.state == "done":
        return t("c_batch_done", total=status.total)
    if status.state == "failed":
        return t("c_batch_failed", done=status.done, total=status.total)
    if status.state == "stalled":
        return t("c_batch_stalled", done=status.done, total=status.total)
    if status.state == "starting":
        return t("c_batch_starting")
    return t("c_batch_running", done=status.done, total=status.total)
