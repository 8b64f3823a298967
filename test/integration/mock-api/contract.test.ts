import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DURATION, GENDERS, GENRES, ISO_NAIVE, itemProblems, ORIGINAL_OPENAPI, REFERENCE } from './contract.js';
import { bodyOf, readAll, startMockApp, type MockApp } from './mock-app.js';

const ENDPOINTS = ['tracks', 'users', 'listen_history'] as const;

// Our answers held against the original API's captured answers and OpenAPI document.
describe('mock source API contract', () => {
  it('the reference answers pass the checks used below (the checks fit the original)', () => {
    for (const e of ENDPOINTS) {
      for (const item of REFERENCE[e].items) expect(itemProblems(e, item)).toEqual([]);
    }
  });

  describe.each(['classic', 'living'] as const)('%s mode', (mode) => {
    let mock: MockApp;
    beforeAll(async () => {
      mock = await startMockApp(`mock-contract-${mode}`, { MOCK_MODE: mode, MOCK_SEED: '11', MOCK_USERS: '250', MOCK_TRACKS: '120' });
    });
    afterAll(() => mock.close());

    it.each(ENDPOINTS)('GET /%s?page=1&size=3 has the envelope, fields, JSON types and formats of the original', async (endpoint) => {
      const res = await mock.get(`/${endpoint}?page=1&size=3`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      const body = await bodyOf(res);
      const ref = REFERENCE[endpoint];
      expect(Object.keys(body)).toEqual(Object.keys(ref));
      expect({ page: body.page, size: body.size, pages: body.pages }).toEqual({ page: 1, size: 3, pages: Math.ceil(body.total / 3) });
      expect(Number.isInteger(body.total)).toBe(true);
      expect(body.items).toHaveLength(3);
      for (const item of body.items) expect(itemProblems(endpoint, item)).toEqual([]);
    });

    it('defaults to page 1 of 100 items', async () => {
      const body = await mock.json('/users');
      expect(body).toMatchObject({ page: 1, size: 100 });
      expect(body.items).toHaveLength(Math.min(100, body.total));
    });

    it.each([
      ['page=0', 'page', 'greater_than_equal'],
      ['size=0', 'size', 'greater_than_equal'],
      ['size=101', 'size', 'less_than_equal'],
      ['page=abc', 'page', 'int_parsing'],
      ['size=2.5', 'size', 'int_parsing'],
      ['page=-3', 'page', 'greater_than_equal'],
    ])('answers ?%s with 422 naming the parameter, shaped as HTTPValidationError', async (query, param, type) => {
      for (const endpoint of ENDPOINTS) {
        const res = await mock.get(`/${endpoint}?${query}`);
        expect(res.status).toBe(422);
        const body = await bodyOf(res);
        expect(body.detail).toHaveLength(1);
        expect(body.detail[0]).toMatchObject({ type, loc: ['query', param], input: query.split('=')[1] });
        for (const key of ORIGINAL_OPENAPI.components.schemas.ValidationError.required) expect(body.detail[0]).toHaveProperty(key);
        expect(typeof body.detail[0].msg).toBe('string');
      }
    });

    it('names both parameters when both are wrong', async () => {
      const body = await bodyOf(await mock.get('/tracks?page=0&size=101'));
      expect(body.detail.map((d: { loc: string[] }) => d.loc[1])).toEqual(['page', 'size']);
    });

    it('accepts page=1.0 and a page far past the end (200, no items, same total and pages)', async () => {
      const first = await mock.json('/tracks?page=1.0&size=7');
      expect(first.page).toBe(1);
      for (const endpoint of ENDPOINTS) {
        const head = await mock.json(`/${endpoint}?size=100`);
        const past = await mock.get(`/${endpoint}?page=${head.pages + 1}&size=100`);
        expect(past.status).toBe(200);
        expect(await bodyOf(past)).toEqual({ items: [], total: head.total, page: head.pages + 1, size: 100, pages: head.pages });
        expect((await mock.json(`/${endpoint}?page=999999&size=1`)).items).toEqual([]);
      }
    });

    it('serves the last page partly full, and a full read gives every item once', async () => {
      const head = await mock.json('/users?size=7');
      const last = await mock.json(`/users?page=${head.pages}&size=7`);
      expect(last.items).toHaveLength(head.total - (head.pages - 1) * 7);
      const users = await readAll(mock, 'users');
      expect(users).toHaveLength(head.total);
      expect(new Set(users.map((u) => u.id)).size).toBe(head.total);
    });

    it('keeps the data relations: history in /users order, items all in /tracks, user and track ids apart', async () => {
      const [tracks, users, history] = await Promise.all([
        readAll(mock, 'tracks'),
        readAll(mock, 'users'),
        readAll(mock, 'listen_history'),
      ]);
      expect(history.map((h) => h.user_id)).toEqual(users.map((u) => u.id));
      const trackIds = new Set(tracks.map((t) => t.id));
      for (const h of history) for (const t of h.items) expect(trackIds.has(t)).toBe(true);
      for (const u of users) expect(trackIds.has(u.id)).toBe(false);
      for (const h of history) expect(h.updated_at >= h.created_at).toBe(true);
      for (const u of users) {
        expect(GENDERS).toContain(u.gender);
        expect(GENRES).toContain(u.favorite_genres);
        expect(u.email).toMatch(/^[^@\s]+@[^@\s]+$/);
      }
      for (const t of tracks) {
        expect(t.duration).toMatch(DURATION);
        expect(t.created_at).toMatch(ISO_NAIVE);
        if (mode === 'living') expect(GENRES).toContain(t.genres);
      }
      // Python's isoformat leaves the fraction out when it is zero; ours must never write ".000000".
      expect(JSON.stringify(history)).not.toContain('.000000"');
    });
  });

  describe('docs', () => {
    let mock: MockApp;
    beforeAll(async () => {
      mock = await startMockApp('mock-contract-docs', { MOCK_MODE: 'classic' });
    });
    afterAll(() => mock.close());

    it('redirects / to /docs, which is an HTML page with its assets', async () => {
      const root = await mock.get('/');
      expect(root.status).toBe(307);
      expect(root.headers.get('location')).toBe('/docs');
      const docs = await mock.get('/docs');
      expect(docs.status).toBe(200);
      expect(docs.headers.get('content-type')).toMatch(/^text\/html/);
      const html = await docs.text();
      expect(html).toContain('/openapi.json');
      for (const asset of ['/docs/swagger-ui.css', '/docs/swagger-ui-bundle.js']) {
        expect(html).toContain(asset);
        expect((await mock.get(asset)).status).toBe(200);
      }
    });

    it('publishes the original OpenAPI paths and schemas unchanged at /openapi.json', async () => {
      const doc = await mock.json('/openapi.json');
      for (const path of Object.keys(ORIGINAL_OPENAPI.paths)) expect(doc.paths[path]).toEqual(ORIGINAL_OPENAPI.paths[path]);
      for (const [name, schema] of Object.entries(ORIGINAL_OPENAPI.components.schemas))
        expect(doc.components.schemas[name]).toEqual(schema);
      expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/mock/state', '/mock/advance', '/mock/faults']));
    });

    it('answers an unknown path 404 with a FastAPI body', async () => {
      const res = await mock.get('/nothing-here');
      expect(res.status).toBe(404);
      expect(await bodyOf(res)).toEqual({ detail: 'Not Found' });
    });
  });
});
