"""The registry's side of verification: `RegistryStatusLookup` implements `verify.status.StatusLookup`.

The verifier never imports the registry (DESIGN.md, One picture); it is handed this object.
For the signed record it verified — series, number, revision and the SHA-256 of its payload —
the registry answers, as of the time of the check `at`:

    NOT_IN_REGISTRY  no such series and number, no such revision, a revision signed after `at`,
                     or a payload hash that differs from the stored revision's (a forged or
                     re-signed record: report it)
    ANNULLED         annulled at or before `at`, with the basis (any revision)
    REPLACED         a duplicate replaced it at or before `at`: which duplicate, when, why
                     (for a replaced duplicate, also its N and the original)
    CORRECTED        a newer revision was made at or before `at`: the current revision, the
                     fields changed since the presented one, when, and the latest reason
    DUPLICATE_VALID  duplicate No. N in force, and the original it was issued instead of
    ORIGINAL_VALID   the original in force

Events after `at` are ignored, so that a check "as of" an earlier date answers as the registry
would have then (STYLE.md §3: document status is judged at the time of the check).

Sources: seed 000 items 21-25 (a duplicate voids the original), appendix 38 (corrections);
seed 001 appendix 18.
"""

from __future__ import annotations

import datetime as dt
import hmac
from dataclasses import replace
from typing import NamedTuple

from sqlalchemy import Engine
from sqlalchemy import select as core_select
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session, col, select

from ..errors import SchemaError
from ..status import DocumentRef, RegistryStatus, StatusCode
from .db import SessionFactory, session_factory
from .models import Document, DocumentRevision, DocumentState


class RegistryStatusLookup:
    """`StatusLookup` over the registry database.

    Args:
        sessions: a factory of sessions (`db.session_factory(db.make_engine(url, readonly=True))`);
            each lookup opens and closes its own session.

    Example:
        >>> lookup = RegistryStatusLookup.from_engine(make_engine(url, readonly=True))  # doctest: +SKIP
        >>> Verifier(trust_list, status_lookup=lookup).check(text, at=now).verdict         # doctest: +SKIP
        'VALID'
    """

    def __init__(self, sessions: SessionFactory) -> None:
        self._sessions = sessions

    @classmethod
    def from_engine(cls, engine: Engine) -> RegistryStatusLookup:
        """A lookup over sessions of `engine`."""
        return cls(session_factory(engine))

    def lookup(self, *, series: str, number: str, revision: int, payload_sha256: bytes,
               at: dt.datetime) -> RegistryStatus:
        """The status of the signed record (series, number, revision, payload hash) as of `at`.

        Args:
            series, number, revision: from the verified payload.
            payload_sha256: SHA-256 of the signed payload bytes (32 bytes).
            at: the time of the check (aware).

        Returns:
            `RegistryStatus` (see the module docstring for the codes).

        Raises:
            SchemaError: the registry cannot be read (unreachable, or not migrated): the status is
                unknown, which is not the same as NOT_IN_REGISTRY.
        """
        if at.tzinfo is None:
            raise ValueError("at: must be timezone-aware")
        try:
            with self._sessions() as session:
                try:
                    return _status(session, series=series, number=number, revision=revision,
                                   payload_sha256=payload_sha256, at=at)
                finally:
                    session.rollback()
        except (OperationalError, ProgrammingError) as exc:
            raise SchemaError(f"the registry cannot be read ({type(exc.orig).__name__}); status unknown") from None


class _Revision(NamedTuple):
    """The columns of a document revision that a status answer uses."""

    revision: int
    created_at: dt.datetime
    payload_sha256: str
    changed_fields: list[str]
    reason: str | None


def _ref(document: Document, *, reason: str | None = None) -> DocumentRef:
    return DocumentRef(series=document.series, number=document.number, duplicate_no=document.duplicate_no,
                       issued_on=document.issued_at.date(), reason=reason)


def _status(session: Session, *, series: str, number: str, revision: int, payload_sha256: bytes,
            at: dt.datetime) -> RegistryStatus:
    not_in_registry = RegistryStatus(code=StatusCode.NOT_IN_REGISTRY, as_of=at)
    document = session.exec(select(Document).where(Document.series == series, Document.number == number)).first()
    if document is None or document.issued_at > at:
        return not_in_registry
    # Only the five columns the answer needs: the revisions also hold the signed bytes and the QR text.
    revisions = [_Revision(*row) for row in session.execute(
        core_select(col(DocumentRevision.revision), col(DocumentRevision.created_at),
                    col(DocumentRevision.payload_sha256), col(DocumentRevision.changed_fields),
                    col(DocumentRevision.reason))
        .where(col(DocumentRevision.document_id) == document.id).order_by(col(DocumentRevision.revision)))]
    presented = next((r for r in revisions if r.revision == revision), None)
    if presented is None or presented.created_at > at:
        return not_in_registry
    if not hmac.compare_digest(bytes.fromhex(presented.payload_sha256), payload_sha256):
        return not_in_registry
    known = [r for r in revisions if r.created_at <= at]
    current = known[-1]
    original = session.get(Document, document.original_id) if document.original_id is not None else None
    original_ref = _ref(original) if original is not None else None
    status = RegistryStatus(code=StatusCode.ORIGINAL_VALID, as_of=at, current_revision=current.revision,
                            duplicate_no=document.duplicate_no, original=original_ref)
    if document.state == DocumentState.ANNULLED.value and document.annulled_at is not None \
            and document.annulled_at <= at:
        return replace(status, code=StatusCode.ANNULLED, annulled_at=document.annulled_at, reason=document.annul_basis)
    if document.replaced_by_id is not None and document.replaced_at is not None and document.replaced_at <= at:
        successor = session.get(Document, document.replaced_by_id)
        assert successor is not None
        return replace(status, code=StatusCode.REPLACED, reason=successor.duplicate_reason,
                       replaced_by=_ref(successor, reason=successor.duplicate_reason))
    if current.revision > presented.revision:
        changed: list[str] = []
        for newer in known:
            if newer.revision > presented.revision:
                changed.extend(f for f in newer.changed_fields if f not in changed)
        return replace(status, code=StatusCode.CORRECTED, changed_fields=tuple(changed),
                       changed_at=current.created_at, reason=current.reason)
    if document.duplicate_no is not None:
        return replace(status, code=StatusCode.DUPLICATE_VALID)
    return status
