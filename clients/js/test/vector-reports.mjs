// Print the kit's report (`toJSON()`) for every folder of a vectors directory, as one JSON object
// keyed by folder name: `node test/vector-reports.mjs ../../tests/vectors`. tests/test_js_kit.py
// compares it with the Python verifier's reports, field by field.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parseCertificate, TrustList, Verifier } from '../dist/index.js';

const dir = process.argv[2];
const out = {};
for (const name of readdirSync(dir).sort()) {
  if (!existsSync(join(dir, name, 'case.json'))) continue;
  const c = JSON.parse(readFileSync(join(dir, name, 'case.json'), 'utf8'));
  const root = parseCertificate(readFileSync(join(dir, c.ROOT), 'utf8'));
  const trustList = TrustList.fromJson(readFileSync(join(dir, c.TRUST_LIST)), { root });
  out[name] = (await new Verifier(trustList).check(c.QR_TEXT, new Date(c.VALIDATION_CLOCK))).toJSON();
}
process.stdout.write(`${JSON.stringify(out)}\n`);
