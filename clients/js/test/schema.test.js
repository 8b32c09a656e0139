// The kit's copy of the trust list schema is the service's (verify/schemas/trust-list.schema.json).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { TRUST_LIST_SCHEMA } from '../dist/trust-list-schema.js';
import { REPO } from './helpers.js';

test('src/trust-list-schema.ts equals verify/schemas/trust-list.schema.json', () => {
  const python = JSON.parse(readFileSync(join(REPO, 'verify', 'schemas', 'trust-list.schema.json'), 'utf8'));
  assert.deepEqual(TRUST_LIST_SCHEMA, python);
});
