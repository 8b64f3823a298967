import { loadConfig } from '../config/load-config.js';

/**
 * One full pipeline cycle against a running app, the way an operator would do it over REST:
 * ingest every endpoint, let the chained recommendation run finish, retrain (train, evaluate, gate,
 * canary), then show one listener's playlist. Used by scripts/run.sh; exits non-zero on a failed stage.
 *
 *   node dist/cli/cycle.js [--skip-training] [--timeout 900]   (--timeout-s, the old spelling, is read the same way)
 */
const settings = loadConfig();
const base = `http://127.0.0.1:${settings.HTTP_PORT}`;
const auth = { authorization: `Bearer ${settings.ADMIN_TOKEN}` };
const args = process.argv.slice(2);
const skipTraining = args.includes('--skip-training');
const timeoutIndex = args.findIndex((a) => a === '--timeout' || a === '--timeout-s');
const timeoutMs = (timeoutIndex >= 0 ? Number(args[timeoutIndex + 1]) : 900) * 1000;
if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) fail('--timeout takes a number of seconds');

type Json = Record<string, unknown>;

async function call(method: string, path: string, body?: Json): Promise<Json> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...auth, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as Json;
}

/** Polls `path` until `done(record)` says the record is final; prints the status when it changes. */
async function follow(label: string, path: string, done: (r: Json) => boolean): Promise<Json> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const r = await call('GET', path).catch((err: Error) => ({ status: `unreachable (${err.message})` }) as Json);
    const finished = done(r);
    const status = String(r.status ?? r.job_state ?? '?');
    if (status !== last) process.stdout.write(`  ${label}: ${status}\n`);
    last = status;
    if (finished) return r;
    await new Promise((res) => setTimeout(res, 1000));
  }
  throw new Error(`${label} did not finish within ${timeoutMs / 1000} s (last status: ${last})`);
}

function fail(message: string): never {
  process.stderr.write(`cycle: ${message}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  const started = Date.now();
  process.stdout.write(`\n== 1. Ingestion (every page of /tracks, /users, /listen_history from ${settings.MOCK_API_URL})\n`);
  const ing = await call('POST', '/ingestion/runs');
  const ingRun = await follow(`ingestion ${String(ing.run_id)}`, String(ing.status_url), (r) =>
    ['succeeded', 'succeeded_with_rejections', 'failed'].includes(String(r.status)),
  );
  const endpoints = (ingRun.endpoints ?? {}) as Record<string, Json>;
  for (const [name, e] of Object.entries(endpoints)) {
    process.stdout.write(
      `  ${name.padEnd(15)} pages ${e.pages} fetched ${e.fetched} inserted ${e.inserted} updated ${e.updated} unchanged ${e.unchanged} rejected ${e.rejected}\n`,
    );
  }
  if (ingRun.status === 'failed') fail(`ingestion failed: ${JSON.stringify(ingRun.error ?? ingRun.reason ?? null)}`);

  process.stdout.write('\n== 2. Recommendations (chained after a successful ingestion)\n');
  const runDate = String(ingRun.run_date);
  const daily = `/recommendations/runs/recommendations-${runDate}`;
  // The chained run is enqueued just after the ingestion record is closed: give it a moment to appear.
  let current: Json | null = null;
  for (let i = 0; i < 20 && !current; i++) {
    current = await call('GET', daily).catch(() => null);
    if (!current) await new Promise((res) => setTimeout(res, 500));
  }
  // The day's chained run may have finished in an earlier cycle: then ask for a fresh incremental run.
  if (!current || (current.started_at && Date.parse(String(current.started_at)) < started)) {
    const r = await call('POST', '/recommendations/runs');
    current = { status_url: r.status_url };
  }
  const recPath = current.status_url ? String(current.status_url) : daily;
  const recRun = await follow('recommendation run', recPath, (r) => ['succeeded', 'completed', 'failed'].includes(String(r.status)));
  process.stdout.write(
    `  users computed ${recRun.users_computed}, skipped ${recRun.users_skipped}, failed ${recRun.users_failed}; coverage ${recRun.coverage_ratio}\n`,
  );
  if (recRun.status === 'failed') fail('the recommendation run failed');

  if (!skipTraining) {
    process.stdout.write(
      '\n== 3. Retraining (collect, search the model families, evaluate against what production serves and popularity, gate, canary)\n',
    );
    const t = await call('POST', '/training/runs');
    const jobId = String(t.job_id);
    const training = await follow(`training ${jobId}`, '/training/runs?limit=20', (r) => {
      const run = ((r.items ?? []) as Json[]).find((i) => i.job_id === jobId);
      Object.assign(r, run ? { status: run.status, run } : { status: 'queued' });
      return run !== undefined && run.status !== 'running';
    });
    const run = training.run as Json;
    process.stdout.write(`  decision: ${run.decision} (${run.reason})\n`);
    const m = run.metrics as Record<string, Json | null> | null;
    const family = (run.settings as Json | null)?.family;
    const label = (name: string) =>
      name === 'candidate' && family
        ? `candidate (${String(family)})`
        : name === 'production' && !run.production_version
          ? 'production (hybrid fallback, no model yet)'
          : name;
    if (m)
      for (const [name, v] of Object.entries(m))
        if (v) process.stdout.write(`  ${label(name).padEnd(42)} NDCG@10 ${Number(v.ndcg ?? v.ndcg_at_10).toFixed(4)}\n`);
    if (run.status === 'failed') fail(`training failed: ${String(run.error)}`);
  }

  process.stdout.write("\n== 4. A listener's playlist\n");
  const users = await fetch(`${settings.MOCK_API_URL}/users?size=1`).then((r) => r.json() as Promise<{ items: Array<{ id: number }> }>);
  const userId = users.items[0]?.id;
  if (userId !== undefined) {
    const rec = await call('GET', `/users/${userId}/recommendations?limit=5`);
    process.stdout.write(`  GET /users/${userId}/recommendations?limit=5 -> variant ${rec.variant}, model ${rec.model_version}\n`);
    for (const t of (rec.tracks ?? []) as Json[])
      process.stdout.write(`    ${String(t.name).padEnd(30)} ${String(t.artist).padEnd(25)} ${JSON.stringify(t.genres)}\n`);
  }
  process.stdout.write(`\ncycle finished in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}

main().catch((err: unknown) => fail((err as Error).message));
