// dom.js: building the page. h() makes an element; fig() a figure, with data-metric,
// data-value and data-format; seg(), sel() and path() write a figure's metric path;
// table(), empty() and card() (a titled section) are the page's pieces; update()
// redraws a section only when its data changed.
(function (V) {
  'use strict';

  const { format } = V;

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

  function card(title, extra) {
    const body = h('div', { class: 'lg-card-body' });
    const head = h('div', { class: 'lg-card-head' }, h('h2', null, title), extra || null);
    const el = h('section', { class: 'lg-card' }, head, body);
    return { el, head, body };
  }

  Object.assign(V, { h, seg, sel, path, fig, table, empty, update, card });
})(LoadgridViewParts);
