// grid.js: the grid. The node tree (broker, relays, agents) when the model has nodes
// (live), else the agents of the summary (report); the Regions card; the Grid health card.
(function (V) {
  'use strict';

  const { h, seg, sel, path, fig, table, empty, update } = V;

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

  Object.assign(V, { drawGrid, drawRegions, drawHealth });
})(LoadgridViewParts);
