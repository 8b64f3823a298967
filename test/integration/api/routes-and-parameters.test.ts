import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPipelineApp } from '../../../src/bootstrap.js';
import { createLogger } from '../../../src/logging/logger.js';
import { ROLE_PRESETS } from '../../../src/roles.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Not API routes: Bull Board's own pages and API, the dashboard's static files, the document and Swagger UI themselves. */
const NOT_DOCUMENTED = [/^\/admin\/queues(\/|$)/, /^\/admin\/assets\//, /^\/docs(\/|$|-json|-yaml)/];

/** Issue 12: every route in the OpenAPI document, and one body for every 400. */
describe('the HTTP API: its routes and its parameters', () => {
  const settings = testSettings('api-routes', { AUTH_FAILURE_LIMIT: '0' });
  const registered: string[] = [];
  let base: string;
  let close: () => Promise<void>;
  let document: { paths: Record<string, Record<string, unknown>> };

  beforeAll(async () => {
    const app = await createPipelineApp(settings, ROLE_PRESETS.api, createLogger(settings.LOG_LEVEL));
    // Every route Fastify gets from here on (controllers, the hot route, Bull Board) is recorded as it is declared.
    (app.getHttpAdapter().getInstance() as FastifyInstance).addHook('onRoute', (route) => {
      for (const m of [route.method].flat()) if (METHODS.includes(m)) registered.push(`${m} ${route.url}`);
    });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    close = () => app.close();
    document = (await (await fetch(`${base}/docs/openapi.json`)).json()) as typeof document;
  });
  afterAll(() => close?.());

  it('documents every route Fastify serves (Bull Board, static files and the document itself aside)', () => {
    const documented = new Set(
      Object.entries(document.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`)),
    );
    const routes = [...new Set(registered)].filter((r) => !NOT_DOCUMENTED.some((re) => re.test(r.split(' ')[1]!)));
    expect(routes.length).toBeGreaterThan(25);
    expect(routes).toContain('GET /users/:userId/recommendations');
    const missing = routes.filter((r) => !documented.has(r.replace(/:(\w+)/g, '{$1}')));
    expect(missing).toEqual([]);
  });

  it('documents the hot route with its parameters from the schemas it checks', () => {
    const op = document.paths['/users/{userId}/recommendations']!.get as {
      parameters: Array<{ name: string; in: string; required: boolean; schema: Record<string, unknown> }>;
    };
    expect(op.parameters).toEqual([
      expect.objectContaining({
        name: 'userId',
        in: 'path',
        required: true,
        schema: expect.objectContaining({ type: 'integer', minimum: 0 }),
      }),
      expect.objectContaining({
        name: 'limit',
        in: 'query',
        required: false,
        schema: expect.objectContaining({ type: 'integer', minimum: 1, maximum: 100 }),
      }),
    ]);
    const list = document.paths['/ingestion/runs']!.get as { parameters: Array<{ name: string }> };
    expect(list.parameters.map((p) => p.name).sort()).toEqual(['limit', 'status']);
  });

  const user = 1_000_010;
  // [method, path, body, the parameter named, the message when it is pinned down]
  const BAD: Array<[string, string, string | undefined, string, string?]> = [
    ['GET', '/users/abc/recommendations', undefined, 'userId', 'userId must be a non-negative integer (a MooVitamix user id), got "abc"'],
    ['GET', `/users/${user}/recommendations?limit=0`, undefined, 'limit', 'limit must be an integer from 1 to 100, got "0"'],
    ['GET', `/users/${user}/recommendations?limit=101`, undefined, 'limit', 'limit must be an integer from 1 to 100, got "101"'],
    ['GET', `/users/${user}/recommendations?limit=ten`, undefined, 'limit', 'limit must be an integer from 1 to 100, got "ten"'],
    ['GET', `/users/${user}/playlists?page=0`, undefined, 'page', 'page must be an integer from 1 to 1000000, got "0"'],
    ['GET', `/users/${user}/playlists?size=500`, undefined, 'size', 'size must be an integer from 1 to 100, got "500"'],
    ['GET', '/users/-1/playlists', undefined, 'userId', 'userId must be a non-negative integer (a MooVitamix user id), got "-1"'],
    [
      'GET',
      '/playlists/not%20an%20id',
      undefined,
      'playlistId',
      'playlistId must look like <user_id>-<run_key> (e.g. 1042-20261126), got "not an id"',
    ],
    ['POST', '/ingestion/runs', '{"run_date":"26/11/2026"}', 'run_date', 'run_date must be a date YYYY-MM-DD: expected a date YYYY-MM-DD'],
    ['POST', '/ingestion/runs', '{"run_date":"2026-02-30"}', 'run_date'],
    ['POST', '/ingestion/runs', '[]', 'body'],
    ['POST', '/ingestion/runs', '{', 'body'],
    ['GET', '/ingestion/runs?limit=0', undefined, 'limit'],
    ['GET', '/ingestion/runs?limit=1e2', undefined, 'limit'],
    ['GET', '/ingestion/runs?status=done', undefined, 'status'],
    ['GET', '/ingestion/runs/meta', undefined, 'id'],
    ['GET', '/ingestion/runs/stalled-check/rejected', undefined, 'id'],
    ['GET', '/ingestion/runs/ingestion-2026-11-26/rejected?endpoint=albums', undefined, 'endpoint'],
    ['GET', '/ingestion/runs/ingestion-2026-11-26/rejected?limit=5000', undefined, 'limit'],
    ['POST', '/recommendations/runs', '{"force":"yes"}', 'force', 'force must be true or false'],
    ['POST', '/recommendations/runs', '{"run_date":"x"}', 'run_date'],
    ['POST', '/recommendations/runs', '"text"', 'body'],
    ['GET', '/recommendations/runs?limit=0', undefined, 'limit'],
    ['GET', '/recommendations/runs?status=nope', undefined, 'status'],
    ['GET', '/training/runs?limit=0', undefined, 'limit'],
    ['GET', '/training/runs?offset=-1', undefined, 'offset'],
    ['GET', '/models?status=gone', undefined, 'status'],
    ['GET', '/models?limit=101', undefined, 'limit'],
    ['POST', '/models/rollback', '{}', 'reason'],
    ['POST', '/models/rollback', `{"reason":"${'r'.repeat(501)}"}`, 'reason'],
    ['POST', '/models/v-any/promote', '{"reason":""}', 'reason'],
    ['GET', '/admin/api/ingestion?days=0', undefined, 'days'],
    ['GET', '/admin/api/recommendations?days=5000', undefined, 'days'],
    ['GET', '/admin/api/models?days=abc', undefined, 'days'],
    ['GET', '/admin/api/users/abc', undefined, 'userId'],
  ];

  it.each(BAD)('%s %s %s answers 400 naming %s', async (method, path, body, parameter, message) => {
    const headers: Record<string, string> = {
      authorization: `Bearer ${TEST_ADMIN_TOKEN}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    };
    const res = await fetch(`${base}${path}`, { method, headers, body });
    const got = (await res.json()) as Record<string, unknown>;
    expect(res.status).toBe(400);
    expect(got).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      parameter,
      message: message ?? expect.stringMatching(new RegExp(`^${parameter} `)),
    });
  });

  it('has a bad-parameter row for every documented route that takes a parameter', () => {
    const covered = new Set(
      BAD.map(
        ([m, p]) =>
          `${m} ${p.split('?')[0]!.replace(/\/(abc|-1|not%20an%20id|meta|stalled-check|ingestion-2026-11-26|v-any|\d+)(?=\/|$)/g, '/{x}')}`,
      ),
    );
    const takingParameters = Object.entries(document.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(
          ([, op]) => ((op as { parameters?: unknown[] }).parameters ?? []).length > 0 || (op as { requestBody?: unknown }).requestBody,
        )
        .map(([m]) => `${m.toUpperCase()} ${path.replace(/\{\w+\}/g, '{x}')}`),
    );
    expect(takingParameters.filter((r) => !covered.has(r) && !UNCHECKED.includes(r))).toEqual([]);
  });
});

/** Routes whose parameters take any string: an unknown one is a 404, never a 400. */
const UNCHECKED = ['GET /models/{x}', 'GET /recommendations/runs/{x}'];
