"""Request and response shapes of sign-in and API tokens, with the examples the OpenAPI document shows.

A token's text appears once, in `TokenCreatedModel` (the answer that makes it); lists show its `hint` only.
Passwords appear in requests only and are never echoed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Final, Literal

from pydantic import BaseModel, ConfigDict, Field

from verify.registry.accounts import PASSWORD_MAX_CHARS, TOKEN_NAME_MAX_CHARS

_AT: Final = "2026-07-01T09:00:00Z"
_UNTIL: Final = "2026-09-29T09:00:00Z"
ScopeName = Literal["officer:read", "officer:write", "partner:read", "admin"]


def _examples(*values: dict[str, Any]) -> ConfigDict:
    return ConfigDict(extra="forbid", json_schema_extra={"examples": list(values)})



# ----------------------------------------------------------------------------- sign-in
class LoginRequest(BaseModel):
    """`POST /api/v1/auth/login` as JSON (an HTML form with the same two fields is accepted too)."""

    model_config = _examples({"username": "a.seitkali", "password": "correct horse battery staple"})

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=PASSWORD_MAX_CHARS)


ME_EXAMPLE: Final[dict[str, Any]] = {
    "username": "a.seitkali", "kind": "officer", "full_name": "Сейітқали Әлия", "role": "registrar",
    "institution_bin": "040140001236", "scopes": ["officer:read", "officer:write"], "via": "session",
    "expires_at": _AT, "csrf_token": "l3Jx0m2cM6Yh0Q6hT1wq8vX9qkq2h8a4b8mO0Zr1Yt8"}


class MeModel(BaseModel):
    """Who is signed in, with what scopes; `csrf_token` for a cookie session (send it as X-CSRF-Token)."""

    model_config = ConfigDict(json_schema_extra={"examples": [ME_EXAMPLE]})

    username: str
    kind: Literal["officer", "admin", "partner"]
    full_name: str | None
    role: str | None = Field(description="registrar, head or viewer for an officer")
    institution_bin: str | None = Field(description="the officer's institution: every action is scoped to it")
    scopes: list[str]
    via: Literal["session", "token"]
    expires_at: dt.datetime
    csrf_token: str | None = Field(description="for a cookie session: the X-CSRF-Token of unsafe requests")


# ----------------------------------------------------------------------------- tokens
class TokenCreateRequest(BaseModel):
    """`POST /api/v1/auth/tokens`: a token for yourself with a subset of your scopes."""

    model_config = _examples({"name": "import robot", "scopes": ["officer:read", "officer:write"], "days": 30})

    name: str = Field(min_length=1, max_length=TOKEN_NAME_MAX_CHARS)
    scopes: list[ScopeName] = Field(min_length=1, max_length=4)
    days: int | None = Field(default=None, ge=1, le=3650,
                             description="lifetime in days (default VERIFY_TOKEN_DEFAULT_DAYS, capped by "
                                         "VERIFY_TOKEN_MAX_DAYS and by the lifetime of the token that asks)")


TOKEN_EXAMPLE: Final[dict[str, Any]] = {
    "id": 7, "name": "import robot", "hint": "vfy_Q3m9Zk", "owner": "a.seitkali",
    "scopes": ["officer:read", "officer:write"], "created_at": _AT, "created_by": "a.seitkali",
    "expires_at": _UNTIL, "revoked_at": None, "active": True}


class TokenModel(BaseModel):
    """A token as listed (never its text)."""

    model_config = ConfigDict(json_schema_extra={"examples": [TOKEN_EXAMPLE]})

    id: int
    name: str
    hint: str = Field(description="the first characters of the token, to recognise it")
    owner: str = Field(description="the account's username, or partner:<name>")
    scopes: list[str]
    created_at: dt.datetime
    created_by: str
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    active: bool = Field(description="neither revoked nor expired")


class TokenCreatedModel(TokenModel):
    """The new token: `token` is shown this once and never again (only its SHA-256 is stored)."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        **TOKEN_EXAMPLE, "token": "vfy_Q3m9Zk2m0Jq0ZPp8Yd3i8l6fB1w2X6s9R4c7V5b1N0a"}]})

    token: str


class TokensModel(BaseModel):
    """A list of tokens, newest first."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"tokens": [TOKEN_EXAMPLE]}]})

    tokens: list[TokenModel]
