import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { createMockApiApp } from '../../../src/bootstrap.js';
import { createLogger } from '../../../src/logging/logger.js';
import { TEST_ADMIN_TOKEN, testSettings } from '../../support/settings.js';

export interface MockApp {
  app: INestApplication;
  base: string;
  get(path: string): Promise<Response>;
  json<T = any>(path: string): Promise<T>;
  admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response>;
  close(): Promise<void>;
}

/** The mock API app, as bootstrap builds it, listening on a free port of the loopback. */
export async function startMockApp(suite: string, overrides: Record<string, string>): Promise<MockApp> {
  const settings = testSettings(suite, overrides);
  const app = await createMockApiApp(settings, createLogger('warn'));
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const base = `http://127.0.0.1:${port}`;
  return {
    app,
    base,
    get: (path) => fetch(base + path, { redirect: 'manual' }),
    json: async <T>(path: string): Promise<T> => {
      const res = await fetch(base + path);
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    },
    admin: (method, path, body) =>
      fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    close: () => app.close(),
  };
}

/** A response's JSON body, loosely typed for assertions. */
export async function bodyOf(res: Response): Promise<any> {
  return res.json();
}

/** Every item of an endpoint, page by page at the maximum size. */
export async function readAll<T = any>(mock: MockApp, endpoint: string): Promise<T[]> {
  const first = await mock.json<{ items: T[]; pages: number }>(`/${endpoint}?page=1&size=100`);
  const out = [...first.items];
  for (let p = 2; p <= first.pages; p++) out.push(...(await mock.json<{ items: T[] }>(`/${endpoint}?page=${p}&size=100`)).items);
  return out;
}
