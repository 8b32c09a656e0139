// The kit's copies of the JSON Schemas are the service's (verify/schemas/).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

import { STATUS_LIST_INDEX_SCHEMA } from '../dist/index.js';
import { TRUST_LIST_SCHEMA } from '../dist/trust-list-schema.js';
import { REPO } from './helpers.js';

test('src/trust-list-schema.ts equals verify/schemas/trust-list.schema.json', () => {
  const python = JSON.parse(readFileSync(join(REPO, 'verify', 'schemas', 'trust-list.schema.json'), 'utf8'));
  assert.deepEqual(TRUST_LIST_SCHEMA, python);
});

test('the status-list index schema equals verify/schemas/status-list-index.schema.json', () => {
  const python = JSON.parse(readFileSync(join(REPO, 'verify', 'schemas', 'status-list-index.schema.json'), 'utf8'));
  assert.deepEqual(STATUS_LIST_INDEX_SCHEMA, python);
});
