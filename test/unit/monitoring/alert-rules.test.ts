import { readFileSync } from 'node:fs';
import { register } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { PipelineMetrics } from '../../../src/monitoring/pipeline-metrics.js';

// The rules' behaviour is tested by promtool (prometheus/alerts.test.yml, run by scripts/test.sh);
// this holds the files together: annotations, test coverage of every alert, metric names, runbooks.
interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
const rulesOf = (file: string) =>
  (parse(readFileSync(file, 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> }).groups.flatMap((g) => g.rules);
const alerts = rulesOf('prometheus/alerts.yml');
const recordings = rulesOf('prometheus/recording.yml');
const testText = readFileSync('prometheus/alerts.test.yml', 'utf8');
const tests = parse(testText) as {
  rule_files: string[];
  tests: Array<{ interval: string; alert_rule_test?: Array<{ alertname: string; exp_alerts: unknown[] }> }>;
};
const docs = readFileSync('docs/observability.md', 'utf8');

describe('alert rules', () => {
  it('cover every condition issue 6 lists', () => {
    const names = alerts.map((a) => a.alert);
    for (const name of [
      'IngestionErrorRatioHigh',
      'IngestionNoSuccess',
      'IngestionRunDurationHigh',
      'IngestionVolumeAnomaly',
      'IngestionRejectedRatioHigh',
      'RecommendationsStale',
      'RecommendationCoverageDropped',
      'QueueBacklogGrowing',
      'QueueJobsFailed',
      'ModelDriftHigh',
      'TargetDown',
    ]) {
      expect(names).toContain(name);
    }
    expect(new Set(names).size).toBe(names.length);
  });

  it('each have a severity, a summary and a runbook line, and a runbook section in docs/observability.md', () => {
    for (const a of alerts) {
      expect(['warning', 'critical'], a.alert).toContain(a.labels?.severity);
      expect(a.annotations?.summary?.length, a.alert).toBeGreaterThan(10);
      expect(a.annotations?.runbook?.length, a.alert).toBeGreaterThan(20);
      expect(docs, a.alert).toMatch(new RegExp(`^#### ${a.alert}$`, 'm'));
    }
  });

  it('each have a promtool test where they fire and one where they stay quiet', () => {
    expect(tests.rule_files.sort()).toEqual(['alerts.yml', 'recording.yml']);
    const cases = tests.tests.flatMap((t) => t.alert_rule_test ?? []);
    for (const a of alerts) {
      const mine = cases.filter((c) => c.alertname === a.alert);
      expect(
        mine.some((c) => c.exp_alerts.length > 0),
        `${a.alert} fires`,
      ).toBe(true);
      expect(
        mine.some((c) => c.exp_alerts.length === 0),
        `${a.alert} stays quiet`,
      ).toBe(true);
    }
  });

  it('keep the layout scripts/test.sh counts: one "  - interval:" line per test group', () => {
    expect(testText.match(/^ {2}- interval:/gm)?.length).toBe(tests.tests.length);
  });

  it('only use metrics the application declares', () => {
    new PipelineMetrics();
    const declared = new Set(register.getMetricsAsArray().map((m) => (m as unknown as { name: string }).name));
    const used = new Set(
      [...alerts, ...recordings].flatMap((r) =>
        [...r.expr.matchAll(/\b(moovitamix_[a-z_]+?)(?:_bucket|_count|_sum)?\b(?=[{[\s)]|$)/g)].map((m) => m[1]!),
      ),
    );
    expect(used.size).toBeGreaterThan(10);
    for (const name of used) expect(declared, name).toContain(name);
  });
});
