#!/usr/bin/env node
/**
 * `verify-qr`: verify one QR text offline against a trust list and status lists (docs/FORMAT.md §7, §9).
 *
 *   verify-qr --trust-list FILE --root FILE [--root-fingerprint HEX] [--status-lists DIR] [--host H]...
 *             [--state FILE] [--at TIME] [--log-proof FILE] [--json] TEXT
 *
 * Prints the verdict (with --json, the report as JSON: verdict, failed_step, record, status_source,
 * status_as_of, steps, ...); a refused status list is named on stderr. Exit status: 0 only for VALID,
 * 3 for AUTHENTIC_STATUS_UNKNOWN, 1 for any other verdict (as `verify check`), 2 for a usage error or
 * a trust list, root, folder or state file that cannot be used.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

import { qrPrefix } from './codec.js';
import { VerifyError } from './errors.js';
import { FileVersionState, loadStatusListFolder, loadTrustListFile, loadRootCertificate } from './node.js';
import { rootOf } from './offline.js';
import { StatusListLookup } from './statuslookup.js';
import { logEvidenceFromJson } from './tlog.js';
import { AUTHENTIC_STATUS_UNKNOWN, VALID, Verifier } from './verifier.js';
import { MemoryVersionState } from './versionstate.js';

const USAGE = `usage: verify-qr --trust-list FILE --root FILE [--root-fingerprint HEX] [--status-lists DIR]
                 [--host H]... [--state FILE] [--at TIME] [--log-proof FILE] [--json] TEXT

  --trust-list FILE       the signed trust list (trust-list.json)
  --root FILE             the root certificate (PEM or DER), obtained out of band
  --root-fingerprint HEX  the root's pinned SHA-256 fingerprint (64 hex digits, colons allowed);
                          another root is refused
  --status-lists DIR      the status lists: DIR/<series>.cose and DIR/index.json (verify sync,
                          verify status-list export); with it an authentic record without a fresh
                          list for its series is AUTHENTIC_STATUS_UNKNOWN, never VALID
  --host H                an accepted verification host: https://v.edu.kz, or v.edu.kz for https;
                          repeat for several; none: any host (authenticity comes from the signature)
  --state FILE            the version state file (highest trust-list and status-list versions seen:
                          rollback protection; the format of the Python verifier's verify-state.json)
  --at TIME               time of the check, ISO 8601 (default: now)
  --log-proof FILE        offline step 12: the record's log entry, proof and checkpoint (verify log prove --json)
  --json                  print the report as JSON
Exit status: 0 only for VALID; 3 for AUTHENTIC_STATUS_UNKNOWN; 1 for another verdict;
2 for a usage or input error.`;

/** The JSON of `verify log prove --json` in a file. @throws RangeError - unreadable, not JSON, or not that shape. */
function readLogProof(path: string): ReturnType<typeof logEvidenceFromJson> {
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (exc) {
    throw new RangeError(`--log-proof ${path}: ${(exc as Error).message}`);
  }
  return logEvidenceFromJson(value);
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        'trust-list': { type: 'string' },
        root: { type: 'string' },
        'root-fingerprint': { type: 'string' },
        'status-lists': { type: 'string' },
        host: { type: 'string', multiple: true },
        state: { type: 'string' },
        at: { type: 'string' },
        'log-proof': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (exc) {
    process.stderr.write(`verify-qr: ${(exc as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const text = positionals[0];
  if (!values['trust-list'] || !values.root || positionals.length !== 1 || text === undefined) {
    process.stderr.write(`verify-qr: give --trust-list, --root and one TEXT\n${USAGE}\n`);
    return 2;
  }
  const at = values.at === undefined ? new Date() : new Date(values.at);
  if (Number.isNaN(at.getTime())) {
    process.stderr.write(`verify-qr: --at: not an ISO 8601 time: ${values.at}\n`);
    return 2;
  }
  try {
    const prefixes = values.host?.map((h) => qrPrefix(h.includes('://') ? h : `https://${h}`));
    const state = values.state === undefined ? new MemoryVersionState() : new FileVersionState(values.state);
    const root = rootOf(loadRootCertificate(values.root), values['root-fingerprint'] ?? null);
    const trustList = await loadTrustListFile(values['trust-list'], root, state);
    let statusLookup: StatusListLookup | null = null;
    if (values['status-lists'] !== undefined) {
      const loaded = await loadStatusListFolder(values['status-lists'], { trustList, at, state });
      for (const refused of loaded.refused) process.stderr.write(`verify-qr: status list refused: ${refused.message}\n`);
      statusLookup = loaded.lookup;
    }
    const verifier = new Verifier(trustList, {
      acceptedPrefixes: prefixes ?? null, statusLookup, statusRequired: statusLookup !== null,
    });
    const log = values['log-proof'] === undefined ? null : readLogProof(values['log-proof']);
    const report = await verifier.check(text, at, { log });
    if (values.json) {
      process.stdout.write(`${JSON.stringify(report.toJSON(), null, 2)}\n`);
    } else {
      process.stdout.write(`${report.message}\n`);
      for (const warning of report.warnings) process.stdout.write(`warning: ${warning}\n`);
    }
    return report.verdict === VALID ? 0 : report.verdict === AUTHENTIC_STATUS_UNKNOWN ? 3 : 1;
  } catch (exc) {
    if (exc instanceof VerifyError || exc instanceof RangeError) {
      process.stderr.write(`verify-qr: ${exc.message}\n`);
      return 2;
    }
    throw exc;
  }
}

process.exitCode = await main(process.argv.slice(2));
