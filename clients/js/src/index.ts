/**
 * @verify-kz/verify-qr: verify the signed QR code of a Kazakhstan education document offline,
 * exactly as the service's Python verifier does (docs/FORMAT.md §3-§7). Runs in browsers and node.
 */
export * from './errors.js';
export {
  ALG_EDDSA, ALG_ES256, FORMAT_VERSION, MAX_COSE_BYTES, MAX_DIGITS, MAX_PAYLOAD_BYTES, MAX_PREFIX_CHARS,
  decodePayload, digitsToBytes, parseSign1, qrPrefix, sigStructure, splitQrText,
} from './codec.js';
export type { CoseSign1 } from './codec.js';
export { strictDecode } from './cbor.js';
export { ES256_REQUIRE_LOW_S, verifySignature } from './crypto.js';
export type { PublicKey } from './crypto.js';
export { DOCUMENT_TYPES, RecordError, normalizeSeries, validateBin } from './record.js';
export type { DocumentType, DuplicateOf, HolderName, RecordJson } from './record.js';
export { STATUS_CODES } from './status.js';
export type { DocumentRef, DocumentStatus, StatusCode, StatusLookup, StatusQuery } from './status.js';
export { SignerEntry, TrustList, acceptTrustList, formatTime, parseTime } from './trust.js';
export type { Revocation, Scope, TrustListOptions } from './trust.js';
export { MemoryVersionState, statusListKey, trustListKey } from './versionstate.js';
export type { VersionState } from './versionstate.js';
export { NOT_CHECKED, PendingCheck, STEP_NAMES, VALID, VERDICTS, VerificationReport, Verifier, isoUtc } from './verifier.js';
export type { StepResult, VerifierOptions } from './verifier.js';
export { isIssuedBy, parseCertificate } from './x509.js';
export type { Certificate } from './x509.js';
