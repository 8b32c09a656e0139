"""The one place where the registry signs a record: `sign_document` (the single issue, the batch issue, duplicates
and corrections all call it; `verify.registry.documents` re-exports it).

It asks the `SignerChooser` for the document signer whose scope holds the record's series and institution at the
signing time and refuses with `NoSignerInScopeError` when none may, before anything is numbered for good or stored
(the caller's transaction rolls back), so that no stored record verifies OUT_OF_SCOPE (docs/FORMAT.md §7 step 10);
then `verify.issue.sign_record` signs. The registry calls `issue`, `issue` never writes the registry (DESIGN.md,
One picture).
"""

from __future__ import annotations

import datetime as dt

from ..issue import SignedRecord, sign_record
from ..record import Record
from ..signerset import SignerChooser


def sign_document(record: Record, *, signer: SignerChooser, base_url: str, at: dt.datetime) -> SignedRecord:
    """Sign a record the registry is about to store, with a signer that may sign it: the one place of signing.

    Originals, batch issues, duplicates and corrections all sign here (DESIGN.md, Trust beyond the registry:
    "one document signer per institution at national scale, picked by scope at issue").

    Args:
        record: the record to sign (its series and institution BIN choose the signer).
        signer: the `SignerChooser` (`verify.signerset`).
        base_url: the verification host of the QR link; at: the signing time (aware).

    Raises:
        NoSignerInScopeError: no active document signer's scope holds the series and institution at `at`
            (docs/FORMAT.md §7 steps 8-10 would fail); the caller's transaction rolls back.
        KeyStoreError, HsmError: the chosen signer cannot sign.
        RecordError, OverBudgetError: from `verify.issue.sign_record`.
    """
    chosen = signer.signer_for(series=record.series, institution_bin=record.institution_bin, at=at)
    return sign_record(record, signer=chosen, base_url=base_url, at=at)
