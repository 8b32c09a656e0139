/**
 * Verified status lists as the verifier's {@link StatusLookup}: offline, the one verifier judges as
 * online (docs/FORMAT.md §9.5, §9.6), step for step as `verify/statuslookup.py`.
 *
 *   verifyStatusList(bytes, {trustList, at, series, state}) -> StatusList   §9.5, or StatusListError
 *   loadStatusLists(files, {trustList, at, state}) -> {lookup, refused}      every list of a folder or a sync
 *   new StatusListLookup(lists).lookup(query)                              a status, or StatusUnknownError
 *
 * A list is refused when it is not a COSE_Sign1 of the status-list profile, when no trust-list signer of
 * usage `status` verifies it (a document signer's signature is refused: usages never mix), when that
 * signer's certificate is not the root's, when it was signed outside the signer's usage period or after
 * its compromise, when its series is outside the signer's scope or is not the series expected, when it is
 * past its expiry (or issued after the time of the check plus the clock skew), and when it is older than
 * the list of its series already seen. A series without a usable list answers `StatusUnknownError`: the
 * verdict is AUTHENTIC_STATUS_UNKNOWN, never VALID.
 */
import { hex } from '@scure/base';

import { strictDecode, Tagged } from './cbor.js';
import { ALG_EDDSA, ALG_ES256, ALGORITHM_NAMES, COSE_SIGN1_TAG, HDR_ALG, HDR_KID, KID_BYTES, SIGNATURE_BYTES, sigStructure } from './codec.js';
import type { CoseSign1 } from './codec.js';
import { ScopeError, StatusListError, StatusUnknownError, VerificationError } from './errors.js';
import type { DocumentStatus, StatusLookup, StatusQuery } from './status.js';
import { decodeStatusList, HDR_CONTENT_TYPE, isoDate, MAX_STATUS_LIST_BYTES, STATUS_LIST_CONTENT_TYPE } from './statuslist.js';
import type { StatusList } from './statuslist.js';
import type { TrustList } from './trust.js';
import { isoUtc, MAX_CLOCK_SKEW_MS } from './verifier.js';
import { statusListKey } from './versionstate.js';
import type { VersionState } from './versionstate.js';

/** The file of one series' list in a synced folder: `<series>.cose`. */
export const STATUS_LIST_SUFFIX = '.cose';

/**
 * Parse the COSE_Sign1 of a status list (docs/FORMAT.md §9.3) without verifying anything.
 *
 * @throws StatusListError - not deterministic CBOR, not tag 18 with four elements, a protected header other
 *   than exactly `{1: alg, 3: "application/verify-status-list+cbor", 4: 8-byte kid}`, a non-empty unprotected
 *   header, a signature other than 64 bytes, over 8 MiB + 1 KiB.
 */
export function parseStatusListCose(data: Uint8Array): CoseSign1 {
  const error = (m: string): Error => new StatusListError(m);
  const obj = strictDecode(data, MAX_STATUS_LIST_BYTES + 1024, error, 'status list COSE', [COSE_SIGN1_TAG]);
  if (!(obj instanceof Tagged) || obj.tag !== COSE_SIGN1_TAG || !Array.isArray(obj.value) || obj.value.length !== 4) {
    throw error('status list: must be a tagged COSE_Sign1 of four elements');
  }
  const [protectedHeader, unprotected, payload, signature] = obj.value as unknown[];
  if (!(protectedHeader instanceof Uint8Array) || !(payload instanceof Uint8Array) || !(signature instanceof Uint8Array)
    || !(unprotected instanceof Map) || unprotected.size !== 0 || signature.length !== SIGNATURE_BYTES) {
    throw error('status list: byte-string headers, payload and a 64-byte signature; an empty unprotected header');
  }
  const header = strictDecode(protectedHeader, 128, (m) => error(`status list: ${m}`), 'protected header');
  const alg: unknown = header instanceof Map ? header.get(HDR_ALG) : undefined;
  const kid: unknown = header instanceof Map ? header.get(HDR_KID) : undefined;
  if (!(header instanceof Map) || header.size !== 3 || !header.has(HDR_CONTENT_TYPE)
    || header.get(HDR_CONTENT_TYPE) !== STATUS_LIST_CONTENT_TYPE || (alg !== ALG_EDDSA && alg !== ALG_ES256)
    || !(kid instanceof Uint8Array) || kid.length !== KID_BYTES) {
    throw error(`status list: the protected header must be {1: -8 or -7, 3: '${STATUS_LIST_CONTENT_TYPE}', 4: 8-byte kid}`);
  }
  return { protected: protectedHeader, alg, kid, payload, signature };
}

/** Options of {@link verifyStatusList}. */
export interface StatusListOptions {
  /** The verified trust list; only its signers of usage `status` may have signed the list. */
  trustList: TrustList;
  /** The time of the check. */
  at: Date;
  /** The series the list must be for (the file `<series>.cose` or the URL it came from); none: any. */
  series?: string | null;
  /**
   * The highest versions seen: a list older than its series' is refused, then its version is recorded
   * (key `status-list/<root kid hex>/<series>`). None checks no rollback (a caller that keeps versions itself).
   */
  state?: VersionState | null;
}

/**
 * Verify a signed status list (docs/FORMAT.md §9.5) and record its version as seen.
 *
 * @param data - the COSE_Sign1 bytes (a `<series>.cose` file, or `GET /api/v1/status-lists/{series}`).
 * @returns the verified list, its `signer` set.
 * @throws StatusListError - any failed check; the message names it.
 * @throws TypeError - `at` is not a valid Date. What the state throws when it cannot be read or written.
 */
export async function verifyStatusList(data: Uint8Array, options: StatusListOptions): Promise<StatusList> {
  const { trustList, at } = options;
  if (!(at instanceof Date) || Number.isNaN(at.getTime())) throw new TypeError('at: must be a valid Date');
  if (!(data instanceof Uint8Array) || data.length > MAX_STATUS_LIST_BYTES + 1024) {
    throw new StatusListError('status list: must be at most 8 MiB of bytes');
  }
  const sign1 = parseStatusListCose(data);
  const candidates = trustList.candidates(sign1.kid, 'status');
  if (candidates.length === 0) {
    const others = (['document', 'log'] as const).filter((u) => trustList.candidates(sign1.kid, u).length > 0);
    throw new StatusListError(`status list: kid ${hex.encode(sign1.kid)} is ${others.length
      ? `a ${others[0]} signer, not a status signer` : `not a status signer in trust list version ${trustList.version}`}`);
  }
  const tbs = sigStructure(sign1.protected, sign1.payload);
  const verified = candidates.filter((c) => c.verifies(sign1.alg, sign1.signature, tbs));
  if (verified.length === 0) {
    throw new StatusListError(`status list: the ${ALGORITHM_NAMES[sign1.alg] ?? sign1.alg} signature does not verify `
      + 'under the status signer');
  }
  const chained = verified.filter((c) => c.chainsToRoot);
  if (chained.length === 0) throw new StatusListError("status list: the status signer's certificate is not issued by the root");
  const decoded = decodeStatusList(sign1.payload);
  let signed: StatusList | null = null;
  let firstError: VerificationError | null = null;
  for (const entry of chained) {
    try {
      entry.checkAt(decoded.issuedAt);
      if (!entry.scope.series.has(decoded.series)) {
        throw new ScopeError(`series ${decoded.series} is outside the status signer's scope`);
      }
    } catch (exc) {
      if (!(exc instanceof VerificationError)) throw exc;
      firstError ??= exc;
      continue;
    }
    signed = decoded.withSigner(entry);
    break;
  }
  if (signed === null) throw new StatusListError(`status list: ${firstError?.message ?? 'no status signer'}`);
  const name = `status list ${signed.series} v${signed.version}`;
  if (options.series != null && signed.series !== options.series) {
    throw new StatusListError(`status list: a list of series ${signed.series} where ${options.series} was expected`);
  }
  if (at.getTime() > signed.expiresAt.getTime()) throw new StatusListError(`${name}: expired at ${isoUtc(signed.expiresAt)}`);
  if (signed.issuedAt.getTime() > at.getTime() + MAX_CLOCK_SKEW_MS) {
    throw new StatusListError(`${name}: issued at ${isoUtc(signed.issuedAt)}, after the time of the check`);
  }
  const state = options.state ?? null;
  if (state !== null) {
    const key = statusListKey(trustList.root, signed.series);
    const highest = await state.highest(key);
    if (signed.version < highest) {
      throw new StatusListError(`status list ${signed.series}: version ${signed.version} is older than version `
        + `${highest} already seen (rollback refused)`);
    }
    await state.raiseTo(key, signed.version);
  }
  return signed;
}

/**
 * A {@link StatusLookup} over verified status lists, one per series (Python `StatusListLookup`).
 *
 * Statuses are as of each list's issue time (`as_of`) and name the list they came from (`source`,
 * "signed status list BD v42"). What a list cannot know: whether the presented payload is byte for byte
 * the registry's, the fields a correction changed, an annulment's basis.
 */
export class StatusListLookup implements StatusLookup {
  /** The list held for each series (for a series given twice, the highest version). */
  readonly lists = new Map<string, StatusList>();

  constructor(lists: Iterable<StatusList> = []) {
    for (const list of lists) {
      const held = this.lists.get(list.series);
      if (held === undefined || list.version > held.version) this.lists.set(list.series, list);
    }
  }

  /**
   * The status of the record (series, number, revision) as its series' list says (docs/FORMAT.md §9.6).
   *
   * @throws StatusUnknownError - no list for the series, or its list is past its expiry at `query.at`
   *   (or issued after it plus the clock skew).
   */
  lookup(query: StatusQuery): DocumentStatus {
    const held = this.lists.get(query.series);
    if (held === undefined) throw new StatusUnknownError(`no status list for series ${query.series}: status unknown`);
    if (query.at.getTime() > held.expiresAt.getTime()) {
      throw new StatusUnknownError(`the ${held.source} expired at ${isoUtc(held.expiresAt)}: status unknown`);
    }
    if (held.issuedAt.getTime() > query.at.getTime() + MAX_CLOCK_SKEW_MS) {
      throw new StatusUnknownError(`the ${held.source} was issued after the time of the check: status unknown`);
    }
    return statusFromList(held, query.number, query.revision);
  }
}

/**
 * What the registry would have answered at the list's issue time (docs/FORMAT.md §9.6; Python
 * `status_from_list`): NOT_IN_REGISTRY for a number not issued or a revision above the current one; then
 * ANNULLED, REPLACED (the successor's N is the document's own N + 1), CORRECTED (a revision below the
 * current one), DUPLICATE_VALID, ORIGINAL_VALID. Days become midnight UTC.
 */
export function statusFromList(list: StatusList, number: string, revision: number): DocumentStatus {
  const answer = { as_of: list.issuedAt, source: list.source };
  const status = list.statusOf(number);
  if (status === null || revision > status.currentRevision) return { code: 'NOT_IN_REGISTRY', ...answer };
  const duplicate = status.duplicate;
  const base: DocumentStatus = {
    code: 'ORIGINAL_VALID', ...answer, current_revision: status.currentRevision,
    duplicate_no: duplicate === null ? null : duplicate.duplicate_no,
    original: duplicate === null ? null : { series: duplicate.original_series, number: duplicate.original_number },
  };
  if (status.annulledOn !== null) return { ...base, code: 'ANNULLED', annulled_at: midnight(status.annulledOn) };
  if (status.replacedBy !== null) {
    const r = status.replacedBy;
    return {
      ...base, code: 'REPLACED', reason: r.reason,
      replaced_by: { series: r.series, number: r.number, issued_on: isoDate(r.issuedOn), reason: r.reason,
        duplicate_no: (duplicate === null ? 0 : duplicate.duplicate_no) + 1 },
    };
  }
  if (revision < status.currentRevision) return { ...base, code: 'CORRECTED', changed_at: midnight(status.correctedOn as number) };
  return duplicate !== null ? { ...base, code: 'DUPLICATE_VALID' } : base;
}

function midnight(day: number): Date {
  return new Date(day * 86_400_000);
}

/** What {@link loadStatusLists} gives: the lookup over the accepted lists, and why the others were refused. */
export interface LoadedStatusLists {
  lookup: StatusListLookup;
  /** One error per refused list, its message starting with the file name (`BD.cose: ...`). */
  refused: StatusListError[];
}

/**
 * Verify several lists at once, as a synced folder holds them (Python `load_status_lists`): each under
 * the series its name gives. A refused list is left out (its series then answers AUTHENTIC_STATUS_UNKNOWN)
 * and its error returned, so that one expired list never stops the others. Browser-safe: the caller reads
 * the bytes (node.ts reads a folder).
 *
 * @param files - series -> COSE bytes (the file `<series>.cose`, or `GET /api/v1/status-lists/{series}`).
 * @throws what the state throws when it cannot be read or written; TypeError for a bad `at`.
 */
export async function loadStatusLists(files: Iterable<readonly [string, Uint8Array]> | Record<string, Uint8Array>,
  options: Omit<StatusListOptions, 'series'>): Promise<LoadedStatusLists> {
  const entries = Symbol.iterator in files ? [...(files as Iterable<readonly [string, Uint8Array]>)]
    : Object.entries(files as Record<string, Uint8Array>);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const accepted: StatusList[] = [];
  const refused: StatusListError[] = [];
  for (const [series, data] of entries) {
    try {
      accepted.push(await verifyStatusList(data, { ...options, series }));
    } catch (exc) {
      if (!(exc instanceof StatusListError)) throw exc;
      refused.push(new StatusListError(`${series}${STATUS_LIST_SUFFIX}: ${exc.message}`));
    }
  }
  return { lookup: new StatusListLookup(accepted), refused };
}
