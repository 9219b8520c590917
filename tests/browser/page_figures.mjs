// What the browser checks share (dashboard_check.mjs, report_check.mjs): how Debian's
// chromium is launched, and how the figures a page shows are read and compared with a
// model (docs/view-model.md; broker/web/README.md: data-metric, data-value, data-format).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.LOADGRID_CHROMIUM || '/usr/bin/chromium';
// Headless, and nothing that reaches out: no QUIC, no background traffic, no component
// or sync updates (all traffic stays on loopback).
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

// Starts chromium with a fresh profile in a temporary directory and returns
// { context, close }: `close()` ends the browser and removes the profile (call it in a
// finally). `contextOptions` are playwright's (e.g. { offline: true }).
export async function launchChromium(contextOptions = {}) {
  const profile = mkdtempSync(join(tmpdir(), 'loadgrid-chromium-'));
  try {
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1440, height: 900 },
      deviceScaleFactor: 1,
      // A fresh machine's first chromium start builds its font cache, and the CI machine
      // is shared: a minute and a half, not the default 30 s.
      timeout: 90000,
      ...contextOptions,
    });
    const close = async () => {
      await context.close().catch(() => {});
      removeProfile(profile);
    };
    return { context, close };
  } catch (e) {
    removeProfile(profile);
    throw e;
  }
}

// Removes a profile directory; a chromium still writing into it (after a failed launch)
// can make that fail: retried, and never an error that would hide the real one.
function removeProfile(profile) {
  try {
    rmSync(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 });
  } catch (e) {
    console.error('could not remove the chromium profile ' + profile + ': ' + e.message);
  }
}

// ------------------------------------------------------------ the format oracle

// The text view.js's format(kind, v) must give: this test's own copy, as an oracle
// (change a format in both places).
const group = (digits) => digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
const pad2 = (n) => (n < 10 ? '0' : '') + n;
export function expectedText(kind, v) {
  if (v === null || v === undefined) return '—';
  switch (kind) {
    case 'int':
      return group(String(Math.round(v)));
    case 'rate':
      return Math.abs(v) >= 1000 ? group(v.toFixed(0)) : v.toFixed(1);
    case 'ms': {
      const a = Math.abs(v);
      if (a < 1) return v.toFixed(3) + ' ms';
      if (a < 10) return v.toFixed(2) + ' ms';
      if (a < 100) return v.toFixed(1) + ' ms';
      if (a < 10000) return group(v.toFixed(0)) + ' ms';
      return (v / 1000).toFixed(1) + ' s';
    }
    case 'offset':
      return (v > 0 ? '+' : '') + v.toFixed(3) + ' ms';
    case 'bytes': {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let x = v;
      let u = 0;
      while (Math.abs(x) >= 1024 && u < units.length - 1) {
        x /= 1024;
        u++;
      }
      return u === 0 ? String(Math.round(x)) + ' B' : x.toFixed(1) + ' ' + units[u];
    }
    case 'seconds': {
      if (v < 60) return v.toFixed(1) + ' s';
      const t = Math.floor(v);
      if (t < 3600) return Math.floor(t / 60) + 'm ' + pad2(t % 60) + 's';
      return Math.floor(t / 3600) + 'h ' + pad2(Math.floor((t % 3600) / 60)) + 'm';
    }
    case 'percent':
      return v.toFixed(1) + '%';
    case 'number':
      return Number.isInteger(v) ? group(String(v)) : String(Number(v.toFixed(3)));
    case 'passfail':
      return v ? 'pass' : 'fail';
    case 'text':
      return String(v);
    default:
      return undefined;
  }
}

// ------------------------------------------------------------ model paths

// "summary.requests.name=home.latency_ms.p95": segments percent-encoded, `k=v` selects
// the array element whose k is v, digits index an array, `length` is an array's length.
export function resolve(root, metricPath) {
  let cur = root;
  for (const raw of metricPath.split('.')) {
    if (cur === undefined || cur === null) return undefined;
    const eq = raw.indexOf('=');
    if (eq >= 0) {
      if (!Array.isArray(cur)) return undefined;
      const k = decodeURIComponent(raw.slice(0, eq));
      const v = decodeURIComponent(raw.slice(eq + 1));
      cur = cur.find((e) => e && String(e[k]) === v);
      continue;
    }
    const key = decodeURIComponent(raw);
    if (Array.isArray(cur) && key === 'length') cur = cur.length;
    else if (Array.isArray(cur) && /^\d+$/.test(key)) cur = cur[Number(key)];
    else cur = Object.prototype.hasOwnProperty.call(cur, key) ? cur[key] : undefined;
  }
  return cur;
}

// A key as one segment of a metric path (as view.js writes it).
export const encode = (key) => encodeURIComponent(key).replace(/\./g, '%2E');

export function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

// Compares the figures under `root` (a selector) on `page` with `model`: each
// data-value must equal the model's value at its data-metric, and the visible text that
// value formatted. `model.mode` names the source in messages ('live': the API, 'report':
// the model, anything else as it is). Returns the set of paths seen. `skip`: path roots that are not in
// `model`, as a list or a predicate on the root. Counts into counts.compared and
// counts.checked_text; each mismatch is passed to `fail`.
export async function compareFigures(page, root, model, skip, fail, counts) {
  const skipped = typeof skip === 'function' ? skip : (first) => skip.includes(first);
  const figures = await page.$$eval(root + ' [data-metric]', (els) =>
    els.map((e) => ({ metric: e.getAttribute('data-metric'), value: e.getAttribute('data-value'), format: e.getAttribute('data-format'), text: e.textContent })),
  );
  const seen = new Set();
  for (const f of figures) {
    if (skipped(f.metric.split('.')[0])) continue;
    const expected = resolve(model, f.metric);
    if (expected === undefined) {
      fail(f.metric + ': no such value in the ' + (model.mode === 'live' ? 'API' : model.mode === 'report' ? 'model' : model.mode));
      continue;
    }
    let shown;
    try {
      shown = JSON.parse(f.value);
    } catch (e) {
      fail(f.metric + ': data-value is not JSON: ' + f.value);
      continue;
    }
    counts.compared++;
    seen.add(f.metric);
    if (!same(shown, expected)) fail(f.metric + ': page has ' + JSON.stringify(shown) + ', expected ' + JSON.stringify(expected));
    const text = expectedText(f.format, expected);
    if (text === undefined) fail(f.metric + ': unknown format ' + f.format);
    else if (f.text !== text) fail(f.metric + ': page shows "' + f.text + '", expected "' + text + '"');
    else counts.checked_text++;
  }
  return seen;
}
