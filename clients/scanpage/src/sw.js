/* The scan page's service worker (scope /scan; README "The scan page offline").

   GET /scan-sw.js (web/public/pages.py) sends this file after one line that sets `self.SCAN_CONFIG`:
   `{version, pages, assets, lists, index}`: the page in each language, the hashed static files (the page's module
   with the kit and the decoder, the .wasm, the style sheet, the manifest and its icons), the trust list's and the
   status-list index's URLs. A new static file or catalogue gives another version, so another worker and cache.

   - install: everything above, and every status list the index names, into the cache of this version;
   - activate: the caches of other versions are deleted; the worker takes the open pages at once;
   - pages and lists: from the network while the browser is online (a 2xx answer refreshes the cache; a refusal
     such as 429 or 503 is answered from the cache when it holds a copy), else from the cache: with the network
     off no request leaves the device;
   - static files: from the cache (their URLs carry their content hash), else from the network.
   Nothing else is touched: POST /scan/photo, /V/... and the API go to the network as without a worker.
*/
const CONFIG = self.SCAN_CONFIG;
const CACHE = `verify-scan-${CONFIG.version}`;
const ASSETS = new Set(CONFIG.assets);

/** A request that sends no cookie and keeps none (the precached pages must not set the `lang` cookie). */
function bare(url) {
  return new Request(url, { credentials: 'omit' });
}

async function statusListUrls() {
  const response = await fetch(bare(CONFIG.index));
  if (!response.ok) return [];
  const index = await response.clone().json();
  const cache = await caches.open(CACHE);
  await cache.put(CONFIG.index, response);
  return (index.lists || []).map((entry) => `${CONFIG.index}/${encodeURIComponent(entry.series)}`);
}

async function precache() {
  const cache = await caches.open(CACHE);
  const urls = [...CONFIG.pages, ...CONFIG.assets, ...CONFIG.lists];
  await Promise.all(urls.map(async (url) => {
    const response = await fetch(bare(url));
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
    await cache.put(url, response);
  }));
  const lists = await statusListUrls().catch(() => []);
  await Promise.all(lists.map(async (url) => {
    const response = await fetch(bare(url));
    if (response.ok) await cache.put(url, response);
  }));
}

self.addEventListener('install', (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith('verify-scan-') && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

/** The cache key of a request of ours, or null for one the worker leaves alone. */
function keyOf(request) {
  if (request.method !== 'GET') return null;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return null;
  const path = url.pathname + url.search;
  if (request.mode === 'navigate') return url.pathname === '/scan' ? path : null;
  if (ASSETS.has(path)) return path;
  if (url.pathname === CONFIG.index || url.pathname.startsWith(`${CONFIG.index}/`)
      || CONFIG.lists.includes(url.pathname)) return url.pathname;
  return null;
}

/** The cached page of a navigation: this URL, else the same page in the language last shown. */
async function cachedPage(cache, key) {
  return (await cache.match(key)) || cache.match('/scan');
}

async function networkThenCache(request, key) {
  const cache = await caches.open(CACHE);
  let failed = null;
  if (self.navigator.onLine !== false) {
    try {
      const response = await fetch(request);
      if (response.ok) {
        // Only the known pages are kept (not every query string a link may carry), and the last one shown as /scan.
        if (request.mode !== 'navigate' || CONFIG.pages.includes(key)) await cache.put(key, response.clone());
        if (request.mode === 'navigate') await cache.put('/scan', response.clone());
        return response;
      }
      failed = response; // 429, 503, ...: the copy in the cache is better than no list
    } catch {
      /* the network failed: the cache answers */
    }
  }
  const cached = request.mode === 'navigate' ? await cachedPage(cache, key) : await cache.match(key);
  return cached || failed || Response.error();
}

async function cacheThenNetwork(request, key) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(key);
  if (cached) return cached;
  const response = await fetch(request);
  if (response.ok) await cache.put(key, response.clone());
  return response;
}

self.addEventListener('fetch', (event) => {
  const key = keyOf(event.request);
  if (key === null) return;
  event.respondWith(ASSETS.has(key) ? cacheThenNetwork(event.request, key) : networkThenCache(event.request, key));
});
