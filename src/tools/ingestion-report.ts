import { ENDPOINTS } from '../ingestion/endpoints.js';
import type { IngestionRunDoc } from '../ingestion/ingestion.schemas.js';
import { textTable } from './text-table.js';

const COLUMNS = ['endpoint', 'pages', 'fetched', 'inserted', 'updated', 'unchanged', 'rejected', 'retries', 'events', 'quarantined', 'seconds'] as const;

/** A run record as a plain-text table (the CLI's summary). */
export function renderRunSummary(run: IngestionRunDoc): string {
  const rows: string[][] = [];
  for (const e of ENDPOINTS) {
    const s = run.endpoints[e];
    const history = e === 'listen_history';
    rows.push([e, s.pages, s.fetched, s.inserted, s.updated, s.unchanged, s.rejected, s.retries, history ? s.events_inserted : '', history ? (s.quarantined ?? 0) : '', s.duration_s].map(String));
  }
  const table = textTable(COLUMNS, rows, { rule: false });
  const lines = [
    `ingestion run ${run._id} (${run.trigger}, run date ${run.run_date}): ${run.status}${run.duration_s === null ? '' : ` in ${run.duration_s} s`}, attempt ${run.attempts} of ${run.max_attempts}`,
    table,
  ];
  if (run.error) lines.push(`error: ${run.error}`);
  if (run.anomaly?.anomalous) lines.push(...run.anomaly.reasons.map((r) => `anomaly: ${r}`));
  if (run.chain_held) lines.push(`recommendations not enqueued: ${run.chain_held}`);
  return lines.join('\n');
}
