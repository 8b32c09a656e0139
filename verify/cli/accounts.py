"""Accounts on the command line: officers, administrators, partners, API tokens.

    verify officers add --institution BIN --username U --full-name NAME [--role issuer|head|viewer]
                        [--password-env VAR | --password-prompt]
    verify officers password USERNAME [--password-env VAR]             set or reset; its sessions end
    verify officers disable USERNAME [--reason R] | enable USERNAME    disabling revokes its tokens at once
    verify admins add --username U --full-name NAME [--password-env VAR]
    verify partners add NAME | list
    verify partners webhook NAME --url URL --secret-file FILE   the outbox's events POSTed to URL, signed
    verify tokens create (--officer U | --admin U | --partner NAME) --scopes S[,S...] [--days N] [--name N]
    verify tokens list | revoke ID

Passwords are never taken from the command line itself (it shows in `ps` and shell history): from an environment
variable named by `--password-env`, or typed twice at a prompt (the default of `password` and `admins add`).
`tokens create` prints the token alone on standard output (shown this once; only its SHA-256 is stored) and what
it is on standard error, so that `TOKEN=$(verify tokens create ...)` works.

Hashes are made with argon2-cffi's default parameters (RFC 9106); the web service replaces a hash made with other
parameters at the next sign-in (VERIFY_PASSWORD_*). Every change is audited with the actor "admin" (the operator at
the console). Sources: seed 001 item 7 (accounts for the persons appointed by the head's order).
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import Error, RecordError
from ..settings import Settings
from .common import Subparsers, now, registry_session, validation_message

if TYPE_CHECKING:
    from sqlmodel import Session

    from ..registry.accounts import PasswordHashing

DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650


def _password_options(parser: argparse.ArgumentParser, *, prompt_flag: bool) -> None:
    parser.add_argument("--password-env", metavar="VAR",
                        help="read the password from this environment variable (never give it on the command line)")
    if prompt_flag:
        parser.add_argument("--password-prompt", action="store_true", help="ask for the password (typed twice)")


def add_officer_commands(sub: Subparsers[argparse.ArgumentParser]) -> None:
    """Add `officers` (its `handler` is `cmd_officers`)."""
    officers = sub.add_parser("officers", help="officer accounts")
    officers_sub = officers.add_subparsers(dest="officers_command", required=True, metavar="ACTION")
    add = officers_sub.add_parser("add", help="open an account bound to one institution")
    add.add_argument("--institution", required=True, metavar="BIN")
    add.add_argument("--username", required=True)
    add.add_argument("--full-name", required=True)
    add.add_argument("--role", choices=("issuer", "head", "viewer"), default="issuer")
    _password_options(add, prompt_flag=True)
    password = officers_sub.add_parser("password", help="set or reset an officer's password (its sessions end)")
    password.add_argument("username")
    _password_options(password, prompt_flag=False)
    disable = officers_sub.add_parser("disable", help="disable an account: sessions end, tokens are revoked")
    disable.add_argument("username")
    disable.add_argument("--reason", help="why (kept in the audit log)")
    enable = officers_sub.add_parser("enable", help="enable a disabled account again")
    enable.add_argument("username")
    officers.set_defaults(handler=cmd_officers)


def add_account_commands(sub: Subparsers[argparse.ArgumentParser]) -> None:
    """Add `admins`, `partners` and `tokens` (each sets its `handler`)."""
    admins = sub.add_parser("admins", help="administrator accounts (the ministry)")
    admins_sub = admins.add_subparsers(dest="admins_command", required=True, metavar="ACTION")
    admin_add = admins_sub.add_parser("add", help="open an administrator account")
    admin_add.add_argument("--username", required=True)
    admin_add.add_argument("--full-name", required=True)
    _password_options(admin_add, prompt_flag=False)
    admins.set_defaults(handler=cmd_admins)

    partners = sub.add_parser("partners", help="partner systems that read documents with tokens")
    partners_sub = partners.add_subparsers(dest="partners_command", required=True, metavar="ACTION")
    partner_add = partners_sub.add_parser("add", help="register a partner (e.g. the digital documents app)")
    partner_add.add_argument("name")
    partners_sub.add_parser("list", help="list partners")
    webhook = partners_sub.add_parser("webhook", help="set the partner's webhook (every issue, duplicate, correction "
                                                      "and annulment, signed; Standard Webhooks)")
    webhook.add_argument("name")
    webhook.add_argument("--url", required=True, help="where to POST the events (http or https)")
    webhook.add_argument("--secret-file", required=True, type=Path,
                         help="a file holding the secret: whsec_ + base64 of 24-64 bytes (never on the command line)")
    partners.set_defaults(handler=cmd_partners)

    tokens = sub.add_parser("tokens", help="API tokens (bearer)")
    tokens_sub = tokens.add_subparsers(dest="tokens_command", required=True, metavar="ACTION")
    create = tokens_sub.add_parser("create", help="make a token; prints it once")
    owner = create.add_mutually_exclusive_group(required=True)
    owner.add_argument("--officer", metavar="USERNAME", help="an officer's token")
    owner.add_argument("--admin", metavar="USERNAME", help="an administrator's token")
    owner.add_argument("--partner", metavar="NAME", help="a partner's token")
    create.add_argument("--scopes", required=True,
                        help="comma-separated: officer:read, officer:write, partner:read, admin")
    create.add_argument("--days", type=int, default=DEFAULT_TOKEN_DAYS,
                        help=f"days until it expires (default {DEFAULT_TOKEN_DAYS}, at most {MAX_TOKEN_DAYS})")
    create.add_argument("--name", default="command line", help="what it is for")
    tokens_sub.add_parser("list", help="every token (never its text)")
    revoke = tokens_sub.add_parser("revoke", help="revoke a token now")
    revoke.add_argument("token_id", type=int, metavar="ID")
    tokens.set_defaults(handler=cmd_tokens)


# ------------------------------------------------------------------------------ passwords
def read_password(args: argparse.Namespace, *, prompt: bool) -> str | None:
    """The password of a command: from `--password-env VAR`, else typed twice when `prompt`, else None.

    Raises:
        Error: the variable is unset or empty, or the two typed passwords differ.
        RecordError: the password breaks `accounts.check_password` (checked before anything is written).
    """
    from ..registry.accounts import check_password

    variable = getattr(args, "password_env", None)
    if variable:
        value = os.environ.get(variable)
        if not value:
            raise Error(f"--password-env {variable}: the variable is unset or empty")
        return check_password(value)
    if not prompt:
        return None
    first = getpass.getpass("password: ")
    first = getpass.getpass("password: ")
    if getpass.getpass("password again: ") != first:
        raise Error("the two passwords differ")
    return check_password(first)


def _hashing() -> PasswordHashing:
    from ..registry.accounts import PasswordHashing

    return PasswordHashing()


# ------------------------------------------------------------------------------ handlers
def cmd_officers(args: argparse.Namespace, settings: Settings) -> int:
    """`verify officers add|password|disable|enable`."""
    from ..registry.accounts import set_officer_active, set_officer_password
    from ..registry.institutions import get_officer_by_username_or_raise

    if args.officers_command == "add":
        return _add_officer(args, settings)
    with registry_session(args, settings) as session:
        officer = get_officer_by_username_or_raise(session=session, username=args.username)
        session.commit()
        if args.officers_command == "password":
            password = read_password(args, prompt=True)
            assert password is not None
            set_officer_password(session=session, officer=officer, password=password, hashing=_hashing(), at=now())
            print(f"password of {officer.username} set; its sessions have ended")
        else:
            active = args.officers_command == "enable"
            set_officer_active(session=session, officer=officer, active=active, at=now(),
                               reason=getattr(args, "reason", None))
            print(f"officer {officer.username} {'enabled' if active else 'disabled: sessions ended, tokens revoked'}")
    return 0


def _add_officer(args: argparse.Namespace, settings: Settings) -> int:
    """`verify officers add`: the account bound to one institution, and its password when one is given."""
    from pydantic import ValidationError

    from ..registry.accounts import get_account_by_username, set_officer_password
    from ..registry.institutions import create_officer, get_institution_by_bin_or_raise
    from ..registry.models import OfficerCreate

    password = read_password(args, prompt=bool(getattr(args, "password_prompt", False)))
    username = args.username.strip()
    with registry_session(args, settings) as session:
        if password is not None and get_account_by_username(session=session, username=username) is not None:
            raise Error(f"the username {username} is taken by an administrator account")
        institution = get_institution_by_bin_or_raise(session=session, bin=args.institution)
        try:
            data = OfficerCreate(username=args.username, full_name=args.full_name, role=args.role)
        except ValidationError as exc:
            raise RecordError(validation_message(exc)) from None
        officer = create_officer(session=session, officer_create=data, institution=institution, at=now())
        print(f"officer {officer.username} ({officer.role}) of institution {institution.bin}")
        if password is not None:
            set_officer_password(session=session, officer=officer, password=password, hashing=_hashing(), at=now())
            print(f"officer {officer.username} can sign in")
    return 0


def cmd_admins(args: argparse.Namespace, settings: Settings) -> int:
    """`verify admins add`."""
    from ..registry.accounts import create_admin

    password = read_password(args, prompt=True)
    with registry_session(args, settings) as session:
        account = create_admin(session=session, username=args.username, full_name=args.full_name, password=password,
                               hashing=_hashing(), at=now())
    print(f"administrator {account.username} can sign in")
    return 0


def cmd_partners(args: argparse.Namespace, settings: Settings) -> int:
    """`verify partners add NAME | list`."""
    from ..registry.partner import create_partner, list_partners

    with registry_session(args, settings) as session:
        if args.partners_command == "list":
            for partner in list_partners(session=session):
                print(f"{partner.id:>5}  {'active' if partner.active else 'disabled':8}  {partner.name}")
            return 0
        if args.partners_command == "webhook":
            return _set_webhook(session, args)
        partner = create_partner(session=session, name=args.name, at=now())
    print(f"partner {partner.id} {partner.name!r} registered; make its token with "
          f"`verify tokens create --partner {partner.name!r} --scopes partner:read`")
    return 0


def _set_webhook(session: Session, args: argparse.Namespace) -> int:
    """`verify partners webhook NAME --url URL --secret-file FILE`."""
    from ..registry.partner import get_partner_by_name
    from ..registry.webhooks import set_webhook

    partner = get_partner_by_name(session=session, name=args.name)
    if partner is None:
        raise Error(f"no partner {args.name!r}: register it with `verify partners add`")
    try:
        secret = args.secret_file.read_text("utf-8")
    except (OSError, UnicodeError) as exc:
        raise Error(f"cannot read the secret file {args.secret_file}: {exc}") from None
    session.commit()
    row = set_webhook(session=session, partner=partner, url=args.url, secret=secret, at=now(), actor="admin")
    print(f"partner {partner.name!r}: events after {row.delivered_id} go to {row.url} (signed; `verify serve` "
          "delivers them)")
    return 0


def _owner(session: Session, args: argparse.Namespace) -> tuple[Any, Any]:
    """(token owner, officer row or None) named by --officer, --admin or --partner."""
    from ..registry.accounts import ensure_officer_account, get_account_by_username
    from ..registry.institutions import get_officer_by_username_or_raise
    from ..registry.models import AccountKind
    from ..registry.partner import get_partner_by_name

    if args.officer:
        officer = get_officer_by_username_or_raise(session=session, username=args.officer)
        account = ensure_officer_account(session=session, officer=officer, at=now())
        session.commit()
        return account, officer
    if args.admin:
        admin = get_account_by_username(session=session, username=args.admin)
        if admin is None or admin.kind != AccountKind.ADMIN.value:
            raise Error(f"no administrator account {args.admin!r}: open one with `verify admins add`")
        return admin, None
    partner = get_partner_by_name(session=session, name=args.partner)
    if partner is None:
        raise Error(f"no partner {args.partner!r}: register it with `verify partners add`")
    return partner, None


def cmd_tokens(args: argparse.Namespace, settings: Settings) -> int:
    """`verify tokens create|list|revoke`."""
    from ..registry.accounts import create_token, list_tokens, revoke_token, token_owner_name

    at = now()
    with registry_session(args, settings) as session:
        if args.tokens_command == "list":
            for token in list_tokens(session=session):
                state = "revoked" if token.revoked_at else ("expired" if token.expires_at <= at else "active")
                print(f"{token.id:>5}  {state:8}  {token.hint}…  {token_owner_name(session=session, token=token):24}  "
                      f"{' '.join(token.scopes):28}  expires {token.expires_at:%Y-%m-%d}  {token.name}")
            return 0
        if args.tokens_command == "revoke":
            revoke_token(session=session, token_id=args.token_id, at=at, actor="admin")
            print(f"token {args.token_id} revoked")
            return 0
        if not 1 <= args.days <= MAX_TOKEN_DAYS:
            raise RecordError(f"--days: 1-{MAX_TOKEN_DAYS}")
        owner, officer = _owner(session, args)
        secret, token = create_token(session=session, owner=owner, name=args.name, scopes=args.scopes.split(","),
                                     at=at, expires_at=at + dt.timedelta(days=args.days), actor="admin",
                                     officer=officer)
    print(f"token {token.id} ({' '.join(token.scopes)}) expires {token.expires_at:%Y-%m-%d %H:%M} UTC; "
          "it is shown only now:", file=sys.stderr)
    print(secret)
    return 0
