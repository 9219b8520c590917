// tiles.js: the headline tiles (requests, req/s, failures, p50, p95, p99, users, bytes),
// each with the baseline's figure and the change when there is a baseline.
(function (V) {
  'use strict';

  const { format, errorRate, h, fig, update, changeEl } = V;

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

  Object.assign(V, { drawTiles });
})(LoadgridViewParts);
