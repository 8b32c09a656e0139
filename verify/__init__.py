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
    appendixcheck.py  a signed appendix against its diploma;  statuslookup.py  verified status lists as a
                  `StatusLookup` (offline);  vc.py, elm.py, bitstring.py  standard credentials (VC / Open Badges
                  JWT, Europass ELM, Bitstring Status List);  transparency/  the transparency log
    issue.py      record -> COSE_Sign1 -> QR text -> QR images; a stored code's caption and print sheets
    scan.py       image bytes -> QR texts (decoding only: never trusts; its passes in scanning/)
    verifier.py   QR text -> numbered checks -> status -> `VerificationReport` with its `Verdict`
    record.py, codec.py, qr.py, qrpdf.py, keys.py, keystore.py, pkcs11.py, trust.py, status.py, statuslist.py,
    versionstate.py, credentials.py, appendix.py, appendixcodec.py, grades.py, translit.py, identifiers.py,
    doctypes.py, errors.py, settings.py, scanning/, schemas/ (JSON Schemas)    the pure core

`__all__` below is the surface for programs that verify or issue (locked by tests/core/test_layout.py); the web
service and the command line, adapters above every layer here, also use the modules themselves. The record format
is specified in docs/FORMAT.md.
"""

from .appendix import Appendix, AppendixItem, DiplomaRef, ItemKind, Totals
from .appendixcheck import AppendixReport, check_appendix, verify_appendix
from .appendixcodec import SignedAppendix, sign_appendix
from .bitstring import bitstring_status_entry, build_bitstring_status_list, status_of_entry
from .credentials import Issuer, signer_jwk
from .elm import build_edc_credential
from .errors import Error, VerificationError
from .grades import Grade
from .issue import QrImages, SignedRecord, render_record, sign_record
from .keys import KeySigner, Signer
from .keystore import KeyStore
from .record import DuplicateOf, HolderName, Record
from .report import VerificationReport
from .status import (
    AsyncStatusLookup,
    DocumentRef,
    RegistryStatus,
    StatusCode,
    StatusLookup,
    StatusQuery,
    Verdict,
)
from .statuslist import NumberStatus, StatusList, Successor, build_status_list
from .statuslookup import StatusListLookup, load_status_lists, verify_status_list
from .translit import LatinName, latin_name
from .trust import Scope, SignerEntry, TrustList
from .vc import build_diploma_credential, sign_credential, verify_credential_jwt
from .verifier import PendingCheck, Verifier
from .versionstate import FileVersionState, MemoryVersionState, VersionState, accept_trust_list

__all__ = [
    "Appendix",
    "AppendixItem",
    "AppendixReport",
    "AsyncStatusLookup",
    "DiplomaRef",
    "DocumentRef",
    "DuplicateOf",
    "Error",
    "FileVersionState",
    "Grade",
    "HolderName",
    "Issuer",
    "ItemKind",
    "KeySigner",
    "KeyStore",
    "LatinName",
    "MemoryVersionState",
    "NumberStatus",
    "PendingCheck",
    "QrImages",
    "Record",
    "RegistryStatus",
    "Scope",
    "SignedAppendix",
    "SignedRecord",
    "Signer",
    "SignerEntry",
    "StatusCode",
    "StatusList",
    "StatusListLookup",
    "StatusLookup",
    "StatusQuery",
    "Successor",
    "Totals",
    "TrustList",
    "Verdict",
    "VerificationError",
    "VerificationReport",
    "Verifier",
    "VersionState",
    "accept_trust_list",
    "bitstring_status_entry",
    "build_bitstring_status_list",
    "build_diploma_credential",
    "build_edc_credential",
    "build_status_list",
    "check_appendix",
    "latin_name",
    "load_status_lists",
    "render_record",
    "sign_appendix",
    "sign_credential",
    "sign_record",
    "signer_jwk",
    "status_of_entry",
    "verify_appendix",
    "verify_credential_jwt",
    "verify_status_list",
]
