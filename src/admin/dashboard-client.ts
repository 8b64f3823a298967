/**
 * The dashboard's script, served at /admin/assets/dashboard.js: plain browser JavaScript (no build
 * step, no framework) that reads /admin/api/* and draws with uPlot. Kept as a string because the
 * image ships dist/ only; it holds no backtick and no dollar-brace, so String.raw keeps it verbatim.
 * Charts mark themselves for the browser test: data-points (x values given) and data-drawn-points
 * (x values uPlot drew, set by its draw hook).
 */
export const DASHBOARD_SCRIPT = String.raw`(function () {
  'use strict';
  var API = '/admin/api/';
  var COLORS = ['#2563eb', '#d97706', '#059669', '#db2777', '#7c3aed', '#0891b2', '#65a30d', '#dc2626'];
  var STATUS_COLORS = { candidate: '#94a3b8', canary: '#f59e0b', production: '#16a34a', retired: '#cbd5e1', rejected: '#ef4444', 'rolled back': '#b91c1c' };
  var charts = [];
  // Time axis labels (uPlot's table: tick size, label, then the label where a year, month, day changes), 24 h, UTC.
  var TIME_AXIS = [
    [3600 * 24 * 365, '{YYYY}', null, null, null, null, null, null, 1],
    [3600 * 24 * 28, '{MMM}', '\n{YYYY}', null, null, null, null, null, 1],
    [3600 * 24, '{MMM} {D}', '\n{YYYY}', null, null, null, null, null, 1],
    [3600, '{HH}:{mm}', '\n{YYYY}-{MM}-{DD}', null, '\n{MMM} {D}', null, null, null, 1],
    [60, '{HH}:{mm}', '\n{YYYY}-{MM}-{DD}', null, '\n{MMM} {D}', null, null, null, 1],
    [1, ':{ss}', '\n{MM}-{DD} {HH}:{mm}', null, '\n{MM}-{DD} {HH}:{mm}', null, '\n{HH}:{mm}', null, 1],
  ];
  var state = { days: 365 };

  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) for (var k in attrs) {
      if (attrs[k] === null || attrs[k] === undefined) continue;
      if (k === 'text') el.textContent = attrs[k];
      else if (k === 'class') el.className = attrs[k];
      else if (k.slice(0, 2) === 'on') el.addEventListener(k.slice(2), attrs[k]);
      else el.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) el.appendChild(typeof x === 'string' ? document.createTextNode(x) : x); });
      else el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
    }
    return el;
  }
  function $(id) { return document.getElementById(id); }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); return el; }
  function fmt(v, digits) { return v === null || v === undefined ? '–' : Number(v).toLocaleString('en', { maximumFractionDigits: digits === undefined ? 1 : digits }); }
  function pct(v) { return v === null || v === undefined ? '–' : (100 * v).toFixed(1) + '%'; }
  function when(iso) { return iso ? iso.replace('T', ' ').replace(/\.\d+Z$/, 'Z').replace(/:\d\dZ$/, ' UTC') : '–'; }
  function ago(iso) {
    if (!iso) return '';
    var s = (Date.now() - Date.parse(iso)) / 1000;
    if (s < 90) return Math.round(s) + ' s ago';
    if (s < 5400) return Math.round(s / 60) + ' min ago';
    if (s < 129600) return Math.round(s / 3600) + ' h ago';
    return Math.round(s / 86400) + ' days ago';
  }
  function badge(status) {
    var cls = { succeeded: 'ok', completed: 'warn', succeeded_with_rejections: 'warn', running: 'run', retrying: 'run', failed: 'bad', production: 'ok', canary: 'warn', rejected: 'bad', 'rolled back': 'bad' }[status] || '';
    return h('span', { class: 'badge ' + cls, text: status });
  }
  async function getJson(path) {
    var res = await fetch(API + path, { credentials: 'same-origin', headers: { accept: 'application/json' } });
    var body = await res.json().catch(function () { return {}; });
    if (!res.ok) throw new Error(body.message || res.status + ' ' + res.statusText);
    return body;
  }

  // ------------------------------------------------------------ charts (uPlot)
  function utc(ts) { return uPlot.tzDate(new Date(ts * 1e3), 'Etc/UTC'); }
  function destroyCharts() { charts.forEach(function (c) { c.u.destroy(); if (c.ro) c.ro.disconnect(); }); charts = []; }

  /**
   * A line chart in box (a .chart element with data-chart). xs: Unix seconds; series: [{label, values, color?, scale?, dash?, points?}].
   * After uPlot draws, the box says how many x values it drew (data-drawn-points) and its series count.
   */
  function lineChart(box, title, xs, series, opts) {
    opts = opts || {};
    clear(box);
    box.setAttribute('data-points', String(xs.length));
    box.setAttribute('data-series', String(series.length));
    var head = h('h3', { text: title });
    box.appendChild(head);
    if (xs.length === 0) { box.appendChild(h('p', { class: 'muted empty', text: opts.empty || 'no runs in this range yet' })); box.setAttribute('data-drawn-points', '0'); return; }
    var last = series.map(function (s) { var v = s.values[s.values.length - 1]; return s.label + ' ' + (v === null || v === undefined ? 'none' : fmt(v, 3) + (s.unit || '')); }).join(', ');
    box.setAttribute('aria-label', title + ': ' + xs.length + ' points; latest ' + last + '. Arrow keys move the cursor.');
    var plot = h('div', { class: 'plot' });
    box.appendChild(plot);
    var scales = { x: { time: opts.categorical ? false : true } };
    // One point (or one category per end) needs room around it: uPlot would otherwise span years.
    if (opts.categorical) scales.x.range = function () { return [-0.4, xs.length - 0.6]; };
    else if (xs.length === 1) scales.x.range = function () { return [xs[0] - 3600, xs[0] + 3600]; };
    var axes = [
      opts.categorical
        ? {
            // Every category when there is room, every 2nd, 5th... when there is not.
            values: function (u, splits) { return splits.map(function (i) { return (opts.tickLabels || opts.categorical)[i] || ''; }); },
            space: opts.tickSpace || 150,
            incrs: [1, 2, 5, 10, 20, 50, 100],
            grid: { show: false },
          }
        : { grid: { stroke: '#eef0f3' }, values: TIME_AXIS, space: 64 },
      { label: opts.yLabel || '', size: 60, grid: { stroke: '#eef0f3' }, values: opts.yPercent ? function (u, v) { return v.map(function (x) { return (100 * x).toFixed(0) + '%'; }); } : undefined },
    ];
    if (opts.y2) {
      scales.y2 = {};
      axes.push({ scale: 'y2', side: 1, label: opts.y2, size: 60, grid: { show: false } });
    }
    if (opts.yMin !== undefined) scales.y = { range: function (u, min, max) { return [opts.yMin, Math.max(max, opts.yMax || 0) * 1.05 || 1]; } };
    var stamp = uPlot.fmtDate('{YYYY}-{MM}-{DD} {HH}:{mm}');
    var useries = [{
      label: opts.categorical ? 'version' : 'run',
      value: function (u, v, si, i) {
        if (i === null || i === undefined) return '–';
        if (opts.categorical) return opts.categorical[i] || '';
        return (opts.labels && opts.labels[i] ? opts.labels[i] + ' · ' : '') + stamp(utc(v)) + ' UTC';
      },
    }];
    series.forEach(function (s, i) {
      var color = s.color || COLORS[i % COLORS.length];
      useries.push({
        label: s.label,
        stroke: color,
        width: 2,
        scale: s.scale || 'y',
        dash: s.dash,
        spanGaps: false,
        fill: s.fill,
        paths: s.bars ? uPlot.paths.bars({ size: [0.6, 40] }) : undefined,
        points: { show: s.points !== undefined ? s.points : xs.length <= 60, size: s.pointSize || 6, fill: s.pointFill || color, stroke: color },
        value: function (u, v) { return v === null || v === undefined ? '–' : (s.percent ? pct(v) : fmt(v, 3) + (s.unit || '')); },
      });
    });
    var width = Math.max(300, box.clientWidth - 24);
    var u = new uPlot({
      width: width,
      height: opts.height || 220,
      tzDate: utc,
      scales: scales,
      axes: axes,
      series: useries,
      legend: { live: true },
      cursor: { focus: { prox: 16 } },
      hooks: { draw: [function (u) { box.setAttribute('data-drawn-points', String(u.data[0].length)); }] },
    }, [xs].concat(series.map(function (s) { return s.values; })), plot);
    var entry = { u: u };
    if (window.ResizeObserver) {
      entry.ro = new ResizeObserver(function () { var w = Math.max(300, box.clientWidth - 24); if (Math.abs(w - u.width) > 4) u.setSize({ width: w, height: u.height }); });
      entry.ro.observe(box);
    }
    charts.push(entry);
    // Keyboard: the chart takes focus; left and right arrows walk its points, the legend shows the values.
    box.tabIndex = 0;
    var idx = xs.length - 1;
    box.onkeydown = function (e) {
      if (e.key !== 'ArrowLeft' && e.key !== 'ArrowRight' && e.key !== 'Home' && e.key !== 'End') return;
      e.preventDefault();
      idx = e.key === 'Home' ? 0 : e.key === 'End' ? xs.length - 1 : Math.min(xs.length - 1, Math.max(0, idx + (e.key === 'ArrowRight' ? 1 : -1)));
      u.setCursor({ left: u.valToPos(xs[idx], 'x'), top: u.bbox.height / devicePixelRatio / 2 });
    };
  }
  function col(points, f) { return points.map(f); }
  function xsOf(points) { return points.map(function (p) { return p.t; }); }
  function runLabels(points) { return points.map(function (p) { return p.runs > 1 ? p.runs + ' runs: ' + p.first_run + ' … ' + p.last_run : p.last_run; }); }
  function merged(points) {
    var m = points.reduce(function (a, p) { return Math.max(a, p.runs); }, 1);
    return m > 1 ? ' (up to ' + m + ' runs per point)' : '';
  }

  // ------------------------------------------------------------ top summary
  function card(title, body, status) {
    return h('div', { class: 'card' + (status === 'failed' ? ' card-bad' : '') }, h('h3', null, title, ' ', status ? badge(status) : null), body);
  }
  function kv(pairs) {
    return h('dl', null, pairs.map(function (p) { return h('div', null, h('dt', { text: p[0] }), h('dd', null, p[1] === null || p[1] === undefined ? '–' : p[1])); }));
  }
  function renderSummary(ing, rec, mod) {
    var box = clear($('summary'));
    var li = ing && ing.last_run;
    box.appendChild(li
      ? card('Last ingestion', h('div', null,
          kv([
            ['run', h('code', { text: li.id })],
            ['finished', li.finished_at ? when(li.finished_at) + ' (' + ago(li.finished_at) + ')' : 'running since ' + when(li.started_at)],
            ['duration', fmt(li.duration_s) + ' s'],
            ['fetched', li.endpoints.map(function (e) { return e.endpoint + ' ' + fmt(e.fetched, 0); }).join(' · ')],
            ['rejected / retries', fmt(li.endpoints.reduce(function (a, e) { return a + (e.rejected || 0); }, 0), 0) + ' / ' + fmt(li.endpoints.reduce(function (a, e) { return a + (e.retries || 0); }, 0), 0)],
          ]),
          li.anomalous ? h('p', { class: 'warn-text', text: 'anomalous: ' + li.anomaly_reasons.join('; ') }) : null,
          li.error ? h('p', { class: 'bad-text', text: li.error }) : null), li.status)
      : card('Last ingestion', h('p', { class: 'muted', text: 'no runs recorded yet' })));
    var lr = rec && rec.last_run;
    box.appendChild(lr
      ? card('Last recommendations', kv([
          ['run', h('code', { text: lr.id })],
          ['finished', lr.finished_at ? when(lr.finished_at) + ' (' + ago(lr.finished_at) + ')' : 'running'],
          ['users', fmt(lr.users_computed, 0) + ' recomputed · ' + fmt(lr.users_skipped, 0) + ' up to date · ' + fmt(lr.users_failed, 0) + ' failed'],
          ['coverage', pct(lr.coverage)],
          ['oldest playlist', lr.freshness_h === null ? '–' : fmt(lr.freshness_h) + ' h'],
        ]), lr.status)
      : card('Last recommendations', h('p', { class: 'muted', text: 'no runs recorded yet' })));
    var prod = mod && mod.versions.filter(function (v) { return v.status === 'production'; })[0];
    var can = mod && mod.versions.filter(function (v) { return v.status === 'canary'; })[0];
    box.appendChild(card('Models', prod || can
      ? kv([
          ['production', prod ? h('span', null, h('code', { text: prod.version }), ' ' + prod.family + ' · NDCG@10 ' + fmt(prod.metrics.ndcg, 4) + ' vs popularity ' + fmt(prod.popularity.ndcg, 4)) : 'none (heuristic recommenders)'],
          ['canary', can ? h('span', null, h('code', { text: can.version }), ' ' + can.family + ' · NDCG@10 ' + fmt(can.metrics.ndcg, 4)) : 'none'],
          ['versions', String(mod.versions.length)],
          ['last decision', mod.decisions[0] ? mod.decisions[0].decision + ' (' + ago(mod.decisions[0].at) + ')' : '–'],
        ])
      : h('p', { class: 'muted', text: 'no model trained yet: playlists come from the popularity and genre recommenders' })));
  }

  // ------------------------------------------------------------ sections
  function renderIngestion(d) {
    var p = d.points, xs = xsOf(p), note = merged(p), lab = runLabels(p);
    lineChart($('c-ing-records'), 'Records fetched per endpoint, per run' + note, xs, d.endpoints.map(function (e, i) { return { label: e, values: col(p, function (x) { return x.records[e]; }), dash: i === 2 ? [8, 4] : undefined }; }), { labels: lab });
    lineChart($('c-ing-duration'), 'Run duration (s)' + note, xs, [
      { label: 'mean', values: col(p, function (x) { return x.duration_s; }), unit: ' s' },
      { label: 'longest', values: col(p, function (x) { return x.duration_max_s; }), unit: ' s', dash: [6, 4] },
    ], { labels: lab, yMin: 0 });
    lineChart($('c-ing-quality'), 'Retries and rejected records per run' + note, xs, [
      { label: 'retried requests', values: col(p, function (x) { return x.retries; }) },
      { label: 'rejected records', values: col(p, function (x) { return x.rejected; }), color: '#dc2626' },
    ], { labels: lab, yMin: 0, yMax: 1 });
    lineChart($('c-ing-anomalies'), 'Anomalous and failed runs' + note, xs, [
      { label: 'anomalous', values: col(p, function (x) { return x.anomalous; }), color: '#d97706', bars: true, points: false },
      { label: 'failed', values: col(p, function (x) { return x.failed; }), color: '#dc2626', bars: true, points: false },
    ], { labels: lab, yMin: 0, yMax: 1 });
    var list = clear($('ing-anomalies'));
    var flagged = p.filter(function (x) { return x.anomalous > 0; }).slice(-8).reverse();
    if (flagged.length) list.appendChild(h('ul', { class: 'compact' }, flagged.map(function (x) { return h('li', null, h('code', { text: x.last_run }), ': ' + (x.anomaly_reasons.join('; ') || 'anomalous')); })));
  }

  function renderRecommendations(d) {
    var p = d.points, xs = xsOf(p), note = merged(p), lab = runLabels(p);
    lineChart($('c-rec-coverage'), 'Coverage: active users with a playlist under a day old' + note, xs, [
      { label: 'coverage', values: col(p, function (x) { return x.coverage; }), percent: true, fill: 'rgba(37,99,235,0.08)' },
    ], { labels: lab, yPercent: true, yMin: 0, yMax: 1 });
    lineChart($('c-rec-freshness'), 'Freshness: age of the oldest servable playlist (h)' + note, xs, [
      { label: 'oldest playlist', values: col(p, function (x) { return x.freshness_h; }), unit: ' h', color: '#7c3aed' },
    ], { labels: lab, yMin: 0 });
    var users = [
      { label: 'recomputed', values: col(p, function (x) { return x.users_computed; }) },
      { label: 'up to date (skipped)', values: col(p, function (x) { return x.users_skipped; }), color: '#94a3b8', dash: [4, 4] },
      { label: 'failed', values: col(p, function (x) { return x.users_failed; }), color: '#dc2626' },
    ];
    lineChart($('c-rec-users'), 'Users per run' + note, xs, users, { labels: lab, yMin: 0 });
    lineChart($('c-rec-variants'), 'Users recomputed per variant, per run' + note, xs, d.variants.map(function (v) { return { label: v, values: col(p, function (x) { return x.variants[v] === undefined ? 0 : x.variants[v]; }) }; }), { labels: lab, yMin: 0 });
    var c = d.cache;
    lineChart($('c-rec-cache'), 'Cache hit ratio (this API process, per minute)', xsOf(c.points), [
      { label: 'hit ratio', values: col(c.points, function (x) { return x.hit_ratio; }), percent: true, color: '#059669' },
    ], { yPercent: true, yMin: 0, yMax: 1, empty: 'no samples yet: the ratio is sampled once a minute' });
    $('rec-cache-total').textContent = 'Since this process started: ' + fmt(c.totals.hit, 0) + ' reads from Redis, ' + fmt(c.totals.miss_store, 0) + ' from MongoDB, ' + fmt(c.totals.miss_cold_start, 0) + ' cold-start lists: hit ratio ' + pct(c.totals.hit_ratio) + '.';
    renderHitRates(d.hit_rates);
  }

  function renderHitRates(hr) {
    var box = clear($('rec-hitrates'));
    box.appendChild(h('h3', { text: 'A/B variants: live hit rate' + (hr.window_days ? ' (playlists of the last ' + hr.window_days + ' days)' : '') }));
    if (hr.error) { box.appendChild(h('p', { class: 'bad-text', text: 'could not read: ' + hr.error })); return; }
    if (!hr.variants.length) { box.appendChild(h('p', { class: 'muted empty', text: 'no playlists in the window yet' })); box.setAttribute('data-variants', '0'); return; }
    box.setAttribute('data-variants', String(hr.variants.length));
    box.appendChild(h('p', { class: 'muted', text: 'Share of users who listened to at least one track of a playlist of their variant after it was generated.' }));
    var max = hr.variants.reduce(function (a, v) { return Math.max(a, v.rate); }, 0) || 1;
    box.appendChild(h('table', { class: 'bars' },
      h('thead', null, h('tr', null, h('th', { scope: 'col', text: 'variant' }), h('th', { scope: 'col', text: 'hit rate' }), h('th', { scope: 'col', text: 'users' }))),
      h('tbody', null, hr.variants.map(function (v, i) {
        return h('tr', { 'data-variant': v.variant },
          h('th', { scope: 'row' }, h('code', { text: v.variant })),
          h('td', null, h('span', { class: 'bar', style: 'width:' + Math.max(2, (180 * v.rate) / max).toFixed(0) + 'px;background:' + COLORS[i % COLORS.length] }), ' ' + pct(v.rate)),
          h('td', { text: fmt(v.hits, 0) + ' of ' + fmt(v.users, 0) }));
      }))));
    var days = h('div', { id: 'c-rec-hitdays', 'data-chart': 'c-rec-hitdays', class: 'inner-chart' });
    box.appendChild(days);
    var names = hr.by_day.map(function (d) { return d.run_date; });
    lineChart(days, 'Hit rate per variant, by the data day of the playlists', names.map(function (n, i) { return i; }), hr.variants.map(function (v) {
      return { label: v.variant, values: hr.by_day.map(function (d) { return d.rates[v.variant]; }), percent: true, points: true };
    }), { categorical: names, tickLabels: names.map(function (n) { return n.slice(5); }), tickSpace: 48, yPercent: true, yMin: 0, yMax: 1, height: 170 });
  }

  function segmentsBar(v, t0, t1) {
    var track = h('div', { class: 'tl-track' });
    var span = Math.max(1, t1 - t0);
    v.timeline.forEach(function (s) {
      var a = Date.parse(s.from) / 1000, b = s.to ? Date.parse(s.to) / 1000 : t1;
      var left = (100 * (a - t0)) / span, width = Math.max(0.6, (100 * (b - a)) / span);
      track.appendChild(h('span', { class: 'tl-seg', title: s.status + ': ' + when(s.from) + ' → ' + (s.to ? when(s.to) : 'now'), style: 'left:' + left.toFixed(2) + '%;width:' + width.toFixed(2) + '%;background:' + (STATUS_COLORS[s.status] || '#64748b') }));
    });
    return track;
  }

  function renderModels(d) {
    var vs = d.versions;
    var tl = clear($('mod-timeline'));
    tl.setAttribute('data-versions', String(vs.length));
    tl.appendChild(h('h3', { text: 'Version timeline' }));
    if (!vs.length) tl.appendChild(h('p', { class: 'muted empty', text: 'no model version yet' }));
    else {
      var t0 = Math.min.apply(null, vs.map(function (v) { return Date.parse(v.created_at || v.timeline[0].from) / 1000; }));
      var t1 = Date.now() / 1000;
      tl.appendChild(h('ol', { class: 'timeline' }, vs.slice().reverse().map(function (v) {
        return h('li', null,
          h('span', { class: 'tl-label' }, h('code', { text: v.version }), ' ', h('span', { class: 'family', text: v.family }), ' ', badge(v.label)),
          segmentsBar(v, t0, t1));
      })));
      tl.appendChild(h('p', { class: 'legend' }, Object.keys(STATUS_COLORS).map(function (k) { return h('span', null, h('span', { class: 'swatch', style: 'background:' + STATUS_COLORS[k] }), k); })));
      tl.appendChild(h('p', { class: 'muted', text: 'From ' + when(new Date(t0 * 1000).toISOString()) + ' to now.' }));
    }
    var names = vs.map(function (v) { return v.version; });
    var idx = vs.map(function (v, i) { return i; });
    [['ndcg', 'NDCG@10'], ['precision', 'Precision@10'], ['recall', 'Recall@10'], ['coverage', 'Catalogue coverage@10']].forEach(function (m) {
      lineChart($('c-mod-' + m[0]), m[1] + ' by version, on its held-out split', idx, [
        { label: 'model', values: vs.map(function (v) { return v.metrics[m[0]]; }), points: true },
        { label: 'popularity', values: vs.map(function (v) { return v.popularity[m[0]]; }), color: '#94a3b8', dash: [5, 4], points: true },
        { label: 'production then', values: vs.map(function (v) { return v.production_at_training ? v.production_at_training[m[0]] : null; }), color: '#16a34a', dash: [2, 3], points: true },
      ], { categorical: names, empty: 'no model version yet', height: 190, yMin: 0 });
    });
    var table = clear($('mod-versions'));
    if (vs.length) table.appendChild(h('table', null,
      h('thead', null, h('tr', null, ['version', 'family', 'status', 'created', 'NDCG@10', 'precision', 'recall', 'coverage', 'held-out users', 'settings'].map(function (t) { return h('th', { scope: 'col', text: t }); }))),
      h('tbody', null, vs.slice().reverse().map(function (v) {
        var m = function (k) { return h('td', { class: 'num' }, fmt(v.metrics[k], 4), h('span', { class: 'muted', text: ' / ' + fmt(v.popularity[k], 4) })); };
        return h('tr', null, h('td', null, h('code', { text: v.version })), h('td', { text: v.family }), h('td', null, badge(v.label)), h('td', { text: when(v.created_at) }),
          m('ndcg'), m('precision'), m('recall'), m('coverage'), h('td', { class: 'num', text: fmt(v.held_out_users, 0) }),
          h('td', null, h('details', null, h('summary', { text: Object.keys(v.settings).length + ' settings' }), h('pre', { text: JSON.stringify(v.settings, null, 1) }))));
      }))), h('p', { class: 'muted', text: 'Metric cells: the version / popularity on the same split.' }));
    var dp = d.drift.points;
    var dseries = d.drift.features.map(function (f) { return { label: f, values: col(dp, function (x) { return x.psi[f]; }) }; });
    if (d.drift.threshold !== null && dp.length) dseries.push({ label: 'alert threshold', values: dp.map(function () { return d.drift.threshold; }), color: '#dc2626', dash: [3, 3], points: false });
    lineChart($('c-mod-drift'), 'Drift per feature (PSI, training window vs last days), per training run', xsOf(dp), dseries, { labels: runLabels(dp), yMin: 0, empty: 'no training run has measured drift yet' });
    var dec = clear($('mod-decisions'));
    dec.setAttribute('data-decisions', String(d.decisions.length));
    if (!d.decisions.length) dec.appendChild(h('p', { class: 'muted empty', text: 'no decision yet' }));
    else dec.appendChild(h('table', null,
      h('thead', null, h('tr', null, ['when', 'decision', 'version', 'reason'].map(function (t) { return h('th', { scope: 'col', text: t }); }))),
      h('tbody', null, d.decisions.map(function (x) {
        return h('tr', null, h('td', { text: when(x.at) }), h('td', null, badge(x.decision === 'rolled_back' ? 'rolled back' : x.decision), h('div', { class: 'muted small', text: x.source === 'training' ? 'gate' : 'registry' })),
          h('td', null, x.version ? h('code', { text: x.version }) : '–'),
          h('td', null, x.reason, x.checks.length ? h('ul', { class: 'checks' }, x.checks.map(function (c) { return h('li', { class: c.passed ? 'pass' : 'fail' }, (c.passed ? '✓ ' : '✗ ') + c.detail); })) : null));
      }))));
  }

  // ------------------------------------------------------------ user view
  async function showUser(id) {
    var box = clear($('user-result'));
    box.setAttribute('aria-busy', 'true');
    try {
      var u = await getJson('users/' + encodeURIComponent(id));
      box.appendChild(kv([
        ['user', h('code', { text: String(u.user_id) })],
        ['favourite genres', u.favorite_genres.join(', ') || '–'],
        ['account', u.account_status || '–'],
        ['listens', fmt(u.listens_total, 0) + (u.history_updated_at ? ' (history updated ' + when(u.history_updated_at) + ')' : '')],
      ]));
      var grid = h('div', { class: 'user-grid' });
      grid.appendChild(h('div', null, h('h3', { text: 'Recent listens (newest first)' }),
        u.recent_listens.length ? h('ol', { class: 'listens' }, u.recent_listens.map(function (t) { return h('li', null, h('b', { text: t.name || '#' + t.track_id }), ' — ' + (t.artist || '?'), h('span', { class: 'muted', text: ' ' + t.genres.join(', ') })); })) : h('p', { class: 'muted', text: 'no listens' })));
      var pl = u.playlist;
      var right = h('div', { id: 'user-playlist', 'data-tracks': pl ? String(pl.tracks.length) : '0' });
      if (!pl) right.appendChild(h('p', { class: 'muted', text: 'no stored playlist: this user is served a cold-start list' }));
      else {
        right.appendChild(h('h3', { text: 'Playlist of ' + (pl.run_date || when(pl.created_at)) }));
        right.appendChild(h('p', { class: 'muted' }, 'recommender ', h('b', { text: pl.recommender }), pl.model_version ? h('span', null, ' · model ', h('code', { text: pl.model_version })) : null, ' · variant ', h('code', { text: pl.variant }), ' · ' + when(pl.created_at)));
        right.appendChild(h('table', null,
          h('thead', null, h('tr', null, ['#', 'track', 'genre', 'score', 'source', 'why'].map(function (t) { return h('th', { scope: 'col', text: t }); }))),
          h('tbody', null, pl.tracks.map(function (t) {
            return h('tr', null, h('td', { class: 'num', text: String(t.rank) }), h('td', null, h('b', { text: t.name || '#' + t.track_id }), h('div', { class: 'muted small', text: t.artist || '' })),
              h('td', null, t.genres.join(', '), t.genre_match ? h('span', { class: 'tag', text: t.genre_match }) : null),
              h('td', { class: 'num', text: fmt(t.score, 3) }),
              h('td', null, t.source ? h('span', { class: 'tag' + (t.fallback ? ' tag-warn' : ''), text: t.fallback ? 'fallback: ' + t.source : t.source }) : '–'),
              h('td', { class: 'small', text: t.why }));
          }))));
      }
      grid.appendChild(right);
      box.appendChild(grid);
    } catch (e) {
      box.appendChild(h('p', { class: 'bad-text', role: 'alert', text: String(e.message || e) }));
    } finally {
      box.removeAttribute('aria-busy');
    }
  }

  // ------------------------------------------------------------ load
  function sectionError(id, e) { var el = $(id); el.insertBefore(h('p', { class: 'bad-text', role: 'alert', text: 'could not load: ' + (e.message || e) }), el.firstChild); }
  async function load() {
    var q = '?days=' + state.days;
    var results = await Promise.allSettled([getJson('ingestion' + q), getJson('recommendations' + q), getJson('models' + q)]);
    destroyCharts();
    document.querySelectorAll('.bad-text[role=alert]').forEach(function (x) { if (!x.closest('#user-result')) x.remove(); });
    var ing = results[0].status === 'fulfilled' ? results[0].value : null;
    var rec = results[1].status === 'fulfilled' ? results[1].value : null;
    var mod = results[2].status === 'fulfilled' ? results[2].value : null;
    renderSummary(ing, rec, mod);
    if (ing) renderIngestion(ing); else sectionError('ingestion', results[0].reason);
    if (rec) renderRecommendations(rec); else sectionError('recommendations', results[1].reason);
    if (mod) renderModels(mod); else sectionError('models', results[2].reason);
    $('updated').textContent = 'updated ' + new Date().toISOString().slice(11, 19) + ' UTC';
    document.body.setAttribute('data-loaded', String(Number(document.body.getAttribute('data-loaded') || 0) + 1));
  }

  document.addEventListener('DOMContentLoaded', function () {
    var range = $('range');
    state.days = Number(range.value);
    range.addEventListener('change', function () { state.days = Number(range.value); load(); });
    $('user-form').addEventListener('submit', function (e) {
      e.preventDefault();
      var id = $('user-id').value.trim();
      if (!/^\d+$/.test(id)) { clear($('user-result')).appendChild(h('p', { class: 'bad-text', role: 'alert', text: 'a user id is a whole number' })); return; }
      history.replaceState(null, '', '#user=' + id);
      showUser(id);
    });
    var m = /user=(\d+)/.exec(location.hash);
    if (m) { $('user-id').value = m[1]; showUser(m[1]); }
    load();
    setInterval(function () { if (!document.hidden) load(); }, 60000);
  });
})();
`;
