/* The scan page, checked on the device (issue 12 item 6; README "The scan page offline").

   Progressive enhancement: the upload and lookup forms work without this module (old browsers ignore a module
   script). With it:

   1. The decoder is zxing-wasm (ZXing-C++ compiled to WebAssembly), bundled into this file; its .wasm is served
      from this origin (`data-wasm`), never from a CDN (the package's default location is overridden).
   2. The verifier is the kit of clients/js (as its `verifyOffline`): the trust list (`data-trust`) under the root
      certificate written into the page (`data-root`, the same trust anchor as the server's), and every signed
      status list of the index (`data-lists`). The highest versions seen are kept in localStorage (rollback).
   3. The camera view decodes frames on the device and never uploads a frame when the decoder runs. Only where the
      decoder cannot run (no WebAssembly) does it fall back to the server: frames to POST /api/v1/scan, as before.
   4. The photo form decodes the picture on the device first; a photo with no code the device can read goes to the
      server (POST /scan/photo, the server tries more passes) when the server answers (GET /healthz), else the page
      says so and stays.
   5. A code of this service is verified on the device and its verdict shown in the page's language, with "checked
      on this device, status as of ..." and the link to the online page (/V/<digits>) for the latest status.
   6. A service worker (`data-sw`, scope /scan) keeps the page, this module, the decoder and the lists for offline
      use (web/public/pages.py serves it; its source is clients/scanpage/src/sw.js).

   Every text comes from the page (`data-s-*` attributes, rendered from the gettext catalogues). The work is timed
   with the User Timing API (`performance.measure`: verify-scan:decode-frame, :decode-photo, :verify), which
   bench/bench_scanpage.py reads.
*/
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';

import {
  Verifier, acceptTrustList, loadStatusLists, parseStatusListIndex, rootOf, splitQrText,
} from '../../js/src/index.ts';

const MAX_SIDE = 1280;
const FRAME_INTERVAL_MS = 1000;
const DETECT_INTERVAL_MS = 200;
const STATE_PREFIX = 'verify-seen/';
const LISTS_MAX_AGE_MS = 10 * 60 * 1000; // a page left open fetches the lists again (the network when online)
const READER_OPTIONS = { formats: ['QRCode'], tryHarder: true, tryRotate: true, tryInvert: false,
  tryDownscale: true, maxNumberOfSymbols: 8 };

const app = document.getElementById('scan-app');
const ui = document.getElementById('camera-ui');
const startButton = document.getElementById('camera-start');
const stopButton = document.getElementById('camera-stop');
const video = document.getElementById('camera-video');
const statusLine = document.getElementById('camera-status');
const uploadForm = document.getElementById('upload-form');
const photoInput = document.getElementById('photo');
const uploadStatus = document.getElementById('upload-status');
const result = document.getElementById('device-result');

/** A text of the page in its language, with `{name}` placeholders filled. */
function text(name, values = {}) {
  let out = app.getAttribute(`data-s-${name}`) || '';
  for (const [key, value] of Object.entries(values)) out = out.split(`{${key}}`).join(String(value));
  return out;
}

const prefix = (app.getAttribute('data-prefix') || '').toUpperCase();

/** The digits of a link of this service (its prefix in any case: the kit's `splitQrText`, FORMAT §5), or null. */
function linkDigits(value) {
  try {
    const split = splitQrText(String(value));
    return prefix && split.prefix === prefix ? split.digits : null;
  } catch {
    return null; // not a link of the record format
  }
}

// ----------------------------------------------------------------------------- the decoder
let decoderReady = null;

/** Whether the decoder runs here: resolves true once the .wasm is compiled, false if it cannot be. */
function decoder() {
  if (decoderReady === null) {
    if (typeof WebAssembly !== 'object') {
      decoderReady = Promise.resolve(false);
    } else {
      const wasm = new URL(app.getAttribute('data-wasm'), window.location.href).href;
      decoderReady = prepareZXingModule({
        overrides: { locateFile: (path, scriptDirectory) => (path.endsWith('.wasm') ? wasm : scriptDirectory + path) },
        fireImmediately: true,
      }).then(() => true, () => false);
    }
  }
  return decoderReady;
}

/** Run `work` (a promise-returning function) and record its duration as the User Timing measure `name`. */
async function timed(name, work) {
  const start = performance.now();
  try {
    return await work();
  } finally {
    performance.measure(`verify-scan:${name}`, { start, end: performance.now() });
  }
}

/** The QR texts found in a picture (ImageData of a frame, or a photo's file), in the order found. */
async function decode(picture) {
  const found = await readBarcodes(picture, READER_OPTIONS);
  return found.filter((code) => code.isValid && code.text).map((code) => code.text);
}

// ----------------------------------------------------------------------------- the lists
/** Rollback state of the kit (`VersionState`) in localStorage: the highest version seen per list. */
const versionState = {
  highest(key) {
    try {
      return Number(window.localStorage.getItem(STATE_PREFIX + key)) || 0;
    } catch {
      return 0;
    }
  },
  raiseTo(key, version) {
    try {
      if (version > this.highest(key)) window.localStorage.setItem(STATE_PREFIX + key, String(version));
    } catch {
      /* storage refused (private mode): the check still runs, without a memory across visits */
    }
  },
};

async function fetchBytes(url) {
  const response = await fetch(url, { credentials: 'same-origin' });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/**
 * The verifier over the lists, as the kit's `verifyOffline` composes it, made once per load of the lists: the
 * trust list verified under the page's root (rollback checked), every status list verified on its own (a refused
 * one leaves its series AUTHENTIC_STATUS_UNKNOWN). A list's expiry is judged again at each check (the lookup's
 * own rule), so keeping the verifier between checks changes no verdict and spares re-verifying every signature.
 */
async function prepare({ trustList: trustBytes, statusLists }) {
  const trustList = await acceptTrustList(trustBytes, rootOf(app.getAttribute('data-root')), versionState);
  const { lookup } = await loadStatusLists(statusLists, { trustList, at: new Date(), state: versionState });
  return new Verifier(trustList, { statusLookup: lookup, acceptedPrefixes: [prefix], statusRequired: true });
}

/** The trust list's bytes and every status list's bytes (series -> bytes); through the service worker's cache. */
async function loadLists() {
  const trustList = await fetchBytes(app.getAttribute('data-trust'));
  const statusLists = {};
  const base = app.getAttribute('data-lists');
  try {
    const index = parseStatusListIndex(await fetchBytes(base));
    // The index is not signed: it only says what to fetch; every list is verified on its own (FORMAT §9.8).
    await Promise.all(index.lists.map(async (entry) => {
      try {
        statusLists[entry.series] = await fetchBytes(`${base}/${encodeURIComponent(entry.series)}`);
      } catch {
        /* that series is then AUTHENTIC_STATUS_UNKNOWN */
      }
    }));
  } catch {
    /* no index: every series is AUTHENTIC_STATUS_UNKNOWN, never VALID */
  }
  return { trustList, statusLists };
}

let listsLoaded = null;
let listsAt = 0;

/** The verifier over the lists (`prepare`), made again when older than LISTS_MAX_AGE_MS (a page left open, an
    installed app) or after a failure. */
function lists() {
  if (listsLoaded === null || Date.now() - listsAt > LISTS_MAX_AGE_MS) {
    listsAt = Date.now();
    listsLoaded = loadLists().then(prepare).catch((error) => {
      listsLoaded = null; // try again next time
      throw error;
    });
  }
  return listsLoaded;
}

// ----------------------------------------------------------------------------- the verdict on the device
const HEADLINES = {
  REPLACED: ['bad', 'replaced_h'], CORRECTED: ['warn', 'corrected_h'], ANNULLED: ['bad', 'annulled_h'],
  NOT_IN_REGISTRY: ['bad', 'not_in_registry_h'], AUTHENTIC_STATUS_UNKNOWN: ['info', 'device_unknown_h'],
};

/** [tone, text name, values] of a report's headline (web/public/verdict.py `case_of`, plus the unknown status). */
function headlineOf(report) {
  if (report.verdict === 'VALID') {
    if (report.status === 'NOT_CHECKED') return ['info', 'not_checked_h', {}];
    const duplicate = report.record ? report.record.duplicate : null;
    if (duplicate || report.status === 'DUPLICATE_VALID') {
      return ['ok', 'valid_duplicate_h', { n: duplicate ? duplicate.duplicate_no : '?' }];
    }
    return ['ok', 'valid_original_h', {}];
  }
  const [tone, name] = HEADLINES[report.verdict] || ['bad', 'invalid_h'];
  return [tone, name, {}];
}

/** A time in Kazakhstan's time (UTC+5, web/ui/i18n.py `KAZAKHSTAN_TIME`): `DD.MM.YYYY HH:MM (UTC+5)`. */
function kazakhstanTime(iso) {
  const local = new Date(Date.parse(iso) + 5 * 3600 * 1000);
  const two = (n) => String(n).padStart(2, '0');
  return `${two(local.getUTCDate())}.${two(local.getUTCMonth() + 1)}.${local.getUTCFullYear()} `
    + `${two(local.getUTCHours())}:${two(local.getUTCMinutes())} (UTC+5)`;
}

function row(list, label, value) {
  const wrap = document.createElement('div');
  const term = document.createElement('dt');
  const detail = document.createElement('dd');
  term.textContent = label;
  detail.textContent = value;
  wrap.append(term, detail);
  list.append(wrap);
}

/** Show one report (the kit's `toJSON()` shape) in the result area, and move the focus to it. */
function show(report, digits) {
  const [tone, name, values] = headlineOf(report);
  const article = document.createElement('article');
  article.className = 'report';
  article.setAttribute('data-verdict', report.verdict);
  article.setAttribute('data-status', report.status || '');
  const box = document.createElement('section');
  box.className = `verdict tone-${tone}`;
  const icons = document.getElementById('device-icons');
  const icon = icons && icons.content.querySelector(`[data-tone="${tone}"] svg`);
  if (icon) box.append(icon.cloneNode(true));
  const words = document.createElement('div');
  words.className = 'verdict-text';
  const heading = document.createElement('h2');
  heading.id = 'device-headline';
  heading.textContent = text(name, values);
  const where = document.createElement('p');
  where.className = 'summary';
  where.id = 'device-as-of';
  if (report.status_as_of) {
    where.textContent = text('device_checked', { time: kazakhstanTime(report.status_as_of) });
  } else {
    where.textContent = text(report.authentic ? 'device_checked_no_status' : 'device_checked_here');
  }
  words.append(heading, where);
  box.append(words);
  article.append(box);
  if (report.authentic && report.record) {
    const fields = document.createElement('dl');
    fields.className = 'fields';
    const holder = report.record.holder;
    row(fields, text('field_holder'), [holder.surname, holder.name, holder.patronymic].filter(Boolean).join(' '));
    row(fields, text('field_series_number'), `${report.record.series} ${report.record.number}`);
    article.append(fields);
  }
  const online = document.createElement('p');
  const link = document.createElement('a');
  link.id = 'device-online';
  link.href = `/V/${digits}`;
  link.textContent = text('device_online');
  online.append(link);
  article.append(online);
  result.replaceChildren(article);
  result.hidden = false;
  result.focus();
}

function showMessage(message) {
  const note = document.createElement('p');
  note.className = 'alert';
  note.setAttribute('role', 'alert');
  note.textContent = message;
  result.replaceChildren(note);
  result.hidden = false;
}

/** Verify a link of this service on the device and show the verdict. */
async function checkOnDevice(qrText, digits) {
  let verifier;
  try {
    verifier = await lists();
  } catch {
    showMessage(text('device_no_lists')); // not loaded, or the trust list or the root refused: nothing to judge with
    return;
  }
  const report = await timed('verify', () => verifier.check(qrText, new Date()));
  show(report.toJSON(), digits);
}

/** The first link of this service among decoded texts: [text, digits], or null. */
function firstLink(texts) {
  for (const found of texts) {
    const digits = linkDigits(found);
    if (digits) return [found, digits];
  }
  return null;
}

/** Whether the server answers now (GET /healthz within 3 s); never asked while the browser says it is offline. */
async function serverReachable() {
  if (navigator.onLine === false) return false;
  const controller = new AbortController();
  const timer = window.setTimeout(() => controller.abort(), 3000);
  try {
    const response = await fetch('/healthz', { cache: 'no-store', signal: controller.signal });
    return response.ok;
  } catch {
    return false;
  } finally {
    window.clearTimeout(timer);
  }
}

// ----------------------------------------------------------------------------- the photo form
uploadForm.addEventListener('submit', (event) => {
  const file = photoInput.files && photoInput.files[0];
  if (!file) return; // the browser's own "required" message
  event.preventDefault();
  uploadStatus.textContent = text('device_decoding');
  decoder().then(async (ready) => {
    const texts = ready ? await timed('decode-photo', () => decode(file)).catch(() => []) : [];
    const link = firstLink(texts);
    if (link) {
      uploadStatus.textContent = '';
      await checkOnDevice(link[0], link[1]);
    } else if (texts.length) {
      uploadStatus.textContent = text('camera_foreign');
    } else if (!(await serverReachable())) {
      uploadStatus.textContent = text('device_no_code_offline');
    } else {
      uploadStatus.textContent = '';
      uploadForm.submit(); // the server tries more passes; its answer is the verdict page
    }
  });
});

// ----------------------------------------------------------------------------- the camera
const canvas = document.createElement('canvas');
let stream = null;
let timer = null;
let local = false;

function say(name, values) {
  statusLine.textContent = text(name, values);
}

function stop() {
  if (timer !== null) {
    window.clearTimeout(timer);
    timer = null;
  }
  if (stream) {
    stream.getTracks().forEach((track) => track.stop());
    stream = null;
  }
  video.srcObject = null;
  video.hidden = true;
  stopButton.hidden = true;
  startButton.hidden = false;
}

function schedule(delayMs) {
  if (stream) timer = window.setTimeout(tick, delayMs);
}

/** The current frame on the canvas, at most MAX_SIDE px on its longer side. */
function drawFrame() {
  const scale = Math.min(1, MAX_SIDE / Math.max(video.videoWidth, video.videoHeight));
  canvas.width = Math.round(video.videoWidth * scale);
  canvas.height = Math.round(video.videoHeight * scale);
  const context = canvas.getContext('2d', { willReadFrequently: true });
  context.drawImage(video, 0, 0, canvas.width, canvas.height);
  return context;
}

/** Decode one frame on the device; the verdict of the first code of this service ends the scan. */
async function tickLocal() {
  const texts = await timed('decode-frame', () => {
    const context = drawFrame();
    return decode(context.getImageData(0, 0, canvas.width, canvas.height));
  }).catch(() => []);
  const link = firstLink(texts);
  if (link) {
    stop();
    say('camera_found');
    await checkOnDevice(link[0], link[1]);
    statusLine.textContent = '';
    return;
  }
  if (texts.length) say('camera_foreign');
  schedule(DETECT_INTERVAL_MS);
}

/** Without the decoder only: the frame goes to the server (POST /api/v1/scan), then to the upload form. */
async function tickServer() {
  drawFrame();
  const blob = await new Promise((resolve) => { canvas.toBlob(resolve, 'image/jpeg', 0.85); });
  if (!blob) {
    schedule(FRAME_INTERVAL_MS);
    return;
  }
  const body = new FormData();
  body.append('photo', blob, 'camera.jpg');
  const response = await fetch('/api/v1/scan', { method: 'POST', body, credentials: 'same-origin',
    headers: { Accept: 'application/json' } });
  if (response.status === 200) {
    const answer = await response.json();
    if (answer && answer.results && answer.results.length) {
      stop();
      say('camera_found');
      const transfer = new DataTransfer();
      transfer.items.add(new File([blob], 'camera.jpg', { type: 'image/jpeg' }));
      photoInput.files = transfer.files;
      uploadForm.submit();
      return;
    }
    schedule(FRAME_INTERVAL_MS);
  } else if (response.status === 429 || response.status === 503) {
    let wait = parseInt(response.headers.get('Retry-After') || '', 10);
    wait = Number.isNaN(wait) ? 5 : Math.max(1, Math.min(wait, 120));
    say('camera_wait', { seconds: wait });
    schedule(wait * 1000);
  } else {
    say('camera_searching'); // 422 no QR code in this frame, and the like: try the next one
    schedule(FRAME_INTERVAL_MS);
  }
}

function tick() {
  timer = null;
  if (!stream) return;
  if (video.readyState < 2 || !video.videoWidth) {
    schedule(DETECT_INTERVAL_MS);
    return;
  }
  (local ? tickLocal() : tickServer()).catch(() => schedule(FRAME_INTERVAL_MS));
}

async function start() {
  startButton.disabled = true;
  try {
    stream = await navigator.mediaDevices.getUserMedia({
      audio: false, video: { facingMode: { ideal: 'environment' }, width: { ideal: 1280 }, height: { ideal: 720 } },
    });
    video.srcObject = stream;
    video.hidden = false;
    startButton.hidden = true;
    stopButton.hidden = false;
    result.hidden = true;
    say('camera_searching');
    await video.play();
    local = await decoder();
    schedule(0);
  } catch {
    stop();
    say('camera_unavailable');
  } finally {
    startButton.disabled = false;
  }
}

// ----------------------------------------------------------------------------- start
ui.hidden = false;
if (!navigator.mediaDevices || typeof navigator.mediaDevices.getUserMedia !== 'function') {
  startButton.disabled = true;
  say('camera_unavailable');
} else {
  startButton.addEventListener('click', start);
  stopButton.addEventListener('click', () => {
    stop();
    statusLine.textContent = '';
    startButton.focus();
  });
  window.addEventListener('pagehide', stop);
}
if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register(app.getAttribute('data-sw'), { scope: '/scan' }).catch(() => {});
}
decoder();
lists().then(() => app.setAttribute('data-lists-ready', 'true'), () => app.setAttribute('data-lists-ready', 'false'));
