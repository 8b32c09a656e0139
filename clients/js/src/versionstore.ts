/**
 * Rollback protection: the highest version seen of each signed list (docs/FORMAT.md §6: a
 * verifier MUST refuse a trust list whose version is lower than one it has seen; issue 12: the
 * same for status lists). The store is pluggable: memory here, a JSON file in node.ts, IndexedDB
 * or localStorage in a browser.
 */

/** Where a verifier keeps the highest version it has seen, per list ("trust-list", "status-list/BD"). */
export interface VersionStore {
  /** The highest version seen of `key`, or 0 if none. */
  highest(key: string): number | Promise<number>;
  /** Remember that `version` of `key` was accepted (a lower one than known is ignored). */
  record(key: string, version: number): void | Promise<void>;
}

/** A {@link VersionStore} in memory: for one process, or tests. */
export class MemoryVersionStore implements VersionStore {
  private readonly seen = new Map<string, number>();

  highest(key: string): number {
    return this.seen.get(key) ?? 0;
  }

  record(key: string, version: number): void {
    if (version > this.highest(key)) this.seen.set(key, version);
  }
}

/** The store key of the trust list. */
export const TRUST_LIST_KEY = 'trust-list';
