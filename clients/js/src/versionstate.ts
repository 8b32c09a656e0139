/**
 * Rollback protection: the highest version seen of each signed list (docs/FORMAT.md §6: a
 * verifier MUST refuse a trust list whose version is lower than one it has seen; issue 12: the
 * same for status lists). The state is pluggable: memory here, a JSON file in node.ts (the file
 * format of the Python verifier's `verify/versionstate.py`), IndexedDB or localStorage in a browser.
 *
 * Keys, as in Python: `trust-list/<root kid hex>` (one counter per root, so a development root
 * never shares one with the production root) and `status-list/<root kid hex>/<series>`.
 */
import { hex } from '@scure/base';

import type { Certificate } from './x509.js';

/** Where a verifier keeps the highest version it has seen per key (Python `VersionState`). */
export interface VersionState {
  /** The highest version recorded for `key`, or 0 if none. */
  highest(key: string): number | Promise<number>;
  /** Record `version` for `key` if it is higher than the one recorded; never lowers it. */
  raiseTo(key: string, version: number): void | Promise<void>;
}

/** A {@link VersionState} in memory: for one process, or tests. */
export class MemoryVersionState implements VersionState {
  private readonly seen: Map<string, number>;

  /** @param initial - key -> version to start from. */
  constructor(initial: Record<string, number> = {}) {
    this.seen = new Map(Object.entries(initial));
  }

  highest(key: string): number {
    return this.seen.get(key) ?? 0;
  }

  raiseTo(key: string, version: number): void {
    if (version > this.highest(key)) this.seen.set(key, version);
  }
}

/** The state key of the trust lists under `root`: `trust-list/<root kid hex>`. */
export function trustListKey(root: Certificate): string {
  return `trust-list/${hex.encode(root.kid)}`;
}

/** The state key of the status lists of `series` under `root`: `status-list/<root kid hex>/<series>`. */
export function statusListKey(root: Certificate, series: string): string {
  return `status-list/${hex.encode(root.kid)}/${series}`;
}
