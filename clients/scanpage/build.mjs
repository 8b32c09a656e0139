// Build the scan page's browser files into web/ui/static/ (README "The scan page offline"):
//
//   scan-app.js        the page's ES module: src/scan-app.js + the verifier kit (../js/src) + zxing-wasm's reader
//   scan-sw.js         the service worker (src/sw.js); GET /scan-sw.js sends it after its configuration line
//   zxing_reader.wasm  ZXing-C++ compiled to WebAssembly, exactly as the zxing-wasm package ships it
//
// `node build.mjs` writes them; `node build.mjs --check` rebuilds in memory and exits 1 naming every file that
// differs from the committed one (make test-js runs it, so CI fails when a source changed and the build was not
// committed). The files are committed so that the Python service serves them without node on the machine; the
// build is reproducible: pinned esbuild and packages (package-lock.json), no source maps, no time stamps, and
// esbuild's output depends only on its inputs.
//
// Needs `npm ci` here and in ../js (the kit's own dependencies resolve from ../js/node_modules).
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
const STATIC = join(HERE, '..', '..', 'web', 'ui', 'static');
const WASM = join(HERE, 'node_modules', 'zxing-wasm', 'dist', 'reader', 'zxing_reader.wasm');
const COMMON = {
  bundle: true, write: false, format: 'esm', target: ['es2022'], minify: true, legalComments: 'eof',
  charset: 'utf8', sourcemap: false, logLevel: 'warning', absWorkingDir: HERE,
};

async function outputs() {
  const page = await build({ ...COMMON, entryPoints: [join(HERE, 'src', 'scan-app.js')], platform: 'browser',
    outfile: join(STATIC, 'scan-app.js') });
  const worker = await build({ ...COMMON, bundle: false, format: undefined, entryPoints: [join(HERE, 'src', 'sw.js')],
    outfile: join(STATIC, 'scan-sw.js') });
  return {
    'scan-app.js': page.outputFiles[0].contents,
    'scan-sw.js': worker.outputFiles[0].contents,
    'zxing_reader.wasm': new Uint8Array(readFileSync(WASM)),
  };
}

function same(a, b) {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

const check = process.argv.includes('--check');
const differing = [];
for (const [name, bytes] of Object.entries(await outputs())) {
  const path = join(STATIC, name);
  if (check) {
    let committed = null;
    try {
      committed = new Uint8Array(readFileSync(path));
    } catch {
      /* missing */
    }
    if (committed === null || !same(committed, bytes)) differing.push(name);
  } else {
    writeFileSync(path, bytes);
  }
}
if (differing.length) {
  console.error(`web/ui/static: ${differing.join(', ')} differ from the sources: run \`npm run build\` in clients/scanpage`);
  process.exit(1);
}
console.log(check ? 'the scan page files match their sources' : 'built web/ui/static/{scan-app.js,scan-sw.js,zxing_reader.wasm}');
