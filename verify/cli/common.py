"""What every command of `verify` shares: the global options, the clock, times, the key store, the registry.

One copy each: `parse_time` is the one parser of `--at` and `--compromised-at`; `registry_session` the one way a
command opens the registry (checked to be at this code's migration); `write_code_files` the one way a command
writes a signed code as SVG, PNG, PDF and text (`verify.issue.render_record`).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Error, ForbiddenError
from ..issue import SignedRecord, code_file_stem, render_record
from ..keystore import KeyStore
from ..pkcs11 import read_pin_file
from ..settings import Settings

if TYPE_CHECKING:
    from sqlmodel import Session

    from ..registry.models import Officer
    from ..signerset import SignerSet
    from ..status import StatusLookup

TOKEN_ENV = "VERIFY_TOKEN"  # noqa: S105 (the variable's name, not a secret)
"""An officer's API token, which the registry commands act with when `--token-file` is not given."""

Subparsers = argparse._SubParsersAction


def now() -> dt.datetime:
    """The current time, aware UTC (the command line is where the clock is read)."""
    return dt.datetime.now(dt.UTC)


def parse_time(text: str) -> dt.datetime:
    """An ISO 8601 time with a zone (`2026-11-21T10:00:00Z`), as an argparse type.

    Raises:
        argparse.ArgumentTypeError: not ISO 8601, or without a zone.
    """
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO 8601 time: {text!r}") from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError("give a time zone, e.g. 2026-11-21T10:00:00Z")
    return value


def add_global_options(parser: argparse.ArgumentParser, settings: Settings) -> None:
    """The options before the command; their defaults come from `settings` (VERIFY_* variables)."""
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


def credential_options(parser: argparse.ArgumentParser) -> None:
    """The officer's credentials a registry command acts with (issue 13, item 3: never a bare username).

    `--token-file FILE` (or the token itself in VERIFY_TOKEN): an officer's API token (`verify tokens create
    --officer`); or `--user USERNAME` with `--password-file FILE` or, on a terminal, the password prompt.
    """
    group = parser.add_argument_group("the officer's credentials")
    group.add_argument("--token-file", type=Path, metavar="FILE",
                       help=f"a file holding the officer's API token [{TOKEN_ENV} holds the token itself]")
    group.add_argument("--user", metavar="USERNAME", help="sign in as this officer with the password "
                       "(from --password-file, else asked on the terminal)")
    group.add_argument("--password-file", type=Path, metavar="FILE", help="a file holding the password (--user)")


def operator_actor() -> str:
    """Who a direct database action of the command line is audited as: "operator:<OS user>" (never an officer)."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no name for the uid (a container)
        user = f"uid{os.getuid()}" if hasattr(os, "getuid") else "unknown"
    return f"operator:{user}"[:64]


def at_option(parser: argparse.ArgumentParser, what: str = "time of the change") -> None:
    """`--at TIME`: the time of the change (default: now)."""
    parser.add_argument("--at", type=parse_time, help=f"{what} (default: now)")


def key_store(args: argparse.Namespace, settings: Settings) -> KeyStore:
    """The key store of `--keys-dir`, with the passphrase of VERIFY_KEY_PASSPHRASE (also from its `_FILE` or the
    secrets directory) and the token PIN.

    The PIN (for document signer keys in a PKCS#11 token) is read from `--pin-file` when the command has it,
    else as `Settings.token_pin_bytes` reads it (VERIFY_TOKEN_PIN_FILE, VERIFY_TOKEN_PIN); none is no PIN.

    Raises:
        HsmError: the PIN file cannot be read or is empty.
    """
    pin_file = getattr(args, "pin_file", None)
    pin = read_pin_file(pin_file) if pin_file is not None else settings.token_pin_bytes()
    return KeyStore(args.keys_dir, settings.passphrase_bytes(), pin=pin)


def signer(args: argparse.Namespace, settings: Settings) -> SignerSet:
    """The key store's active document signers, chosen per document by scope (`verify.signerset`).

    Raises:
        KeyStoreError: no key store, or no active signer.
    """
    return key_store(args, settings).document_signers()


def database_url(args: argparse.Namespace, settings: Settings) -> str:
    """--database-url / VERIFY_DATABASE_URL, or the SQLite file under the data directory."""
    return str(getattr(args, "database_url", None) or settings.resolved_database_url())


def shown_url(url: str) -> str:
    """A database URL as it may be printed: without its password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@contextmanager
def registry_session(args: argparse.Namespace, settings: Settings, *, readonly: bool = False) -> Iterator[Session]:
    """A session on the registry (checked to be at this code's migration); the engine is disposed after.

    Raises:
        SchemaError: the database is empty, older or newer than the code.
        RegistryUnavailableError: the database cannot be reached.
    """
    from sqlmodel import Session

    from ..registry.db import make_engine, require_current_schema

    engine = make_engine(database_url(args, settings), readonly=readonly)
    try:
        require_current_schema(engine)
        with Session(engine, expire_on_commit=False) as session:
            yield session
    finally:
        engine.dispose()


def _read_secret(path: Path, what: str) -> str:
    try:
        value = path.read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise Error(f"{path}: cannot read the {what} ({getattr(exc, 'strerror', None) or exc.__class__.__name__})") \
            from None
    if not value:
        raise Error(f"{path}: the {what} file is empty")
    return value


def acting_officer(session: Session, args: argparse.Namespace, *, institution_bin: str | None = None,
                   write: bool = True) -> Officer:
    """The officer whose credentials the command was given, who must belong to `institution_bin` when it is given.

    The credentials, in this order: `--token-file FILE`; the token in VERIFY_TOKEN; `--user USERNAME` with the
    password of `--password-file FILE` or typed at the prompt (on a terminal). A token must be an officer's, in force,
    with the scope `officer:write` when the command writes (`officer:read` otherwise); a password must be the
    officer's (`accounts.authenticate_password`, argon2id). Naming a username alone acts for nobody.

    Raises:
        Error: no credentials given, or a file that cannot be read.
        ForbiddenError: a token unknown, expired, revoked, not an officer's or without the scope; a wrong username or
            password; a disabled account; an officer of another institution than `institution_bin`.
        NotFoundError: no such institution.
    """
    from ..registry.accounts import PasswordHashing, authenticate_password, resolve_token
    from ..registry.institutions import get_institution_by_bin_or_raise
    from ..registry.models import Officer as OfficerRow
    from ..registry.models import Scope

    at = now()
    token_file = getattr(args, "token_file", None)
    token = _read_secret(token_file, "token") if token_file is not None else os.environ.get(TOKEN_ENV, "").strip()
    officer: Officer | None
    if token:
        identity = resolve_token(session=session, secret=token, at=at)
        needed = Scope.OFFICER_WRITE.value if write else Scope.OFFICER_READ.value
        if identity is None or identity.officer is None:
            raise ForbiddenError("the token is unknown, expired or revoked, not an officer's, or its officer is "
                                 "disabled")
        if needed not in identity.scopes:
            raise ForbiddenError(f"the token of officer {identity.name} lacks the scope {needed}")
        officer = identity.officer
    elif getattr(args, "user", None):
        password_file = getattr(args, "password_file", None)
        if password_file is not None:
            password = _read_secret(password_file, "password")
        elif sys.stdin.isatty():
            password = getpass.getpass(f"password of {args.user}: ")
        else:
            raise Error("--user needs --password-file FILE when no terminal can ask for the password")
        account = authenticate_password(session=session, username=args.user, password=password,
                                        hashing=PasswordHashing(), at=at)
        officer = session.get(OfficerRow, account.officer_id) if account is not None and account.officer_id else None
        if officer is None:
            raise ForbiddenError("wrong username or password, or the account is not an active officer's")
    else:
        raise Error(f"the command acts for an officer only with the officer's credentials: {TOKEN_ENV} or "
                    "--token-file FILE (`verify tokens create --officer USERNAME`), or --user USERNAME with "
                    "--password-file FILE or the prompt")
    if institution_bin is not None:
        institution = get_institution_by_bin_or_raise(session=session, bin=institution_bin)
        if institution.id != officer.institution_id:
            raise ForbiddenError(f"officer {officer.username} does not belong to institution {institution_bin}")
    return officer


def registry_status_lookup(args: argparse.Namespace, settings: Settings) -> StatusLookup | None:
    """The registry lookup for `verify check` / `verify scan`, or None to verify offline.

    None when `--offline` is given, or when no registry database exists (the SQLite file is missing, or the
    server has no tables).
    """
    if getattr(args, "offline", True):
        return None
    try:
        from ..registry.db import database_exists, make_engine
        from ..registry.lookup import RegistryStatusLookup
    except ModuleNotFoundError:  # the core verifier alone (no `registry` extra): no registry to ask
        return None

    url = database_url(args, settings)
    if not database_exists(url):
        return None
    return RegistryStatusLookup.from_engine(make_engine(url, readonly=True, pooled=False))


def write_code_files(signed: SignedRecord, out: Path) -> dict[str, Path]:
    """Write a signed record's code as `<series>-<number>[-r<revision>].{svg,png,pdf,txt}` in `out`.

    Returns:
        {"svg": path, "png": path, "pdf": path, "txt": path}.
    """
    images = render_record(signed)
    out.mkdir(parents=True, exist_ok=True)
    stem = code_file_stem(signed.record)
    paths = {kind: out / f"{stem}.{kind}" for kind in ("svg", "png", "pdf", "txt")}
    paths["svg"].write_bytes(images.svg)
    paths["png"].write_bytes(images.png)
    paths["pdf"].write_bytes(images.pdf)
    paths["txt"].write_text(signed.qr_text + "\n", "ascii")
    return paths


def validation_message(exc: Any) -> str:
    """A pydantic `ValidationError` in one line: `field: message; ...` (never the input)."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors(include_input=False))
