"""Keys on the command line: `verify keys init | rotate | revoke`, `verify trust-list export`.

    verify keys init [--environment development|test|production] [--alg EdDSA|ES256] [--series BD,MD]
                     [--institution BIN] [--if-missing] [--pkcs11-module PATH --token LABEL [--pin-file FILE]]
    verify keys rotate [--alg ...] [--series ...] [--institution BIN] [--pkcs11-module ... --token ...]
                                                   a new document signer for that scope; others stay active
    verify keys institution BIN [--series ...] [--alg ...] [--pkcs11-module ... --token ...]
                                                   the institution's own signer: its kind's series, its BIN
    verify keys revoke KID --compromised-at TIME   records signed before TIME still verify
    verify trust-list export [--out FILE] [--ttl-days N]

The key store (`verify.keystore.KeyStore`) writes the trust list; these commands print what it holds afterwards
(keys/README.md: the key procedures). With `--pkcs11-module` and `--token` the document signer's key is made in
that PKCS#11 token, non-extractable (`verify.pkcs11`), and its certificate under the root; the token's PIN comes
from `--pin-file`, VERIFY_TOKEN_PIN_FILE or VERIFY_TOKEN_PIN. A token that cannot be used is an error (exit 2) and
nothing is written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import Error
from ..keys import ALGORITHMS
from ..pkcs11 import TokenLocation
from ..settings import Settings
from .common import Subparsers, key_store, now, parse_time, registry_session


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
    _token_options(init)
    rotate = keys_sub.add_parser("rotate", help="a new active document signer for a scope; the others stay active")
    rotate.add_argument("--alg", choices=sorted(ALGORITHMS), default=None,
                        help="EdDSA or ES256 (default: EdDSA, or what the token offers)")
    rotate.add_argument("--series", help="comma-separated series (default: the replaced signer's)")
    rotate.add_argument("--institution", help="BIN: replace that institution's signer, or make its first")
    rotate.add_argument("--usage", choices=("document", "status", "log"), default="document",
                        help="which signer: document (records), status (status lists), log (default: document)")
    _token_options(rotate)
    own = keys_sub.add_parser("institution", help="create or rotate an institution's own document signer "
                                                  "(its kind's series, its BIN; needs the registry)")
    own.add_argument("bin", help="the institution's BIN")
    own.add_argument("--series", help="comma-separated series to add to its kind's (a college's blank series)")
    own.add_argument("--alg", choices=sorted(ALGORITHMS), default=None,
                     help="EdDSA or ES256 (default: EdDSA, or what the token offers)")
    _token_options(own)
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


def _token_options(parser: argparse.ArgumentParser) -> None:
    """`--pkcs11-module PATH --token LABEL [--pin-file FILE]`: make the document signer's key in a token."""
    parser.add_argument("--pkcs11-module", type=Path, help="PKCS#11 module (shared library) of the token, e.g. "
                                                           "/usr/lib/softhsm/libsofthsm2.so")
    parser.add_argument("--token", help="label of the token to make the key in (with --pkcs11-module)")
    parser.add_argument("--pin-file", type=Path,
                        help="file holding the token's user PIN [VERIFY_TOKEN_PIN_FILE, else VERIFY_TOKEN_PIN]")


def _token(args: argparse.Namespace) -> TokenLocation | None:
    """The token of `--pkcs11-module` and `--token`, or None.

    Raises:
        Error: only one of the two given.
    """
    if (args.pkcs11_module is None) != (args.token is None):
        raise Error("give --pkcs11-module PATH and --token LABEL together")
    return None if args.token is None else TokenLocation(module=args.pkcs11_module, label=args.token)


def _series(text: str | None) -> frozenset[str] | None:
    return frozenset(s.strip() for s in text.split(",") if s.strip()) if text else None


def cmd_keys(args: argparse.Namespace, settings: Settings) -> int:
    """`verify keys init|rotate|institution|revoke`."""
    store = key_store(args, settings)
    at = now()
    if args.keys_command == "init":
        if args.if_missing and store.exists():
            print(f"key store {store.path} exists; nothing to do")
            return 0
        tl = store.init(at=at, environment=args.environment, alg=ALGORITHMS[args.alg], series=_series(args.series),
                        institution_bin=args.institution, token=_token(args))
    elif args.keys_command == "rotate":
        tl = store.rotate(at=at, alg=ALGORITHMS[args.alg] if args.alg else None, series=_series(args.series),
                          institution_bin=args.institution, token=_token(args), usage=args.usage)
    elif args.keys_command == "institution":
        from ..registry.signers import create_institution_signer

        token = _token(args)
        with registry_session(args, settings, readonly=True) as session:
            tl = create_institution_signer(session=session, keys=store, institution_bin=args.bin, at=at,
                                           extra_series=_series(args.series) or (),
                                           alg=ALGORITHMS[args.alg] if args.alg else None, token=token)
    else:
        try:
            kid = bytes.fromhex(args.kid)
        except ValueError:
            raise Error("kid: give 16 hex digits") from None
        tl = store.revoke(kid, compromised_at=args.compromised_at, at=at, reason=args.reason)
    print(f"trust list version {tl.version} ({tl.environment}) written to {store.trust_list_path}")
    for entry in tl.signers:
        state = "revoked" if entry.revocation else ("active" if entry.usage_until > at else "retired")
        where = f"  institution: {entry.scope.institution_bin}" if entry.scope.institution_bin else ""
        print(f"  {entry.kid.hex()}  {state:8}  {entry.label}  series: {','.join(sorted(entry.scope.series))}{where}")
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
