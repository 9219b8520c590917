// logs.js: the Log card: the last MAX_LOG_ROWS records, scrolled to the newest, and notes
// on the records not shown (omitted, skipped, dropped by the nodes' rate limits).
(function (V) {
  'use strict';

  const { h, fig, empty, update } = V;

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

  Object.assign(V, { drawLogs });
})(LoadgridViewParts);
