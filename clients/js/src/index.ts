/**
 * @verify-kz/verify-qr: verify the signed QR code of a Kazakhstan education document offline,
 * exactly as the service's Python verifier does (docs/FORMAT.md §3-§9), against the trust list and
 * the signed status lists. Runs in browsers and node: no module here imports a node built-in.
 */
export * from './errors.js';
export {
  ALG_EDDSA, ALG_ES256, FORMAT_VERSION, MAX_COSE_BYTES, MAX_DIGITS, MAX_PAYLOAD_BYTES, MAX_PREFIX_CHARS,
  asciiUpper, decodePayload, digitsToBytes, isDevelopmentHost, normalizePrefix, parseSign1, qrPrefix, sigStructure,
  splitQrText,
} from './codec.js';
export type { CoseSign1 } from './codec.js';
export { strictDecode } from './cbor.js';
export { ES256_REQUIRE_LOW_S, verifySignature } from './crypto.js';
export type { PublicKey } from './crypto.js';
export { checkIJson, MAX_JSON_DEPTH, parseIJson } from './ijson.js';
export { verifyOffline, rootOf } from './offline.js';
export type { OfflineInput, OfflineReport } from './offline.js';
export { DOCUMENT_TYPES, RecordError, normalizeSeries, validateBin } from './record.js';
export type { DocumentType, DuplicateOf, HolderName, RecordJson } from './record.js';
export { STATUS_CODES } from './status.js';
export type { DocumentRef, DocumentStatus, LogEvidence, StatusCode, StatusLookup, StatusQuery } from './status.js';
export {
  IN_FORCE, MAX_STATUS_LIST_BYTES, REASONS, STATUS_LIST_CONTENT_TYPE, StatusList, decodeStatusList, isoDate,
} from './statuslist.js';
export type { NumberStatus, Successor } from './statuslist.js';
export {
  STATUS_LIST_INDEX_FILE, STATUS_LIST_INDEX_SCHEMA, parseStatusListIndex,
} from './statuslistindex.js';
export type { StatusListIndex, StatusListIndexEntry } from './statuslistindex.js';
export {
  STATUS_LIST_SUFFIX, StatusListLookup, loadStatusLists, parseStatusListCose, statusFromList, verifyStatusList,
} from './statuslookup.js';
export type { LoadedStatusLists, StatusListOptions } from './statuslookup.js';
export { SignerEntry, TrustList, USAGES, acceptTrustList, formatTime, parseTime } from './trust.js';
export type { Revocation, Scope, TrustListOptions, Usage } from './trust.js';
export { MemoryVersionState, statusListKey, trustListKey } from './versionstate.js';
export type { VersionState } from './versionstate.js';
export {
  AUTHENTIC_STATUS_UNKNOWN, MAX_CLOCK_SKEW_MS, NOT_CHECKED, PendingCheck, STEP_NAMES, UNKNOWN, VALID, VERDICTS,
  VerificationReport, Verifier, isoUtc,
} from './verifier.js';
export type { StepResult, VerifierOptions } from './verifier.js';
export { checkInclusion, leafHash, logEvidenceFromJson, openLogCheckpoint, revisionEntry, rootFromInclusionProof } from './tlog.js';
export type { OpenedCheckpoint } from './tlog.js';
export { isIssuedBy, parseCertificate } from './x509.js';
export type { Certificate } from './x509.js';
