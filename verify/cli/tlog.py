"""The transparency log on the command line (issue 15; docs/TRANSPARENCY.md): `verify log checkpoint | prove | monitor`.

    verify log checkpoint [--no-sign]        sign a checkpoint when the log or the audit chain moved since the last
                                             (the key store's log key, usage `log`), then print the newest signed
                                             checkpoint note
    verify log prove SERIES NUMBER [--revision R] [--json]
                                             the revision's entry and its inclusion proof against the newest
                                             checkpoint: {"leaf_index", "tree_size", "leaf_hash", "proof": [hex...],
                                             "checkpoint"} (lower-case hex); exit 1 when it is not in the log
    verify log monitor --from URL --state DIR
                                             fetch the service's checkpoint, open it with the trust list's log key,
                                             check it extends the last one kept in DIR, list the new entries per
                                             institution; a fork or a rewritten past is an alarm (exit 1) with both
                                             checkpoints written to DIR/alarm-<time>.txt

The command names, options and the `--json` shape of `prove` are a contract (tools rely on them; docs/CLI.md).
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any

from ..errors import ConsistencyError, Error, TransparencyError
from ..settings import Settings
from ..trust import TrustList
from .common import Subparsers, key_store, now, registry_session

#: Seconds the monitor waits for one HTTP answer.
HTTP_TIMEOUT_S = 30
#: The file in the monitor's state directory that keeps the last checkpoint it verified.
STATE_FILE = "checkpoint"


def log_origin(args: argparse.Namespace, settings: Settings) -> str:
    """The log's origin line (and its key name): VERIFY_LOG_ORIGIN, or the base URL's host followed by "/log"."""
    return settings.resolved_log_origin(args.base_url)


def add_log_commands(sub: Subparsers[argparse.ArgumentParser]) -> None:
    """Add `log checkpoint`, `log prove` and `log monitor` (each sets its `handler`)."""
    log = sub.add_parser("log", help="the transparency log: checkpoints, inclusion proofs, the monitor")
    log_sub = log.add_subparsers(dest="log_command", required=True, metavar="ACTION")
    cp = log_sub.add_parser("checkpoint", help="print the current signed checkpoint (signing one if the log moved)")
    cp.add_argument("--no-sign", action="store_true", help="only print the newest stored checkpoint")
    cp.set_defaults(handler=cmd_checkpoint)
    prove = log_sub.add_parser("prove", help="a document revision's log entry and its inclusion proof")
    prove.add_argument("series")
    prove.add_argument("number")
    prove.add_argument("--revision", type=int, default=None, help="the revision (default: the current one)")
    prove.add_argument("--json", action="store_true", help="print the proof as JSON")
    prove.set_defaults(handler=cmd_prove)
    monitor = log_sub.add_parser("monitor", help="check the service's log against the last checkpoint seen")
    monitor.add_argument("--from", dest="source", required=True, metavar="URL", help="the service's base URL")
    monitor.add_argument("--state", required=True, type=Path, metavar="DIR",
                         help="where the last verified checkpoint is kept (and alarms are written)")
    monitor.set_defaults(handler=cmd_monitor)


def sign_checkpoint_if_moved(args: argparse.Namespace, settings: Settings) -> bool:
    """Sign a checkpoint with the key store's log key when the log or the audit chain moved; whether one was made.

    Raises:
        KeyStoreError: the key store has no log signer (`verify keys rotate --usage log`).
    """
    from ..registry.tlog import make_checkpoint
    from ..transparency import LogNoteSigner

    note_signer = LogNoteSigner(log_origin(args, settings), key_store(args, settings).signer("log"))
    with registry_session(args, settings) as session:
        return make_checkpoint(session, signer=note_signer, origin=note_signer.name, at=now()) is not None


def checkpoint_after_batch(args: argparse.Namespace, settings: Settings) -> None:
    """After a batch issue: sign a checkpoint (docs/TRANSPARENCY.md §6), or say why none was signed."""
    try:
        sign_checkpoint_if_moved(args, settings)
    except Error as exc:  # the batch is done: say why no checkpoint followed it, and go on
        print(f"no checkpoint signed after the batch: {exc.message}", file=sys.stderr)


def cmd_checkpoint(args: argparse.Namespace, settings: Settings) -> int:
    """`verify log checkpoint [--no-sign]`: print the newest signed checkpoint note; exit 1 when there is none."""
    from ..registry.tlog import latest_checkpoint

    if not args.no_sign:
        sign_checkpoint_if_moved(args, settings)
    with registry_session(args, settings, readonly=True) as session:
        stored = latest_checkpoint(session)
        note = None if stored is None else stored.note
        session.rollback()
    if note is None:
        print("no checkpoint yet: run `verify log checkpoint` with the log key in the key store", file=sys.stderr)
        return 1
    sys.stdout.write(note)
    return 0


def cmd_prove(args: argparse.Namespace, settings: Settings) -> int:
    """`verify log prove SERIES NUMBER [--revision R] [--json]`; exit 1 when the revision is not in the log."""
    from ..registry.documents import get_document_or_raise
    from ..registry.tlog import prove_revision

    with registry_session(args, settings, readonly=True) as session:
        document = get_document_or_raise(session=session, series=args.series, number=args.number)
        series, number = document.series, document.number
        revision = args.revision if args.revision is not None else document.current_revision
        proof = prove_revision(session, series=series, number=number, revision=revision)
        session.rollback()
    if proof is None:
        print(f"{series} {number} revision {revision}: NOT IN THE LOG", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(proof.to_json(), ensure_ascii=False))
        return 0
    covered = f"proven in the checkpoint of {proof.tree_size} entries" if proof.checkpoint else \
        "not yet covered by a checkpoint"
    print(f"{series} {number} revision {revision}: entry {proof.leaf_index}, leaf hash "
          f"{proof.leaf_hash.hex()}, {covered}")
    for h in proof.proof:
        print(f"  {h.hex()}")
    return 0


# ------------------------------------------------------------------------------ the monitor
class HttpLogReader:
    """`verify.transparency.LogReader` over the service's log endpoints (docs/TRANSPARENCY.md §7)."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url.rstrip("/")

    def get(self, path: str, **query: int) -> bytes:
        """GET `path` with a query; the body.

        Raises:
            TransparencyError: the service cannot be reached or does not answer 200.
        """
        url = f"{self.base_url}{path}" + (f"?{urllib.parse.urlencode(query)}" if query else "")
        try:
            with urllib.request.urlopen(url, timeout=HTTP_TIMEOUT_S) as response:  # noqa: S310 (http or https)
                return bytes(response.read())
        except urllib.error.HTTPError as exc:
            raise TransparencyError(f"GET {url}: HTTP {exc.code}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise TransparencyError(f"GET {url}: {exc}") from None

    def get_json(self, path: str, **query: int) -> dict[str, Any]:
        """GET a JSON object.

        Raises:
            TransparencyError: unreachable, not 200, or not a JSON object.
        """
        try:
            value = json.loads(self.get(path, **query))
        except ValueError:
            raise TransparencyError(f"GET {path}: not JSON") from None
        if not isinstance(value, dict):
            raise TransparencyError(f"GET {path}: not a JSON object")
        return value

    def checkpoint(self) -> str:
        """The service's current signed checkpoint note."""
        return self.get("/api/v1/log/checkpoint").decode("utf-8")

    def read_entries(self, start: int, end: int) -> list[bytes]:
        """See `LogReader.read_entries`."""
        return [_hex(h) for h in self.get_json("/api/v1/log/entries", start=start, end=end).get("entries", [])]

    def prove_inclusion(self, index: int, tree_size: int) -> list[bytes]:
        """See `LogReader.prove_inclusion`."""
        answer = self.get_json("/api/v1/log/proof/inclusion", leaf_index=index, tree_size=tree_size)
        return [_hex(h) for h in answer.get("proof", [])]

    def prove_consistency(self, old_size: int, new_size: int) -> list[bytes]:
        """The consistency proof between two sizes."""
        answer = self.get_json("/api/v1/log/proof/consistency", first=old_size, second=new_size)
        return [_hex(h) for h in answer.get("proof", [])]


def _hex(value: object) -> bytes:
    if not isinstance(value, str):
        raise TransparencyError("the log answered a hash or entry that is not hex text")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise TransparencyError("the log answered a hash or entry that is not hex text") from None


def _trust_list(args: argparse.Namespace, settings: Settings) -> TrustList:
    from ..keys import load_certificate

    store = key_store(args, settings)
    root = load_certificate(args.root_cert) if args.root_cert else store.root_certificate()
    path = args.trust_list or store.trust_list_path
    return TrustList.from_json(Path(path).read_bytes(), root=root)


def cmd_monitor(args: argparse.Namespace, settings: Settings) -> int:
    """`verify log monitor --from URL --state DIR`: exit 0 when the log extends what was seen, 1 on an alarm."""
    from ..transparency import by_institution, check_consistency, list_new_entries, open_log_checkpoint

    trust_list = _trust_list(args, settings)
    reader = HttpLogReader(args.source)
    args.state.mkdir(parents=True, exist_ok=True)
    state = args.state / STATE_FILE
    new = open_log_checkpoint(reader.checkpoint(), trust_list)
    old = open_log_checkpoint(state.read_text(encoding="utf-8"), trust_list) if state.is_file() else None
    try:
        if old is not None:
            proof = reader.prove_consistency(old.tree_size, new.tree_size) \
                if 0 < old.tree_size <= new.tree_size else []
            check_consistency(old, new, proof)
        logged = list_new_entries(reader, old=old, new=new)
    except (ConsistencyError, TransparencyError) as exc:
        evidence = args.state / f"alarm-{now():%Y%m%dT%H%M%SZ}.txt"
        old_note = old.note if old is not None else "(none)\n"
        evidence.write_text(f"ALARM: {exc.message}\n\n--- last checkpoint seen\n{old_note}\n--- checkpoint served now\n"
                            f"{new.note}", encoding="utf-8")
        print(f"ALARM: {exc.message}", file=sys.stderr)
        print(f"evidence (both checkpoints): {evidence}", file=sys.stderr)
        print("--- last checkpoint seen", file=sys.stderr)
        print(old_note, file=sys.stderr)
        print("--- checkpoint served now", file=sys.stderr)
        print(new.note, file=sys.stderr)
        return 1
    state.write_text(new.note, encoding="utf-8")
    start = 0 if old is None else old.tree_size
    print(f"log {new.origin}: {new.tree_size} entries, consistent with the last checkpoint seen "
          f"({start}); {len(logged)} new")
    for institution_bin, items in sorted(by_institution(logged).items()):
        print(f"institution {institution_bin}: {len(items)} new entries")
        for item in items:
            print(f"  {item.index}: {_describe(item.entry)}")
    return 0


def _describe(entry: object) -> str:
    from ..transparency import RevisionEntry, StatusChangeEntry

    if isinstance(entry, RevisionEntry):
        return (f"issued {entry.series} {entry.number} revision {entry.revision} signed "
                f"{entry.signed_at.isoformat()} by {entry.kid.hex()}")
    if isinstance(entry, StatusChangeEntry):
        what = f"{entry.series} {entry.number}" if entry.series else f"institution {entry.institution_bin}"
        extra = f" by {entry.successor_series} {entry.successor_number}" if entry.successor_series else ""
        return f"{entry.kind.name.lower()} of {what}{extra} at {entry.at.isoformat()}"
    return type(entry).__name__


__all__ = ["HttpLogReader", "add_log_commands", "checkpoint_after_batch", "cmd_checkpoint", "cmd_monitor", "cmd_prove"]
