// The `verify-qr` command: its JSON report, exit status (0 only for VALID) and input errors.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

import { loadCase, VECTORS } from './helpers.js';

const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'cli.js');
const TRUST = ['--trust-list', join(VECTORS, '_trust', 'test-trust-list.json'), '--root', join(VECTORS, '_trust', 'test-root.crt')];

function run(...args) {
  const result = spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

test('VALID: exit 0, JSON with verdict, failed step, record, status source and time', () => {
  const c = loadCase('valid_duplicate');
  const { code, out } = run(...TRUST, '--host', 'https://v.edu.kz', '--at', c.VALIDATION_CLOCK, '--json', c.QR_TEXT);
  assert.equal(code, 0);
  const json = JSON.parse(out);
  assert.equal(json.verdict, 'VALID');
  assert.equal(json.failed_step, null);
  assert.deepEqual(json.record, c.RECORD);
  assert.equal(json.status, 'NOT_CHECKED');
  assert.equal(json.status_source, null);
  assert.equal(json.status_as_of, null);
  assert.equal(json.checked_at, '2026-11-01T12:00:00Z');
});

test('another verdict: exit 1, the failed step named; plain output is one line per verdict and warning', () => {
  const c = loadCase('signer_expired_fail');
  const json = run(...TRUST, '--at', c.VALIDATION_CLOCK, '--json', c.QR_TEXT);
  assert.equal(json.code, 1);
  const report = JSON.parse(json.out);
  assert.equal(report.verdict, c.EXPECTED.verdict);
  assert.equal(report.failed_step.name, 'usage_period');
  assert.equal(report.record, null);
  const plain = run(...TRUST, '--at', c.VALIDATION_CLOCK, c.QR_TEXT);
  assert.equal(plain.code, 1);
  assert.match(plain.out, /^SIGNER_OUT_OF_PERIOD: step 8 \(usage_period\) failed/);
});

test('a host given without a scheme means https; another host fails step 1', () => {
  const c = loadCase('valid_eddsa_bachelor');
  assert.equal(run(...TRUST, '--host', 'v.edu.kz', '--at', c.VALIDATION_CLOCK, c.QR_TEXT).code, 0);
  const other = run(...TRUST, '--host', 'other.example', '--host', 'x.kz', '--at', c.VALIDATION_CLOCK, c.QR_TEXT);
  assert.equal(other.code, 1);
  assert.match(other.out, /step 1 \(unprefix\)/);
});

test('input errors exit 2: usage, another root, a rollback against the state file', () => {
  const c = loadCase('valid_eddsa_bachelor');
  assert.equal(run(...TRUST).code, 2);
  assert.equal(run('--bogus', c.QR_TEXT).code, 2);
  assert.equal(run(...TRUST, '--at', 'yesterday', c.QR_TEXT).code, 2);
  const wrongRoot = run('--trust-list', TRUST[1], '--root', join(VECTORS, '_trust', 'production-root.crt'), c.QR_TEXT);
  assert.equal(wrongRoot.code, 2);
  assert.match(wrongRoot.err, /another root/);
  const dir = mkdtempSync(join(tmpdir(), 'verify-qr-cli-'));
  try {
    const state = join(dir, 'seen.json');
    assert.equal(run(...TRUST, '--state', state, '--at', c.VALIDATION_CLOCK, c.QR_TEXT).code, 0);
    const seen = JSON.parse(readFileSync(state, 'utf8'));
    assert.deepEqual(Object.values(seen.highest), [1]);
    seen.highest[Object.keys(seen.highest)[0]] = 5;
    writeFileSync(state, JSON.stringify(seen));
    const rollback = run(...TRUST, '--state', state, '--at', c.VALIDATION_CLOCK, c.QR_TEXT);
    assert.equal(rollback.code, 2);
    assert.match(rollback.err, /rollback refused/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
