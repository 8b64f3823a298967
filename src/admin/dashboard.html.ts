import type { DashboardSummary, RunRow } from './dashboard.service.js';

const esc = (v: unknown): string =>
  String(v ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STATUS_CLASS: Record<string, string> = { succeeded: 'ok', completed: 'ok', succeeded_with_rejections: 'warn', running: 'run', failed: 'bad' };

function runTable(title: string, runs: RunRow[], error?: string): string {
  const rows = runs
    .map(
      (r) => `<tr><td><code>${esc(r.id)}</code></td><td><span class="s ${STATUS_CLASS[r.status] ?? ''}">${esc(r.status)}</span></td><td>${esc(r.trigger ?? '')}</td>` +
        `<td>${esc(r.started_at ?? '')}</td><td>${esc(r.finished_at ?? '')}</td><td>${r.duration_s === null ? '' : esc(r.duration_s.toFixed(1))}</td><td>${esc(r.detail ?? '')}</td></tr>`,
    )
    .join('');
  const body = error ? `<p class="bad">could not read: ${esc(error)}</p>` : runs.length === 0 ? '<p class="muted">no runs recorded yet</p>' : `<table><tr><th>run</th><th>status</th><th>trigger</th><th>started</th><th>finished</th><th>seconds</th><th>detail</th></tr>${rows}</table>`;
  return `<section><h2>${esc(title)}</h2>${body}</section>`;
}

/** The /admin page: plain HTML, no script, refreshed every 30 s. */
export function renderDashboard(s: DashboardSummary): string {
  const model = s.production_model
    ? `<p>version <code>${esc(s.production_model.version)}</code>${s.production_model.promoted_at ? ` since ${esc(s.production_model.promoted_at)}` : ''}</p>` +
      (Object.keys(s.production_model.metrics).length > 0
        ? `<table>${Object.entries(s.production_model.metrics).map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v.toFixed(4))}</td></tr>`).join('')}</table>`
        : '')
    : `<p class="muted">${s.production_model_error ? `could not read: ${esc(s.production_model_error)}` : 'no model in production yet: playlists come from the popularity and genre recommenders'}</p>`;
  const states = [...new Set(Object.values(s.queues).flatMap((c) => Object.keys(c)))];
  const queues = s.queues_error
    ? `<p class="bad">could not read: ${esc(s.queues_error)}</p>`
    : `<table><tr><th>queue</th>${states.map((st) => `<th>${esc(st)}</th>`).join('')}</tr>${Object.entries(s.queues)
        .map(([q, c]) => `<tr><td>${esc(q)}</td>${states.map((st) => `<td class="${st === 'failed' && (c[st] ?? 0) > 0 ? 'bad' : ''}">${esc(c[st] ?? 0)}</td>`).join('')}</tr>`)
        .join('')}</table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="30"><title>MooVitamix pipeline</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:.3em .6em;text-align:left}
th{background:#f5f5f5}.s{padding:.1em .4em;border-radius:3px}.ok{background:#d4f7d4}.warn{background:#fff2c2}.bad{background:#fdd;color:#900}.run{background:#dde9ff}.muted{color:#777}</style></head>
<body><h1>MooVitamix pipeline</h1><p class="muted">generated ${esc(s.generated_at)}</p>
<nav>${s.links.map((l) => `<a href="${esc(l.href)}">${esc(l.label)}</a>`).join(' · ')}</nav>
<section><h2>Production model</h2>${model}</section>
<section><h2>Queues</h2>${queues}</section>
${runTable('Ingestion runs', s.stages.ingestion.runs, s.stages.ingestion.error)}
${runTable('Recommendation runs', s.stages.recommendations.runs, s.stages.recommendations.error)}
${runTable('Training runs', s.stages.training.runs, s.stages.training.error)}
</body></html>`;
}
