"""Signed records on the command line: `verify issue`, `verify scan`, `verify check`.

    verify issue RECORD.json --out DIR [--at T]     DIR/<series>-<number>.{svg,png,pdf,txt}
    verify issue --group G --institution BIN ...    the registry's batch issue (`verify.cli.registry.issue_group`)
    verify scan FILE... [--raw] [--json] [--offline [--status-lists DIR]] [--at T]
    verify check TEXT [--json] [--offline [--status-lists DIR]] [--at T]

`scan` and `check` ask the registry; without one they stop with an error that says how to point at one (exit
status 2), never a silent offline VALID (issue 10 item 3). `--offline` never asks it: the status comes from the
signed status lists of `--status-lists DIR`, and without a fresh list for the series the verdict is
AUTHENTIC_STATUS_UNKNOWN (`verify.cli.offline`). Their text and JSON output is a contract (README,
docs/FORMAT.md §7.3): one line with the verdict and why, the record and signer when authentic, the warnings, and
the numbered steps when asked (`-v`) or when the verdict is not VALID; the JSON carries `verdict`,
`status_source` and `status_as_of`. Exit status: 0 only when every verdict is VALID; 3 when the others are VALID
and at least one is AUTHENTIC_STATUS_UNKNOWN; 1 otherwise.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

from ..errors import Error, ImageError, RecordError
from ..issue import sign_record
from ..qrtext import qr_prefix
from ..record import Record
from ..report import VerificationReport
from ..settings import Settings
from ..status import Verdict
from ..texts import rfc3339
from ..trust import TrustList
from ..verifier import Verifier
from . import registry
from .common import (
    Subparsers,
    credential_options,
    database_url,
    key_store,
    now,
    parse_time,
    registry_status_lookup,
    shown_url,
    signer,
    write_code_files,
)
from .offline import NO_REGISTRY, offline_options, offline_verifier


def add_record_commands(sub: Subparsers[argparse.ArgumentParser]) -> None:
    """Add `issue`, `scan` and `check` (each sets its `handler`)."""
    issue = sub.add_parser("issue", help="sign a record and write its QR as SVG, PNG, PDF and text")
    issue.add_argument("record", type=Path, nargs="?", default=None,
                       help="record JSON (see examples/record.json); or use --group")
    issue.add_argument("--out", type=Path,
                       help="output directory (required for RECORD.json; with --group: writes each QR)")
    issue.add_argument("--at", type=parse_time, help="signing time (default: now)")
    issue.add_argument("--group", help="issue the documents of this study group from the registry")
    issue.add_argument("--institution", metavar="BIN", help="with --group: the institution (the officer's)")
    issue.add_argument("--idempotency-key", help="with --group: names the batch; retry with the same key "
                                                 "after a crash (default: a new key, printed)")
    issue.add_argument("--series", help="with --group, TVE: the blank series (default: the only one in stock)")
    credential_options(issue)
    issue.set_defaults(handler=cmd_issue)

    scan = sub.add_parser("scan", help="read QR codes from photos and verify them")
    scan.add_argument("files", type=Path, nargs="+", metavar="FILE")
    scan.add_argument("--raw", action="store_true", help="print the QR texts found, as JSON lines; no verifying")
    scan.add_argument("--json", action="store_true", help="print each verdict as a JSON object")
    scan.add_argument("--at", type=parse_time, help="time of the check (default: now)")
    offline_options(scan)
    scan.set_defaults(handler=cmd_scan)

    check = sub.add_parser("check", help="verify one QR text")
    check.add_argument("text", help="the QR text, HTTPS://HOST/V/digits")
    check.add_argument("--json", action="store_true", help="print the verdict as a JSON object")
    check.add_argument("--at", type=parse_time, help="time of the check (default: now)")
    check.add_argument("--log-proof", type=Path, metavar="FILE",
                       help="offline step 12: the record's log entry, proof and checkpoint (`verify log prove --json`)")
    offline_options(check)
    check.set_defaults(handler=cmd_check)


# ------------------------------------------------------------------------------ issue
def read_record(path: Path) -> Record:
    """The record of a JSON file (examples/record.json).

    Raises:
        RecordError: unreadable, not JSON, or not a record of the schema.
    """
    try:
        data = json.loads(path.read_text("utf-8"))
    except OSError as exc:
        raise RecordError(f"{path}: cannot read ({exc.strerror})") from None
    except ValueError:
        raise RecordError(f"{path}: not valid JSON") from None
    return Record.from_json(data)


def cmd_issue(args: argparse.Namespace, settings: Settings) -> int:
    """`verify issue RECORD.json --out DIR`, or the registry's `verify issue --group G --institution BIN`."""
    if args.group is not None:
        if args.record is not None:
            raise Error("give either RECORD.json or --group, not both")
        return registry.issue_group(args, settings)
    if args.record is None or args.out is None:
        raise Error("give RECORD.json with --out DIR, or --group G --institution BIN")
    record = read_record(args.record)
    at = args.at or now()
    chosen = signer(args, settings).signer_for(series=record.series, institution_bin=record.institution_bin, at=at)
    signed = sign_record(record, signer=chosen, base_url=args.base_url, at=at)
    for kind, path in write_code_files(signed, args.out).items():
        print(f"{kind}: {path}")
    return 0


# ------------------------------------------------------------------------------ check and scan
def _verifier(args: argparse.Namespace, settings: Settings, at: dt.datetime) -> Verifier:
    if args.status_lists is not None and not args.offline:
        raise Error("--status-lists goes with --offline")
    from ..transparency import TrustListLogCheck

    if args.offline:
        verifier = offline_verifier(args, settings, at)
        verifier.log_check = TrustListLogCheck(verifier.trust_list)  # step 12 on a --log-proof
        return verifier
    lookup = registry_status_lookup(args, settings)
    if lookup is None:
        raise Error(NO_REGISTRY.format(url=shown_url(database_url(args, settings))))
    store = key_store(args, settings)
    if args.root_cert is None:
        root = store.root_certificate()
    else:
        from ..keys import load_certificate

        root = load_certificate(args.root_cert)
    path = args.trust_list or store.trust_list_path
    try:
        data = path.read_bytes()
    except OSError:
        raise Error(f"{path}: cannot read the trust list; run `verify keys init`") from None
    trust_list = TrustList.from_json(data, root=root)
    return Verifier(trust_list, accepted_prefixes=(qr_prefix(args.base_url),), status_lookup=lookup,
                    log_check=TrustListLogCheck(trust_list))


def exit_status(verdicts: list[str]) -> int:
    """0 when every verdict is VALID; 3 when the rest are VALID and some AUTHENTIC_STATUS_UNKNOWN; 1 otherwise."""
    if all(v == Verdict.VALID for v in verdicts):
        return 0
    if all(v in (Verdict.VALID, Verdict.AUTHENTIC_STATUS_UNKNOWN) for v in verdicts):
        return 3
    return 1


def print_report(report: VerificationReport, *, as_json: bool, source: str | None, verbose: int) -> None:
    """Print a report as `scan` and `check` do: one JSON object, or the verdict line and its details."""
    if as_json:
        obj: dict[str, Any] = report.to_json()
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
        print(f"  signed {rfc3339(report.signed_at)} by {report.signer.label} (kid {report.signer.kid.hex()})")
    for warning in report.warnings:
        print(f"  warning: {warning}")
    if verbose or report.verdict is not Verdict.VALID:
        marks = {"passed": "ok  ", "failed": "FAIL", "skipped": "--  "}
        for step in report.steps:
            print(f"  {marks[step.outcome]} {step.number:>2} {step.name:<13} {step.detail}")


def cmd_check(args: argparse.Namespace, settings: Settings) -> int:
    """`verify check TEXT`."""
    log = None
    if args.log_proof is not None:
        from ..status import LogEvidence

        try:
            log = LogEvidence.from_json(json.loads(args.log_proof.read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise Error(f"{args.log_proof}: cannot read the log proof ({exc})") from None
    at = args.at or now()
    report = _verifier(args, settings, at).check(args.text, at=at, log=log)
    print_report(report, as_json=args.json, source=None, verbose=args.verbose)
    return exit_status([report.verdict])


def cmd_scan(args: argparse.Namespace, settings: Settings) -> int:
    """`verify scan FILE... [--raw] [--json]`."""
    from ..scan import scan_image

    at = args.at or now()
    verifier = None if args.raw else _verifier(args, settings, at)
    verdicts: list[str] = []
    for path in args.files:
        error: str | None = None
        try:
            texts = scan_image(path.read_bytes())
        except OSError as exc:
            texts, error = [], f"cannot read ({exc.strerror})"
        except ImageError as exc:
            texts, error = [], exc.diagnostics()
        if error is not None:
            verdicts.append("UNREADABLE")
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
            verdicts.append(report.verdict)
            print_report(report, as_json=args.json, source=str(path), verbose=args.verbose)
    return exit_status(verdicts) if verdicts else 1
