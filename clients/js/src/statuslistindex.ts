/**
 * The index of status lists (docs/FORMAT.md §9.8): `index.json` beside the `<series>.cose` files of a
 * folder (`verify status-list export --out DIR`, `verify sync --dir DIR`), and the body of
 * `GET /api/v1/status-lists`. It is not signed: it says which lists to expect and fetch, never a status;
 * every list is verified from its own bytes (statuslookup.ts).
 */
import { Validator } from '@cfworker/json-schema';
import type { Schema } from '@cfworker/json-schema';

import { StatusListError } from './errors.js';
import { parseIJson } from './ijson.js';

/** The file name of the index in a folder of lists. */
export const STATUS_LIST_INDEX_FILE = 'index.json';

/**
 * The JSON Schema of the index (docs/FORMAT.md §9.8): a copy of verify/schemas/status-list-index.schema.json,
 * kept as a module so that browsers load it without a JSON loader. test/schema.test.js fails when they differ.
 */
export const STATUS_LIST_INDEX_SCHEMA: Record<string, unknown> = {
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "$id": "https://verify.edu.kz/schemas/status-list-index-1.json",
  "title": "verify status-list index, format 1",
  "description": "Which signed status lists a folder (index.json beside <series>.cose) or GET /api/v1/status-lists holds. Not signed: no status, version or time is taken from it; every list is verified from its own bytes. docs/FORMAT.md §9.8.",
  "type": "object",
  "additionalProperties": false,
  "required": [
    "type",
    "format",
    "generated_at",
    "lists"
  ],
  "properties": {
    "type": {
      "const": "verify-status-list-index"
    },
    "format": {
      "const": 1
    },
    "generated_at": {
      "$ref": "#/$defs/time"
    },
    "lists": {
      "description": "One entry per series with a list, sorted by the UTF-8 bytes of the series, each series once.",
      "type": "array",
      "maxItems": 100000,
      "items": {
        "type": "object",
        "additionalProperties": false,
        "required": [
          "series",
          "version",
          "issued_at",
          "next_update",
          "expires_at",
          "bytes",
          "sha256"
        ],
        "properties": {
          "series": {
            "description": "The series (docs/FORMAT.md §3.1); its file is <series>.cose, its URL /api/v1/status-lists/{series}.",
            "type": "string",
            "minLength": 1,
            "maxLength": 4
          },
          "version": {
            "type": "integer",
            "minimum": 1,
            "maximum": 9007199254740991
          },
          "issued_at": {
            "$ref": "#/$defs/time"
          },
          "next_update": {
            "$ref": "#/$defs/time"
          },
          "expires_at": {
            "$ref": "#/$defs/time"
          },
          "bytes": {
            "description": "The size of <series>.cose.",
            "type": "integer",
            "minimum": 1,
            "maximum": 8389632
          },
          "sha256": {
            "description": "SHA-256 of <series>.cose, lower-case hex; the ETag of its URL is this value in double quotes.",
            "type": "string",
            "pattern": "^[0-9a-f]{64}$"
          }
        }
      }
    }
  },
  "$defs": {
    "time": {
      "type": "string",
      "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$"
    }
  }
};

/** One list of the index: what the file `<series>.cose` should hold. */
export interface StatusListIndexEntry {
  readonly series: string;
  readonly version: number;
  readonly issued_at: string;
  readonly next_update: string;
  readonly expires_at: string;
  /** The size of `<series>.cose`, bytes. */
  readonly bytes: number;
  /** SHA-256 of `<series>.cose`, 64 lower-case hex digits (the ETag of its URL is this, quoted). */
  readonly sha256: string;
}

/** The index of status lists. */
export interface StatusListIndex {
  readonly type: 'verify-status-list-index';
  readonly format: 1;
  readonly generated_at: string;
  readonly lists: readonly StatusListIndexEntry[];
}

let validator: Validator | undefined;

/**
 * Read an index (I-JSON, docs/FORMAT.md §9.8).
 *
 * @param data - the bytes of `index.json` or of `GET /api/v1/status-lists`.
 * @throws StatusListError - not I-JSON, not of the schema, or a series listed twice.
 */
export function parseStatusListIndex(data: Uint8Array | string): StatusListIndex {
  const doc = parseIJson(data, 'status-list index', (m) => new StatusListError(m));
  validator ??= new Validator(STATUS_LIST_INDEX_SCHEMA as Schema, '2020-12', true);
  const result = validator.validate(doc);
  if (!result.valid) {
    const error = result.errors.find((e) => e.keyword !== 'properties' && e.keyword !== 'items') ?? result.errors[0];
    const where = (error?.instanceLocation ?? '#').replace(/^#\/?/, '') || '(top)';
    throw new StatusListError(`status-list index: schema violation at ${where}: ${(error?.error ?? '').slice(0, 200)}`);
  }
  const index = doc as StatusListIndex;
  const seen = new Set<string>();
  for (const entry of index.lists) {
    if (seen.has(entry.series)) throw new StatusListError(`status-list index: series ${entry.series} listed twice`);
    seen.add(entry.series);
  }
  return index;
}
