/**
 * The error tree of the kit, mirroring `verify/errors.py` (docs/FORMAT.md §7).
 *
 * Every failure is a {@link VerifyError} with a stable `code`; a failed verification step is
 * a {@link VerificationError} that also carries the `step` number (1-11) and the verdict code.
 * Foreign exceptions (cborg, @noble/curves, the X.509 parser) are converted where they occur.
 */

/** Base class: a stable upper-case `code` and a sentence for a person. */
export class VerifyError extends Error {
  readonly code: string;

  constructor(message: string, code = 'ERROR') {
    super(message);
    this.name = new.target.name;
    this.code = code;
  }
}

/** The trust list is malformed, badly signed, not signed by the configured root, or older than one seen. */
export class TrustListError extends VerifyError {
  constructor(message: string) {
    super(message, 'TRUST_LIST_ERROR');
  }
}

/**
 * A numbered verification step failed (docs/FORMAT.md §7.1).
 *
 * `code` is the verdict of §7.2 (MALFORMED for steps 1-3 and 7); `step` the number of the step.
 */
export class VerificationError extends VerifyError {
  readonly step: number;

  constructor(message: string, step: number, code: string) {
    super(message, code);
    this.step = step;
  }
}

/** Step 1: not `HTTP(S)://HOST/V/` followed by the rest, or a host this verifier does not accept. */
export class PrefixError extends VerificationError {
  constructor(message: string) {
    super(message, 1, 'MALFORMED');
  }
}

/** Step 2: not the canonical decimal digits of 0x01 || COSE bytes. */
export class DigitsError extends VerificationError {
  constructor(message: string) {
    super(message, 2, 'MALFORMED');
  }
}

/** Step 3: not a COSE_Sign1 of the profile of docs/FORMAT.md §4. */
export class CoseStructureError extends VerificationError {
  constructor(message: string) {
    super(message, 3, 'MALFORMED');
  }
}

/** Step 4: no signer in the trust list has the kid. */
export class UnknownSignerError extends VerificationError {
  constructor(message: string) {
    super(message, 4, 'UNKNOWN_SIGNER');
  }
}

/** Step 5: no candidate key verifies the signature. */
export class BadSignatureError extends VerificationError {
  constructor(message: string) {
    super(message, 5, 'BAD_SIGNATURE');
  }
}

/** Step 6: the signer certificate is not issued by the configured root. */
export class UntrustedSignerError extends VerificationError {
  constructor(message: string) {
    super(message, 6, 'UNTRUSTED_SIGNER');
  }
}

/** Step 7: the payload breaks the schema of §3 or the strict CBOR rules. */
export class PayloadError extends VerificationError {
  constructor(message: string) {
    super(message, 7, 'MALFORMED');
  }
}

/** Step 8: the signing time lies outside the signer's usage period or certificate validity. */
export class SignerPeriodError extends VerificationError {
  constructor(message: string) {
    super(message, 8, 'SIGNER_OUT_OF_PERIOD');
  }
}

/** Step 9: the signer was revoked with a compromise time at or before the signing time. */
export class SignerRevokedError extends VerificationError {
  constructor(message: string) {
    super(message, 9, 'SIGNER_REVOKED');
  }
}

/** Step 10: the series or institution is outside the signer's scope. */
export class ScopeError extends VerificationError {
  constructor(message: string) {
    super(message, 10, 'OUT_OF_SCOPE');
  }
}

/** Step 11: authentic, but the status source says CORRECTED, REPLACED, ANNULLED or NOT_IN_REGISTRY. */
export class DocumentStatusError extends VerificationError {
  constructor(message: string, code: string) {
    super(message, 11, code);
  }
}

/**
 * Step 11: the record is authentic, but its status could not be learnt (no registry answer, no fresh
 * status list for its series): the verdict AUTHENTIC_STATUS_UNKNOWN, never VALID (docs/FORMAT.md §7.2).
 * A `StatusLookup` throws it when it cannot tell; the verifier turns it into the verdict.
 */
export class StatusUnknownError extends VerificationError {
  constructor(message: string) {
    super(message, 11, 'AUTHENTIC_STATUS_UNKNOWN');
  }
}

/**
 * Step 12: a signed record whose entry is not in the transparency log, or whose inclusion proof does not lead to
 * a checkpoint signed by a log key of the trust list: NOT_IN_LOG, never VALID (docs/FORMAT.md §7.1).
 */
export class NotInLogError extends VerificationError {
  constructor(message: string) {
    super(message, 12, 'NOT_IN_LOG');
  }
}

/**
 * A status list is malformed, badly signed, expired, for another series, signed by a signer without
 * usage `status`, or older than one already seen (docs/FORMAT.md §9.5). The list is not used.
 */
export class StatusListError extends VerifyError {
  constructor(message: string) {
    super(message, 'STATUS_LIST_ERROR');
  }
}

/** The persisted highest versions seen (a version state) cannot be read or written. */
export class VersionStateError extends VerifyError {
  constructor(message: string) {
    super(message, 'STATE_ERROR');
  }
}
