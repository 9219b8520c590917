#!/usr/bin/env node
// Opens a real report.html (written by `loadgrid run` or `loadgrid report`) in Debian's
// headless chromium with networking disabled, and checks it against the results files:
//
//   node report_check.mjs REPORT_HTML SUMMARY_JSON OUTDIR
//                         [--baseline BASELINE_SUMMARY_JSON] [--timeout SECONDS]
//
// 1. the page opens from file:// in an offline context; every request other than the
//    file itself is aborted and reported (a self-contained report makes none); no page
//    error and no console error; the page drew the report (#app[data-renders="1"]
//    [data-mode="report"]) with charts (no "charts unavailable" notice);
// 2. every data-metric figure equals the page's own inline model (#loadgrid-model) at
//    that path, value and visible text (page_figures.mjs: compareFigures);
// 3. independently of the inline model, every summary.* figure equals SUMMARY_JSON read
//    from disk (value and text), and the totals must be among them: requests, failures,
//    rps, p50, p95, p99 and each request's requests; so a report built from the wrong
//    files fails. With --baseline, every baseline.summary.* figure equals
//    BASELINE_SUMMARY_JSON, and the comparison table shows its total requests;
// 4. the charts were drawn: the req/s chart holds one point per window of the model's
//    series.total, the percentile-distribution chart one dataset per key of
//    model.percentiles; with --baseline, the req/s chart has a "req/s (baseline)"
//    dataset with one point per window of the baseline's series.total; the active-users
//    chart's ticks are whole numbers.
//
// Saves OUTDIR/report.png (full page). Prints one JSON line: {"ok": bool, "failures":
// [...], ...}; exit 0 when ok, 1 when a check failed, 2 on a usage error (including an
// input file that cannot be read).
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve as absolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, launchChromium, compareFigures, encode, resolve, same, expectedText } from './page_figures.mjs';

function usage(message) {
  console.error('report_check: ' + message);
  console.error('usage: node report_check.mjs REPORT_HTML SUMMARY_JSON OUTDIR [--baseline BASELINE_SUMMARY_JSON] [--timeout SECONDS]');
  process.exit(2);
}

const args = process.argv.slice(2);
const positional = [];
const opts = { baseline: null, timeoutS: 60 };
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--baseline' || args[i] === '--timeout') {
    if (i + 1 >= args.length) usage(args[i] + ' needs a value');
    if (args[i] === '--baseline') opts.baseline = args[++i];
    else opts.timeoutS = Number(args[++i]);
  } else if (args[i].startsWith('--')) usage('unknown option ' + args[i]);
  else positional.push(args[i]);
}
if (positional.length !== 3) usage('expected REPORT_HTML, SUMMARY_JSON and OUTDIR');
if (!(opts.timeoutS > 0)) usage('--timeout needs a positive number of seconds');
const [reportPath, summaryPath, outDir] = positional;

function readJson(path) {
  let text;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    usage(path + ': cannot read (' + e.code + ')');
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    usage(path + ': not JSON (' + e.message + ')');
  }
}
try {
  readFileSync(reportPath, { flag: 'r' });
} catch (e) {
  usage(reportPath + ': cannot read (' + e.code + ')');
}
const summary = readJson(summaryPath);
const baselineSummary = opts.baseline ? readJson(opts.baseline) : null;
const reportUrl = pathToFileURL(absolute(reportPath)).href;
const deadline = Date.now() + opts.timeoutS * 1000;
const left = () => Math.max(1000, deadline - Date.now());

const started = Date.now();
const mark = (name) => (result.timings_ms[name] = Date.now() - started);
const result = {
  timings_ms: {},
  ok: false,
  report: reportUrl,
  chromium: CHROMIUM,
  failures: [],
  blocked_requests: [],
  compared: 0,
  checked_text: 0,
  from_disk: { compared: 0, checked_text: 0 },
};
const fail = (message) => result.failures.push(message);

mkdirSync(outDir, { recursive: true });
let browser;
try {
  browser = await launchChromium({ offline: true });
  const context = browser.context;
  mark('launched');
  // The file itself is the only thing the page may load.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url === reportUrl) return route.continue();
    result.blocked_requests.push(url);
    fail('the report asked for ' + url);
    return route.abort();
  });
  const page = context.pages()[0] || (await context.newPage());
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push('page error: ' + e.message));
  page.on('console', (m) => m.type() === 'error' && pageErrors.push('console error: ' + m.text()));
  await page.goto(reportUrl, { waitUntil: 'load', timeout: left() });
  await page.waitForSelector('#app[data-renders="1"][data-mode="report"]', { timeout: left() });
  mark('drawn');

  // 2. The page against its own inline model.
  const model = await page.evaluate(() => JSON.parse(document.getElementById('loadgrid-model').textContent));
  await compareFigures(page, '#app', model, [], fail, result);

  // 3. The page against the files on disk, not through the model.
  const disk = { mode: 'summary.json', summary };
  if (baselineSummary) disk.baseline = { summary: baselineSummary };
  const notOnDisk = (root) => !(root === 'summary' || (root === 'baseline' && baselineSummary));
  const seen = await compareFigures(page, '#app', disk, notOnDisk, fail, result.from_disk);
  const must = ['requests', 'failures', 'rps', 'latency_ms.p50', 'latency_ms.p95', 'latency_ms.p99'].map((m) => 'summary.total.' + m);
  for (const r of summary.requests || []) must.push('summary.requests.name=' + encode(r.name) + '.requests');
  for (const m of must) if (!seen.has(m)) fail('the report does not show ' + m);
  if (baselineSummary) {
    const shown = await page.$$eval('.lg-compare [data-metric="baseline.summary.total.requests"]', (els) =>
      els.map((e) => ({ value: e.getAttribute('data-value'), text: e.textContent })),
    );
    const expected = resolve(disk, 'baseline.summary.total.requests');
    result.baseline_total_requests_shown = shown.map((s) => s.text);
    if (!shown.length) fail('the comparison table does not show the baseline\'s total requests');
    for (const s of shown) {
      if (!same(JSON.parse(s.value), expected) || s.text !== expectedText('int', expected)) {
        fail('the comparison table shows ' + s.text + ' baseline requests, ' + opts.baseline + ' says ' + expected);
      }
    }
  }
  mark('compared');

  // 4. The charts.
  const charts = await page.evaluate(() => {
    const box = (id) => document.querySelector('figure[data-chart="' + id + '"]');
    const chart = (id) => (window.Chart && box(id) ? window.Chart.getChart(box(id).querySelector('canvas')) : null);
    const datasets = (id) => (chart(id) ? chart(id).data.datasets.map((d) => ({ label: d.label, points: d.data.length })) : null);
    const notice = document.querySelector('.lg-chart-notice');
    return {
      notice: notice && !notice.hidden ? notice.textContent : null,
      rps: datasets('rps'),
      rpsShown: !!box('rps') && !box('rps').hidden,
      rpsAttr: box('rps') ? Number(box('rps').getAttribute('data-points')) : -1,
      percentiles: datasets('percentiles'),
      percentilesShown: !!box('percentiles') && !box('percentiles').hidden,
      userTicks: chart('users') ? chart('users').scales.y.ticks.map((t) => t.value) : null,
    };
  });
  result.charts = charts;
  const windows = model.series && model.series.total ? model.series.total.length : 0;
  if (charts.notice) fail('the report says: ' + charts.notice);
  if (!windows) fail('the model has no series.total: nothing to chart');
  if (!charts.rpsShown || !charts.rps || !charts.rps.length) fail('no req/s chart drawn');
  else {
    if (charts.rps[0].points !== windows) fail('the req/s chart holds ' + charts.rps[0].points + ' points, series.total has ' + windows);
    if (charts.rpsAttr !== windows) fail('the req/s chart says ' + charts.rpsAttr + ' points, series.total has ' + windows);
  }
  const keys = Object.keys(model.percentiles || {});
  if (!keys.length) fail('the model has no percentiles: nothing to chart');
  if (!charts.percentilesShown || !charts.percentiles) fail('no percentile-distribution chart drawn');
  else if (charts.percentiles.length !== keys.length) fail('the percentile chart has ' + charts.percentiles.length + ' datasets, model.percentiles ' + keys.length + ' keys');
  if (!charts.userTicks || !charts.userTicks.length) fail('no active-users chart drawn');
  else if (!charts.userTicks.every(Number.isInteger)) fail('the active-users chart has fractional ticks: ' + charts.userTicks.join(', '));
  if (baselineSummary) {
    const base = (charts.rps || []).find((d) => d.label === 'req/s (baseline)');
    const baseWindows = model.baseline && model.baseline.series ? model.baseline.series.total.length : 0;
    if (!base) fail('the req/s chart has no "req/s (baseline)" dataset: ' + JSON.stringify(charts.rps));
    else if (base.points !== baseWindows) fail('the baseline req/s holds ' + base.points + ' points, baseline series.total has ' + baseWindows);
  }
  mark('charts');

  await page.screenshot({ path: join(outDir, 'report.png'), fullPage: true });
  result.screenshot = join(outDir, 'report.png');
  for (const e of pageErrors) fail(e);
  mark('done');
} catch (e) {
  fail('error: ' + (e && e.message ? e.message.split('\n')[0] : String(e)));
} finally {
  if (browser) await browser.close();
}
result.ok = result.failures.length === 0;
console.log(JSON.stringify(result));
process.exit(result.ok ? 0 : 1);
