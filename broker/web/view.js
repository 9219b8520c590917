// loadgrid's page renderer, shared by the live dashboard and report.html
// (docs/view-model.md, docs/adr/0019). It never fetches anything: it draws the whole page
// from a view model, and draws it again, in place, from a newer one.
//
//   LoadgridView.render(root, model, options)   root: an element; model: the view model;
//                                               options (optional, dashboard only):
//     { onStop: () => void,                     shows the stop button (live mode)
//       stopping: bool,                         the stop was asked for
//       connection: { state: "connected" | "connecting" | "disconnected" | "unauthorized",
//                     detail: "..." } }
//   LoadgridView.destroy(root)                  releases the charts (Chart instances)
//   LoadgridView.format(kind, value)            the text a figure shows
//
// Every figure taken from the model carries data-metric (its path in the model, e.g.
// "summary.total.requests"; an array element is selected as "requests.name=home", keys
// are percent-encoded), data-value (the model's exact value, as JSON) and data-format
// (the kind given to format()), so a test can compare the page with the API one to one.
//
// Charts use Chart.js 3 (the `Chart` global, Debian's libjs-chart.js) on linear axes in
// seconds; without it the page says so and shows everything else.
(function (global) {
  'use strict';

  // ---------------------------------------------------------------- formatting

  function group(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }

  function pad2(n) {
    return (n < 10 ? '0' : '') + n;
  }

  const formats = {
    // a count: 12,345
    int: (v) => group(String(Math.round(v))),
    // a rate per second: 476.2 (1,234 from a thousand on)
    rate: (v) => (Math.abs(v) >= 1000 ? group(v.toFixed(0)) : v.toFixed(1)),
    // milliseconds, three significant digits or so: 0.293 ms, 5.15 ms, 12.3 ms, 512 ms, 1,234 ms, 12.3 s
    ms: (v) => {
      const a = Math.abs(v);
      if (a < 1) return v.toFixed(3) + ' ms';
      if (a < 10) return v.toFixed(2) + ' ms';
      if (a < 100) return v.toFixed(1) + ' ms';
      if (a < 10000) return group(v.toFixed(0)) + ' ms';
      return (v / 1000).toFixed(1) + ' s';
    },
    // a signed offset in milliseconds: +0.013 ms
    offset: (v) => (v > 0 ? '+' : '') + v.toFixed(3) + ' ms',
    // bytes in binary units: 512 B, 155.3 KiB, 12.0 MiB
    bytes: (v) => {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let u = 0;
      let x = v;
      while (Math.abs(x) >= 1024 && u < units.length - 1) {
        x /= 1024;
        u += 1;
      }
      return u === 0 ? String(Math.round(x)) + ' B' : x.toFixed(1) + ' ' + units[u];
    },
    // a duration in seconds: 12.3 s, 4m 05s, 1h 02m
    seconds: (v) => {
      if (v < 60) return v.toFixed(1) + ' s';
      const total = Math.floor(v);
      if (total < 3600) return Math.floor(total / 60) + 'm ' + pad2(total % 60) + 's';
      return Math.floor(total / 3600) + 'h ' + pad2(Math.floor((total % 3600) / 60)) + 'm';
    },
    // a percentage already in percent (CPU: 100 = one core): 97.3%
    percent: (v) => v.toFixed(1) + '%',
    // any number as the API has it, integers grouped, others to three decimals: 0.012
    number: (v) => (Number.isInteger(v) ? group(String(v)) : String(Number(v.toFixed(3)))),
    // a threshold decision
    passfail: (v) => (v ? 'pass' : 'fail'),
    text: (v) => String(v),
  };

  /// The text a figure of `kind` shows for `value`; "—" for null or undefined.
  function format(kind, value) {
    if (value === null || value === undefined) return '—';
    const f = formats[kind];
    if (!f) throw new Error('unknown format ' + kind);
    return f(value);
  }

  // ---------------------------------------------------------------- DOM helpers

  function h(tag, props, ...children) {
    const el = document.createElement(tag);
    if (props) {
      for (const [k, v] of Object.entries(props)) {
        if (v === undefined || v === null || v === false) continue;
        if (k === 'class') el.className = v;
        else if (k === 'text') el.textContent = v;
        else if (k === 'title') el.title = v;
        else if (k.startsWith('data-')) el.setAttribute(k, v);
        else el.setAttribute(k, v);
      }
    }
    for (const c of children.flat(Infinity)) {
      if (c === null || c === undefined || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  // A path segment: keys are percent-encoded (dots too); `key=value` selects the element
  // of an array whose `key` is `value`.
  function seg(key) {
    return encodeURIComponent(String(key)).replace(/\./g, '%2E');
  }
  function sel(key, value) {
    return seg(key) + '=' + seg(value);
  }
  function path(...parts) {
    return parts.join('.');
  }

  /// A figure: the formatted value, with data-metric / data-value / data-format.
  function fig(tag, metric, value, kind, cls) {
    const el = h(tag, { class: cls ? 'lg-fig ' + cls : 'lg-fig' }, format(kind, value));
    el.setAttribute('data-metric', metric);
    el.setAttribute('data-value', JSON.stringify(value === undefined ? null : value));
    el.setAttribute('data-format', kind);
    return el;
  }

  function badge(text, kind) {
    return h('span', { class: 'lg-badge lg-badge-' + String(kind || text).replace(/[^a-z0-9_-]/gi, '') }, text);
  }

  function table(columns, rows, cls) {
    const head = h(
      'tr',
      null,
      columns.map((c) => h('th', { class: c.num ? 'lg-num' : null, title: c.title }, c.label)),
    );
    const body = rows.map((r) =>
      h(
        'tr',
        { class: r.cls },
        r.cells.map((cell, i) => h('td', { class: columns[i] && columns[i].num ? 'lg-num' : null }, cell)),
      ),
    );
    return h('div', { class: 'lg-table-wrap' }, h('table', { class: 'lg-table ' + (cls || '') }, h('thead', null, head), h('tbody', null, body)));
  }

  function empty(text) {
    return h('p', { class: 'lg-empty' }, text);
  }

  // Replaces `el`'s content with build()'s when `data` differs from what it showed last
  // (JSON-compared), so unchanged sections are not redrawn every second.
  function update(state, name, el, data, build) {
    const key = JSON.stringify(data === undefined ? null : data);
    if (state.keys[name] === key) return;
    state.keys[name] = key;
    el.replaceChildren(...[].concat(build()).filter(Boolean));
  }

  // ---------------------------------------------------------------- the page skeleton

  function card(title, extra) {
    const body = h('div', { class: 'lg-card-body' });
    const head = h('div', { class: 'lg-card-head' }, h('h2', null, title), extra || null);
    const el = h('section', { class: 'lg-card' }, head, body);
    return { el, head, body };
  }

  const CHARTS = [
    { id: 'rps', title: 'Requests per second', y: 'req/s' },
    { id: 'failures', title: 'Failures per second', y: 'failures/s' },
    { id: 'latency', title: 'Latency (p50, p95, p99)', y: 'ms' },
    { id: 'users', title: 'Active users', y: 'users' },
    { id: 'percentiles', title: 'Latency percentile distribution', y: 'ms', reportOnly: true },
  ];

  function skeleton(root) {
    root.replaceChildren();
    root.classList.add('lg-root');
    const s = { keys: {}, charts: {}, chartBoxes: {}, selection: 'total', options: {}, renders: 0, el: {} };

    const stop = h('button', { class: 'lg-stop', type: 'button', hidden: 'hidden' }, 'Stop campaign');
    stop.addEventListener('click', () => {
      if (s.options.onStop && !stop.disabled) s.options.onStop();
    });
    s.el.stop = stop;
    s.el.conn = h('span', { class: 'lg-conn' });
    s.el.title = h('div', { class: 'lg-title' });
    s.el.facts = h('div', { class: 'lg-facts' });
    s.el.progress = h('div', { class: 'lg-progress-bar' });
    const header = h(
      'header',
      { class: 'lg-header' },
      h(
        'div',
        { class: 'lg-header-row' },
        h('div', { class: 'lg-brand' }, h('span', { class: 'lg-logo' }, '▲'), 'loadgrid'),
        s.el.title,
        h('div', { class: 'lg-actions' }, s.el.conn, stop),
      ),
      s.el.facts,
      h('div', { class: 'lg-progress' }, s.el.progress),
    );
    s.el.notices = h('div', { class: 'lg-notices' });
    s.el.tiles = h('section', { class: 'lg-tiles' });

    const select = h('select', { class: 'lg-series-select', 'aria-label': 'series shown in the charts' });
    select.addEventListener('change', () => {
      s.selection = select.value;
      s.keys.charts = null;
      drawCharts(s, s.model);
    });
    s.el.select = select;
    const charts = card('Over time', h('label', { class: 'lg-select-label' }, 'Series ', select));
    s.el.chartNotice = h('div', { class: 'lg-chart-notice', hidden: 'hidden' });
    s.el.chartGrid = h('div', { class: 'lg-chart-grid' });
    charts.body.append(s.el.chartNotice, s.el.chartGrid);
    for (const c of CHARTS) {
      const canvas = h('canvas', { 'aria-label': c.title, role: 'img' });
      const box = h(
        'figure',
        { class: 'lg-chart', 'data-chart': c.id, 'data-points': '0' },
        h('figcaption', null, c.title),
        h('div', { class: 'lg-canvas-box' }, canvas),
      );
      s.chartBoxes[c.id] = { box, canvas, spec: c };
      s.el.chartGrid.append(box);
    }

    s.el.requests = card('Requests');
    s.el.baseline = card('Change against the baseline');
    s.el.grid = card('Grid');
    s.el.regions = card('Regions');
    s.el.thresholds = card('Thresholds');
    s.el.health = card('Grid health');
    s.el.warnings = card('Warnings and problems');
    s.el.logs = card('Log');
    s.el.campaign = card('Campaign');
    s.el.footer = h('footer', { class: 'lg-footer' });

    const main = h(
      'main',
      { class: 'lg-main' },
      s.el.notices,
      s.el.tiles,
      charts.el,
      s.el.requests.el,
      s.el.baseline.el,
      s.el.thresholds.el,
      h('div', { class: 'lg-two' }, s.el.grid.el, h('div', { class: 'lg-stack' }, s.el.regions.el, s.el.health.el)),
      s.el.warnings.el,
      s.el.logs.el,
      s.el.campaign.el,
      s.el.footer,
    );
    root.append(header, main);
    root.__loadgrid = s;
    return s;
  }

  // ---------------------------------------------------------------- header, notices, tiles

  function drawHeader(s, m, options) {
    const live = m.mode === 'live';
    const st = m.status;
    const sum = m.summary;
    const campaign = st ? st.campaign : sum ? sum.campaign : '';
    const state = st ? st.state : sum ? sum.state : 'connecting';
    const statePath = st ? 'status.state' : 'summary.state';
    const final = st ? st.final : true;
    update(s, 'title', s.el.title, [campaign, state, final, live], () => [
      h('h1', null, fig('span', st ? 'status.campaign' : 'summary.campaign', campaign || null, 'text')),
      h('span', { class: 'lg-badge lg-badge-' + state }, fig('span', statePath, state, 'text')),
      live && final ? h('span', { class: 'lg-badge lg-badge-final', title: 'the results are written' }, 'final') : null,
      h('span', { class: 'lg-mode' }, live ? 'live' : 'report'),
    ]);

    const facts = [];
    if (st) {
      facts.push(['elapsed', fig('b', 'status.elapsed_s', st.elapsed_s, 'seconds'), ' of ', fig('b', 'status.duration_s', st.duration_s, 'seconds')]);
      facts.push(['users', fig('b', 'status.active_users', st.active_users, 'int'), ' of ', fig('b', 'status.users', st.users, 'int')]);
      facts.push(['agents', fig('b', 'status.agents.live', st.agents.live, 'int'), ' live · ', fig('b', 'status.agents.lost', st.agents.lost, 'int'), ' lost']);
      facts.push(['relays', fig('b', 'status.relays', st.relays, 'int')]);
      facts.push(['version', fig('b', 'status.version', st.version, 'text')]);
    } else if (sum) {
      facts.push(['elapsed', fig('b', 'summary.elapsed_s', sum.elapsed_s, 'seconds'), ' of ', fig('b', 'summary.duration_s', sum.duration_s, 'seconds')]);
      facts.push(['users', fig('b', 'summary.users', sum.users, 'int')]);
      if (sum.health) facts.push(['peak users', fig('b', 'summary.health.peak_users', sum.health.peak_users, 'int')]);
      facts.push(['started', h('b', null, new Date(sum.started_unix_ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))]);
      facts.push(['version', fig('b', 'summary.loadgrid_version', sum.loadgrid_version, 'text')]);
      if (m.dir) facts.push(['results', h('b', null, m.dir)]);
    }
    update(s, 'facts', s.el.facts, [st, m.dir, sum && [sum.elapsed_s, sum.duration_s, sum.users, sum.campaign]], () =>
      facts.map(([label, ...rest]) => h('span', { class: 'lg-fact' }, h('span', { class: 'lg-fact-label' }, label), ...rest)),
    );
    const elapsed = st ? st.elapsed_s : sum ? sum.elapsed_s : 0;
    const duration = st ? st.duration_s : sum ? sum.duration_s : 0;
    const ratio = duration > 0 ? Math.min(1, elapsed / duration) : 0;
    s.el.progress.style.width = (final ? 100 : ratio * 100).toFixed(1) + '%';
    s.el.progress.className = 'lg-progress-bar lg-progress-' + state;

    // Connection (dashboard only).
    const conn = options.connection;
    s.el.conn.hidden = !conn;
    if (conn) {
      s.el.conn.className = 'lg-conn lg-conn-' + conn.state;
      s.el.conn.textContent = conn.state;
      s.el.conn.title = conn.detail || '';
    }
    // The stop button: live, an onStop given, and a campaign not over.
    const canStop = live && options.onStop && st && !final && state !== 'finished';
    s.el.stop.hidden = !canStop;
    s.el.stop.disabled = !!options.stopping || state === 'stopping';
    s.el.stop.textContent = options.stopping || state === 'stopping' ? 'Stopping…' : 'Stop campaign';
  }

  function drawNotices(s, m, options) {
    const notes = [];
    const conn = options.connection;
    if (conn && conn.state === 'disconnected') {
      notes.push(['warn', 'disconnected from the broker' + (conn.detail ? ': ' + conn.detail : '') + (m.summary ? ' — showing the last figures received' : '')]);
    }
    if (conn && conn.state === 'unauthorized') {
      notes.push(['error', 'unauthorized: this broker needs a bearer token — open the page as /?token=TOKEN']);
    }
    if (!m.summary && (!conn || conn.state === 'connecting')) notes.push(['info', 'waiting for the broker…']);
    if (m.status && m.status.state === 'waiting') notes.push(['info', 'waiting for agents: the campaign has not started']);
    if (m.baseline) notes.push(['info', 'compared with the baseline run in ' + m.baseline.dir]);
    // report: files the results directory lacks (their parts of the page are empty)
    if (m.missing && m.missing.length) notes.push(['info', 'not in the results directory: ' + m.missing.join(', ')]);
    if (m.baseline && m.baseline.missing && m.baseline.missing.length) {
      notes.push(['info', 'not in the baseline directory: ' + m.baseline.missing.join(', ')]);
    }
    update(s, 'notices', s.el.notices, notes, () => notes.map(([level, text]) => h('div', { class: 'lg-notice lg-notice-' + level }, text)));
  }

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

  function errorRate(stats) {
    return stats && stats.requests > 0 ? (stats.failures / stats.requests) * 100 : null;
  }

  function drawTiles(s, m) {
    const sum = m.summary;
    const t = sum ? sum.total : null;
    const base = m.baseline && m.baseline.summary ? m.baseline.summary.total : null;
    update(s, 'tiles', s.el.tiles, [t, base, m.status && m.status.active_users], () => {
      if (!t) return [];
      const tile = (label, value, sub, baseValue, kind, higherIsBetter, cls) =>
        h(
          'div',
          { class: 'lg-tile' + (cls ? ' ' + cls : '') },
          h('div', { class: 'lg-tile-label' }, label),
          h('div', { class: 'lg-tile-value' }, value),
          sub ? h('div', { class: 'lg-tile-sub' }, sub) : null,
          base && baseValue !== undefined
            ? h('div', { class: 'lg-tile-base' }, 'baseline ' + format(kind, baseValue) + ' ', changeEl(valueOf(value), baseValue, higherIsBetter))
            : null,
        );
      const rate = errorRate(t);
      const users = m.status
        ? tile('Active users', fig('span', 'status.active_users', m.status.active_users, 'int'), ['of ', fig('span', 'status.users', m.status.users, 'int'), ' planned'])
        : tile('Peak users', fig('span', 'summary.health.peak_users', sum.health ? sum.health.peak_users : null, 'int'), ['of ', fig('span', 'summary.users', sum.users, 'int'), ' planned']);
      return [
        tile('Requests', fig('span', 'summary.total.requests', t.requests, 'int'), null, base && base.requests, 'int', true),
        tile('Requests/s', fig('span', 'summary.total.rps', t.rps, 'rate'), 'over the whole run', base && base.rps, 'rate', true),
        tile(
          'Failures',
          fig('span', 'summary.total.failures', t.failures, 'int'),
          [h('span', { class: 'lg-derived' }, rate === null ? '—' : rate.toFixed(2) + '%'), ' of requests'],
          base && base.failures,
          'int',
          false,
          t.failures > 0 ? 'lg-tile-bad' : null,
        ),
        tile('p50', fig('span', 'summary.total.latency_ms.p50', t.latency_ms.p50, 'ms'), 'median latency', base && base.latency_ms.p50, 'ms', false),
        tile('p95', fig('span', 'summary.total.latency_ms.p95', t.latency_ms.p95, 'ms'), null, base && base.latency_ms.p95, 'ms', false),
        tile('p99', fig('span', 'summary.total.latency_ms.p99', t.latency_ms.p99, 'ms'), ['max ', fig('span', 'summary.total.latency_ms.max', t.latency_ms.max, 'ms')], base && base.latency_ms.p99, 'ms', false),
        users,
        tile('Received', fig('span', 'summary.total.bytes_received', t.bytes_received, 'bytes'), ['sent ', fig('span', 'summary.total.bytes_sent', t.bytes_sent, 'bytes')]),
      ];
    });
  }

  function valueOf(el) {
    return JSON.parse(el.getAttribute('data-value'));
  }

  // ---------------------------------------------------------------- charts

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

  // ---------------------------------------------------------------- tables

  function kindChips(prefix, stats) {
    const chips = [];
    for (const [kind, n] of Object.entries(stats.failures_by_kind || {})) {
      if (n > 0) chips.push(h('span', { class: 'lg-chip lg-chip-bad' }, kind + ' ', fig('b', path(prefix, 'failures_by_kind', seg(kind)), n, 'int')));
    }
    return chips;
  }

  function codeChips(prefix, stats) {
    return Object.entries(stats.status_codes || {}).map(([code, n]) =>
      h('span', { class: 'lg-chip' + (Number(code) >= 400 ? ' lg-chip-bad' : '') }, code + ' ', fig('b', path(prefix, 'status_codes', seg(code)), n, 'int')),
    );
  }

  function drawRequests(s, m) {
    const sum = m.summary;
    update(s, 'requests', s.el.requests.body, sum && [sum.requests, sum.total], () => {
      if (!sum) return empty('no data yet');
      const columns = [
        { label: 'Request' },
        { label: 'Requests', num: true },
        { label: 'Failures', num: true },
        { label: 'Fail %', num: true, title: 'failures / requests' },
        { label: 'Req/s', num: true },
        { label: 'p50', num: true },
        { label: 'p90', num: true },
        { label: 'p95', num: true },
        { label: 'p99', num: true },
        { label: 'p99.9', num: true },
        { label: 'Max', num: true },
        { label: 'Mean', num: true },
        { label: 'Sent', num: true },
        { label: 'Received', num: true },
        { label: 'Status codes, failures', title: 'responses by status code; failures by kind' },
        { label: 'Transport' },
      ];
      const row = (name, prefix, st, cls) => {
        const rate = errorRate(st);
        const L = st.latency_ms;
        const lp = path(prefix, 'latency_ms');
        return {
          cls,
          cells: [
            name,
            fig('span', path(prefix, 'requests'), st.requests, 'int'),
            fig('span', path(prefix, 'failures'), st.failures, 'int', st.failures > 0 ? 'lg-bad' : null),
            h('span', { class: 'lg-derived' + (rate > 0 ? ' lg-bad' : '') }, rate === null ? '—' : rate.toFixed(2) + '%'),
            fig('span', path(prefix, 'rps'), st.rps, 'rate'),
            fig('span', path(lp, 'p50'), L.p50, 'ms'),
            fig('span', path(lp, 'p90'), L.p90, 'ms'),
            fig('span', path(lp, 'p95'), L.p95, 'ms'),
            fig('span', path(lp, 'p99'), L.p99, 'ms'),
            fig('span', path(lp, 'p999'), L.p999, 'ms'),
            fig('span', path(lp, 'max'), L.max, 'ms'),
            fig('span', path(lp, 'mean'), L.mean, 'ms'),
            fig('span', path(prefix, 'bytes_sent'), st.bytes_sent, 'bytes'),
            fig('span', path(prefix, 'bytes_received'), st.bytes_received, 'bytes'),
            h('span', { class: 'lg-chips' }, codeChips(prefix, st), kindChips(prefix, st)),
            fig('span', path(prefix, 'transport'), st.transport || null, 'text'),
          ],
        };
      };
      const rows = sum.requests.map((r) => row(r.name, path('summary', 'requests', sel('name', r.name)), r));
      rows.push(row('All requests', 'summary.total', sum.total, 'lg-total-row'));
      return table(columns, rows, 'lg-requests');
    });
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

  function stateBadge(metric, state) {
    return h('span', { class: 'lg-badge lg-badge-' + state }, fig('span', metric, state, 'text'));
  }

  function drawGrid(s, m) {
    const nodes = m.nodes;
    const sum = m.summary;
    s.el.grid.head.querySelector('h2').textContent = nodes ? 'Grid' : 'Agents';
    update(s, 'grid', s.el.grid.body, [nodes, !nodes && sum && sum.agents, m.status && [m.status.state, m.status.active_users], sum && sum.total.requests], () => {
      if (nodes) {
        const columns = [
          { label: 'Node' },
          { label: 'Region' },
          { label: 'State' },
          { label: 'Users', num: true },
          { label: 'Requests', num: true },
          { label: 'Failures', num: true },
          { label: 'CPU', num: true, title: '100% = one core' },
          { label: 'RSS', num: true },
          { label: 'Clock offset', num: true },
          { label: 'Warnings' },
        ];
        const rows = [];
        const st = m.status;
        rows.push({
          cls: 'lg-depth-0',
          cells: [
            h('span', { class: 'lg-node' }, h('span', { class: 'lg-kind lg-kind-broker' }, 'broker'), ' ', nodes.id),
            '',
            st ? stateBadge('status.state', st.state) : '',
            st ? fig('span', 'status.active_users', st.active_users, 'int') : '',
            sum ? fig('span', 'summary.total.requests', sum.total.requests, 'int') : '',
            sum ? fig('span', 'summary.total.failures', sum.total.failures, 'int') : '',
            '',
            '',
            '',
            '',
          ],
        });
        const nodeRow = (n, p, depth) => ({
          cls: 'lg-depth-' + depth + (n.state === 'lost' ? ' lg-row-bad' : ''),
          cells: [
            h('span', { class: 'lg-node' }, h('span', { class: 'lg-tree' }, depth === 1 ? '└' : '  └'), h('span', { class: 'lg-kind lg-kind-' + n.kind }, n.kind), ' ', fig('span', path(p, 'id'), n.id, 'text')),
            fig('span', path(p, 'region'), n.region, 'text'),
            stateBadge(path(p, 'state'), n.state),
            fig('span', path(p, 'users'), n.users, 'int'),
            fig('span', path(p, 'requests'), n.requests, 'int'),
            fig('span', path(p, 'failures'), n.failures, 'int', n.failures > 0 ? 'lg-bad' : null),
            fig('span', path(p, 'cpu_percent'), n.cpu_percent, 'percent', n.cpu_percent >= 90 ? 'lg-bad' : null),
            fig('span', path(p, 'rss_bytes'), n.rss_bytes, 'bytes'),
            fig('span', path(p, 'clock_offset_ms'), n.clock_offset_ms, 'offset'),
            (n.warnings || []).length ? h('span', { class: 'lg-chip lg-chip-warn', title: n.warnings.join('\n') }, fig('b', path(p, 'warnings', 'length'), n.warnings.length, 'int'), ' warnings') : '',
          ],
        });
        for (const c of nodes.children || []) {
          const p = path('nodes', 'children', sel('id', c.id));
          rows.push(nodeRow(c, p, 1));
          for (const a of c.agents || []) rows.push(nodeRow(a, path(p, 'agents', sel('id', a.id)), 2));
        }
        return table(columns, rows, 'lg-nodes');
      }
      const agents = (sum && sum.agents) || [];
      if (!agents.length) return empty('no agents');
      return table(
        [{ label: 'Agent' }, { label: 'Region' }, { label: 'State' }, { label: 'Users', num: true }, { label: 'Requests', num: true }, { label: 'Failures', num: true }, { label: 'Clock offset', num: true }],
        agents.map((a) => {
          const p = path('summary', 'agents', sel('id', a.id));
          return {
            cells: [
              fig('span', path(p, 'id'), a.id, 'text'),
              fig('span', path(p, 'region'), a.region, 'text'),
              stateBadge(path(p, 'state'), a.state),
              fig('span', path(p, 'users'), a.users, 'int'),
              fig('span', path(p, 'requests'), a.requests, 'int'),
              fig('span', path(p, 'failures'), a.failures, 'int', a.failures > 0 ? 'lg-bad' : null),
              fig('span', path(p, 'clock_offset_ms'), a.clock_offset_ms, 'offset'),
            ],
          };
        }),
        'lg-agents',
      );
    });
  }

  function drawRegions(s, m) {
    const regions = m.summary && m.summary.regions;
    update(s, 'regions', s.el.regions.body, regions || null, () => {
      if (!regions || !Object.keys(regions).length) return empty('no regions yet');
      return table(
        [{ label: 'Region' }, { label: 'Users', num: true }, { label: 'Requests', num: true }, { label: 'Failures', num: true }],
        Object.entries(regions).map(([name, r]) => {
          const p = path('summary', 'regions', seg(name));
          return { cells: [name, fig('span', path(p, 'users'), r.users, 'int'), fig('span', path(p, 'requests'), r.requests, 'int'), fig('span', path(p, 'failures'), r.failures, 'int', r.failures > 0 ? 'lg-bad' : null)] };
        }),
      );
    });
  }

  function drawHealth(s, m) {
    const health = m.summary && m.summary.health;
    s.el.health.el.hidden = !health;
    if (!health) return;
    update(s, 'health', s.el.health.body, health, () => {
      const items = [
        ['live agents', 'live_agents', 'int'],
        ['lost agents', 'lost_agents', 'int', health.lost_agents > 0],
        ['relays', 'relays', 'int'],
        ['counted windows', 'counted_windows', 'int'],
        ['duplicate windows', 'duplicate_windows', 'int'],
        ['resent windows', 'resent_windows', 'int'],
        ['rejected frames', 'rejected_frames', 'int', health.rejected_frames > 0],
        ['dropped frames', 'dropped_frames', 'int', health.dropped_frames > 0],
        ['unaccounted requests', 'unaccounted_requests', 'int', health.unaccounted_requests > 0],
        ['failovers', 'failovers', 'int'],
        ['first-request spread', 'first_request_spread_ms', 'ms'],
      ];
      const list = h(
        'dl',
        { class: 'lg-kv' },
        items.map(([label, key, kind, bad]) => [h('dt', null, label), h('dd', null, fig('span', path('summary', 'health', key), health[key], kind, bad ? 'lg-bad' : null))]),
        h('dt', null, 'freshness p99'),
        h('dd', null, fig('span', 'summary.health.freshness_ms.p99', health.freshness_ms ? health.freshness_ms.p99 : null, 'ms')),
      );
      const lost = (health.lost || []).map((t) => h('li', null, t));
      return [list, lost.length ? h('ul', { class: 'lg-list lg-list-bad' }, lost) : null];
    });
  }

  function drawThresholds(s, m) {
    const th = (m.summary && m.summary.thresholds) || [];
    s.el.thresholds.el.hidden = th.length === 0;
    if (!th.length) return;
    update(s, 'thresholds', s.el.thresholds.body, [th, m.summary.thresholds_passed, m.summary.aborted_by], () => {
      const sum = m.summary;
      const verdict = h(
        'p',
        { class: 'lg-verdict ' + (sum.thresholds_passed ? 'lg-better' : 'lg-worse') },
        fig('span', 'summary.thresholds_passed', sum.thresholds_passed, 'passfail'),
        sum.thresholds_passed ? ': every threshold holds' : ': some thresholds fail',
        sum.aborted_by ? ['; ', fig('b', 'summary.aborted_by', sum.aborted_by, 'text'), ' stopped the run'] : null,
      );
      return [
        verdict,
        table(
          [{ label: 'Metric' }, { label: 'Condition' }, { label: 'Observed', num: true }, { label: 'Result' }],
          th.map((t, i) => {
            const p = path('summary', 'thresholds', i);
            return {
              cls: t.pass ? null : 'lg-row-bad',
              cells: [fig('span', path(p, 'metric'), t.metric, 'text'), fig('span', path(p, 'condition'), t.condition, 'text'), fig('span', path(p, 'value'), t.value, 'number'), h('span', { class: 'lg-badge lg-badge-' + (t.pass ? 'pass' : 'fail') }, fig('span', path(p, 'pass'), t.pass, 'passfail'))],
            };
          }),
        ),
      ];
    });
  }

  function drawWarnings(s, m) {
    const sum = m.summary;
    const warnings = (sum && sum.warnings) || [];
    const problems = (sum && sum.problems) || [];
    const suppressed = (sum && sum.suppressed_warnings) || 0;
    update(s, 'warnings', s.el.warnings.body, [warnings, problems, suppressed], () => {
      if (!warnings.length && !problems.length) return empty('no warnings, no problems');
      const out = [];
      if (warnings.length) {
        out.push(h('ul', { class: 'lg-list lg-list-warn' }, warnings.map((w) => h('li', null, w))));
        if (suppressed) out.push(h('p', { class: 'lg-note' }, fig('span', 'summary.suppressed_warnings', suppressed, 'int'), ' more warnings were suppressed'));
      }
      if (problems.length) {
        out.push(
          table(
            [{ label: 'Problem the workload met' }, { label: 'Count', num: true }],
            problems.map((p, i) => ({ cells: [p.message, fig('span', path('summary', 'problems', i, 'count'), p.count, 'int')] })),
          ),
        );
      }
      return out;
    });
  }

  const MAX_LOG_ROWS = 500;

  function drawLogs(s, m) {
    const logs = m.logs || [];
    const shown = logs.slice(-MAX_LOG_ROWS);
    const box = s.el.logs.body;
    update(s, 'logs', box, [shown.length, shown.length ? shown[shown.length - 1] : null, m.logs_dropped, m.logs_omitted, m.logs_skipped, logs.length], () => {
      if (!logs.length) return empty(m.mode === 'live' ? 'no logs yet' : 'no logs');
      const list = h(
        'div',
        { class: 'lg-log' },
        shown.map((r) =>
          h(
            'div',
            { class: 'lg-log-row lg-log-' + r.level },
            h('span', { class: 'lg-log-time' }, r.elapsed_s !== undefined && r.elapsed_s !== null ? '+' + Number(r.elapsed_s).toFixed(1) + 's' : ''),
            h('span', { class: 'lg-log-level' }, r.level),
            h('span', { class: 'lg-log-node' }, r.node),
            h('span', { class: 'lg-log-msg' }, r.message),
          ),
        ),
      );
      const notes = [];
      if (logs.length > shown.length) notes.push(h('p', { class: 'lg-note' }, 'showing the last ' + shown.length + ' of ' + logs.length + ' records'));
      if (m.logs_omitted) notes.push(h('p', { class: 'lg-note' }, fig('span', 'logs_omitted', m.logs_omitted, 'int'), ' more records are in logs.jsonl'));
      if (m.logs_skipped) notes.push(h('p', { class: 'lg-note' }, fig('span', 'logs_skipped', m.logs_skipped, 'int'), ' lines of logs.jsonl were not records (skipped)'));
      if (m.logs_dropped) notes.push(h('p', { class: 'lg-note' }, fig('span', 'logs_dropped', m.logs_dropped, 'int'), ' records dropped by the nodes\u2019 rate limits'));
      return [list, ...notes];
    });
    const list = box.querySelector('.lg-log');
    if (list) list.scrollTop = list.scrollHeight;
  }

  function drawCampaign(s, m) {
    s.el.campaign.el.hidden = !m.campaign_ini;
    if (!m.campaign_ini) return;
    update(s, 'campaign', s.el.campaign.body, m.campaign_ini, () => h('pre', { class: 'lg-ini' }, m.campaign_ini));
  }

  function drawFooter(s, m) {
    const sum = m.summary;
    update(s, 'footer', s.el.footer, [m.mode, sum && sum.loadgrid_version, sum && sum.state], () => [
      'loadgrid ',
      sum ? sum.loadgrid_version : '',
      ' · ',
      m.mode === 'live' ? 'live dashboard: figures from the broker\u2019s API, refreshed every second' : 'report: figures from the results directory',
    ]);
  }

  // ---------------------------------------------------------------- entry points

  /// Draws `model` into `root`; called again with a newer model, updates in place.
  function render(root, model, options) {
    const s = root.__loadgrid || skeleton(root);
    const m = model || { mode: 'live', summary: null, status: null, series: null, nodes: null, logs: [] };
    s.model = m;
    s.options = options || {};
    s.renders += 1;
    root.setAttribute('data-mode', m.mode || 'live');
    root.setAttribute('data-final', String(m.status ? !!m.status.final : !!m.summary && m.mode === 'report'));
    root.setAttribute('data-renders', String(s.renders));
    drawHeader(s, m, s.options);
    drawNotices(s, m, s.options);
    drawTiles(s, m);
    drawSelect(s, m);
    drawCharts(s, m);
    drawRequests(s, m);
    drawBaseline(s, m);
    drawGrid(s, m);
    drawRegions(s, m);
    drawHealth(s, m);
    drawThresholds(s, m);
    drawWarnings(s, m);
    drawLogs(s, m);
    drawCampaign(s, m);
    drawFooter(s, m);
  }

  /// Releases what render() made (the Chart instances) and empties `root`.
  function destroy(root) {
    const s = root.__loadgrid;
    if (!s) return;
    for (const c of Object.values(s.charts)) c.destroy();
    delete root.__loadgrid;
    root.replaceChildren();
  }

  const api = { render, destroy, format };
  global.LoadgridView = api;
  if (typeof module !== 'undefined' && module.exports) module.exports = api;
})(typeof window !== 'undefined' ? window : globalThis);
