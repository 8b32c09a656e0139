/**
 * Node-only helpers (the rest of the kit also runs in browsers): a {@link VersionState} kept in a
 * JSON file, and loading the trust list and root from files.
 */
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';

import { VerifyError } from './errors.js';
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
 * @throws VerifyError (code STATE_ERROR) - the file cannot be read or written, or is not of this format.
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

  private error(message: string): VerifyError {
    return new VerifyError(`${this.path}: ${message}`, 'STATE_ERROR');
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
