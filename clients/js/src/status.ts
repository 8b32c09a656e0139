/**
 * Document status: the small interface through which the verifier learns a document's life
 * (step 11), as `verify/status.py` `StatusLookup` does for the Python verifier.
 *
 * The verifier never knows where a status comes from: the service's registry over HTTP, a
 * signed status list held offline, or a test's fake all implement {@link StatusLookup}. Without
 * one the verdict of an authentic record is VALID with status NOT_CHECKED.
 */

/** The status codes of `verify/status.py` `StatusCode`. */
export type StatusCode = 'ORIGINAL_VALID' | 'DUPLICATE_VALID' | 'REPLACED' | 'CORRECTED' | 'ANNULLED' | 'NOT_IN_REGISTRY';

export const STATUS_CODES: readonly StatusCode[] = [
  'ORIGINAL_VALID', 'DUPLICATE_VALID', 'REPLACED', 'CORRECTED', 'ANNULLED', 'NOT_IN_REGISTRY',
];

/** Another document named in a status (Python `DocumentRef.to_json`). */
export interface DocumentRef {
  series: string;
  number: string;
  duplicate_no?: number | null;
  /** ISO date. */
  issued_on?: string | null;
  /** For a duplicate: "lost", "damaged", "name_changed" or "filling_error". */
  reason?: string | null;
}

/**
 * What a status source says about one signed record (Python `RegistryStatus.to_json`), plus
 * where it came from.
 */
export interface DocumentStatus {
  code: StatusCode;
  /** When the source's answer was true: the registry's answer time, or a status list's issue time. */
  as_of: Date;
  /** Where the status came from, for a person: "registry", "signed status list BD v42". */
  source: string;
  original?: DocumentRef | null;
  duplicate_no?: number | null;
  replaced_by?: DocumentRef | null;
  /** For REPLACED: the document of its duplicate chain in force now (a registry answer; null from a status list). */
  in_force?: DocumentRef | null;
  current_revision?: number | null;
  changed_fields?: string[];
  changed_at?: Date | null;
  reason?: string | null;
  annulled_at?: Date | null;
  /** Where the record's revision entry is in the transparency log (step 12), when the source consults it. */
  log?: LogEvidence | null;
}

/** What a source says about the record's entry in the transparency log (Python `LogEvidence`; docs/TRANSPARENCY.md). */
export interface LogEvidence {
  /** The leaf index of the revision entry; null: the log holds none (NOT_IN_LOG). */
  leaf_index: number | null;
  /** Its RFC 9162 leaf hash as the log holds it (32 bytes), when known. */
  leaf_hash?: Uint8Array | null;
  /** An inclusion proof in the tree of `tree_size` leaves; 0 and [] when none was given. */
  tree_size: number;
  proof: Uint8Array[];
  /** The signed checkpoint note of `tree_size`, or null. */
  checkpoint: string | null;
}

/** What step 11 asks, once steps 1-10 passed (Python `StatusQuery`). */
export interface StatusQuery {
  readonly series: string;
  readonly number: string;
  /** 1 for the first issue. */
  readonly revision: number;
  /** SHA-256 of the signed payload bytes (32 bytes); a registry answers NOT_IN_REGISTRY unless it holds exactly this record. */
  readonly payloadSha256: Uint8Array;
  /** The time of the check. */
  readonly at: Date;
}

/**
 * A status source (Python `StatusLookup` / `AsyncStatusLookup`): the registry, or signed status lists.
 *
 * `lookup` may return the status or a promise of it; it throws when it cannot answer (a
 * network error, a refused status list), and the verifier then reports no verdict of its own.
 */
export interface StatusLookup {
  lookup(query: StatusQuery): DocumentStatus | Promise<DocumentStatus>;
}
