// header.js: the page's frame. The header (campaign, state, facts, progress bar, the
// connection and the stop button), the notices under it and the footer.
(function (V) {
  'use strict';

  const { h, fig, update } = V;

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

  function drawFooter(s, m) {
    const sum = m.summary;
    update(s, 'footer', s.el.footer, [m.mode, sum && sum.loadgrid_version, sum && sum.state], () => [
      'loadgrid ',
      sum ? sum.loadgrid_version : '',
      ' · ',
      m.mode === 'live' ? 'live dashboard: figures from the broker\u2019s API, refreshed every second' : 'report: figures from the results directory',
    ]);
  }

  Object.assign(V, { drawHeader, drawNotices, drawFooter });
})(LoadgridViewParts);
