import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type StubEndpoint = 'tracks' | 'users' | 'listen_history';

/**
 * A scriptable stand-in for the source API, for cases the mock cannot play: a history replaced
 * rather than grown, a total that moves in the middle of a run, a page that fails on demand.
 */
export class StubSource {
  data: Record<StubEndpoint, unknown[]> = { tracks: [], users: [], listen_history: [] };
  /** Every request served, as "endpoint:page". */
  readonly requests: string[] = [];
  /** Answers a status instead of the page when it returns one. */
  fail: (endpoint: StubEndpoint, page: number) => number | undefined = () => undefined;
  /** Runs before a page is answered (to change the data mid-run). */
  beforeAnswer: (endpoint: StubEndpoint, page: number) => void = () => undefined;
  private server?: Server;
  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://stub');
      const endpoint = u.pathname.slice(1) as StubEndpoint;
      const page = Number(u.searchParams.get('page') ?? 1);
      const size = Number(u.searchParams.get('size') ?? 100);
      if (!(endpoint in this.data)) {
        res.writeHead(404, { 'content-type': 'application/json' }).end('{"detail":"Not Found"}');
        return;
      }
      this.requests.push(`${endpoint}:${page}`);
      this.beforeAnswer(endpoint, page);
      const status = this.fail(endpoint, page);
      if (status !== undefined) {
        res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: `stub failure ${status}` }));
        return;
      }
      const all = this.data[endpoint];
      const body = { items: all.slice((page - 1) * size, page * size), total: all.length, page, size, pages: Math.ceil(all.length / size) };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

const day = (d: number) => `2026-03-${String(d).padStart(2, '0')}T10:00:00.123456`;

export function track(id: number, d = 1) {
  return {
    id,
    name: `track ${id}`,
    artist: `artist ${id % 7}`,
    songwriters: 'Some One',
    duration: '03:25',
    genres: 'Rock',
    album: `album ${id % 3}`,
    created_at: day(d),
    updated_at: day(d),
  };
}

export function user(id: number, d = 1) {
  return {
    id,
    first_name: 'Ada',
    last_name: `User${id}`,
    email: `u${id}@example.org`,
    gender: 'Female',
    favorite_genres: 'Jazz',
    created_at: day(d),
    updated_at: day(d),
  };
}

export function history(userId: number, items: number[], d = 1) {
  return { user_id: userId, items, created_at: day(1), updated_at: day(d) };
}
