import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { HotCounter, HotHistogram } from '../../../src/monitoring/hot-metrics.js';

/** The exposition text of one metric in a registry of its own. */
async function exposition(metric: unknown): Promise<string> {
  const registry = new Registry();
  registry.registerMetric(metric as Parameters<Registry['registerMetric']>[0]);
  return registry.metrics();
}

describe('hot metrics', () => {
  it('expose a histogram exactly as prom-client does for the same observations', async () => {
    const buckets = [0.001, 0.01, 0.1, 1];
    const hot = new HotHistogram('t_duration_seconds', 'help text', ['method', 'route', 'status'], buckets);
    const reference = new Histogram({
      name: 't_duration_seconds',
      help: 'help text',
      labelNames: ['method', 'route', 'status'],
      buckets,
      registers: [],
    });
    const observations: Array<[string, string, string, number]> = [
      ['GET', '/a/:id', '200', 0.0004],
      ['GET', '/a/:id', '200', 0.001],
      ['GET', '/a/:id', '200', 0.05],
      ['GET', '/a/:id', '404', 3],
      ['POST', 'unmatched', '401', 0.1],
    ];
    for (const [method, route, status, v] of observations) {
      hot.with(method, route, status).observe(v);
      reference.observe({ method, route, status }, v);
    }
    expect(await exposition(hot)).toBe(await exposition(reference));
  });

  it('expose a counter exactly as prom-client does, zero series included', async () => {
    const hot = new HotCounter('t_reads_total', 'reads', ['result']);
    const reference = new Counter({ name: 't_reads_total', help: 'reads', labelNames: ['result'], registers: [] });
    hot.with('miss');
    reference.inc({ result: 'miss' }, 0);
    for (let i = 0; i < 3; i++) {
      hot.with('hit').inc();
      reference.inc({ result: 'hit' });
    }
    hot.with('hit').inc(2);
    reference.inc({ result: 'hit' }, 2);
    expect(await exposition(hot)).toBe(await exposition(reference));
  });

  it('refuse the wrong number of label values, naming the labels', () => {
    const hot = new HotCounter('t_x_total', 'x', ['a', 'b']);
    expect(() => hot.with('only-one')).toThrow(/t_x_total: expected 2 label values \(a, b\), got 1/);
  });

  it('start again from nothing on reset', async () => {
    const hot = new HotCounter('t_y_total', 'y', ['a']);
    hot.with('1').inc();
    hot.reset();
    expect(hot.get().values).toEqual([]);
  });
});

describe('hot histogram JSON', () => {
  it('gives each value all its labels, as prom-client does', async () => {
    const hot = new HotHistogram('t_j_seconds', 'j', ['route'], [1]);
    const reference = new Histogram({ name: 't_j_seconds', help: 'j', labelNames: ['route'], buckets: [1], registers: [] });
    hot.with('/x').observe(0.5);
    reference.observe({ route: '/x' }, 0.5);
    // Exemplars (null in prom-client's values) are not kept by hot metrics.
    const strip = (d: { values: Array<{ labels: object; value: number; metricName?: string }> }) =>
      d.values.map(({ labels, value, metricName }) => ({ labels, value, metricName }));
    expect(strip(hot.get())).toEqual(strip(await reference.get()));
  });
});
