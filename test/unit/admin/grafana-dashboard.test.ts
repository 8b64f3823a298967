import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collectDefaultMetrics, Registry, register } from 'prom-client';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { METRIC_PREFIX, PipelineMetrics } from '../../../src/monitoring/pipeline-metrics.js';

// The Grafana dashboard cannot run here (no Grafana): this holds every query against the metrics
// the app registers, the recording rules Prometheus loads, and promtool's PromQL parser.
interface Panel {
  type: string;
  title: string;
  id: number;
  datasource?: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets?: Array<{ refId: string; expr: string; datasource?: { uid: string } }>;
  panels?: Panel[];
}
const DASHBOARD = 'grafana/dashboards/moovitamix-pipeline.json';
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8')) as { uid: string; title: string; panels: Panel[] };
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, ...t })));

// Every metric of ours as /metrics exposes it: the pipeline metrics and the Node process metrics (with our prefix).
new PipelineMetrics();
const processMetrics = new Registry();
collectDefaultMetrics({ register: processMetrics, prefix: METRIC_PREFIX });
interface Known {
  type: string;
  labels: Set<string>;
}
const known = new Map<string, Known>();
for (const reg of [register, processMetrics]) {
  for (const m of reg.getMetricsAsArray()) {
    const labelNames = ((m as unknown as { labelNames?: string[] }).labelNames ?? []) as string[];
    known.set((m as unknown as { name: string }).name, { type: (m as unknown as { type: string }).type, labels: new Set(labelNames) });
  }
}
const recording = parse(readFileSync('prometheus/recording.yml', 'utf8')) as { groups: Array<{ rules: Array<{ record?: string }> }> };
const recorded = new Set(recording.groups.flatMap((g) => g.rules.map((r) => r.record).filter((r): r is string => !!r)));
// Labels Prometheus adds to every scraped series (prometheus/prometheus.yml), and `up`'s.
const TARGET_LABELS = new Set(['job', 'instance', 'role']);

/** The metric a series name of the exposition belongs to (histograms expose _bucket, _sum, _count). */
function metricOf(name: string): Known | undefined {
  const direct = known.get(name);
  if (direct) return direct;
  const m = /^(.*)_(bucket|sum|count)$/.exec(name);
  const base = m ? known.get(m[1]!) : undefined;
  return base && (base.type === 'histogram' || base.type === 'summary') ? base : undefined;
}

const tmp = mkdtempSync(join(tmpdir(), 'moovitamix-grafana-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('the Grafana dashboard', () => {
  it('has panels with queries, unique ids, on the 24-column grid', () => {
    expect(dashboard.uid).toBe('moovitamix-pipeline');
    expect(queries.length).toBeGreaterThanOrEqual(30);
    const ids = panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of panels) expect(p.gridPos.x + p.gridPos.w, p.title).toBeLessThanOrEqual(24);
  });

  it('names in every query only metrics the app registers or recording rules Prometheus loads, with their labels', () => {
    const problems: string[] = [];
    for (const q of queries) {
      const names = [...q.expr.matchAll(/\b(moovitamix[_:][A-Za-z0-9_:]+|up)\b(\{[^}]*\})?/g)];
      if (names.length === 0) problems.push(`${q.panel}: no metric in ${q.expr}`);
      for (const [, name, selector] of names) {
        if (name!.includes(':')) {
          if (!recorded.has(name!)) problems.push(`${q.panel}: ${name} is not a recording rule of prometheus/recording.yml`);
          continue;
        }
        if (name === 'up') continue;
        const metric = metricOf(name!);
        if (!metric) {
          problems.push(`${q.panel}: ${name} is not a registered metric`);
          continue;
        }
        for (const [, label] of (selector ?? '').matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)) {
          if (!metric.labels.has(label!) && !TARGET_LABELS.has(label!)) problems.push(`${q.panel}: ${name} has no label ${label}`);
        }
      }
      // Labels grouped by must exist on some metric of the query (or be added by the scrape).
      const labelsOfQuery = new Set([...TARGET_LABELS, 'le', ...names.flatMap(([, n]) => [...(metricOf(n!)?.labels ?? [])])]);
      for (const [, list] of q.expr.matchAll(/\bby\s*\(([^)]*)\)/g)) {
        for (const label of list!
          .split(',')
          .map((l) => l.trim())
          .filter(Boolean)) {
          if (!labelsOfQuery.has(label) && !names.some(([, n]) => n!.includes(':')))
            problems.push(`${q.panel}: groups by ${label}, which no metric of the query has`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('has queries that PromQL parses (promtool check rules)', () => {
    const file = join(tmp, 'queries.yml');
    writeFileSync(
      file,
      stringify({ groups: [{ name: 'dashboard', rules: queries.map((q, i) => ({ record: `dashboard:query_${i}`, expr: q.expr })) }] }),
    );
    expect(() => execFileSync('promtool', ['check', 'rules', file], { stdio: 'pipe' })).not.toThrow();
  });

  it('is provisioned in docker-compose.yml with the data source its panels name', () => {
    const compose = parse(readFileSync('docker-compose.yml', 'utf8'), { merge: true }) as {
      services: Record<
        string,
        {
          image?: string;
          volumes?: string[];
          ports?: string[];
          depends_on?: string[];
          secrets?: string[];
          environment?: Record<string, string>;
        }
      >;
      volumes: Record<string, unknown>;
    };
    const grafana = compose.services.grafana!;
    expect(grafana.image).toMatch(/^grafana\/grafana:\d+\.\d+\.\d+$/);
    expect(grafana.volumes).toEqual(
      expect.arrayContaining([
        './grafana/provisioning:/etc/grafana/provisioning:ro',
        './grafana/dashboards:/var/lib/grafana/dashboards:ro',
      ]),
    );
    expect(grafana.depends_on).toContain('prometheus');
    expect(grafana.ports).toEqual(['${PUBLISH_ADDRESS:-127.0.0.1}:3001:3000']);
    expect(grafana.environment!.GF_SECURITY_ADMIN_PASSWORD__FILE).toBe('/run/secrets/admin_token');
    expect(grafana.secrets).toEqual(['admin_token']);
    expect(grafana.environment!.GF_AUTH_ANONYMOUS_ENABLED).toBe('false');
    expect(compose.volumes).toHaveProperty('grafana-data');

    const datasources = parse(readFileSync('grafana/provisioning/datasources/prometheus.yml', 'utf8')) as {
      datasources: Array<{ uid: string; type: string; url: string }>;
    };
    const [ds] = datasources.datasources;
    expect(ds).toMatchObject({ type: 'prometheus', url: 'http://prometheus:9090' });
    for (const p of panels.filter((x) => x.type !== 'row')) {
      expect(p.datasource?.uid, p.title).toBe(ds!.uid);
      for (const t of p.targets ?? []) expect(t.datasource?.uid, p.title).toBe(ds!.uid);
    }
    const providers = parse(readFileSync('grafana/provisioning/dashboards/moovitamix.yml', 'utf8')) as {
      providers: Array<{ type: string; options: { path: string } }>;
    };
    expect(providers.providers[0]).toMatchObject({ type: 'file', options: { path: '/var/lib/grafana/dashboards' } });
  });
});
