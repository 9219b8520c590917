// charts.js: the charts. CHARTS lists them (render.js makes their boxes); drawCharts()
// makes each Chart.js instance once and updates it in place: requests, failures, latency
// and active users over time (linear axes in seconds; the baseline's series dashed) and,
// in a report, the latency percentile distribution. drawSelect() fills the series
// selector (all requests, a request, a region). Without the `Chart` global the charts
// say they are unavailable.
(function (V, global) {
  'use strict';

  const { h, update } = V;

  const CHARTS = [
    { id: 'rps', title: 'Requests per second', y: 'req/s' },
    { id: 'failures', title: 'Failures per second', y: 'failures/s' },
    { id: 'latency', title: 'Latency (p50, p95, p99)', y: 'ms' },
    { id: 'users', title: 'Active users', y: 'users' },
    { id: 'percentiles', title: 'Latency percentile distribution', y: 'ms', reportOnly: true },
  ];

  const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#db2777', '#65a30d', '#4f46e5', '#a16207'];

  const SERIES_COLORS = { rps: '#2563eb', failures: '#dc2626', p50: '#16a34a', p95: '#ea580c', p99: '#9333ea', users: '#0891b2' };

  const BASELINE_ALPHA = '80';

  function chartOptions(spec) {
    const nines = spec.id === 'percentiles';
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      parsing: false,
      normalized: true,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      // Points only while a line has too few to draw.
      elements: {
        point: { radius: (ctx) => (ctx.dataset.data.length <= 2 ? 3 : 0), hitRadius: 6, hoverRadius: 3 },
        line: { borderWidth: 2, tension: 0 },
      },
      scales: {
        x: nines
          ? {
              type: 'linear',
              min: 0,
              max: 5,
              title: { display: true, text: 'percentile' },
              ticks: { stepSize: 1, callback: (v) => (Number.isInteger(v) ? 'p' + percentileOfNines(v) : '') },
            }
          : { type: 'linear', min: 0, title: { display: true, text: 'elapsed (s)' }, ticks: { maxTicksLimit: 8 } },
        // Users are whole: no 0.2-user ticks when a run has one or two.
        y: { beginAtZero: true, title: { display: true, text: spec.y }, ticks: spec.id === 'users' ? { maxTicksLimit: 6, precision: 0 } : { maxTicksLimit: 6 } },
      },
      plugins: {
        legend: { display: true, position: 'bottom', labels: { boxWidth: 12, boxHeight: 2 } },
        tooltip: {
          callbacks: nines
            ? { title: (items) => (items.length ? 'p' + items[0].raw.p : '') }
            : { title: (items) => (items.length ? items[0].raw.x.toFixed(1) + ' s' : '') },
        },
      },
    };
  }

  // The percentile axis counts nines: x = -log10(1 - p/100), so p90 is 1, p99 2, p99.9 3.
  function ninesOfPercentile(p) {
    return -Math.log10(Math.max(1e-5, 1 - p / 100));
  }

  function percentileOfNines(x) {
    return Number((100 - 100 * Math.pow(10, -x)).toFixed(3));
  }

  function seriesOptions(m) {
    const opts = [['total', 'All requests']];
    const req = Object.keys((m.series && m.series.requests) || {}).sort();
    const reg = Object.keys((m.series && m.series.regions) || {}).sort();
    return { opts, req, reg };
  }

  function drawSelect(s, m) {
    const { req, reg } = seriesOptions(m);
    update(s, 'select', s.el.select, [req, reg], () => {
      const out = [h('option', { value: 'total' }, 'All requests')];
      if (req.length) out.push(h('optgroup', { label: 'Request' }, req.map((n) => h('option', { value: 'request:' + n }, n))));
      if (reg.length) out.push(h('optgroup', { label: 'Region' }, reg.map((n) => h('option', { value: 'region:' + n }, n))));
      return out;
    });
    const valid = s.selection === 'total' || (s.selection.startsWith('request:') && req.includes(s.selection.slice(8))) || (s.selection.startsWith('region:') && reg.includes(s.selection.slice(7)));
    if (!valid) s.selection = 'total';
    s.el.select.value = s.selection;
  }

  function pickSeries(series, selection) {
    if (!series) return null;
    if (selection === 'total') return series.total || [];
    if (selection.startsWith('request:')) return (series.requests || {})[selection.slice(8)] || null;
    if (selection.startsWith('region:')) return (series.regions || {})[selection.slice(7)] || null;
    return null;
  }

  function points(list, field) {
    const out = [];
    for (const p of list || []) {
      const y = p[field];
      if (y !== undefined && y !== null) out.push({ x: p.elapsed_s, y });
    }
    return out;
  }

  function dataset(label, data, color, dashed) {
    return {
      label,
      data,
      borderColor: color,
      backgroundColor: color,
      borderDash: dashed ? [6, 4] : undefined,
      borderWidth: dashed ? 1.5 : 2,
      fill: false,
    };
  }

  function chartDatasets(id, m, selection) {
    const cur = pickSeries(m.series, selection) || [];
    const base = m.baseline ? pickSeries(m.baseline.series, selection) : null;
    const out = [];
    const add = (label, field, color) => {
      out.push(dataset(label, points(cur, field), color, false));
      if (base) out.push(dataset(label + ' (baseline)', points(base, field), color + BASELINE_ALPHA, true));
    };
    if (id === 'rps') add('req/s', 'rps', SERIES_COLORS.rps);
    if (id === 'failures') add('failures/s', 'failures_per_s', SERIES_COLORS.failures);
    if (id === 'latency') {
      add('p50', 'p50_ms', SERIES_COLORS.p50);
      add('p95', 'p95_ms', SERIES_COLORS.p95);
      add('p99', 'p99_ms', SERIES_COLORS.p99);
    }
    if (id === 'users') {
      // Users are counted for the whole grid and per region, not per request name.
      const withUsers = cur.length && cur[0].active_users !== undefined ? cur : (m.series && m.series.total) || [];
      const baseUsers = m.baseline && m.baseline.series ? (base && base.length && base[0].active_users !== undefined ? base : m.baseline.series.total) : null;
      out.push(dataset('active users', points(withUsers, 'active_users'), SERIES_COLORS.users, false));
      if (baseUsers) out.push(dataset('active users (baseline)', points(baseUsers, 'active_users'), SERIES_COLORS.users + BASELINE_ALPHA, true));
    }
    if (id === 'percentiles') {
      const names = Object.keys(m.percentiles || {}).sort();
      names.forEach((name, i) => {
        const data = (m.percentiles[name] || []).map(([p, ms]) => ({ x: ninesOfPercentile(p), y: ms, p }));
        out.push(dataset(name === '' ? 'all requests' : name, data, name === '' ? '#0f172a' : COLORS[i % COLORS.length], false));
      });
    }
    return out;
  }

  function drawCharts(s, m) {
    if (!m) return;
    const ChartLib = global.Chart;
    s.el.chartNotice.hidden = !!ChartLib;
    s.el.select.parentElement.hidden = !ChartLib; // the series selector serves the charts only
    if (!ChartLib) {
      s.el.chartNotice.textContent = 'charts unavailable: chart.js not installed (Debian package libjs-chart.js)';
    }
    for (const [id, c] of Object.entries(s.chartBoxes)) {
      const shown = !c.spec.reportOnly || (m.percentiles && Object.keys(m.percentiles).length > 0);
      c.box.hidden = !shown || !ChartLib;
      if (!shown || !ChartLib) continue;
      const datasets = chartDatasets(id, m, s.selection);
      const key = JSON.stringify([s.selection, datasets.map((d) => [d.label, d.data.length, d.data.length ? d.data[d.data.length - 1] : null])]);
      if (s.keys['chart:' + id] === key) continue;
      s.keys['chart:' + id] = key;
      let chart = s.charts[id];
      if (!chart) {
        chart = new ChartLib(c.canvas.getContext('2d'), { type: 'line', data: { datasets: [] }, options: chartOptions(c.spec) });
        s.charts[id] = chart;
      }
      // Keep dataset objects whose label is unchanged (Chart.js then updates in place).
      const ds = chart.data.datasets;
      datasets.forEach((d, i) => {
        if (ds[i] && ds[i].label === d.label) Object.assign(ds[i], d);
        else ds[i] = d;
      });
      ds.length = datasets.length;
      chart.options.plugins.legend.display = datasets.length > 1;
      chart.update('none');
      c.box.setAttribute('data-points', String(datasets.length ? datasets[0].data.length : 0));
    }
  }

  Object.assign(V, { CHARTS, drawSelect, drawCharts });
})(LoadgridViewParts, typeof window !== 'undefined' ? window : globalThis);
