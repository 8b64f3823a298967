import type { DashboardSummary, RunRow } from './dashboard.service.js';

const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STATUS_CLASS: Record<string, string> = {
  succeeded: 'ok',
  completed: 'ok',
  succeeded_with_rejections: 'warn',
  running: 'run',
  failed: 'bad',
};

function runTable(title: string, runs: RunRow[], error?: string): string {
  const rows = runs
    .map(
      (r) =>
        `<tr><td><code>${esc(r.id)}</code></td><td><span class="s ${STATUS_CLASS[r.status] ?? ''}">${esc(r.status)}</span></td><td>${esc(r.trigger ?? '')}</td>` +
        `<td>${esc(r.started_at ?? '')}</td><td>${esc(r.finished_at ?? '')}</td><td>${r.duration_s === null ? '' : esc(r.duration_s.toFixed(1))}</td><td>${esc(r.detail ?? '')}</td></tr>`,
    )
    .join('');
  const body = error
    ? `<p class="bad">could not read: ${esc(error)}</p>`
    : runs.length === 0
      ? '<p class="muted">no runs recorded yet</p>'
      : `<table><tr><th>run</th><th>status</th><th>trigger</th><th>started</th><th>finished</th><th>seconds</th><th>detail</th></tr>${rows}</table>`;
  return `<div class="runs"><h3>${esc(title)}</h3>${body}</div>`;
}

const chart = (id: string, label: string) =>
  `<figure class="chart" id="${id}" data-chart="${id}" aria-label="${esc(label)}"><h3>${esc(label)}</h3><p class="muted">loading…</p></figure>`;

/**
 * The /admin page: the charts (drawn by /admin/assets/dashboard.js from /admin/api/*, with the
 * locally served uPlot), the user view, then the last runs and queue counts rendered here, so the
 * page says the essentials even before (or without) its script.
 */
export function renderDashboard(s: DashboardSummary): string {
  const model = s.production_model
    ? `<p>version <code>${esc(s.production_model.version)}</code>${s.production_model.promoted_at ? ` since ${esc(s.production_model.promoted_at)}` : ''}</p>` +
      (Object.keys(s.production_model.metrics).length > 0
        ? `<table>${Object.entries(s.production_model.metrics)
            .map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v.toFixed(4))}</td></tr>`)
            .join('')}</table>`
        : '')
    : `<p class="muted">${s.production_model_error ? `could not read: ${esc(s.production_model_error)}` : 'no model in production yet: playlists come from the popularity and genre recommenders'}</p>`;
  const states = [...new Set(Object.values(s.queues).flatMap((c) => Object.keys(c)))];
  const queues = s.queues_error
    ? `<p class="bad">could not read: ${esc(s.queues_error)}</p>`
    : `<table><tr><th>queue</th>${states.map((st) => `<th>${esc(st)}</th>`).join('')}</tr>${Object.entries(s.queues)
        .map(
          ([q, c]) =>
            `<tr><td>${esc(q)}</td>${states.map((st) => `<td class="${st === 'failed' && (c[st] ?? 0) > 0 ? 'bad' : ''}">${esc(c[st] ?? 0)}</td>`).join('')}</tr>`,
        )
        .join('')}</table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>MooVitamix pipeline</title><link rel="icon" href="data:,">
<link rel="stylesheet" href="/admin/assets/uplot.css"><link rel="stylesheet" href="/admin/assets/dashboard.css">
<script src="/admin/assets/uplot.js" defer></script><script src="/admin/assets/dashboard.js" defer></script></head>
<body>
<a class="skip" href="#main">Skip to the charts</a>
<header><h1>MooVitamix pipeline</h1>
<nav aria-label="Tools">${s.links.map((l) => `<a href="${esc(l.href)}">${esc(l.label)}</a>`).join('')}</nav>
<div class="bar"><nav aria-label="Sections"><a href="#ingestion">Ingestion</a><a href="#recommendations">Recommendations</a><a href="#models">Models</a><a href="#user">User view</a><a href="#runs">Runs and queues</a></nav>
<div class="controls"><label for="range">Range</label> <select id="range"><option value="7">7 days</option><option value="30">30 days</option><option value="90">90 days</option><option value="365" selected>1 year</option><option value="1095">3 years</option></select>
<span class="muted" id="updated" aria-live="polite">generated ${esc(s.generated_at)}</span></div></div>
</header>
<main id="main">
<section id="summary" class="cards" aria-label="Last runs"><noscript><p>The charts need JavaScript; the last runs are listed at the bottom of the page.</p></noscript></section>
<section id="ingestion"><h2>Ingestion</h2><div class="grid">
${chart('c-ing-records', 'Records fetched per endpoint, per run')}${chart('c-ing-duration', 'Run duration')}${chart('c-ing-quality', 'Retries and rejected records per run')}${chart('c-ing-anomalies', 'Anomalous and failed runs')}
</div><div id="ing-anomalies"></div></section>
<section id="recommendations"><h2>Recommendations</h2><div class="grid">
${chart('c-rec-coverage', 'Coverage')}${chart('c-rec-freshness', 'Freshness')}${chart('c-rec-users', 'Users per run')}${chart('c-rec-variants', 'Users recomputed per variant')}${chart('c-rec-cache', 'Cache hit ratio')}
<figure class="chart" id="rec-hitrates" aria-label="A/B variants' live hit rates"><h3>A/B variants: live hit rate</h3><p class="muted">loading…</p></figure>
</div><p class="muted" id="rec-cache-total"></p></section>
<section id="models"><h2>Models</h2>
<div id="mod-timeline" class="panel"></div>
<div class="grid">${chart('c-mod-ndcg', 'NDCG@10')}${chart('c-mod-precision', 'Precision@10')}${chart('c-mod-recall', 'Recall@10')}${chart('c-mod-coverage', 'Coverage@10')}</div>
<h3>Versions, their family and settings</h3><div id="mod-versions" class="scroll"></div>
<div class="grid">${chart('c-mod-drift', 'Drift per feature')}</div>
<h3>Decisions and their reasons</h3><div id="mod-decisions" class="scroll"></div>
</section>
<section id="user"><h2>User view</h2>
<form id="user-form" class="controls"><label for="user-id">User id</label> <input id="user-id" name="user" inputmode="numeric" pattern="[0-9]+" autocomplete="off" size="10" required> <button type="submit">Show</button>
<span class="muted">recent listens, and the newest playlist with why each track is in it</span></form>
<div id="user-result" aria-live="polite"></div></section>
<section id="runs"><h2>Runs and queues</h2>
<div class="grid grid-3"><div><h3>Production model</h3>${model}</div><div><h3>Queues</h3>${queues}</div></div>
${runTable('Ingestion runs', s.stages.ingestion.runs, s.stages.ingestion.error)}
${runTable('Recommendation runs', s.stages.recommendations.runs, s.stages.recommendations.error)}
${runTable('Training runs', s.stages.training.runs, s.stages.training.error)}
</section>
</main>
</body></html>`;
}
