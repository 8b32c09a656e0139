"""Officers' credentials for the command-line tests: the CLI acts for an officer only with a token or a password
(issue 13, item 3), so a test makes the officer's token as an operator would (`verify tokens create --officer`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from pathlib import Path

from sqlmodel import Session

from verify.registry.accounts import create_token, ensure_officer_account
from verify.registry.db import make_engine
from verify.registry.institutions import get_officer_by_username_or_raise

WRITE = ("officer:read", "officer:write")


def officer_token(url: str, username: str, *, scopes: Iterable[str] = WRITE) -> str:
    """A new API token of the officer `username` in the registry at `url`, valid for a day from the real clock
    (the command line checks tokens at the time it runs)."""
    at = dt.datetime.now(dt.UTC)
    engine = make_engine(url)
    try:
        with Session(engine, expire_on_commit=False) as session:
            officer = get_officer_by_username_or_raise(session=session, username=username)
            account = ensure_officer_account(session=session, officer=officer, at=at)
            session.commit()
            secret, _ = create_token(session=session, owner=account, name="test", scopes=list(scopes), at=at,
                                     expires_at=at + dt.timedelta(days=1), actor="operator:test", officer=officer)
    finally:
        engine.dispose()
    return secret


def token_file(url: str, username: str, path: Path, *, scopes: Iterable[str] = WRITE) -> Path:
    """`officer_token` written to `path` (for `--token-file`)."""
    path.write_text(officer_token(url, username, scopes=scopes) + "\n", "ascii")
    return path
