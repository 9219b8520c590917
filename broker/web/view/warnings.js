// warnings.js: the "Warnings and problems" card: the run's warnings (and how many were
// suppressed) and the problems the workload met, with their counts.
(function (V) {
  'use strict';

  const { h, path, fig, table, empty, update } = V;

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

  Object.assign(V, { drawWarnings });
})(LoadgridViewParts);
