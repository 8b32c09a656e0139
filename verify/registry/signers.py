"""One document signer per institution: its scope from the registry, its key in the key store.

At national scale each institution has its own document signer (DESIGN.md, Trust beyond the registry), scoped to
the series its kind may issue and to its BIN (docs/FORMAT.md §6.3 `scope`): a stolen key of one institution then
signs nothing another institution's verifiers would accept. The scope comes from the registry:

* a university: every higher-education series printed with a fixed series (seed 001, item 7: BD, BQ, MD, ...);
* a college: the series of the TVE blank ranges it has received (seed 000, items 7 and 17; the ministry sets the
  blank series per print run), and in a development or test key store also the development TVE series; the
  administrator may add series (`extra_series`), e.g. a print run announced but not yet recorded.

`create_institution_signer` makes the signer through `KeyStore.rotate`, so that a second call rotates that
institution's signer and leaves every other institution's active. The caller holds the key store's lock and
publishes the new trust list (the admin API, `verify keys institution`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlmodel import Session, select

from ..doctypes import DEVELOPMENT_TVE_SERIES, all_fixed_series
from ..errors import RecordError
from ..identifiers import normalize_series
from ..keystore import DEFAULT_SIGNER_USAGE_DAYS, KeyStore
from ..pkcs11 import TokenLocation
from ..trust import TrustList
from .institutions import get_institution_by_bin_or_raise
from .models import BlankRange, Institution, InstitutionKind


def institution_series(*, session: Session, institution: Institution, environment: str,
                       extra_series: Iterable[str] = ()) -> frozenset[str]:
    """The series an institution's document signer may sign (see the module docstring).

    Args:
        environment: the key store's ("production", "development" or "test"); outside production a college's
            scope also holds the development TVE series (`verify.doctypes.DEVELOPMENT_TVE_SERIES`).
        extra_series: series to add (normalised as the registry does).

    Raises:
        RecordError: a malformed extra series, or a production college with no blank series recorded or given.
    """
    extra = frozenset(normalize_series(s) for s in extra_series)
    if institution.kind == InstitutionKind.UNIVERSITY.value:
        return frozenset(all_fixed_series()) | extra
    received = frozenset(session.exec(select(BlankRange.series).where(
        BlankRange.institution_id == institution.id)).all())
    series = received | extra
    if environment != "production":
        series |= frozenset(DEVELOPMENT_TVE_SERIES)
    if not series:
        raise RecordError(f"series: institution {institution.bin} is a college with no blank series recorded; "
                          "record its blanks first or name the series of its blanks")
    return series


def create_institution_signer(*, session: Session, keys: KeyStore, institution_bin: str, at: dt.datetime,
                              extra_series: Iterable[str] = (), alg: int | None = None,
                              token: TokenLocation | None = None,
                              usage_days: int = DEFAULT_SIGNER_USAGE_DAYS) -> TrustList:
    """Create (or rotate) the document signer of one institution; every other active signer stays active.

    Args:
        institution_bin: the institution, registered.
        at: the time its usage starts (and the replaced signer's ends).
        extra_series: series beyond those of its kind (`institution_series`).
        alg: -8 or -7 (None: EdDSA, or what the token offers).
        token: make the key in this PKCS#11 token (the store's PIN); None: as the replaced signer's, else a file.

    Returns:
        The new trust list (written to the key store; the caller publishes it).

    Raises:
        NotFoundError: no such institution.
        RecordError: no series for a production college (`institution_series`).
        KeyStoreError, HsmError: the key store or the token cannot make the signer; nothing is written.
    """
    institution = get_institution_by_bin_or_raise(session=session, bin=institution_bin)
    series = institution_series(session=session, institution=institution,
                                environment=keys.trust_list().environment, extra_series=extra_series)
    session.rollback()
    return keys.rotate(at=at, alg=alg, series=series, institution_bin=institution.bin, token=token,
                       usage_days=usage_days)
