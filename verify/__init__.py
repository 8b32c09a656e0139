"""verify: signed QR codes for Kazakhstan education documents.

The core library. It turns a registry record into a signed QR code that prints exactly
3 x 3 cm (seed 000, Rules item 19) and turns any photo of that code back into a verdict,
offline against a trust list, or online with a registry `StatusLookup`.

Example:
    >>> import datetime as dt
    >>> from verify import KeyStore, Verifier, sign_record, Record
    >>> store = KeyStore(Path("keys"))                                   # doctest: +SKIP
    >>> signed = sign_record(record, signer=store.signer(),             # doctest: +SKIP
    ...                      base_url="https://v.edu.kz", at=dt.datetime.now(dt.UTC))
    >>> Verifier(store.trust_list()).check(signed.qr_text, at=dt.datetime.now(dt.UTC)).verdict  # doctest: +SKIP
    <Verdict.VALID: 'VALID'>

What is here, from the top down (the layers are checked by import-linter: pyproject.toml, [tool.importlinter]):

    cli/          the `verify` command line (adapters: argv and settings)
    demo/         the demo pipeline of `verify demo`: sample data, registry stages, diploma inserts
    registry/     the registry: tables, every SQL statement, services, `RegistryStatusLookup`
    issue.py      record -> COSE_Sign1 -> QR text -> QR images; a stored code's caption and print sheets
    scan.py       image bytes -> QR texts (decoding only: never trusts)
    verifier.py   QR text -> numbered checks -> registry status -> `VerificationReport` with its `Verdict`
    record.py, codec.py, qr.py, qrpdf.py, keys.py, keystore.py, trust.py, status.py, identifiers.py,
    doctypes.py, errors.py, settings.py, schemas/ (the trust list's JSON Schema)    the pure core

`__all__` below is the surface for programs that verify or issue (locked by tests/core/test_layout.py); the web
service and the command line, adapters above every layer here, also use the modules themselves. The record format
is specified in docs/FORMAT.md.
"""

from .errors import Error, VerificationError
from .issue import QrImages, SignedRecord, render_record, sign_record
from .keys import KeySigner, Signer
from .keystore import KeyStore
from .record import DuplicateOf, HolderName, Record
from .status import (
    AsyncStatusLookup,
    DocumentRef,
    RegistryStatus,
    StatusCode,
    StatusLookup,
    StatusQuery,
    Verdict,
)
from .trust import Scope, SignerEntry, TrustList
from .verifier import PendingCheck, VerificationReport, Verifier

__all__ = [
    "AsyncStatusLookup",
    "DocumentRef",
    "DuplicateOf",
    "Error",
    "HolderName",
    "KeySigner",
    "KeyStore",
    "PendingCheck",
    "QrImages",
    "Record",
    "RegistryStatus",
    "Scope",
    "SignedRecord",
    "Signer",
    "SignerEntry",
    "StatusCode",
    "StatusLookup",
    "StatusQuery",
    "TrustList",
    "Verdict",
    "VerificationError",
    "VerificationReport",
    "Verifier",
    "render_record",
    "sign_record",
]
