"""A folder of signed status lists and its index (docs/FORMAT.md §9.8): what `verify status-list export`, `verify
sync` and `GET /api/v1/status-lists` write.

    IndexEntry.of_list(cose, status_list)   one entry: series, version, times, size and SHA-256 of the bytes
    index_document(entries, generated_at)   the index JSON (bytes), I-JSON, schema status-list-index.schema.json
    parse_index(data) -> list[IndexEntry]   read one back (schema-checked; nothing in it is trusted)
    write_folder(folder, lists, index)      `<series>.cose` files first, `index.json` last, each atomically

The index is not signed: it only says which lists exist and what their bytes hash to. A verifier verifies every
list on its own (`verify.statuslookup.verify_status_list`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from .errors import StatusListError
from .statuslist import StatusList
from .trust import format_time, parse_time

INDEX_FILE: Final = "index.json"
INDEX_TYPE: Final = "verify-status-list-index"
#: The file of one series' list in a folder (as `verify.statuslookup.STATUS_LIST_SUFFIX`).
LIST_SUFFIX: Final = ".cose"
MAX_INDEX_BYTES: Final = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class IndexEntry:
    """One list of an index (docs/FORMAT.md §9.8).

    Attributes:
        series: the series; its file is `<series>.cose`.
        version, issued_at, next_update, expires_at: keys 3-6 of the list's payload (aware UTC, whole seconds).
        size: the size of the COSE bytes (the member `bytes`).
        sha256: lower-case hex SHA-256 of the COSE bytes; `etag` is it in double quotes.
    """

    series: str
    version: int
    issued_at: dt.datetime
    next_update: dt.datetime
    expires_at: dt.datetime
    size: int
    sha256: str

    @classmethod
    def of_list(cls, cose: bytes, status_list: StatusList) -> IndexEntry:
        """The entry of a signed list (its bytes and the list they hold)."""
        return cls(series=status_list.series, version=status_list.version, issued_at=status_list.issued_at,
                   next_update=status_list.next_update, expires_at=status_list.expires_at, size=len(cose),
                   sha256=hashlib.sha256(cose).hexdigest())

    @property
    def etag(self) -> str:
        """The strong entity tag of the list's URL (RFC 9110 §8.8.3): the SHA-256 in double quotes."""
        return f'"{self.sha256}"'

    def to_json(self) -> dict[str, Any]:
        """The entry's JSON member."""
        return {"series": self.series, "version": self.version, "issued_at": format_time(self.issued_at),
                "next_update": format_time(self.next_update), "expires_at": format_time(self.expires_at),
                "bytes": self.size, "sha256": self.sha256}


def index_document(entries: Iterable[IndexEntry], *, generated_at: dt.datetime) -> bytes:
    """The index JSON: `{"type", "format": 1, "generated_at", "lists": [...]}`, lists sorted by the UTF-8 bytes
    of the series (docs/FORMAT.md §9.8), UTF-8, two-space indented, a final newline.

    Raises:
        StatusListError: a series twice.
    """
    ordered = sorted(entries, key=lambda e: e.series.encode("utf-8"))
    if len({e.series for e in ordered}) != len(ordered):
        raise StatusListError("status-list index: a series is listed twice")
    doc = {"type": INDEX_TYPE, "format": 1, "generated_at": format_time(generated_at),
           "lists": [e.to_json() for e in ordered]}
    return (json.dumps(doc, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _schema() -> dict[str, Any]:
    text = resources.files("verify.schemas").joinpath("status-list-index.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def parse_index(data: bytes) -> list[IndexEntry]:
    """Read an index (a folder's `index.json`, or the body of `GET /api/v1/status-lists`).

    Raises:
        StatusListError: over 16 MiB, not JSON, or not valid under the index schema.
    """
    import jsonschema

    if len(data) > MAX_INDEX_BYTES:
        raise StatusListError("status-list index: over 16 MiB")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError):
        raise StatusListError("status-list index: not JSON") from None
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(_schema()).iter_errors(doc))
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path) or "the document"
        raise StatusListError(f"status-list index: {where}: {error.message[:200]}")
    if len({e["series"] for e in doc["lists"]}) != len(doc["lists"]):
        raise StatusListError("status-list index: a series is listed twice")
    return [IndexEntry(series=e["series"], version=e["version"], issued_at=parse_time(e["issued_at"]),
                       next_update=parse_time(e["next_update"]), expires_at=parse_time(e["expires_at"]),
                       size=e["bytes"], sha256=e["sha256"]) for e in doc["lists"]]


def safe_series_file(folder: Path, series: str) -> Path:
    """`folder/<series>.cose`, refusing a series that is not a plain file name.

    Raises:
        StatusListError: a series with a path separator, a dot name, or a control character.
    """
    if not series or series in (".", "..") or any(c in series for c in "/\\\0") \
            or any(ord(c) < 0x20 for c in series):
        raise StatusListError(f"status list: {series!r} is not a series a file can be named by")
    return folder / f"{series}{LIST_SUFFIX}"


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file that is flushed and renamed over it.

    Raises:
        StatusListError: the file cannot be written.
    """
    tmp = path.with_name(path.name + ".tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        raise StatusListError(f"{path}: cannot write ({exc.strerror})") from None


def write_folder(folder: Path, lists: Mapping[str, bytes], index: bytes) -> list[Path]:
    """Write each `<series>.cose` of `lists`, then `index.json`, each atomically (docs/FORMAT.md §9.8).

    Returns:
        The paths written, the index last.

    Raises:
        StatusListError: a series that cannot name a file, or a file that cannot be written.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StatusListError(f"{folder}: cannot create ({exc.strerror})") from None
    written = []
    for series in sorted(lists, key=lambda s: s.encode("utf-8")):
        path = safe_series_file(folder, series)
        atomic_write(path, lists[series])
        written.append(path)
    atomic_write(folder / INDEX_FILE, index)
    written.append(folder / INDEX_FILE)
    return written
