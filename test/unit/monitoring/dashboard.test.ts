import { describe, expect, it } from 'vitest';
import { renderDashboard } from '../../../src/admin/dashboard.html.js';
import { runRow, type DashboardSummary } from '../../../src/admin/dashboard.service.js';

const started = new Date('2026-03-01T03:00:00Z');
const finished = new Date('2026-03-01T03:02:30Z');

describe('dashboard rows', () => {
  it('reads a training run: status, decision, version and reason, duration from its times', () => {
    const row = runRow({
      _id: 'training-2026-03-01',
      status: 'succeeded',
      decision: 'canary',
      version: 'v12',
      reason: 'gate passed',
      trigger: 'cron',
      started_at: started,
      finished_at: finished,
    });
    expect(row).toEqual({
      id: 'training-2026-03-01',
      status: 'succeeded',
      trigger: 'cron',
      started_at: '2026-03-01T03:00:00.000Z',
      finished_at: '2026-03-01T03:02:30.000Z',
      duration_s: 150,
      detail: 'canary · version v12 · gate passed',
    });
  });

  it('shows the first line of an error (not its stack), and tolerates missing fields', () => {
    expect(runRow({ _id: 'i1', status: 'failed', error: 'retry budget exhausted\n    at Foo (x.js:1)' }).detail).toBe(
      'retry budget exhausted',
    );
    expect(runRow({ _id: 'i2', status: 'failed', error: { message: 'source down' } }).detail).toBe('source down');
    expect(runRow({ _id: 'i3', status: 'running', started_at: started })).toMatchObject({
      finished_at: null,
      duration_s: null,
      detail: null,
      trigger: null,
    });
    expect(runRow({ _id: 7 }).status).toBe('unknown');
  });
});

describe('dashboard page', () => {
  const summary = (over: Partial<DashboardSummary> = {}): DashboardSummary => ({
    generated_at: '2026-03-01T04:00:00.000Z',
    production_model: null,
    stages: { ingestion: { runs: [] }, recommendations: { runs: [] }, training: { runs: [] } },
    queues: { ingestion: { waiting: 0, failed: 2 } },
    links: [{ href: '/admin/queues', label: 'Bull Board' }],
    ...over,
  });

  it('escapes everything that comes from the store', () => {
    const html = renderDashboard(
      summary({
        stages: {
          ingestion: { runs: [runRow({ _id: '<script>alert(1)</script>', status: 'failed', error: '"><img src=x onerror=alert(1)>' })] },
          recommendations: { runs: [] },
          training: { runs: [] },
        },
        production_model: { version: "v1'<b>", promoted_at: null, metrics: { ndcg: 0.25 } },
      }),
    );
    expect(html).not.toContain('<script>alert');
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('v1&#39;&lt;b&gt;');
  });

  it('says when a collection is empty or could not be read, and flags failed jobs', () => {
    const html = renderDashboard(
      summary({ stages: { ingestion: { runs: [] }, recommendations: { runs: [], error: 'timed out' }, training: { runs: [] } } }),
    );
    expect(html).toContain('no runs recorded yet');
    expect(html).toContain('could not read: timed out');
    expect(html).toContain('no model in production yet');
    expect(html).toMatch(/<td class="bad">2<\/td>/);
  });
});
