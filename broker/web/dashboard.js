// The live dashboard: polls the broker's JSON API (docs/http-api.md) about once a second,
// builds the view model (docs/view-model.md) and hands it to LoadgridView.render
// (view.js). Everything it fetches is relative to the page, so the dashboard also works
// behind a reverse proxy under a path prefix.
//
// Token: open the page once as `/?token=TOKEN`; the token is kept in sessionStorage (for
// this tab only), removed from the address bar, and sent as `Authorization: Bearer`.
// When the broker cannot be reached the page says "disconnected", keeps the last figures
// and retries with a backoff (1 s doubling to 15 s); once the run is final it polls every
// 5 s, to notice the server going away.
(function () {
  'use strict';

  const POLL_MS = 1000;
  const FINAL_POLL_MS = 5000;
  const MAX_BACKOFF_MS = 15000;
  const REQUEST_TIMEOUT_MS = 5000;
  const MAX_LOGS = 2000;
  const TOKEN_KEY = 'loadgrid.token';

  const state = {
    token: '',
    model: null,
    connection: { state: 'connecting', detail: '' },
    backoff: 0,
    logs: [],
    logsSince: null,
    logsDropped: 0,
    logsAvailable: true,
    stopping: false,
  };

  function takeToken() {
    const url = new URL(window.location.href);
    const given = url.searchParams.get('token');
    if (given !== null) {
      try {
        sessionStorage.setItem(TOKEN_KEY, given);
      } catch (e) {
        // No storage (a sandboxed page): the token lives as long as this page.
      }
      url.searchParams.delete('token');
      window.history.replaceState(null, '', url.pathname + url.search + url.hash);
      return given;
    }
    try {
      return sessionStorage.getItem(TOKEN_KEY) || '';
    } catch (e) {
      return '';
    }
  }

  class HttpError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function call(method, path) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    const headers = { Accept: 'application/json' };
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    try {
      const res = await fetch(path, { method, headers, cache: 'no-store', credentials: 'omit', signal: controller.signal });
      if (!res.ok) {
        let message = res.status + ' ' + res.statusText;
        try {
          const doc = await res.json();
          if (doc && doc.error) message = doc.error;
        } catch (e) {
          // not JSON: keep the status line
        }
        throw new HttpError(res.status, path + ': ' + message);
      }
      return await res.json();
    } catch (e) {
      if (e instanceof HttpError) throw e;
      throw new HttpError(0, e.name === 'AbortError' ? 'no answer within ' + REQUEST_TIMEOUT_MS / 1000 + ' s' : 'the broker cannot be reached');
    } finally {
      clearTimeout(timer);
    }
  }

  // GET /api/v1/logs?since=SEQ: new records since the last seen. A broker without the
  // endpoint (404) has no central logs: the page says "no logs yet" and stops asking.
  async function pollLogs() {
    if (!state.logsAvailable) return;
    let doc;
    try {
      doc = await call('GET', 'api/v1/logs' + (state.logsSince !== null ? '?since=' + state.logsSince : ''));
    } catch (e) {
      if (e.status === 404) {
        state.logsAvailable = false;
        return;
      }
      throw e;
    }
    const records = Array.isArray(doc) ? doc : doc.logs || doc.records || [];
    for (const r of records) {
      if (typeof r.seq === 'number') {
        if (state.logsSince !== null && r.seq <= state.logsSince) continue;
        state.logsSince = r.seq;
      }
      state.logs.push(r);
    }
    if (state.logs.length > MAX_LOGS) state.logs.splice(0, state.logs.length - MAX_LOGS);
    if (!Array.isArray(doc)) state.logsDropped = doc.dropped ?? doc.logs_dropped ?? state.logsDropped;
  }

  function buildModel(status, stats, summary, nodes) {
    return {
      mode: 'live',
      summary,
      status,
      series: {
        total: stats.series || [],
        requests: stats.series_by_request || {},
        regions: stats.series_by_region || {},
      },
      percentiles: null,
      nodes,
      logs: state.logs,
      logs_dropped: state.logsDropped,
      campaign_ini: null,
      baseline: null,
    };
  }

  function draw() {
    const root = document.getElementById('app');
    window.LoadgridView.render(root, state.model, {
      connection: state.connection,
      stopping: state.stopping,
      onStop: stop,
    });
  }

  async function stop() {
    const name = state.model && state.model.status ? state.model.status.campaign : 'the campaign';
    const ok = window.confirm(
      'Stop "' + name + '" now?\n\nIn-flight requests finish, the final figures are collected and the results say "interrupted".',
    );
    if (!ok) return;
    state.stopping = true;
    draw();
    try {
      await call('POST', 'api/v1/stop');
    } catch (e) {
      state.stopping = false;
      window.alert('The stop failed: ' + e.message);
    }
    draw();
  }

  async function tick() {
    let delay = POLL_MS;
    try {
      const [status, stats, summary, nodes] = await Promise.all([
        call('GET', 'api/v1/status'),
        call('GET', 'api/v1/stats'),
        call('GET', 'api/v1/summary'),
        call('GET', 'api/v1/nodes'),
      ]);
      await pollLogs();
      state.model = buildModel(status, stats, summary, nodes);
      state.connection = { state: 'connected', detail: '' };
      state.backoff = 0;
      if (status.final) delay = FINAL_POLL_MS;
    } catch (e) {
      state.backoff = Math.min(MAX_BACKOFF_MS, state.backoff ? state.backoff * 2 : POLL_MS);
      delay = state.backoff;
      state.connection =
        e.status === 401
          ? { state: 'unauthorized', detail: e.message }
          : { state: 'disconnected', detail: e.message + '; retrying in ' + delay / 1000 + ' s' };
    }
    try {
      draw();
    } catch (e) {
      console.error('loadgrid dashboard: drawing failed', e);
    }
    setTimeout(tick, delay);
  }

  function start() {
    state.token = takeToken();
    if (!window.LoadgridView) {
      document.getElementById('app').textContent = 'view.js did not load';
      return;
    }
    draw();
    tick();
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', start);
  else start();
})();
