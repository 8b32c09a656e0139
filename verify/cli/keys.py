"""Keys on the command line: `verify keys init | rotate | revoke`, `verify trust-list export`.

    verify keys init [--environment development|test|production] [--alg EdDSA|ES256] [--series BD,MD]
                     [--institution BIN] [--if-missing]
    verify keys rotate [--alg ...] [--usage U]     a new active signer of a usage (document, status, log); the old
                                                   one stays listed
    verify keys revoke KID --compromised-at TIME   records signed before TIME still verify
    verify trust-list export [--out FILE] [--ttl-days N]

The key store (`verify.keystore.KeyStore`) writes the trust list; these commands print what it holds afterwards
(keys/README.md: the key procedures).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import Error
from ..keys import ALGORITHMS
from ..settings import Settings
from .common import Subparsers, key_store, now, parse_time


def add_key_commands(sub: Subparsers[argparse.ArgumentParser]) -> None:
    """Add `keys` and `trust-list` (each sets its `handler`)."""
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
    rotate.add_argument("--usage", choices=("document", "status", "log"), default="document",
                        help="what the new signer signs: records, status lists, or log checkpoints (Ed25519)")
    revoke = keys_sub.add_parser("revoke", help="revoke a document signer from its compromise time on")
    revoke.add_argument("kid", help="the signer's kid, 16 hex digits")
    revoke.add_argument("--compromised-at", type=parse_time, required=True,
                        help="earliest time the key may have been misused (ISO 8601 with zone)")
    revoke.add_argument("--reason", default="key compromise")
    keys.set_defaults(handler=cmd_keys)

    trust = sub.add_parser("trust-list", help="publish the trust list")
    trust_sub = trust.add_subparsers(dest="trust_command", required=True, metavar="ACTION")
    export = trust_sub.add_parser("export", help="sign a fresh publication and write it")
    export.add_argument("--out", type=Path, help="file to write (default: standard output)")
    export.add_argument("--ttl-days", type=int, default=30, help="days until the list expires (default: 30)")
    trust.set_defaults(handler=cmd_trust_list)


def cmd_keys(args: argparse.Namespace, settings: Settings) -> int:
    """`verify keys init|rotate|revoke`."""
    store = key_store(args, settings)
    at = now()
    if args.keys_command == "init":
        if args.if_missing and store.exists():
            print(f"key store {store.path} exists; nothing to do")
            return 0
        series = frozenset(s.strip() for s in args.series.split(",")) if args.series else None
        tl = store.init(at=at, environment=args.environment, alg=ALGORITHMS[args.alg], series=series,
                        institution_bin=args.institution)
    elif args.keys_command == "rotate":
        tl = store.rotate(at=at, alg=ALGORITHMS[args.alg], usage=args.usage)
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
    store = key_store(args, settings)
    tl = store.export(at=now(), ttl_days=args.ttl_days)
    text = store.trust_list_path.read_text("utf-8")
    if args.out:
        args.out.write_text(text, "utf-8")
        print(f"trust list version {tl.version} written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text + "\n")
    return 0
