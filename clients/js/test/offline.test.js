// Offline verification in one call (verifyOffline, for the scan page) and from a synced folder
// (verify-qr --status-lists DIR): docs/OFFLINE.md, docs/FORMAT.md §9.8.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { sha256 } from '@noble/hashes/sha2.js';

import {
  MemoryVersionState, parseStatusListIndex, StatusListError, trustListKey, verifyOffline,
} from '../dist/index.js';
import { loadStatusListFolder } from '../dist/node.js';
import { loadListCase, rootOf, STATUS_VECTORS, testTrustList, toHex, VECTORS } from './helpers.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const BD = loadListCase('status', 'valid_bd_list');
const AT = new Date(BD.VALIDATION_CLOCK);
const TRUST_LIST = new Uint8Array(readFileSync(join(VECTORS, '_trust', 'test-trust-list.json')));
const ROOT_PEM = readFileSync(join(VECTORS, '_trust', 'test-root.crt'), 'utf8');
const cose = (name, series = 'BD') => new Uint8Array(readFileSync(join(STATUS_VECTORS, name, `${series}.cose`)));
const record = (verdict, number) => BD.RECORDS.find((r) => r.verdict === verdict && (!number || r.RECORD.number === number));

const input = (qrText, extra = {}) => ({ qrText, trustList: TRUST_LIST, root: ROOT_PEM, statusLists: { BD: cose('valid_bd_list') },
  at: AT, ...extra });

test('verifyOffline: the verdicts of the records with the BD list, the list named as the source', async () => {
  for (const r of BD.RECORDS) {
    const report = await verifyOffline(input(r.QR_TEXT));
    assert.equal(report.verdict, r.verdict, `${r.RECORD.series} ${r.RECORD.number}: ${report.message}`);
    assert.deepEqual(report.refusedStatusLists, []);
    if (r.RECORD.series === 'BD') {
      assert.equal(report.toJSON().status_source, 'signed status list BD v7');
      assert.equal(report.toJSON().status_as_of, '2026-11-01T06:00:00Z');
    }
  }
});

test('verifyOffline: a refused list is named, and its series answers AUTHENTIC_STATUS_UNKNOWN', async () => {
  const report = await verifyOffline(input(record('VALID').QR_TEXT, { statusLists: { BD: cose('expired_fail') } }));
  assert.equal(report.verdict, 'AUTHENTIC_STATUS_UNKNOWN');
  assert.equal(report.refusedStatusLists.length, 1);
  assert.match(report.refusedStatusLists[0], /^BD\.cose: status list BD v6: expired at /);
  const none = await verifyOffline(input(record('VALID').QR_TEXT, { statusLists: null }));
  assert.equal(none.verdict, 'AUTHENTIC_STATUS_UNKNOWN');
  const unchecked = await verifyOffline(input(record('VALID').QR_TEXT, { statusLists: null, statusRequired: false }));
  assert.deepEqual([unchecked.verdict, unchecked.status], ['VALID', 'NOT_CHECKED']);
});

test('verifyOffline: the root is pinned by its fingerprint; the state refuses an older trust list or status list', async () => {
  const fingerprint = toHex(sha256(rootOf('_trust/test-root.crt').der));
  const pinned = await verifyOffline(input(record('VALID').QR_TEXT, { rootFingerprint: fingerprint.toUpperCase() }));
  assert.equal(pinned.verdict, 'VALID');
  await assert.rejects(verifyOffline(input(record('VALID').QR_TEXT, { rootFingerprint: '00'.repeat(32) })),
    (e) => e.code === 'ROOT_ERROR');
  await assert.rejects(verifyOffline(input(record('VALID').QR_TEXT, { root: 'not a certificate' })), (e) => e.code === 'ROOT_ERROR');
  const state = new MemoryVersionState();
  assert.equal((await verifyOffline(input(record('VALID').QR_TEXT, { state }))).verdict, 'VALID');
  state.raiseTo(`status-list/${trustListKey(rootOf('_trust/test-root.crt')).split('/')[1]}/BD`, 8);
  const rolledBack = await verifyOffline(input(record('VALID').QR_TEXT, { state }));
  assert.equal(rolledBack.verdict, 'AUTHENTIC_STATUS_UNKNOWN');
  assert.match(rolledBack.refusedStatusLists[0], /older than version 8/);
  state.raiseTo(trustListKey(rootOf('_trust/test-root.crt')), 2);
  await assert.rejects(verifyOffline(input(record('VALID').QR_TEXT, { state })), /rollback refused/);
});

/** index.json for the lists in `files` (series -> bytes), as docs/FORMAT.md §9.8 defines it. */
function indexFor(entries) {
  return JSON.stringify({
    type: 'verify-status-list-index', format: 1, generated_at: '2026-11-01T06:00:05Z',
    lists: entries.map(([series, data, version]) => ({
      series, version, issued_at: '2026-11-01T06:00:00Z', next_update: '2026-11-02T06:00:00Z',
      expires_at: '2026-11-08T06:00:00Z', bytes: data.length, sha256: toHex(sha256(data)),
    })),
  }, null, 2);
}

test('the index: read strictly; a list it promises that is missing is named', async () => {
  const data = cose('valid_bd_list');
  const index = parseStatusListIndex(indexFor([['BD', data, 7], ['PhD', data, 1]]));
  assert.deepEqual(index.lists.map((l) => l.series), ['BD', 'PhD']);
  assert.throws(() => parseStatusListIndex(indexFor([['BD', data, 7], ['BD', data, 7]])), /listed twice/);
  assert.throws(() => parseStatusListIndex(indexFor([['BD', data, 0]])), StatusListError);
  assert.throws(() => parseStatusListIndex('{"type": "verify-status-list-index", "type": 1}'), /duplicate key/);
  const dir = mkdtempSync(join(tmpdir(), 'verify-qr-lists-'));
  try {
    writeFileSync(join(dir, 'BD.cose'), data);
    writeFileSync(join(dir, 'index.json'), indexFor([['BD', data, 7], ['PhD', data, 1]]));
    writeFileSync(join(dir, 'notes.txt'), 'not a list');
    const loaded = await loadStatusListFolder(dir, { trustList: testTrustList(), at: AT });
    assert.deepEqual([...loaded.lookup.lists.keys()], ['BD']);
    assert.deepEqual(loaded.refused.map((e) => e.message), ['PhD.cose: listed in index.json (version 1) but missing']);
    writeFileSync(join(dir, 'index.json'), '{"type": "verify-status-list-index"}');
    const badIndex = await loadStatusListFolder(dir, { trustList: testTrustList(), at: AT });
    assert.deepEqual([...badIndex.lookup.lists.keys()], ['BD'], 'the index is not needed to verify');
    assert.match(badIndex.refused[0].message, /^index\.json: status-list index: schema violation/);
    await assert.rejects(loadStatusListFolder(join(dir, 'absent'), { trustList: testTrustList(), at: AT }), StatusListError);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

function run(...args) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

test('verify-qr --status-lists DIR: exit 0 VALID, 1 REPLACED, 3 AUTHENTIC_STATUS_UNKNOWN; refused lists on stderr', () => {
  const dir = mkdtempSync(join(tmpdir(), 'verify-qr-cli-lists-'));
  const trust = ['--trust-list', join(VECTORS, '_trust', 'test-trust-list.json'), '--root', join(VECTORS, '_trust', 'test-root.crt'),
    '--at', BD.VALIDATION_CLOCK, '--status-lists', dir];
  try {
    const data = cose('valid_bd_list');
    writeFileSync(join(dir, 'BD.cose'), data);
    writeFileSync(join(dir, 'MD.cose'), cose('valid_empty_list', 'MD')); // MD 0000001 only
    writeFileSync(join(dir, 'index.json'), indexFor([['BD', data, 7]]));
    const valid = run(...trust, '--json', record('VALID', '0000001').QR_TEXT);
    assert.equal(valid.code, 0, valid.err);
    const json = JSON.parse(valid.out);
    assert.deepEqual([json.verdict, json.status, json.status_source, json.status_as_of],
      ['VALID', 'ORIGINAL_VALID', 'signed status list BD v7', '2026-11-01T06:00:00Z']);
    assert.equal(valid.err, '');
    const replaced = run(...trust, record('REPLACED', '0000002').QR_TEXT);
    assert.equal(replaced.code, 1);
    assert.match(replaced.out, /^REPLACED: step 11 \(registry\) failed: void: replaced by duplicate No\. 1 BD 0000100/);
    const md = run(...trust, record('AUTHENTIC_STATUS_UNKNOWN').QR_TEXT);
    assert.equal(md.code, 1, 'MD 0012345 is not in the MD list, issued after the record was signed');
    assert.match(md.out, /^NOT_IN_REGISTRY: step 11/);
    writeFileSync(join(dir, 'BD.cose'), cose('expired_fail'));
    const expired = run(...trust, record('VALID', '0000001').QR_TEXT);
    assert.equal(expired.code, 3);
    assert.match(expired.out, /^AUTHENTIC_STATUS_UNKNOWN: step 11/);
    assert.match(expired.err, /status list refused: BD\.cose: status list BD v6: expired at/);
    const pinned = run(...trust, '--root-fingerprint', '00'.repeat(32), record('VALID', '0000001').QR_TEXT);
    assert.equal(pinned.code, 2);
    assert.match(pinned.err, /not the pinned one/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
