// render.js: the entry points, last in view.js. skeleton() builds the page once (header,
// cards, chart boxes); render() draws a model into it, section by section, each redrawn
// only when its data changed; destroy() releases the charts. Publishes
// LoadgridView = { render, destroy, format } on window (and as module.exports).
(function (V, global) {
  'use strict';

  const {
    format, h, card, CHARTS, drawHeader, drawNotices, drawTiles, drawSelect, drawCharts,
    drawRequests, drawBaseline, drawGrid, drawRegions, drawHealth, drawThresholds, drawWarnings,
    drawLogs, drawCampaign, drawFooter,
  } = V;

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
})(LoadgridViewParts, typeof window !== 'undefined' ? window : globalThis);
