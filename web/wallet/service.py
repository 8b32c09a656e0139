"""What the wallet routes share: the issuer of a credential, signing a diploma's credential for a wallet's key, and
the Bitstring Status List credentials (built from the registry, signed by the status signer, kept a few minutes).

Sources: verify/vc.py (the credential and its JWT), verify/bitstring.py (the status list mapping), OID4VCI 1.0 §8
(the credential is bound to the proven key: `credentialSubject.id` is the wallet key's did:jwk).
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass, field
from typing import Any

from verify.bitstring import build_bitstring_status_list
from verify.credentials import Issuer
from verify.errors import StatusListError
from verify.registry.credentialoffers import OfferedRevision
from verify.registry.documents import signed_record_of
from verify.registry.models import Institution
from verify.registry.statuslists import status_list_rows, status_signer
from verify.texts import text
from verify.vc import build_diploma_credential, sign_credential

from ..runtime.backoffice import BackOffice

#: How long a signed Bitstring Status List credential is served before it is built again (seconds).
BITSTRING_CACHE_S = 300


def issuer_of(institution: Institution) -> Issuer:
    """The institution as a credential's issuer: BIN and its names in kk, ru and en."""
    return Issuer(institution.bin, {"kk": institution.name_kk, "ru": institution.name_ru, "en": institution.name_en})


def diploma_credential_jwt(office: BackOffice, offered: OfferedRevision, *, subject_id: str, at: dt.datetime) -> str:
    """Sign the credential of an offered document revision for the wallet key `subject_id` (a did:jwk).

    The institution's document signer whose scope covers the series signs it (`SignerSet.signer_for`), as it
    signs the QR record.

    Raises:
        KeyStoreError, NoSignerInScopeError: no signer may sign it now (answered 503 / 409 by the route).
    """
    signed = signed_record_of(offered.revision)
    record = signed.record
    credential = build_diploma_credential(signed, issuer=issuer_of(offered.institution), base_url=office.base_url,
                                          subject_id=subject_id)
    signer = office.signer().signer_for(series=record.series, institution_bin=record.institution_bin, at=at)
    return sign_credential(credential, signer=signer, base_url=office.base_url, at=at)


@dataclass
class BitstringCache:
    """Signed Bitstring Status List credentials per (series, revision), each kept `BITSTRING_CACHE_S` seconds.

    Attributes:
        entries: (series, revision) -> (built at, JWT).
    """

    entries: dict[tuple[str, int], tuple[dt.datetime, str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def get(self, office: BackOffice, *, series: str, revision: int, at: dt.datetime) -> str:
        """The list of `series` at `revision`, signed by the status signer (docs/INTEROP.md §4).

        Raises:
            StatusListError: no active status signer, or its scope does not hold the series.
        """
        with self.lock:
            kept = self.entries.get((series, revision))
        if kept is not None and (at - kept[0]).total_seconds() < BITSTRING_CACHE_S:
            return kept[1]
        signer, scope = status_signer(office.keys)
        if series not in scope:
            raise StatusListError(text("v_bitstring_unavailable", series=series))
        with office.readers() as session:
            rows = status_list_rows(session.connection(), series=series, at=at)
            session.commit()
        credential = build_bitstring_status_list(series, rows, revision=revision, base_url=office.base_url,
                                                 issued_at=at)
        token = sign_credential(credential, signer=signer, base_url=office.base_url, at=at)
        with self.lock:
            self.entries[(series, revision)] = (at, token)
        return token


def bitstring_cache(app: Any) -> BitstringCache:
    """The app's `BitstringCache` (one per application: its lists are signed with that app's key store)."""
    state = app.state
    cache = getattr(state, "bitstrings", None)
    if cache is None:
        cache = state.bitstrings = BitstringCache()
    assert isinstance(cache, BitstringCache)
    return cache
