/**
 * Node-only helpers (the rest of the kit also runs in browsers): a {@link VersionState} kept in a
 * JSON file, and loading the trust list, the root and a folder of status lists from files.
 */
import { closeSync, fsyncSync, openSync, readdirSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';

import { StatusListError, VerifyError, VersionStateError } from './errors.js';
import { parseStatusListIndex, STATUS_LIST_INDEX_FILE } from './statuslistindex.js';
import { loadStatusLists, STATUS_LIST_SUFFIX } from './statuslookup.js';
import type { LoadedStatusLists } from './statuslookup.js';
import { acceptTrustList } from './trust.js';
import type { TrustList } from './trust.js';
import type { VersionState } from './versionstate.js';
import { parseCertificate } from './x509.js';
import type { Certificate } from './x509.js';

const STATE_TYPE = 'verify-version-state';
const MAX_STATE_BYTES = 1024 * 1024;

/**
 * A {@link VersionState} in a JSON file `{"type": "verify-version-state", "format": 1, "highest": {key: n}}`:
 * the format of the Python verifier's `FileVersionState`, so both can share one file. A missing file
 * means nothing was seen. A change is written to a temporary file, flushed and renamed over the old
 * one (a crash leaves the old or the new state). Unlike the Python class it takes no lock: one
 * process at a time (the `verify-qr` command) writes it.
 *
 * @throws VersionStateError (code STATE_ERROR) - the file cannot be read or written, or is not of this format.
 */
export class FileVersionState implements VersionState {
  constructor(readonly path: string) {}

  highest(key: string): number {
    return this.read()[key] ?? 0;
  }

  raiseTo(key: string, version: number): void {
    if (!Number.isInteger(version) || version < 0) throw this.error('a version must be a non-negative integer');
    const highest = this.read();
    if ((highest[key] ?? 0) >= version) return;
    highest[key] = version;
    const sorted = Object.fromEntries(Object.entries(highest).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    const temporary = `${this.path}.tmp`;
    try {
      const fd = openSync(temporary, 'w', 0o644);
      try {
        writeSync(fd, `${JSON.stringify({ type: STATE_TYPE, format: 1, highest: sorted }, null, 2)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(temporary, this.path);
    } catch (exc) {
      throw this.error(`cannot write (${(exc as Error).message})`);
    }
  }

  private read(): Record<string, number> {
    let data: Buffer;
    try {
      data = readFileSync(this.path);
    } catch (exc) {
      if ((exc as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw this.error(`cannot read (${(exc as Error).message})`);
    }
    if (data.length > MAX_STATE_BYTES) throw this.error(`over ${MAX_STATE_BYTES} bytes`);
    let doc: unknown;
    try {
      doc = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(data));
    } catch {
      throw this.error('not a version state file (bad JSON)');
    }
    const highest = isObject(doc) ? doc['highest'] : undefined;
    if (!isObject(doc) || doc['type'] !== STATE_TYPE || doc['format'] !== 1 || !isObject(highest)
      || !Object.values(highest).every((v) => Number.isInteger(v) && (v as number) >= 0)) {
      throw this.error('not a version state file of format 1; fix or remove it by hand '
        + '(removing it forgets which versions were seen)');
    }
    return { ...(highest as Record<string, number>) };
  }

  private error(message: string): VersionStateError {
    return new VersionStateError(`${this.path}: ${message}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Read a root certificate file (PEM, as `verify keys` writes root.crt, or DER).
 *
 * @throws VerifyError - unreadable, or not a certificate.
 */
export function loadRootCertificate(path: string): Certificate {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (exc) {
    throw new VerifyError(`${path}: cannot read the root certificate (${(exc as Error).message})`, 'ROOT_ERROR');
  }
  const text = data.toString('latin1');
  try {
    return parseCertificate(text.includes('-----BEGIN CERTIFICATE-----') ? text : new Uint8Array(data));
  } catch (exc) {
    throw new VerifyError(`${path}: ${(exc as Error).message}`, 'ROOT_ERROR');
  }
}

/**
 * Read and verify a trust list file under `root`, with rollback protection through `state`.
 *
 * @throws VerifyError - unreadable; TrustListError - refused (see `TrustList.fromJson`).
 */
export async function loadTrustListFile(path: string, root: Certificate, state: VersionState): Promise<TrustList> {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (exc) {
    throw new VerifyError(`${path}: cannot read the trust list (${(exc as Error).message})`, 'TRUST_LIST_ERROR');
  }
  return acceptTrustList(new Uint8Array(data), root, state);
}

/**
 * Verify every `<series>.cose` of a folder (what `verify status-list export --out DIR` and `verify sync`
 * write; docs/FORMAT.md §9.8) into a lookup, as the Python `load_status_lists` does. Each list is verified
 * on its own (its file name gives the series it must be for); a refused or unreadable one is left out and
 * named in `refused`. `index.json`, when present, is read only to name the lists it promises that are
 * missing (and is itself named in `refused` when it cannot be read): it is not signed, and no status comes
 * from it.
 *
 * @throws StatusListError - the folder cannot be read. What the state throws; TypeError for a bad `at`.
 */
export async function loadStatusListFolder(dir: string, options: { trustList: TrustList; at: Date;
  state?: VersionState | null }): Promise<LoadedStatusLists> {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (exc) {
    throw new StatusListError(`${dir}: cannot read the status lists (${(exc as Error).message})`);
  }
  const files: [string, Uint8Array][] = [];
  const problems: StatusListError[] = [];
  for (const name of names.filter((n) => n.endsWith(STATUS_LIST_SUFFIX))) {
    try {
      if (!statSync(join(dir, name)).isFile()) continue;
      files.push([name.slice(0, -STATUS_LIST_SUFFIX.length), new Uint8Array(readFileSync(join(dir, name)))]);
    } catch (exc) {
      problems.push(new StatusListError(`${name}: cannot read (${(exc as Error).message})`));
    }
  }
  if (names.includes(STATUS_LIST_INDEX_FILE)) {
    try {
      const index = parseStatusListIndex(new Uint8Array(readFileSync(join(dir, STATUS_LIST_INDEX_FILE))));
      for (const entry of index.lists) {
        if (!names.includes(`${entry.series}${STATUS_LIST_SUFFIX}`)) {
          problems.push(new StatusListError(`${entry.series}${STATUS_LIST_SUFFIX}: listed in ${STATUS_LIST_INDEX_FILE} `
            + `(version ${entry.version}) but missing`));
        }
      }
    } catch (exc) {
      if (!(exc instanceof StatusListError)) {
        problems.push(new StatusListError(`${STATUS_LIST_INDEX_FILE}: cannot read (${(exc as Error).message})`));
      } else {
        problems.push(new StatusListError(`${STATUS_LIST_INDEX_FILE}: ${exc.message}`));
      }
    }
  }
  const loaded = await loadStatusLists(files, options);
  return { lookup: loaded.lookup, refused: [...problems, ...loaded.refused] };
}
