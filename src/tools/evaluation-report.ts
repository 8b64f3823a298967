import { describeSpec, type ModelSpec } from '../training/model/model.js';
import type { EvaluationReport, ModelResult } from '../training/evaluation/evaluate.js';
import { textTable } from './text-table.js';

/** The search's trials, the results table, and last the RESULT line. */
export function renderReport(r: EvaluationReport): string {
  const lines: string[] = [];
  const f4 = (v: number) => v.toFixed(4);
  if (r.search) {
    const v = r.search.validation;
    lines.push(
      `Model search: ${r.search.trials.length} trials in ${r.search.seconds.toFixed(1)} s (budget ${r.search.budgetSeconds} s) on a ${v.method} validation carve-out of the training listens (${v.trainListens} fit, ${v.validationListens} held out, ${v.users} users); counts read relative to ${r.search.scale.countScale}`,
    );
    lines.push(
      textTable(
        ['trial', 'family', 'settings', `NDCG@${r.k}`, 'seconds'],
        r.search.trials.map((t) => [String(t.trial), t.family, describeSpec({ family: t.family, settings: t.settings } as ModelSpec).slice(t.family.length + 1), f4(t.metrics.ndcg), t.seconds.toFixed(1)]),
      ),
    );
    for (const s of r.search.skipped) lines.push(`not tried: ${s.family} (${s.reason})`);
    lines.push('');
  }
  lines.push(`Chosen: ${describeSpec(r.spec)}`);
  lines.push(`Split: ${r.split.method}; ${r.split.trainListens} training listens, ${r.split.testListens} test listens, ${r.split.testUsers} test users; catalogue ${r.catalogue} tracks`);
  lines.push('');
  lines.push(textTable(['model', `P@${r.k}`, `R@${r.k}`, `NDCG@${r.k}`, `MAP@${r.k}`, 'coverage', 'train s'], r.models.map((m) => [m.model, f4(m.precision), f4(m.recall), f4(m.ndcg), f4(m.map), f4(m.coverage), m.trainSeconds.toFixed(2)])));
  const [chosen, popularity] = r.models;
  const metrics = (m: ModelResult) => ({ precision: round(m.precision, 6), recall: round(m.recall, 6), ndcg: round(m.ndcg, 6), map: round(m.map, 6), coverage: round(m.coverage, 6), users: m.users, train_seconds: round(m.trainSeconds, 3) });
  const result = {
    k: r.k,
    split: r.split.method,
    train_listens: r.split.trainListens,
    test_listens: r.split.testListens,
    test_users: r.split.testUsers,
    catalogue: r.catalogue,
    family: r.spec.family,
    settings: r.spec.settings,
    tuning_trials: r.search?.trials.length ?? 0,
    tuning_seconds: round(r.tuningSeconds, 3),
    model: metrics(chosen),
    popularity: metrics(popularity),
  };
  lines.push(`RESULT ${JSON.stringify(result)}`);
  return lines.join('\n');
}

function round(v: number, digits: number): number {
  return Number(v.toFixed(digits));
}

