// compare.js: this run against a baseline run. change() and changeEl() (the % change and
// whether it is better or worse) and the "Change against the baseline" card (report
// mode, with a baseline: this run, the baseline and the change, per request and metric).
(function (V) {
  'use strict';

  const { h, path, sel, fig, table, empty, update, errorRate } = V;

  // % change of `cur` against `base`, and whether it is better ("better", "worse", "same").
  function change(cur, base, higherIsBetter) {
    if (cur === null || cur === undefined || base === null || base === undefined) return null;
    let pct;
    if (base === 0) pct = cur === 0 ? 0 : Infinity;
    else pct = ((cur - base) / Math.abs(base)) * 100;
    let verdict = 'same';
    if (Math.abs(pct) >= 1) verdict = (pct > 0) === higherIsBetter ? 'better' : 'worse';
    const text = !isFinite(pct) ? 'new' : (pct > 0 ? '+' : '') + pct.toFixed(1) + '%';
    return { text, verdict };
  }

  function changeEl(cur, base, higherIsBetter) {
    const c = change(cur, base, higherIsBetter);
    if (!c) return h('span', { class: 'lg-change' }, '—');
    return h('span', { class: 'lg-change lg-' + c.verdict }, c.text);
  }

  function drawBaseline(s, m) {
    const base = m.baseline;
    s.el.baseline.el.hidden = !base;
    if (!base) return;
    update(s, 'baseline', s.el.baseline.body, [m.summary && m.summary.requests, m.summary && m.summary.total, base.summary], () => {
      const sum = m.summary;
      const bsum = base.summary;
      if (!sum || !bsum) return empty('no baseline summary');
      const metrics = [
        ['requests', (st) => st.requests, 'int', true, 'requests'],
        ['req/s', (st) => st.rps, 'rate', true, 'rps'],
        ['failures', (st) => st.failures, 'int', false, 'failures'],
        ['error rate', (st) => errorRate(st), null, false, null],
        ['p50', (st) => st.latency_ms.p50, 'ms', false, 'latency_ms.p50'],
        ['p95', (st) => st.latency_ms.p95, 'ms', false, 'latency_ms.p95'],
        ['p99', (st) => st.latency_ms.p99, 'ms', false, 'latency_ms.p99'],
        ['max', (st) => st.latency_ms.max, 'ms', false, 'latency_ms.max'],
      ];
      const groups = [['All requests', sum.total, bsum.total, 'summary.total', 'baseline.summary.total']];
      for (const r of sum.requests) {
        const b = (bsum.requests || []).find((x) => x.name === r.name) || null;
        groups.push([r.name, r, b, path('summary', 'requests', sel('name', r.name)), path('baseline', 'summary', 'requests', sel('name', r.name))]);
      }
      const rows = [];
      for (const [name, cur, prev, curPath, prevPath] of groups) {
        metrics.forEach(([label, get, kind, higher, field], i) => {
          const cv = get(cur);
          const bv = prev ? get(prev) : null;
          const show = (p, v, present) =>
            kind ? (present ? fig('span', path(p, field), v, kind) : h('span', null, '—')) : h('span', { class: 'lg-derived' }, v === null ? '—' : v.toFixed(2) + '%');
          rows.push({
            cls: i === 0 ? 'lg-group-start' : null,
            cells: [i === 0 ? h('b', null, name) : '', label, show(curPath, cv, true), show(prevPath, bv, !!prev), prev ? changeEl(cv, bv, higher) : h('span', { class: 'lg-change' }, 'not in baseline')],
          });
        });
      }
      return table(
        [{ label: 'Request' }, { label: 'Metric' }, { label: 'This run', num: true }, { label: 'Baseline', num: true }, { label: 'Change', num: true }],
        rows,
        'lg-compare',
      );
    });
  }

  Object.assign(V, { change, changeEl, drawBaseline });
})(LoadgridViewParts);
