// format.js: the text a figure shows. format(kind, value) and its kinds (int, rate, ms,
// offset, bytes, seconds, percent, number, passfail, text); errorRate(), the failure
// percentage the tiles and tables derive. tests/browser/page_figures.mjs keeps its own copy
// of the formats as an oracle: change a format in both places.
(function (V) {
  'use strict';

  function group(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  }

  function pad2(n) {
    return (n < 10 ? '0' : '') + n;
  }

  const formats = {
    // a count: 12,345
    int: (v) => group(String(Math.round(v))),
    // a rate per second: 476.2 (1,234 from a thousand on)
    rate: (v) => (Math.abs(v) >= 1000 ? group(v.toFixed(0)) : v.toFixed(1)),
    // milliseconds, three significant digits or so: 0.293 ms, 5.15 ms, 12.3 ms, 512 ms, 1,234 ms, 12.3 s
    ms: (v) => {
      const a = Math.abs(v);
      if (a < 1) return v.toFixed(3) + ' ms';
      if (a < 10) return v.toFixed(2) + ' ms';
      if (a < 100) return v.toFixed(1) + ' ms';
      if (a < 10000) return group(v.toFixed(0)) + ' ms';
      return (v / 1000).toFixed(1) + ' s';
    },
    // a signed offset in milliseconds: +0.013 ms
    offset: (v) => (v > 0 ? '+' : '') + v.toFixed(3) + ' ms',
    // bytes in binary units: 512 B, 155.3 KiB, 12.0 MiB
    bytes: (v) => {
      const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
      let u = 0;
      let x = v;
      while (Math.abs(x) >= 1024 && u < units.length - 1) {
        x /= 1024;
        u += 1;
      }
      return u === 0 ? String(Math.round(x)) + ' B' : x.toFixed(1) + ' ' + units[u];
    },
    // a duration in seconds: 12.3 s, 4m 05s, 1h 02m
    seconds: (v) => {
      if (v < 60) return v.toFixed(1) + ' s';
      const total = Math.floor(v);
      if (total < 3600) return Math.floor(total / 60) + 'm ' + pad2(total % 60) + 's';
      return Math.floor(total / 3600) + 'h ' + pad2(Math.floor((total % 3600) / 60)) + 'm';
    },
    // a percentage already in percent (CPU: 100 = one core): 97.3%
    percent: (v) => v.toFixed(1) + '%',
    // any number as the API has it, integers grouped, others to three decimals: 0.012
    number: (v) => (Number.isInteger(v) ? group(String(v)) : String(Number(v.toFixed(3)))),
    // a threshold decision
    passfail: (v) => (v ? 'pass' : 'fail'),
    text: (v) => String(v),
  };

  /// The text a figure of `kind` shows for `value`; "—" for null or undefined.
  function format(kind, value) {
    if (value === null || value === undefined) return '—';
    const f = formats[kind];
    if (!f) throw new Error('unknown format ' + kind);
    return f(value);
  }

  // The failure rate of `stats` in percent (failures / requests), null without requests.
  function errorRate(stats) {
    return stats && stats.requests > 0 ? (stats.failures / stats.requests) * 100 : null;
  }

  Object.assign(V, { format, errorRate });
})(LoadgridViewParts);
