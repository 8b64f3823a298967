import { afterEach, describe, expect, it } from 'vitest';
import { bodyOf, startMockApp, type MockApp } from './mock-app.js';

// Issue 11 (medium): POST /mock/advance?days=3650 was accepted in the default role, ran on the
// request thread, and compounded user growth to exhaustion.
describe('mock control routes', () => {
  let mock: MockApp | undefined;
  afterEach(async () => {
    await mock?.close();
    mock = undefined;
  });

  it('refuses an advance whose growth would exhaust the process, before starting it', async () => {
    mock = await startMockApp('mock-control-growth', {
      MOCK_MODE: 'living',
      MOCK_USERS: '200',
      MOCK_TRACKS: '100',
      MOCK_DAILY_NEW_USERS: '0.5',
    });
    const res = await mock.admin('POST', '/mock/advance?days=366');
    expect(res.status).toBe(422);
    const detail = (await bodyOf(res)).detail[0];
    expect(detail.loc).toEqual(['query', 'days']);
    expect(detail.msg).toMatch(/would exceed the mock's limits \(users ~/);
    expect((await mock.json('/mock/state')).day).toBe(0);
  });

  it('keeps answering pages while a long advance runs, and runs one advance at a time', async () => {
    mock = await startMockApp('mock-control-yield', {
      MOCK_MODE: 'living',
      MOCK_USERS: '3000',
      MOCK_TRACKS: '500',
      MOCK_DAILY_NEW_USERS: '0',
    });
    const advancing = mock.admin('POST', '/mock/advance?days=120');
    await new Promise((r) => setTimeout(r, 50));
    const page = await mock.get('/tracks?page=1&size=1');
    expect(page.status).toBe(200);
    const second = await mock.admin('POST', '/mock/advance?days=1');
    const done = await advancing;
    expect(done.status).toBe(200);
    // The page was served (and the second advance refused) while the first advance was still running.
    expect(second.status).toBe(409);
    expect((await bodyOf(done)).state.day).toBe(120);
  });

  it('are not mounted with NODE_ENV=production unless MOCK_CONTROL_ROUTES=on', async () => {
    const strong = 'Zk3q9VvR2pLx8TnW0cYb6HsJ4mGd1fQe7aUiN5oPrKt';
    mock = await startMockApp('mock-control-prod', { MOCK_MODE: 'classic', MOCK_SEED: '1', NODE_ENV: 'production', ADMIN_TOKEN: strong });
    const auth = { authorization: `Bearer ${strong}`, 'content-type': 'application/json' };
    expect(
      (await fetch(`${mock.base}/mock/advance?days=1`, { method: 'POST', headers: { authorization: auth.authorization } })).status,
    ).toBe(404);
    expect((await fetch(`${mock.base}/mock/faults`, { method: 'POST', headers: auth, body: '{"error_5xx_rate":1}' })).status).toBe(404);
    expect((await mock.get('/mock/state')).status).toBe(200);
    expect((await mock.get('/tracks?page=1&size=1')).status).toBe(200);
    await mock.close();
    mock = await startMockApp('mock-control-prod-on', {
      MOCK_MODE: 'classic',
      MOCK_SEED: '1',
      NODE_ENV: 'production',
      ADMIN_TOKEN: strong,
      MOCK_CONTROL_ROUTES: 'on',
    });
    expect(
      (await fetch(`${mock.base}/mock/advance?days=1`, { method: 'POST', headers: { authorization: `Bearer ${strong}` } })).status,
    ).toBe(200);
  });
});
