// The package's main entry runs in browsers (issue 12 item 6, the scan page): no module it loads
// imports a node built-in; only node.js and cli.js (the "./node" entry and the command) may.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const IMPORT_RE = /(?:import|export)\s[^'"]*from\s+'([^']+)'/g;

test('the main entry and every module it imports use no node built-in', () => {
  const seen = new Set();
  const visit = (file) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const [, spec] of readFileSync(join(DIST, file), 'utf8').matchAll(IMPORT_RE)) {
      assert.ok(!spec.startsWith('node:') && !['fs', 'path', 'os', 'crypto', 'buffer'].includes(spec), `${file}: ${spec}`);
      if (spec.startsWith('./')) visit(spec.slice(2));
    }
  };
  visit('index.js');
  assert.ok(seen.has('verifier.js') && seen.has('x509.js'));
  assert.ok(!seen.has('node.js') && !seen.has('cli.js'));
  assert.ok(readdirSync(DIST).includes('node.js'));
});
