/**
 * One call for a page or an app that holds the synced files (docs/OFFLINE.md): the QR text, the trust
 * list's bytes, the root certificate, the status lists' bytes and the time in; the report out. Browser-safe:
 * the caller fetches or reads the bytes (from a cache, IndexedDB, a folder); node.ts reads a folder.
 */
import { hex } from '@scure/base';

import { sha256Digest } from './crypto.js';
import { VerifyError } from './errors.js';
import { loadStatusLists } from './statuslookup.js';
import { acceptTrustList } from './trust.js';
import { Verifier } from './verifier.js';
import type { VerificationReport } from './verifier.js';
import { MemoryVersionState } from './versionstate.js';
import type { VersionState } from './versionstate.js';
import { parseCertificate } from './x509.js';
import type { Certificate } from './x509.js';

/** What {@link verifyOffline} needs. */
export interface OfflineInput {
  /** The QR text as decoded (untrusted). */
  qrText: string;
  /** The trust list file (`trust-list.json`, `GET /api/v1/trust-list`): its bytes or text. */
  trustList: Uint8Array | string;
  /** The root certificate, obtained out of band: parsed, PEM text, or DER bytes. */
  root: Certificate | string | Uint8Array;
  /**
   * The pinned SHA-256 fingerprint of the root's DER (docs/FORMAT.md §6.5): 64 hex digits, any case,
   * colons allowed. A root with another fingerprint is refused. None: the root is taken as given.
   */
  rootFingerprint?: string | null;
  /**
   * Series -> the status list's COSE bytes (`<series>.cose`, `GET /api/v1/status-lists/{series}`). None: no
   * status source (then `statusRequired` decides); given, a series without a usable list is
   * AUTHENTIC_STATUS_UNKNOWN.
   */
  statusLists?: Iterable<readonly [string, Uint8Array]> | Record<string, Uint8Array> | null;
  /** The time of the check. */
  at: Date;
  /**
   * The highest trust-list and status-list versions seen (rollback protection). Keep it across runs
   * (IndexedDB in a browser, `FileVersionState` in node): the default, in memory, forgets on return.
   */
  state?: VersionState | null;
  /** The accepted QR prefixes (`qrPrefix(baseUrl)`); none: any host of the grammar. */
  acceptedPrefixes?: Iterable<string> | null;
  /** AUTHENTIC_STATUS_UNKNOWN, never VALID, for an authentic record without a status (default true). */
  statusRequired?: boolean;
}

/** The report of {@link verifyOffline}: also says which status lists were refused and why. */
export type OfflineReport = VerificationReport & {
  /** One sentence per refused status list, starting with its file name (`BD.cose: ... expired at ...`). */
  readonly refusedStatusLists: readonly string[];
};

/**
 * Verify a QR text offline against the synced trust list and status lists (docs/OFFLINE.md).
 *
 * The trust list must verify under the root (and be no older than the version seen); each status list is
 * verified on its own (docs/FORMAT.md §9.5) and a refused one is left out, so its series answers
 * AUTHENTIC_STATUS_UNKNOWN. Every verdict of docs/FORMAT.md §7.2 comes back as a report; only unusable
 * trust inputs throw.
 *
 * @returns the report (`verdict`, `toJSON()` with `status_source` and `status_as_of`), plus `refusedStatusLists`.
 * @throws TrustListError - the trust list is refused (not I-JSON, schema, another root, signature, rollback).
 * @throws VerifyError - code ROOT_ERROR: the root is not a certificate or not the pinned one.
 * @throws TypeError - `at` is not a valid Date. What the state throws when it cannot be read or written.
 */
export async function verifyOffline(input: OfflineInput): Promise<OfflineReport> {
  const root = rootOf(input.root, input.rootFingerprint ?? null);
  const state = input.state ?? new MemoryVersionState();
  const trustList = await acceptTrustList(input.trustList, root, state);
  const lists = input.statusLists == null ? null
    : await loadStatusLists(input.statusLists, { trustList, at: input.at, state });
  const refused = lists?.refused ?? [];
  const verifier = new Verifier(trustList, {
    statusLookup: lists?.lookup ?? null, acceptedPrefixes: input.acceptedPrefixes ?? null,
    statusRequired: input.statusRequired ?? true,
  });
  const report = await verifier.check(input.qrText, input.at);
  return Object.assign(report, { refusedStatusLists: refused.map((e) => e.message) });
}

/**
 * The root certificate from what the caller holds, checked against a pinned fingerprint.
 *
 * @throws VerifyError - code ROOT_ERROR: not a certificate, or another fingerprint.
 */
export function rootOf(root: Certificate | string | Uint8Array, fingerprint: string | null = null): Certificate {
  let certificate: Certificate;
  try {
    certificate = typeof root === 'string' || root instanceof Uint8Array ? parseCertificate(root) : root;
  } catch (exc) {
    throw new VerifyError(`root certificate: ${(exc as Error).message}`, 'ROOT_ERROR');
  }
  if (fingerprint !== null) {
    const pinned = fingerprint.replace(/:/g, '').toLowerCase();
    if (hex.encode(sha256Digest(certificate.der)) !== pinned) {
      throw new VerifyError('root certificate: its SHA-256 fingerprint is not the pinned one', 'ROOT_ERROR');
    }
  }
  return certificate;
}
