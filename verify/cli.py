"""The `verify` command line (argparse; every flag has a `VERIFY_*` environment default).

Commands:
    verify keys init | rotate | revoke KID --compromised-at T
    verify trust-list export [--out FILE]
    verify issue RECORD.json --out DIR
    verify scan FILE... [--raw] [--json]
    verify check TEXT [--json]
    verify demo [--graduates N] [--seed S] [--no-serve]   (web.demo, through the verify.commands entry point)

Exit status: 0 on success and, for `scan` and `check`, only when every verdict is VALID;
1 for a verdict other than VALID; 2 for a usage or library error (one top-level
`except Error`, as sigstore's `_cli.py main()`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from .codec import qr_prefix
from .errors import Error, ImageError, RecordError
from .issue import render_record, sign_record
from .keys import ALGORITHMS
from .keystore import KeyStore
from .record import Record
from .registry.accounts_cli import add_account_commands
from .registry.cli import add_registry_commands, registry_status_lookup
from .settings import Settings
from .trust import TrustList
from .verifier import VALID, VerificationReport, Verifier


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _parse_time(text: str) -> dt.datetime:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("give a time zone, e.g. 2026-11-21T10:00:00Z")
    return value


def build_parser(settings: Settings) -> argparse.ArgumentParser:
    """The argument parser; defaults come from `settings` (VERIFY_* variables)."""
    parser = argparse.ArgumentParser(prog="verify", description="Signed QR codes for Kazakhstan education documents.")
    parser.add_argument("--keys-dir", type=Path, default=settings.keys_dir,
                        help="key store directory [VERIFY_KEYS_DIR, default: %(default)s]")
    parser.add_argument("--base-url", default=settings.base_url,
                        help="verification host written into QR links [VERIFY_BASE_URL, default: %(default)s]")
    parser.add_argument("--trust-list", type=Path, default=settings.trust_list,
                        help="trust list to verify with [VERIFY_TRUST_LIST, default: KEYS_DIR/trust-list.json]")
    parser.add_argument("--root-cert", type=Path, default=settings.root_cert,
                        help="root certificate, the trust anchor [VERIFY_ROOT_CERT, default: KEYS_DIR/root.crt]")
    parser.add_argument("--database-url", default=settings.database_url,
                        help="registry database [VERIFY_DATABASE_URL, default: sqlite under VERIFY_DATA_DIR]")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more output")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    keys = sub.add_parser("keys", help="development root, document signers, rotation, revocation")
    keys_sub = keys.add_subparsers(dest="keys_command", required=True, metavar="ACTION")
    init = keys_sub.add_parser("init", help="create a root, a document signer and trust list version 1")
    init.add_argument("--environment", choices=("development", "test", "production"), default="development")
    init.add_argument("--alg", choices=sorted(ALGORITHMS), default="EdDSA")
    init.add_argument("--series", help="comma-separated series the signer may sign (default: all)")
    init.add_argument("--institution", help="BIN of the only institution the signer signs for")
    init.add_argument("--if-missing", action="store_true", help="do nothing when the key store exists")
    rotate = keys_sub.add_parser("rotate", help="a new active document signer; the old one stays listed")
    rotate.add_argument("--alg", choices=sorted(ALGORITHMS), default="EdDSA")
    revoke = keys_sub.add_parser("revoke", help="revoke a document signer from its compromise time on")
    revoke.add_argument("kid", help="the signer's kid, 16 hex digits")
    revoke.add_argument("--compromised-at", type=_parse_time, required=True,
                        help="earliest time the key may have been misused (ISO 8601 with zone)")
    revoke.add_argument("--reason", default="key compromise")

    trust = sub.add_parser("trust-list", help="publish the trust list")
    trust_sub = trust.add_subparsers(dest="trust_command", required=True, metavar="ACTION")
    export = trust_sub.add_parser("export", help="sign a fresh publication and write it")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.add_argument("--ttl-days", type=int, default=30, help="days until the list expires (default: 30)")

    issue = sub.add_parser("issue", help="sign a record and write its QR as SVG, PNG, PDF and text")
    issue.add_argument("record", type=Path, help="record JSON (see examples/record.json)")
    issue.add_argument("--out", type=Path, required=True, help="output directory")
    issue.add_argument("--at", type=_parse_time, help="signing time (default: now)")

    scan = sub.add_parser("scan", help="read QR codes from photos and verify them")
    scan.add_argument("files", type=Path, nargs="+", metavar="FILE")
    scan.add_argument("--raw", action="store_true", help="print the QR texts found, as JSON lines; no verifying")
    scan.add_argument("--json", action="store_true", help="print each verdict as a JSON object")
    scan.add_argument("--at", type=_parse_time, help="time of the check (default: now)")

    check = sub.add_parser("check", help="verify one QR text")
    check.add_argument("text", help="the QR text, HTTPS://HOST/V/digits")
    check.add_argument("--json", action="store_true", help="print the verdict as a JSON object")
    check.add_argument("--at", type=_parse_time, help="time of the check (default: now)")

    add_registry_commands(sub, settings)
    add_account_commands(sub, settings)
    for entry_point in importlib.metadata.entry_points(group="verify.commands"):  # `serve`, `demo` from web/
        entry_point.load()(sub, settings)
    return parser


# ------------------------------------------------------------------------------ commands
def _store(args: argparse.Namespace, settings: Settings) -> KeyStore:
    return KeyStore(args.keys_dir, settings.passphrase_bytes())


def _verifier(args: argparse.Namespace, settings: Settings) -> Verifier:
    store = _store(args, settings)
    root = store.root_certificate() if args.root_cert is None else _load_root(args.root_cert)
    path = args.trust_list or store.trust_list_path
    try:
        data = path.read_bytes()
    except OSError:
        raise Error(f"{path}: cannot read the trust list; run `verify keys init`") from None
    return Verifier(TrustList.from_json(data, root=root), accepted_prefixes=(qr_prefix(args.base_url),),
                    status_lookup=registry_status_lookup(args, settings))


def _load_root(path: Path) -> Any:
    from .keys import load_certificate

    return load_certificate(path)


def cmd_keys(args: argparse.Namespace, settings: Settings) -> int:
    """`verify keys init|rotate|revoke`."""
    store = _store(args, settings)
    at = _now()
    if args.keys_command == "init":
        if args.if_missing and store.exists():
            print(f"key store {store.path} exists; nothing to do")
            return 0
        series = frozenset(s.strip() for s in args.series.split(",")) if args.series else None
        tl = store.init(at=at, environment=args.environment, alg=ALGORITHMS[args.alg], series=series,
                        institution_bin=args.institution)
    elif args.keys_command == "rotate":
        tl = store.rotate(at=at, alg=ALGORITHMS[args.alg])
    else:
        try:
            kid = bytes.fromhex(args.kid)
        except ValueError:
            raise Error("kid: give 16 hex digits") from None
        tl = store.revoke(kid, compromised_at=args.compromised_at, at=at, reason=args.reason)
    print(f"trust list version {tl.version} ({tl.environment}) written to {store.trust_list_path}")
    for entry in tl.signers:
        state = "revoked" if entry.revocation else ("active" if entry.usage_until > at else "retired")
        print(f"  {entry.kid.hex()}  {state:8}  {entry.label}  series: {','.join(sorted(entry.scope.series))}")
    return 0


def cmd_trust_list(args: argparse.Namespace, settings: Settings) -> int:
    """`verify trust-list export`."""
    store = _store(args, settings)
    tl = store.export(at=_now(), ttl_days=args.ttl_days)
    text = store.trust_list_path.read_text("utf-8")
    if args.out:
        args.out.write_text(text, "utf-8")
        print(f"trust list version {tl.version} written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text + "\n")
    return 0


def _read_record(path: Path) -> Record:
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise RecordError(f"{path}: cannot read ({exc.strerror})") from None
    except ValueError:
        raise RecordError(f"{path}: not valid JSON") from None
    return Record.from_json(data)


def issue_files(record: Record, *, store: KeyStore, base_url: str, out: Path, at: dt.datetime) -> dict[str, Path]:
    """Sign `record` with the store's active signer and write `<series>-<number>.{svg,png,pdf,txt}`.

    Returns:
        {"svg": path, "png": path, "pdf": path, "txt": path}.
    """
    signed = sign_record(record, signer=store.signer(), base_url=base_url, at=at)
    images = render_record(signed)
    out.mkdir(parents=True, exist_ok=True)
    stem = f"{record.series}-{record.number}" + (f"-r{record.revision}" if record.revision > 1 else "")
    paths = {kind: out / f"{stem}.{kind}" for kind in ("svg", "png", "pdf", "txt")}
    paths["svg"].write_bytes(images.svg)
    paths["png"].write_bytes(images.png)
    paths["pdf"].write_bytes(images.pdf)
    paths["txt"].write_text(signed.qr_text + "\n", "ascii")
    return paths


def cmd_issue(args: argparse.Namespace, settings: Settings) -> int:
    """`verify issue RECORD.json --out DIR`."""
    record = _read_record(args.record)
    paths = issue_files(record, store=_store(args, settings), base_url=args.base_url, out=args.out,
                        at=args.at or _now())
    for kind, path in paths.items():
        print(f"{kind}: {path}")
    return 0


def _print_report(report: VerificationReport, *, as_json: bool, source: str | None, verbose: int) -> None:
    if as_json:
        obj = report.to_json()
        if source is not None:
            obj = {"file": source, **obj}
        print(json.dumps(obj, ensure_ascii=False))
        return
    print(f"{source + ': ' if source else ''}{report.message}")
    if report.authentic and report.record is not None and report.signer is not None and report.signed_at:
        r = report.record
        print(f"  {r.series} {r.number} · {r.holder.full_name} · {r.doc_type} · {r.programme} · "
              f"awarded {r.award_date.isoformat()}" + (f" · duplicate No. {r.duplicate.duplicate_no}"
                                                         if r.duplicate else ""))
        print(f"  signed {report.signed_at.isoformat()} by {report.signer.label} (kid {report.signer.kid.hex()})")
    for warning in report.warnings:
        print(f"  warning: {warning}")
    if verbose or report.verdict != VALID:
        marks = {"passed": "ok  ", "failed": "FAIL", "skipped": "--  "}
        for step in report.steps:
            print(f"  {marks[step.outcome]} {step.number:>2} {step.name:<13} {step.detail}")


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """`verify check TEXT`."""
    report = _verifier(args, settings).check(args.text, at=args.at or _now())
    _print_report(report, as_json=args.json, source=None, verbose=args.verbose)
    return 0 if report.verdict == VALID else 1


def cmd_scan(args: argparse.Namespace, settings: Settings) -> int:
    """`verify scan FILE... [--raw] [--json]`."""
    from .scan import scan_image

    verifier = None if args.raw else _verifier(args, settings)
    at = args.at or _now()
    all_valid = True
    for path in args.files:
        error: str | None = None
        try:
            texts = scan_image(path.read_bytes())
        except OSError as exc:
            texts, error = [], f"cannot read ({exc.strerror})"
        except ImageError as exc:
            texts, error = [], exc.diagnostics()
        if error is not None:
            all_valid = False
            if args.raw or args.json:
                print(json.dumps({"file": str(path), "verdict": None, "error": error, "texts": []}))
            else:
                print(f"{path}: {error}", file=sys.stderr)
            continue
        if args.raw:
            print(json.dumps({"file": str(path), "texts": texts}, ensure_ascii=False))
            continue
        assert verifier is not None
        for text in texts:
            report = verifier.check(text, at=at)
            all_valid &= report.verdict == VALID
            _print_report(report, as_json=args.json, source=str(path), verbose=args.verbose)
    return 0 if all_valid else 1


COMMANDS = {"keys": cmd_keys, "trust-list": cmd_trust_list, "issue": cmd_issue, "scan": cmd_scan,
            "check": cmd_check}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `verify` console script."""
    settings = Settings()
    args = build_parser(settings).parse_args(argv)
    try:
        return int((getattr(args, "handler", None) or COMMANDS[args.command])(args, settings))
    except Error as exc:
        print(f"error: {exc.diagnostics()}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
