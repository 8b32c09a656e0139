// Every folder of tests/vectors gives the verdict and the stage results that its EXPECTED
// claims for the Python verifier (tests/core/test_vectors.py), and the same intermediate forms.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { decodePayload, digitsToBytes, parseSign1, splitQrText, STEP_NAMES } from '../dist/index.js';
import { CASES, loadCase, toHex, verifierFor } from './helpers.js';

test('there are vectors: at least 10 valid and 25 invalid', () => {
  const valid = CASES.filter((n) => !n.endsWith('_fail'));
  assert.ok(valid.length >= 10);
  assert.ok(CASES.length - valid.length >= 25);
});

for (const name of CASES) {
  test(`vector ${name}: verdict and every claimed stage`, async () => {
    const c = loadCase(name);
    assert.ok(c.DESCRIPTION.startsWith(name.endsWith('_fail') ? 'INVALID:' : 'VALID:'));
    const report = await verifierFor(c).check(c.QR_TEXT, new Date(c.VALIDATION_CLOCK));
    const outcomes = Object.fromEntries(report.steps.map((s) => [s.name, s.outcome]));
    for (const [stage, expected] of Object.entries(c.EXPECTED)) {
      if (stage === 'verdict') {
        assert.equal(report.verdict, expected, report.message);
      } else {
        assert.ok(Object.values(STEP_NAMES).includes(stage), stage);
        assert.equal(outcomes[stage], expected ? 'passed' : 'failed', `${stage}: ${report.message}`);
      }
    }
    assert.equal(report.verdict === 'VALID', !name.endsWith('_fail'));
    // The failed step: the stage EXPECTED marks false, else the one after the last stage it marks passed.
    const failed = report.toJSON().failed_step;
    const order = Object.values(STEP_NAMES);
    const marked = Object.entries(c.EXPECTED).filter(([k]) => k !== 'verdict');
    const falseStage = marked.find(([, v]) => v === false)?.[0];
    const lastPassed = Math.max(-1, ...marked.filter(([, v]) => v === true).map(([k]) => order.indexOf(k)));
    const expectedFailed = name.endsWith('_fail') ? (falseStage ?? order[lastPassed + 1]) : null;
    assert.equal(failed?.name ?? null, expectedFailed, 'the failed step');
  });
}

for (const name of CASES.filter((n) => loadCase(n).COSE_HEX)) {
  test(`vector ${name}: QR text -> digits -> COSE -> payload -> record`, () => {
    const c = loadCase(name);
    const { digits } = splitQrText(c.QR_TEXT);
    assert.equal(digits, c.DIGITS);
    const cose = digitsToBytes(digits);
    assert.equal(toHex(cose), c.COSE_HEX);
    assert.equal(toHex(parseSign1(cose).payload), c.PAYLOAD_HEX);
    if (c.RECORD !== null && !name.endsWith('_fail')) {
      const { record, signedAt } = decodePayload(parseSign1(cose).payload);
      assert.deepEqual(record, c.RECORD);
      assert.equal(signedAt.toISOString().replace('.000Z', 'Z'), c.SIGNED_AT);
    }
  });
}
