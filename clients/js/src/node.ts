/**
 * Node-only helpers (the rest of the kit also runs in browsers): a {@link VersionStore} kept in
 * a JSON file, and loading the trust list and root from files.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';

import { VerifyError } from './errors.js';
import { acceptTrustList } from './trust.js';
import type { TrustList } from './trust.js';
import type { VersionStore } from './versionstore.js';
import { parseCertificate } from './x509.js';
import type { Certificate } from './x509.js';

/**
 * The highest version seen of each list, in a JSON file `{"trust-list": 42, ...}` (rollback
 * protection that survives restarts). A missing file means nothing seen yet.
 */
export class FileVersionStore implements VersionStore {
  constructor(readonly path: string) {}

  highest(key: string): number {
    const value = this.read()[key];
    return typeof value === 'number' && Number.isInteger(value) ? value : 0;
  }

  record(key: string, version: number): void {
    const seen = this.read();
    if (version <= (typeof seen[key] === 'number' ? seen[key] : 0)) return;
    seen[key] = version;
    const temporary = `${this.path}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(seen, null, 2)}\n`);
    renameSync(temporary, this.path);
  }

  private read(): Record<string, unknown> {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (exc) {
      if ((exc as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw new VerifyError(`${this.path}: cannot read the versions seen (${(exc as Error).message})`, 'STATE_ERROR');
    }
    try {
      const value: unknown = JSON.parse(text);
      if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    } catch {
      // fall through: refused below
    }
    throw new VerifyError(`${this.path}: not a JSON object of versions seen`, 'STATE_ERROR');
  }
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
 * Read and verify a trust list file under `root`, with rollback protection through `store`.
 *
 * @throws VerifyError - unreadable; TrustListError - refused (see `TrustList.fromJson`).
 */
export async function loadTrustListFile(path: string, root: Certificate, store: VersionStore): Promise<TrustList> {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (exc) {
    throw new VerifyError(`${path}: cannot read the trust list (${(exc as Error).message})`, 'TRUST_LIST_ERROR');
  }
  return acceptTrustList(new Uint8Array(data), root, store);
}
