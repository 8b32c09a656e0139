"""The one error tree of `verify`.

Every failure the library reports is an instance of `Error`. Each class has a stable
machine-readable `code` (the verdict code of docs/FORMAT.md §7 where it is a verification
failure) and, for failures of a numbered verification step, the `step` that failed.
Foreign exceptions (cbor2, cryptography, Pillow, zxing-cpp) are converted once, at the
boundary where they occur, and never leak.

    Error
    ├── RecordError                  a record breaks the schema (docs/FORMAT.md §3); issue time
    │   ├── OverBudgetError          the signed record would not fit QR version 12 at ECC M (§5)
    │   └── IinInTextError           free text (a reason, a basis, a name) holds a checksum-valid IIN
    ├── SettingsError                a VERIFY_* setting, its *_FILE or the secrets directory cannot be used
    ├── KeyStoreError                key files missing, unreadable, wrong passphrase, bad mode
    │   ├── HsmError                 a PKCS#11 token cannot sign: no module, no token, wrong PIN, no key
    │   └── NoSignerInScopeError     no active document signer may sign this series and institution now
    ├── TrustListError               trust list malformed, badly signed, older than one seen
    ├── StatusListError              status list malformed, badly signed, expired, another series,
    │                                signed by a signer without usage `status`, older than one seen
    ├── VersionStateError            the persisted highest-versions-seen state cannot be read or written
    ├── ImageError                   picture stage of scanning (scan.py)
    │   ├── ImageTooLargeError       over the byte or pixel cap, refused before decoding
    │   ├── UnsupportedImageError    not JPEG, PNG or WebP
    │   ├── UnreadableImageError     the decoder could not read the picture
    │   └── NoQRCodeError            a readable picture without any QR code
    │       └── ForeignCodeError     ... but with symbols of other kinds: not a code of this service
    ├── RegistryError                the registry (verify/registry/) refused an operation
    │   ├── NotFoundError            no such institution, officer, graduate, document or blank
    │   ├── ConflictError            a unique key is taken: BIN, username, series and number,
    │   │                            overlapping blank range, idempotency key with other parameters
    │   ├── StockError               no free blank in the institution's stock, or a number outside it
    │   ├── LifecycleError           the document's state forbids it (annulled is final; replaced is void)
    │   ├── ForbiddenError           the officer's role or institution does not allow it
    │   ├── SchemaError              the database is missing or not migrated to this version
    │   ├── RegistryUnavailableError the database cannot be reached or read now (connection refused, pool
    │   │                            timeout): the status is unknown, which is not the same as unmigrated
    │   ├── AuditChainError          the audit hash chain does not verify (names the first bad event)
    │   └── CredentialOfferError     a wallet's pre-authorized code, transaction code, access token or nonce
    │                                is unknown, expired or used (OID4VCI 1.0; `oauth_error` names it)
    └── VerificationError            a numbered verification step failed (docs/FORMAT.md §7)
        ├── FormatError              steps 1-3 and 7: not a record of this format
        │   ├── PrefixError          step 1: not `HTTPS://<host>/V/`
        │   ├── DigitsError          step 2: not canonical decimal digits of 0x01 || COSE
        │   ├── CoseStructureError   step 3: not a COSE_Sign1 of the profile
        │   └── PayloadError         step 7: payload breaks the schema or strict CBOR rules
        ├── UnknownSignerError       step 4: no trusted document signer has the kid
        ├── BadSignatureError        step 5: no candidate key verifies the signature
        ├── UntrustedSignerError     step 6: the signer certificate does not chain to the root
        ├── SignerPeriodError        step 8: signing time outside the signer's usage period
        ├── SignerRevokedError       step 9: signer revoked at or before the signing time
        ├── ScopeError               step 10: series or institution outside the signer's scope
        ├── DocumentStatusError      step 11: authentic, but the registry says replaced,
        │                            corrected, annulled or not in the registry
        ├── StatusUnknownError       step 11: authentic, but no registry answer or fresh status
        │                            list for its series: AUTHENTIC_STATUS_UNKNOWN, never VALID
        ├── NotInLogError            step 12: authentic and in the registry, but its entry is not in the
        │                            transparency log, or its proof does not lead to a signed checkpoint
        ├── CredentialError          a JWT-secured credential (verify.vc) is not of this profile, or its
        │                            claims disagree with it (OB 3.0 §8.2.4)
        ├── AppendixFormatError      appendix steps 1 and 5: not a signed appendix (docs/FORMAT.md §10)
        ├── DiplomaNotAuthenticError appendix step 9: the diploma presented with it is not authentic
        └── AppendixBindingError     appendix step 10: the appendix names another diploma, revision,
                                     payload or institution: NOT_BOUND

Sources: the shape follows `httpx/_exceptions.py` (tree in the docstring) and
`tuf/api/exceptions.py` (one line of meaning per class).
"""

from __future__ import annotations

from .texts import Text


class Error(Exception):
    """Base class of every error raised by `verify`.

    Args:
        message: the explanation for a person: a `verify.texts.Text` (a message id and its parameters, which the
            service renders in the reader's language), or plain English text.
        step: the verification step that failed, when not the class's own.

    Attributes:
        code: stable upper-case identifier, used in JSON output and verdicts.
        step: the verification step number (docs/FORMAT.md §7) that failed, or None.
        text: the `Text` the error was raised with, or None when it was raised with plain English.
    """

    code: str = "ERROR"
    step: int | None = None
    text: Text | None = None

    def __init__(self, message: str | Text, *, step: int | None = None) -> None:
        if isinstance(message, Text):
            self.text = message
            message = message.english()
        super().__init__(message)
        if step is not None:
            self.step = step

    @property
    def message(self) -> str:
        """The human explanation given when the error was raised."""
        return str(self.args[0]) if self.args else self.code

    def diagnostics(self) -> str:
        """A one-paragraph explanation for a person, as sigstore's `Error.diagnostics()`.

        `CODE (step N): message`; the base class's generic code `ERROR` is left out (a command line that prints
        `error: ` before it would otherwise say "error: ERROR:").
        """
        where = f" (step {self.step})" if self.step is not None else ""
        if type(self).code == Error.code and self.step is None:
            return self.message
        return f"{self.code}{where}: {self.message}"


class SettingsError(Error):
    """A setting cannot be used: a `VERIFY_<NAME>_FILE` that cannot be read, a secret given twice, a missing
    secrets directory, a value that fails its check, or a production start with development keys."""

    code = "SETTINGS"


class RecordError(Error, ValueError):
    """The record breaks the schema of docs/FORMAT.md §3 (raised at issue time)."""

    code = "INVALID_RECORD"


class IinInTextError(RecordError):
    """Free text typed by a person holds what is a valid IIN (DOMAIN.md: an IIN never reaches a public answer or a
    log): refused at input, the field named (`verify.identifiers.refuse_iin_in_text`).

    Attributes:
        field: the name of the refused input field (e.g. "reason", "basis", "name_kk").
    """

    code = "IIN_IN_TEXT"

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(message)
        self.field = field


class OverBudgetError(RecordError):
    """The signed record would need a QR version above 12 at ECC M (docs/FORMAT.md §5)."""

    code = "OVER_BUDGET"


class KeyStoreError(Error):
    """A key file is missing, unreadable, of a wrong mode, or its passphrase is wrong."""

    code = "KEY_STORE"


class NoSignerInScopeError(KeyStoreError):
    """No active document signer of the key store may sign this document now (DESIGN.md, Trust model).

    Raised at issue time, before anything is signed or stored, so that the registry never stores a record
    that verifies OUT_OF_SCOPE (docs/FORMAT.md §7 step 10). A conflict with the key store's state, not an
    outage: the administrator creates (or rotates) a signer whose scope holds the series and institution.

    Attributes:
        reason: "no_signer" (no document signer is active at the signing time), "series" (none of the
            active ones holds the series) or "institution" (some hold the series, none for this institution).
        series: the document's series; institution_bin: its institution's BIN.

    Its message is the `Text` `signer_scope_<reason>` (the web's `detail` in the reader's language, its `code`
    and `reason` members stable).
    """

    code = "NO_SIGNER_IN_SCOPE"
    REASONS = ("no_signer", "series", "institution")

    def __init__(self, message: str | Text, *, reason: str, series: str, institution_bin: str) -> None:
        super().__init__(message)
        if reason not in self.REASONS:
            raise ValueError(f"reason must be one of {self.REASONS}")
        self.reason, self.series, self.institution_bin = reason, series, institution_bin


class TrustListError(Error):
    """The trust list is malformed, not signed by the root, or older than one already seen."""

    code = "TRUST_LIST"


class StatusListError(Error):
    """A status list is malformed, badly signed, expired, for another series, signed by a signer without
    usage `status`, or older than one already seen (docs/FORMAT.md §9)."""

    code = "STATUS_LIST"


class VersionStateError(Error):
    """The persisted state of the highest trust-list and status-list versions seen cannot be read or written."""

    code = "VERSION_STATE"


class ImageError(Error):
    """The picture stage of scanning failed (scan.py)."""

    code = "IMAGE"


class ImageTooLargeError(ImageError):
    """The image is over the byte cap or, by its header, over the pixel cap."""

    code = "IMAGE_TOO_LARGE"


class UnsupportedImageError(ImageError):
    """The image is not one of the allowed formats (JPEG, PNG, WebP)."""

    code = "UNSUPPORTED_IMAGE"


class UnreadableImageError(ImageError):
    """The image could not be decoded (truncated, corrupt)."""

    code = "UNREADABLE_IMAGE"


class NoQRCodeError(ImageError):
    """The image was read but holds no QR code."""

    code = "NO_QR_CODE"


class ForeignCodeError(NoQRCodeError):
    """The image holds no QR code of this service's kind (QR Code Model 2), but other symbols were read.

    A Data Matrix, a barcode, a Micro QR, an rMQR or an old QR Model 1 symbol: "not a code of this service"
    rather than "no code found". The symbols' kinds are in the message; their texts are not (they may hold
    anything) and stay with the caller (`verify.scan.read_symbols`).

    Attributes:
        symbologies: the kinds read, as zxing-cpp names them (e.g. "DataMatrix", "EAN13", "MicroQRCode").
    """

    code = "FOREIGN_CODE"

    def __init__(self, message: str | Text, *, symbologies: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.symbologies = symbologies


class VerificationError(Error):
    """A numbered verification step failed; `step` names it (docs/FORMAT.md §7)."""

    code = "NOT_VERIFIED"


class FormatError(VerificationError):
    """The text is not a record of this format."""

    code = "MALFORMED"


class PrefixError(FormatError):
    """Step 1: the text does not start with `HTTPS://<host>/V/` (any case)."""

    code = "MALFORMED"
    step = 1


class DigitsError(FormatError):
    """Step 2: the rest is not the canonical decimal number of 0x01 || COSE bytes."""

    code = "MALFORMED"
    step = 2


class CoseStructureError(FormatError):
    """Step 3: the bytes are not a COSE_Sign1 (RFC 9052 §4.2) of this profile."""

    code = "MALFORMED"
    step = 3


class PayloadError(FormatError):
    """Step 7: the signed payload breaks strict CBOR or the record schema."""

    code = "MALFORMED"
    step = 7


class UnknownSignerError(VerificationError):
    """Step 4: no document signer in the trust list has this kid."""

    code = "UNKNOWN_SIGNER"
    step = 4


class BadSignatureError(VerificationError):
    """Step 5: no candidate document signer key verifies the signature."""

    code = "BAD_SIGNATURE"
    step = 5


class UntrustedSignerError(VerificationError):
    """Step 6: the document signer certificate is not issued by the trusted root."""

    code = "UNTRUSTED_SIGNER"
    step = 6


class SignerPeriodError(VerificationError):
    """Step 8: the signing time lies outside the signer's usage period."""

    code = "SIGNER_OUT_OF_PERIOD"
    step = 8


class SignerRevokedError(VerificationError):
    """Step 9: the signer was revoked with a compromise time at or before the signing time."""

    code = "SIGNER_REVOKED"
    step = 9


class ScopeError(VerificationError):
    """Step 10: the series (or institution) is outside the signer's scope."""

    code = "OUT_OF_SCOPE"
    step = 10


class DocumentStatusError(VerificationError):
    """Step 11: the record is authentic but the registry status is not valid.

    Its `code` is the verdict: REPLACED, CORRECTED, ANNULLED or NOT_IN_REGISTRY.
    """

    code = "NOT_VALID_STATUS"
    step = 11

    def __init__(self, message: str | Text, *, code: str) -> None:
        super().__init__(message)
        self.code = code


class StatusUnknownError(VerificationError):
    """Step 11: the record is authentic, but its status could not be learnt (no registry answer, no fresh
    status list for its series): the verdict AUTHENTIC_STATUS_UNKNOWN, never VALID (docs/FORMAT.md §7.2)."""

    code = "AUTHENTIC_STATUS_UNKNOWN"
    step = 11


class NotInLogError(VerificationError):
    """Step 12: a signed record whose entry is not in the transparency log, or whose inclusion proof does not lead
    to a checkpoint signed by the log key: NOT_IN_LOG, never VALID (docs/FORMAT.md §7.1 step 12; issue 15)."""

    code = "NOT_IN_LOG"
    step = 12


class CredentialError(VerificationError):
    """A JWT-secured credential (verify.vc) is not a compact JWS of this profile (header alg, kid, typ JWT), or its
    JWT claims disagree with the credential (iss, jti, sub, nbf: OB 3.0 §8.2.4), or it is not yet valid or expired."""

    code = "BAD_CREDENTIAL"


class AppendixFormatError(FormatError):
    """Appendix steps 1 and 5: the bytes are not a signed appendix of docs/FORMAT.md §10 (COSE profile, strict
    deterministic CBOR, payload rules). `step` is the appendix step (`verify.appendixcheck.APPENDIX_STEPS`)."""

    code = "MALFORMED"


class DiplomaNotAuthenticError(VerificationError):
    """Appendix step 9: the diploma the appendix is checked against did not pass record steps 1-10."""

    code = "DIPLOMA_NOT_AUTHENTIC"
    step = 9


class AppendixBindingError(VerificationError):
    """Appendix step 10: the appendix names another diploma (series, number, revision), another diploma payload
    (its SHA-256) or another institution than the diploma it is presented with (docs/FORMAT.md §10.5)."""

    code = "NOT_BOUND"
    step = 10


# ----------------------------------------------------------------------------- registry
class RegistryError(Error):
    """The registry (verify/registry/) refused an operation; nothing was written."""

    code = "REGISTRY"


class NotFoundError(RegistryError):
    """No such institution, officer, graduate, document, batch or blank."""

    code = "NOT_FOUND"


class ConflictError(RegistryError):
    """A unique key is taken, a blank range overlaps, or an idempotency key is reused with other parameters."""

    code = "CONFLICT"


class StockError(RegistryError):
    """No free blank in the institution's stock, or a blank number outside it (seed 000, items 7, 17)."""

    code = "BLANK_STOCK"


class LifecycleError(RegistryError):
    """The document's state forbids the operation: an annulment is final, a replaced document is void."""

    code = "LIFECYCLE"


class ForbiddenError(RegistryError):
    """The officer's role or institution does not allow the operation (seed 001, item 7: scoped accounts)."""

    code = "FORBIDDEN"


class SchemaError(RegistryError):
    """The registry database is missing or not migrated to the version this code needs."""

    code = "SCHEMA"


class RegistryUnavailableError(RegistryError):
    """The registry database cannot be reached or read now (refused, timed out): try again; not a schema problem."""

    code = "REGISTRY_UNAVAILABLE"


class AuditChainError(RegistryError):
    """The audit hash chain does not verify; `seq` names the first event edited, deleted or moved.

    Attributes:
        seq: the sequence number of the first bad event (or of the missing one).
    """

    code = "AUDIT_CHAIN"

    def __init__(self, message: str | Text, *, seq: int) -> None:
        super().__init__(message)
        self.seq = seq


class CredentialOfferError(RegistryError):
    """A credential offer cannot be used (verify/registry/credentialoffers.py): an unknown, expired, used or voided
    pre-authorized code, a wrong transaction code, an unusable access token or nonce, or a document no longer in
    force. Nothing is issued.

    Attributes:
        oauth_error: the OAuth 2.0 / OID4VCI 1.0 error code the endpoint answers with: "invalid_grant" (RFC 6749
            §5.2), "invalid_token" (RFC 6750 §3.1), "invalid_nonce" (OID4VCI 1.0 §8.3.1.2) or "invalid_request".
    """

    code = "CREDENTIAL_OFFER"

    def __init__(self, message: str | Text, *, oauth_error: str) -> None:
        super().__init__(message)
        self.oauth_error = oauth_error


class HsmError(KeyStoreError):
    """A PKCS#11 token (HSM) cannot sign: module missing, token missing, wrong PIN, key not found,
    or a mechanism it does not offer (verify/pkcs11.py). Nothing is signed or issued."""

    code = "HSM"


# ----------------------------------------------------------------------------- transparency log
#   TransparencyError          the transparency log (verify/transparency/) refused or failed a check
#   ├── LogEntryError          log entry bytes break the entry encoding (docs/TRANSPARENCY.md §3)
#   ├── LogStoreError          a hash store lacks a hash it must hold, or an append is out of place
#   ├── ProofError             an inclusion proof is malformed or does not lead to the root (RFC 9162 §2.1.3.2)
#   ├── ConsistencyError       a consistency proof fails: a fork or a rewritten past (RFC 9162 §2.1.4.2)
#   └── CheckpointError        a signed note or checkpoint is malformed, or the log's signature is missing or bad
class TransparencyError(Error):
    """The transparency log (verify/transparency/) refused an operation or a check failed."""

    code = "TRANSPARENCY"


class LogEntryError(TransparencyError):
    """Log entry bytes break the entry encoding of docs/TRANSPARENCY.md §3 (strict deterministic CBOR)."""

    code = "LOG_ENTRY"


class LogStoreError(TransparencyError):
    """A hash store lacks a stored hash it must hold, or an append does not start at its end."""

    code = "LOG_STORE"


class ProofError(TransparencyError):
    """An inclusion proof is malformed or does not lead to the root hash (RFC 9162 §2.1.3.2)."""

    code = "INCLUSION_PROOF"


class ConsistencyError(TransparencyError):
    """Two tree heads are not proven consistent (RFC 9162 §2.1.4.2): a fork, or a rewritten or shrunk past.

    Attributes:
        old_checkpoint: the earlier signed checkpoint note, as published (evidence), or None.
        new_checkpoint: the later signed checkpoint note, as published (evidence), or None.
    """

    code = "CONSISTENCY"

    def __init__(self, message: str | Text, *, old_checkpoint: str | None = None,
                 new_checkpoint: str | None = None) -> None:
        super().__init__(message)
        self.old_checkpoint = old_checkpoint
        self.new_checkpoint = new_checkpoint


class CheckpointError(TransparencyError):
    """A signed note or checkpoint is malformed (C2SP signed-note, tlog-checkpoint), or the log's signature
    is missing or does not verify."""

    code = "CHECKPOINT"
