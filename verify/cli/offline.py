"""Offline verification on the command line (issue 12 items 1, 4; issue 10 items 3, 4).

    verify status-list export --out DIR [--force]   sign what is due, write DIR/<series>.cose and DIR/index.json
    verify sync --from URL --dir DIR                fetch the trust list and every status list into DIR, refusing
                                                    any older than one seen (DIR/verify-state.json)
    offline_verifier(args, settings, at)            the verifier of `verify check|scan --offline [--status-lists DIR]`

Rollback protection persists (docs/FORMAT.md §6.4, §9.5): the trust list is accepted through
`verify.versionstate.accept_trust_list` with a `FileVersionState` beside it (`verify-state.json` in the same
folder), the status lists with the one in their folder; an older list is refused with a clear error and the file
in use is kept. A synced folder holds `trust-list.json`, the lists, `index.json` and `verify-state.json`; the root
certificate is never taken from the server: it comes from `--root-cert` (or the key store), pinned out of band.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ..errors import Error, StatusListError, TrustListError
from ..qrtext import qr_prefix
from ..settings import Settings
from ..statusfolder import INDEX_FILE, IndexEntry, atomic_write, index_document, parse_index, safe_series_file
from ..statuslookup import load_status_lists, verify_status_list
from ..versionstate import FileVersionState, accept_trust_list, state_path_beside
from .common import Subparsers, database_url, key_store, now

if TYPE_CHECKING:
    import datetime as dt

    from cryptography import x509

    from ..trust import TrustList
    from ..verifier import Verifier

TRUST_LIST_FILE: Final = "trust-list.json"
"""The trust list's name in a synced folder."""
MAX_FETCH_BYTES: Final = 16 * 1024 * 1024
FETCH_TIMEOUT_S: Final = 30
NO_REGISTRY: Final = ("no registry database at {url}: give --database-url (VERIFY_DATABASE_URL) to check the status "
                      "online, or --offline [--status-lists DIR] to check offline (then the verdict says whether a "
                      "status was known)")
"""`verify check|scan` without `--offline` and without a registry (issue 10 item 3: never a silent offline VALID)."""


def add_offline_commands(sub: Subparsers[argparse.ArgumentParser]) -> None:
    """Add `status-list` and `sync` (each sets its `handler`)."""
    lists = sub.add_parser("status-list", help="the registry's signed status lists (docs/FORMAT.md §9)")
    lists_sub = lists.add_subparsers(dest="status_list_command", required=True, metavar="ACTION")
    export = lists_sub.add_parser("export", help="sign every due list, write DIR/<series>.cose and DIR/index.json")
    export.add_argument("--out", type=Path, required=True, metavar="DIR", help="folder to write")
    export.add_argument("--force", action="store_true", help="sign a new version of every list, due or not")
    lists.set_defaults(handler=cmd_status_list)

    sync = sub.add_parser("sync", help="fetch the trust list and every status list into a folder (rollback refused)")
    sync.add_argument("--from", dest="source", required=True, metavar="URL",
                      help="the service, e.g. https://v.edu.kz")
    sync.add_argument("--dir", type=Path, required=True, metavar="DIR", help="folder to keep them in")
    sync.set_defaults(handler=cmd_sync)


def offline_options(parser: argparse.ArgumentParser) -> None:
    """`--offline` and `--status-lists DIR` of `verify check` and `verify scan`."""
    parser.add_argument("--offline", action="store_true",
                        help="do not ask the registry; the status comes from --status-lists, else the verdict is "
                             "AUTHENTIC_STATUS_UNKNOWN (exit status 3)")
    parser.add_argument("--status-lists", type=Path, metavar="DIR",
                        help="with --offline: a folder of signed status lists (`verify sync`, `verify status-list "
                             "export`); its trust-list.json is used unless --trust-list is given")


# ------------------------------------------------------------------------------ the offline verifier
def root_certificate(args: argparse.Namespace, settings: Settings) -> x509.Certificate:
    """The trust anchor: `--root-cert` (VERIFY_ROOT_CERT), else the key store's `root.crt`.

    Raises:
        KeyStoreError: no root certificate there.
    """
    if args.root_cert is not None:
        from ..keys import load_certificate

        return load_certificate(args.root_cert)
    return key_store(args, settings).root_certificate()


def trust_list_path(args: argparse.Namespace, settings: Settings) -> Path:
    """`--trust-list`, else a `--status-lists` folder's `trust-list.json` when it has one, else the key store's."""
    if args.trust_list is not None:
        return Path(args.trust_list)
    folder = getattr(args, "status_lists", None)
    if folder is not None and (folder / TRUST_LIST_FILE).is_file():
        return Path(folder / TRUST_LIST_FILE)
    return key_store(args, settings).trust_list_path


def accepted_trust_list(path: Path, *, root: x509.Certificate) -> TrustList:
    """The trust list of `path`, refused if older than the highest version recorded beside it (which is raised).

    Raises:
        TrustListError: unreadable, bad, or a rollback ("version 3 is older than version 4 already seen").
        VersionStateError: the state file beside it cannot be read or written.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TrustListError(f"{path}: cannot read the trust list ({exc.strerror})") from None
    try:
        return accept_trust_list(data, root=root, state=FileVersionState(state_path_beside(path)))
    except TrustListError as exc:
        raise TrustListError(f"{path}: {exc.message}") from None


def offline_verifier(args: argparse.Namespace, settings: Settings, at: dt.datetime) -> Verifier:
    """The verifier of `--offline`: status from the `--status-lists` folder's lists (each refused one named on
    stderr), else none; `status_required`, so an authentic record without a status is AUTHENTIC_STATUS_UNKNOWN.

    Raises:
        TrustListError: the trust list is bad or older than one seen.
        StatusListError: the folder cannot be read.
        VersionStateError: a state file cannot be read or written.
    """
    from ..verifier import Verifier

    trust_list = accepted_trust_list(trust_list_path(args, settings), root=root_certificate(args, settings))
    lookup = None
    folder = getattr(args, "status_lists", None)
    if folder is not None:
        lookup, refused = load_status_lists(folder, trust_list=trust_list, at=at,
                                            state=FileVersionState(state_path_beside(folder)))
        for error in refused:
            print(f"warning: status list refused: {error.message}", file=sys.stderr)
    return Verifier(trust_list, status_lookup=lookup, status_required=True,
                    accepted_prefixes=(qr_prefix(args.base_url),))


# ------------------------------------------------------------------------------ verify status-list export
def cmd_status_list(args: argparse.Namespace, settings: Settings) -> int:
    """`verify status-list export --out DIR [--force]`."""
    from sqlmodel import Session

    from ..registry.db import make_engine, require_current_schema
    from ..registry.statuslists import index_entry, published_lists, sign_due_lists
    from ..statusfolder import write_folder

    at = now()
    engine = make_engine(database_url(args, settings))
    try:
        require_current_schema(engine)
        signed = sign_due_lists(engine=engine, keys=key_store(args, settings), at=at, force=args.force)
        with Session(engine) as session:
            rows = published_lists(session)
    finally:
        engine.dispose()
    lists = {row.series: row.cose for row in rows if row.cose is not None}
    entries = [index_entry(row) for row in rows]
    write_folder(args.out, lists, index_document(entries, generated_at=at))
    for entry in entries:
        fresh = " (signed now)" if entry.series in signed else ""
        print(f"{entry.series}: version {entry.version}, {entry.size} bytes, issued "
              f"{entry.issued_at.isoformat()}{fresh}")
    print(f"{len(entries)} status lists written to {args.out}", file=sys.stderr)
    return 0


# ------------------------------------------------------------------------------ verify sync
def fetch(url: str) -> bytes:
    """GET `url` (at most 16 MiB, 30 s): the one way `verify sync` reads the service (tests give their own).

    Raises:
        Error: an HTTP error status, a network error, or an over-size answer.
    """
    request = urllib.request.Request(url, headers={"User-Agent": "verify-sync/1"})  # noqa: S310 (scheme checked)
    try:
        with urllib.request.urlopen(request, timeout=FETCH_TIMEOUT_S) as response:  # noqa: S310
            data: bytes = response.read(MAX_FETCH_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise Error(f"{url}: HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Error(f"{url}: cannot fetch ({reason})") from None
    if len(data) > MAX_FETCH_BYTES:
        raise Error(f"{url}: over {MAX_FETCH_BYTES} bytes")
    return data


def _base(source: str) -> str:
    parsed = urllib.parse.urlsplit(source)
    if parsed.scheme not in ("https", "http") or not parsed.netloc:
        raise Error(f"--from: give the service's URL, e.g. https://v.edu.kz (not {source!r})")
    return source.rstrip("/")


def _still_usable(path: Path, *, trust_list: TrustList, at: dt.datetime, series: str) -> IndexEntry | None:
    """The index entry of a list file kept after a refused update, if it still verifies (for the index)."""
    try:
        data = path.read_bytes()
        return IndexEntry.of_list(data, verify_status_list(data, trust_list=trust_list, at=at, series=series))
    except (OSError, StatusListError):
        return None


def cmd_sync(args: argparse.Namespace, settings: Settings) -> int:
    """`verify sync --from URL --dir DIR`: the trust list first (refused if older: nothing is written), then each
    status list named by the index (each refused one is named and its file in use kept), then the index."""
    base = _base(args.source)
    folder: Path = args.dir
    at = now()
    root = root_certificate(args, settings)
    folder.mkdir(parents=True, exist_ok=True)
    state = FileVersionState(state_path_beside(folder))
    document = fetch(f"{base}/api/v1/trust-list")
    try:
        trust_list = accept_trust_list(document, root=root, state=state)
    except TrustListError as exc:
        raise TrustListError(f"{base}/api/v1/trust-list refused, {folder / TRUST_LIST_FILE} kept: "
                             f"{exc.message}") from None
    try:
        atomic_write(folder / TRUST_LIST_FILE, document)
    except StatusListError as exc:
        raise Error(exc.message) from None
    print(f"trust list version {trust_list.version} ({trust_list.environment})")
    entries = parse_index(fetch(f"{base}/api/v1/status-lists"))
    refused: list[str] = []
    kept = []
    for entry in entries:
        path = safe_series_file(folder, entry.series)
        if path.is_file() and hashlib.sha256(path.read_bytes()).hexdigest() == entry.sha256:
            data = path.read_bytes()  # already held: verified again below, nothing fetched
        else:
            data = fetch(f"{base}/api/v1/status-lists/{urllib.parse.quote(entry.series, safe='')}")
        try:
            signed = verify_status_list(data, trust_list=trust_list, at=at, series=entry.series, state=state)
        except StatusListError as exc:
            refused.append(f"{entry.series}: {exc.message}" + (f"; {path.name} kept" if path.is_file() else ""))
            held = _still_usable(path, trust_list=trust_list, at=at, series=entry.series)
            if held is not None:
                kept.append(held)
            continue
        atomic_write(path, data)
        kept.append(IndexEntry.of_list(data, signed))
        print(f"{entry.series}: version {signed.version}, as of {signed.issued_at.isoformat()}")
    atomic_write(folder / INDEX_FILE, index_document(kept, generated_at=at))
    if refused:
        raise StatusListError("refused: " + " | ".join(refused))
    print(f"{len(kept)} status lists synced into {folder}", file=sys.stderr)
    return 0

