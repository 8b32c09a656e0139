"""Which document signer signs a document: the active signers with their scopes, chosen per document.

At national scale several document signers are active at once, one per institution or per group of series
(DESIGN.md, Trust beyond the registry: "one document signer per institution at national scale, picked by scope at
issue"). The registry signs every document (an original, a batch's, a duplicate, a correction) through a
`SignerChooser`: it names the series, the institution's BIN and the signing time, and gets a `Signer` whose
trust-list entry lets it sign exactly that (`SignerEntry.check_scope`, `SignerEntry.check_at`), or a
`NoSignerInScopeError` naming why none may. So a record the registry stores never verifies OUT_OF_SCOPE, nor
SIGNER_OUT_OF_PERIOD, under the trust list it was signed with (docs/FORMAT.md §7 steps 8-10).

    SignerChooser   the protocol: signer_for(series=, institution_bin=, at=) -> Signer
    ScopedSigner    one signer and its trust-list entry (a `Signer`, and a chooser of itself only)
    SignerSet       the active document signers of a key store; opens each private key once, when first chosen

The choice among several that may sign: a signer scoped to the institution before one for any institution, then
the most recent (latest start of its usage period), so that a rotation takes effect at once.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol

from cryptography import x509

from .errors import NoSignerInScopeError, ScopeError, SignerPeriodError, SignerRevokedError
from .keys import Signer
from .texts import text
from .trust import SignerEntry


class SignerChooser(Protocol):
    """What the registry signs documents with: the signer that may sign this document at this time."""

    def signer_for(self, *, series: str, institution_bin: str, at: dt.datetime) -> Signer:
        """The document signer whose scope holds `series` and `institution_bin` and whose usage period holds `at`.

        Raises:
            NoSignerInScopeError: none may (its `reason` says why).
            KeyStoreError, HsmError: the chosen signer's key cannot be opened.
        """
        ...


def signing_time(at: dt.datetime) -> dt.datetime:
    """The time a record signed at `at` carries: aware UTC, whole seconds (as `verify.issue.sign_record` signs)."""
    return at.astimezone(dt.UTC).replace(microsecond=0)


def may_sign(entry: SignerEntry, *, series: str, institution_bin: str, at: dt.datetime) -> bool:
    """Whether a document signer's entry may sign this series for this institution at `at` (steps 8-10).

    A revoked signer never signs again, whatever its compromise time.
    """
    if entry.usage != "document" or entry.revocation is not None:
        return False
    try:
        entry.check_at(signing_time(at))
        entry.check_scope(series=series, institution_bin=institution_bin)
    except (SignerPeriodError, SignerRevokedError, ScopeError):
        return False
    return True


def choose_entry(entries: Iterable[SignerEntry], *, series: str, institution_bin: str,
                 at: dt.datetime) -> SignerEntry:
    """The entry that signs this document: among those that `may_sign`, one scoped to the institution first,
    then the latest start of usage.

    Raises:
        NoSignerInScopeError: reason "no_signer" (no document signer is in its usage period at `at`),
            "series" (none in period holds the series) or "institution" (some hold it, none for this BIN).
    """
    entries = tuple(entries)
    fitting = [e for e in entries if may_sign(e, series=series, institution_bin=institution_bin, at=at)]
    if fitting:
        return max(fitting, key=lambda e: (e.scope.institution_bin is not None, e.usage_from))
    in_period = [e for e in entries if e.usage == "document" and e.revocation is None
                 and _in_period(e, signing_time(at))]
    if not in_period:
        raise NoSignerInScopeError(text("signer_scope_no_signer"), reason="no_signer", series=series,
                                   institution_bin=institution_bin)
    if not any(series in e.scope.series for e in in_period):
        raise NoSignerInScopeError(text("signer_scope_series", series=series), reason="series", series=series,
                                   institution_bin=institution_bin)
    raise NoSignerInScopeError(text("signer_scope_institution", series=series, bin=institution_bin),
                               reason="institution", series=series, institution_bin=institution_bin)


def _in_period(entry: SignerEntry, at: dt.datetime) -> bool:
    try:
        entry.check_at(at)
    except (SignerPeriodError, SignerRevokedError):
        return False
    return True


@dataclass(frozen=True)
class ScopedSigner:
    """A `Signer` together with its trust-list entry; as a `SignerChooser` it chooses itself or refuses.

    Attributes:
        signer: the key (a file key or a token key).
        entry: its entry in the trust list (scope, usage period, revocation).
    """

    signer: Signer
    entry: SignerEntry

    @property
    def kid(self) -> bytes:
        """The signer's kid."""
        return self.signer.kid

    @property
    def alg(self) -> int:
        """COSE algorithm id (-8 or -7)."""
        return self.signer.alg

    @property
    def certificate(self) -> x509.Certificate:
        """The document signer certificate."""
        return self.signer.certificate

    def sign(self, data: bytes) -> bytes:
        """The 64-byte COSE signature of `data` (by the wrapped signer)."""
        return self.signer.sign(data)

    def signer_for(self, *, series: str, institution_bin: str, at: dt.datetime) -> Signer:
        """This signer, when its entry may sign the document at `at`.

        Raises:
            NoSignerInScopeError: it may not (see `choose_entry`).
        """
        choose_entry((self.entry,), series=series, institution_bin=institution_bin, at=at)
        return self


class SignerSet:
    """The active document signers of a key store, chosen per document (a `SignerChooser`).

    Private keys are opened when a signer is first chosen and kept for the life of the set (a batch opens each
    key once); build a new set to see a rotation (`KeyStore.document_signers`). Safe to share between threads.

    Args:
        entries: the trust-list entries of the active document signers.
        open_signer: opens the `Signer` of an entry (reads the key file, or logs in to the token).
    """

    def __init__(self, entries: Iterable[SignerEntry], open_signer: Callable[[SignerEntry], Signer]) -> None:
        self._entries = tuple(entries)
        self._open = open_signer
        self._opened: dict[bytes, ScopedSigner] = {}
        self._lock = threading.Lock()

    @property
    def entries(self) -> tuple[SignerEntry, ...]:
        """The active document signers' entries."""
        return self._entries

    def signer_for(self, *, series: str, institution_bin: str, at: dt.datetime) -> Signer:
        """The signer for this document (`choose_entry`), opened once.

        Raises:
            NoSignerInScopeError: no active signer may sign it.
            KeyStoreError, HsmError: its key cannot be opened.
        """
        entry = choose_entry(self._entries, series=series, institution_bin=institution_bin, at=at)
        with self._lock:
            scoped = self._opened.get(entry.kid)
            if scoped is None:
                scoped = self._opened[entry.kid] = ScopedSigner(self._open(entry), entry)
        return scoped


__all__ = ["ScopedSigner", "SignerChooser", "SignerSet", "choose_entry", "may_sign", "signing_time"]
