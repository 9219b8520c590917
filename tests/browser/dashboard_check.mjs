#!/usr/bin/env node
// Loads loadgrid's live dashboard in Debian's headless chromium (driven by playwright-core;
// no browser is ever downloaded) and checks it against the broker's JSON API:
//
//   node dashboard_check.mjs URL OUTDIR [--click-stop] [--no-charts] [--report-view]
//                            [--end-linger] [--timeout SECONDS]
//
// 1. the page loads with no script error, no CSP violation, and asks nothing of any
//    other origin (such requests are aborted and reported);
// 2. unless --no-charts: the req/s chart gains points twice (the charts update live),
//    and the Chart.js instance holds as many points as the page says; with --no-charts
//    the page must say "charts unavailable: chart.js not installed" and draw no chart;
// 3. --click-stop: clicks "Stop campaign" and accepts the confirmation;
// 4. waits until the page shows the final figures (the broker lingers with them), then
//    compares every element carrying data-metric with the API: data-value must equal the
//    API's value at that path, and the visible text must equal that value formatted
//    (page_figures.mjs holds this test's own copy of view.js's formats, as an oracle);
// 5. --report-view: builds a report-mode model from the final API documents (with a
//    made-up baseline and percentile distribution), writes it as a report.html-like file
//    (style, chart.js, view.js and report.js inline, as the broker serves them) and opens
//    it from file:// with every network request refused: the page must draw it, show
//    the baseline's change column and overlay, and its figures must equal the model's;
// 5b. the log panel shows the records of GET /api/v1/logs (the last 500), node and
//    message, in order;
// 6. --end-linger: POSTs /api/v1/stop, which ends the broker's linger, and waits until
//    the page says "disconnected" while it still shows the last figures.
//
// Saves OUTDIR/dashboard-live.png (while running) and OUTDIR/dashboard.png (final, full
// page; report-view.png with --report-view). Prints one JSON line: {"ok": bool,
// "failures": [...], ...}; exit 0 when ok, 1 when a check failed, 2 on a usage error.
// The real report.html (loadgrid run / loadgrid report) is checked by report_check.mjs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, launchChromium, expectedText, compareFigures, encode, same } from './page_figures.mjs';

function usage(message) {
  console.error('dashboard_check: ' + message);
  console.error('usage: node dashboard_check.mjs URL OUTDIR [--click-stop] [--no-charts] [--report-view] [--end-linger] [--timeout SECONDS]');
  process.exit(2);
}

const args = process.argv.slice(2);
const positional = [];
const opts = { clickStop: false, charts: true, reportView: false, endLinger: false, timeoutS: 90 };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--click-stop') opts.clickStop = true;
  else if (args[i] === '--no-charts') opts.charts = false;
  else if (args[i] === '--report-view') opts.reportView = true;
  else if (args[i] === '--end-linger') opts.endLinger = true;
  else if (args[i] === '--timeout') opts.timeoutS = Number(args[++i]);
  else if (args[i].startsWith('--')) usage('unknown option ' + args[i]);
  else positional.push(args[i]);
}
if (positional.length !== 2) usage('expected URL and OUTDIR');
if (!(opts.timeoutS > 0)) usage('--timeout needs a positive number of seconds');
const [pageUrl, outDir] = positional;
const base = new URL(pageUrl);
const token = base.searchParams.get('token') || '';
const deadline = Date.now() + opts.timeoutS * 1000;
const left = () => Math.max(1000, deadline - Date.now());
let reportUrl = null; // the report-view file, the one non-broker URL allowed

// A report-mode model from the live API's final documents, with a made-up baseline (20%
// fewer requests per second, 20% lower latency: this run is better on rate, worse on
// latency) and a percentile distribution from the summary's percentiles.
function reportModel(summary, stats) {
  const baseline = JSON.parse(JSON.stringify(summary));
  const slower = (st) => {
    st.rps = Number((st.rps * 0.8).toFixed(3));
    for (const k of ['p50', 'p90', 'p95', 'p99', 'p999', 'max', 'mean']) st.latency_ms[k] = Number((st.latency_ms[k] * 0.8).toFixed(3));
  };
  slower(baseline.total);
  baseline.requests.forEach(slower);
  const distribution = (st) => [[0, st.latency_ms.min], [50, st.latency_ms.p50], [90, st.latency_ms.p90], [95, st.latency_ms.p95], [99, st.latency_ms.p99], [99.9, st.latency_ms.p999], [100, st.latency_ms.max]];
  const percentiles = { '': distribution(summary.total) };
  for (const r of summary.requests) percentiles[r.name] = distribution(r);
  const series = { total: stats.series, requests: stats.series_by_request || {}, regions: stats.series_by_region || {} };
  const scaled = (list) => list.map((p) => ({ ...p, rps: p.rps * 0.8 }));
  return {
    mode: 'report',
    dir: '/results/this-run',
    summary,
    status: null,
    series,
    percentiles,
    nodes: null,
    logs: [{ time_unix_ms: summary.started_unix_ms + 1200, elapsed_s: 1.2, node: 'broker', level: 'warn', message: 'a made-up warning </script> <b>not bold</b>' }],
    logs_dropped: 0,
    campaign_ini: '[campaign]\nname = ' + summary.campaign + '\n',
    missing: ['logs.jsonl'],
    baseline: { dir: '/results/baseline', summary: baseline, series: { total: scaled(stats.series), requests: {}, regions: {} }, missing: [] },
  };
}

// Draws `model` as report.html does, offline, and checks it (see the header, step 5).
async function checkReportView(context, model, fail, counts) {
  const asset = async (name) => {
    const res = await fetch(new URL('assets/' + name, base));
    if (!res.ok) throw new Error('GET assets/' + name + ': ' + res.status);
    return res.text();
  };
  const [chartjs, viewjs, reportjs, css] = await Promise.all(['chart.min.js', 'view.js', 'report.js', 'style.css'].map(asset));
  const json = JSON.stringify(model).replace(/</g, '\\u003c');
  const html =
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>loadgrid report</title><style>' + css + '</style></head>' +
    '<body><div id="app" class="lg-root"></div><script type="application/json" id="loadgrid-model">' + json + '</script>' +
    '<script>' + chartjs + '</script><script>' + viewjs + '</script><script>' + reportjs + '</script></body></html>';
  const file = join(outDir, 'report-view.html');
  writeFileSync(file, html);
  reportUrl = pathToFileURL(file).href;
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push('report page error: ' + e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push('report console error: ' + m.text()));
  await page.goto(reportUrl, { waitUntil: 'load', timeout: left() });
  await page.waitForSelector('#app[data-renders="1"][data-mode="report"]', { timeout: left() });
  const seen = await compareFigures(page, '#app', model, [], fail, counts);
  for (const m of ['summary.total.requests', 'summary.total.latency_ms.p99', 'baseline.summary.total.rps', 'baseline.summary.total.latency_ms.p95', 'summary.agents.id=' + encode(model.summary.agents[0].id) + '.requests']) {
    if (!seen.has(m)) fail('the report view does not show ' + m);
  }
  const view = await page.evaluate(() => {
    const chart = (id) => window.Chart.getChart(document.querySelector('figure[data-chart="' + id + '"] canvas'));
    const p = chart('percentiles');
    return {
      better: document.querySelectorAll('.lg-compare .lg-better').length,
      worse: document.querySelectorAll('.lg-compare .lg-worse').length,
      rpsDatasets: chart('rps').data.datasets.map((d) => d.label),
      percentileDatasets: p ? p.data.datasets.length : 0,
      percentilesShown: !document.querySelector('figure[data-chart="percentiles"]').hidden,
      logText: document.querySelector('.lg-log-msg') ? document.querySelector('.lg-log-msg').textContent : null,
      stopShown: !document.querySelector('.lg-stop').hidden,
    };
  });
  counts.report_view = view;
  if (!(view.better > 0 && view.worse > 0)) fail('the baseline comparison colours no change better and worse: ' + JSON.stringify(view));
  if (!view.rpsDatasets.includes('req/s (baseline)')) fail('the req/s chart has no baseline overlay: ' + view.rpsDatasets);
  if (!view.percentilesShown || view.percentileDatasets !== Object.keys(model.percentiles).length) fail('the percentile chart is missing or incomplete');
  if (view.logText !== model.logs[0].message) fail('the log line is not shown as text: ' + view.logText);
  if (view.stopShown) fail('a report shows a stop button');
  await page.screenshot({ path: join(outDir, 'report-view.png'), fullPage: true });
  errors.forEach(fail);
  await page.close();
}

async function api(path) {
  const res = await fetch(new URL(path, base), { headers: token ? { Authorization: 'Bearer ' + token } : {} });
  if (!res.ok) throw new Error('GET ' + path + ': ' + res.status);
  return res.json();
}

// ------------------------------------------------------------ the run

const started = Date.now();
const mark = (name) => (result.timings_ms[name] = Date.now() - started);
const result = { timings_ms: {}, ok: false, url: pageUrl, chromium: CHROMIUM, failures: [], chart_points: [], compared: 0, checked_text: 0 };
const fail = (message) => result.failures.push(message);

mkdirSync(outDir, { recursive: true });
let browser;
try {
  browser = await launchChromium();
  const context = browser.context;
  mark('launched');
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push('page error: ' + e.message));
  page.on('console', (m) => {
    // Failed loads are judged by their responses below.
    if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) pageErrors.push('console error: ' + m.text());
  });
  // Every answer is 2xx, but for two expected 404s: a broker without central logs
  // (GET /api/v1/logs), and chart.js with --no-charts.
  page.on('response', (r) => {
    if (r.ok()) return;
    const path = new URL(r.url()).pathname;
    if (r.status() === 404 && path.endsWith('/api/v1/logs')) return;
    if (r.status() === 404 && !opts.charts && path.endsWith('/assets/chart.min.js')) return;
    pageErrors.push('HTTP ' + r.status() + ' for ' + r.url());
  });
  // Only the broker's origin: anything else is aborted and reported.
  await context.route('**/*', (route) => {
    const u = new URL(route.request().url());
    if (u.origin === base.origin || (opts.reportView && u.href === reportUrl)) return route.continue();
    fail('the page asked another origin: ' + u.href);
    return route.abort();
  });

  const response = await page.goto(pageUrl, { waitUntil: 'load', timeout: left() });
  const csp = response ? (await response.allHeaders())['content-security-policy'] : undefined;
  if (!csp || !csp.includes("default-src 'self'")) fail("the page has no Content-Security-Policy with default-src 'self': " + csp);
  await page.waitForSelector('#app[data-renders]', { timeout: left() });
  await page.waitForSelector('[data-metric="summary.total.requests"]', { timeout: left() });
  mark('drawn');

  const rpsPoints = () =>
    page.evaluate(() => {
      const box = document.querySelector('figure[data-chart="rps"]');
      const chart = window.Chart && box ? window.Chart.getChart(box.querySelector('canvas')) : null;
      return {
        attr: box ? Number(box.getAttribute('data-points')) : -1,
        chart: chart && chart.data.datasets.length ? chart.data.datasets[0].data.length : -1,
        visible: !!box && !box.hidden,
      };
    });
  if (opts.charts) {
    // The req/s chart gains points twice: the page redraws as windows arrive.
    let p = await rpsPoints();
    result.chart_points.push(p.attr);
    for (let i = 0; i < 2; i++) {
      await page.waitForFunction(
        (n) => Number(document.querySelector('figure[data-chart="rps"]').getAttribute('data-points')) > n,
        p.attr,
        { timeout: left(), polling: 100 },
      );
      p = await rpsPoints();
      result.chart_points.push(p.attr);
      if (p.chart !== p.attr) fail('the req/s Chart holds ' + p.chart + ' points, the page says ' + p.attr);
      if (!p.visible) fail('the req/s chart is hidden');
    }
    // A selected request shows its own series.
    const options = await page.$$eval('.lg-series-select option', (os) => os.map((o) => o.value));
    result.series_options = options;
    const request = options.find((o) => o.startsWith('request:'));
    if (!request) fail('the series selector offers no request: ' + options.join(', '));
    else {
      await page.selectOption('.lg-series-select', request);
      const n = await page.evaluate(() => window.Chart.getChart(document.querySelector('figure[data-chart="rps"] canvas')).data.datasets[0].data.length);
      if (!(n > 0)) fail('the req/s chart of ' + request + ' has no points');
      await page.selectOption('.lg-series-select', 'total');
    }
  } else {
    const notice = await page.textContent('.lg-chart-notice');
    const hidden = await page.$eval('.lg-chart-notice', (e) => e.hidden);
    if (hidden || !notice.includes('charts unavailable: chart.js not installed')) fail('no "charts unavailable" notice: ' + notice);
    const shown = await page.$$eval('figure.lg-chart', (fs) => fs.filter((f) => !f.hidden).length);
    if (shown) fail(shown + ' charts shown without chart.js');
  }
  mark('charts_updated');
  await page.screenshot({ path: join(outDir, 'dashboard-live.png'), fullPage: true });

  if (opts.clickStop) {
    page.once('dialog', (d) => d.accept());
    await page.click('.lg-stop', { timeout: left() });
    result.clicked_stop = true;
  }

  await page.waitForSelector('#app[data-final="true"]', { timeout: left() });
  mark('final');
  // The page drew the final model; the API holds the same final snapshot while lingering.
  const [status, summary, nodes, stats] = await Promise.all([api('api/v1/status'), api('api/v1/summary'), api('api/v1/nodes'), api('api/v1/stats')]);
  if (!status.final) fail('the page shows final figures but the API is not final');
  const model = { mode: 'live', status, summary, nodes };
  result.final_state = status.state;
  const seen = await compareFigures(page, '#app', model, ['logs_dropped'], fail, result);
  // The figures a user looks at first must be among them.
  const must = ['summary.total.requests', 'summary.total.rps', 'summary.total.failures', 'summary.total.latency_ms.p50', 'summary.total.latency_ms.p95', 'summary.total.latency_ms.p99', 'status.state', 'status.active_users', 'status.elapsed_s'];
  for (const r of summary.requests) must.push('summary.requests.name=' + encode(r.name) + '.requests');
  for (const c of nodes.children) {
    const p = 'nodes.children.id=' + encode(c.id);
    must.push(p + '.requests', p + '.cpu_percent', p + '.rss_bytes', p + '.clock_offset_ms');
    for (const a of c.agents || []) must.push(p + '.agents.id=' + encode(a.id) + '.requests');
  }
  for (const m of must) if (!seen.has(m)) fail('the page does not show ' + m);
  if (summary.thresholds.length && !seen.has('summary.thresholds.0.pass')) fail('the page does not show the thresholds');
  if (opts.charts) {
    const finalPoints = await rpsPoints();
    if (finalPoints.attr !== stats.series.length) fail('the req/s chart has ' + finalPoints.attr + ' points, the API ' + stats.series.length + ' windows');
  }
  result.nodes = nodes.children.map((c) => ({ id: c.id, kind: c.kind, agents: (c.agents || []).map((a) => a.id) }));
  // The log panel shows the API's records (the last 500), node and message, in order.
  let apiLogs = [];
  try {
    apiLogs = (await api('api/v1/logs')).logs;
  } catch (e) {
    // a broker without central logs: the panel says "no logs yet"
  }
  await page.waitForFunction((n) => document.querySelectorAll('.lg-log-row').length >= Math.min(n, 500), apiLogs.length, { timeout: left(), polling: 100 });
  const rows = await page.$$eval('.lg-log-row', (rs) => rs.map((r) => ({ node: r.querySelector('.lg-log-node').textContent, message: r.querySelector('.lg-log-msg').textContent })));
  const expectedRows = apiLogs.slice(-500).map((r) => ({ node: r.node, message: r.message }));
  if (!same(rows, expectedRows)) fail('the log panel shows ' + JSON.stringify(rows) + ', the API has ' + JSON.stringify(expectedRows));
  result.log_rows = rows;
  await page.screenshot({ path: join(outDir, 'dashboard.png'), fullPage: true });
  result.screenshot = join(outDir, 'dashboard.png');
  for (const e of pageErrors) fail(e);
  mark('compared');
  if (opts.reportView) await checkReportView(context, reportModel(summary, stats), fail, result);
  if (opts.endLinger) {
    const res = await fetch(new URL('api/v1/stop', base), { method: 'POST', headers: token ? { Authorization: 'Bearer ' + token } : {} });
    if (res.status !== 202) fail('POST api/v1/stop: ' + res.status);
    await page.waitForSelector('.lg-conn-disconnected', { timeout: left() });
    const still = await page.textContent('[data-metric="summary.total.requests"]');
    if (still !== expectedText('int', summary.total.requests)) fail('after the disconnection the page shows ' + still + ' requests');
    const notice = await page.textContent('.lg-notices');
    if (!notice.includes('disconnected from the broker')) fail('no "disconnected" notice: ' + notice);
    result.disconnected_shown = true;
    mark('disconnected');
    await page.screenshot({ path: join(outDir, 'dashboard-disconnected.png') });
  }
  mark('done');
} catch (e) {
  fail('error: ' + (e && e.message ? e.message.split('\n')[0] : String(e)));
} finally {
  if (browser) await browser.close();
}
result.ok = result.failures.length === 0;
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
