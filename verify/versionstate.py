"""The highest trust-list and status-list versions seen, persisted: rollback refused after a restart too.

A verifier MUST refuse a trust list or status list older than one it has seen (docs/FORMAT.md §6.4, §9.5).
Held only in memory, that rule forgets itself on every restart: v3 of a trust list loads again after v4 had
revoked a signer (issue 10 item 4). A `VersionState` remembers the highest version seen per key:

    trust-list/<root kid hex>                 one trust list per root (a development root never shares a
                                              counter with the production root)
    status-list/<root kid hex>/<series>       one status list per series under that root

Implementations:
    FileVersionState    a small JSON file beside the trust list (the CLI, `verify sync`, an offline verifier);
                        written atomically (temporary file, fsync, rename), read-modify-write under a lock
    MemoryVersionState  for tests and short-lived processes
The service will keep it in a registry table: any object with `highest` and `raise_to` fits the protocol.

Example (what the CLI does at start, and the service at every reload):
    >>> state = FileVersionState(state_path_beside(trust_list_path))                  # doctest: +SKIP
    >>> trust_list = accept_trust_list(trust_list_path.read_bytes(), root=root, state=state)  # doctest: +SKIP
A refused list raises `TrustListError` (for status lists `StatusListError`, see verify/statuslist.py); the
caller keeps the list it had.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol

from cryptography import x509

from .errors import VersionStateError
from .keys import compute_kid
from .trust import TrustList

STATE_FILE_NAME = "verify-state.json"
_STATE_TYPE = "verify-version-state"
_MAX_STATE_BYTES = 1024 * 1024


class VersionState(Protocol):
    """Where the highest version seen per key is kept (a file, a registry table, memory)."""

    def highest(self, key: str) -> int:
        """The highest version recorded for `key`, or 0 if none.

        Raises:
            VersionStateError: the state cannot be read.
        """
        ...

    def raise_to(self, key: str, version: int) -> None:
        """Record `version` for `key` if it is higher than the one recorded; never lowers it.

        Raises:
            VersionStateError: the state cannot be read or written.
        """
        ...


def trust_list_key(root: x509.Certificate) -> str:
    """The state key of the trust lists under `root`: `trust-list/<root kid hex>`."""
    return f"trust-list/{compute_kid(root).hex()}"


def status_list_key(root: x509.Certificate, series: str) -> str:
    """The state key of the status lists of `series` under `root`: `status-list/<root kid hex>/<series>`."""
    return f"status-list/{compute_kid(root).hex()}/{series}"


def state_path_beside(list_path: Path) -> Path:
    """The state file that goes with a trust list or a folder of lists: `verify-state.json` beside the file,
    or inside the folder."""
    return (list_path if list_path.is_dir() else list_path.parent) / STATE_FILE_NAME


def accept_trust_list(document: bytes | str | dict[str, Any], *, root: x509.Certificate,
                      state: VersionState) -> TrustList:
    """Load and verify a trust list, refuse it if older than the highest version seen, then record its version.

    Args:
        document: the trust list file's bytes (or text, or the parsed object).
        root: the configured root certificate.
        state: where the highest version seen is kept.

    Returns:
        The verified `TrustList`; `state` now holds at least its version.

    Raises:
        TrustListError: a bad list, or a rollback ("version 3 is older than version 4 already seen"); the
            state is not changed and the caller keeps the list it had.
        VersionStateError: the state cannot be read or written.
    """
    key = trust_list_key(root)
    trust_list = TrustList.from_json(document, root=root, min_version=state.highest(key))
    state.raise_to(key, trust_list.version)
    return trust_list


class MemoryVersionState:
    """A `VersionState` held in memory (tests; a process that must not write files).

    Args:
        initial: key -> version to start from.
    """

    def __init__(self, initial: dict[str, int] | None = None) -> None:
        self._highest = dict(initial or {})

    def highest(self, key: str) -> int:
        """As `VersionState.highest`."""
        return self._highest.get(key, 0)

    def raise_to(self, key: str, version: int) -> None:
        """As `VersionState.raise_to`."""
        self._highest[key] = max(version, self._highest.get(key, 0))


class FileVersionState:
    """A `VersionState` in a JSON file: `{"type": "verify-version-state", "format": 1, "highest": {key: n}}`.

    A missing file means nothing was seen. Every change is a read-modify-write under an exclusive lock on
    `<file>.lock` (processes that sync at the same time never lower each other's versions), written to a
    temporary file, flushed to disk and renamed over the old one, so a crash leaves either the old or the new
    state, never a torn one.

    Args:
        path: the state file, usually `state_path_beside(trust_list_path)`.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def highest(self, key: str) -> int:
        """As `VersionState.highest`."""
        return self._read().get(key, 0)

    def raise_to(self, key: str, version: int) -> None:
        """As `VersionState.raise_to` (atomic; under the lock)."""
        if type(version) is not int or version < 0:
            raise VersionStateError(f"{self.path}: a version must be a non-negative integer")
        with self._locked():
            current = self._read()
            if current.get(key, 0) >= version:
                return
            current[key] = version
            self._write(current)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        lock_path = self.path.with_name(self.path.name + ".lock")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise VersionStateError(f"{lock_path}: cannot open the lock ({exc.strerror})") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing releases the lock

    def _read(self) -> dict[str, int]:
        try:
            data = self.path.read_bytes()
        except FileNotFoundError:
            return {}
        except OSError as exc:
            raise VersionStateError(f"{self.path}: cannot read ({exc.strerror})") from None
        if len(data) > _MAX_STATE_BYTES:
            raise VersionStateError(f"{self.path}: over {_MAX_STATE_BYTES} bytes")
        try:
            doc = json.loads(data.decode("utf-8"))
        except (ValueError, RecursionError):
            raise VersionStateError(f"{self.path}: not a version state file (bad JSON)") from None
        highest = doc.get("highest") if isinstance(doc, dict) else None
        if not isinstance(doc, dict) or doc.get("type") != _STATE_TYPE or doc.get("format") != 1 \
                or not isinstance(highest, dict) \
                or not all(isinstance(k, str) and type(v) is int and v >= 0 for k, v in highest.items()):
            raise VersionStateError(f"{self.path}: not a version state file of format 1; fix or remove it by hand "
                                    "(removing it forgets which versions were seen)")
        return dict(highest)

    def _write(self, highest: dict[str, int]) -> None:
        doc = {"type": _STATE_TYPE, "format": 1, "highest": dict(sorted(highest.items()))}
        tmp = self.path.with_name(self.path.name + ".tmp")
        try:
            with open(tmp, "wb") as fh:
                fh.write(json.dumps(doc, indent=2).encode("utf-8") + b"\n")
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self.path)
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as exc:
            raise VersionStateError(f"{self.path}: cannot write ({exc.strerror})") from None

