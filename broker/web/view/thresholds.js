// thresholds.js: the Thresholds card: the verdict (and what aborted the run), then each
// threshold's metric, condition, observed value and result. Hidden without thresholds.
(function (V) {
  'use strict';

  const { h, path, fig, table, update } = V;

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

  Object.assign(V, { drawThresholds });
})(LoadgridViewParts);
