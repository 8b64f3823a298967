import type { MetricsRecord, TrainingRunDoc } from '../training/registry/registry.schemas.js';
import { textTable } from './text-table.js';

const f4 = (v: number | undefined) => (v === undefined ? '-' : v.toFixed(4));

/** The three systems of a run side by side. */
export function metricsTable(run: Pick<TrainingRunDoc, 'metrics' | 'version' | 'production_version'>): string {
  const m = run.metrics;
  if (!m) return '(no evaluation)';
  const row = (name: string, r: MetricsRecord | null) => (r ? [name, f4(r.precision), f4(r.recall), f4(r.ndcg), f4(r.map), f4(r.coverage), String(r.users)] : [name, '-', '-', '-', '-', '-', '-']);
  return textTable(
    ['system', 'P@10', 'R@10', 'NDCG@10', 'MAP@10', 'coverage', 'users'],
    [row(`candidate ${run.version ?? ''}`.trim(), m.candidate), row(`production ${run.production_version ?? '(none)'}`, m.production), row('popularity', m.popularity)],
  );
}

/** What `npm run train` prints about a finished run. */
export function renderRun(run: TrainingRunDoc): string {
  const lines = [`training run ${run._id}: ${run.status}, decision ${run.decision ?? '-'}`, `reason: ${run.reason ?? '-'}`];
  if (run.window) {
    const heldOut = run.split === 'per_user' ? 'held out: the last 20% of each user\'s listens (first load)' : `held out from ${iso(run.window.evaluation_start ?? run.window.validation_start)}`;
    lines.push(`window: ${iso(run.window.start)} .. ${iso(run.window.end)}, ${heldOut}`);
  }
  if (run.sizes) lines.push(`data: ${Object.entries(run.sizes).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  if (run.settings) lines.push(`settings: ${Object.entries(run.settings).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
  if (run.metrics) lines.push('', metricsTable(run), '');
  if (run.gate) lines.push(`gate: ${run.gate.reason}`);
  const drift = run.drift as { psi?: Record<string, number>; drifted?: string[] } | null;
  if (drift?.psi) lines.push(`drift (PSI): ${Object.entries(drift.psi).map(([k, v]) => `${k}=${v.toFixed(4)}`).join(' ')}${drift.drifted?.length ? `; drifted: ${drift.drifted.join(', ')}` : ''}`);
  lines.push(`durations (s): ${Object.entries(run.durations ?? {}).map(([k, v]) => `${k}=${v}`).join(' ')}`);
  return lines.join('\n');
}

function iso(d: Date | string | undefined): string {
  return d ? new Date(d).toISOString() : '-';
}
