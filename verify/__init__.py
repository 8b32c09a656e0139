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
    'VALID'

The record format is specified in docs/FORMAT.md; the web service (`web/`) uses only what
this module exports.
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
from .status import AsyncStatusLookup, DocumentRef, RegistryStatus, StatusCode, StatusLookup, StatusQuery
from .statuslist import NumberStatus, StatusList, Successor, build_status_list
from .statuslookup import StatusListLookup, load_status_lists, verify_status_list
from .translit import LatinName, latin_name
from .trust import Scope, SignerEntry, TrustList
from .vc import build_diploma_credential, sign_credential, verify_credential_jwt
from .verifier import VERDICTS, PendingCheck, VerificationReport, Verifier
from .versionstate import FileVersionState, MemoryVersionState, VersionState, accept_trust_list

__all__ = [
    "VERDICTS",
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
