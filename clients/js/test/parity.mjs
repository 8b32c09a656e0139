// What tests/core/test_js_kit.py compares with the Python verifier, printed as one JSON object on stdout:
//
//   node test/parity.mjs vectors DIR       every vector folder of DIR (tests/vectors): the kit's reports for
//                                          records; for status-list vectors the acceptance, version, times,
//                                          lookups and the reports of records with that list; for trust-list
//                                          vectors the acceptance and the version state after
//   node test/parity.mjs status-payloads   stdin: a JSON array of hex payloads -> each decoded list, or its refusal
//   node test/parity.mjs ijson             stdin: a JSON array of hex files -> each I-JSON value, or its refusal
//   node test/parity.mjs prefixes          stdin: {"texts": [...], "urls": [...]} -> step 1 of each QR text (prefix and
//                                          digits, or a refusal), and the QR prefix of each base URL (or a refusal)
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import {
  acceptTrustList, decodeStatusList, MemoryVersionState, parseCertificate, parseIJson, qrPrefix, splitQrText,
  statusFromList, StatusListLookup, statusListKey, TrustList, trustListKey, Verifier, verifyStatusList,
} from '../dist/index.js';

const fromHex = (text) => Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));
const seconds = (date) => date.getTime() / 1000;
const cases = (dir) => readdirSync(dir).filter((n) => existsSync(join(dir, n, 'case.json'))).sort()
  .map((name) => [name, JSON.parse(readFileSync(join(dir, name, 'case.json'), 'utf8'))]);
const refusal = (exc) => {
  if (!exc || typeof exc.code !== 'string') throw exc;
  return { accepted: false, error: exc.message };
};

async function vectors(dir) {
  const out = { records: {}, statuslist: {}, trustlist: {} };
  const rootOf = (c) => parseCertificate(readFileSync(join(dir, c.ROOT), 'utf8'));
  for (const [name, c] of cases(dir)) {
    const trustList = TrustList.fromJson(readFileSync(join(dir, c.TRUST_LIST)), { root: rootOf(c) });
    out.records[name] = (await new Verifier(trustList).check(c.QR_TEXT, new Date(c.VALIDATION_CLOCK))).toJSON();
  }
  const statusDir = join(dir, 'statuslist');
  const texts = cases(statusDir).flatMap(([, c]) => (c.RECORDS ?? []).map((r) => r.QR_TEXT));
  for (const [name, c] of cases(statusDir)) {
    const root = rootOf(c);
    const trustList = TrustList.fromJson(readFileSync(join(dir, c.TRUST_LIST)), { root });
    const at = new Date(c.VALIDATION_CLOCK);
    const state = new MemoryVersionState({ [statusListKey(root, c.SERIES)]: c.SEEN_VERSION });
    let result;
    let lists = [];
    try {
      const list = await verifyStatusList(fromHex(c.STATUS_LIST_HEX), { trustList, at, series: c.SERIES, state });
      lists = [list];
      result = {
        accepted: true, version: list.version, issued_at: seconds(list.issuedAt), next_update: seconds(list.nextUpdate),
        expires_at: seconds(list.expiresAt), signer: list.signer.label,
        lookups: (c.LOOKUPS ?? []).map((l) => statusJson(statusFromList(list, l.number, l.revision))),
      };
    } catch (exc) {
      result = refusal(exc);
    }
    result.highest = state.highest(statusListKey(root, c.SERIES));
    const verifier = new Verifier(trustList, { statusLookup: new StatusListLookup(lists), statusRequired: true });
    result.reports = [];
    for (const text of texts) result.reports.push((await verifier.check(text, at)).toJSON());
    out.statuslist[name] = result;
  }
  const trustDir = join(dir, 'trustlist');
  for (const [name, c] of cases(trustDir)) {
    const root = rootOf(c);
    const state = new MemoryVersionState({ [trustListKey(root)]: c.SEEN_VERSION });
    let result;
    try {
      const list = await acceptTrustList(new Uint8Array(readFileSync(join(trustDir, name, c.TRUST_LIST_FILE))), root, state);
      result = { accepted: true, version: list.version, signers: list.signers.map((s) => [s.label, s.usage, s.chainsToRoot]) };
    } catch (exc) {
      result = refusal(exc);
    }
    result.highest = state.highest(trustListKey(root));
    out.trustlist[name] = result;
  }
  return out;
}

function statusJson(s) {
  const day = (date) => (date ? date.toISOString().slice(0, 10) : null);
  return { code: s.code, as_of: seconds(s.as_of), source: s.source, current_revision: s.current_revision ?? null,
    duplicate_no: s.duplicate_no ?? null, original: s.original ? [s.original.series, s.original.number] : null,
    replaced_by: s.replaced_by ? [s.replaced_by.series, s.replaced_by.number, s.replaced_by.duplicate_no,
      s.replaced_by.issued_on, s.replaced_by.reason] : null,
    annulled_on: day(s.annulled_at), changed_on: day(s.changed_at), reason: s.reason ?? null };
}

function decodedList(list) {
  const statuses = {};
  for (const [number, s] of [...list.statuses.entries()].sort((a, b) => a[0] - b[0])) {
    const r = s.replacedBy;
    const d = s.duplicate;
    statuses[number] = [s.annulledOn, r ? [r.series, r.number, r.issuedOn, r.reason] : null, s.currentRevision,
      s.correctedOn, d ? [d.duplicate_no, d.original_series, d.original_number] : null];
  }
  return { accepted: true, series: list.series, version: list.version, times: [list.issuedAt, list.nextUpdate, list.expiresAt]
    .map(seconds), issued: list.issued.map(([a, b]) => [a, b]), statuses };
}

async function main() {
  const [mode, dir] = process.argv.slice(2);
  if (mode === 'vectors') return vectors(dir);
  if (mode === 'prefixes') {
    const { texts, urls } = JSON.parse(readFileSync(0, 'utf8'));
    const attempt = (f) => {
      try {
        return { accepted: true, value: f() };
      } catch (exc) {
        if (!(exc instanceof RangeError) && typeof exc?.code !== 'string') throw exc;
        return { accepted: false };
      }
    };
    return { texts: texts.map((t) => attempt(() => { const { prefix, digits } = splitQrText(t); return [prefix, digits]; })),
      urls: urls.map((u) => attempt(() => qrPrefix(u))) };
  }
  const inputs = JSON.parse(readFileSync(0, 'utf8')).map(fromHex);
  if (mode === 'status-payloads') {
    return inputs.map((payload) => {
      try {
        return decodedList(decodeStatusList(payload));
      } catch (exc) {
        return refusal(exc);
      }
    });
  }
  if (mode === 'ijson') {
    return inputs.map((data) => {
      try {
        return { accepted: true, value: parseIJson(data, 'trust list', (m) => Object.assign(new Error(m), { code: 'X' })) };
      } catch (exc) {
        return refusal(exc);
      }
    });
  }
  throw new Error(`unknown mode ${mode}`);
}

process.stdout.write(`${JSON.stringify(await main())}\n`);
