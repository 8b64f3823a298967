import { spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import mongoose from 'mongoose';
import { Redis } from 'ioredis';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startApp, waitForHttp, type AppProcess } from '../../support/processes.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';

/** Debian's chromium (scripts/test.sh installs it); a test never downloads a browser. */
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = '.data/artifacts';
const DAYS = 4;

type Json = Record<string, any>;

/**
 * The dashboard in a real headless browser, over the records of a real short pipeline: `simulate`
 * (the built CLI) runs DAYS simulated days with a retraining every other day, then an `api`
 * process serves /admin from that database. The browser may reach that process only: any other
 * request is refused and recorded, as on a machine without internet.
 */
describe('the /admin dashboard in a headless browser', () => {
  const s = testSettings('admin-dashboard');
  const db = new URL(s.MONGODB_URI).pathname.slice(1);
  let app: AppProcess;
  let base = '';
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;
  const external: string[] = [];
  const pageErrors: string[] = [];
  const api = async (path: string): Promise<Json> =>
    (await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).json() as Promise<Json>;

  async function localOnly(context: BrowserContext): Promise<void> {
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith(base) || url.startsWith('data:')) return route.continue();
      external.push(url);
      return route.abort('internetdisconnected');
    });
  }

  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`no browser at ${CHROMIUM}: scripts/test.sh installs Debian's chromium (apt-get install -y chromium)`);
    mkdirSync(ARTIFACTS, { recursive: true });
    const env = {
      MONGODB_URI: s.MONGODB_URI,
      REDIS_URL: s.REDIS_URL,
      REDIS_PREFIX: s.REDIS_PREFIX,
      ADMIN_TOKEN: TEST_ADMIN_TOKEN,
      RAW_EXPORT: 'false',
      TUNING_TRIALS: '0',
      ALS_FACTORS: '16',
      ALS_REGULARIZATION: '0.1',
      ALS_ALPHA: '1',
      CANARY_DAYS: '1',
      CANARY_PERCENT: '50',
      // A small model on 300 users rarely beats the day-one recommenders: let it through to a canary,
      // so some users get model playlists (the test holds either way).
      GATE_NDCG_TOLERANCE: '0.5',
    };
    const sim = spawn(
      process.execPath,
      ['dist/cli/simulate.js', '--days', String(DAYS), '--retrain-every', '2', '--users', '300', '--tracks', '150', '--db', db],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    sim.stdout.on('data', (d: Buffer) => (out += d.toString()));
    sim.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve) => sim.on('exit', resolve));
    expect(code, out).toBe(0);

    // The API process reads the simulation's database (simulate keys its queues under <prefix>-simulate).
    const port = await freePort();
    app = startApp({ ...env, REDIS_PREFIX: `${s.REDIS_PREFIX}-simulate`, APP_ROLE: 'api', HTTP_PORT: String(port), LOG_LEVEL: 'warn' });
    base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/health/live`, 60_000);
    browser = await chromium.launch({ executablePath: CHROMIUM });
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    app?.proc.kill('SIGTERM');
    await app?.exited;
    const conn = await mongoose.createConnection(s.MONGODB_URI).asPromise();
    await conn.db!.dropDatabase();
    await conn.close();
    const redis = new Redis(s.REDIS_URL);
    const keys = await redis.keys(`${s.REDIS_PREFIX}*`);
    if (keys.length) await redis.del(...keys);
    await redis.quit();
  });

  it("refuses the page without the credential or with a wrong one, with the browser's login challenge", async () => {
    for (const httpCredentials of [undefined, { username: 'admin', password: 'not-the-token-0123456789' }]) {
      const context = await browser.newContext(httpCredentials ? { httpCredentials } : {});
      await localOnly(context);
      const p = await context.newPage();
      const answer = p.waitForResponse((r) => r.url() === `${base}/admin`);
      // Headless Chromium has no login prompt to show: the navigation ends on the refusal.
      const navigation = await p.goto(`${base}/admin`).then(
        (res) => res,
        (err: Error) => err,
      );
      const res = await answer;
      expect(res.status()).toBe(401);
      expect(res.headers()['www-authenticate']).toMatch(/^Basic realm=/);
      expect(await res.text()).not.toContain('MooVitamix pipeline');
      if (navigation instanceof Error) expect(navigation.message).toMatch(/ERR_INVALID_AUTH_CREDENTIALS/);
      else expect(navigation!.status()).toBe(401);
      await context.close();
    }
  });

  it('draws every chart with the runs the pipeline recorded', async () => {
    admin = await browser.newContext({
      viewport: { width: 1440, height: 900 },
      httpCredentials: { username: 'admin', password: TEST_ADMIN_TOKEN },
    });
    await localOnly(admin);
    page = await admin.newPage();
    page.on('pageerror', (e) => pageErrors.push(e.message));
    // Reads of the hot route (one user, twice: a store read then a cache hit) before the page loads.
    const conn = await mongoose.createConnection(s.MONGODB_URI).asPromise();
    const playlist = (await conn.db!.collection('playlists').find({}).sort({ created_at: -1 }).limit(1).toArray())[0]!;
    await conn.close();
    for (let i = 0; i < 3; i++) await fetch(`${base}/users/${playlist.user_id}/recommendations`);

    const res = await page.goto(`${base}/admin`);
    expect(res!.status()).toBe(200);
    await page.waitForSelector('body[data-loaded]', { timeout: 60_000 });

    const [ing, rec, models] = await Promise.all([
      api('/admin/api/ingestion'),
      api('/admin/api/recommendations'),
      api('/admin/api/models'),
    ]);
    // One ingestion per simulated day, at least as many recommendation runs, a version per retraining.
    expect(ing.points).toHaveLength(DAYS + 1);
    expect(rec.points.length).toBeGreaterThanOrEqual(DAYS + 1);
    expect(models.versions).toHaveLength(DAYS / 2);
    expect(models.drift.points).toHaveLength(DAYS / 2);
    const expected: Record<string, number> = {
      'c-ing-records': ing.points.length,
      'c-ing-duration': ing.points.length,
      'c-ing-quality': ing.points.length,
      'c-ing-anomalies': ing.points.length,
      'c-rec-coverage': rec.points.length,
      'c-rec-freshness': rec.points.length,
      'c-rec-users': rec.points.length,
      'c-rec-variants': rec.points.length,
      'c-rec-cache': rec.cache.points.length,
      'c-rec-hitdays': rec.hit_rates.by_day.length,
      'c-mod-ndcg': models.versions.length,
      'c-mod-precision': models.versions.length,
      'c-mod-recall': models.versions.length,
      'c-mod-coverage': models.versions.length,
      'c-mod-drift': models.drift.points.length,
    };
    const drawn = await page.$$eval('[data-chart]', (els) =>
      Object.fromEntries(
        els.map((e) => [
          e.id,
          {
            points: Number(e.getAttribute('data-points')),
            drawn: Number(e.getAttribute('data-drawn-points')),
            canvases: e.querySelectorAll('canvas').length,
            series: Number(e.getAttribute('data-series')),
          },
        ]),
      ),
    );
    for (const [id, n] of Object.entries(expected)) {
      expect(n, id).toBeGreaterThan(0);
      expect(drawn[id], id).toMatchObject({ points: n, drawn: n });
      expect(drawn[id]!.canvases, id).toBeGreaterThan(0);
    }
    expect(drawn['c-ing-records']!.series).toBe(3);
    expect(drawn['c-rec-variants']!.series).toBe(rec.variants.length);
    expect(rec.cache.totals.hit).toBeGreaterThanOrEqual(1);

    // The last run at the top, the variants side by side, a timeline row per version, the gate's reasons.
    expect(await page.textContent('#summary')).toContain(ing.last_run.id);
    expect(await page.$$eval('#rec-hitrates table.bars tbody tr', (rows) => rows.length)).toBe(rec.hit_rates.variants.length);
    expect(rec.hit_rates.variants.length).toBeGreaterThanOrEqual(1);
    expect(await page.$$eval('#mod-timeline .timeline li', (rows) => rows.length)).toBe(models.versions.length);
    expect(await page.$$eval('#mod-versions tbody tr', (rows) => rows.length)).toBe(models.versions.length);
    const families = await page.$$eval('#mod-versions tbody tr td:nth-child(2)', (tds) => tds.map((td) => td.textContent));
    expect(families).toEqual([...models.versions].reverse().map((v: Json) => v.family));
    const decisions = await page.textContent('#mod-decisions');
    expect(decisions).toMatch(/held-out users/);
    for (const link of ['/admin/queues', '/metrics', '/docs', '/health'])
      expect(await page.$(`header a[href="${link}"]`), link).not.toBeNull();
    await page.screenshot({ path: `${ARTIFACTS}/admin.png`, clip: { x: 0, y: 0, width: 1440, height: 2000 }, fullPage: true });
  }, 120_000);

  it("walks a chart's runs with the keyboard", async () => {
    await page.focus('#c-ing-records');
    await page.keyboard.press('Home');
    const first = await page.textContent('#c-ing-records .u-legend .u-series:first-child .u-value');
    await page.keyboard.press('ArrowRight');
    const second = await page.textContent('#c-ing-records .u-legend .u-series:first-child .u-value');
    expect(first).toMatch(/^ingestion-2026-01-01/);
    expect(second).toMatch(/^ingestion-2026-01-02/);
  });

  it("shows a user's listens and playlist with why each track is in it, from the keyboard", async () => {
    const conn = await mongoose.createConnection(s.MONGODB_URI).asPromise();
    // A model playlist when a version reached a canary, else the newest playlist.
    const [playlist] = (await conn.db!.collection('playlists').find({}).sort({ created_at: -1 }).limit(1000).toArray()).sort(
      (a, b) => Number(b.recommender === 'model') - Number(a.recommender === 'model'),
    );
    await conn.close();
    expect(playlist, 'a playlist').toBeTruthy();
    const recommender = String(playlist!.recommender);
    await page.focus('#user-id');
    await page.keyboard.type(String(playlist!.user_id));
    await page.keyboard.press('Enter');
    await page.waitForSelector('#user-playlist[data-tracks]', { timeout: 30_000 });
    const tracks = Number(await page.getAttribute('#user-playlist', 'data-tracks'));
    expect(tracks).toBe(playlist!.track_ids.length);
    const rows = await page.$$eval('#user-playlist tbody tr', (trs) =>
      trs.map((tr) => Array.from(tr.querySelectorAll('td')).map((td) => (td as { textContent: string | null }).textContent ?? '')),
    );
    expect(rows).toHaveLength(tracks);
    // Sources recorded by the playlist: the recommender's own list, then a fallback if it ran short.
    for (const r of rows) expect(r[4]).toMatch(new RegExp(`^(${recommender}|fallback: (hybrid|popularity))$`));
    expect(rows[0]![5]).toMatch(recommender === 'model' ? /^model v\S+ score -?\d\.\d{3}/ : /score -?\d\.\d{3}/);
    expect(await page.$$eval('.listens li', (lis) => lis.length)).toBeGreaterThan(0);
    await page.screenshot({ path: `${ARTIFACTS}/admin-full.png`, fullPage: true });
    const userView = await page.$('#user');
    await userView!.screenshot({ path: `${ARTIFACTS}/admin-user.png` });
  }, 60_000);

  it('asked nothing of the internet and threw no error', () => {
    expect(external).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('serves Bull Board with no internet: its page no longer asks for web fonts', async () => {
    const board = await admin.newPage();
    const res = await board.goto(`${base}/admin/queues`);
    expect(res!.status()).toBe(200);
    await board.getByText('ingestion', { exact: false }).first().waitFor({ timeout: 30_000 });
    expect(await board.$('link[href*="fonts.googleapis"]')).toBeNull();
    // Evaluated in the page (a string: this file is compiled without the DOM library).
    const font = await board.evaluate<string>('getComputedStyle(document.body).fontFamily');
    expect(font).toMatch(/system-ui|sans-serif/);
    expect(external).toEqual([]);
    await board.waitForLoadState('networkidle');
    await board.screenshot({ path: `${ARTIFACTS}/bull-board.png` });
    await board.close();
  }, 60_000);
});
