// requests.js: the Requests card, a row per request name and one for all requests, with
// the responses by status code and the failures by kind as chips.
(function (V) {
  'use strict';

  const { errorRate, h, seg, sel, path, fig, table, empty, update } = V;

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

  Object.assign(V, { drawRequests });
})(LoadgridViewParts);
